"""Budgets: rewrite steps and time, and time limits that hold inside long sympy operations.

The normalizer checks its deadline between rewrite steps, but one step (a large
expansion, a sympy constructor on a huge tree) can run far past it. In the main
thread an interval timer interrupts the proof attempt wherever it is, so a
`--max-seconds` budget is a bound, not a hope; elsewhere (a worker thread) the
cooperative checks are all there is. Only the outermost proof attempt arms the
timer: a lemma's check runs inside its claim's attempt and inherits its bound.
"""

from __future__ import annotations

import signal
import sys
import threading
import time
from contextlib import contextmanager

__all__ = ["BudgetExceeded", "StepBudget", "interrupt_at"]


class BudgetExceeded(Exception):
    """The step or time budget ran out: the verdict is `undecided`, never a guess."""


class StepBudget:
    """Rewrite steps and a deadline, spent by a normalization and by the obligations it discharges
    (they share one budget, so a proof's induction cannot outspend the proof)."""

    def __init__(self, max_steps: int, deadline: float | None = None):
        self.max_steps = max_steps
        self.deadline = deadline
        self.steps_taken = 0

    def spend(self) -> None:
        """Count one step; raise `BudgetExceeded` past the step limit or the deadline."""
        self.steps_taken += 1
        if self.steps_taken > self.max_steps:
            raise BudgetExceeded(f"step budget of {self.max_steps} rewrite steps exhausted")
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise BudgetExceeded("time budget exhausted during normalization")


_armed = threading.Event()
REPEAT = 0.05        # seconds between alarms once the deadline has passed


@contextmanager
def interrupt_at(deadline: float):
    """Raise `BudgetExceeded` in this block once `time.monotonic()` passes `deadline`."""
    usable = threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer")
    if not usable or _armed.is_set():
        yield
        return

    def fire(signum, frame):
        if _armed.is_set():
            raise BudgetExceeded("time budget exhausted inside a rewrite step")

    def unraisable(info, forward=sys.unraisablehook):
        if not isinstance(info.exc_value, BudgetExceeded):     # lost on purpose: the alarm fires again
            forward(info)

    previous = signal.signal(signal.SIGALRM, fire)
    previous_hook, sys.unraisablehook = sys.unraisablehook, unraisable
    _armed.set()
    # it fires again every REPEAT seconds until the block ends: an exception raised inside a callback
    # whose exceptions are ignored (a garbage-collection hook, a __del__) would otherwise be the only one
    signal.setitimer(signal.ITIMER_REAL, max(deadline - time.monotonic(), 0.001), REPEAT)
    try:
        yield
    finally:
        _armed.clear()
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        sys.unraisablehook = previous_hook
