"""Red-team of prod-iverson, iverson-difference and relu-scale with scalar intervals.

Two attacks worked: a float bound of a scalar's interval was rounded by `nsimplify` (-1e-300 became 0,
so relu-scale fired for a scalar that may be negative), and the checker's prod-iverson read a slope off
a bracket k <= k·N − 3k whose monomial k·N also moves with k (a forged step, accepted). The rest are
attacks that failed, kept so that they keep failing.
"""

from __future__ import annotations

import copy
import json

import pytest
import sympy as sp

from symcheck import Claim, Config, Iverson, check, from_index, scalar, sizes
from symcheck.certificate import certificate
from symcheck.digest import claim_digest
from symcheck.index import Prod, Relu, index
from symcheck.matrix import matrix
from symcheck.replay import Rejected, replay
from symcheck.replay_rules import Site, check_step
from symcheck.scalars import scalar_of

from helpers import derivation

T, N, d = sizes("T N d")
k = index("k")
X = matrix("X", T, d)
CONFIG = Config(max_seconds=20)


def _verdict(lhs, rhs, rows=N, expect="proved"):
    return check(Claim("c", from_index(T, rows, lhs), from_index(T, rows, rhs), statement="s", expect=expect),
                 CONFIG).verdict


# -- scalars: a float bound is the decimal it prints as, never rounded into another interval ------------------
@pytest.mark.parametrize("interval, text", [
    ((-1e-300, 1), "-1/1" + "0" * 300 + " < lam < 1"),
    ((0.1, 0.5), "1/10 < lam < 1/2"),
    ((-0.0, 2.0), "0 < lam < 2"),
])
def test_a_float_bound_is_read_exactly_as_written(interval, text):
    assert scalar_of(scalar("lam", interval=interval)).describe() == text


def test_relu_scale_does_not_fire_for_a_scalar_whose_float_bound_is_a_tiny_negative():
    g = scalar("lam", interval=(-1e-300, 1))
    claim = Claim("scaled", lhs=from_index(T, d, lambda t, b: g * Relu(X[t, b])),
                  rhs=from_index(T, d, lambda t, b: Relu(g * X[t, b])), statement="s", expect="refuted")
    assert check(claim, CONFIG).verdict != "proved"


# -- prod-iverson in the checker: the slope in the product's index must be the only place it occurs -----------
@pytest.fixture(scope="module")
def allocation_cert():
    return certificate(check(derivation("dnc").allocation_is_first_free_slot, CONFIG))


def _forged_product(cert):
    """Π_{k=1-T}^{1} [k <= k·N − 3k] = [1 <= N − 3] for all T, N, by one prod-iverson step: false at N = 5,
    T = 2 (k = −1 gives −1 <= −2), true at every size 1..3, so only the rule check can catch it."""
    bad = copy.deepcopy(cert)
    lhs = Prod(Iverson(sp.Le(k, k * N - 3 * k)), k, 1 - T, 1)
    end = Iverson(sp.Le(1, N - 3))
    step = dict(cert["lhs"]["steps"][0], path=[], redex=sp.srepr(lhs), contractum=sp.srepr(end))
    bad["claim"]["constraints"] = []
    bad["lhs"], bad["rhs"] = {"start": sp.srepr(lhs), "steps": [step]}, {"start": sp.srepr(end), "steps": []}
    bad["normal_form"] = sp.srepr(end)
    bad["claim"]["digest"] = claim_digest(bad)
    return json.loads(json.dumps(bad))


def test_the_checker_rejects_prod_iverson_over_a_bracket_with_a_monomial_in_the_index(allocation_cert):
    assert replay(allocation_cert).steps == 4
    with pytest.raises(Rejected, match="prod-iverson.*not integer-affine and monotone in the product's index"):
        replay(_forged_product(allocation_cert))


@pytest.mark.parametrize("cond, end, ok", [
    (sp.Le(k, k * N - 3 * k), sp.Le(1, N - 3), False),      # slope −4 read off, k·N ignored
    (sp.Le(k ** 2, T), sp.Le(1, T), False),
    (sp.Le(k, T), sp.Le(1, T), True),                        # decreasing in k: the bracket at h = 1
])
def test_prod_iverson_check_needs_an_affine_bracket_in_the_index(cond, end, ok):
    site = Site(facts=((1, T), (1, N)))
    why = check_step("prod-iverson", Prod(Iverson(cond), k, 1 - T, 1), Iverson(end), site)
    assert (why is None) == ok


# -- attacks on the prover that failed -------------------------------------------------------------------------
@pytest.mark.parametrize("lhs, rhs, verdict", [
    # an empty range (i = 1): the product is 1 where the end bracket [0 <= t - 5] is 0
    (lambda t, i: Prod(Iverson(k <= t - 5), k, 1, i - 1), lambda t, i: Iverson(i - 1 <= t - 5), "refuted"),
    # increasing in k: the binding end is the range's start, not its end
    (lambda t, i: Prod(Iverson(t <= k + 2), k, 1, i), lambda t, i: Iverson(t <= i + 2), "refuted"),
    (lambda t, i: Prod(Iverson(t <= k + 2), k, 1, i), lambda t, i: Iverson(t <= 3), "proved"),
    # a monomial slope in the prover: not rewritten, and the falsifier finds the size where it fails
    (lambda t, i: Prod(Iverson(k <= k * t - 2 * k), k, 1 - T, 1), lambda t, i: Iverson(3 <= t), "refuted"),
    # [a <= b] − [a + 1 <= b] is [a = b] only when b − a is an integer
    (lambda t, i: Iverson(2 * i <= t) - Iverson(2 * i + 1 <= t), lambda t, i: Iverson(sp.Eq(2 * i, t)), "proved"),
])
def test_bracket_products_and_differences_keep_their_verdicts(lhs, rhs, verdict):
    assert _verdict(lhs, rhs, expect=verdict) == verdict


def test_a_bracket_difference_with_a_real_gap_is_not_an_equality_bracket():
    g = scalar("gam", interval=(0, 1))
    lhs = lambda t, i: Iverson(i <= t + g) - Iverson(i + 1 <= t + g)     # noqa: E731  (= [i = t])
    assert _verdict(lhs, lambda t, i: Iverson(sp.Eq(i, t + g)), expect="refuted") == "refuted"
