"""Rules for finite products over integer ranges: empty and one-element ranges, exponentials, constant
factors, absorbing the next factor, a product of one monotone bracket.

All products follow the empty-range convention of `index.Prod` (Π over hi < lo is 1). Under the
total semantics every body value is a real number, so these are identities of a commutative ring
(and of exp) for every value, 0 included.
"""

from __future__ import annotations

import sympy as sp

from ..binders import subst
from ..context import Context
from ..index import Iverson, Prod, make_sum, power
from .base import Le, RuleSet, rule
from .ranges import absorb_last, arguments, conditions_for, first_holding

__all__ = ["PRODUCTS", "constant_factors"]


@rule("prod-empty", r"\prod_{j=l}^{h} f_j = 1 \quad (h < l)", Prod, side_conditions="h < l provable",
      requires=lambda r, c, ctx: (Le(r.hi + 1, r.lo),))
def prod_empty(expr: Prod, ctx: Context):
    """Sound wherever h < l is entailed: the range is empty at every point of the position's domain,
    and an empty product is 1 by definition. A product of ones is `prod-one`'s (no side condition)."""
    return sp.S.One if expr.body != 1 and ctx.proves_lt(expr.hi, expr.lo) else expr


@rule("prod-one", r"\prod_{j} 1 = 1", Prod)
def prod_one(expr: Prod, ctx: Context):
    """Sound for every range: a product of ones is 1, and so is the empty product."""
    return sp.S.One if expr.body == 1 else expr


@rule("prod-singleton", r"\prod_{j=l}^{l} f_j = f_l", Prod)
def prod_singleton(expr: Prod, ctx: Context):
    """Sound when h - l is identically 0: the range has the one element l (never empty); the
    substitution is capture-avoiding."""
    if sp.expand(expr.hi - expr.lo) != 0:
        return expr
    return subst(expr.body, {expr.var: expr.lo})


@rule("prod-exp", r"\prod_{j=l}^{h} e^{a_j} = e^{\sum_{j=l}^{h} a_j}", Prod)
def prod_exp(expr: Prod, ctx: Context):
    """Sound for every range: e^a e^b = e^(a+b) for all reals, and the empty range gives 1 = e^0
    (the empty sum). Sums are what the other rules normalize, so a product of exponentials becomes one."""
    if not isinstance(expr.body, sp.exp):
        return expr
    return sp.exp(make_sum(expr.body.args[0], expr.var, expr.lo, expr.hi))


def constant_factors(expr: Prod) -> tuple[list, list]:
    """The body's factors free of the product's index, and the others."""
    factors = arguments(expr.body, sp.Mul)
    const = [f for f in factors if expr.var not in f.free_symbols]
    return const, [f for f in factors if expr.var in f.free_symbols]


@rule("prod-factor", r"\prod_{j=l}^{h} c\, f_j = c^{h-l+1} \prod_{j=l}^{h} f_j \quad (l - 1 \le h)", Prod,
      side_conditions="c is free of j; l - 1 <= h provable (the number of factors h - l + 1 is a natural number)",
      requires=lambda r, c, ctx: (Le(r.lo - 1, r.hi),))
def prod_factor(expr: Prod, ctx: Context):
    """Pull each factor c free of j out as c^(h-l+1), one power per factor. Sound when h - l + 1 >= 0 is
    entailed: then the range has exactly h - l + 1 elements (none when h = l - 1, where both sides are 1:
    c^0 = 1 for every c, 0 included), and a commutative product regroups. Without it, h < l - 1 would give
    a negative exponent: c^(-2) on the right, the empty product 1 on the left."""
    const, rest = constant_factors(expr)
    if not const or not ctx.proves_le(expr.lo - 1, expr.hi):
        return expr
    n = expr.hi - expr.lo + 1
    return sp.Mul(*(power(c, n) for c in const)) * Prod(sp.Mul(*rest), expr.var, expr.lo, expr.hi)


@rule("prod-absorb-last", r"\prod_{j=l}^{h-1} f_j \cdot f_h = \prod_{j=l}^{h} f_j \quad (l \le h)", sp.Mul,
      side_conditions="l <= h provable; the factor f_h is the body at j = h exactly, up to the names of bound indices",
      requires=lambda r, c, ctx: conditions_for(absorb_last(r, Prod, sp.Mul), c))
def prod_absorb_last(expr: sp.Mul, ctx: Context):
    """Grow a product by the factor after its range (the canonical direction). Sound when l <= h is
    entailed: l..h is l..h-1 and h, including h = l (1 · f_l). Not at l = h + 1: there the left side is
    1 · f_h and the right side the empty product 1. f_h must be the body with j := h as a tree, up to the names
    of its bound indices."""
    out = first_holding(absorb_last(expr, Prod, sp.Mul), ctx)
    return expr if out is None else out


def monotone_bracket(expr: Prod, ctx: Context) -> tuple[sp.Expr, Le] | None:
    """(the bracket at the range's binding end, the side condition) for Π_{j=l}^{h} [A(j) <= B(j)] with
    B − A integer-affine in j: decreasing in j, all brackets hold iff the one at j = h does; increasing,
    iff the one at j = l. The side condition makes the empty range (product 1) agree: the range is
    nonempty (l <= h), or the bracket holds one step outside the range (at j = l − 1, resp. j = h + 1)."""
    body, j = expr.body, expr.var
    if not isinstance(body, Iverson) or not isinstance(body.args[0], sp.LessThan):
        return None
    cond = body.args[0]
    diff = sp.expand(cond.rhs - cond.lhs)
    c = diff.coeff(j)
    if not c.is_Integer or c == 0 or j in (diff - c * j).free_symbols:
        return None
    end, outside = (expr.hi, expr.lo - 1) if c < 0 else (expr.lo, expr.hi + 1)
    at = lambda x: (subst(cond.lhs, {j: x}), subst(cond.rhs, {j: x}))      # noqa: E731  (a number decides it)
    nonempty = Le(expr.lo, expr.hi)
    side = nonempty if nonempty.holds(ctx) else Le(*at(outside))
    return Iverson(sp.Le(*at(end))), side


@rule("prod-iverson", r"\prod_{j=l}^{h} [A(j) \le B(j)] = [A(h) \le B(h)] \quad (B - A \text{ decreasing in } j)", Prod,
      side_conditions="B - A integer-affine in j (decreasing: the bracket at h; increasing: the bracket at l); "
                      "l <= h provable, or the bracket provably holds at l - 1 (decreasing), resp. h + 1 (increasing)",
      requires=lambda r, c, ctx: () if (m := monotone_bracket(r, ctx)) is None else (m[1],))
def prod_iverson(expr: Prod, ctx: Context):
    """Sound over the integers: B(j) − A(j) is monotone in j, so on a nonempty range its least value is at
    one end (h when decreasing, l when increasing) and the brackets all hold iff that one does. On an empty
    range (h < l) the product is 1, and so is the end's bracket when it holds one step outside the range:
    h <= l − 1 and decreasing give B(h) − A(h) >= B(l − 1) − A(l − 1) >= 0 (symmetrically for increasing).
    The DNC's allocation from a prefix of used slots, Π_{k<i} [k <= τ], is one bracket [i − 1 <= τ]."""
    found = monotone_bracket(expr, ctx)
    return expr if found is None or not found[1].holds(ctx) else found[0]


PRODUCTS = RuleSet("products", (prod_empty, prod_one, prod_singleton, prod_exp, prod_factor, prod_iverson,
                                prod_absorb_last))
