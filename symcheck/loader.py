"""Load derivation files: ordinary Python modules that declare `Claim` objects.

Like pytest with test files, any file anywhere on disk can be loaded; every
module-level `Claim` is collected in definition order and named
`<module>.<claim>`. Whatever goes wrong is reported against the file (and line)
where it went wrong, as a `DerivationFileError`.
"""

from __future__ import annotations

import ast
import dataclasses
import fnmatch
import hashlib
from dataclasses import dataclass
import importlib.util
import itertools
import sys
import traceback
from pathlib import Path

from .claim import Claim
from .errors import DerivationFileError, SymcheckError
from .suggest import hint

__all__ = ["discover", "load_file", "load", "load_surviving", "LoadFailure", "select"]

_COUNTER = itertools.count()


def discover(paths: list[str | Path]) -> list[Path]:
    """Derivation files under `paths` (files as given; directories: *.py, not _private)."""
    files: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            files += sorted(f for f in p.glob("*.py") if not f.name.startswith("_"))
        elif p.is_file():
            if p.suffix != ".py":
                raise DerivationFileError(raw, "not a Python file (derivation files end in .py)")
            files.append(p)
        else:
            raise DerivationFileError(raw, "no such file or directory")
    return files


def load_file(path: Path) -> list[Claim]:
    module_name = f"symcheck_derivation_{next(_COUNTER)}_{path.stem}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise DerivationFileError(str(path), "cannot be imported as a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        source = path.read_bytes()          # read once: what runs is what the cache key digests
        exec(compile(source, str(path), "exec", dont_inherit=True), vars(module))
    except SymcheckError as err:
        raise DerivationFileError(f"{path}{_line(err, path)}", _claim_at(err, path) + str(err)) from None
    except Exception as err:  # the user's file raised: say where, without a traceback
        raise DerivationFileError(f"{path}{_line(err, path)}", f"{_claim_at(err, path)}{type(err).__name__}: {err}"
                                  f"{hint(err, vars(module))}") from None
    finally:
        sys.modules.pop(module_name, None)
    claims = []
    for value in vars(module).values():
        if isinstance(value, Claim):
            claims.append(dataclasses.replace(value, file=str(path), module=path.stem,
                                              source_digest=hashlib.sha256(source).hexdigest()))
    return claims


def _lineno(err: BaseException, path: Path) -> int | None:
    frames = [f for f in traceback.extract_tb(err.__traceback__) if Path(f.filename) == path]
    return frames[-1].lineno if frames else None


def _line(err: BaseException, path: Path) -> str:
    n = _lineno(err, path)
    return f":{n}" if n is not None else ""


def _claim_at(err: BaseException, path: Path) -> str:
    """'claim <module>.<name>: ' when the failing line lies in a top-level `x = Claim("name", ...)` (a
    ClaimError that names its claim already says so), else ''."""
    n = _lineno(err, path)
    if n is None or getattr(err, "claim", None):
        return ""
    try:
        tree = ast.parse(path.read_text())
    except (SyntaxError, ValueError, OSError):
        return ""
    for stmt in tree.body:
        call = getattr(stmt, "value", None)
        if stmt.lineno <= n <= (stmt.end_lineno or stmt.lineno) and isinstance(call, ast.Call) \
                and isinstance(call.func, ast.Name) and call.func.id == "Claim":
            named = call.args[:1] + [k.value for k in call.keywords if k.arg == "name"]
            if named and isinstance(named[0], ast.Constant) and isinstance(named[0].value, str):
                return f"claim {path.stem}.{named[0].value}: "
    return ""


def load(paths: str | Path | list[str | Path]) -> list[Claim]:
    """The claims of derivation files (a file, a directory, or a list of them), in declaration order."""
    paths = [paths] if isinstance(paths, (str, Path)) else paths
    claims: list[Claim] = []
    seen: dict[str, str] = {}
    for f in discover(paths):
        for c in load_file(f):
            if c.qualname in seen:
                raise DerivationFileError(str(f), f"claim {c.qualname} is also declared in {seen[c.qualname]}")
            seen[c.qualname] = str(f)
            claims.append(c)
    return claims


@dataclass(frozen=True)
class LoadFailure:
    """A derivation file that could not be loaded: one error row in a run that goes on."""

    file: str
    message: str         # what went wrong, with the file and line where it went wrong


def load_surviving(paths: list[str]) -> tuple[list[Claim], list[LoadFailure]]:
    """The claims of every file that loads, and one failure per file that does not (or that declares a
    name another file declared first). A missing path is still an error of the whole command."""
    claims: list[Claim] = []
    failures: list[LoadFailure] = []
    seen: dict[str, str] = {}
    for f in discover(paths):
        try:
            loaded = load_file(f)
            clash = next((c for c in loaded if c.qualname in seen), None)
            if clash is not None:
                raise DerivationFileError(str(f), f"claim {clash.qualname} is also declared in {seen[clash.qualname]}")
        except DerivationFileError as err:
            failures.append(LoadFailure(str(f), str(err)))
            continue
        for c in loaded:
            seen[c.qualname] = str(f)
        claims += loaded
    return claims, failures


def select(claims: list[Claim], pattern: str | None) -> list[Claim]:
    """-k: a glob over dotted names (`sdnc.*cosine*`), else an exact name: a claim's dotted name, its own
    name, or its module (`-k sdnc` is the sdnc file's claims, not every `*_is_sdnc_*`)."""
    if not pattern:
        return claims
    if any(ch in pattern for ch in "*?["):
        return [c for c in claims if fnmatch.fnmatchcase(c.qualname, pattern)]
    return [c for c in claims if pattern in (c.qualname, c.name, c.module)]
