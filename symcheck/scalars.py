"""Named real scalars with a range: `gamma = scalar("gamma", interval=(0, 1))`.

A scalar is an input like a matrix (the falsifier draws it, a counterexample shows its value),
of one entry, usable wherever a number is: in an entry function, a score bias, a recurrence's
gate. Its interval is a *hypothesis* of every claim that reads it: the falsifier draws it inside
the interval only, and the normalizer's context knows it, so a rule whose side condition needs
gamma >= 0 (`relu-scale`) may fire. A claim true only inside the interval is proved with it and
refuted without it.
"""

from __future__ import annotations

import math
import re

import numpy as np
import sympy as sp

from .errors import ClaimError
from .index import Element
from .matrix import ScalarInput

__all__ = ["scalar", "scalar_of", "draw", "small_values", "proves_nonneg"]

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def scalar(name: str, interval=None) -> sp.Expr:
    """A real scalar input named `name`. `interval=(lo, hi)` is the open interval lo < x < hi (None for
    no bound on that side); a sympy `Interval` keeps its own ends open or closed (`Interval(0, 1)` is
    0 <= x <= 1, `Interval.Ropen(0, 1)` is 0 <= x < 1). The bounds are rational numbers."""
    if not isinstance(name, str) or not _NAME.match(name):
        raise ClaimError(f"a scalar's name must be an identifier, got {name!r}", field="scalar")
    if interval is None:
        ends = (None, None, "none", "none")
    elif isinstance(interval, sp.Interval):
        ends = (interval.start, interval.end, "open" if interval.left_open else "closed",
                "open" if interval.right_open else "closed")
    elif isinstance(interval, tuple) and len(interval) == 2:
        ends = (*interval, "open", "open")
    else:
        raise ClaimError(f"scalar {name}: interval= is a pair (lo, hi) or a sympy Interval, got {interval!r}",
                         field="interval")
    lo, hi, left, right = ends
    lo, left = _bound(name, lo, left, -sp.oo)
    hi, right = _bound(name, hi, right, sp.oo)
    if left != "none" and right != "none" and not lo < hi:
        raise ClaimError(f"scalar {name}: the interval ({lo}, {hi}) is empty or a single point", field="interval")
    return Element(ScalarInput(name, (1,), (lo, hi), left, right), 1)


def _bound(name: str, value, side: str, infinite) -> tuple[sp.Expr, str]:
    """(bound, side) for one end: an unbounded end is (0, "none")."""
    if value is None or value == infinite:
        return sp.S.Zero, "none"
    # a float is the decimal it prints as (0.1 is 1/10), never rounded further: nsimplify made -1e-300 into 0,
    # an interval (-1e-300, 1) into (0, 1), where relu-scale may fire
    v = sp.Rational(repr(value)) if isinstance(value, float) and math.isfinite(value) else sp.sympify(value)
    if not v.is_Rational:
        raise ClaimError(f"scalar {name}: a bound must be a rational number, got {value!r}", field="interval")
    return v, side


def scalar_of(e: sp.Basic) -> ScalarInput | None:
    """The scalar a subterm reads, if it is one."""
    return e.tensor if isinstance(e, Element) and isinstance(e.tensor, ScalarInput) else None


def small_values(s: ScalarInput) -> list[float]:
    """Readable values in the interval: its integers in -2..2, else its quarters there, else a point inside."""
    quarters = [k / 4 for k in range(-8, 9) if s.contains(sp.Rational(k, 4))]
    whole = [x for x in quarters if x == int(x)]
    if whole or quarters:
        return whole or quarters
    lo, hi = (None if b is None else float(b) for b in (s.lo, s.hi))
    return [(lo + hi) / 2 if lo is not None and hi is not None else lo + 1 if lo is not None else hi - 1]


def draw(s: ScalarInput, rng: np.random.Generator, small: bool = False) -> float:
    """A value in the interval: uniform between two bounds, an exponential step from one, normal
    without any; `small` picks one of `small_values`."""
    if small:
        return float(rng.choice(small_values(s)))
    lo, hi = (None if b is None else float(b) for b in (s.lo, s.hi))
    if lo is not None and hi is not None:
        x = rng.uniform(lo, hi)
    elif lo is not None:
        x = lo + rng.exponential()
    elif hi is not None:
        x = hi - rng.exponential()
    else:
        x = rng.standard_normal()
    return x if s.contains(sp.Float(x)) else small_values(s)[0]


def proves_nonneg(e: sp.Expr, scalars: frozenset[ScalarInput]) -> bool:
    """Is `e` >= 0 for every value of the claim's scalars (`scalars`: the ones it declares)? A nonnegative
    number, or a scalar whose interval lies in [0, ∞)."""
    if e.is_Number:
        return bool(e >= 0)
    s = scalar_of(e)
    return s is not None and s in scalars and s.lo is not None and s.lo >= 0
