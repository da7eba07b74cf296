"""The softmax shift (`softmax-shift`): where it fires, that it keeps the value (zero normalisers included),
the claims that should fool it, and the replay checker's own re-check of its steps."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, strategies as st

from helpers import K, Q, T, V, b, d, same, t, values, world_context
from symcheck import Claim, Config, check, from_index, matrix
from symcheck.certificate import certificate
from symcheck.index import Iverson, Sigma, index, power, reciprocal
from symcheck.normalize import Normalizer
from symcheck.replay import Rejected, parse, replay
from symcheck.replay_rules import Site, check_step
from symcheck.rules import RULES

j, k = index("j"), index("k")
E = sp.exp


def step(expr):
    """One rewrite by `softmax-shift` through the kernel, or None."""
    s = Normalizer(rules=(RULES["softmax-shift"],)).rewrite_once(expr, world_context())
    return None if s is None else s.after


def over(body, lo=1, hi=t):
    return Sigma(body, k, lo, hi)


FIRES = [
    # over a range: the terms of the exponent free of k leave the normaliser
    (reciprocal(over(E(Q[t, b] + K[k, b]))), E(-Q[t, b]) * reciprocal(over(E(K[k, b])))),
    (reciprocal(over(Iverson(sp.Le(k, t)) * E(Q[t, b] - V[t, b] + K[k, b]), 1, T)),
     E(V[t, b] - Q[t, b]) * reciprocal(over(Iverson(sp.Le(k, t)) * E(K[k, b]), 1, T))),
    (reciprocal(over(V[k, b] * E(Q[t, b]))), E(-Q[t, b]) * reciprocal(over(V[k, b]))),        # all of it free of k
    (reciprocal(over(E(K[k, b] * Q[t, b]))), None),                     # one term, and it has k
    (reciprocal(over(E(Q[t, b]) * E(K[k, b]))), None),                  # two exponentials: exp-merge's first
    (power(over(E(Q[t, b] + K[k, b])), sp.Rational(-1, 2)), None),      # not a reciprocal
    (reciprocal(over(E(Q[t, b] + K[k, b])) + 1), None),                 # a sum with another term: not a normaliser
    # over finitely many slots (number coefficients): the numerator's exponent moves in
    (E(K[t, b]) * reciprocal(1 + E(K[t, b])) * Q[t, b], Q[t, b] * reciprocal(1 + E(-K[t, b]))),
    (E(Q[t, b]) * reciprocal(2 + 3 * E(K[t, b]) + E(V[t, b])),
     reciprocal(2 * E(-Q[t, b]) + 3 * E(K[t, b] - Q[t, b]) + E(V[t, b] - Q[t, b]))),
    (Q[t, b] * reciprocal(1 + E(-K[t, b])), None),                      # no exponential beside it
    (E(Q[t, b]) * reciprocal(V[t, b] + E(K[t, b])), None),              # a coefficient that is not a number
    (E(Q[t, b]) * E(V[t, b]) * reciprocal(1 + E(K[t, b])), None),       # two exponentials beside it
    (E(Q[t, b]) * reciprocal(1 + V[t, b]), None),                       # no exponential inside
]


@pytest.mark.parametrize("expr,expected", FIRES, ids=[str(i) for i in range(len(FIRES))])
def test_where_the_shift_fires(expr, expected):
    assert step(expr) == (None if expected is None else sp.sympify(expected))


def test_the_shift_is_canonical_it_does_not_fire_on_its_result():
    for expr, expected in FIRES:
        if expected is not None:
            assert step(sp.sympify(expected)) is None, expected


# -- the value is kept, zero normalisers (empty ranges, 1 - e^0) included ----------------------------------------
def _redexes(lo: int, hi: int) -> list:
    rng = (t + lo, t + hi)
    return [
        Sigma(E(Q[t, b] + K[j, b]) * V[j, b] * reciprocal(Sigma(E(Q[t, b] + K[k, b]), k, *rng)), j, 1, t),
        reciprocal(Sigma(Iverson(sp.Le(k, T)) * V[k, b] * E(Q[t, b] - 2 * K[t, b] + K[k, b] * Q[t, b]), k, *rng)),
        reciprocal(Sigma(V[k, b] * E(Q[t, b] + Sigma(K[k, b], k, 1, t)), k, *rng)),   # an inner k is not the outer one
        E(K[t, b]) * reciprocal(1 - E(Q[t, b])) * V[t, b],                             # 0 where Q = 0
        E(K[t, b] + V[t, b]) * reciprocal(2 * E(K[t, b]) - 2 + E(-V[t, b])),
    ]


def _inputs(rng, Tv, dv):
    """Normal draws, or small integers with zeros (so that 1 - e^{Q} and empty ranges give zero normalisers)."""
    pick = (lambda: rng.integers(-2, 3, (Tv, dv)).astype(float)) if rng.integers(2) else \
        (lambda: rng.standard_normal((Tv, dv)))
    return {"Q": pick(), "K": pick(), "V": pick()}


@given(st.integers(-2, 2), st.integers(-2, 2), st.integers(1, 4), st.integers(1, 3), st.integers(0, 2**32 - 1))
def test_the_shift_keeps_the_value(lo, hi, Tv, dv, seed):
    inputs = _inputs(np.random.default_rng(seed), Tv, dv)
    for expr in _redexes(lo, hi):
        after = step(expr)
        assert after is not None, expr
        assert same(values(expr, Tv, dv, Tv, inputs), values(after, Tv, dv, Tv, inputs)), (expr, after)


# -- attacks: claims that should fool the rule are never proved ----------------------------------------------------
W = matrix("W", T, d)


def verdict(lhs, rhs):
    return check(Claim("c", from_index(T, d, lhs), from_index(T, d, rhs), statement="s"), Config(max_seconds=20)).verdict


def softmax(score):
    """Σ_{j<=t} e^{score(t, j)} v_j / Σ_{k<=t} e^{score(t, k)}."""
    return lambda t, b: Sigma(E(score(t, j)) * W[j, b] * reciprocal(Sigma(E(score(t, k)), k, 1, t)), j, 1, t)


def linear(score):
    return lambda t, b: Sigma(score(t, j) * W[j, b] * reciprocal(Sigma(score(t, k), k, 1, t)), j, 1, t)


def silu(a):
    """a σ(a) = a / (1 + e^{-a})."""
    return lambda t, b: a(t, b) * reciprocal(1 + E(-a(t, b)))


logit = lambda t, j: Q[t, 1] * K[j, 1]       # noqa: E731
a = lambda t, b: W[t, b]                      # noqa: E731


@pytest.mark.parametrize("lhs, rhs", [
    (softmax(lambda t, j: logit(t, j) + K[j, 1]), softmax(logit)),                  # a key term does not cancel
    (softmax(lambda t, j: logit(t, j) + Q[t, 1] * K[j, 1]), softmax(logit)),        # nor a product with the key
    (lambda t, b: Sigma(E(logit(t, j) + Q[t, 1]) * W[j, b] * reciprocal(Sigma(E(logit(t, k)), k, 1, t)), j, 1, t),
     softmax(logit)),                                                               # shifted in the numerator only
    (linear(lambda t, j: logit(t, j) + Q[t, 1]), linear(logit)),                    # no exponential: no invariance
    (softmax(lambda t, j: 2 * logit(t, j)), softmax(logit)),                        # a temperature is not a shift
    (lambda t, b: a(t, b) * reciprocal(1 + E(a(t, b))), silu(a)),             # the sigmoid's sign
    (lambda t, b: a(t, b) * E(a(t, b)) * reciprocal(2 + E(a(t, b))), silu(a)),  # a start slot counted twice
    (lambda t, b: E(a(t, b)) * reciprocal(1 + E(a(t, b))), lambda t, b: reciprocal(1 + E(a(t, b)))),
])
def test_a_claim_that_should_fool_the_shift_is_refuted(lhs, rhs):
    assert verdict(lhs, rhs) == "refuted"


@pytest.mark.parametrize("lhs, rhs", [
    (softmax(lambda t, j: logit(t, j) + Q[t, 1] - V[t, 1]), softmax(logit)),
    (lambda t, b: a(t, b) * E(a(t, b)) * reciprocal(1 + E(a(t, b))), silu(a)),
    (lambda t, b: a(t, b) * E(a(t, b)) * reciprocal(2 + E(a(t, b))), lambda t, b: a(t, b) * reciprocal(1 + 2 * E(-a(t, b)))),
])
def test_the_true_versions_are_proved(lhs, rhs):
    assert verdict(lhs, rhs) == "proved"


# -- the replay checker's own re-check -----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def cert():
    r = check(Claim("shift", from_index(T, d, softmax(lambda t, j: logit(t, j) + Q[t, 1])), from_index(T, d, softmax(logit)),
                    statement="s"))
    assert r.verdict == "proved"
    return certificate(r)


def _shift_steps(cert):
    return [(side, n) for side in ("lhs", "rhs") for n, s in enumerate(cert[side]["steps"]) if s["rule"] == "softmax-shift"]


def test_a_certificate_using_the_shift_replays(cert):
    assert _shift_steps(cert)
    assert replay(cert).steps == len(cert["lhs"]["steps"]) + len(cert["rhs"]["steps"])


@pytest.mark.parametrize("edit", ["numerator", "normaliser"])
def test_a_shift_applied_to_one_side_of_the_fraction_only_is_rejected(cert, edit):
    side, n = _shift_steps(cert)[0]
    bad = copy.deepcopy(cert)
    s = bad[side]["steps"][n]
    after = parse(s["contractum"])
    if edit == "numerator":
        after = after.replace(lambda e: isinstance(e, sp.exp) and not e.has(Sigma), lambda e: sp.S.One)
    else:
        after = after.replace(lambda e: isinstance(e, Sigma), lambda e: parse(s["redex"]).args[0])
    s["contractum"] = sp.srepr(after)
    with pytest.raises(Rejected, match=rf"^{side}, step {n + 1} \(softmax-shift\): "):
        replay(bad)


NORMALISER = Sigma(E(Q[t, b] + K[k, b]), k, 1, t)
CHECKER = [
    (reciprocal(NORMALISER), E(-Q[t, b]) * reciprocal(Sigma(E(K[k, b]), k, 1, t)), True),
    # any shift free of k is sound, not only the prover's
    (reciprocal(NORMALISER), E(-V[t, b]) * reciprocal(Sigma(E(Q[t, b] + K[k, b] - V[t, b]), k, 1, t)), True),
    (E(K[t, b]) * reciprocal(1 + E(K[t, b])), reciprocal(E(-K[t, b]) + 1), True),
    # a shift that mentions the summation index is not a shift
    (reciprocal(NORMALISER), E(-K[k, b]) * reciprocal(Sigma(E(Q[t, b]), k, 1, t)), False),
    # the normaliser shifted, the numerator not (or by another amount); a finite sum shifted in one term only
    (E(K[t, b]) * reciprocal(NORMALISER), E(K[t, b]) * reciprocal(Sigma(E(K[k, b]), k, 1, t)), False),
    (E(K[t, b]) * reciprocal(1 + E(K[t, b])), reciprocal(1 + E(K[t, b] - K[t, b])), False),
    (E(K[t, b]) * reciprocal(2 + E(K[t, b])), reciprocal(2 * E(-K[t, b]) + 1) * E(-K[t, b]), False),
    (reciprocal(NORMALISER), reciprocal(NORMALISER), False),                         # no shift at all
]


@pytest.mark.parametrize("redex,contractum,valid", CHECKER, ids=[str(i) for i in range(len(CHECKER))])
def test_the_checker_recomputes_the_shift(redex, contractum, valid):
    assert (check_step("softmax-shift", redex, contractum, Site()) is None) == valid
