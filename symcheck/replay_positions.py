"""The free indices of a flat certificate's two sides, and their ranges, by the checker's own reading.

A claim compares entry (row, col) for every 1 <= row <= rows, 1 <= col <= cols; or, posed chunk by chunk,
entry ((chunk − 1)·size + offset, col) for every 1 <= chunk <= count, 1 <= offset <= size. Division with
remainder makes the second a one-to-one map onto the rows exactly when rows = count·size and both are
>= 1, which is checked here: a polynomial identity, and the claim's own domain.
"""

from __future__ import annotations

from typing import Callable

import sympy as sp

from .replay_entail import proves
from .replay_parse import Rejected

__all__ = ["positions"]

Range = tuple[sp.Symbol, sp.Basic, sp.Basic]


def _need(ok: bool, why: str) -> None:
    if not ok:
        raise Rejected(why)


def positions(chunks, parse: Callable, sizes: list, domain: tuple, row: tuple, col: tuple) -> list[Range]:
    """[(index, 1, upper bound)] for the sides' free indices; `row` and `col` are (symbol, extent)."""
    (r, rows), (c, cols) = row, col
    if chunks is None:
        return [(r, sp.S.One, rows), (c, sp.S.One, cols)]
    _need(isinstance(chunks, dict) and set(chunks) == {"chunk", "offset", "size", "count"},
          "chunks must give chunk, offset, size and count")
    chunk, offset, size, count = (parse(chunks[k]) for k in ("chunk", "offset", "size", "count"))
    _need(all(isinstance(v, sp.Symbol) and v.is_integer and v not in sizes for v in (chunk, offset))
          and len({chunk, offset, r, c}) == 4, "the chunk and the offset must be two new integer indices")
    _need(size.free_symbols <= set(sizes) and count.free_symbols <= set(sizes),
          "the chunk size and count must be expressions of the sizes")
    _need(sp.expand(count * size - rows) == 0, "the rows are not the chunk count times the chunk size")
    _need(proves(domain, sp.Le(1, size)) and proves(domain, sp.Le(1, count)),
          "the chunk size and count are not provably >= 1")
    return [(chunk, sp.S.One, count), (offset, sp.S.One, size), (c, sp.S.One, cols)]
