"""An sDNC read evaluated over blocks of steps (`nodes.reads`) is the memory's own read, computed by a plain loop.

The loop below is written from the DNC's definitions only: two N-slot memories, step t writes k_t and v_t to
slot σ(t) (cleared first with erase; lost outside 1..N), the read at τ weights the slots of its domain by
exp(β sim(q_t, M^K_τ[n])) over their sum and returns Σ_n w_n M^V_τ[n]. Random small instances: T = 1, reads
before the first write (empty domains), slots that repeat, erase, dot and cosine, the written slots and all
N; and the fused path forced at every length (`STEP_FROM = 0`) as well as taken on its own at T > STEP_FROM.
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

import symcheck.evaluate as evaluate_module
from symcheck import matrix, sdnc_read, sizes
from symcheck.model_ops import evaluate_model
from symcheck.nodes.memory import ContentWeight, MemoryCell
from symcheck.nodes.reads import BLOCK, ContentRead, fused_read

Ts, ds, Ns = sizes("T d N")
Q, K, V = matrix("Q", Ts, ds), matrix("K", Ts, ds), matrix("V", Ts, ds)


def loop(q, k, v, slots, beta, similarity="dot", read="after_write", domain="written", slot=None, erase=False):
    """The sDNC read, one step at a time, from the definitions."""
    T, d = q.shape
    sigma = slot or (lambda t: t)
    mk, mv, written = np.zeros((slots, d)), np.zeros((slots, v.shape[1])), np.zeros(slots, dtype=bool)

    def write(t):
        n = sigma(t)
        if 1 <= n <= slots:
            if erase:
                mk[n - 1], mv[n - 1] = 0.0, 0.0
            mk[n - 1] += k[t - 1]
            mv[n - 1] += v[t - 1]
            written[n - 1] = True

    def content(t):
        sim = mk @ q[t - 1]
        if similarity == "cosine":
            norms = np.linalg.norm(mk, axis=1) * np.linalg.norm(q[t - 1])
            sim = np.divide(sim, norms, out=np.zeros(slots), where=norms > 0)
        domain_mask = written if domain == "written" else np.ones(slots, dtype=bool)
        e = np.where(domain_mask, np.exp(beta * sim), 0.0)
        return e / e.sum() @ mv if e.sum() else np.zeros(v.shape[1])

    out = []
    for t in range(1, T + 1):
        if read == "before_write":
            out.append(content(t))
        write(t)
        if read == "after_write":
            out.append(content(t))
    return np.array(out)


@pytest.fixture(params=["as it comes", "blocks forced"])
def forced(request, monkeypatch):
    if request.param == "blocks forced":
        monkeypatch.setattr(evaluate_module, "STEP_FROM", 0)
    return request.param


@pytest.mark.parametrize("similarity", ["dot", "cosine"])
@pytest.mark.parametrize("read", ["after_write", "before_write"])
@pytest.mark.parametrize("domain", ["written", "all"])
@pytest.mark.parametrize("Tv,dv,extra", [(1, 1, 0), (2, 3, 1), (5, 2, 0), (40, 3, 2), (BLOCK + 70, 4, 3)])
def test_the_read_is_the_loop(Tv, dv, extra, similarity, read, domain, forced):
    rng = np.random.default_rng(Tv * 10 + dv)
    q, k, v = (rng.standard_normal((Tv, dv)) for _ in range(3))
    k[0] = 0.0                                                   # an empty key: its cosine is 0
    Nv = Tv + extra
    model = sdnc_read(Q, K, V, slots=Ns, similarity=similarity, read=read, domain=domain, strength=sp.Rational(1, 2))
    got = evaluate_model(model, {"T": Tv, "d": dv, "N": Nv}, {"Q": q, "K": k, "V": v})
    want = loop(q, k, v, Nv, 0.5, similarity, read, domain)
    np.testing.assert_allclose(got, want, rtol=1e-11, atol=1e-13)


@pytest.mark.parametrize("erase", [False, True])
@pytest.mark.parametrize("Tv", [1, 4])
def test_slots_that_repeat_with_and_without_erase(Tv, erase, forced):
    rng = np.random.default_rng(Tv)
    q, k, v = (rng.standard_normal((Tv, 2)) for _ in range(3))
    model = sdnc_read(Q, K, V, slots=Ns, slot=lambda t: sp.Mod(t, 2) + 1, erase=erase)
    got = evaluate_model(model, {"T": Tv, "d": 2, "N": 3}, {"Q": q, "K": k, "V": v})
    want = loop(q, k, v, 3, 1 / np.sqrt(2), slot=lambda t: t % 2 + 1, erase=erase)
    np.testing.assert_allclose(got, want, rtol=1e-11, atol=1e-13)


def test_a_long_read_is_fused_and_a_mutated_one_is_not():
    t, b, n = sp.symbols("t b n", integer=True)
    model = sdnc_read(Q, K, V, slots=Ns)
    body = model.entry(t, b)
    assert isinstance(fused_read(body), ContentRead)
    weight, cell = (next(f for f in body.body.args if isinstance(f, kind)) for kind in (ContentWeight, MemoryCell))
    early = MemoryCell(cell.mem, cell.time - 1, *cell.args[2:])
    assert fused_read(body.func(weight * early, *body.args[1:])) is None          # read-before-write on one side
    assert fused_read(body.func(body.body, body.var, body.lo, body.hi + 1)) is None   # off-by-one range


def test_overflowing_weights_give_what_the_step_by_step_read_gives(monkeypatch):
    """exp overflows: a weight inf · 0 is nan, and the product with an exact 0 entry is 0 (strongly zero)."""
    rng = np.random.default_rng(7)
    Tv = 40
    q, k, v = (rng.standard_normal((Tv, 2)) * 30 for _ in range(3))
    v[::3] = 0.0
    model = sdnc_read(Q, K, V, slots=Ns, strength=5)
    args = ({"T": Tv, "d": 2, "N": Tv}, {"Q": q, "K": k, "V": v})
    fused = evaluate_model(model, *args)
    evaluate_module._plan.cache_clear()
    monkeypatch.setattr(evaluate_module, "_fused", lambda e: e)
    stepped = evaluate_model(model, *args)
    evaluate_module._plan.cache_clear()
    assert np.isnan(stepped).any() and not np.isnan(stepped).all()
    np.testing.assert_allclose(fused, stepped, rtol=1e-12, equal_nan=True)
