"""The checker's own table for the rules over ranges: products, absorbing the next term, cancelling a
common start, shifting and reversing a sum.

Each check rebuilds what the rule produces from the redex with the checker's code (its own
substitution and α-equivalence, `replay_alpha`) and re-proves the side conditions from the facts at
the redex (`site.le`, the checker's entailment). Nothing here comes from the prover's rules.
"""

from __future__ import annotations

import sympy as sp

from .index import Iverson, Prod, Sigma
from .replay_alpha import alpha_equal, subst
from .replay_entail import linear
from .replay_exact import checker_power

__all__ = ["RANGE_RULES"]


def _shape(ok, why: str):
    return lambda r, c, site: None if ok(r, c) else why


def _prod_empty(r, c, site):
    if not isinstance(r, Prod) or r.body == 1 or c != 1:
        return "not an empty product (of a body other than 1) rewritten to 1"
    return None if site.lt(r.hi, r.lo) else "the range is not provably empty"


def _prod_singleton(r, c, site):
    if not isinstance(r, Prod) or not alpha_equal(c, subst(r.body, {r.var: r.lo})):
        return "not Π_{j=l}^{l} f = f(l)"
    return None if site.le(r.lo, r.hi) and site.le(r.hi, r.lo) else "the range is not provably the one index l"


def _prod_factor(r, c, site):
    """Π_{j=l}^{h} c·f = c^{h-l+1}·Π f, one power per factor free of j, when h - l + 1 >= 0."""
    if not isinstance(r, Prod):
        return "not a product"
    factors = r.body.args if isinstance(r.body, sp.Mul) else (r.body,)
    const = [f for f in factors if r.var not in f.free_symbols]
    rest = sp.Mul(*(f for f in factors if r.var in f.free_symbols))
    n = r.hi - r.lo + 1
    if not const or c != sp.Mul(*(checker_power(f, n) for f in const)) * Prod(rest, r.var, r.lo, r.hi):
        return "not Π (c·f) = c^{h-l+1}·Π f for the factors c free of j"
    return None if site.le(r.lo - 1, r.hi) else "the number of factors h - l + 1 is not provably >= 0"


def _prod_iverson(r, c, site):
    """Π_{j=l}^{h} [A(j) <= B(j)] → the bracket at h (B − A decreasing in j) or at l (increasing), when l <= h
    or the bracket holds one step outside the range (at l − 1, resp. h + 1)."""
    if not isinstance(r, Prod) or not isinstance(r.body, Iverson) or not isinstance(r.body.args[0], sp.LessThan):
        return "not a product of one bracket a <= b"
    cond = r.body.args[0]
    form = linear(cond.rhs - cond.lhs)
    slope = None if form is None else form[0].get(r.var, 0)
    if slope is None or slope == 0 or slope.denominator != 1 or any(
            r.var in atom.free_symbols for atom in form[0] if atom != r.var):     # j·k has no sign-fixed slope in j
        return "the bracket is not integer-affine and monotone in the product's index"
    end, outside = (r.hi, r.lo - 1) if slope < 0 else (r.lo, r.hi + 1)
    at = lambda x: (subst(cond.lhs, {r.var: x}), subst(cond.rhs, {r.var: x}))      # noqa: E731
    if not alpha_equal(c, Iverson(sp.Le(*at(end)))):
        return "not the bracket at the range's binding end"
    return None if site.le(r.lo, r.hi) or site.le(*at(outside)) else \
        "neither a nonempty range nor the bracket one step outside it is provable"


def _without(args: list, parts: tuple) -> list | None:
    """`args` less one α-equal occurrence of each of `parts` (α-equivalence is an equivalence: greedy
    removal finds a matching whenever there is one), or None."""
    rest = list(args)
    for p in parts:
        hit = next((n for n, a in enumerate(rest) if alpha_equal(a, p)), None)
        if hit is None:
            return None
        del rest[hit]
    return rest


def _absorb(kind, op, part: str):
    """R_{j=l}^{h-1} f ⊕ f_h = R_{j=l}^{h} f (R a sum or a product) when l <= h; f_h, the body at j = h, is
    one of the other arguments or (flattened by sympy) several of them."""
    def check(r, c, site):
        if not isinstance(r, op):
            return f"not a {'product' if op is sp.Mul else 'sum'} of {part}s"
        for k, g in enumerate(r.args):
            if not isinstance(g, kind):
                continue
            nxt = subst(g.body, {g.var: g.hi + 1})
            rest = _without(r.args[:k] + r.args[k + 1:], nxt.args if isinstance(nxt, op) else (nxt,))
            if rest is not None and alpha_equal(c, op(*rest, kind(g.body, g.var, g.lo, g.hi + 1))):
                return None if site.le(g.lo, g.hi + 1) else "the grown range is not provably nonempty"
        return f"not a range grown by the {part} after it"
    return check


def _signed(term):
    """(body, var, lo, hi) of a sum equal to `term`: Σ f, or −Σ f read as Σ (−f)."""
    if isinstance(term, Sigma):
        return term.args
    if isinstance(term, sp.Mul) and len(term.args) == 2 and term.args[0] == -1 and isinstance(term.args[1], Sigma):
        body, var, lo, hi = term.args[1].args
        return -body, var, lo, hi
    return None


def _difference(r, c, site):
    """Σ_{j=l}^{h} f + Σ_{k=l}^{m} (−f) = Σ_{j=m+1}^{h} f when l − 1 <= m <= h."""
    if not isinstance(r, sp.Add):
        return "not a sum of terms"
    x = sp.Dummy("x", integer=True)
    sums = [(k, p) for k, a in enumerate(r.args) if (p := _signed(a)) is not None]
    for k, (f, j, lo, hi) in sums:
        for i, (g, v, lo2, m) in sums:
            if i == k or lo2 != lo or not alpha_equal(subst(f, {j: x}), subst(-g, {v: x})):
                continue
            rest = (a for n, a in enumerate(r.args) if n not in (k, i))
            if alpha_equal(c, sp.Add(*rest, Sigma(f, j, m + 1, hi))):
                return None if site.le(lo - 1, m) and site.le(m, hi) else "the split point is not provably in l-1..h"
    return "not Σ_{l}^{h} f − Σ_{l}^{m} f = Σ_{m+1}^{h} f for two terms of the sum"


def _swapped(term):
    """Σ_k Σ_j f as (Σ_k f, j, lo_j, hi_j) when neither range mentions the other's index (finite sums
    commute), else None."""
    if not (isinstance(term, Sigma) and isinstance(term.body, Sigma)):
        return None
    outer, inner = term, term.body
    if inner.var == outer.var or outer.var in inner.lo.free_symbols | inner.hi.free_symbols \
            or inner.var in outer.lo.free_symbols | outer.hi.free_symbols:
        return None
    return Sigma(inner.body, outer.var, outer.lo, outer.hi), inner.var, inner.lo, inner.hi


def _concat(r, c, site):
    """±Σ_{j=l}^{m} f ± Σ_{k=m+1}^{h} f = ±Σ_{j=l}^{h} f (one sign) when l − 1 <= m <= h; a double sum may be
    read in its other order; the bodies are compared modulo α and the order of independent nested sums."""
    if not isinstance(r, sp.Add):
        return "not a sum of terms"
    views = []
    for k, a in enumerate(r.args):
        if (p := _signed(a)) is not None:
            views.append((k, p, isinstance(a, Sigma)))
        if (p := _swapped(a)) is not None:
            views.append((k, p, True))
    x = sp.Dummy("x", integer=True)
    for k, (f, j, lo, m), positive in views:
        for i, (g, v, start, hi), positive2 in views:
            if i == k or positive != positive2 or sp.expand(start - m - 1) != 0 \
                    or not alpha_equal(subst(f, {j: x}), subst(g, {v: x}), renaming=True):
                continue
            rest = [a for n, a in enumerate(r.args) if n not in (k, i)]
            merged = Sigma(f, j, lo, hi) if positive else -Sigma(-f, j, lo, hi)
            if alpha_equal(c, sp.Add(*rest, merged), renaming=True):
                return None if site.le(lo - 1, m) and site.le(m, hi) else "the ranges are not provably adjacent"
    return "not Σ_{l}^{m} f + Σ_{m+1}^{h} f = Σ_{l}^{h} f for two terms of the sum"


def _blocks(r, c, site):
    """Σ_{u=l}^{h} Σ_{s=A(u)}^{B(u)} f = Σ_{s=A(l)}^{B(h)} f when f is free of u, A(u + 1) = B(u) + 1 and the
    width B(u) − A(u) + 1 is free of u and >= 0 (the blocks tile A(l)..B(h); both sides empty for h < l)."""
    if not (isinstance(r, Sigma) and isinstance(r.body, Sigma)):
        return "not a sum of sums"
    u, inner = r.var, r.body
    if inner.var == u or u in inner.body.free_symbols:
        return "the inner body depends on the outer index"
    if sp.expand(subst(inner.lo, {u: u + 1}) - inner.hi - 1) != 0:
        return "block u + 1 does not start right after block u"
    width = sp.expand(inner.hi - inner.lo + 1)
    if u in width.free_symbols:
        return "the blocks do not have one width"
    if not alpha_equal(c, Sigma(inner.body, inner.var, subst(inner.lo, {u: r.lo}), subst(inner.hi, {u: r.hi}))):
        return "not the one sum over A(l)..B(h)"
    return None if site.le(0, width) else "the width is not provably >= 0"


def _floor_quotient(r, c, site):
    """floor((C·q + r)/C) = q for a positive integer C, an integer-valued q and 0 <= r <= C − 1."""
    if not isinstance(r, sp.floor):
        return "not a floor"
    num, den = sp.fraction(sp.together(r.args[0]))
    if den.is_integer is not True or den.is_positive is not True or c.is_integer is not True:
        return "not an integer-valued quotient over a positive integer"
    rest = sp.expand(num - den * c)
    if rest.free_symbols and not all(s.is_integer for s in rest.free_symbols):
        return "the remainder is not integer-valued"
    return None if site.le(0, rest) and site.le(rest, den - 1) else "the remainder is not provably in 0..C-1"


def _shift(r, c, site):
    """Σ_{j=l}^{h} f(j) = Σ_{j=l+c}^{h+c} f(j − c) for a nonzero integer c."""
    if not (isinstance(r, Sigma) and isinstance(c, Sigma)):
        return "not a sum re-indexed"
    off = c.lo - r.lo
    if linear(off) in (None, ({}, 0)) or off.is_integer is not True or linear(c.hi - r.hi - off) != ({}, 0):
        return "the range is not moved by one nonzero integer offset"
    x = sp.Dummy("x", integer=True)
    return None if alpha_equal(c, Sigma(subst(r.body, {r.var: x - off}), x, c.lo, c.hi)) else \
        "not Σ_{j=l+c}^{h+c} f(j - c)"


def _reverse(r, c, site):
    """Σ_{j=l}^{h} f(j) = Σ_{j=l}^{h} f(l + h − j), for a body that mentions j."""
    if not (isinstance(r, Sigma) and isinstance(c, Sigma)) or (r.lo, r.hi) != (c.lo, c.hi) \
            or r.var not in r.body.free_symbols:
        return "not a sum over the same range whose body mentions its index"
    x = sp.Dummy("x", integer=True)
    return None if alpha_equal(c, Sigma(subst(r.body, {r.var: r.lo + r.hi - x}), x, r.lo, r.hi)) else \
        "not Σ_{j=l}^{h} f(l + h - j)"


RANGE_RULES = {
    "prod-empty": _prod_empty,
    "prod-one": _shape(lambda r, c: isinstance(r, Prod) and r.body == 1 and c == 1, "not Π 1 rewritten to 1"),
    "prod-singleton": _prod_singleton,
    "prod-exp": _shape(lambda r, c: isinstance(r, Prod) and isinstance(r.body, sp.exp)
                       and c == sp.exp(Sigma(r.body.args[0], r.var, r.lo, r.hi)), "not Π e^a = e^(Σ a)"),
    "prod-factor": _prod_factor,
    "prod-iverson": _prod_iverson,
    "prod-absorb-last": _absorb(Prod, sp.Mul, "factor"),
    "sum-absorb-last": _absorb(Sigma, sp.Add, "term"),
    "sum-range-difference": _difference,
    "sum-concat": _concat,
    "sum-blocks": _blocks,
    "floor-quotient": _floor_quotient,
    "sum-shift": _shift,
    "sum-reverse": _reverse,
}
