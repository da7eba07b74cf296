"""Rules over ranges (products, absorbing the next term, cancelling a common start, re-indexing): where each
fires, that it keeps the value on random small ranges including empty ones, and the claims that should
fool each rule (empty ranges, lo = hi + 1, a range that mentions the bound name, size 1)."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, strategies as st

from helpers import K, Q, T, b, d, draw_inputs, same, t, values, world_context
from symcheck import Claim, Config, check, from_index, matrix
from symcheck.index import Iverson, Prod, Sigma, index, power
from symcheck.normalize import Normalizer
from symcheck.rules import NORMALIZING, RULES
from symcheck.rules.reindex import shifting

j, k, m = index("j"), index("k"), index("m")


def step(name: str, expr):
    """One rewrite by the named rule (normalizing rules through the kernel, which re-proves their side
    conditions; the others at the root), or None."""
    rule = RULES[name]
    if rule in NORMALIZING.rules:
        s = Normalizer(rules=(rule,)).rewrite_once(expr, world_context())
        return None if s is None else s.after
    out = rule(expr, world_context())
    return None if out == expr else out


def f(x):
    """A body that depends on its index also outside the input's rows (where entries are 0)."""
    return x + 3 + Q[x, b]


# -- where each rule fires, exactly ------------------------------------------------------------------------------
FIRES = [
    ("prod-empty", Prod(f(j), j, t + 1, t), 1),
    ("prod-empty", Prod(f(j), j, t, t), None),                            # one factor, not empty
    ("prod-empty", Prod(f(j), j, b, t), None),                            # empty only where b > t
    ("prod-one", Prod(1, j, b, t), 1),
    ("prod-singleton", Prod(f(j), j, t, t), f(t)),
    ("prod-singleton", Prod(f(j), j, 1, T), None),                        # one factor only when T = 1
    ("prod-exp", Prod(sp.exp(Q[j, b]), j, b, t), sp.exp(Sigma(Q[j, b], j, b, t))),
    ("prod-exp", Prod(2 * sp.exp(Q[j, b]), j, 1, t), None),
    ("prod-factor", Prod(Q[t, b] * f(j), j, 1, t), power(Q[t, b], t) * Prod(f(j), j, 1, t)),
    ("prod-factor", Prod(K[t, b] * f(j), j, t + 1, t), Prod(f(j), j, t + 1, t)),      # h = l - 1: c^0 = 1
    ("prod-factor", Prod(K[t, b] * f(j), j, t + 2, t), None),             # h < l - 1: the exponent would be -1
    ("prod-factor", Prod(K[t, b] * f(j), j, b, t), None),
    ("prod-iverson", Prod(Iverson(sp.Le(j, t)), j, 1, b), Iverson(sp.Le(b, t))),
    ("prod-iverson", Prod(Iverson(sp.Le(T + 1, j)), j, t + 1, t), None),  # empty, and [T <= t] unprovable
    ("prod-absorb-last", Prod(j * Q[j, b], j, 1, t - 1) * t * Q[t, b] * K[t, b], Prod(j * Q[j, b], j, 1, t) * K[t, b]),
    ("prod-absorb-last", Prod(f(j), j, 1, t - 1) * f(t), Prod(f(j), j, 1, t)),
    ("prod-absorb-last", Prod(f(j), j, t, t - 1) * f(t), Prod(f(j), j, t, t)),          # l = h: 1 · f_h
    ("prod-absorb-last", Prod(f(j), j, t + 1, t - 1) * f(t), None),                     # l = h + 1
    ("prod-absorb-last", Prod(f(j), j, b, t - 1) * f(t), None),                         # l <= h unprovable
    ("prod-absorb-last", Prod(f(j), j, 1, t - 1) * f(t + 1), None),                     # not the next factor
    ("sum-absorb-last", Sigma(f(j), j, 1, t - 1) + f(t), Sigma(f(j), j, 1, t)),
    ("sum-absorb-last", Sigma(f(j), j, t, t - 1) + f(t) + K[t, b], Sigma(f(j), j, t, t) + K[t, b]),
    ("sum-absorb-last", Sigma(f(j), j, t + 1, t - 1) + f(t), None),                     # l = h + 1
    ("sum-absorb-last", Sigma(f(j), j, b, t - 1) + f(t), None),
    ("sum-absorb-last", Sigma(f(j), j, 1, t - 1) + 2 * f(t), None),                     # exact match only
    # ... up to the names of bound indices: the next term's inner sum binds m, the body's binds k
    ("sum-absorb-last", Sigma(Sigma(Q[j, k] * K[k, b], k, 1, d), j, 1, t - 1) + Sigma(Q[t, m] * K[m, b], m, 1, d),
     Sigma(Sigma(Q[j, k] * K[k, b], k, 1, d), j, 1, t)),
    ("sum-absorb-last", Sigma(Sigma(Q[j, k] * K[k, b], k, 1, d), j, 1, t - 1) + Sigma(Q[t, m] * K[m, m], m, 1, d),
     None),                                                                             # the free b is not bound
    ("prod-absorb-last", Prod(Sigma(Q[j, k], k, 1, d), j, 1, t - 1) * Sigma(Q[t, m], m, 1, d),
     Prod(Sigma(Q[j, k], k, 1, d), j, 1, t)),
    ("sum-range-difference", Sigma(f(j), j, 1, t) - Sigma(f(k), k, 1, t - 1), Sigma(f(j), j, t, t)),
    ("sum-range-difference", Sigma(f(j), j, 1, t - 1) + Sigma(-f(k), k, 1, t), Sigma(-f(k), k, t, t)),
    ("sum-range-difference", Sigma(f(j), j, b, d) - Sigma(f(j), j, b, b - 1), Sigma(f(j), j, b, d)),
    ("sum-range-difference", Sigma(f(j), j, b, d) - Sigma(f(j), j, b, b - 2), None),    # m < l - 1
    ("sum-range-difference", Sigma(f(j), j, 1, t) - Sigma(f(j), j, 2, t - 1), None),    # different starts
    ("sum-range-difference", Sigma(f(j), j, 1, t) - Sigma(Q[j, b], k, 1, t - 1), None),  # j free in the other
    ("sum-range-difference", Sigma(f(j), j, 1, t) - Sigma(f(j), j, 1, T), Sigma(-f(j), j, t + 1, T)),   # h <= m
    ("sum-range-difference", Sigma(f(j), j, 1, t) - Sigma(f(j), j, 1, b), None),        # neither m <= h nor h <= m
    ("sum-shift", Sigma(f(j), j, t, T), Sigma(f(j + t - 1), j, 1, T - t + 1)),
    ("sum-shift", Sigma(f(j), j, 1, T), None),                            # already starts at 1
    ("sum-reverse", Sigma(f(j), j, b, t), Sigma(f(b + t - j), j, b, t)),
    ("sum-reverse", Sigma(Q[t, b], j, b, t), None),                       # a body free of j
]


@pytest.mark.parametrize("name,expr,expected", FIRES, ids=[f"{n}-{i}" for i, (n, _, _) in enumerate(FIRES)])
def test_where_each_rule_fires(name, expr, expected):
    assert step(name, expr) == (None if expected is None else sp.sympify(expected))


def test_every_range_rule_has_cases_here():
    assert {n for n, _, _ in FIRES} == {n for n in RULES if n.startswith("prod-")} | {
        "sum-absorb-last", "sum-range-difference", "sum-shift", "sum-reverse"}


# -- the value is kept on random small ranges, empty ones included ----------------------------------------------
def _redexes(lo: int, hi: int, m: int) -> dict[str, tuple]:
    """Each rule's redex over ranges t+lo..t+hi (and the split point t+m), and whether the rule must fire there."""
    L, H, M = t + lo, t + hi, t + m
    return {
        "prod-empty": (Prod(f(j), j, L, H), hi < lo),
        "prod-one": (Prod(1, j, L, H), True),
        "prod-singleton": (Prod(f(j), j, L, H), lo == hi),
        "prod-exp": (Prod(sp.exp(Q[j, b]), j, L, H), True),
        "prod-factor": (Prod(-2 * K[t, b] * f(j), j, L, H), lo - 1 <= hi),
        "prod-absorb-last": (Prod(f(j), j, L, H - 1) * f(H), lo <= hi),
        "sum-absorb-last": (Sigma(f(j), j, L, H - 1) + f(H), lo <= hi),
        "sum-range-difference": (Sigma(f(j), j, L, H) - Sigma(f(k), k, L, M), lo - 1 <= min(m, hi)),
        "sum-shift": (Sigma(f(j), j, L, H), True),
        "sum-reverse": (Sigma(f(j), j, L, H), True),
    }


OFFSET = st.integers(-2, 2)


@pytest.mark.parametrize("name", sorted(_redexes(0, 0, 0)))
@given(OFFSET, OFFSET, OFFSET, st.integers(1, 4), st.integers(1, 3), st.integers(0, 2**32 - 1))
def test_rule_keeps_the_value_on_small_ranges(name, lo, hi, m, Tv, dv, seed):
    expr, fires = _redexes(lo, hi, m)[name]
    after = step(name, expr)
    assert (after is not None) == fires, (name, expr, after)
    if after is not None:
        inputs = draw_inputs(np.random.default_rng(seed), Tv, dv)
        assert same(values(expr, Tv, dv, Tv, inputs), values(after, Tv, dv, Tv, inputs)), (name, expr, after)


def test_the_ranges_drawn_include_empty_singleton_and_longer_ones():
    sizes = set()

    @given(OFFSET, OFFSET)
    def collect(lo, hi):
        sizes.add(min(max(hi - lo + 1, -1), 2))

    collect()
    assert sizes == {-1, 0, 1, 2}


# -- attacks: claims that should fool a rule are never proved ---------------------------------------------------
V = matrix("V", T, d)


def verdict(lhs, rhs):
    return check(Claim("c", from_index(T, d, lhs), from_index(T, d, rhs), statement="s"), Config(max_seconds=20)).verdict


@pytest.mark.parametrize("lhs, rhs", [
    # absorbing at l = h + 1: at b = t + 1 the left side is V[t, b], the right side the empty sum
    (lambda t, b: Sigma(V[j, b], j, b, t - 1) + V[t, b], lambda t, b: Sigma(V[j, b], j, b, t)),
    (lambda t, b: Prod(V[j, b] + 2, j, b, t - 1) * (V[t, b] + 2), lambda t, b: Prod(V[j, b] + 2, j, b, t)),
    # a split point past the end (m = h + 1) and before the start (m = l - 2)
    (lambda t, b: Sigma(V[j, b], j, 1, t - 1) - Sigma(V[j, b], j, 1, t), lambda t, b: 0),
    (lambda t, b: Sigma(V[j, b], j, b + 1, T) - Sigma(V[j, b], j, b + 1, b - 1), lambda t, b: Sigma(V[j, b], j, b, T)),
    # one factor only at T = 1; pulling a constant out of a range that may be shorter than l - 1
    (lambda t, b: Prod(V[j, b], j, 1, T), lambda t, b: V[1, b]),
    (lambda t, b: Prod(2 * V[j, b], j, b, t), lambda t, b: 2 ** (t - b + 1) * Prod(V[j, b], j, b, t)),
    # a range that mentions the bound name (the outer t): Σ_{t=t}^{T} is not Σ_{t=1}^{T}
    (lambda t, b: Sigma(V[t, b], t, t, T), lambda t, b: Sigma(V[j, b], j, 1, T)),
    # the next term of the wrong range: Σ_{j=1}^{t-1} Σ_{k=1}^{j} V + Σ_{k=1}^{t-1} V is not Σ_{j=1}^{t} Σ_{k=1}^{j} V
    (lambda t, b: Sigma(Sigma(V[k, b], k, 1, j), j, 1, t - 1) + Sigma(V[k, b], k, 1, t - 1),
     lambda t, b: Sigma(Sigma(V[k, b], k, 1, j), j, 1, t)),
])
def test_a_claim_that_should_fool_a_range_rule_is_refuted(lhs, rhs):
    assert verdict(lhs, rhs) == "refuted"


@pytest.mark.parametrize("lhs, rhs", [
    (lambda t, b: Sigma(Sigma(V[k, b], k, 1, j), j, 1, t - 1) + Sigma(V[k, b], k, 1, t),
     lambda t, b: Sigma(Sigma(V[k, b], k, 1, j), j, 1, t)),
    (lambda t, b: Prod(sp.exp(V[j, b]), j, 1, t - 1) * sp.exp(V[t, b]), lambda t, b: sp.exp(Sigma(V[j, b], j, 1, t))),
    (lambda t, b: Sigma(V[j, b], j, 1, T) - Sigma(V[k, b], k, 1, t), lambda t, b: Sigma(V[j, b], j, t + 1, T)),
    (lambda t, b: Prod(V[j, b], j, t + 1, t) * Prod(1, j, 1, T) * V[t, b], lambda t, b: V[t, b]),
])
def test_the_true_versions_are_proved(lhs, rhs):
    assert verdict(lhs, rhs) == "proved"


def test_a_shift_renames_an_index_its_offset_mentions():
    """Σ_{t=t}^{T} V[t, b] (bound t, outer t in the range) shifted to start at 1 must not capture the outer t."""
    expr = Sigma(Q[t, b], t, t, T)
    after = step("sum-shift", expr)
    assert after.var != t and after.lo == 1 and after.hi == T - t + 1
    inputs = draw_inputs(np.random.default_rng(0), 4, 2)
    assert same(values(expr, 4, 2, 4, inputs), values(after, 4, 2, 4, inputs))


def test_a_reversal_renames_an_index_its_range_mentions():
    expr = Sigma(Q[t, b] * t, t, b, t + 1)
    after = step("sum-reverse", expr)
    assert after.var != t
    inputs = draw_inputs(np.random.default_rng(1), 4, 3)
    assert same(values(expr, 4, 3, 4, inputs), values(after, 4, 3, 4, inputs))


def test_a_shift_by_any_integer_offset_and_never_by_a_fraction():
    by_two = shifting(lambda s: 2)
    assert by_two(Sigma(f(j), j, 1, t), world_context()) == Sigma(f(j - 2), j, 3, t + 2)
    half = Sigma(f(j), j, 1, t)
    assert shifting(lambda s: sp.Rational(1, 2))(half, world_context()) == half


@pytest.mark.parametrize("name,expr", [
    ("sum-absorb-last", Sigma(f(t), t, 1, t - 1) + f(t)),             # bound t; the outer t in the range and the term
    ("prod-absorb-last", Prod(f(t), t, 1, t - 1) * f(t)),
    ("sum-range-difference", Sigma(f(t), t, 1, t) - Sigma(f(k), k, 1, t - 1)),
])
def test_a_range_that_mentions_the_bound_name_keeps_its_outer_meaning(name, expr):
    after = step(name, expr)
    assert after is not None and after != expr
    inputs = draw_inputs(np.random.default_rng(2), 4, 3)
    assert same(values(expr, 4, 3, 4, inputs), values(after, 4, 3, 4, inputs)), after
