"""Re-indexing a sum: shifting and reversing its range. Not normalizing: both directions are as good,
so a scheme applies them on purpose (to line two sums up) rather than the normalizer everywhere.

Both are bijections of the index set, so they are sound for every range, empty included.
"""

from __future__ import annotations

from typing import Callable

import sympy as sp

from ..binders import fresh, subst, symbol_names
from ..context import Context
from ..index import Sigma
from .base import Rule, RuleSet, rule

__all__ = ["shift", "shifting", "reversing", "REINDEX"]


def _index_for(expr: Sigma, ctx: Context, outside: sp.Expr) -> sp.Symbol:
    """The sum's index, or a fresh one if `outside` (an expression from the range) mentions its name:
    that occurrence is the enclosing meaning, which the body must not capture."""
    if expr.var not in outside.free_symbols:
        return expr.var
    return fresh(ctx.avoid(expr) | symbol_names(outside), expr.var.name)


def shift(expr: Sigma, c: sp.Expr, ctx: Context) -> Sigma:
    """Σ_{j=l}^{h} f(j) as Σ_{j=l+c}^{h+c} f(j - c)."""
    var = _index_for(expr, ctx, c)
    return Sigma(subst(expr.body, {expr.var: var - c}), var, expr.lo + c, expr.hi + c)


def shifting(offset: Callable[[Sigma], sp.Expr]) -> Rule:
    """The rule `sum-shift`, moving each sum by `offset(sum)` (an integer-valued expression): one schema,
    whatever the offset; the checker accepts any integer offset."""

    @rule("sum-shift", r"\sum_{j=l}^{h} f(j) = \sum_{j=l+c}^{h+c} f(j-c)", Sigma,
          side_conditions="c is an integer (sympy proves it from integer symbols)")
    def sum_shift(expr: Sigma, ctx: Context):
        """Sound for every range and every integer c: j -> j + c maps l..h onto l+c..h+c (empty onto
        empty), and f(j - c) at j + c is f(j). The index is renamed when c mentions its name (a shadowed
        outer index), so nothing is captured."""
        c = sp.sympify(offset(expr))
        if c == 0 or c.is_integer is not True:
            return expr
        return shift(expr, c, ctx)

    return sum_shift


sum_shift = shifting(lambda s: 1 - s.lo)      # the registered instance: every range starts at 1


def reversing(when: Callable[[Sigma], bool]) -> Rule:
    """The rule `sum-reverse`, reversing each sum for which `when(sum)` holds: one schema, whatever the
    choice of sums; the checker accepts the reversal of any sum."""

    @rule("sum-reverse", r"\sum_{j=l}^{h} f(j) = \sum_{j=l}^{h} f(l + h - j)", Sigma)
    def sum_reverse(expr: Sigma, ctx: Context):
        """Sound for every range: j -> l + h - j maps l..h onto itself (an empty range onto itself). The
        index is renamed when l + h mentions its name, so nothing is captured; a body free of j is left alone."""
        if expr.var not in expr.body.free_symbols or not when(expr):
            return expr
        var = _index_for(expr, ctx, expr.lo + expr.hi)
        return Sigma(subst(expr.body, {expr.var: expr.lo + expr.hi - var}), var, expr.lo, expr.hi)

    return sum_reverse


sum_reverse = reversing(lambda s: True)       # the registered instance: any sum


REINDEX = RuleSet("reindex", (sum_shift, sum_reverse))     # applied on purpose, never while normalizing
