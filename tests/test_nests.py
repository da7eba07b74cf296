"""Nests of sums whose ranges read enclosing indices: canonical renaming reorders the whole nest (Fubini, each
range kept inside the sums it reads), and the checker's α-equivalence accepts exactly such orders.

Renaming used to take a chain as the first run of independent ranges. That run depends on where renaming put
the links (Σ_j Σ_{l=1}^{j} Σ_k becomes Σ_j Σ_k Σ_l, whose first run is longer), and on shadowed names
(Σ_{l=j}^{t} Σ_{j=j}^{j} stopped at the inner j, a name the outer range reads from outside the nest); renaming a
renamed tree changed it again on about 0.8% of random trees that reuse index names.
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings, strategies as st

from helpers import K, Q, T, b, draw_inputs, same, t, values
from symcheck.binders import _orders, canonical_names
from symcheck.index import Iverson, index, make_sum
from symcheck.replay_alpha import alpha_equal

q, kk = Q.base, K.base
j, k, l, a = (index(x) for x in "jkla")
RESERVED = {"t", "b", "T", "d", "N"}
INPUTS = draw_inputs(np.random.default_rng(0), 3, 2)


def nest(data, depth: int, scope: list) -> sp.Expr:
    """A random tree over three index names that shadow each other, whose sums' ranges read enclosing indices."""
    choice = data.draw(st.integers(0, 5 if depth else 2))
    pick = lambda options: data.draw(st.sampled_from(options))      # noqa: E731
    if choice == 0:
        return pick([q, kk])[pick(scope), b]
    if choice == 1:
        return sp.Integer(data.draw(st.integers(1, 3)))
    if choice == 2:
        x, y = pick(scope), pick([*scope, T])
        return Iverson(sp.Le(x, y)) if x != y else sp.Integer(1)
    if choice in (3, 4):
        left, right = nest(data, depth - 1, scope), nest(data, depth - 1, scope)
        return left + right if choice == 3 else left * right
    var = pick([j, k, l])
    body = nest(data, depth - 1, [s for s in scope if s != var] + [var])
    return make_sum(body, var, pick([sp.Integer(1), *scope]), pick([t, T, *scope]))


def renamed(e: sp.Expr) -> sp.Expr:
    return canonical_names(e, RESERVED)


@settings(max_examples=300)
@given(st.data())
def test_renaming_a_renamed_tree_changes_nothing(data):
    once = renamed(nest(data, 6, [t]))
    assert renamed(once) == once


@settings(max_examples=150)
@given(st.data())
def test_renaming_keeps_the_value_and_the_checker_sees_the_same_tree(data):
    """Values at t = 3 and t = 2 (a range over an enclosing index may be empty), and the checker's own
    α-equivalence with reordered nests (what an `alpha-rename` step of a certificate must pass)."""
    e = nest(data, 5, [t])
    out = renamed(e)
    for row in (3, 2):
        assert same(_at_row(e, row), _at_row(out, row))
    assert alpha_equal(e, out, renaming=True)


def _at_row(e: sp.Expr, row: int) -> np.ndarray:
    from symcheck.evaluate import evaluate
    return evaluate(e, {t: row, b: 2}, {"T": 3, "d": 2, "N": 3}, INPUTS)


# Σ_j Σ_{l=1}^{j} Σ_k Q[l]·exp(K[k]·Q[j]) in the three orders that keep l inside j
def _nested(order: str) -> sp.Expr:
    body = q[l, b] * sp.exp(kk[k, b] * q[j, b])
    ranges = {"j": (j, 1, t), "l": (l, 1, j), "k": (k, 1, T)}
    for name in reversed(order):
        body = make_sum(body, *ranges[name])
    return body


@pytest.mark.parametrize("order", ["jkl", "kjl"])
def test_a_nest_in_every_order_that_keeps_its_ranges_inside_has_one_canonical_form(order):
    assert renamed(_nested(order)) == renamed(_nested("jlk"))
    assert alpha_equal(_nested(order), _nested("jlk"), renaming=True)


def test_a_range_that_reads_a_sum_placed_below_it_is_no_reordering():
    """Σ_{a=1}^{t} Σ_{t=1}^{T} Q[a]·Q[t] (a's range reads the free t; the inner sum shadows it) and
    Σ_{t=1}^{T} Σ_{a=1}^{t} Q[a]·Q[t] (a's range reads the sum) differ. Matching a with a, the checker reads the
    second's t as the sum above a, not yet matched: unknown, never the free t it is named like (a checker that
    read it as the free t accepted this pair)."""
    tt = index("t")
    body = q[a, b] * q[tt, b]
    x = make_sum(make_sum(body, tt, 1, T), a, 1, t)
    y = make_sum(make_sum(body, a, 1, tt), tt, 1, T)
    assert not same(values(x, 3, 2, 3, INPUTS), values(y, 3, 2, 3, INPUTS))
    assert not alpha_equal(x, y, renaming=True)
    assert renamed(x) != renamed(y)


@pytest.mark.parametrize("shadowing, apart", [
    (make_sum(make_sum(make_sum(kk[l, b], j, j, j), l, j, t), j, 1, t),
     make_sum(make_sum(make_sum(kk[l, b], a, j, j), l, j, t), j, 1, t)),
    (make_sum(make_sum(q[k, b] * kk[j, b], j, 1, T), k, j, t),
     make_sum(make_sum(q[k, b] * kk[a, b], a, 1, T), k, j, t)),
])
def test_a_link_that_shadows_a_name_an_outer_range_reads_is_renamed_as_one_that_does_not(shadowing, apart):
    assert renamed(shadowing) == renamed(apart)
    assert alpha_equal(shadowing, apart, renaming=True)


def test_orders_keep_each_link_after_the_links_its_range_reads():
    """Keys (0, 1, 0): link 2 has the least key but reads link 1, so it comes after it; the others by key."""
    assert _orders([0, 1, 0], [(), (), (1,)]) == [(0, 1, 2)]
    assert _orders([1, 0, 0], [(), (), ()]) == [(1, 2, 0), (2, 1, 0)]
    assert _orders([0, 0, 0], [(), (0,), (0,)]) == [(0, 1, 2), (0, 2, 1)]


def _odd_one(odd_hi: sp.Expr) -> sp.Expr:
    """Ten sums over 1..T, the innermost over 1..odd_hi, under a body that tells every sum apart."""
    vs = [index(f"v{n}") for n in range(10)]
    e = sp.Mul(*(q[v, b] ** (n + 1) for n, v in enumerate(vs)))
    for n, v in enumerate(vs):
        e = make_sum(e, v, 1, odd_hi if n == 0 else T)     # the odd sum innermost: found last
    return e


def test_two_nests_of_alike_ranges_that_do_not_match_are_told_apart_in_bounded_work(monkeypatch):
    """Nine alike ranges and one odd one on each side, the odd ones unequal: depth first, (n-1)! partial
    matchings (45 s for ten sums). The search stops after `MAX_NEST_WORK` comparisons of ranges and orders and
    calls the nests unequal; a pair that does match is still found."""
    from symcheck import replay_alpha
    calls = [0]
    eq = replay_alpha._Alpha.eq

    def counted(self, x, y, left, right):
        calls[0] += 1
        return eq(self, x, y, left, right)

    monkeypatch.setattr(replay_alpha._Alpha, "eq", counted)
    assert not alpha_equal(_odd_one(t), _odd_one(t - 1), renaming=True)
    assert calls[0] < 10 * replay_alpha.MAX_NEST_WORK
    assert alpha_equal(_odd_one(t), _odd_one(t), renaming=True)


def _alike(read: int, n: int = 5) -> sp.Expr:
    """n sums over 1..T the body does not read, the `read`-th of them read by the range of the innermost sum."""
    vs = [index(f"v{m}") for m in range(n)]
    e = make_sum(q[a, b], a, 1, vs[read])
    for v in reversed(vs):
        e = make_sum(e, v, 1, T)
    return e


def test_alike_links_past_the_orders_tried_are_told_apart_by_the_links_they_meet():
    """Five alike sums have 120 orders and 24 are tried: which of them the innermost range reads decided which
    24 (two canonical forms for five α-equivalent nests); told apart by who reads them, they need none."""
    assert len({renamed(_alike(r)) for r in range(5)}) == 1


def long_nest(data) -> sp.Expr:
    """Twelve to sixteen sums over 1..t, 1..T or an enclosing sum's index, under a product of reads and brackets."""
    n = data.draw(st.integers(12, 16))
    vs = [index(f"v{m}") for m in range(n)]
    pick = lambda options: data.draw(st.sampled_from(options))      # noqa: E731
    body = sp.Integer(1)
    for _ in range(data.draw(st.integers(n // 2, n + 3))):
        x, y = pick(vs), pick(vs)
        body *= pick([q, kk])[x, b] if x == y or data.draw(st.booleans()) else Iverson(sp.Le(x, y))
    for m in reversed(range(n)):
        body = make_sum(body, vs[m], pick([sp.Integer(1), *vs[:m][-2:]]), pick([t, T, *vs[:m][-2:]]))
    return body


@settings(max_examples=60)
@given(st.data())
def test_renaming_a_renamed_long_nest_changes_nothing(data):
    once = renamed(long_nest(data))
    assert renamed(once) == once


def test_the_tests_of_one_certificate_share_one_search_budget():
    """A rule that tests each term of a sum would spend a test's budget once per term: while a certificate is
    checked (`search_budget`), every test also spends from one budget, and a spent one rejects the certificate."""
    from symcheck import replay_alpha
    from symcheck.replay import Rejected
    from symcheck.replay_alpha import search_budget
    x, y = _odd_one(t), _odd_one(t - 1)         # a search that spends the whole of a test's budget
    assert not alpha_equal(x, y, renaming=True)
    with search_budget(int(1.5 * replay_alpha.MAX_NEST_WORK)):
        assert not alpha_equal(x, y, renaming=True)
        with pytest.raises(Rejected, match="budget for one certificate"):
            alpha_equal(x, y, renaming=True)
    assert not alpha_equal(x, y, renaming=True)           # outside a certificate, each test has its own


def test_the_checker_finds_a_partner_the_body_reads_alike_before_the_720th_order():
    """Seven alike sums whose body reads the outermost; renaming moves that sum innermost. Matched in the order the
    sums stand, the partner comes after 6·6! = 4,320 orders, past the 720 tried: the checker refused a valid
    renaming (before this session too). Partners whose index the body reads as often are tried first."""
    vs = [index(f"v{n}") for n in range(7)]
    e = q[vs[0], b]
    for v in reversed(vs):
        e = make_sum(e, v, 1, T)
    out = renamed(e)
    assert out != e and alpha_equal(e, out, renaming=True)
