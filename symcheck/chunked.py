"""Chunkwise forms: the chunk of a position, as a chunked kernel computes it.

A chunkwise form splits the T = N·C positions into N chunks of C. Position t lies in chunk
floor((t − 1)/C) + 1, after the C·floor((t − 1)/C) positions of the earlier chunks. A claim
with `chunk_size=C` is compared at t = (c − 1)·C + i, where the rule `floor-quotient` turns
these back into c and (c − 1)·C.
"""

from __future__ import annotations

import sympy as sp

__all__ = ["chunk_of", "chunk_start"]


def chunk_of(t, size) -> sp.Expr:
    """The chunk (1, 2, ...) of position t for chunks of `size` positions."""
    return sp.floor((sp.sympify(t) - 1) / size) + 1


def chunk_start(t, size) -> sp.Expr:
    """How many positions precede t's chunk: (chunk_of(t) − 1)·size."""
    return size * sp.floor((sp.sympify(t) - 1) / size)
