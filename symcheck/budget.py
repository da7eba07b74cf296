"""Time budgets that hold inside long sympy operations.

The normalizer checks its deadline between rewrite steps, but one step (a large
expansion, a sympy constructor on a huge tree) can run far past it. In the main
thread an interval timer interrupts the proof attempt wherever it is, so a
`--max-seconds` budget is a bound, not a hope; elsewhere (a worker thread) the
cooperative checks are all there is. Only the outermost proof attempt arms the
timer: a lemma's check runs inside its claim's attempt and inherits its bound.
"""

from __future__ import annotations

import signal
import threading
import time
from contextlib import contextmanager

__all__ = ["BudgetExceeded", "interrupt_at"]


class BudgetExceeded(Exception):
    """The step or time budget ran out: the verdict is `undecided`, never a guess."""


_armed = threading.Event()


@contextmanager
def interrupt_at(deadline: float):
    """Raise `BudgetExceeded` in this block once `time.monotonic()` passes `deadline`."""
    usable = threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer")
    if not usable or _armed.is_set():
        yield
        return

    def fire(signum, frame):
        if _armed.is_set():
            _armed.clear()
            raise BudgetExceeded("time budget exhausted inside a rewrite step")

    previous = signal.signal(signal.SIGALRM, fire)
    _armed.set()
    signal.setitimer(signal.ITIMER_REAL, max(deadline - time.monotonic(), 0.001))
    try:
        yield
    finally:
        _armed.clear()
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
