"""Array operations on evaluation grids that keep a value exactly and save the grid: a gather along the
grid's axes as a view, and a large sum of products contracted factor by factor.

Why: evaluated one time step at a time, an sDNC read is Σ_n C[n] M[n, b] for every step; fancy
indexing copies the memory and the product forms an N × d grid per step, where a view and an
einsum do neither.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["as_view", "contracted", "CONTRACT_FROM"]

CONTRACT_FROM = 1 << 16   # grid points from which a sum of products is contracted factor by factor


def as_view(table, index_arrays, lows):
    """The gather as a view of `table`, or None: when every index is a constant or a run of consecutive values
    along a grid axis of its own, all inside the table (the common case: an input or a state read along the
    grid's axes), slicing replaces fancy indexing and the zero-padding mask."""
    if not index_arrays or len(index_arrays) != table.ndim:
        return None
    picks, placed = [], []
    for a, lo, n in zip(index_arrays, lows, table.shape):
        axes = [k for k, m in enumerate(a.shape) if m > 1]
        first = int(a.flat[0]) - lo if a.size else -1
        if len(axes) > 1 or first < 0 or first + a.size > n:
            return None
        if not axes:
            picks.append(first)
            continue
        if not np.array_equal(a.ravel(), np.arange(first + lo, first + lo + a.size)):
            return None
        picks.append(slice(first, first + a.size))
        placed.append(axes[0])
    if len(set(placed)) < len(placed):
        return None
    out = table[(*picks, ...)].transpose(np.argsort(placed))     # `...`: an array even when every index is fixed
    shape = [1] * max(a.ndim for a in index_arrays)
    for ax, n in zip(sorted(placed), out.shape):
        shape[ax] = n
    return out.reshape(shape)


def contracted(factors: list, axes: tuple[int, ...]):
    """The sum over `axes` of the float64 factors' product without forming the product on the whole grid
    (an einsum over the axes each factor has), or None where that could change a value: with a factor that
    is not finite (the strong zero would matter), or on a small grid (its rounding is kept)."""
    shape = np.broadcast_shapes(*(f.shape for f in factors))
    if math.prod(shape) < CONTRACT_FROM or not all(_finite(f) for f in factors):
        return None
    label = {k: n for n, k in enumerate(k for k, m in enumerate(shape) if m > 1)}
    operands = []
    for f in factors:
        own = [k for k, m in enumerate(f.shape) if m > 1]
        operands += [np.reshape(f, [f.shape[k] for k in own]), [label[k] for k in own]]
    kept = [k for k in label if k not in axes]
    out = np.einsum(*operands, [label[k] for k in kept], optimize=True)
    return np.reshape(out, [shape[k] if k in kept else 1 for k in range(len(shape))])


def _finite(f: np.ndarray) -> bool:
    """Is every entry finite? A finite sum proves it in one pass without a temporary (an inf or a nan entry makes
    the sum inf or nan); only a sum that is not finite needs the entries looked at."""
    with np.errstate(all="ignore"):
        if math.isfinite(np.sum(f)):
            return True
    return bool(np.isfinite(f).all())
