"""`absorb_last` skips a range whose next term has an entry no other argument has: a speed-up only.

The filter (`ranges._Arguments.may_follow`) must never skip a range that the full search would grow: the
property below compares the matches with and without it on random sums and products beside their
next terms, renamed copies of them, near misses and unrelated terms.
"""

from __future__ import annotations

import sympy as sp
from hypothesis import given, settings, strategies as st

from symcheck.binders import subst
from symcheck.index import Iverson, Prod, Sigma, index
from symcheck.rules import ranges
from symcheck.rules.ranges import absorb_last

j, k, m, t, T = (index(n) for n in ("j", "k", "m", "t", "T"))
X, W = sp.IndexedBase("X"), sp.IndexedBase("W")
POSITIONS = (j, k, t, j - 1, j + 1, t + 1, sp.Integer(1), T)


def leaves():
    return st.one_of(
        st.builds(lambda a, b: X[a, b], st.sampled_from(POSITIONS), st.sampled_from(POSITIONS)),
        st.builds(lambda a: W[a], st.sampled_from(POSITIONS)),
        st.sampled_from((t, sp.Integer(2), sp.Integer(-1), t ** -1, j ** -1)),
        st.builds(lambda a: 1 / X[a, t], st.sampled_from(POSITIONS)),      # an entry that may cancel
        st.builds(lambda a, b: Iverson(sp.Le(a, b)), st.sampled_from(POSITIONS), st.sampled_from(POSITIONS)),
    )


def bodies():
    return st.recursive(leaves(), lambda inner: st.one_of(
        st.builds(lambda a, b: a * b, inner, inner),
        st.builds(lambda a, b: a + b, inner, inner),
        st.builds(lambda a: a ** 2, inner),
        st.builds(lambda a: sp.exp(a), inner),
        st.builds(lambda a: Sigma(a, k, 1, t), inner),
    ), max_leaves=6)


@st.composite
def beside_next_terms(draw, kind=Sigma, op=sp.Add):
    """`op` of a `kind` node over j and terms near its next one: the next term itself, with its inner index
    renamed, at another point, and unrelated terms."""
    body = draw(bodies())
    lo, hi = draw(st.sampled_from((1, t))), draw(st.sampled_from((t, t - 1, T)))
    r = kind(body, j, lo, hi)
    nxt = subst(body, {j: hi + 1})
    candidates = [nxt, subst(nxt, {k: m}), nxt.xreplace({k: m}), subst(body, {j: hi}), subst(body, {j: hi + 2}),
                  draw(bodies()), draw(bodies())]
    chosen = draw(st.lists(st.sampled_from(candidates), min_size=1, max_size=3))
    return op(r, *chosen)


def _all_matches(expr, kind, op, monkeypatch=None) -> list:
    return [(out, tuple(c.text() for c in conds)) for out, conds in absorb_last(expr, kind, op)]


def _unfiltered(expr, kind, op) -> list:
    keep = ranges._Arguments.may_follow
    ranges._Arguments.may_follow = lambda self, r, op: True
    try:
        return _all_matches(expr, kind, op)
    finally:
        ranges._Arguments.may_follow = keep


def may_follow(r, others, op=sp.Add) -> bool:
    return ranges._Arguments((r, *others)).may_follow(r, op)


@settings(max_examples=120, deadline=None)
@given(beside_next_terms())
def test_the_filter_keeps_every_sum_the_search_would_grow(expr):
    assert _all_matches(expr, Sigma, sp.Add) == _unfiltered(expr, Sigma, sp.Add)


@settings(max_examples=60, deadline=None)
@given(beside_next_terms(Prod, sp.Mul))
def test_the_filter_keeps_every_product_the_search_would_grow(expr):
    assert _all_matches(expr, Prod, sp.Mul) == _unfiltered(expr, Prod, sp.Mul)


def test_the_property_draws_cases_that_grow_and_cases_the_filter_skips():
    """The generator is not vacuous: some drawn sums grow, and some are skipped without building the next term."""
    grew, skipped = [], []

    @settings(max_examples=100, deadline=None, database=None)
    @given(beside_next_terms())
    def probe(expr):
        if _all_matches(expr, Sigma, sp.Add):
            grew.append(expr)
        rs = [a for a in expr.args if isinstance(a, Sigma)]
        if any(not may_follow(r, [a for a in expr.args if a is not r]) for r in rs):
            skipped.append(expr)

    probe()
    assert grew and skipped


def test_a_next_term_with_its_inner_index_renamed_is_still_absorbed():
    """The marks forget an index bound inside the term: Σ_k X[j, k] at j = t + 1 read as Σ_m X[t + 1, m]."""
    s = Sigma(Sigma(X[j, k] * W[k], k, 1, T), j, 1, t)
    expr = s + Sigma(X[t + 1, m] * W[m], m, 1, T)
    assert may_follow(s, [expr.args[0] if expr.args[1] == s else expr.args[1]])
    assert [out for out, _ in absorb_last(expr, Sigma, sp.Add)] == [Sigma(Sigma(X[j, k] * W[k], k, 1, T), j, 1, t + 1)]


def test_a_next_term_whose_entry_is_elsewhere_is_skipped_without_building_it():
    s = Sigma(X[j, t] * W[j], j, 1, t)
    assert not may_follow(s, [X[t, t] * W[t], W[t + 2]])
    assert may_follow(s, [X[t + 1, t] * W[t + 1]])


def test_a_body_whose_entries_may_cancel_is_never_skipped():
    """With a power x⁻¹ of an entry beside it, the next term's entry may cancel: no marks, no filter."""
    s = Sigma(X[j, t] * sp.Pow(X[t + 1, t], -1, evaluate=False), j, 1, t)
    assert ranges._next_marks(s) == (frozenset(), False)


def test_a_sum_of_terms_is_not_read_for_marks():
    """The next term of X[j, t] − X[t + 1, t] + W[j] at j = t + 1 is W[t + 1]: the entry X[t + 1, t] cancels."""
    s = Sigma(X[j, t] - X[t + 1, t] + W[j], j, 1, t)
    expr = s + W[t + 1]
    assert [out for out, _ in absorb_last(expr, Sigma, sp.Add)] == [Sigma(s.body, j, 1, t + 1)]


def test_a_product_in_a_sum_that_becomes_zero_leaves_the_sum():
    """At j = t + 1 the bracket makes Σ_k X[j, k]·[j ≤ t] the sum Σ_k 0, which keeps no entry of X: a term
    Σ_m 0 beside it is its next term all the same."""
    s = Sigma(Sigma(X[j, k] * Iverson(sp.Le(j, t)), k, 1, T), j, 1, t)
    zero = Sigma(sp.S.Zero, m, 1, T)
    assert subst(s.body, {j: t + 1}) == Sigma(sp.S.Zero, k, 1, T)
    assert [out for out, _ in absorb_last(s + zero, Sigma, sp.Add)] == [Sigma(s.body, j, 1, t + 1)]


@st.composite
def sums_with_partners(draw):
    """A sum of ±Σ terms over ranges (an end may be an entry) and copies of their bodies renamed and negated."""
    terms = []
    for _ in range(draw(st.integers(1, 3))):
        body = draw(bodies())
        lo = draw(st.sampled_from((1, t)))
        ends = draw(st.lists(st.sampled_from((t, T, t - 1, W[1])), min_size=1, max_size=2))
        for n, hi in enumerate(ends):
            if n == 0:
                terms.append(Sigma(body, j, lo, hi))
                continue
            f = subst(body, {j: m})                 # a partner: −Σ f, or Σ (−f), over m
            terms.append(-Sigma(f, m, lo, hi) if draw(st.booleans()) else Sigma(-f, m, lo, hi))
    return sp.Add(*terms)


@settings(max_examples=120, deadline=None)
@given(sums_with_partners())
def test_the_range_difference_filter_keeps_every_pair_the_search_would_cancel(expr):
    """`range_differences` names alike only sums that share a start and their bodies' marks (`_with_peers`);
    without that filter the matches are the same."""
    from symcheck.rules import sums
    filtered = list(sums.range_differences(expr))
    keep = sums._with_peers
    sums._with_peers = lambda expr, pairs: pairs
    try:
        assert filtered == list(sums.range_differences(expr))
    finally:
        sums._with_peers = keep


def test_partners_whose_ends_hold_an_entry_still_cancel():
    """Σ_{j=1}^{W[1]} X[j] − Σ_{k=1}^{t} X[k]: the ends differ in their entries, the bodies do not."""
    from symcheck.rules.sums import range_differences
    expr = Sigma(X[j, t], j, 1, W[1]) - Sigma(X[k, t], k, 1, t)
    assert len(list(range_differences(expr))) == 2
