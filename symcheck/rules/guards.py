"""Iverson brackets: decide them from context, and keep them idempotent."""

from __future__ import annotations

import sympy as sp

from ..binders import free_symbols_of, subst
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


def equation_solution(cond: sp.Basic, ctx: Context) -> tuple[sp.Symbol, sp.Expr] | None:
    """(x, e) with cond ⇔ x = e, for x the free integer symbol (no enclosing sum binds it) of cond with
    coefficient ±1 whose name sorts last, and e free of x; None if cond is no such equation."""
    if not isinstance(cond, sp.Equality):
        return None
    diff = sp.expand(cond.lhs - cond.rhs)
    free = sorted((x for x in diff.free_symbols if isinstance(x, sp.Symbol) and x.is_integer
                   and x.name not in ctx.binders), key=lambda x: x.name, reverse=True)
    for x in free:
        c = diff.coeff(x)
        if c in (1, -1) and x not in (rest := sp.expand(diff - c * x)).free_symbols:
            return x, -rest / c
    return None


def _substitution(expr: sp.Mul, ctx: Context) -> sp.Expr | None:
    for f in expr.args:
        if isinstance(f, Iverson) and (sol := equation_solution(f.args[0], ctx)) is not None:
            x, e = sol
            others = [g for g in expr.args if g is not f]
            if any(x in free_symbols_of(g) for g in others):
                return f * sp.Mul(*(subst(g, {x: e}) for g in others))
    return None


@rule("iverson-substitute", r"[x = e]\, f(x) = [x = e]\, f(e)", sp.Mul,
      side_conditions="x an integer with coefficient ±1 in the equation, e free of x, no enclosing sum binds x "
                      "(a bound x is sum-delta's); capture-avoiding")
def iverson_substitute(expr: sp.Mul, ctx: Context):
    """Sound for every value: where x = e fails the bracket is 0 and so are both sides; where it holds,
    f(x) = f(e) because x and e are the same number (the semantics is total, so f(e) has a value)."""
    out = _substitution(expr, ctx)
    return expr if out is None else out


def join_pair(expr: sp.Add) -> tuple[sp.Expr, sp.Expr, sp.Expr] | None:
    """Two terms m·[a + 1 <= b] and m·[a = b] (the equation either way round) of a sum, integer-affine,
    as (first term, second term, m·[a <= b])."""
    def split(term):
        fs = sp.Mul.make_args(term)
        return [(f.args[0], sp.Mul(*(g for g in fs if g is not f))) for f in fs if isinstance(f, Iverson)]

    terms = set(expr.args)
    for u in expr.args:
        for cond, m in split(u):
            if not isinstance(cond, sp.LessThan) or not _integral(cond):
                continue
            a, b = _sides(sp.expand(cond.rhs - cond.lhs + 1))      # [lo <= hi] is [b - a >= 1]
            for partner in (m * Iverson(sp.Eq(a, b)), m * Iverson(sp.Eq(b, a))):
                if partner in terms and partner != u:
                    return u, partner, m * Iverson(sp.Le(a, b))
    return None


def _integral(cond: sp.Basic) -> bool:
    """Both sides integer-affine: integer symbols with integer coefficients."""
    diff = sp.expand(cond.rhs - cond.lhs)
    xs = sorted(diff.free_symbols, key=lambda x: x.name)
    return bool(xs) and all(x.is_integer for x in xs) and diff.is_polynomial(*xs) and \
        sp.Poly(diff, *xs).total_degree() <= 1 and all(c.is_Integer for c in sp.Poly(diff, *xs).coeffs())


def _sides(d: sp.Expr) -> tuple[sp.Expr, sp.Expr]:
    """(a, b) with b − a = d: a the terms of d with a negative coefficient, negated; b the others."""
    terms = sp.Add.make_args(d)
    return (sp.Add(*(-t for t in terms if t.could_extract_minus_sign())),
            sp.Add(*(t for t in terms if not t.could_extract_minus_sign())))


@rule("iverson-join", r"m\,[a + 1 \le b] + m\,[a = b] = m\,[a \le b]", sp.Add,
      side_conditions="a and b integer-affine (integer symbols, integer coefficients)")
def iverson_join(expr: sp.Add, ctx: Context):
    """Sound over the integers: b − a >= 1 and b − a = 0 exclude each other and together say b − a >= 0,
    so the two brackets add up to the one (every value of m)."""
    found = join_pair(expr)
    if found is None:
        return expr
    u, v, joined = found
    return sp.Add(*(t for t in expr.args if t != u and t != v)) + joined


def difference_pair(expr: sp.Add) -> tuple[sp.Expr, sp.Expr, sp.Expr] | None:
    """Two terms m·[a <= b] and −m·[a + 1 <= b] of a sum, integer-affine, as (first, second, m·[a = b])."""
    terms = set(expr.args)
    for u in expr.args:
        for f in sp.Mul.make_args(u):
            if not (isinstance(f, Iverson) and isinstance(f.args[0], sp.LessThan) and _integral(f.args[0])):
                continue
            m = sp.Mul(*(g for g in sp.Mul.make_args(u) if g is not f))
            lo, hi = f.args[0].lhs, f.args[0].rhs
            partner = -m * Iverson(sp.Le(lo + 1, hi))
            if partner in terms and partner != u:
                return u, partner, m * Iverson(sp.Eq(lo, hi))
    return None


@rule("iverson-difference", r"m\,[a \le b] - m\,[a + 1 \le b] = m\,[a = b]", sp.Add,
      side_conditions="a and b integer-affine (integer symbols, integer coefficients)")
def iverson_difference(expr: sp.Add, ctx: Context):
    """Sound over the integers: b − a >= 0 and not b − a >= 1 say b − a = 0, and where b − a >= 1 both
    brackets are 1 (every value of m). The allocation of a prefix of used slots, [i <= t] − [i + 1 <= t],
    is the one-hot [i = t]; `iverson-join` goes the other way only with a plus sign, so the two cannot loop."""
    found = difference_pair(expr)
    if found is None:
        return expr
    u, v, single = found
    return sp.Add(*(t for t in expr.args if t != u and t != v)) + single


GUARDS = RuleSet("guards", (iverson_decide, iverson_idempotent, iverson_exclusive, iverson_substitute, iverson_join,
                            iverson_difference))
