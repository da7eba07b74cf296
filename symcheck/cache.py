"""A proof cache: a decided claim is not re-checked while nothing that decides it has changed.

A result is stored under a key that digests everything its verdict is a function of: the text of
the claim's derivation file, the source of every symcheck module (rules, semantics, falsifier), the
configuration (seed, budgets) and the claim's name and expected verdict. symcheck is deterministic
given these (the falsifier's randomness is seeded), so an exact key match is the same computation,
and re-using its outcome is as sound as running it again. Only `proved` and `refuted` are stored:
`undecided` may depend on the wall-clock budget and `error` should be seen. Not covered: a derivation
file that imports the user's own other modules, whose edits the key does not see; run `--no-cache`
(or clear the directory) after changing such a module.
"""

from __future__ import annotations

import copyreg
import dataclasses
import hashlib
import os
import pickle
from functools import lru_cache
from pathlib import Path

import sympy as sp

from .claim import Claim
from .config import Config
from .result import Result

__all__ = ["ProofCache", "DEFAULT_DIR"]

def unevaluated_eq(lhs, rhs) -> sp.Basic:
    return sp.Eq(lhs, rhs, evaluate=False)


# An obligation's statement is Eq(..., evaluate=False); sympy's own pickling rebuilds it evaluated, so a
# result from the cache or a worker process would print `True` where a fresh one prints `0 = 0`.
copyreg.pickle(sp.Equality, lambda e: (unevaluated_eq, e.args))

DEFAULT_DIR = os.environ.get("SYMCHECK_CACHE_DIR", ".symcheck_cache")
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
    """Results by key in one directory, one pickle per claim (written atomically: a crash leaves no
    half-written entry)."""

    def __init__(self, directory: str | Path = DEFAULT_DIR):
        self.dir = Path(directory)

    def key(self, claim: Claim, config: Config) -> str:
        parts = (_code_digest(), _file_digest(claim.file), claim.qualname, claim.expect, repr(config.as_dict()))
        return hashlib.sha256("\0".join(parts).encode()).hexdigest()

    def get(self, claim: Claim, config: Config) -> Result | None:
        path = self.dir / f"{self.key(claim, config)}.pickle"
        try:
            stored = pickle.loads(path.read_bytes())
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
            return None
        return dataclasses.replace(stored, claim=claim) if isinstance(stored, Result) else None

    def put(self, result: Result, config: Config) -> None:
        if result.verdict not in STORED:
            return
        try:
            data = pickle.dumps(dataclasses.replace(result, claim=None))
        except (pickle.PicklingError, TypeError, AttributeError):
            return                                  # a proof that holds a closure (a composition) is not stored
        self.dir.mkdir(parents=True, exist_ok=True)
        path = self.dir / f"{self.key(result.claim, config)}.pickle"
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
