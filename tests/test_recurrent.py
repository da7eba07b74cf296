"""Derived closed forms of linear recurrences S_t = g_t ∘ S_{t-1} + X_t from 0: which updates get one
(a table), that it is the step loop's value (a numeric property, gates 0 included), that the rule proves
it by induction, and near misses that stay unproved."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, strategies as st

from conftest import ROOT
from helpers import T, V, b, d
from symcheck import Claim, check, from_index, make_sum
from symcheck.evaluate import evaluate
from symcheck.index import Prod, index
from symcheck.matrix import matrix
from symcheck.recurrent import recurrence, state

s, r, c = index("s"), index("r"), index("c")
G = matrix("G", T, d)

LINEAR = {     # update(prev, t, a, b) of a (d × 1) state from 0 -> its gate g(t, a), or None for the running sum
    "additive": (lambda prev, t, a, b: prev(a, b) + V[t, a], None),
    "decayed": (lambda prev, t, a, b: sp.exp(G[t, a]) * prev(a, b) + V[t, a], lambda t, a: sp.exp(G[t, a])),
    "any factor": (lambda prev, t, a, b: G[t, a] * prev(a, b) + V[t, a], lambda t, a: G[t, a]),
    "coefficient": (lambda prev, t, a, b: 2 * prev(a, b) + V[t, a], lambda t, a: 2),
    "twice": (lambda prev, t, a, b: prev(a, b) + prev(a, b) + V[t, a], lambda t, a: 2),
    "gate and increment share a factor": (lambda prev, t, a, b: G[t, a] * V[t, a] * prev(a, b) + G[t, a],
                                          lambda t, a: G[t, a] * V[t, a]),
    "pure decay": (lambda prev, t, a, b: G[t, a] * prev(a, b), lambda t, a: G[t, a]),
}

NOT_LINEAR = {
    "the gate reads the state": lambda prev, t, a, b: prev(1, 1) * prev(a, b) + V[t, a],
    "a square": lambda prev, t, a, b: prev(a, b) ** 2 + V[t, a],
    "two reads": lambda prev, t, a, b: prev(a, b) + G[t, a] * prev(1, b) + V[t, a],
    "another entry": lambda prev, t, a, b: G[t, a] * prev(1, b) + V[t, a],
    "the shifted entry": lambda prev, t, a, b: sp.Integer(2) * prev(a - 1, b) + V[t, a],
    "decay after the add": lambda prev, t, a, b: sp.exp(G[t, a]) * (prev(a, b) + V[t, a]),
    "no read": lambda prev, t, a, b: V[t, a],
}


@pytest.mark.parametrize("name", sorted(LINEAR))
def test_a_linear_update_from_zero_gets_its_derived_form(name):
    update, gate = LINEAR[name]
    closed = recurrence("C", (d, 1), T, update).closed
    assert closed is not None
    (u, a, _), body = closed.variables, closed.expr
    increment = 0 if name == "pure decay" else (G[s, a] if name.startswith("gate and") else V[s, a])
    if gate is None:
        want = make_sum(increment, s, 1, u)
    else:
        want = make_sum(Prod(gate(r, a), r, s + 1, u) * increment, s, 1, u)
    assert body == want


@pytest.mark.parametrize("name", sorted(NOT_LINEAR))
def test_an_update_of_another_form_gets_none(name):
    assert recurrence("C", (d, 1), T, NOT_LINEAR[name]).closed is None


def test_a_nonzero_start_gets_none():
    assert recurrence("C", (d, 1), T, LINEAR["decayed"][0], init=1).closed is None


def _loop(gate, x, steps):
    states = [np.zeros_like(x[0])]
    for k in range(steps):
        states.append(gate[k] * states[-1] + x[k])
    return np.stack(states)


@given(st.integers(1, 4), st.integers(1, 3), st.integers(0, 2 ** 32 - 1), st.booleans())
def test_the_derived_form_is_the_step_loop(Tv, dv, seed, zeros):
    """C(τ) against a plain loop for every τ in 1..T, with some gates exactly 0 (Π over an empty range is 1)."""
    rng = np.random.default_rng(seed)
    g, v = rng.standard_normal((Tv, dv)), rng.standard_normal((Tv, dv))
    if zeros:
        g[rng.random((Tv, dv)) < 0.5] = 0.0
    rec = recurrence("C", (d, 1), T, LINEAR["any factor"][0])
    tau = index("tau")
    closed = rec.closed.expr.xreplace(dict(zip(rec.closed.variables, (tau, b, 1))))
    got = evaluate(closed, {tau: Tv, b: dv}, {"T": Tv, "d": dv}, {"G": g, "V": v})
    want = _loop(g, v, Tv)[1:, :]
    assert np.allclose(got, want, atol=1e-12)
    assert np.allclose(evaluate(state(rec, tau, b, 1), {tau: Tv, b: dv}, {"T": Tv, "d": dv}, {"G": g, "V": v}),
                       want, atol=1e-12)


def _decayed_sum(gate, lo_shift=1):
    """y_t[c] = Σ_{j<=t} (Π_{r=j+lo_shift}^{t} g_r[c]) v_j[c]."""
    j = index("j")
    return from_index(T, d, lambda t, c: make_sum(Prod(gate(r, c), r, j + lo_shift, t) * V[j, c], j, 1, t),
                      label="decayed sum")


@pytest.mark.parametrize("name", ["decayed", "any factor"])
def test_the_derived_form_is_proved_by_induction(name):
    update, gate = LINEAR[name]
    rec = recurrence("C", (d, 1), T, update)
    r_ = check(Claim("decayed", from_index(T, d, lambda t, c: state(rec, t, c, 1)), _decayed_sum(gate),
                     statement="a decayed running sum"))
    assert r_.verdict == "proved"
    assert {o.title for o in r_.proof.obligations} == {"Induction base for the state C", "Induction step for the state C"}


def test_a_constant_gate_is_undecided_not_refuted():
    """Π_{r=s+1}^{t} 2 becomes 2^{t-s}, and no rule merges 2 · 2^{t-1-s} into it: the step stays open.
    The claim is true, so it is never refuted either."""
    update, gate = LINEAR["coefficient"]
    rec = recurrence("C", (d, 1), T, update)
    r_ = check(Claim("two", from_index(T, d, lambda t, c: state(rec, t, c, 1)), _decayed_sum(gate), statement="2^{t-s}"))
    assert r_.verdict == "undecided"


@pytest.mark.parametrize("lo_shift", [0, 2])
def test_a_wrong_decay_range_is_refuted(lo_shift):
    update, gate = LINEAR["any factor"]
    rec = recurrence("C", (d, 1), T, update)
    r_ = check(Claim("off", from_index(T, d, lambda t, c: state(rec, t, c, 1)), _decayed_sum(gate, lo_shift),
                     statement="the gate of the write's own step, or one step too few"))
    assert r_.verdict == "refuted"


@pytest.mark.parametrize("expanded", [False, True], ids=["factored", "expanded"])
def test_decay_after_the_add_is_not_the_decay_mask(expanded):
    """S_t = e^{g_t}(S_{t-1} + v_t) decays its own write: it is not Σ_j exp(Σ_{r=j+1}^t g_r) v_j.
    Written expanded it gets a derived form (a true one, Π_{r=s}^{t}); the claim is refuted all the same."""
    if expanded:
        rec = recurrence("C", (d, 1), T, lambda prev, t, a, b: sp.exp(G[t, a]) * prev(a, b) + sp.exp(G[t, a]) * V[t, a])
    else:
        rec = recurrence("C", (d, 1), T, NOT_LINEAR["decay after the add"])
    assert (rec.closed is not None) == expanded
    j = index("j")
    mask = from_index(T, d, lambda t, c: make_sum(sp.exp(make_sum(G[r, c], r, j + 1, t)) * V[j, c], j, 1, t),
                      label="decay mask")
    r_ = check(Claim("after", from_index(T, d, lambda t, c: state(rec, t, c, 1)), mask, statement="decay after add"))
    assert r_.verdict == "refuted"


def test_the_library_s_gated_state_decayed_after_the_add_is_refuted():
    """The attack at full size: S_t = e^{g_t}(S_{t-1} + k_t v_tᵀ) read by S_tᵀ q_t against the decay mask."""
    spec = importlib.util.spec_from_file_location("linear_attention", ROOT / "derivations" / "linear_attention.py")
    la = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(la)
    after = recurrence("S", (la.d_k, la.d_v), la.T, lambda prev, t, a, b: sp.exp(la.G[t, 1]) * (
        prev(a, b) + la.K[t, a] * la.V[t, b]))
    k = index("k")
    read = from_index(la.T, la.d_v, lambda t, b: make_sum(state(after, t, k, b) * la.Q[t, k], k, 1, la.d_k),
                      label="decay after the add")
    assert check(Claim("after", read, la._masked_parallel(), statement="decay after the add")).verdict == "refuted"
