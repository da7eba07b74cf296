"""Integer division of indices: the chunk of a position.

A chunkwise form finds the chunk of position t as floor((t − 1)/C) + 1. At t = (c − 1)·C + i with
1 <= i <= C this is c: `floor-quotient` is the one fact about floor that makes it so.
"""

from __future__ import annotations

import sympy as sp

from ..context import Context, quotient_split
from .base import Le, RuleSet, rule

__all__ = ["INTEGERS"]


def _requires(r: sp.floor, c, ctx) -> tuple:
    split = quotient_split(r)
    return () if split is None else (Le(0, split[1]), Le(split[1], split[2] - 1))


@rule("floor-quotient", r"\left\lfloor \frac{C q + r}{C} \right\rfloor = q \quad (0 \le r \le C - 1)", sp.floor,
      side_conditions="C a positive integer, q integer-valued, 0 <= r <= C - 1 provable",
      requires=_requires)
def floor_quotient(expr: sp.floor, ctx: Context):
    """Sound when C >= 1, q is an integer and 0 <= r <= C − 1: (Cq + r)/C = q + r/C with 0 <= r/C < 1,
    so the floor is q. With r = C (the last position of a chunk read one too far) it is q + 1."""
    split = quotient_split(expr)
    if split is None or not all(cond.holds(ctx) for cond in _requires(expr, None, ctx)):
        return expr
    return split[0]


INTEGERS = RuleSet("integers", (floor_quotient,))
