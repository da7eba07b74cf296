"""The checker's reading of a certificate's scalars: each declared interval, and values drawn inside it.

A scalar's interval is a hypothesis of the claim (`symcheck.scalars`): the checker builds it from the
claim's inputs by the whitelist, binds every `ScalarInput` an expression reads to it, and draws the
scalar only inside it, so a step that relies on the range (`relu-scale`) is checked where it holds.
"""

from __future__ import annotations

import random

import mpmath
import sympy as sp

from .matrix import ScalarInput
from .replay_parse import Rejected, parse, scalar_input

__all__ = ["declared_scalar", "inside", "value_inside"]


def declared_scalar(name, interval) -> ScalarInput:
    """A scalar input's declared interval [left, lo, hi, right] (ends open, closed or none; bounds as srepr text)."""
    if not (isinstance(interval, list) and len(interval) == 4 and all(isinstance(x, str) for x in interval)):
        raise Rejected("malformed certificate: a scalar's interval is [left, lo, hi, right]")
    left, lo, hi, right = interval
    return scalar_input(name, (1,), (parse(lo), parse(hi)), left, right)


def inside(s: ScalarInput, x) -> bool:
    """x in the scalar's interval, by the checker's own reading of its ends."""
    (lo, hi), ends = s.args[2], (s.left, s.right)
    above = ends[0] == "none" or (x > lo if ends[0] == "open" else x >= lo)
    return bool(above and (ends[1] == "none" or (x < hi if ends[1] == "open" else x <= hi)))


def value_inside(s: ScalarInput, rng: random.Random):
    """A value of the scalar inside its interval: a quarter in -2..2 there, else a point inside it."""
    quarters = [mpmath.mpf(k) / 4 for k in range(-8, 9) if inside(s, sp.Rational(k, 4))]
    if quarters:
        return rng.choice(quarters)
    lo, hi = (None if side == "none" else mpmath.mpf(b.p) / b.q for side, b in zip((s.left, s.right), s.args[2]))
    return (lo + hi) / 2 if lo is not None and hi is not None else lo + 1 if lo is not None else hi - 1
