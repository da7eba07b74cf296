"""Red-team of rewriting in place: the checker's positions (certificate format 4, `replay_focus.Zipper`) and the
normalizer's `in_place` strategy. Every attack failed; they are kept so that they keep failing.

A kept level's facts are those of its other arguments (a product's brackets, a sum's bounds), and a step only
ever rewrites inside the argument the level was entered at, into something of the same value there: the facts a
kept level gives stay true, so no forged `keep` can make one bracket decide its sibling and then be decided by
it, nor carry an outer index's range into a sum that rebinds its name.
"""

from __future__ import annotations

import pytest
import sympy as sp

from symcheck import Claim, Config, Iverson, check, from_index, matrix, sizes
from symcheck.certificate import certificate
from symcheck.digest import claim_digest
from symcheck.index import Sigma
from symcheck.replay import replay

from test_replay_hostile import R, V, b, flat, j, k, rejected, t

T, d = sizes("T d")
X = matrix("X", T, d)
P, Q = Iverson(sp.Le(t, 2)), Iverson(sp.Le(2 * t, 4))     # one condition, written two ways


def _forged(lhs, rhs, steps) -> dict:
    cert = flat(lhs, rhs)
    cert["lhs"]["steps"] = [{"rule": rule, "path": path, "keep": keep, "redex": R(redex), "contractum": R(c)}
                            for rule, path, keep, redex, c in steps]
    cert["claim"]["digest"] = claim_digest(cert)
    return cert


# -- the checker ------------------------------------------------------------------------------------------
def _circular(second_path, keep):
    """[t <= 2]·[2t <= 4]·V = V: the first bracket decided by the second (sound), then the second by the first,
    which the product no longer has (rebuilt: no fact) or which the kept level does not lead to."""
    lhs = P * Q * V[t, b]
    return _forged(lhs, V[t, b], [("iverson-decide", [lhs.args.index(P)], 0, P, 1),
                                  ("iverson-decide", second_path, keep, Q, 1)])


@pytest.mark.parametrize("rebuilt, keep, message", [
    (True, 0, "the checker cannot show that 2*t <= 4 holds here"),
    (False, 1, "does not continue the levels it keeps"),
])
def test_a_bracket_decided_by_its_sibling_cannot_decide_that_sibling_back(rebuilt, keep, message):
    at = (Q * V[t, b]).args.index(Q) if rebuilt else (P * Q * V[t, b]).args.index(Q)
    assert message in rejected(_circular([at], keep))


def test_a_kept_sum_level_gives_no_range_to_a_sum_that_rebinds_its_index():
    """Σ_{j=1}^{2} ([j <= 2]·V_j + Σ_{j=1}^{T} [j <= 2]·V_j): the outer bracket is 1 (j <= 2 there), the inner is
    not (the inner j runs to T); the second step keeps the outer body's level and enters the inner sum."""
    br = Iverson(sp.Le(j, 2))
    inner = Sigma(br * V[j, b], j, 1, T)
    body = br * V[j, b] + inner
    lhs = Sigma(body, j, 1, 2)
    outer_term = body.args.index(br * V[j, b])
    after = body.func(*[V[j, b] if a == br * V[j, b] else a for a in body.args])
    steps = [("iverson-decide", [0, outer_term, (br * V[j, b]).args.index(br)], 0, br, 1),
             ("iverson-decide", [0, after.args.index(inner), 0, (br * V[j, b]).args.index(br)], 1, br, 1)]
    rhs = Sigma(V[j, b] + Sigma(V[j, b], j, 1, T), j, 1, 2)
    assert "the checker cannot show that j <= 2 holds here" in rejected(_forged(lhs, rhs, steps))


def _two_singletons() -> dict:
    """[2t <= 4]·Σ_{j=1}^{1} Σ_{k=1}^{1} V[k, b]: two sum-singleton steps, the second inside the first's contractum
    (it keeps the product's level)."""
    inner = Sigma(V[k, b], k, 1, 1)
    lhs = Q * Sigma(inner, j, 1, 1)
    at = lhs.args.index(Sigma(inner, j, 1, 1))
    return _forged(lhs, Q * V[1, b], [("sum-singleton", [at], 0, Sigma(inner, j, 1, 1), inner),
                                      ("sum-singleton", [at], 1, inner, V[1, b])])


def test_a_step_inside_the_contractum_of_the_step_before_keeps_its_level():
    replay(_two_singletons())


@pytest.mark.parametrize("keep", [True, 1.0, 10 ** 30, None, "1", [1], 2])
def test_hostile_keep_values_at_a_later_step_are_rejected(keep):
    """The second step of the valid pair above with `keep` replaced: only an int within the levels counts them."""
    cert = _two_singletons()
    cert["lhs"]["steps"][1]["keep"] = keep
    cert["claim"]["digest"] = claim_digest(cert)
    assert f"keep {keep!r} is not a number of levels" in rejected(cert)


# -- the normalizer -----------------------------------------------------------------------------------------
def L(x, y):
    return Iverson(sp.Le(x, y))


@pytest.mark.parametrize("lhs, rhs", [
    (lambda t, b: L(t, 2) * Iverson(sp.Le(2 * t, 4)) * X[t, b], lambda t, b: X[t, b]),
    (lambda t, b: Iverson(sp.Le(T * t, 2 * T)) * Iverson(sp.Le(2 * t, 4)) * X[t, b], lambda t, b: X[t, b]),
    (lambda t, b: L(t, 3) * Sigma(L(j, t) * L(j, 2) * X[j, b], j, 1, T),
     lambda t, b: L(t, 3) * Sigma(X[j, b], j, 1, t)),
    (lambda t, b: Sigma(L(k, t) * Sigma(L(j, k) * X[j, b], j, 1, T), k, 1, T),
     lambda t, b: Sigma(Sigma(X[j, b], j, 1, t), k, 1, t)),
    (lambda t, b: Sigma(L(j, t) * L(t, j + 1) * X[j, b], j, 1, T), lambda t, b: X[t, b]),
    (lambda t, b: Sigma(X[j, b], j, t, t), lambda t, b: 0),
])
def test_false_claims_with_brackets_beside_rewritten_factors_are_not_proved(lhs, rhs):
    claim = Claim("c", from_index(T, d, lhs), from_index(T, d, rhs), statement="s", expect="refuted")
    assert check(claim, Config(max_seconds=30)).verdict == "refuted"


@pytest.mark.parametrize("lhs, rhs", [
    (lambda t, b: L(t, 3) * Sigma(L(j, t) * L(j, 2) * X[j, b], j, 1, T) * L(t, 2),
     lambda t, b: L(t, 2) * Sigma(X[j, b], j, 1, t)),
    (lambda t, b: Sigma(L(k, t) * Sigma(L(j, k) * X[j, b], j, 1, T), k, 1, T),
     lambda t, b: Sigma(Sigma(X[j, b], j, 1, k), k, 1, t)),
    (lambda t, b: Iverson(sp.Eq(t, 2)) * Iverson(sp.Le(2 * t, 4)) * X[t, b], lambda t, b: Iverson(sp.Eq(t, 2)) * X[2, b]),
])
def test_true_claims_with_brackets_beside_rewritten_factors_are_proved_and_replay(lhs, rhs):
    """And the steps are what the certificate says: each step's whole expression before is the one after the
    step before it, and the last one after is the normal form."""
    r = check(Claim("c", from_index(T, d, lhs), from_index(T, d, rhs), statement="s"), Config(max_seconds=30))
    assert r.verdict == "proved"
    for dv in r.proof.derivations():
        wholes = [dv.start] + [s.after for s in dv.steps]
        assert [s.before for s in dv.steps] == wholes[:-1] and wholes[-1] == dv.result
    replay(certificate(r))
