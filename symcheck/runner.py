"""Checking a library: claims in declaration order, from a cache, in parallel processes.

`check_all` is what `symcheck check`, `render` and the Python API share. Parallel runs fork worker
processes that inherit the loaded claims (a claim holds closures, which do not pickle); each worker
checks a claim under its own budget and sends the result back without the claim, which the parent
re-attaches. The results come back in declaration order, so a run with `jobs=4` prints and writes
exactly what `jobs=1` does.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
import pickle
from typing import Callable, Iterator

from .cache import ProofCache
from .claim import Claim
from .config import Config
from .engine import check
from .result import Result

__all__ = ["check_all", "default_jobs"]

_CLAIMS: list[Claim] = []          # what forked workers inherit
_CONFIG = Config()


def default_jobs() -> int:
    return os.cpu_count() or 1


def _work(i: int) -> bytes | None:
    result = check(_CLAIMS[i], _CONFIG)
    try:
        return pickle.dumps(dataclasses.replace(result, claim=None))
    except (pickle.PicklingError, TypeError, AttributeError):
        return None                 # a proof holding a closure: the parent checks this claim itself


def _results(claims: list[Claim], config: Config, jobs: int) -> Iterator[Result]:
    if jobs <= 1 or len(claims) <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        yield from (check(c, config) for c in claims)
        return
    global _CLAIMS, _CONFIG
    _CLAIMS, _CONFIG = claims, config
    with multiprocessing.get_context("fork").Pool(min(jobs, len(claims))) as pool:
        for claim, data in zip(claims, pool.imap(_work, range(len(claims)), chunksize=1)):
            yield check(claim, config) if data is None else dataclasses.replace(pickle.loads(data), claim=claim)


def check_all(claims: list[Claim], config: Config = Config(), jobs: int = 1, cache: ProofCache | None = None,
              on_result: Callable[[Result, bool], None] | None = None) -> list[Result]:
    """Every claim's result, in order; `on_result(result, from_cache)` as each one is ready."""
    cached = {i: r for i, c in enumerate(claims) if cache is not None and (r := cache.get(c, config)) is not None}
    todo = [c for i, c in enumerate(claims) if i not in cached]
    fresh = _results(todo, config, jobs)
    out = []
    for i, claim in enumerate(claims):
        hit = i in cached
        r = cached[i] if hit else next(fresh)
        if cache is not None and not hit:
            cache.put(r, config)
        if on_result is not None:
            on_result(r, hit)
        out.append(r)
    return out
