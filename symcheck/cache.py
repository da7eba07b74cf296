"""A proof cache: a decided claim is not re-checked while nothing that decides it has changed.

A result is stored under a key that digests everything its verdict is a function of: the text of
the claim's derivation file, the source of every symcheck module (rules, semantics, falsifier), the
configuration (seed, budgets) and the claim's name and expected verdict. symcheck is deterministic
given these (the falsifier's randomness is seeded), so an exact key match is the same computation,
and re-using its outcome is as sound as running it again. Only `proved` and `refuted` are stored:
`undecided` may depend on the wall-clock budget and `error` should be seen. Not covered: a derivation
file that imports the user's own other modules, whose edits the key does not see; run `--no-cache`
(or clear the directory) after changing such a module.

An entry is two files (`portable.Packed`): `<key>.summary`, which a re-check reads, and `<key>.proof`,
which only `show`, `render` and certificates read. The proof is written first and the summary last,
each atomically, so a summary on disk means a complete entry.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from functools import lru_cache
from pathlib import Path

from .claim import Claim
from .config import Config
from .portable import Packed, Stale, pack, unpack
from .result import Result

__all__ = ["ProofCache", "DEFAULT_DIR"]

DEFAULT_DIR = os.environ.get("SYMCHECK_CACHE_DIR") or ".symcheck_cache"
STORED = ("proved", "refuted")


@lru_cache(maxsize=1)
def _code_digest() -> str:
    """sha256 over symcheck's own sources and templates: any change to the prover invalidates the cache."""
    root = Path(__file__).resolve().parent
    h = hashlib.sha256()                           # __init__.py, with the version, is among the sources
    for f in sorted(root.rglob("*.py")):
        h.update(str(f.relative_to(root)).encode() + b"\0" + f.read_bytes())
    return h.hexdigest()


def _file_digest(path: str) -> str:           # read each time: an edited file must change the key
    return hashlib.sha256(Path(path).read_bytes()).hexdigest() if path and Path(path).is_file() else "no file"


class ProofCache:
    """Results by key in one directory."""

    def __init__(self, directory: str | Path = DEFAULT_DIR):
        self.dir = Path(directory)

    def key(self, claim: Claim, config: Config) -> str:
        parts = (_code_digest(), _file_digest(claim.file), claim.qualname, claim.expect, repr(config.as_dict()))
        return hashlib.sha256("\0".join(parts).encode()).hexdigest()

    def get(self, claim: Claim, config: Config, proof: bool = True) -> Result | None:
        """The stored result of `claim`, or None; without its proof unless `proof`."""
        base = self.dir / self.key(claim, config)
        try:
            summary = base.with_suffix(".summary").read_bytes()
            stored = base.with_suffix(".proof").read_bytes() if proof else None
            return unpack(Packed(summary, stored or None), claim, proof=proof)
        except (OSError, Stale):
            return None

    def put(self, result: Result, config: Config, packed: Packed | None = None) -> None:
        """Store a decided result (`packed`, if the caller has already packed it)."""
        if result.verdict not in STORED:
            return
        try:
            packed = packed or pack(result)
        except (pickle.PicklingError, TypeError, AttributeError):
            return                                  # something in it cannot travel: it is re-checked next time
        self.dir.mkdir(parents=True, exist_ok=True)
        base = self.dir / self.key(result.claim, config)
        self._write(base.with_suffix(".proof"), packed.proof or b"")
        self._write(base.with_suffix(".summary"), packed.summary)

    @staticmethod
    def _write(path: Path, data: bytes) -> None:
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
