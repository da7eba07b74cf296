"""A proof cache: a decided claim is not re-checked while nothing that decides it has changed.

A result is stored under a key that digests everything its verdict is a function of: the text of
the claim's derivation file as the loader ran it, the source of every symcheck module (rules, semantics, falsifier), the
configuration (seed, budgets) and the claim's name and expected verdict. symcheck is deterministic
given these (the falsifier's randomness is seeded), so an exact key match is the same computation,
and re-using its outcome is as sound as running it again. Only `proved` and `refuted` are stored:
`undecided` may depend on the wall-clock budget and `error` should be seen. Not covered: a derivation
file that imports the user's own other modules, whose edits the key does not see; run `--no-cache`
(or clear the directory) after changing such a module. A claim not loaded from a file (built in
Python) is never cached: its text is known to no one.

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


class ProofCache:
    """Results by key in one directory."""

    def __init__(self, directory: str | Path = DEFAULT_DIR):
        self.dir = Path(directory)

    def key(self, claim: Claim, config: Config) -> str | None:
        """None for a claim the loader did not read from a file: nothing then tells two claims of one name apart.
        The file's digest is the loader's, of the text it ran: the file read again when the result is stored
        may have been edited since, and its key would then name the old claim's result."""
        if not claim.source_digest:
            return None
        parts = (_code_digest(), claim.source_digest, claim.qualname, claim.expect, repr(config.as_dict()))
        return hashlib.sha256("\0".join(parts).encode()).hexdigest()

    def get(self, claim: Claim, config: Config, proof: bool = True) -> Result | None:
        """The stored result of `claim`, or None; without its proof unless `proof`."""
        key = self.key(claim, config)
        if key is None:
            return None
        base = self.dir / key
        try:
            summary = base.with_suffix(".summary").read_bytes()
            stored = base.with_suffix(".proof").read_bytes() if proof else None
            return unpack(Packed(summary, stored or None), claim, proof=proof)
        except (OSError, Stale):
            return None

    def put(self, result: Result, config: Config, packed: Packed | None = None) -> None:
        """Store a decided result (`packed`, if the caller has already packed it)."""
        key = self.key(result.claim, config)
        if result.verdict not in STORED or key is None:
            return
        try:
            packed = packed or pack(result)
        except (pickle.PicklingError, TypeError, AttributeError):
            return                                  # something in it cannot travel: it is re-checked next time
        self.dir.mkdir(parents=True, exist_ok=True)
        base = self.dir / key
        self._write(base.with_suffix(".proof"), packed.proof or b"")
        self._write(base.with_suffix(".summary"), packed.summary)

    @staticmethod
    def _write(path: Path, data: bytes) -> None:
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
