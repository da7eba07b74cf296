"""Rarer garbage collections while a proof is searched for.

Normalization allocates millions of short-lived sympy nodes and keeps hundreds of thousands
in its memos. CPython's collector then runs full collections that walk every live object
(on the inlined pre-LN decoder layer: 10 of them, 2.5 s of a 14.6 s proof) although the
trees hold no reference cycles to free: reference counting frees them. A larger youngest
generation makes the older collections rare; cycles are still collected, later.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator

__all__ = ["rare_collections"]

YOUNG = 20_000      # allocations between collections of the youngest generation (CPython's default: 700)


@contextmanager
def rare_collections(young: int = YOUNG) -> Iterator[None]:
    """Within the block, collect the youngest generation every `young` allocations (never more often than
    it is already); the thresholds as they were afterwards."""
    before = gc.get_threshold()
    gc.set_threshold(max(young, before[0]), *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)
