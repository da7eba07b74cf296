"""Checking a library: claims in declaration order, from a cache, in parallel processes.

`check_all` is what `symcheck check`, `render` and the Python API share. Parallel runs fork worker
processes that inherit the loaded claims (a claim holds closures, which do not pickle); each worker
checks a claim under its own budget, stores it in the cache, and sends it back packed without its
claim (`portable`), which the parent re-attaches. The results come back in declaration order, so a
run with `jobs=4` prints and writes exactly what `jobs=1` does.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
from dataclasses import dataclass
from typing import Callable, Iterator

from .cache import ProofCache
from .claim import Claim
from .config import Config
from .engine import check
from .ir import Applied, Stack
from .portable import Packed, Stale, pack, unpack
from .result import Result

__all__ = ["check_all", "default_jobs"]


@dataclass(frozen=True)
class _Job:
    """What forked workers inherit, and what the parent needs back."""

    claims: list[Claim]
    config: Config
    cache: ProofCache | None
    proofs: bool


_JOB = _Job([], Config(), None, True)


def default_jobs() -> int:
    return os.cpu_count() or 1


def _checked(claim: Claim, job: _Job) -> Result:
    result = check(claim, job.config)
    if job.cache is not None:
        job.cache.put(result, job.config)
    return result


def _work(i: int) -> tuple[int, Packed | None]:
    result = check(_JOB.claims[i], _JOB.config)
    try:
        packed = pack(result)
    except (pickle.PicklingError, TypeError, AttributeError):
        return i, None              # cannot travel: the parent checks this claim itself
    if _JOB.cache is not None:
        _JOB.cache.put(result, _JOB.config, packed)
    return i, packed if _JOB.proofs else Packed(packed.summary, None)


def _longest_first(claims: list[Claim]) -> list[int]:
    """Claims proved by composition (layers, stacks) take most of a library's time: started first, they
    do not leave one worker finishing alone at the end."""
    composite = lambda c: bool(c.via) or isinstance(c.lhs, (Applied, Stack)) or isinstance(c.rhs, (Applied, Stack))
    return sorted(range(len(claims)), key=lambda i: not composite(claims[i]))


def _received(claim: Claim, packed: Packed | None, job: _Job) -> Result:
    if packed is not None:
        try:
            return unpack(packed, claim, proof=job.proofs)
        except Stale:
            pass
    return _checked(claim, job)


def _results(job: _Job, jobs: int) -> Iterator[Result]:
    if jobs <= 1 or len(job.claims) <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        yield from (_checked(claim, job) for claim in job.claims)
        return
    global _JOB
    _JOB = job
    done, ready = {}, 0
    with multiprocessing.get_context("fork").Pool(min(jobs, len(job.claims))) as pool:
        for i, packed in pool.imap_unordered(_work, _longest_first(job.claims), chunksize=1):
            done[i] = packed
            while ready in done:                    # in declaration order, each as soon as it can be
                yield _received(job.claims[ready], done.pop(ready), job)
                ready += 1


def check_all(claims: list[Claim], config: Config = Config(), jobs: int = 1, cache: ProofCache | None = None,
              on_result: Callable[[Result, bool], None] | None = None, proofs: bool = True) -> list[Result]:
    """Every claim's result, in order; `on_result(result, from_cache)` as each one is ready. With
    `proofs=False` a result from the cache or a worker comes without its proof (`proof` is None):
    reading proofs back is most of a re-check's time, and printing verdicts does not need them."""
    cached = {i: r for i, c in enumerate(claims)
              if cache is not None and (r := cache.get(c, config, proof=proofs)) is not None}
    fresh = _results(_Job([c for i, c in enumerate(claims) if i not in cached], config, cache, proofs), jobs)
    out = []
    for i in range(len(claims)):
        hit = i in cached
        r = cached[i] if hit else next(fresh)
        if on_result is not None:
            on_result(r, hit)
        out.append(r)
    return out
