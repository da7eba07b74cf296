"""The numeric semantics agree with independent reference implementations."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from symcheck.evaluate import FLOAT64, evaluate, mp_backend
from symcheck.index import Iverson, Log, Power, index, make_sum, sizes
from symcheck.matrix import matrix
from symcheck.models import causal_attention, sdnc_read

T, d, dv, N = sizes("T d d_v N")
Q, K, V = matrix("Q", T, d), matrix("K", T, d), matrix("V", T, dv)
t, b = index("t"), index("b")


def reference_attention(q, k, v, scale, mask):
    s = scale * q @ k.T
    i, j = np.indices(s.shape)
    keep = {"inclusive": j <= i, "strict": j < i, "none": np.ones_like(s, bool)}[mask]
    e = np.where(keep, np.exp(s), 0.0)
    z = e.sum(axis=1, keepdims=True)
    w = np.divide(e, z, out=np.zeros_like(e), where=z > 0)
    return w @ v


def reference_sdnc(q, k, v, n_slots, beta, similarity, read, domain):
    """A DNC loop written from the equations: write to slot t, read by content."""
    steps, width = k.shape
    mk, mv = np.zeros((n_slots, width)), np.zeros((n_slots, v.shape[1]))
    out = np.zeros((steps, v.shape[1]))
    for step in range(steps):
        if read == "before_write":
            written = step
        else:
            mk[step], mv[step] = k[step], v[step]
            written = step + 1
        slots = range(written) if domain == "written" else range(n_slots)
        if slots:
            def sim(m):
                if similarity == "dot":
                    return q[step] @ m
                norm = np.linalg.norm(q[step]) * np.linalg.norm(m)
                return 0.0 if norm == 0 else q[step] @ m / norm
            logits = np.array([beta * sim(mk[n]) for n in slots])
            w = np.exp(logits) / np.exp(logits).sum()
            out[step] = sum(w[i] * mv[n] for i, n in enumerate(slots))
        if read == "before_write":
            mk[step], mv[step] = k[step], v[step]
    return out


def run(model, Tv, dv_, dk, Nv, inputs, backend=FLOAT64):
    return evaluate(model.entry(t, b), {t: Tv, b: dv_}, {"T": Tv, "d": dk, "d_v": dv_, "N": Nv}, inputs, backend)


@pytest.mark.parametrize("mask", ["inclusive", "strict", "none"])
@pytest.mark.parametrize("Tv,dk,dv_", [(1, 1, 1), (3, 2, 4), (5, 3, 2)])
def test_attention_matches_numpy(mask, Tv, dk, dv_):
    rng = np.random.default_rng(Tv * 10 + dk)
    inputs = {"Q": rng.standard_normal((Tv, dk)), "K": rng.standard_normal((Tv, dk)),
              "V": rng.standard_normal((Tv, dv_))}
    got = run(causal_attention(Q, K, V, mask=mask), Tv, dv_, dk, Tv, inputs)
    want = reference_attention(inputs["Q"], inputs["K"], inputs["V"], 1 / np.sqrt(dk), mask)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("similarity", ["dot", "cosine"])
@pytest.mark.parametrize("read", ["after_write", "before_write"])
@pytest.mark.parametrize("domain", ["written", "all"])
def test_sdnc_matches_a_step_by_step_loop(similarity, read, domain):
    rng = np.random.default_rng(7)
    Tv, dk, dv_, Nv = 4, 3, 2, 6
    inputs = {"Q": rng.standard_normal((Tv, dk)), "K": rng.standard_normal((Tv, dk)),
              "V": rng.standard_normal((Tv, dv_))}
    model = sdnc_read(Q, K, V, slots=N, similarity=similarity, read=read, domain=domain, strength=sp.Rational(1, 2))
    got = run(model, Tv, dv_, dk, Nv, inputs)
    want = reference_sdnc(inputs["Q"], inputs["K"], inputs["V"], Nv, 0.5, similarity, read, domain)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def test_empty_sum_is_zero_and_products_are_strongly_zero():
    j = index("j")
    q = Q.base
    empty = make_sum(q[j, b] / 0 * 1, j, 1, t - 1)        # body undefined, range empty at t = 1
    guarded = Iverson(sp.Lt(t, 1)) * q[t, b] * sp.Pow(make_sum(1, j, 1, t - 1), -1)
    inputs = {"Q": np.ones((1, 1))}
    env = {"T": 1, "d": 1}
    assert evaluate(empty, {t: 1, b: 1}, env, inputs)[0, 0] == 0
    assert evaluate(guarded, {t: 1, b: 1}, env, inputs)[0, 0] == 0


@pytest.mark.parametrize("expr, value", [
    (Power(make_sum(Q.base[index("j"), b], index("j"), 1, t - 1), -1), 0),     # 1/0 at t = 1 is 0
    (Power(-4, sp.Rational(1, 2)), 0),                                         # no real square root
    (Power(make_sum(-Q.base[index("j"), b], index("j"), 1, t), sp.Rational(-1, 2)), 0),
    (Log(Q.base[t, b] - 1), 0),                                                # log 0 is 0
    (Power(make_sum(Q.base[index("j"), b], index("j"), 1, t), -2), 1),         # 1^-2
])
def test_the_semantics_is_total_in_both_backends(expr, value):
    for backend in (FLOAT64, mp_backend(30)):
        val = evaluate(expr, {t: 1, b: 1}, {"T": 1, "d": 1}, {"Q": np.ones((1, 1))}, backend)
        assert val[0, 0] == value, backend.name


@pytest.mark.parametrize("cond, truth", [
    (sp.Ne(t, 1), [0, 1, 1]), (sp.Lt(t, 2), [1, 0, 0]), (sp.Gt(t, 2), [0, 0, 1]), (sp.Ge(t, 2), [0, 1, 1]),
    (sp.Eq(t, 2), [0, 1, 0]), (sp.Or(sp.Eq(t, 1), sp.Eq(t, 3)), [1, 0, 1]), (sp.Not(sp.Le(t, 2)), [0, 0, 1]),
])
def test_every_relation_is_evaluated_by_its_own_meaning(cond, truth):
    """Today's bug: [t ≠ 1] was evaluated as [t = 1] (every relation but ≤ was read as =)."""
    got = evaluate(Iverson(cond) + 0 * b, {t: 3, b: 1}, {"T": 3, "d": 1}, {})
    assert got[:, 0].tolist() == truth


def test_mp_backend_agrees_with_float64():
    rng = np.random.default_rng(3)
    inputs = {"Q": rng.standard_normal((3, 2)), "K": rng.standard_normal((3, 2)), "V": rng.standard_normal((3, 2))}
    model = sdnc_read(Q, K, V, slots=N)
    f = run(model, 3, 2, 2, 4, inputs)
    m = run(model, 3, 2, 2, 4, inputs, mp_backend(40)).astype(float)
    np.testing.assert_allclose(f, m, rtol=1e-13)


def test_feedback_read_runs_the_recurrence():
    from symcheck.models import dnc_feedback_read
    rng = np.random.default_rng(5)
    Tv, dk, dv_ = 5, 3, 2
    q, k, v, u = (rng.standard_normal(s) for s in ((Tv, dk), (Tv, dk), (Tv, dv_), (dv_, dk)))
    model = dnc_feedback_read(Q, K, V, matrix("U", dv, d))
    got = run(model, Tv, dv_, dk, Tv, {"Q": q, "K": k, "V": v, "U": u})
    prev, want = np.zeros(dv_), []
    for t in range(Tv):
        w = np.exp((q[t] + prev @ u) @ k[: t + 1].T / np.sqrt(dk))
        prev = (w / w.sum()) @ v[: t + 1]
        want.append(prev)
    np.testing.assert_allclose(got, np.array(want), rtol=1e-12)
    # with no feedback it is causal attention
    zero = run(model, Tv, dv_, dk, Tv, {"Q": q, "K": k, "V": v, "U": np.zeros((dv_, dk))})
    attention = run(causal_attention(Q, K, V), Tv, dv_, dk, Tv, {"Q": q, "K": k, "V": v})
    np.testing.assert_allclose(zero, attention, rtol=1e-12)


@pytest.mark.parametrize("mask", ["inclusive", "strict", "none"])
@pytest.mark.parametrize("shape", [(1, 1), (7, 7), (7, 4), (4, 9)])
def test_the_row_blocked_softmax_is_the_whole_matrix_formula_bit_for_bit(mask, shape, monkeypatch):
    """In blocks of 3 rows, only the columns a block may keep exponentiated; inf and nan scores included."""
    from types import SimpleNamespace
    import symcheck.nodes.matrices as matrices
    monkeypatch.setattr(matrices, "SOFTMAX_ROWS", 3)
    a = np.random.default_rng(sum(shape)).standard_normal(shape) * 3
    a.flat[::5] = np.inf
    a.flat[1::7] = np.nan
    keep = matrices._kept(mask, np.arange(1, shape[0] + 1)[:, None], np.arange(1, shape[1] + 1)[None, :])
    with np.errstate(all="ignore"):
        e = np.where(keep, np.exp(a), 0.0)
        want = np.where(keep, e * FLOAT64.power(e.sum(axis=1, keepdims=True), -1.0), 0.0)
        got = matrices._softmax_f64(SimpleNamespace(b=FLOAT64), a, mask)
    np.testing.assert_array_equal(got, want)
