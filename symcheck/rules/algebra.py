"""Commutative-ring rules that sympy's constructors do not apply on their own.

(Flattening, ordering and collecting like terms happen in sympy's Add/Mul
constructors: that is the one place where construction canonicalizes.)
"""

from __future__ import annotations

import sympy as sp

from ..context import Context
from .base import RuleSet, rule
from .sums import has_root

__all__ = ["ALGEBRA"]


@rule("distribute", r"c\,(a + b) = c\,a + c\,b", sp.Mul)
def distribute(expr: sp.Mul, ctx: Context):
    """Sound in every commutative ring, so for every value: the semantics is total (every value is real).
    A factor with a root is not distributed (`has_root`: strategy)."""
    args = list(expr.args)
    for k, a in enumerate(args):
        if isinstance(a, sp.Add):
            rest = sp.Mul(*(args[:k] + args[k + 1:]))
            if has_root(rest):
                return expr
            return sp.Add(*(rest * term for term in a.args))
    return expr


@rule("expand-power", r"(a + b)^{n} = \sum_{k} \binom{n}{k} a^{k} b^{n-k}\quad(n \in \mathbb{N})", sp.Pow)
def expand_power(expr: sp.Pow, ctx: Context):
    """Sound for natural exponents in every commutative ring (the multinomial theorem)."""
    base, ex = expr.args
    if isinstance(base, sp.Add) and ex.is_Integer and 2 <= ex <= 8:
        return sp.expand_multinomial(expr, deep=False)
    return expr


@rule("exp-merge", r"e^{a}\, e^{b} = e^{a + b}", sp.Mul)
def exp_merge(expr: sp.Mul, ctx: Context):
    """Sound for all real a, b (every value is real under the total semantics)."""
    exps = [a for a in expr.args if isinstance(a, sp.exp)]
    if len(exps) < 2:
        return expr
    rest = [a for a in expr.args if not isinstance(a, sp.exp)]
    return sp.Mul(*rest) * sp.exp(sp.Add(*(e.args[0] for e in exps)))


ALGEBRA = RuleSet("algebra", (distribute, expand_power, exp_merge))
