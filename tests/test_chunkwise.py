"""Chunkwise forms: bilinear facts (t = (c-1)·C + i), the chunk of a position (`floor-quotient`), joining
adjacent ranges (`sum-concat`), claims posed chunk by chunk, and the claims that should fool each of them."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings, strategies as st

from symcheck import Claim, Config, check, from_index, make_sum, matrix
from symcheck.certificate import certificate
from symcheck.chunked import chunk_of, chunk_start
from symcheck.context import Context
from symcheck.errors import ClaimError
from symcheck.evaluate import evaluate
from symcheck.index import Sigma, index, sizes
from symcheck.normalize import Normalizer
from symcheck.problem import pose_claim
from symcheck.replay import Rejected, replay
from symcheck.replay_entail import entails
from symcheck.rules import RULES

N, C, d = sizes("N C d")
c, i, j, k = (index(n) for n in "cijk")
b = index("b")
X = matrix("X", N * C, d)
WORLD = ((1, N), (1, C), (1, d), (1, c), (c, N), (1, i), (i, C), (1, b), (b, d))


def ctx(*extra) -> Context:
    return Context(reserved=frozenset({"N", "C", "d", "c", "i", "b"})).with_facts(*WORLD, *extra)


# -- bilinear facts: monomials as atoms, tied to their factors by products of facts ----------------------------
ENTAILED = [
    ((0, (c - 1) * C), True),                      # (c - 1)·(C - 1) >= 0 gives it
    (((c - 1) * C + i, N * C), True),              # the position is a row
    ((1, N * C), True),
    (((c - 1) * C, (c - 1) * C + i), True),
    ((1, (c - 1) * C), False),                     # c = 1
    (((c - 1) * C + i + 1, N * C), False),         # the last row
    ((N * C, N + C), False),
    ((c * C, N * C - C), False),                   # c = N
]


@pytest.mark.parametrize("pair,holds", ENTAILED, ids=[str(p) for p, _ in ENTAILED])
def test_bilinear_entailment_prover_and_checker_agree_with_the_truth(pair, holds):
    assert ctx().proves_le(*pair) is holds
    assert entails(tuple(WORLD), *map(sp.sympify, pair)) is holds


COEF = st.integers(-2, 2)


@settings(max_examples=150, deadline=None)
@given(COEF, COEF, COEF, COEF, COEF, st.integers(-3, 3))
def test_a_bilinear_entailment_holds_at_every_small_point(p, q, r, s, u, const):
    """Whatever either engine proves about p·c·C + q·N·C + r·c + s·C + u·i + const >= 0 holds at every
    integer point of the world with sizes up to 4."""
    goal = p * c * C + q * N * C + r * c + s * C + u * i + const
    proved = ctx().proves_le(0, goal), entails(tuple(WORLD), sp.S.Zero, sp.expand(goal))
    if not any(proved):
        return
    for Nv, Cv in itertools.product(range(1, 5), repeat=2):
        for cv, iv in itertools.product(range(1, Nv + 1), range(1, Cv + 1)):
            assert goal.subs({N: Nv, C: Cv, c: cv, i: iv}) >= 0, (goal, proved, Nv, Cv, cv, iv)


def test_a_rebound_factor_forgets_the_facts_about_its_monomials():
    inner = ctx((c * C - C + 1, j), (j, c * C)).enter_binder((c,))
    assert not inner.proves_le(1, j)


# -- floor-quotient --------------------------------------------------------------------------------------------
def step(name: str, expr, context=None):
    s = Normalizer(rules=(RULES[name],)).rewrite_once(expr, context or ctx())
    return None if s is None else s.after


FLOORS = [
    (sp.floor(((c - 1) * C + i - 1) / C), c - 1),
    (sp.floor((i - 1) / C), 0),
    (sp.floor((c * C + i - 1) / C), c),
    (sp.floor(((c - 1) * C + i) / C), None),       # i = C: the next chunk
    (sp.floor((i - 2) / C), None),                 # i = 1: -1
    (sp.floor((c - 1 + i) / d), None),             # nothing divisible by d
]


@pytest.mark.parametrize("expr,expected", FLOORS, ids=[str(e) for e, _ in FLOORS])
def test_where_floor_quotient_fires(expr, expected):
    assert step("floor-quotient", expr) == (None if expected is None else sp.sympify(expected))


@given(st.integers(1, 5), st.integers(1, 5), st.integers(1, 5), st.integers(-1, 1))
def test_floor_quotient_keeps_the_value(Cv, cv, iv, shift):
    """Where it fires at floor(((c-1)C + i - 1 + shift)/C) its result is the floor, for every c, i in range."""
    iv = min(iv, Cv)
    expr = sp.floor(((c - 1) * C + i - 1 + shift) / C)
    after = step("floor-quotient", expr)
    if after is not None:
        env = {C: Cv, c: cv, i: iv}
        assert after.subs(env) == ((cv - 1) * Cv + iv - 1 + shift) // Cv


# -- sum-concat -------------------------------------------------------------------------------------------------
def f(x):
    return x + 3 + X[x, b]


CONCAT = [
    (Sigma(f(j), j, 1, (c - 1) * C) + Sigma(f(k), k, (c - 1) * C + 1, (c - 1) * C + i),
     Sigma(f(j), j, 1, (c - 1) * C + i)),
    (Sigma(f(j), j, 1, (c - 1) * C) + Sigma(f(k), k, (c - 1) * C + 2, (c - 1) * C + i), None),   # a gap
    (Sigma(f(j), j, 1, c * C) + Sigma(f(k), k, c * C + 1, (c - 1) * C + i), None),              # overlap: m > h
    (Sigma(f(j), j, 1, c) + Sigma(f(k) + 1, k, c + 1, N), None),                                 # other body
    (-Sigma(f(j), j, 1, c) - Sigma(f(k), k, c + 1, N), -Sigma(f(j), j, 1, N)),
    (Sigma(Sigma(X[j, k], j, 1, c), k, 1, d) + Sigma(Sigma(X[j, k], k, 1, d), j, c + 1, N),     # Fubini view
     Sigma(Sigma(X[j, k], k, 1, d), j, 1, N)),
    (Sigma(Sigma(X[j, k], j, 1, k), k, 1, d) + Sigma(Sigma(X[j, k], k, 1, d), j, c + 1, N), None),  # dependent
]


@pytest.mark.parametrize("expr,expected", CONCAT, ids=[str(n) for n in range(len(CONCAT))])
def test_where_sum_concat_fires(expr, expected):
    assert step("sum-concat", expr) == (None if expected is None else sp.sympify(expected))


@settings(max_examples=60, deadline=None)
@given(st.integers(-2, 2), st.integers(-2, 2), st.integers(-2, 2), st.integers(0, 2**32 - 1))
def test_sum_concat_keeps_the_value_on_small_ranges(lo, mid, hi, seed):
    expr = Sigma(f(j), j, c + lo, c + mid) + Sigma(f(k), k, c + mid + 1, c + hi)
    after = step("sum-concat", expr)
    assert (after is not None) == (lo - 1 <= mid <= hi)
    if after is not None:
        rng = np.random.default_rng(seed)
        inputs = {"X": rng.standard_normal((6, 2))}
        grid = lambda e: evaluate(e, {c: 3, b: 2}, {"N": 3, "C": 2, "d": 2}, inputs)   # noqa: E731
        assert np.allclose(grid(expr), grid(after))


# -- claims posed chunk by chunk ---------------------------------------------------------------------------------
def _chunkwise(start_shift=0, floor_of=lambda t: chunk_start(t, C)):
    """Σ_{j<=start} X + Σ_{start<j<=t} X: the prefix sum split at the chunk start."""
    return from_index(N * C, d, lambda t, b: make_sum(X[j, b], j, 1, floor_of(t) + start_shift)
                      + make_sum(X[j, b], j, floor_of(t) + start_shift + 1, t), label="split prefix sum")


PREFIX = from_index(N * C, d, lambda t, b: make_sum(X[j, b], j, 1, t), label="prefix sum")


def verdict(lhs, rhs=PREFIX, **kw):
    return check(Claim("c", lhs, rhs, statement="s", chunk_size=C, **kw), Config(max_seconds=20))


def test_a_prefix_sum_split_at_the_chunk_start_is_proved():
    assert verdict(_chunkwise()).verdict == "proved"


@pytest.mark.parametrize("lhs", [
    from_index(N * C, d, lambda t, b: make_sum(X[j, b], j, 1, chunk_start(t, C))),       # no own chunk
    from_index(N * C, d, lambda t, b: make_sum(X[j, b], j, chunk_start(t, C) + 2, t)
               + make_sum(X[j, b], j, 1, chunk_start(t, C))),                                # the start skipped
    from_index(N * C, d, lambda t, b: make_sum(X[j, b], j, 1, chunk_start(t, C))
               + make_sum(X[j, b], j, chunk_start(t, C) + 1, t - 1)),                        # the own term left out
    from_index(N * C, d, lambda t, b: make_sum(X[j, b], j, 1, chunk_start(t, C))                # the chunk index for
               + make_sum(X[j, b], j, chunk_start(t, C) + 1, t) * chunk_of(t, C) ** 0 * (2 - chunk_of(t, C))),  # c = 1 only
])
def test_a_claim_that_should_fool_the_chunk_rules_is_refuted(lhs):
    assert verdict(lhs).verdict == "refuted"


def test_a_chunk_start_the_domain_cannot_place_is_an_input_error_not_a_proof():
    """C·floor(t/C) is the chunk start except at the chunk's last offset; the in-range check cannot place it."""
    lhs = from_index(N * C, d, lambda t, b: make_sum(X[j, b], j, 1, C * sp.floor(t / C))
                     + make_sum(X[j, b], j, C * sp.floor(t / C) + 1, t))
    assert verdict(lhs).verdict == "error"


def test_chunked_values_are_the_rows_in_order():
    claim = Claim("c", _chunkwise(), PREFIX, statement="s", chunk_size=C)
    problem = pose_claim(claim)
    rng = np.random.default_rng(0)
    sizes_ = {"N": 3, "C": 2, "d": 2}
    inputs = {"X": rng.standard_normal((6, 2))}
    lhs, rhs = problem.values(sizes_, inputs)
    assert np.allclose(lhs, np.cumsum(inputs["X"], axis=0)) and np.allclose(rhs, lhs)
    assert problem.point(5, 2, sizes_) == {problem.chunks.chunk.name: 3, problem.chunks.offset.name: 1, "b": 2}


@pytest.mark.parametrize("rows, size, field", [
    (N * C + 1, C, "chunk_size"),              # not a multiple
    (N * C, d - 1, "chunk_size"),              # not a positive size expression
    (N * C, sp.Rational(1, 2), "chunk_size"),
])
def test_a_chunk_size_that_does_not_split_the_rows_is_an_input_error(rows, size, field):
    Y = matrix("Y", rows, d)
    side = from_index(rows, d, lambda t, b: Y[t, b])
    with pytest.raises(ClaimError) as err:
        pose_claim(Claim("c", side, side, statement="s", chunk_size=size))
    assert err.value.field == field


# -- the checker reads the chunks itself --------------------------------------------------------------------------
def test_a_chunked_certificate_replays_and_a_tampered_one_is_rejected():
    cert = certificate(verdict(_chunkwise()))
    assert replay(cert).steps > 0
    bad = json.loads(json.dumps(cert))
    bad["claim"]["chunks"]["count"] = sp.srepr(N + 1)
    from symcheck.digest import claim_digest
    bad["claim"]["digest"] = claim_digest(bad)
    with pytest.raises(Rejected, match="chunk count times the chunk size"):
        replay(bad)
    gone = json.loads(json.dumps(cert))
    del gone["claim"]["chunks"]
    with pytest.raises(Rejected):
        replay(gone)
