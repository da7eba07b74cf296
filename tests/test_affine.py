"""Entailment over integer facts: sound (checked against brute force) and strong enough."""

from __future__ import annotations

import itertools
import math

import pytest
import sympy as sp
from hypothesis import given, strategies as st

from symcheck.affine import affine, entails_nonneg, integral, nonneg
from symcheck.index import index, size

T, N = size("T"), size("N")
t, j = index("t"), index("j")
FACTS = frozenset(nonneg(lo, hi) for lo, hi in ((1, t), (t, T), (T, N), (1, j), (j, t)))


@pytest.mark.parametrize("lo,hi,expected", [
    (j, T, True), (j, N, True), (1, T, True), (t, j, False), (j, t - 1, False),
    (j + 1, t + 1, True), (0, j - 1, True), (t, T - 1, False), (2 * j, 2 * t, True),
])
def test_entailment_table(lo, hi, expected):
    assert entails_nonneg(FACTS, nonneg(lo, hi)) is expected


def test_non_affine_is_not_decomposed():
    assert affine(t * j) is None


names = ["t", "T", "N", "j"]
coeff = st.integers(-2, 2)


@given(st.lists(st.tuples(coeff, coeff, coeff, coeff, st.integers(-3, 3)), min_size=1, max_size=4),
       st.tuples(coeff, coeff, coeff, coeff, st.integers(-3, 3)))
def test_entailment_is_sound_against_brute_force(fact_rows, goal_row):
    sym = {"t": t, "T": T, "N": N, "j": j}
    form = lambda row: affine(sum(c * sym[n] for c, n in zip(row[:4], names)) + row[4])
    facts = frozenset(integral(form(r)) for r in fact_rows)
    goal = form(goal_row)
    if not entails_nonneg(facts, goal):
        return
    for vals in itertools.product(range(-3, 4), repeat=4):
        env = dict(zip(names, vals))
        ev = lambda row: sum(c * env[n] for c, n in zip(row[:4], names)) + row[4]
        if all(ev(r) >= 0 for r in fact_rows):
            assert ev(goal_row) >= 0, (fact_rows, goal_row, env)


@given(st.tuples(st.fractions(-4, 4, max_denominator=6), st.fractions(-4, 4, max_denominator=6),
                 st.fractions(-4, 4, max_denominator=6)))
def test_an_integral_fact_is_the_same_inequality_with_coprime_integers(row):
    form = affine(sp.Rational(row[0].numerator, row[0].denominator) * t
                  + sp.Rational(row[1].numerator, row[1].denominator) * j
                  + sp.Rational(row[2].numerator, row[2].denominator))
    items, const = integral(form)
    numbers = [c for _, c in items] + [const]
    assert all(isinstance(c, int) for c in numbers) and math.gcd(*numbers) in (0, 1)
    for vals in itertools.product(range(-3, 4), repeat=2):
        env = dict(zip(("j", "t"), vals))
        value = lambda items, const: sum(c * env[n] for n, c in items) + const
        assert (value(*form) >= 0) == (value(items, const) >= 0)
        assert (value(*form) == 0) == (value(items, const) == 0)


FACT = st.tuples(coeff, coeff, coeff, coeff, st.integers(-3, 3)).map(
    lambda row: integral((tuple((n, c) for n, c in zip(names, row[:4]) if c), row[4])))


@given(st.lists(st.lists(FACT, max_size=3), min_size=1, max_size=5))
def test_components_grown_fact_by_fact_are_the_components_made_afresh(steps):
    """A context's facts grow by a few at a time (a sum's range); their components are merged into the
    parent's, and must be what a partition of the whole set gives: the same sets, one object per component."""
    from symcheck.affine import _components, _partition, grown
    facts = frozenset()
    for added in steps:
        bigger = facts | frozenset(added)
        if bigger != facts:
            grown(bigger, facts, bigger - facts)
        facts = bigger
        parts = _components(facts)
        assert parts == _partition(facts)
        for k, part in parts.items():
            assert all(parts[m] is part for f in part for m, _ in f[0])
