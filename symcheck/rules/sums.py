"""Rules for finite sums over integer ranges: linearity, guards as ranges, deltas, growing and cancelling ranges.

All sums follow the empty-range convention of `index.Sigma` (Σ over hi < lo is 0).
"""

from __future__ import annotations

from collections import Counter
from functools import lru_cache
from typing import Iterator

import sympy as sp

from ..affine import affine
from ..binders import atoms_of, canonical_names, free_symbols_of, fresh, subst, symbol_names
from ..context import Context
from ..index import Iverson, Power, Sigma, make_sum
from .base import Le, RuleSet, rule
from .ranges import Match, absorb_last, body_marks, conditions_for, first_holding

__all__ = ["guard_bound", "has_root", "range_differences", "SUMS", "INDUCTION"]


def _factors(e):
    return list(e.args) if isinstance(e, sp.Mul) else [e]


@lru_cache(maxsize=100_000)
def guard_bound(guard: Iverson, var: sp.Symbol):
    """Read [cond] as a bound on `var`: ('le', u) for var <= u, ('ge', l) for var >= l,
    ('eq', e) for var = e; None if cond is not affine with coefficient ±1 on var."""
    cond = guard.args[0]
    if not isinstance(cond, (sp.LessThan, sp.Equality)):
        return None
    diff = sp.expand(cond.rhs - cond.lhs)
    form = affine(diff)
    if form is None:
        return None
    coeffs = dict(form[0])
    c = coeffs.get(var.name)
    if c not in (1, -1) or any(v.denominator != 1 for v in coeffs.values()) or form[1].denominator != 1:
        return None
    rest = sp.expand(diff - c * var)          # cond: c·var + rest (>= or ==) 0
    if isinstance(cond, sp.Equality):
        return "eq", sp.expand(-rest / c)
    return ("le", rest) if c == -1 else ("ge", -rest)


@rule("sum-empty", r"\sum_{j=l}^{h} f_j = 0 \quad (h < l)", Sigma, side_conditions="h < l provable",
      requires=lambda r, c, ctx: (Le(r.hi + 1, r.lo),))
def sum_empty(expr: Sigma, ctx: Context):
    """Sound wherever h < l is entailed: the range is empty at every point of the position's
    domain, and an empty sum is 0 by definition. A sum of zeros is `sum-zero`'s (no side condition), so each step has one rule that explains it."""
    return sp.S.Zero if expr.body != 0 and ctx.proves_lt(expr.hi, expr.lo) else expr


@rule("sum-zero", r"\sum_{j} 0 = 0", Sigma)
def sum_zero(expr: Sigma, ctx: Context):
    """Sound for every range, empty or not."""
    return sp.S.Zero if expr.body == 0 else expr


@rule("sum-singleton", r"\sum_{j=l}^{l} f_j = f_l", Sigma)
def sum_singleton(expr: Sigma, ctx: Context):
    """Sound when h - l is identically 0: the range has the one element l; the substitution is
    capture-avoiding."""
    if not _one_point(expr.lo, expr.hi):
        return expr
    return subst(expr.body, {expr.var: expr.lo})


@lru_cache(maxsize=50_000)
def _one_point(lo: sp.Expr, hi: sp.Expr) -> bool:
    """Is hi − lo identically 0? Once per range: every sum is asked, and ranges recur."""
    return sp.expand(hi - lo) == 0


@rule("sum-split-add", r"\sum_{j} (f_j + g_j) = \sum_{j} f_j + \sum_{j} g_j", Sigma)
def sum_split_add(expr: Sigma, ctx: Context):
    """Sound for every range (linearity of a finite sum; an empty range gives 0 = 0 + 0)."""
    if not isinstance(expr.body, sp.Add):
        return expr
    return sp.Add(*(make_sum(term, expr.var, expr.lo, expr.hi) for term in expr.body.args))


@rule("sum-guard-to-range",
      r"\sum_{j=l}^{h} \sum_{a} [j \le u]\, f_{j,a} = \sum_{j=l}^{u} \sum_{a} f_{j,a} \ (u \le h),\quad "
      r"\sum_{j=l}^{h} \sum_{a} [j \ge v]\, f_{j,a} = \sum_{j=v}^{h} \sum_{a} f_{j,a} \ (v \ge l)",
      Sigma, side_conditions="the new bound lies inside the old range; the guard mentions none of the inner indices a "
                  "(zero or more directly nested sums)",
      requires=lambda r, c, ctx: (Le(c.hi, r.hi),) if c.hi != r.hi else (Le(r.lo, c.lo),))
def sum_guard_to_range(expr: Sigma, ctx: Context):
    """Sound when the new bound lies inside the old range (u <= h, or v >= l, entailed): the terms
    with the guard false are 0 and the others are exactly the new range; if the new range is
    empty, so is the set of terms with the guard true. The guard must not mention inner indices,
    or it would not be a factor of every inner term."""
    body, var, lo, hi = expr.args
    chain, node = [], body
    while isinstance(node, Sigma):               # a guard on j deep inside Σ_a is a factor of every term
        chain.append(node)
        node = node.body
    inner = {s.var for s in chain}
    factors = _factors(node)
    for k, f in enumerate(factors):
        if not isinstance(f, Iverson) or f.free_symbols & inner:
            continue
        bound = guard_bound(f, var)
        if bound is None or bound[0] == "eq":
            continue
        kind, b = bound
        rest = sp.Mul(*(factors[:k] + factors[k + 1:]))
        for s in reversed(chain):
            rest = make_sum(rest, s.var, s.lo, s.hi)
        if kind == "le" and ctx.proves_le(b, hi):
            return make_sum(rest, var, lo, b)
        if kind == "ge" and ctx.proves_le(lo, b):
            return make_sum(rest, var, b, hi)
    return expr


def _delta_factor(body, var, inner: set):
    """(position, e) of a factor [var = e] of `body` with e free of the inner indices."""
    for k, f in enumerate(_factors(body)):
        if isinstance(f, Iverson):
            bound = guard_bound(f, var)
            if bound is not None and bound[0] == "eq" and not (bound[1].free_symbols & inner):
                return k, bound[1]
    return None


@rule("sum-delta",
      r"\sum_{j=l}^{h} \sum_{a} [j = e]\, f_{j,a} = [l \le e]\,[e \le h] \sum_{a} f_{e,a}", Sigma,
      side_conditions="e contains neither j nor the inner indices a (zero or more nested sums whose ranges do not "
           "contain j); e is an integer")
def sum_delta(expr: Sigma, ctx: Context):
    """Sound for every range: only j = e can contribute, and it does exactly when l <= e <= h,
    which the two brackets say; e is integer-valued (coefficient ±1 on j, integer constants) and
    free of the inner indices, so substituting it is capture-free."""
    body, var, lo, hi = expr.args
    chain, node = [], body
    while (hit := _delta_factor(node, var, {v for v, _, _ in chain})) is None:
        if not isinstance(node, Sigma) or var in (node.lo.free_symbols | node.hi.free_symbols):
            return expr
        chain.append((node.var, node.lo, node.hi))
        node = node.body
    k, e = hit
    factors = _factors(node)
    inner = subst(sp.Mul(*(factors[:k] + factors[k + 1:])), {var: e})
    for v, l, h in reversed(chain):
        inner = make_sum(inner, v, l, h)
    return Iverson(sp.Le(lo, e)) * Iverson(sp.Le(e, hi)) * inner


@lru_cache(maxsize=100_000)
def has_root(c: sp.Expr) -> bool:
    """Whether c has a root or another non-integer power (a LayerNorm's 1/√(var + ε)).

    Strategy, not soundness: distributing c, or moving it into a sum, is a ring identity for every
    c, but a root copied into every term of a layer's sums multiplies the work (the inlined pre-LN
    layer goes from 1,175 steps to beyond its time budget), so `distribute` and `sum-factor-in`
    leave such a factor outside."""
    return any(not p.args[1].is_Integer for p in atoms_of(c, (Power,)))


@rule("sum-factor-in", r"c \sum_{j} f_j = \sum_{j} c\, f_j", sp.Mul,
      side_conditions="j is renamed apart when c mentions it")
def sum_factor_in(expr: sp.Mul, ctx: Context):
    """Push every other factor of a product into its first sum (flat multi-sums).

    Sound for every range and every value: distributivity is a ring identity, and under the total
    semantics every c is a real number (an empty sum gives c·0 = 0); j is renamed when c mentions
    it, so nothing is captured. A c with a root stays outside (`has_root`: strategy, not soundness)."""
    args = expr.args
    for k, s in enumerate(args):
        if not isinstance(s, Sigma):
            continue
        others = args[:k] + args[k + 1:]      # c's factors: c has a root or j free exactly when one of them has
        if any(map(has_root, others)):
            continue
        c, body, var = sp.Mul(*others), s.body, s.var
        if any(var in free_symbols_of(a) for a in others) or var.name in ctx.binders:
            nv = fresh(ctx.avoid(expr) | symbol_names(c), var.name)
            body, var = subst(body, {var: nv}), nv
        return make_sum(c * body, var, s.lo, s.hi)
    return expr


@rule("sum-peel-last", r"\sum_{j=l}^{h} f_j = \sum_{j=l}^{h-1} f_j + f_h", Sigma,
      side_conditions="l <= h (nonempty range); used for induction steps, not while normalizing",
      requires=lambda r, c, ctx: (Le(r.lo, r.hi),))
def sum_peel_last(expr: Sigma, ctx: Context):
    """Sound when l <= h is entailed (then the last term exists); used only for induction steps."""
    if not ctx.nonempty(expr.lo, expr.hi):
        return expr
    return make_sum(expr.body, expr.var, expr.lo, expr.hi - 1) + subst(expr.body, {expr.var: expr.hi})


@rule("sum-absorb-last", r"\sum_{j=l}^{h-1} f_j + f_h = \sum_{j=l}^{h} f_j \quad (l \le h)", sp.Add,
      side_conditions="l <= h provable; the term f_h is the body at j = h exactly, up to the names of bound indices",
      requires=lambda r, c, ctx: conditions_for(absorb_last(r, Sigma, sp.Add), c))
def sum_absorb_last(expr: sp.Add, ctx: Context):
    """Grow a sum by the term after its range: the canonical direction (`sum-peel-last` is its inverse,
    for induction steps only). Sound when l <= h is entailed: then l..h is l..h-1 and h, so the sums
    agree for every f, including h = l (a sum of one term, 0 + f_l). It needs l <= h, not only
    l <= h + 1: at l = h + 1 the left side is 0 + f_h and the right side is the empty sum 0. f_h must be
    the body with j := h as a tree up to the names of its bound indices, so both sides add exactly the same
    numbers."""
    out = first_holding(absorb_last(expr, Sigma, sp.Add), ctx)
    return expr if out is None else out


def _signed_sum(term):
    """(body, var, lo, hi) of a sum with the value of `term`: Σ f itself, or −Σ f as Σ (−f) (linearity, any
    range); None for any other term."""
    if isinstance(term, Sigma):
        return term.args
    if isinstance(term, sp.Mul) and len(term.args) == 2 and term.args[0] == -1 and isinstance(term.args[1], Sigma):
        body, var, lo, hi = term.args[1].args
        return -body, var, lo, hi
    return None


def _the_sum(term) -> Sigma:
    """The sum of a term `_signed_sum` reads: Σ f itself, or the Σ f of −Σ f."""
    return term if isinstance(term, Sigma) else term.args[1]


_ALIKE = sp.Dummy("x", integer=True)    # only compared, never put into an expression


@lru_cache(maxsize=50_000)
def _named_alike(body: sp.Expr, var: sp.Symbol) -> sp.Expr:
    """A sum's body with its index renamed to one placeholder, for comparing two sums' bodies as trees."""
    return subst(body, {var: _ALIKE})


@lru_cache(maxsize=50_000)
def _negated(body: sp.Expr) -> sp.Expr:
    """−body, built once per body: every sum beside others asks for its partner's at every attempt."""
    return -body


def _with_peers(expr: sp.Add, sums: list) -> list:
    """The (position, signed sum) pairs among `sums` that share their start and their body's marks with another:
    a partner does (renaming an index and negating keep every entry; the ends may differ), so only these are
    worth naming alike."""
    keys = {k: (lo, body_marks(_the_sum(expr.args[k]))) for k, (_, _, lo, _) in sums}
    peers = Counter(keys.values())
    return [(k, p) for k, p in sums if peers[keys[k]] > 1]


def range_differences(expr: sp.Add) -> Iterator[Match]:
    """Every pair of terms Σ_{j=l}^{h} f and Σ_{k=l}^{m} (−f) (or −Σ_{k=l}^{m} f) of `expr`, the bodies
    compared as trees with both indices named alike: their sum is Σ_{j=m+1}^{h} f when l − 1 <= m <= h."""
    sums = [(k, p) for k, a in enumerate(expr.args) if (p := _signed_sum(a)) is not None]
    if len(sums) < 2:
        return
    sums = _with_peers(expr, sums)
    starting: dict = {}         # the terms by (named body, start), in order: a partner is a lookup
    for i, (g, v, lo, m) in sums:
        starting.setdefault((_named_alike(g, v), lo), []).append((i, m))
    for k, (f, j, lo, hi) in sums:
        for i, m in starting.get((_negated(_named_alike(f, j)), lo), ()):
            if i != k:
                rest = (a for n, a in enumerate(expr.args) if n not in (k, i))
                yield sp.Add(*rest, make_sum(f, j, m + 1, hi)), (Le(lo - 1, m), Le(m, hi))


@rule("sum-range-difference",
      r"\sum_{j=l}^{h} f_j - \sum_{j=l}^{m} f_j = \sum_{j=m+1}^{h} f_j \quad (l - 1 \le m \le h)", sp.Add,
      side_conditions="l - 1 <= m and m <= h provable; the bodies are negations of each other up to the name of "
                      "the index",
      requires=lambda r, c, ctx: conditions_for(range_differences(r), c))
def sum_range_difference(expr: sp.Add, ctx: Context):
    """Cancel a common start: Σ_l^h f = Σ_l^m f + Σ_{m+1}^h f for every split point l − 1 <= m <= h
    (m = l − 1 splits off the empty sum, m = h leaves the empty sum Σ_{h+1}^h = 0). Both bounds are
    needed: for m > h the difference is −Σ_{h+1}^m f, and for m < l − 1 the right side would add the
    terms m+1..l−1 that neither sum has. An empty Σ_l^h (h < l) forces m = l − 1 = h: 0 − 0 = 0."""
    out = first_holding(range_differences(expr), ctx)
    return expr if out is None else out


def fubini_view(term) -> tuple | None:
    """Σ_k Σ_j f read as Σ_j Σ_k f, as (Σ_k f, j, lo_j, hi_j): when neither range mentions the other's
    index, finite sums commute (Fubini), so the two are the same number for every f. None otherwise."""
    if not (isinstance(term, Sigma) and isinstance(term.body, Sigma)):
        return None
    outer, inner = term, term.body
    if outer.var in (inner.lo.free_symbols | inner.hi.free_symbols) or \
            inner.var in (outer.lo.free_symbols | outer.hi.free_symbols) or inner.var == outer.var:
        return None
    return make_sum(inner.body, outer.var, outer.lo, outer.hi), inner.var, inner.lo, inner.hi


def adjacent_ranges(expr: sp.Add) -> Iterator[Match]:
    """Every pair of terms ±Σ_{j=l}^{m} f and ±Σ_{k=m+1}^{h} f of `expr` (one sign, the bodies compared as
    trees with both indices named alike, m + 1 and the second start equal as polynomials): their sum is
    ±Σ_{j=l}^{h} f when l − 1 <= m <= h. Bodies are compared with canonical bound names. A double sum is also read in its other order (`fubini_view`), so
    that Σ_k Σ_{j<=m} f and Σ_{j>m} Σ_k f join as Σ_j Σ_k f."""
    views = []
    for k, a in enumerate(expr.args):
        if (p := _signed_sum(a)) is not None:
            views.append((k, p, isinstance(a, Sigma)))
        if (p := fubini_view(a)) is not None:
            views.append((k, p, True))
    if len(views) < 2:
        return
    x = sp.Dummy("x", integer=True)
    named: dict = {}

    def body(n: int) -> sp.Expr:        # canonical names are costly: only for the bodies of adjacent ranges
        if n not in named:
            if "names" not in named:
                named["names"] = symbol_names(expr)
            f, j = views[n][1][:2]
            named[n] = canonical_names(subst(f, {j: x}), named["names"])
        return named[n]

    starts: dict = {}                    # the views by where they start: adjacency is a lookup, not n² expansions
    for n2, (_, (_, _, start, _), _) in enumerate(views):
        starts.setdefault(sp.expand(start), []).append(n2)
    for n, (k, (f, j, lo, m), positive) in enumerate(views):
        for n2 in starts.get(sp.expand(m + 1), ()):
            i, (_, _, _, hi), positive2 = views[n2]
            if i != k and positive == positive2 and body(n2) == body(n):
                rest = (a for q, a in enumerate(expr.args) if q not in (k, i))
                merged = make_sum(f, j, lo, hi) if positive else -make_sum(-f, j, lo, hi)
                yield sp.Add(*rest, merged), (Le(lo - 1, m), Le(m, hi))


@rule("sum-concat",
      r"\sum_{j=l}^{m} f_j + \sum_{j=m+1}^{h} f_j = \sum_{j=l}^{h} f_j \quad (l - 1 \le m \le h)", sp.Add,
      side_conditions="l - 1 <= m and m <= h provable; the second range starts at m + 1; the bodies are equal up "
                      "to the name of the index",
      requires=lambda r, c, ctx: conditions_for(adjacent_ranges(r), c))
def sum_concat(expr: sp.Add, ctx: Context):
    """Join two sums over adjacent ranges, such as a chunkwise form's earlier chunks Σ_{1}^{(c-1)C} and its
    own chunk Σ_{(c-1)C+1}^{t}. Sound when l − 1 <= m <= h: then l..m and m+1..h partition l..h (either
    part may be empty). Without it the parts overlap (m > h: the terms h+1..m are counted on the left
    only) or leave a gap (m < l − 1: the terms m+1..l−1 are counted on the left only)."""
    out = first_holding(adjacent_ranges(expr), ctx)
    return expr if out is None else out


@lru_cache(maxsize=50_000)
def _block_width(u: sp.Symbol, lo: sp.Expr, hi: sp.Expr) -> sp.Expr | None:
    """The width hi − lo + 1 of the blocks lo(u)..hi(u) when block u + 1 starts right after block u and the
    width is free of u, else None: once per range (nested sums over the same ranges recur in every term)."""
    if sp.expand(subst(lo, {u: u + 1}) - hi - 1) != 0:
        return None
    width = sp.expand(hi - lo + 1)
    return None if u in width.free_symbols else width


def consecutive_blocks(expr: Sigma) -> tuple[sp.Expr, tuple] | None:
    """Σ_{u=l}^{h} Σ_{s=A(u)}^{B(u)} f(s), f free of u, where block u + 1 starts right after block u
    (A(u + 1) = B(u) + 1 as polynomials) and every block has the same width B(u) − A(u) + 1, free of u:
    the blocks tile A(l)..B(h), so the double sum is Σ_{s=A(l)}^{B(h)} f(s) when the width is >= 0.
    None when the shape does not match."""
    inner = expr.body
    if not isinstance(inner, Sigma) or expr.var in free_symbols_of(inner.body) or inner.var == expr.var:
        return None
    u, lo, hi = expr.var, inner.lo, inner.hi
    width = _block_width(u, lo, hi)
    if width is None:
        return None
    merged = make_sum(inner.body, inner.var, subst(lo, {u: expr.lo}), subst(hi, {u: expr.hi}))
    return merged, (Le(0, width),)


@rule("sum-blocks",
      r"\sum_{u=l}^{h} \sum_{s=A(u)}^{A(u)+w-1} f_s = \sum_{s=A(l)}^{A(h)+w-1} f_s \quad (A(u+1) = A(u) + w,\ w \ge 0)",
      Sigma,
      side_conditions="block u + 1 starts right after block u, as polynomials; the width w is free of u and w >= 0 "
                      "provable; f free of u",
      requires=lambda r, c, ctx: () if (m := consecutive_blocks(r)) is None else m[1])
def sum_blocks(expr: Sigma, ctx: Context):
    """Flatten a sum over consecutive blocks of one width, such as the chunks a chunkwise state adds up:
    Σ_{u=1}^{c} Σ_{s=(u−1)C+1}^{uC} f(s) = Σ_{s=1}^{cC} f(s). A(u + 1) − A(u) = w for a w free of u makes A
    affine in u, so B(h) = A(l) + (h − l + 1)·w − 1. Sound for w >= 0 by induction on h: for h <= l − 1 the
    left side is empty and so is the right (B(h) <= A(l) − 1); adding block h + 1 to A(l)..B(h) joins
    adjacent ranges (B(h) + 1 = A(h + 1)) with A(l) − 1 <= B(h) <= B(h + 1). With w < 0 the right side
    would run backwards over other terms, hence the side condition."""
    m = consecutive_blocks(expr)
    if m is None or not all(c.holds(ctx) for c in m[1]):
        return expr
    return m[0]


SUMS = RuleSet("sums", (sum_empty, sum_zero, sum_singleton, sum_split_add, sum_guard_to_range, sum_delta,
                        sum_factor_in, sum_absorb_last, sum_range_difference, sum_concat, sum_blocks))
INDUCTION = RuleSet("induction", (sum_peel_last,))     # an induction step's first move, never a normalizing one
