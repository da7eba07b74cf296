"""Recurrence congruence: where the rule fires (a table), its direction, claims it must never prove, the
delta-rule forms against a numpy loop, and the independent checker's own re-posing of its obligations."""

from __future__ import annotations

import copy
import importlib.util

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, strategies as st

from conftest import ROOT
from helpers import K, N, Q, T, V, b, d, t, world_context
from symcheck import Claim, Iverson, check, from_index, make_sum
from symcheck.certificate import certificate
from symcheck.digest import claim_digest
from symcheck.model_ops import evaluate_model
from symcheck.index import index
from symcheck.normalize import Normalizer
from symcheck.nodes.recurrence import Recurrence
from symcheck.recurrent import recurrence, state
from symcheck.replay import SHAPES, Rejected, replay
from symcheck.replay_rules import Site
from symcheck.rules import RULES
from symcheck.rules.congruence import target

j, c = index("j"), index("c")


def _delta(name, shape=(d, 1), steps=T, init=0):
    """S_t = S_{t-1} + β k_t (v_t − S_{t-1}ᵀ k_t)ᵀ with β = V[t, 1] (no closed form)."""
    return recurrence(name, shape, steps, lambda prev, t, a, b: prev(a, b) + V[t, 1] * K[t, a] * (
        Q[t, b] - make_sum(prev(c, b) * K[t, c], c, 1, d)), init=init)


def _householder(name, shape=(d, 1), steps=T, init=0):
    """S_t = (I − β k_t k_tᵀ) S_{t-1} + β k_t v_tᵀ: the same update, written as a matrix product."""
    return recurrence(name, shape, steps, lambda prev, t, a, b: make_sum(
        (Iverson(sp.Eq(a, c)) - V[t, 1] * K[t, a] * K[t, c]) * prev(c, b), c, 1, d) + V[t, 1] * K[t, a] * Q[t, b],
        init=init)


STEP, PAPER = _delta("S"), _householder("P")
FIRST = min((STEP, PAPER), key=sp.default_sort_key)
OTHER = PAPER if FIRST is STEP else STEP

NEAR_MISSES = {      # a recurrence of STEP's shape that its state must never become
    "different init": _householder("P", init=1),
    "equal only at t = 1": recurrence("P", (d, 1), T, lambda prev, t, a, b: make_sum(
        (Iverson(sp.Eq(a, c)) - V[t, 1] * K[t, a] * K[t, c]) * prev(c, b), c, 1, d) + V[t, 1] * K[t, a] * Q[1, b]),
    "different steps": _householder("P", steps=N),
    "different shape": _householder("P", shape=(d, d)),
    "differs at the last row only": recurrence("P", (d, 1), T, lambda prev, t, a, b: make_sum(
        (Iverson(sp.Eq(a, c)) - V[t, 1] * K[t, a] * K[t, c]) * prev(c, b), c, 1, d) + V[t, 1] * K[t, a] * Q[t, b]
        + Iverson(sp.Eq(a, d)) * K[t, 1]),
    "same name, another update": recurrence("S", (d, 1), T, lambda prev, t, a, b: prev(a, b) + K[t, a] * Q[t, b]),
}


def fires(expr, *recurrences) -> bool:
    ctx = world_context().with_recurrences(recurrences)
    return Normalizer(rules=(RULES["recurrence-congruence"],)).rewrite_once(expr, ctx) is not None


@pytest.mark.parametrize("expr, fired", [
    (state(OTHER, t, b, 1), True),
    (state(OTHER, 0, b, 1), True),
    (state(OTHER, T, d, 1), True),
    (state(FIRST, t, b, 1), False),             # the target itself: the rule never rewrites back
    (state(OTHER, t + 1, b, 1), False),         # τ may exceed T
    (state(OTHER, t - 1 - T, b, 1), False),     # τ < 0
    (state(OTHER, t, b, 2), False),             # outside the shape (d × 1)
    (state(OTHER, t, b + 1, 1), False),         # b + 1 may exceed d
], ids=str)
def test_where_the_rule_fires(expr, fired):
    assert fires(expr, STEP, PAPER) is fired


def test_it_needs_both_recurrences_in_the_claim():
    assert not fires(state(OTHER, t, b, 1)) and not fires(state(OTHER, t, b, 1), OTHER)


@pytest.mark.parametrize("name", sorted(NEAR_MISSES))
def test_it_never_fires_towards_a_near_miss(name):
    miss = NEAR_MISSES[name]
    assert not fires(state(STEP, t, b, 1), STEP, miss) and not fires(state(miss, t, b, 1), STEP, miss)


def test_updates_that_differ_only_outside_the_shape_are_congruent():
    """The states are equal (outside the shape both are 0), so firing is sound; the obligation is posed
    inside the shape only."""
    guarded = recurrence("P", (d, 1), T, lambda prev, t, a, b: make_sum(
        (Iverson(sp.Eq(a, c)) - V[t, 1] * K[t, a] * K[t, c]) * prev(c, b), c, 1, d)
        + Iverson(sp.Le(a, d)) * V[t, 1] * K[t, a] * Q[t, b] + Iverson(sp.Lt(d, a)) * K[t, 1])
    assert fires(state(STEP, t, b, 1), STEP, guarded) or fires(state(guarded, t, b, 1), STEP, guarded)


def test_a_read_outside_the_shape_is_an_input_error_never_a_proof():
    """An update that reads S_{t-1} beyond the last row (where it is 0) is not accepted as a claim at all."""
    beyond = recurrence("P", (d, 1), T, lambda prev, t, a, b: make_sum(
        (Iverson(sp.Eq(a, c)) - V[t, 1] * K[t, a] * K[t, c]) * prev(c, b), c, 1, d) + V[t, 1] * K[t, a] * Q[t, b]
        + Iverson(sp.Eq(a, d)) * (prev(a + 1, b) - K[t, 1]))
    r = check(Claim("beyond", _read(STEP), _read(beyond), statement="reads S_{t-1}[d + 1]"))
    assert r.verdict == "error" and r.error_kind == "input"


def test_a_nested_recurrence_is_never_a_target():
    """S'_t = S_t (a copy that reads the other state) would make the update obligation read S_t itself."""
    copy_ = recurrence("R", (d, 1), T, lambda prev, t, a, b: state(STEP, t, a, b))
    assert target(STEP, world_context().with_recurrences({STEP, copy_})) is None
    assert target(copy_, world_context().with_recurrences({STEP, copy_})) is None


def test_the_target_prefers_a_closed_form():
    cumulative = recurrence("Z", (d, 1), T, lambda prev, t, a, b: prev(a, b) + K[t, a])
    written = recurrence("A", (d, 1), T, lambda prev, t, a, b: make_sum(Iverson(sp.Eq(a, c)) * prev(c, b), c, 1, d)
                         + K[t, a])
    assert cumulative.closed is not None and written.closed is None
    assert target(written, world_context().with_recurrences({cumulative, written})) is cumulative


# -- claims ---------------------------------------------------------------------------------------------
def _read(rec):
    k = index("k")
    return from_index(T, 1, lambda t, b: make_sum(state(rec, t, k, 1) * Q[t, k], k, 1, d), label=rec.name)


@pytest.mark.parametrize("left, right", [(STEP, PAPER), (PAPER, STEP)], ids=["step-paper", "paper-step"])
def test_congruent_states_meet_in_one_normal_form(left, right):
    r = check(Claim("delta", _read(left), _read(right), statement="two ways to write the delta rule"))
    assert r.verdict == "proved" and r.proof.lhs.result == r.proof.rhs.result
    assert all(FIRST in side.result.atoms(Recurrence) and OTHER not in side.result.atoms(Recurrence)
               for side in (r.proof.lhs, r.proof.rhs))


@pytest.mark.parametrize("name", sorted(set(NEAR_MISSES) - {"different steps", "different shape"}))
def test_a_near_miss_claim_is_refuted(name):
    r = check(Claim("miss", _read(STEP), _read(NEAR_MISSES[name]), statement="not the same state"))
    assert r.verdict == "refuted", r.reason


# -- the delta-rule forms against a numpy loop ------------------------------------------------------------
def _load(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / "derivations" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


LIB = _load("recurrent_congruence")


def _gated_loop(x, gate_after):
    """fla's naive_recurrent_gated_delta_rule (forget, then delta step), or the error before the forget."""
    Tv, dk = x["K"].shape
    S, out = np.zeros((dk, x["V"].shape[1])), []
    for k in range(Tv):
        alpha, beta, key = np.exp(x["G"][k, 0]), x["B"][k, 0], x["K"][k]
        error = x["V"][k] - (alpha * S if gate_after else S).T @ key
        S = alpha * S + beta * np.outer(key, error)
        out.append(S.T @ x["Q"][k])
    return np.stack(out)


@given(st.integers(1, 4), st.integers(1, 3), st.integers(1, 3), st.integers(0, 2 ** 32 - 1))
def test_both_gated_forms_are_the_reference_loop(Tv, dk, dv, seed):
    rng = np.random.default_rng(seed)
    x = {"Q": rng.standard_normal((Tv, dk)), "K": rng.standard_normal((Tv, dk)), "V": rng.standard_normal((Tv, dv)),
         "G": -rng.random((Tv, 1)), "B": rng.random((Tv, 1))}
    sizes, want = {"T": Tv, "d_k": dk, "d_v": dv}, _gated_loop(x, gate_after=True)
    values = lambda claim, side: evaluate_model(getattr(claim, side), sizes, x)     # noqa: E731
    for side in ("lhs", "rhs"):
        assert np.allclose(values(LIB.gated_delta_forget_then_step, side), want, atol=1e-10)
    assert np.allclose(values(LIB.gated_delta_error_before_forget, "lhs"), _gated_loop(x, gate_after=False), atol=1e-10)


# -- the independent checker ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def cert():
    r = check(Claim("delta", _read(STEP), _read(PAPER), statement="two ways to write the delta rule"))
    assert r.verdict == "proved"
    return certificate(r)


def rejected(cert) -> str:
    cert["claim"]["digest"] = claim_digest(cert)
    with pytest.raises(Rejected) as info:
        replay(cert)
    return str(info.value)


def test_the_certificate_replays(cert):
    assert [ob["title"].split(": ")[1] for ob in cert["obligations"]] == ["initial values", "updates"]
    assert replay(cert).steps > 0


@pytest.mark.parametrize("half", ["initial values", "updates"])
def test_a_missing_obligation_is_rejected(cert, half):
    bad = copy.deepcopy(cert)
    bad["obligations"] = [ob for ob in bad["obligations"] if not ob["title"].endswith(half)]
    assert "have no certified equal initial values and updates" in rejected(bad)


def test_an_obligation_posed_otherwise_is_rejected(cert):
    bad = copy.deepcopy(cert)
    ob = next(ob for ob in bad["obligations"] if ob["title"].endswith("updates"))
    ob["domain"] = [pair for pair in ob["domain"] if "T" not in pair[1]]       # drop t <= T
    assert "nor the congruence of two recurrences" in rejected(bad)


def test_the_shape_check_re_proves_each_side_condition():
    check_ = SHAPES["recurrence-congruence"]
    facts = ((1, T), (1, d), (1, t), (t, T), (1, b), (b, d))
    certified = Site(facts, congruent=frozenset({(OTHER, FIRST)}))
    assert check_(state(OTHER, t, b, 1), state(FIRST, t, b, 1), certified) is None
    assert "no certified" in check_(state(OTHER, t, b, 1), state(FIRST, t, b, 1), Site(facts))
    assert "no certified" in check_(state(FIRST, t, b, 1), state(OTHER, t, b, 1), certified)    # the pair is ordered
    assert "0..T" in check_(state(OTHER, t + 1, b, 1), state(FIRST, t + 1, b, 1), certified)
    assert "shape" in check_(state(OTHER, t, b, 2), state(FIRST, t, b, 2), certified)
    assert "same time and entry" in check_(state(OTHER, t, b, 1), state(FIRST, t - 1, b, 1), certified)


def test_a_certificate_with_too_many_recurrences_is_rejected_quickly(cert):
    """Every ordered pair of recurrences is a candidate congruence: their number is bounded."""
    bad = copy.deepcopy(cert)
    many = sum(state(recurrence(f"R{k}", (d, 1), T, lambda prev, t, a, b: prev(a, b) + k), t, b, 1) for k in range(17))
    bad["lhs"]["start"] = sp.srepr(many)
    assert "more than 16 recurrences in one claim" in rejected(bad)
