"""The two rules the DNC's allocation needs: where `prod-iverson` and `iverson-difference` fire, the checker's
own table for them, a brute-force property over small integers, and attacks (size 1, empty ranges, zeros,
colliding names)."""

from __future__ import annotations

import pytest
import sympy as sp
from hypothesis import given, strategies as st

from helpers import K, N, Q, T, b, d, t, world_context
from symcheck.index import Iverson, Prod, index
from symcheck.replay_rules import Site, check_step
from symcheck.rules import RULES

j = index("j")
prod_iverson, difference = RULES["prod-iverson"], RULES["iverson-difference"]


@pytest.mark.parametrize("expr,after", [
    (Prod(Iverson(sp.Le(j, t)), j, 1, b), Iverson(sp.Le(b, t))),                  # decreasing: the last bracket
    (Prod(Iverson(sp.Le(t, j + 2)), j, b, d), Iverson(sp.Le(t, b + 2))),          # increasing: the first one
    (Prod(Iverson(sp.Le(j, T)), j, t + 1, t), Iverson(sp.Le(t, T))),              # empty, holds at t: 1 either way
    (Prod(Iverson(sp.Le(j + 1, t)), j, 1, b - 1), Iverson(sp.Le(b, t))),          # the allocation's Π_{k<i} [k < t]
    (Prod(Iverson(sp.Le(j, t - 1)), j, t, t - 1), 1),                             # empty: the bracket at t - 1 holds
    (Prod(Iverson(sp.Le(T + 1, j)), j, t + 1, t), None),          # empty, and [T <= t] may fail: the product is 1
    (Prod(Iverson(sp.Eq(j, t)), j, 1, b), None),                                  # an equation is not monotone
    (Prod(Iverson(sp.Le(j, t)) * Q[j, b], j, 1, b), None),                        # more than the bracket
    (Prod(Iverson(sp.Le(t, b)), j, 1, d), None),                                  # free of j: prod-factor's
    (Prod(Iverson(sp.Le(j ** 2, t)), j, 1, b), None),                             # not affine in j
])
def test_prod_iverson_fires_only_on_one_monotone_bracket(expr, after):
    assert prod_iverson(expr, world_context()) == (expr if after is None else after)


@pytest.mark.parametrize("expr,after", [
    (Iverson(sp.Le(b, t)) - Iverson(sp.Le(b + 1, t)), Iverson(sp.Eq(b, t))),
    (Q[t, b] * Iverson(sp.Le(b, t)) - Q[t, b] * Iverson(sp.Le(b + 1, t)) + K[t, b],
     Q[t, b] * Iverson(sp.Eq(b, t)) + K[t, b]),
    (Iverson(sp.Le(b, t)) + Iverson(sp.Le(b + 1, t)), None),                      # a sum, not a difference
    (Iverson(sp.Le(b, t)) - Iverson(sp.Le(b + 2, t)), None),                      # two apart: [b <= t <= b + 1]
    (Q[t, b] * Iverson(sp.Le(b, t)) - K[t, b] * Iverson(sp.Le(b + 1, t)), None),  # different cofactors
    (Iverson(sp.Le(b + 1, t)) - Iverson(sp.Le(b, t)), -Iverson(sp.Eq(b, t))),     # m = −1
])
def test_iverson_difference_only_on_adjacent_brackets_of_opposite_sign(expr, after):
    assert difference(expr, world_context()) == (expr if after is None else after)


@pytest.mark.parametrize("rule,redex,contractum", [
    ("prod-iverson", Prod(Iverson(sp.Le(j, t)), j, 1, b), Iverson(sp.Le(1, t))),            # the wrong end
    ("prod-iverson", Prod(Iverson(sp.Le(t, j)), j, 1, b), Iverson(sp.Le(t, b))),
    ("prod-iverson", Prod(Iverson(sp.Le(T + 1, j)), j, t + 1, t), Iverson(sp.Le(T, t))),     # empty range
    ("prod-iverson", Prod(Iverson(sp.Eq(j, t)), j, 1, b), Iverson(sp.Eq(b, t))),
    ("iverson-difference", Iverson(sp.Le(b, t)) - Iverson(sp.Le(b + 2, t)), Iverson(sp.Eq(b, t))),
    ("iverson-difference", Iverson(sp.Le(b, t)) + Iverson(sp.Le(b + 1, t)), Iverson(sp.Eq(b, t))),
    ("iverson-difference", Q[t, b] * Iverson(sp.Le(b, t)) - K[t, b] * Iverson(sp.Le(b + 1, t)),
     Q[t, b] * Iverson(sp.Eq(b, t))),
    ("iverson-difference", Iverson(sp.Le(b, t)) - Iverson(sp.Le(b + 1, t)), Iverson(sp.Eq(b + 1, t))),
])
def test_the_checker_rejects_a_false_step(rule, redex, contractum):
    assert check_step(rule, redex, contractum, Site(facts=_site_facts())) is not None


def _site_facts():
    return tuple((sp.sympify(lo), sp.sympify(hi)) for lo, hi in ((1, T), (1, d), (1, N), (T, N), (1, t), (t, T),
                                                                  (1, b), (b, d)))


@pytest.mark.parametrize("rule,redex", [
    ("prod-iverson", Prod(Iverson(sp.Le(j, t)), j, 1, b)),
    ("prod-iverson", Prod(Iverson(sp.Le(t, j + 2)), j, b, d)),
    ("prod-iverson", Prod(Iverson(sp.Le(j, T)), j, t + 1, t)),
    ("iverson-difference", Q[t, b] * Iverson(sp.Le(b, t)) - Q[t, b] * Iverson(sp.Le(b + 1, t)) + K[t, b]),
])
def test_the_checker_accepts_the_prover_step(rule, redex):
    contractum = RULES[rule](redex, world_context())
    assert contractum != redex and check_step(rule, redex, contractum, Site(facts=_site_facts())) is None


@given(st.integers(-3, 3), st.integers(-3, 4), st.integers(-2, 2), st.integers(-3, 3))
def test_prod_iverson_agrees_with_the_product_by_brute_force(lo, hi, c, x):
    """Π_{j=lo}^{hi} [c·j <= x] at integer ends: where the rule fires, its bracket is the product (0 or 1)."""
    expr = Prod(Iverson(sp.Le(c * j, x)), j, lo, hi)
    if not isinstance(expr.body, Iverson):
        return
    out = prod_iverson(expr, world_context())
    product = int(all(c * k <= x for k in range(lo, hi + 1)))
    assert out == expr or out == product


@given(st.integers(-3, 3), st.integers(-3, 3))
def test_iverson_difference_agrees_by_brute_force(bv, tv):
    out = difference(Iverson(sp.Le(b, t)) - Iverson(sp.Le(b + 1, t)), world_context())
    assert out.xreplace({b: sp.Integer(bv), t: sp.Integer(tv)}) == Iverson(sp.Eq(bv, tv)) == int(bv == tv)


def test_attack_size_one_and_zero_inputs():
    """At T = d = 1 the product Π_{j=1}^{b-1} [j < t] is empty (b = 1) and equals [b <= t] = 1."""
    out = prod_iverson(Prod(Iverson(sp.Le(j + 1, t)), j, 1, b - 1), world_context())
    assert out == Iverson(sp.Le(b, t)) and out.xreplace({b: sp.S.One, t: sp.S.One}) == 1
    zero = 0 * Iverson(sp.Le(b, t)) - 0 * Iverson(sp.Le(b + 1, t))                  # sympy folds it to 0
    assert difference(zero, world_context()) == zero


def test_attack_a_product_index_named_like_a_free_symbol():
    """The product's own t is bound: the bracket at its end names the end, never the outer t."""
    out = prod_iverson(Prod(Iverson(sp.Le(t, T)), t, 1, b), world_context())
    assert out == Iverson(sp.Le(b, T))
