"""A state sequence S_0, S_1, ..., S_last run step by step, keeping O(state) memory.

Why: the numeric semantics of a memory or a recurrence needs the states only at the times
its reads ask for. Keeping every state costs (steps+1) × state, cubic for a write-once
memory (T × N × d): T = 512 asked for 64 GiB. A stream keeps the current state and, within
a budget, copies of the states it passed (checkpoints), so small instances read any time
without re-running, and large ones run once per pass in time order. A read at an earlier
time than the current one restarts from the latest checkpoint before it: correct always,
slow only for expressions that read one large state at many interleaved times.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

__all__ = ["Stream", "SAVE_LIMIT"]

SAVE_LIMIT = 4_000_000     # state entries a stream may keep as checkpoints (as an evaluation grid may span)


class Stream:
    """S_0 = start(), S_s = step(S_{s-1}, s) for s = 1..last. `step` may update its argument in place if
    `changes(s)` says where (an index into the state) the steps after time s may write: a checkpoint is then
    a copy, and a read that is a view into that part is copied (a write-once memory's reads of the slots
    written so far stay views)."""

    def __init__(self, start: Callable[[], np.ndarray], step: Callable[[np.ndarray, int], np.ndarray], last: int,
                 *, changes: Callable[[int], object] | None = None):
        self._start, self._step, self.last, self._changes = start, step, last, changes
        self.in_place = changes is not None
        self._saved: dict[int, np.ndarray] = {}
        self._kept = 0
        self._recent: dict[int, np.ndarray] = {}     # the states a read at many times passed, from its first time on
        self.time, self.state = 0, start()
        self._save()

    def _save(self) -> None:
        if self.time not in self._saved and self._kept + self.state.size <= SAVE_LIMIT:
            self._saved[self.time] = self.state.copy() if self.in_place else self.state
            self._kept += self.state.size

    def at(self, time: int) -> np.ndarray:
        """S_time, `time` clamped to 0..last (no step happens before 1 or after the last); not to be
        modified, and valid only until the next call unless it is a checkpoint."""
        time = min(max(time, 0), self.last)
        if time in self._saved:
            return self._saved[time]
        if time < self.time:
            back = max((s for s in self._saved if s <= time), default=None)
            if back is None:
                self.time, self.state = 0, self._start()
            else:
                self.time = back
                self.state = self._saved[back].copy() if self.in_place else self._saved[back]
        while self.time < time:
            self.time += 1
            self.state = self._step(self.state, self.time)
            self._save()
        return self.state

    def read(self, times: np.ndarray, indices: list[np.ndarray], entries: Callable, zero) -> np.ndarray:
        """entries(S_s, indices) at every point of the grid that `times` and `indices` span, s being the
        point's time: one call per distinct time, in increasing order, on the points at that time (as
        flat arrays); with a single time, one call on the whole grid."""
        times = np.clip(times, 0, self.last)
        if times.size == 1:
            values = entries(self.at(int(times.flat[0])), indices)
            kept = self.in_place and np.may_share_memory(values, self.state[self._changes(self.time)])
            return values.copy() if kept else values
        shape = np.broadcast_shapes(times.shape, *(a.shape for a in indices))
        flat_times = np.broadcast_to(times, shape).ravel()
        flat = [np.broadcast_to(a, shape).ravel() for a in indices]
        order = np.argsort(flat_times, kind="stable")
        ordered = flat_times[order]
        starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]]) if ordered.size else ordered
        out = np.full(ordered.size, zero, dtype=np.asarray(zero).dtype)
        first = int(ordered[0]) if ordered.size else 0
        self._recent = {s: state for s, state in self._recent.items() if s >= first}
        for lo, hi in zip(starts, [*starts[1:], ordered.size]):
            points = order[lo:hi]
            out[points] = entries(self._passed(int(ordered[lo])), [a[points] for a in flat])
        return out.reshape(shape)

    def _passed(self, time: int) -> np.ndarray:
        """S_time for a read at many times, kept until a read starts later: the reads of one block of steps (a
        state read by several terms) run the steps once, not once per term from the last checkpoint."""
        if time not in self._recent:
            state = self.at(time)
            self._recent[time] = state.copy() if self.in_place and time not in self._saved else state
        return self._recent[time]
