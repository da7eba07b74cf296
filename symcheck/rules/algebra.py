"""Commutative-ring rules that sympy's constructors do not apply on their own.

(Flattening, ordering and collecting like terms happen in sympy's Add/Mul
constructors: that is the one place where construction canonicalizes.)
"""

from __future__ import annotations

import sympy as sp

from ..context import Context
from ..index import Relu
from ..scalars import proves_nonneg
from .base import Nonneg, RuleSet, rule
from .sums import has_root

__all__ = ["ALGEBRA"]


@rule("distribute", r"c\,(a + b) = c\,a + c\,b", sp.Mul)
def distribute(expr: sp.Mul, ctx: Context):
    """Sound in every commutative ring, so for every value: the semantics is total (every value is real).
    A factor with a root is not distributed (`has_root`: strategy)."""
    args = expr.args
    for k, a in enumerate(args):
        if isinstance(a, sp.Add):
            others = args[:k] + args[k + 1:]        # the rest has a root exactly when one of them has
            if any(map(has_root, others)):
                return expr
            rest = sp.Mul(*others)
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


def _nonneg_scalars(expr: sp.Mul, ctx: Context) -> list[sp.Expr]:
    """The factors of a product that are scalars the claim's intervals show >= 0 (numbers stay outside:
    the rule is for a reviewer's range, and moving 2 into a relu would change no proof for the better)."""
    return [a for a in expr.args if not a.is_Number and proves_nonneg(a, ctx.assumptions)]


@rule("relu-scale", r"c\,\operatorname{relu}(x) = \operatorname{relu}(c\,x)\quad(c \ge 0)", sp.Mul,
      side_conditions="c a scalar whose interval shows c >= 0",
      requires=lambda r, c, ctx: tuple(Nonneg(a) for a in _nonneg_scalars(r, ctx)))
def relu_scale(expr: sp.Mul, ctx: Context):
    """Positive homogeneity, max(0, c x) = c max(0, x) for c >= 0: false for c < 0, so only a scalar
    whose declared interval lies in [0, ∞) moves, into the first relu of the product."""
    relus = [a for a in expr.args if isinstance(a, Relu)]
    moved = _nonneg_scalars(expr, ctx) if relus else []
    if not moved:
        return expr
    rest = [a for a in expr.args if a is not relus[0] and a not in moved]
    return sp.Mul(*rest) * Relu(sp.Mul(*moved) * relus[0].args[0])


ALGEBRA = RuleSet("algebra", (distribute, expand_power, exp_merge, relu_scale))
