"""Replaying a set of certificates, in this process or in forked workers (`symcheck replay -j`).

The checker itself (`replay.py` and its modules) knows one certificate at a time; this module only
schedules them. Workers are forked so they inherit the claims re-posed from `--against`; the
largest certificates start first (the slowest to replay), and the lines come out in file order,
each certificate's progress lines with it, so the output does not depend on the number of jobs.
"""

from __future__ import annotations

import multiprocessing
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

__all__ = ["Outcome", "replay_files"]


@dataclass(frozen=True)
class Outcome:
    """What replaying one file printed, and whether it was valid."""
    lines: tuple[str, ...]
    valid: bool


@dataclass(frozen=True)
class _Job:
    """What forked workers inherit."""
    files: tuple[Path, ...]
    seed: int
    belongs: Callable[[dict], None] | None      # raises Rejected when the certificate is not of the posed claim


_JOB: _Job | None = None


def _replay_one(job: _Job, k: int, live: Callable[[str], None] | None = None) -> Outcome:
    from .replay import Rejected, load_certificate, replay
    lines: list[str] = []

    def say(line: str) -> None:
        lines.append(line)
        if live:
            live(line)
    try:
        cert = load_certificate(str(job.files[k]))
        if job.belongs is not None:
            job.belongs(cert)
        v = replay(cert, job.seed, progress=lambda line: say(f"  ... {line}"))
        say(f"valid     {v.name}  ({v.describe()})")
        return Outcome(tuple(lines), True)
    except Rejected as err:
        say(f"REJECTED  {job.files[k]}: {err}")
        return Outcome(tuple(lines), False)


def _work(k: int) -> tuple[int, Outcome]:
    assert _JOB is not None
    return k, _replay_one(_JOB, k)


def _size(path: Path) -> int:
    """A file's size, for the schedule only: one that cannot be read (a dangling link) goes last, and its
    replay says why, as with one job (stat raised in the parent: an internal error with -j 2 only)."""
    try:
        return path.stat().st_size
    except OSError:
        return 0


def replay_files(files: list[Path], seed: int, belongs: Callable[[dict], None] | None, emit: Callable[[str], None],
                 jobs: int = 1) -> Iterator[bool]:
    """Whether each file is valid, in file order, after `emit` has been given its lines (as they come,
    with one job; a certificate's lines at once, in file order, with several)."""
    job = _Job(tuple(files), seed, belongs)
    if jobs <= 1 or len(files) <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        for k in range(len(files)):
            yield _replay_one(job, k, emit).valid
        return
    global _JOB
    _JOB = job
    largest_first = sorted(range(len(files)), key=lambda k: -_size(files[k]))
    waiting: dict[int, Outcome] = {}
    ready = 0
    try:
        with multiprocessing.get_context("fork").Pool(min(jobs, len(files))) as pool:
            for k, outcome in pool.imap_unordered(_work, largest_first, chunksize=1):
                waiting[k] = outcome
                while ready in waiting:
                    done = waiting.pop(ready)
                    for line in done.lines:
                        emit(line)
                    yield done.valid
                    ready += 1
    finally:
        _JOB = None
