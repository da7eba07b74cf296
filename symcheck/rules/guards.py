"""Iverson brackets: decide them from context, and keep them idempotent."""

from __future__ import annotations

import sympy as sp

from ..context import Context
from ..index import Iverson
from .base import Excludes, Le, RuleSet, rule

__all__ = ["GUARDS"]


def _decided(expr: Iverson, out, ctx: Context) -> tuple:
    """[a <= b] = 1 needs a <= b, = 0 needs b + 1 <= a; [a = b] = 1 needs both orders, = 0 one strict one."""
    cond = expr.args[0]
    a, b = cond.lhs, cond.rhs
    if isinstance(cond, sp.LessThan):
        return (Le(a, b),) if out == 1 else (Le(b + 1, a),)
    if out == 1:
        return (Le(a, b), Le(b, a))
    return (Le(a + 1, b),) if ctx.proves_lt(a, b) else (Le(b + 1, a),)


@rule("iverson-decide", r"[P] = 1 \text{ if } P \text{ holds},\quad [P] = 0 \text{ if } \neg P", Iverson,
      side_conditions="P or ¬P follows from the ranges of enclosing sums and the claim's domain", requires=_decided)
def iverson_decide(expr: Iverson, ctx: Context):
    """Sound for all sizes: the facts at the bracket (the claim's domain and lo <= j <= hi for
    every sum whose body contains it) hold at every point where the bracket is evaluated, so
    a condition they entail is true there. Only integer-affine conditions are decided."""
    cond = expr.args[0]
    if isinstance(cond, sp.LessThan):
        if ctx.proves_le(cond.lhs, cond.rhs):
            return sp.S.One
        if ctx.proves_lt(cond.rhs, cond.lhs):
            return sp.S.Zero
    elif isinstance(cond, sp.Equality):
        if ctx.proves_le(cond.lhs, cond.rhs) and ctx.proves_le(cond.rhs, cond.lhs):
            return sp.S.One
        if ctx.proves_lt(cond.lhs, cond.rhs) or ctx.proves_lt(cond.rhs, cond.lhs):
            return sp.S.Zero
    return expr


@rule("iverson-idempotent", r"[P]^{k} = [P]\quad(k \ge 1)", sp.Pow)
def iverson_idempotent(expr: sp.Pow, ctx: Context):
    """Sound for every value: a bracket is 0 or 1, and 0^k = 0, 1^k = 1 for k >= 1."""
    base, ex = expr.args
    if isinstance(base, Iverson) and ex.is_Integer and ex >= 1:
        return base
    return expr


def exclusive_pair(expr: sp.Mul, ctx: Context) -> Excludes | None:
    """The first pair of bracket factors [P]·[Q] of a product where P, with the facts, refutes Q."""
    brackets = [f.args[0] for f in expr.args if isinstance(f, Iverson)]
    for p in brackets:
        for q in brackets:
            if q is not p and (cond := Excludes(p, q)).holds(ctx):
                return cond
    return None


@rule("iverson-exclusive", r"[P]\,[Q]\, f = 0 \quad (P \Rightarrow \neg Q)", sp.Mul,
      side_conditions="the facts at the product together with P prove Q false",
      requires=lambda r, c, ctx: () if (e := exclusive_pair(r, ctx)) is None else (e,))
def iverson_exclusive(expr: sp.Mul, ctx: Context):
    """Sound for every value of the other factors: where P is false [P] = 0; where P holds, the facts
    and P refute Q, so [Q] = 0. Either way the product is 0 (the semantics is total: every factor is a
    number). It decides a bracket from another one, which `iverson-decide` (facts only) cannot:
    [t = i]·[i + 1 <= t] = 0."""
    return sp.S.Zero if exclusive_pair(expr, ctx) is not None else expr


GUARDS = RuleSet("guards", (iverson_decide, iverson_idempotent, iverson_exclusive))
