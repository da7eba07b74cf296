"""The checker's own table for the range rules: certificates that use them replay, and tampered ones do not."""

from __future__ import annotations

import copy

import pytest
import sympy as sp

from symcheck import Claim, check, from_index, matrix
from symcheck.certificate import certificate
from symcheck.index import Prod, Sigma, index, power, sizes
from symcheck.replay import Rejected, parse, replay
from symcheck.replay_ranges import RANGE_RULES
from symcheck.replay_rules import Site, check_step

T, d = sizes("T d")
t, b, j, k = (index(x) for x in "tbjk")
V = matrix("V", T, d)


def lhs(t, b):
    return (Prod(V[j, b], j, 1, t - 1) * V[t, b] + Sigma(V[j, b], j, 1, T) - Sigma(V[k, b], k, 1, t)
            + Prod(2 * V[j, b], j, t + 1, T) + Prod(sp.exp(V[j, b]), j, 1, t - 1) * sp.exp(V[t, b])
            + Prod(V[j, b], j, t + 1, t) * Prod(1, j, 1, t) + Sigma(j * V[j, b], j, 1, t - 1) + t * V[t, b]
            + Prod(V[t, b] * V[j, b], j, t, t))


def rhs(t, b):
    return (Prod(V[j, b], j, 1, t) + Sigma(V[j, b], j, t + 1, T) + sp.Pow(2, T - t) * Prod(V[j, b], j, t + 1, T)
            + sp.exp(Sigma(V[j, b], j, 1, t)) + 1 + Sigma(j * V[j, b], j, 1, t) + V[t, b] ** 2)


@pytest.fixture(scope="module")
def cert():
    r = check(Claim("ranges", from_index(T, d, lhs), from_index(T, d, rhs), statement="s"))
    assert r.verdict == "proved"
    return certificate(r)


def steps_of(cert, rule):
    return [(side, n) for side in ("lhs", "rhs") for n, s in enumerate(cert[side]["steps"]) if s["rule"] == rule]


NORMALIZING_RANGE_RULES = ["prod-empty", "prod-one", "prod-singleton", "prod-exp", "prod-factor", "prod-absorb-last",
                           "sum-absorb-last", "sum-range-difference"]


def test_a_certificate_using_the_range_rules_replays(cert):
    used = {s["rule"] for side in ("lhs", "rhs") for s in cert[side]["steps"]}
    assert used >= set(NORMALIZING_RANGE_RULES)
    assert replay(cert).steps == len(cert["lhs"]["steps"]) + len(cert["rhs"]["steps"])


@pytest.mark.parametrize("rule", NORMALIZING_RANGE_RULES)
def test_a_range_step_under_another_rules_name_is_rejected(cert, rule):
    side, n = steps_of(cert, rule)[0]
    for other in RANGE_RULES:
        if other != rule:
            bad = copy.deepcopy(cert)
            bad[side]["steps"][n]["rule"] = other
            with pytest.raises(Rejected, match=rf"^{side}, step {n + 1} \({other}\): "):
                replay(bad)


@pytest.mark.parametrize("rule", ["prod-absorb-last", "sum-absorb-last", "sum-range-difference", "prod-factor"])
def test_a_range_step_with_a_moved_bound_is_rejected(cert, rule):
    side, n = steps_of(cert, rule)[0]
    bad = copy.deepcopy(cert)
    step = bad[side]["steps"][n]
    step["contractum"] = sp.srepr(parse(step["contractum"]).replace(
        lambda e: isinstance(e, (Sigma, Prod)), lambda e: e.func(e.body, e.var, e.lo, e.hi + 1)))
    with pytest.raises(Rejected, match=rf"^{side}, step {n + 1} \({rule}\): "):
        replay(bad)


# -- side conditions are re-proved by the checker, from the facts at the redex ------------------------------------
FACTS = ((1, T), (1, d), (1, t), (t, T), (1, b), (b, d))
CONDITIONAL = [
    ("prod-empty", Prod(V[j, b], j, T + 1, t), sp.S.One),
    ("prod-factor", Prod(V[t, b] * V[j, b], j, b, t), power(V[t, b], t - b + 1) * Prod(V[j, b], j, b, t)),
    ("prod-absorb-last", Prod(V[j, b], j, b, t - 1) * V[t, b], Prod(V[j, b], j, b, t)),
    ("sum-absorb-last", Sigma(V[j, b], j, b, t - 1) + V[t, b], Sigma(V[j, b], j, b, t)),
    ("sum-range-difference", Sigma(V[j, b], j, b, t) - Sigma(V[j, b], j, b, b - 1), Sigma(V[j, b], j, b, t)),
]


@pytest.mark.parametrize("rule,redex,contractum", CONDITIONAL, ids=[c[0] for c in CONDITIONAL])
def test_the_checker_needs_the_side_condition(rule, redex, contractum):
    assert check_step(rule, redex, contractum, Site()) is not None            # nothing known about t and b
    assert check_step(rule, redex, contractum, Site(FACTS + ((b, t),))) is None


# -- re-indexing: not normalizing, so a certificate gets it by hand -------------------------------------------------
def _with_round_trip(cert, forth, back, rule):
    """The certificate with two `rule` steps at the start of the lhs: the start there and back again."""
    out = copy.deepcopy(cert)
    start = out["lhs"]["start"]
    out["lhs"]["steps"][:0] = [
        {"rule": rule, "path": [], "keep": 0, "redex": start, "contractum": sp.srepr(forth), "side_conditions": "",
         "obligations": []},
        {"rule": rule, "path": [], "keep": 0, "redex": sp.srepr(forth), "contractum": sp.srepr(back), "side_conditions": "",
         "obligations": []}]
    return out


@pytest.fixture(scope="module")
def sum_cert():
    s = check(Claim("sum", from_index(T, d, lambda t, b: Sigma(j * V[j, b], j, b, t)),
                    from_index(T, d, lambda t, b: Sigma(j * V[j, b], j, b, t)), statement="s"))
    return certificate(s)


def test_shifted_and_reversed_sums_replay(sum_cert):
    start = parse(sum_cert["lhs"]["start"])
    body = start.body
    shifted = Sigma(body.subs(j, j - 2), j, start.lo + 2, start.hi + 2)
    replay(_with_round_trip(sum_cert, shifted, start, "sum-shift"))
    reversed_ = Sigma(body.subs(j, start.lo + start.hi - j), j, start.lo, start.hi)
    replay(_with_round_trip(sum_cert, reversed_, start, "sum-reverse"))


def test_a_wrong_shift_or_reversal_is_rejected(sum_cert):
    start = parse(sum_cert["lhs"]["start"])
    body = start.body
    off_by_one = Sigma(body.subs(j, j - 1), j, start.lo + 2, start.hi + 2)
    with pytest.raises(Rejected, match=r"^lhs, step 1 \(sum-shift\): not Σ_\{j=l\+c\}\^\{h\+c\} f\(j - c\)$"):
        replay(_with_round_trip(sum_cert, off_by_one, start, "sum-shift"))
    not_reversed = Sigma(body.subs(j, start.hi - j), j, start.lo, start.hi)
    with pytest.raises(Rejected, match=r"^lhs, step 1 \(sum-reverse\): not Σ_\{j=l\}\^\{h\} f\(l \+ h - j\)$"):
        replay(_with_round_trip(sum_cert, not_reversed, start, "sum-reverse"))
    half = Sigma(body.subs(j, j - sp.Rational(1, 2)), j, start.lo + sp.Rational(1, 2), start.hi + sp.Rational(1, 2))
    with pytest.raises(Rejected, match=r"^lhs, step 1 \(sum-shift\): the range is not moved by one nonzero integer"):
        replay(_with_round_trip(sum_cert, half, start, "sum-shift"))
