"""States run step by step agree with the whole history they replace, at every time a read asks for.

The memory semantics used to keep M_0..M_T; it now keeps one state (and checkpoints within a
budget) and evaluates a grid in blocks of time steps. These tests compare it with independent
loops over a full history, entry by entry, on random small instances: size 1, times before the
first and after the last write, slots and query rows outside the memory, empty address domains,
with and without checkpoints, stepping row by row, in blocks of two rows and on the whole grid.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import sympy as sp

import symcheck.evaluate as evaluate_module
import symcheck.stream as stream_module
from symcheck.evaluate import evaluate, mp_backend
from symcheck.index import index, make_sum, sizes
from symcheck.matrix import matrix
from symcheck.memory import ContentWeight, Memory, MemoryCell
from symcheck.stream import Stream

T, W, N, R = sizes("T W N R")
tau, n, a, r, h = (index(x) for x in ("tau", "n", "a", "r", "h"))


@pytest.fixture(params=["whole grid", "step by step, no checkpoints", "blocks of 2 steps, no checkpoints"])
def mode(request, monkeypatch):
    if request.param != "whole grid":
        monkeypatch.setattr(evaluate_module, "STEP_FROM", 0)
        monkeypatch.setattr(evaluate_module, "STEP_BLOCK", 1 if request.param.startswith("step") else 2)
        monkeypatch.setattr(stream_module, "SAVE_LIMIT", 0)
    return request.param


@pytest.mark.parametrize("in_place", [False, True])
@pytest.mark.parametrize("save_limit", [0, 7, 10**6])
def test_a_stream_reads_the_state_of_each_time(in_place, save_limit, monkeypatch):
    monkeypatch.setattr(stream_module, "SAVE_LIMIT", save_limit)
    rng = np.random.default_rng(save_limit)
    steps = rng.standard_normal((6, 3))
    history = [np.zeros(3)]
    for x in steps:
        history.append(history[-1] + x)

    def step(state, s):
        if in_place:
            state += steps[s - 1]
            return state
        return state + steps[s - 1]

    stream = Stream(lambda: np.zeros(3), step, len(steps), changes=(lambda s: np.s_[:]) if in_place else None)
    for _ in range(20):
        times = rng.integers(-2, len(steps) + 3, size=(int(rng.integers(1, 5)), 1))
        cols = np.arange(1, 4)[None, :]
        got = stream.read(times, [cols], lambda state, at: state[at[0] - 1], 0.0)
        want = np.array([history[min(max(int(x), 0), len(steps))] for x in times[:, 0]])
        np.testing.assert_array_equal(got, want)


def test_a_view_of_a_part_that_later_steps_change_is_copied():
    def write(m, s):
        m[s - 1] = s
        return m

    stream = Stream(lambda: np.zeros(3), write, 3, changes=lambda s: np.s_[s:])
    done = stream.read(np.array([1]), [np.arange(1, 2)], lambda m, at: m[at[0][0] - 1:at[0][-1]], 0.0)
    whole = stream.read(np.array([1]), [np.arange(1, 4)], lambda m, at: m[at[0][0] - 1:at[0][-1]], 0.0)
    stream.at(3)
    assert done.tolist() == [1] and whole.tolist() == [1, 0, 0]


@pytest.mark.parametrize("in_place", [False, True])
def test_terms_reading_one_block_of_times_run_each_step_once(in_place, monkeypatch):
    """Without checkpoints, a second read of times 3..5 (another term of the same block) would re-run steps 1..5."""
    monkeypatch.setattr(stream_module, "SAVE_LIMIT", 0)
    steps = []

    def step(state, s):
        steps.append(s)
        return state.__iadd__(s) if in_place else state + s

    stream = Stream(lambda: np.zeros(1), step, 8, changes=(lambda s: np.s_[:]) if in_place else None)
    times, cols = np.array([[3], [4], [5]]), [np.ones((1, 1), dtype=int)]
    first = stream.read(times, cols, lambda state, at: state[at[0] - 1], 0.0)
    again = stream.read(times, cols, lambda state, at: state[at[0] - 1], 0.0)
    later = stream.read(times + 2, cols, lambda state, at: state[at[0] - 1], 0.0)
    assert steps == [1, 2, 3, 4, 5, 6, 7]
    assert first.ravel().tolist() == again.ravel().tolist() == [6, 10, 15] and later.ravel().tolist() == [15, 21, 28]


# -- the write-once memory against a loop over its full history -----------------------------------------
def history(x: np.ndarray, slots: int) -> np.ndarray:
    """M_0..M_T written from the definition: M_s = M_{s-1} + e_s x_s^T (nothing is written beyond N)."""
    out = [np.zeros((slots, x.shape[1]))]
    for s, row in enumerate(x, start=1):
        m = out[-1].copy()
        if s <= slots:
            m[s - 1] += row
        out.append(m)
    return np.array(out)


def cell(hist, time, slot, col):
    m = hist[min(max(time, 0), len(hist) - 1)]
    return m[slot - 1, col - 1] if 1 <= slot <= m.shape[0] and 1 <= col <= m.shape[1] else 0.0


def content(hist, q, beta, similarity, time, row, slot, hi):
    """C(M_τ, q_row, β)[slot] over slots 1..hi, one entry at a time (zero rows outside the memory and the input)."""
    m = hist[min(max(time, 0), len(hist) - 1)]
    query = q[row - 1] if 1 <= row <= len(q) else np.zeros(q.shape[1])

    def score(k):
        slot_row = m[k - 1] if 1 <= k <= len(m) else np.zeros(m.shape[1])
        dot = query @ slot_row
        if similarity == "cosine":
            norms = np.linalg.norm(query) * np.linalg.norm(slot_row)
            dot = dot / norms if norms else 0.0
        return np.exp(beta * dot)

    den = sum((score(k) for k in range(1, hi + 1)), 0.0)
    return score(slot) / den if den else 0.0


CASES = [(1, 1, 1, 1), (1, 2, 1, 2), (3, 2, 2, 3), (4, 6, 3, 2), (5, 3, 2, 4)]    # (T, N, W, query rows)


@pytest.mark.parametrize("Tv,Nv,Wv,Rv", CASES)
def test_memory_cells_are_the_history_at_every_time_slot_and_column(Tv, Nv, Wv, Rv, mode):
    rng = np.random.default_rng(Tv * 100 + Nv * 10 + Wv)
    x = rng.standard_normal((Tv, Wv))
    mem = Memory("X", matrix("X", T, W), N)
    grid = {tau: Tv + 3, n: Nv + 2, a: Wv + 2}                  # τ = -1..T+1, n = 0..N+1, a = 0..W+1
    got = evaluate(MemoryCell(mem, tau - 2, n - 1, a - 1), grid, {"T": Tv, "W": Wv, "N": Nv}, {"X": x})
    hist = history(x, Nv)
    want = np.array([[[cell(hist, i - 2, j - 1, k - 1) for k in range(1, Wv + 3)] for j in range(1, Nv + 3)]
                     for i in range(1, Tv + 4)])
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("similarity", ["dot", "cosine"])
@pytest.mark.parametrize("Tv,Nv,Wv,Rv", CASES)
def test_content_weights_are_their_formula_over_the_history(Tv, Nv, Wv, Rv, similarity, mode):
    rng = np.random.default_rng(Tv * 100 + Nv * 10 + Wv)
    x, q = rng.standard_normal((Tv, Wv)), rng.standard_normal((Rv, Wv))
    x[0] = 0.0                                                  # an empty slot: its cosine is 0
    mem = Memory("X", matrix("X", T, W), N)
    weight = ContentWeight(mem, tau - 2, matrix("Q", R, W), r - 1, n - 1, sp.Rational(1, 2), similarity, h - 2)
    grid = {tau: Tv + 3, r: Rv + 2, n: Nv + 3, h: Nv + 3}       # hi = -1..N+1: empty address domains included
    got = evaluate(weight, grid, {"T": Tv, "W": Wv, "N": Nv, "R": Rv}, {"X": x, "Q": q})
    hist = history(x, Nv)
    for i, j, k, m in itertools.product(*(range(1, e + 1) for e in grid.values())):
        want = content(hist, q, 0.5, similarity, i - 2, j - 1, k - 1, m - 2)
        assert got[i - 1, j - 1, k - 1, m - 1] == pytest.approx(want, rel=1e-12, abs=1e-15), (i, j, k, m)


def test_a_read_sums_over_a_memory_in_high_precision_too(mode):
    rng = np.random.default_rng(4)
    x, q = rng.standard_normal((3, 2)), rng.standard_normal((3, 2))
    mem = Memory("X", matrix("X", T, W), N)
    t = index("t")
    read = make_sum(ContentWeight(mem, t, matrix("Q", T, W), t, n, 1, "dot", t) * MemoryCell(mem, t, n, a), n, 1, t)
    args = ({t: 3, a: 2}, {"T": 3, "W": 2, "N": 3}, {"X": x, "Q": q})
    f64, mp = evaluate(read, *args), evaluate(read, *args, backend=mp_backend(30)).astype(float)
    hist = history(x, 3)
    want = [[sum(content(hist, q, 1.0, "dot", i, i, k, i) * cell(hist, i, k, j) for k in range(1, i + 1))
             for j in (1, 2)] for i in (1, 2, 3)]
    np.testing.assert_allclose(f64, want, rtol=1e-12)
    np.testing.assert_allclose(mp, want, rtol=1e-12)


@pytest.mark.parametrize("Tv,Wv", [(1, 1), (4, 2), (6, 3)])
def test_recurrent_states_are_their_loop_at_every_time_and_entry(Tv, Wv, mode):
    """S_t = S_{t-1}/2 + k_t k_t^T + 1, S_0 = 1, read at τ = -1..T+1 and entries one past the shape."""
    from symcheck.recurrent import recurrence
    from symcheck.nodes.recurrence import State
    rng = np.random.default_rng(Tv)
    k = rng.standard_normal((Tv, Wv))
    X = matrix("K", T, W).base
    rec = recurrence("S", (W, W), T, lambda prev, t, i, j: prev(i, j) / 2 + X[t, i] * X[t, j] + 1, init=1)
    got = evaluate(State(rec, tau - 2, n - 1, a - 1), {tau: Tv + 3, n: Wv + 2, a: Wv + 2}, {"T": Tv, "W": Wv},
                   {"K": k})
    states = [np.ones((Wv, Wv))]
    for row in k:
        states.append(states[-1] / 2 + np.outer(row, row) + 1)
    padded = [np.pad(s, 1) for s in states]                    # entries 0 and W+1 are outside the shape: 0
    want = np.array([padded[min(max(i - 2, 0), Tv)] for i in range(1, Tv + 4)])
    np.testing.assert_allclose(got, want, rtol=1e-14, atol=0)
