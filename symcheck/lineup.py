"""Lining sums up: a second phase for two normal forms that differ only in how their sums are indexed.

The normalizer keeps each sum's range as its rules leave it, so a read through a slot map
σ(s) = T + 1 − s ends as Σ_{n=T−t+1}^{T} f(T + 1 − n) while attention ends as Σ_{j=1}^{t} f(j):
one sum, two indexings. This phase moves every sum to start at 1 (`sum-shift`), reverses a sum
whose index enters the entries it subscripts mostly with coefficient −1 (`sum-reverse`), both
bijections of the range, and normalizes again. It runs only when the normal forms differ, so a
proof that does not need it keeps its trace.
"""

from __future__ import annotations

import sympy as sp

from .affine import affine
from .context import Context
from .index import Sigma
from .normalize import Normalizer
from .proof import Derivation
from .rules.reindex import reversing, shifting

__all__ = ["line_up"]


def _mostly_descending(s: Sigma) -> bool:
    """More subscripts of input entries in which the index has a negative coefficient than a positive one:
    reversing the sum flips every sign, so it does not apply twice."""
    signs = []
    for entry in s.body.atoms(sp.Indexed):
        for i in entry.indices:
            form = affine(i) if s.var in i.free_symbols else None
            c = dict(form[0]).get(s.var.name) if form is not None else None
            if c:
                signs.append(c > 0)
    return signs.count(False) > signs.count(True)


LINE_UP = (shifting(lambda s: 1 - s.lo), reversing(_mostly_descending))


def line_up(norm: Normalizer, d: Derivation, ctx: Context) -> Derivation:
    """`d` continued: its normal form with every sum lined up, normalized again (one budget with `norm`)."""
    lined = Normalizer(LINE_UP, budget=norm.budget, obligations=norm.obligations).derive(d.result, ctx)
    if lined.result == d.result:
        return d
    again = norm.derive(lined.result, ctx)
    return Derivation(d.start, d.steps + lined.steps + again.steps)
