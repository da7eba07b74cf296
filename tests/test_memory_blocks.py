"""sDNC read heads evaluated over blocks of steps are the memory's own reads, computed by plain loops.

A grid that reads memories at many times is evaluated in blocks of consecutive steps (`evaluate.STEP_BLOCK`),
and a memory's cells at the times of a block come from one simulated state and the write rule
(`memory.cells_over_steps`). The loops below are written from the definitions only: a memory is N slots,
step s writes row s to slot s (lost beyond N), a read at τ addresses slots 1..τ by content. Random small
instances: T = 1, one head, reads after each write and after all writes, dot and cosine, slots beyond the
writes, in float64 and mpmath, evaluated on the whole grid and in blocks of 1, 3 and 32 steps.
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

import symcheck.evaluate as evaluate_module
from symcheck import matrix, sdnc_gqa_read, sdnc_mqa_read, sdnc_multihead_read, sdnc_read, sizes, tensor
from symcheck.evaluate import mp_backend
from symcheck.index import index, make_sum
from symcheck.memory import Memory, MemoryCell
from symcheck.model_ops import evaluate_model

from test_reads import loop

Ts, Ss, Hs, dhs, dvs, Ds, Ns, Gs, Rs, Ws = sizes("T S H d_h d_v D N G R W")


@pytest.fixture(params=[None, 1, 3, 32], ids=["as it comes", "blocks of 1", "blocks of 3", "blocks of 32"])
def block(request, monkeypatch):
    if request.param is not None:
        monkeypatch.setattr(evaluate_module, "STEP_FROM", 0)
        monkeypatch.setattr(evaluate_module, "STEP_BLOCK", request.param)
    return request.param


def softmax_read(keys, values, query, beta, similarity="dot"):
    """Σ_n softmax_n(β sim(q, keys[n])) values[n] over the given rows (none: a zero read)."""
    if not len(keys):
        return np.zeros(values.shape[1])
    sim = keys @ query
    if similarity == "cosine":
        norms = np.linalg.norm(keys, axis=1) * np.linalg.norm(query)
        sim = np.divide(sim, norms, out=np.zeros(len(keys)), where=norms > 0)
    e = np.exp(beta * sim)
    return e / e.sum() @ values


def heads_loop(q, k, v, wo, slots, beta, similarity="dot", read="after_write", select="own_block"):
    """H read heads on one memory whose rows are [k^1 | ... | k^H]: head h reads with the zero-padded key."""
    T, H, dh = q.shape
    dv = v.shape[2]
    mk, mv, written = np.zeros((slots, H * dh)), np.zeros((slots, H * dv)), 0

    def write(s):
        nonlocal written
        if s <= slots:
            mk[s - 1] += k[s - 1].ravel()
            mv[s - 1] += v[s - 1].ravel()
        written = s

    out = np.zeros((T, wo.shape[2]))
    if read == "after_all_writes":
        for s in range(1, len(k) + 1):
            write(s)
    for t in range(1, T + 1):
        if read == "after_write":
            write(t)
        tau = min(written, slots)
        for h in range(H):
            key = np.zeros(H * dh)
            key[h * dh:(h + 1) * dh] = q[t - 1, h]
            r = softmax_read(mk[:tau], mv[:tau], key, beta, similarity)
            g = h if select == "own_block" else 0
            out[t - 1] += r[g * dv:(g + 1) * dv] @ wo[h]
    return out


def grouped_loop(q, k, v, wo, beta, head_map="repeat_interleave"):
    """Head (g, i) reads the memory of its KV group after step t's write: k, v are (S, G, width)."""
    T, G, R, _ = q.shape
    out = np.zeros((T, wo.shape[3]))
    for t in range(1, T + 1):
        for g in range(G):
            for i in range(R):
                group = g if head_map == "repeat_interleave" else (g * R + i) % G
                r = softmax_read(k[:t, group], v[:t, group], q[t - 1, g, i], beta)
                out[t - 1] += r @ wo[g, i]
    return out


def draw(seed, *shapes):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s) for s in shapes]


@pytest.mark.parametrize("similarity", ["dot", "cosine"])
@pytest.mark.parametrize("select", ["own_block", "first_block"])
@pytest.mark.parametrize("Tv,Hv,extra", [(1, 1, 0), (2, 2, 1), (5, 3, 0), (40, 2, 2)])
def test_multihead_read_heads_are_the_loop(Tv, Hv, extra, select, similarity, block):
    dh, dv, D = 2, 3, 2
    q, k, v, wo = draw(Tv * 10 + Hv, (Tv, Hv, dh), (Tv, Hv, dh), (Tv, Hv, dv), (Hv, dv, D))
    k[0] = 0.0                                                     # an empty key: its cosine is 0
    Q, K, V = tensor("Q", Ts, Hs, dhs), tensor("K", Ts, Hs, dhs), tensor("V", Ts, Hs, dvs)
    model = sdnc_multihead_read(Q, K, V, tensor("W_O", Hs, dvs, Ds), slots=Ns, similarity=similarity, select=select,
                                strength=sp.Rational(1, 2))
    env = {"T": Tv, "H": Hv, "d_h": dh, "d_v": dv, "D": D, "N": Tv + extra}
    got = evaluate_model(model, env, {"Q": q, "K": k, "V": v, "W_O": wo})
    want = heads_loop(q, k, v, wo, Tv + extra, 0.5, similarity, select=select)
    np.testing.assert_allclose(got, want, rtol=1e-11, atol=1e-13)


@pytest.mark.parametrize("Tv,Sv", [(1, 1), (3, 5), (40, 7)])
def test_read_heads_after_all_writes_are_the_loop(Tv, Sv, block):
    Hv, dh = 2, 3
    q, k, v, wo = draw(Tv + Sv, (Tv, Hv, dh), (Sv, Hv, dh), (Sv, Hv, dh), (Hv, dh, 2))
    Q, K, V = tensor("Q", Ts, Hs, dhs), tensor("K", Ss, Hs, dhs), tensor("V", Ss, Hs, dvs)
    model = sdnc_multihead_read(Q, K, V, tensor("W_O", Hs, dvs, Ds), slots=Ns, read="after_all_writes")
    env = {"T": Tv, "S": Sv, "H": Hv, "d_h": dh, "d_v": dh, "D": 2, "N": Sv + 1}
    got = evaluate_model(model, env, {"Q": q, "K": k, "V": v, "W_O": wo})
    want = heads_loop(q, k, v, wo, Sv + 1, 1 / np.sqrt(dh), read="after_all_writes")
    np.testing.assert_allclose(got, want, rtol=1e-11, atol=1e-13)


@pytest.mark.parametrize("Tv,Hv", [(1, 1), (4, 3), (37, 2)])
def test_multi_query_read_heads_are_the_loop(Tv, Hv, block):
    dh, dv = 2, 3
    q, k, v, wo = draw(Tv + Hv, (Tv, Hv, dh), (Tv, dh), (Tv, dv), (Hv, dv, 2))
    Q, K, V = tensor("Q", Ts, Hs, dhs), matrix("K", Ts, dhs), matrix("V", Ts, dvs)
    model = sdnc_mqa_read(Q, K, V, tensor("W_O", Hs, dvs, Ds), slots=Ns)
    env = {"T": Tv, "H": Hv, "d_h": dh, "d_v": dv, "D": 2, "N": Tv}
    got = evaluate_model(model, env, {"Q": q, "K": k, "V": v, "W_O": wo})
    want = grouped_loop(q[:, None], k[:, None], v[:, None], wo[None], 1 / np.sqrt(dh))    # one group of H heads
    np.testing.assert_allclose(got, want, rtol=1e-11, atol=1e-13)


@pytest.mark.parametrize("head_map", ["repeat_interleave", "tile"])
@pytest.mark.parametrize("Tv,Gv,Rv", [(1, 1, 1), (3, 2, 2), (35, 3, 2)])
def test_grouped_query_read_heads_are_the_loop(Tv, Gv, Rv, head_map, block):
    dh = 2
    q, k, v, wo = draw(Tv * Gv + Rv, (Tv, Gv, Rv, dh), (Tv, Gv, dh), (Tv, Gv, dh), (Gv, Rv, dh, 2))
    Q, K = tensor("Q", Ts, Gs, Rs, dhs), tensor("K", Ts, Gs, dhs)
    V, WO = tensor("V", Ts, Gs, dvs), tensor("W_O", Gs, Rs, dvs, Ds)
    model = sdnc_gqa_read(Q, K, V, WO, slots=Ns, head_map=head_map)
    env = {"T": Tv, "G": Gv, "R": Rv, "d_h": dh, "d_v": dh, "D": 2, "N": Tv}
    got = evaluate_model(model, env, {"Q": q, "K": k, "V": v, "W_O": wo})
    np.testing.assert_allclose(got, grouped_loop(q, k, v, wo, 1 / np.sqrt(dh), head_map), rtol=1e-11, atol=1e-13)


@pytest.mark.parametrize("Tv,Nv", [(1, 1), (6, 4), (40, 33)])
def test_cells_and_empty_ranges_at_many_times_are_the_history(Tv, Nv, block):
    """Σ_{n=1}^{t-1} M_t[n, a] (empty at t = 1) and M_{t+1}[t - 1, a] (slot 0 and times past the last write, 0 and
    clamped), with writes lost beyond N < T: against the memory's history written from its definition."""
    (x,) = draw(Tv, (Tv, 2))
    t, n, a = index("t"), index("n"), index("a")
    mem = Memory("X", matrix("X", Ts, Ws), Ns)
    history = [np.zeros((Nv, 2))]
    for s in range(1, Tv + 1):
        history.append(history[-1].copy())
        if s <= Nv:
            history[-1][s - 1] += x[s - 1]
    at = lambda time: history[min(max(time, 0), Tv)]                                          # noqa: E731
    args = ({t: Tv, a: 2}, {"T": Tv, "W": 2, "N": Nv}, {"X": x})
    total = evaluate_module.evaluate(make_sum(MemoryCell(mem, t, n, a), n, 1, t - 1), *args)
    np.testing.assert_allclose(total, [at(s)[:s - 1].sum(axis=0) for s in range(1, Tv + 1)], rtol=1e-13, atol=0)
    late = evaluate_module.evaluate(MemoryCell(mem, t + 1, t - 1, a), *args)
    want = [at(s + 1)[s - 2] if 1 <= s - 1 <= Nv else np.zeros(2) for s in range(1, Tv + 1)]
    np.testing.assert_array_equal(late, want)


@pytest.mark.parametrize("erase", [False, True])
def test_slots_that_repeat_over_blocks_are_the_loop(erase, block):
    """Writes through a slot map (no memory node: sums and brackets), stepped in blocks like the memories."""
    Tv = 40
    q, k, v = draw(Tv, (Tv, 2), (Tv, 2), (Tv, 2))
    Q, K, V = matrix("Q", Ts, Ws), matrix("K", Ts, Ws), matrix("V", Ts, Ws)
    model = sdnc_read(Q, K, V, slots=Ns, slot=lambda s: sp.Mod(s, 3) + 1, erase=erase)
    got = evaluate_model(model, {"T": Tv, "W": 2, "N": 3}, {"Q": q, "K": k, "V": v})
    want = loop(q, k, v, 3, 1 / np.sqrt(2), slot=lambda s: s % 3 + 1, erase=erase)
    np.testing.assert_allclose(got, want, rtol=1e-11, atol=1e-13)


def test_read_heads_in_blocks_in_high_precision_too(monkeypatch):
    monkeypatch.setattr(evaluate_module, "STEP_FROM", 0)
    monkeypatch.setattr(evaluate_module, "STEP_BLOCK", 2)
    q, k, v, wo = draw(3, (5, 2, 2), (5, 2, 2), (5, 2, 2), (2, 2, 2))
    Q, K, V = tensor("Q", Ts, Hs, dhs), tensor("K", Ts, Hs, dhs), tensor("V", Ts, Hs, dvs)
    model = sdnc_multihead_read(Q, K, V, tensor("W_O", Hs, dvs, Ds), slots=Ns)
    env = {"T": 5, "H": 2, "d_h": 2, "d_v": 2, "D": 2, "N": 5}
    got = evaluate_model(model, env, {"Q": q, "K": k, "V": v, "W_O": wo}, backend=mp_backend(30))
    assert got.dtype == object
    np.testing.assert_allclose(got.astype(float), heads_loop(q, k, v, wo, 5, 1 / np.sqrt(2)), rtol=1e-13, atol=1e-15)


def test_a_block_whose_grid_is_too_large_is_halved_down_to_single_steps(monkeypatch):
    """A block of 32 reads spans 32 × 40 slot terms; with room for 160 the blocks shrink to 4 steps, with room for
    fewer than the 40 terms of one step the evaluation is too large, as it was step by step."""
    q, k, v, wo = draw(5, (40, 2, 2), (40, 2, 2), (40, 2, 2), (2, 2, 2))
    Q, K, V = tensor("Q", Ts, Hs, dhs), tensor("K", Ts, Hs, dhs), tensor("V", Ts, Hs, dvs)
    model = sdnc_multihead_read(Q, K, V, tensor("W_O", Hs, dvs, Ds), slots=Ns)
    args = ({"T": 40, "H": 2, "d_h": 2, "d_v": 2, "D": 2, "N": 40}, {"Q": q, "K": k, "V": v, "W_O": wo})
    monkeypatch.setattr(evaluate_module, "GRID_LIMIT", 160)
    np.testing.assert_allclose(evaluate_model(model, *args), heads_loop(q, k, v, wo, 40, 1 / np.sqrt(2)),
                               rtol=1e-11, atol=1e-13)
    monkeypatch.setattr(evaluate_module, "GRID_LIMIT", 39)
    with pytest.raises(evaluate_module.TooLarge, match="has 40 terms"):
        evaluate_model(model, *args)
