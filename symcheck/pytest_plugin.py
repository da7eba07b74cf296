"""symcheck as a pytest plugin: every claim of a derivation file is a test item.

`pytest derivations/` (a path given on the command line) or `pytest --symcheck PATH` collects
each module-level `Claim` as one item named after it, so `-k`, `-x`, `--lf` and `--junitxml`
work as for any test. An item passes when the verdict is the one the claim expects; a failing
item shows the verdict, the reason and, for a refutation, the counterexample. Decided claims are read
from and written to the proof cache that `symcheck check` uses (`--symcheck-cache-dir`; off with
`--symcheck-no-cache`), so a re-run over an unchanged library is fast here too. Ordinary test
files are left alone: a file is a derivation file only under `--symcheck`, or, under a path
given explicitly, when it matches no `python_files` pattern and assigns a `Claim` at module level.
"""

from __future__ import annotations

import fnmatch
import re
from pathlib import Path

import pytest

from .cache import DEFAULT_DIR, ProofCache
from .config import Config
from .engine import check
from .errors import SymcheckError
from .loader import load_file
from .report import show

_DECLARES_A_CLAIM = re.compile(r"^\w+\s*=\s*Claim\(", re.M)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("symcheck", "symcheck claims as test items")
    group.addoption("--symcheck", action="append", default=[], metavar="PATH",
                    help="derivation files or directories whose claims are collected as test items")
    group.addoption("--symcheck-seed", type=int, default=0, help="seed of the falsifier (default 0)")
    group.addoption("--symcheck-max-seconds", type=float, default=Config.max_seconds,
                    help=f"wall time per claim (default {Config.max_seconds})")
    group.addoption("--symcheck-cache-dir", default=DEFAULT_DIR,
                    help=f"the proof cache shared with `symcheck check` (default {DEFAULT_DIR}/)")
    group.addoption("--symcheck-no-cache", action="store_true", help="check every claim, ignoring the proof cache")


def pytest_configure(config: pytest.Config) -> None:
    """`--symcheck PATH` adds PATH to what the session collects, beside the other arguments."""
    for path in config.getoption("symcheck"):
        if path not in config.args:
            config.args.append(path)


def _under(path: Path, roots: list[Path]) -> bool:
    return any(path == r or r in path.parents for r in roots)


def _is_derivation_file(path: Path, config: pytest.Config) -> bool:
    if path.suffix != ".py" or path.name.startswith("_") or path.name == "conftest.py":
        return False
    resolved = path.resolve()
    if _under(resolved, [Path(p).resolve() for p in config.getoption("symcheck")]):
        return True
    explicit = [Path(str(a).split("::")[0]).resolve() for a in config.invocation_params.args
                if not str(a).startswith("-")]
    patterns = config.getini("python_files")
    if not _under(resolved, explicit) or any(fnmatch.fnmatch(path.name, p) for p in patterns):
        return False
    try:
        return bool(_DECLARES_A_CLAIM.search(path.read_text(encoding="utf-8", errors="replace")))
    except OSError:
        return False


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if _is_derivation_file(file_path, parent.config):
        return DerivationFile.from_parent(parent, path=file_path)
    return None


class DerivationFile(pytest.File):
    """A derivation file: its claims, in declaration order. A file that fails to load is a collection
    error that names the file and line (`DerivationFileError`), and the run goes on."""

    def collect(self):
        try:
            claims = load_file(self.path)
        except SymcheckError as err:
            raise self.CollectError(str(err)) from None
        source = self.path.read_text(encoding="utf-8", errors="replace")
        for claim in claims:
            yield ClaimItem.from_parent(self, name=claim.name, claim=claim, line=_line_of(source, claim.name))


def _line_of(source: str, name: str) -> int:
    match = re.search(rf"^{re.escape(name)}\s*=", source, re.M)
    return source.count("\n", 0, match.start()) if match else 0


class ClaimFailed(Exception):
    """A verdict other than the one the claim expects."""


class ClaimItem(pytest.Item):
    def __init__(self, *, claim, line: int, **kw):
        super().__init__(**kw)
        self.claim, self.line = claim, line

    def _config(self) -> Config:
        opt = self.config.getoption
        return Config().with_(seed=opt("symcheck_seed"), max_seconds=opt("symcheck_max_seconds"))

    def runtest(self) -> None:
        config = self._config()
        opt = self.config.getoption
        cache = None if opt("symcheck_no_cache") else ProofCache(opt("symcheck_cache_dir"))
        result = cache.get(self.claim, config, proof=False) if cache else None
        if result is None:
            result = check(self.claim, config)
            if cache:
                cache.put(result, config)
        if not result.ok:
            raise ClaimFailed(show(result, config))

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, ClaimFailed):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self):
        return self.path, self.line, self.claim.qualname
