"""Recurrent state: both semantics against a hand-written loop, the rule's side conditions, a wrong
closed form never used, and hostile certificates rejected by the independent checker."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import sympy as sp

from helpers import T, V, b, d, derivation, t, world_context
from symcheck import Claim, Iverson, check, from_index, make_sum
from symcheck.certificate import certificate
from symcheck.digest import claim_digest
from symcheck.evaluate import evaluate
from symcheck.index import index
from symcheck.matrix import matrix
from symcheck.normalize import Normalizer
from symcheck.nodes.recurrence import Prev, Recurrence
from symcheck.recurrent import recurrence, state
from symcheck.replay import SHAPES, Rejected, replay
from symcheck.replay_rules import Site
from symcheck.replay_semantics import scalar_value
from symcheck.rules import RULES
from symcheck.rules.recurrence import updated

s, c = index("s"), index("c")
G = matrix("G", T, d)
FAST = recurrence("W", (d, d), T, lambda prev, t, a, b: prev(a, b) + V[t, a] * G[t, b])
DECAYED = recurrence("D", (d, 1), T, lambda prev, t, a, b: G[t, a] * prev(a, b) + V[t, a])
SHIFTED = recurrence("H", (d, 1), T, lambda prev, t, a, b: Iverson(sp.Le(2, a)) * prev(a - 1, b) + V[t, a])
CUMULATIVE = recurrence("C", (d, 1), T, lambda prev, t, a, b: prev(a, b) + V[t, a])


def LISTS(x: dict) -> dict:
    return {k: v.tolist() for k, v in x.items()}


def loop(update, init, steps: int) -> list[np.ndarray]:
    """S_0..S_steps by a plain numpy loop: the oracle."""
    states = [init]
    for k in range(1, steps + 1):
        states.append(update(states[-1], k))
    return states


def inputs(Tv: int, dv: int, seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {"V": rng.standard_normal((Tv, dv)), "G": rng.standard_normal((Tv, dv))}


def oracle(rec, Tv: int, dv: int, x: dict) -> list[np.ndarray]:
    v, g = x["V"], x["G"]
    if rec is FAST:
        return loop(lambda S, k: S + np.outer(v[k - 1], g[k - 1]), np.zeros((dv, dv)), Tv)
    if rec is DECAYED:
        return loop(lambda S, k: g[k - 1][:, None] * S + v[k - 1][:, None], np.zeros((dv, 1)), Tv)
    shifted = lambda S, k: np.vstack([np.zeros((1, 1)), S[:-1]]) + v[k - 1][:, None]      # noqa: E731
    return loop(shifted, np.zeros((dv, 1)), Tv)


@pytest.mark.parametrize("rec", [FAST, DECAYED, SHIFTED], ids=lambda r: r.name)
@pytest.mark.parametrize("Tv, dv", [(5, 3), (1, 1), (5, 1)])
def test_both_semantics_are_the_step_loop(rec, Tv, dv):
    x = inputs(Tv, dv)
    cols = dv if rec.shape[1] == d else 1
    want = np.stack(oracle(rec, Tv, dv, x))                      # (T + 1) × rows × cols
    tau = index("tau")
    got = evaluate(state(rec, tau, b, c), {tau: Tv, b: dv, c: cols}, {"T": Tv, "d": dv}, x)
    assert np.allclose(got, want[1:], atol=1e-12)
    for k, (row, col) in enumerate([(1, 1), (dv, cols), (dv, 1)]):
        checker = scalar_value(state(rec, tau, b, c), {"T": Tv, "d": dv}, LISTS(x), {"tau": Tv - k % Tv, "b": row, "c": col})
        assert abs(float(checker) - want[Tv - k % Tv][row - 1, col - 1]) < 1e-12


def test_time_is_clamped_and_entries_outside_the_shape_are_zero():
    x = inputs(3, 2)
    want = oracle(DECAYED, 3, 2, x)
    at = lambda tau, row, col: evaluate(state(DECAYED, tau, row, col), {}, {"T": 3, "d": 2}, x)  # noqa: E731
    check_at = lambda tau, row, col: float(scalar_value(state(DECAYED, tau, row, col), {"T": 3, "d": 2}, LISTS(x), {}))  # noqa: E731
    for tau, expect in ((-1, want[0][0, 0]), (0, 0.0), (3, want[3][0, 0]), (7, want[3][0, 0])):
        assert np.isclose(at(tau, 1, 1), expect) and np.isclose(check_at(tau, 1, 1), expect)
    for row, col in ((3, 1), (0, 1), (1, 2), (1, 0)):
        assert at(2, row, col) == 0 and check_at(2, row, col) == 0


def fires(expr) -> bool:
    return Normalizer(rules=(RULES["recurrence-closed-form"],)).rewrite_once(expr, world_context()) is not None


def test_the_rule_fires_only_where_its_side_conditions_hold():
    assert fires(state(CUMULATIVE, t, b, 1)) and fires(state(CUMULATIVE, 0, b, 1)) and fires(state(FAST, T, b, b))
    assert not fires(state(CUMULATIVE, t + 1, b, 1))          # τ may exceed T: the state is clamped there
    assert not fires(state(CUMULATIVE, t, b, 2))              # outside the shape (d × 1) the state is 0
    assert not fires(state(CUMULATIVE, t, b + 1, 1))          # b + 1 may exceed d
    one = recurrence("O", (1, 1), T, lambda prev, t, a, b: prev(a, b) + V[t, 1])
    assert fires(state(one, t, 1, 1)) and not fires(state(one, t, b, 1))


def test_a_wrong_closed_form_is_never_used():
    wrong = recurrence("C", (d, 1), T, lambda prev, t, a, b: prev(a, b) + V[t, a],
                       closed_form=lambda t, a, b: make_sum(V[s, a], s, 1, t - 1))
    assert not fires(state(wrong, t, b, 1))                   # its induction step fails
    claim = Claim("wrong", from_index(T, d, lambda t, c: state(wrong, t, c, 1)),
                  from_index(T, d, lambda t, c: make_sum(V[s, c], s, 1, t - 1)), statement="built on it")
    r = check(claim)
    assert r.verdict == "refuted" and r.counterexample is not None


@pytest.mark.parametrize("init, expect", [(0, "proved"), (1, "refuted")])
def test_the_derived_additive_form_needs_a_zero_start(init, expect):
    rec = recurrence("C", (d, 1), T, lambda prev, t, a, b: prev(a, b) + V[t, a], init=init,
                     closed_form=lambda t, a, b: make_sum(V[s, a], s, 1, t))
    claim = Claim("sum", from_index(T, d, lambda t, c: state(rec, t, c, 1)),
                  from_index(T, d, lambda t, c: make_sum(V[s, c], s, 1, t)), statement="a running sum")
    assert check(claim).verdict == expect


@pytest.mark.parametrize("update", [lambda prev, t, a, b: 2 * prev(a, b) + V[t, a],
                                    lambda prev, t, a, b: G[t, a] * prev(a, b) + V[t, a]],
                         ids=["coefficient", "decayed"])
def test_a_decayed_update_is_not_the_running_sum(update):
    rec = recurrence("C", (d, 1), T, update)
    claim = Claim("sum", from_index(T, d, lambda t, c: state(rec, t, c, 1)),
                  from_index(T, d, lambda t, c: make_sum(V[s, c], s, 1, t)), statement="not a running sum")
    assert check(claim).verdict == "refuted"


def test_a_shifted_read_is_the_shifted_recurrence_not_the_running_sum():
    claim = Claim("shift", from_index(T, d, lambda t, c: state(SHIFTED, t, c, 1)),
                  from_index(T, d, lambda t, c: make_sum(V[s, c], s, 1, t)), statement="reads S_{t-1}[a-1]")
    assert check(claim).verdict == "refuted"


# -- the independent checker --------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def cert():
    claim = Claim("running_sum", from_index(T, d, lambda t, c: state(CUMULATIVE, t, c, 1)),
                  from_index(T, d, lambda t, c: make_sum(V[s, c], s, 1, t)), statement="a running sum")
    r = check(claim)
    assert r.verdict == "proved"
    return certificate(r)


def rejected(cert) -> str:
    cert["claim"]["digest"] = claim_digest(cert)         # a forger recomputes the digest
    with pytest.raises(Rejected) as info:
        replay(cert)
    return str(info.value)


def closed_step(cert) -> dict:
    return next(st for st in cert["lhs"]["steps"] if st["rule"] == "recurrence-closed-form")


def test_the_certificate_replays(cert):
    assert {ob["title"] for ob in cert["obligations"]} == {"Induction base for the state C",
                                                           "Induction step for the state C"}
    assert replay(cert).steps > 0


def test_a_tampered_closed_form_is_rejected(cert):
    bad = copy.deepcopy(cert)
    step = closed_step(bad)
    row = cert["claim"]["row"]                      # srepr of the compared row
    tampered = step["contractum"].replace(f"Integer(1), {row})", f"Integer(2), {row})")
    assert tampered != step["contractum"]
    step["contractum"] = tampered
    assert "not the recurrence's claimed closed form" in rejected(bad)


def test_a_missing_step_obligation_is_rejected(cert):
    bad = copy.deepcopy(cert)
    bad["obligations"] = [ob for ob in bad["obligations"] if "step" not in ob["title"]]
    assert "recurrence C has no certified induction base and step" in rejected(bad)


def test_a_time_outside_0_to_T_is_rejected(cert):
    bad = copy.deepcopy(cert)
    row, beyond = cert["claim"]["row"], sp.srepr(T + 1)
    assert row in bad["lhs"]["start"]
    bad["lhs"]["start"] = bad["lhs"]["start"].replace(row, beyond, 1)
    step = closed_step(bad)
    step["redex"] = step["redex"].replace(row, beyond, 1)
    step["contractum"] = step["contractum"].replace(f"{row})", f"{beyond})")
    assert "the time is not provably within 0..T" in rejected(bad)


def test_the_shape_check_re_proves_each_side_condition():
    check_ = SHAPES["recurrence-closed-form"]
    facts = ((1, T), (1, d), (1, t), (t, T), (1, b), (b, d))
    certified = Site(facts, unrolled=frozenset({CUMULATIVE}))
    closed = lambda tau, row: make_sum(V[s, row], s, 1, tau)      # noqa: E731
    assert check_(state(CUMULATIVE, t, b, 1), closed(t, b), certified) is None
    assert check_(state(CUMULATIVE, t, b, 1), closed(t, b), Site(facts)) is not None        # no obligations
    assert "0..T" in check_(state(CUMULATIVE, t + 1, b, 1), closed(t + 1, b), certified)
    assert "shape" in check_(state(CUMULATIVE, t, b, 2), closed(t, b), certified)
    assert "closed form" in check_(state(CUMULATIVE, t, b, 1), closed(t - 1, b), certified)


def test_a_read_of_another_recurrence_s_state_is_an_input_error_never_a_proof():
    other = recurrence("U", (d, 1), T, lambda prev, t, a, b: prev(a, b) + Prev("C", (d, 1), a, b) + V[t, a],
                       closed_form=lambda t, a, b: make_sum(V[s, a], s, 1, t))
    r = check(Claim("other", from_index(T, d, lambda t, c: state(other, t, c, 1)),
                    from_index(T, d, lambda t, c: make_sum(V[s, c], s, 1, t)), statement="reads C_{t-1}"))
    assert r.verdict == "error" and r.error_kind == "input"


def test_the_induction_step_leaves_a_nested_recurrence_of_the_same_name_alone():
    outer = recurrence("C", (d, 1), T, lambda prev, t, a, b: prev(a, b) + state(CUMULATIVE, t, a, b),
                       closed_form=lambda t, a, b: make_sum(V[s, a], s, 1, t))
    step = updated(outer, t, b, 1, lambda x, y: sp.Integer(7))
    assert CUMULATIVE in step.atoms(Recurrence) and step.has(sp.Integer(7))
    assert not any(p.name == "C" for p in step.atoms(Prev) - CUMULATIVE.atoms(Prev))


# -- a closed form that reads another recurrence at the step's time: one unfolding, exactly at t ----------------
from symcheck.rules.recurrence import unfolded_at  # noqa: E402

STEPS_T = recurrence("U", (T, d), T, lambda prev, t, a, b: (1 - Iverson(sp.Eq(a, t))) * prev(a, b)
                     + Iverson(sp.Eq(a, t)) * (V[t, b] - make_sum(prev(s, b), s, 1, t - 1)))


def test_unfolding_happens_only_at_the_step_time_and_only_for_another_recurrence_with_its_steps():
    at_t = state(STEPS_T, t, s, b)
    assert unfolded_at(at_t, CUMULATIVE, t) != at_t
    for untouched in (state(STEPS_T, t - 1, s, b), state(STEPS_T, T, s, b)):
        assert unfolded_at(untouched, CUMULATIVE, t) == untouched
    assert unfolded_at(at_t, STEPS_T, t) == at_t                     # its own state: never
    shorter = recurrence("U", (T, d), T - 1, lambda prev, t, a, b: prev(a, b) + V[t, b])
    assert unfolded_at(state(shorter, t, s, b), CUMULATIVE, t) == state(shorter, t, s, b)


@pytest.mark.parametrize("Tv,dv", [(1, 1), (3, 2), (4, 3)])
def test_one_unfolding_keeps_the_value_for_every_step(Tv, dv):
    """U_t[x, y] = F_U(U_{t-1}, t)[x, y]·[inside], at every 1 <= t <= T and every (x, y), inside the shape or not."""
    rng = np.random.default_rng(Tv * 10 + dv)
    inputs = {"V": rng.standard_normal((Tv, dv)), "G": rng.standard_normal((Tv, dv))}
    x, y = index("x"), index("y")
    expr = state(STEPS_T, t, x, y)
    after = unfolded_at(expr, CUMULATIVE, t)
    sizes = {"T": Tv, "d": dv, "N": Tv}
    grid = {t: Tv, x: Tv + 1, y: dv + 1}
    assert np.allclose(evaluate(expr, grid, sizes, inputs), evaluate(after, grid, sizes, inputs))


def test_a_false_wy_form_is_refuted_not_proved():
    """DeltaNet's WY form with the correction left unscaled by β (u_t = β_t v_t − Σ_{j<t} (k_t·k_j) u_j)."""
    module = derivation("delta_rule")
    BETA, K, Vd, Qd, Td, dk, dv = module.BETA, module.K, module.V, module.Q, module.T, module.d_k, module.d_v

    def update(prev, t, a, b):
        j, c = index("j"), index("c")
        u = BETA[t, 1] * Vd[t, b] - make_sum(make_sum(K[t, c] * K[j, c], c, 1, dk) * prev(j, b), j, 1, t - 1)
        return (1 - Iverson(sp.Eq(a, t))) * prev(a, b) + Iverson(sp.Eq(a, t)) * u
    U = recurrence("U", (Td, dv), Td, update)
    j, c = index("j"), index("c")
    wy = from_index(Td, dv, lambda t, b: make_sum(make_sum(Qd[t, c] * K[j, c], c, 1, dk) * state(U, t, j, b), j, 1, t))
    assert check(Claim("c", module.deltanet, wy, statement="s")).verdict == "refuted"
