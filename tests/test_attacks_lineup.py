"""Red-team of lining sums up (`lineup.py`: sum-shift, sum-reverse), `concat` and `compose.unroll`: attacks
that failed, kept so that they keep failing. Near misses of a reindexing, a concatenation or an unrolled stack
are refuted, and the checker refuses a reindexing step that is not a bijection of the range."""

from __future__ import annotations

import pytest
import sympy as sp

from symcheck import Claim, Config, Iverson, check, concat, from_index, index, make_sum, matrix, sizes, stack
from symcheck.certificate import certificate
from symcheck.index import Sigma
from symcheck.replay import replay
from symcheck.replay_rules import Site, check_step

T, d, N = sizes("T d N")
X, A, B, C = matrix("X", T, d), matrix("A", T, d), matrix("B", N, d), matrix("C", T, N)
j, t, b = index("j"), index("t"), index("b")
CONFIG = Config(max_seconds=30)


def _double(Y, layer):
    return from_index(T, d, lambda i, c: 2 * Y[i, c])


def _gate(Y, layer):
    return from_index(T, d, lambda i, c: Y[i, c] * Iverson(layer <= 2))


def _scale(Y, layer):
    return from_index(T, d, lambda i, c: layer * Y[i, c])


def _x(k):
    return from_index(T, d, lambda i, c: k * X[i, c])


@pytest.mark.parametrize("lhs, rhs, verdict", [
    (from_index(T, d, lambda i, c: make_sum(X[i + 1 - j, c], j, 1, i)),
     from_index(T, d, lambda i, c: make_sum(X[j, c], j, 1, i)), "proved"),
    (from_index(T, d, lambda i, c: make_sum(X[i + 1 - j, c] * Iverson(j >= 2), j, 1, i)),
     from_index(T, d, lambda i, c: make_sum(X[j, c], j, 1, i)), "refuted"),
    (from_index(T, d, lambda i, c: make_sum(j * X[i + 1 - j, c], j, 1, i)),       # the weight does not move
     from_index(T, d, lambda i, c: make_sum(j * X[j, c], j, 1, i)), "refuted"),
    (from_index(T, d, lambda i, c: make_sum(X[j - 2, c], j, 3, i + 1)),
     from_index(T, d, lambda i, c: make_sum(X[j, c], j, 1, i)), "refuted"),
    (stack(_gate, X, depth=3), _x(1), "refuted"),          # layer 3 zeroes
    (stack(_gate, X, depth=3), _x(0), "proved"),
    (stack(_double, X, depth=3), _x(4), "refuted"),
    (stack(_scale, X, depth=3), _x(6), "proved"),
    (stack(_double, X, depth=2), stack(_double, X, depth=3), "refuted"),
    (concat(A, B), from_index(T + N, d, lambda i, c: A[i, c] * Iverson(i <= T) + B[i - T, c] * Iverson(i >= T + 1)),
     "proved"),
    (concat(A, B), from_index(T + N, d, lambda i, c: A[i, c] * Iverson(i <= T)
                              + B[i - T + 1, c] * Iverson(i >= T + 1) * Iverson(i <= T + N - 1)), "refuted"),
    (concat(A, C, axis="cols"), concat(C, A, axis="cols"), "refuted"),
])
def test_reindexed_sums_concatenations_and_unrolled_stacks_keep_their_verdicts(lhs, rhs, verdict):
    r = check(Claim("c", lhs, rhs, statement="s", expect=verdict), CONFIG)
    assert r.verdict == verdict
    if verdict == "proved":
        assert replay(certificate(r)).name == "c"


SITE = Site(facts=((1, T), (1, d), (1, t), (t, T), (1, b), (b, d)))
Xb = sp.IndexedBase("X")


@pytest.mark.parametrize("rule, contractum, ok", [
    ("sum-reverse", Sigma(Xb[t + 1 - j, b], j, 1, t), True),
    ("sum-reverse", Sigma(Xb[t - j, b], j, 1, t), False),                            # off by one
    ("sum-reverse", Sigma(Xb[t + 1 - j, b], j, 0, t - 1), False),                    # another range
    ("sum-shift", Sigma(Xb[j - 2, b], j, 3, t + 2), True),
    ("sum-shift", Sigma(Xb[j - T * t, b], j, 1 + T * t, t + T * t), True),            # any integer offset
    ("sum-shift", Sigma(Xb[j - sp.Rational(1, 2), b], j, sp.Rational(3, 2), t + sp.Rational(1, 2)), False),
    ("sum-shift", Sigma(Xb[j - t, b], j, 1 + t, 2 * t + 1), False),                  # the ends moved apart
    ("sum-shift", Sigma(Xb[j - j, b], j, 1 + j, t + j), False),                      # an offset of a free j
])
def test_the_checker_accepts_a_reindexing_only_as_a_bijection_of_the_range(rule, contractum, ok):
    assert (check_step(rule, Sigma(Xb[j, b], j, 1, t), contractum, SITE) is None) == ok
