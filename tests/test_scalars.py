"""Named scalars with a range: constructed and checked, drawn inside their interval, known to the rules,
carried by certificates and bound to the claim by the checker."""

from __future__ import annotations

import copy
import json

import numpy as np
import pytest
import sympy as sp

from symcheck import Claim, ClaimError, check, from_index, matrix, scalar, sizes
from symcheck.certificate import certificate
from symcheck.digest import claim_digest
from symcheck.index import Relu
from symcheck.replay import Rejected, replay
from symcheck.scalars import draw, scalar_of, small_values

from helpers import derivation

T, d = sizes("T d")
X = matrix("X", T, d)


@pytest.mark.parametrize("interval, text, inside, outside", [
    ((0, 1), "0 < gamma < 1", [sp.Rational(1, 2)], [0, 1, 2]),
    (sp.Interval(0, 1), "0 <= gamma <= 1", [0, 1], [-1, sp.Rational(3, 2)]),
    (sp.Interval.Ropen(-1, 0), "-1 <= gamma < 0", [-1], [0]),
    ((0, None), "0 < gamma", [100], [0, -1]),
    ((None, 2), "gamma < 2", [-100], [2]),
    (None, "gamma real", [-5, 0, 5], []),
])
def test_an_interval_reads_as_inequalities_and_contains_its_values(interval, text, inside, outside):
    s = scalar_of(scalar("gamma", interval=interval))
    assert s.describe() == text
    assert all(s.contains(x) for x in inside) and not any(s.contains(x) for x in outside)


@pytest.mark.parametrize("name, interval, message", [
    ("2x", (0, 1), "a scalar's name must be an identifier, got '2x'"),
    ("lam", (1, 1), "scalar lam: the interval (1, 1) is empty or a single point"),
    ("lam", (0, sp.pi), "scalar lam: a bound must be a rational number, got pi"),
    ("lam", [0, 1], "scalar lam: interval= is a pair (lo, hi) or a sympy Interval, got [0, 1]"),
])
def test_a_malformed_scalar_is_an_input_error(name, interval, message):
    with pytest.raises(ClaimError) as info:
        scalar(name, interval=interval)
    assert info.value.detail == message


@pytest.mark.parametrize("interval", [(0, 1), sp.Interval(0, 1), (2, 3), (0, None), (None, -5), None,
                                      (sp.Rational(1, 10), sp.Rational(1, 5))])
def test_every_draw_lies_in_the_interval(interval):
    s = scalar_of(scalar("lam", interval=interval))
    rng = np.random.default_rng(0)
    values = [draw(s, rng) for _ in range(200)] + [draw(s, rng, small=True) for _ in range(50)]
    assert all(s.contains(sp.Float(x)) for x in values)


def test_small_values_are_integers_where_the_interval_has_some_else_quarters():
    assert small_values(scalar_of(scalar("lam", interval=sp.Interval(0, 1)))) == [0.0, 1.0]
    assert small_values(scalar_of(scalar("lam", interval=(0, 1)))) == [0.25, 0.5, 0.75]
    assert small_values(scalar_of(scalar("lam", interval=(10, 12)))) == [11.0]


def test_a_scalar_prints_as_its_name():
    g = scalar("gamma", interval=(0, 1))
    assert str(g * X[1, 1]) in ("gamma*X[1,1]", "X[1,1]*gamma")


def _relu_claim(g, **kw):
    return Claim("scaled", lhs=from_index(T, d, lambda t, b: g * Relu(X[t, b])),
                 rhs=from_index(T, d, lambda t, b: Relu(g * X[t, b])), statement="g relu(x) = relu(g x)", **kw)


@pytest.mark.parametrize("interval, verdict", [
    ((0, 1), "proved"), (sp.Interval(0, 1), "proved"), ((0, None), "proved"),
    (None, "refuted"), ((-1, 1), "refuted"), ((None, 0), "refuted"),
])
def test_a_claim_true_only_inside_the_interval_is_proved_with_it_and_refuted_without(interval, verdict):
    assert check(_relu_claim(scalar("lam", interval=interval), expect=verdict)).verdict == verdict


def test_the_bundled_pair_is_proved_and_refuted():
    neurons = derivation("neurons")
    assert check(neurons.relu_ffn_scale_folds_in).verdict == "proved"
    refuted = check(neurons.relu_ffn_scale_of_any_sign)
    assert refuted.verdict == "refuted" and refuted.counterexample.inputs["gamma"][0] < 0


def test_one_name_with_two_intervals_is_an_input_error():
    claim = Claim("two", lhs=from_index(T, d, lambda t, b: scalar("lam", interval=(0, 1)) * X[t, b]),
                  rhs=from_index(T, d, lambda t, b: scalar("lam", interval=(0, 2)) * X[t, b]), statement="s")
    r = check(claim)
    assert r.verdict == "error" and "input lam is declared twice, differently" in r.reason


@pytest.fixture(scope="module")
def cert():
    return certificate(check(_relu_claim(scalar("lam", interval=(0, 1)))))


def test_the_certificate_carries_the_interval_and_replays(cert):
    entry = next(i for i in cert["claim"]["inputs"] if i["name"] == "lam")
    assert entry["interval"] == ["open", "Integer(0)", "Integer(1)", "open"]
    assert any(s["rule"] == "relu-scale" for d in (cert["lhs"], cert["rhs"]) for s in d["steps"])
    assert replay(json.loads(json.dumps(cert))).steps > 0


def _edited(cert, interval):
    """The certificate with g's declared interval replaced (and the digest recomputed, as a forger would)."""
    bad = copy.deepcopy(cert)
    next(i for i in bad["claim"]["inputs"] if i["name"] == "lam")["interval"] = interval
    bad["claim"]["digest"] = claim_digest(bad)
    return bad


def test_the_checker_binds_every_occurrence_to_the_declared_interval(cert):
    with pytest.raises(Rejected, match="scalar 'lam' is read with an interval the claim does not declare"):
        replay(_edited(cert, ["open", "Integer(-1)", "Integer(1)", "open"]))
    with pytest.raises(Rejected, match="a scalar's interval is empty or a single point"):
        replay(_edited(cert, ["open", "Integer(1)", "Integer(0)", "open"]))


def test_the_checker_refuses_relu_scale_for_a_scalar_that_may_be_negative(cert):
    bad = json.loads(json.dumps(cert).replace("Tuple(Integer(0), Integer(1)), Str('open')",
                                              "Tuple(Integer(-1), Integer(1)), Str('open')"))
    next(i for i in bad["claim"]["inputs"] if i["name"] == "lam")["interval"][1] = "Integer(-1)"
    bad["claim"]["digest"] = claim_digest(bad)
    with pytest.raises(Rejected, match="no factor is a scalar whose interval shows it >= 0"):
        replay(bad)
