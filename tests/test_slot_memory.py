"""sdnc_read's slot map, read domain and erase: the index-level memory against a direct simulation."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from symcheck import ClaimError, causal_attention, index, matrix, sdnc_read, sizes
from symcheck.index import Iverson, Prod
from symcheck.model_ops import evaluate_model
from symcheck.slot_memory import written_guard

T, d, N, W = sizes("T d N W")
Q, K, V = matrix("Q", T, d), matrix("K", T, d), matrix("V", T, d)
n, tau = index("n"), index("tau")


def _inputs(seed=0, rows=5, width=2):
    rng = np.random.default_rng(seed)
    return {name: rng.normal(size=(rows, width)) for name in "QKV"}


def _simulated(x, slots, sigma, erase, domain):
    """The DNC's own loop: write k_t, v_t to slot sigma(t) (cleared first with erase), then read."""
    q, k, v = x["Q"], x["K"], x["V"]
    mk, mv = np.zeros((slots, k.shape[1])), np.zeros((slots, v.shape[1]))
    out = []
    for t in range(1, len(q) + 1):
        s = sigma(t)
        if 1 <= s <= slots:
            if erase:
                mk[s - 1], mv[s - 1] = 0, 0
            mk[s - 1] += k[t - 1]
            mv[s - 1] += v[t - 1]
        keep = np.array([domain(t, m) for m in range(1, slots + 1)], dtype=float)
        w = keep * np.exp(mk @ q[t - 1] / np.sqrt(q.shape[1]))
        out.append(w @ mv / w.sum() if w.sum() else np.zeros(v.shape[1]))      # an empty domain reads 0
    return np.array(out)


@pytest.mark.parametrize("options, slots, sigma, erase, domain", [
    (dict(slot=lambda t: T + 1 - t), 5, lambda t: 6 - t, False, lambda t, m: m >= 6 - t),
    (dict(slot=lambda t: (t - 1) % W + 1), 2, lambda t: (t - 1) % 2 + 1, False, lambda t, m: m <= min(t, 2)),
    (dict(slot=lambda t: (t - 1) % W + 1, erase=True), 2, lambda t: (t - 1) % 2 + 1, True, lambda t, m: m <= min(t, 2)),
    (dict(slot=lambda t: t + 1), 5, lambda t: t + 1, False, lambda t, m: 2 <= m <= t + 1),     # step 5's write is lost
    (dict(domain=lambda t, n: n <= t - 1, erase=True), 5, lambda t: t, True, lambda t, m: m <= t - 1),
])
def test_the_index_level_memory_is_the_dnc_loop(options, slots, sigma, erase, domain):
    x = _inputs()
    got = evaluate_model(sdnc_read(Q, K, V, slots=N, **options), {"T": 5, "d": 2, "N": slots, "W": 2}, x)
    want = _simulated(x, slots, sigma, erase, domain)
    np.testing.assert_allclose(got, want, atol=1e-12)


def test_a_ring_buffer_with_erase_reads_like_window_attention():
    """True, though not proved (no rule solves [(s - 1) mod W + 1 = n] for s); without erase it is false."""
    x, at = _inputs(rows=6), {"T": 6, "d": 2, "W": 3}
    window = evaluate_model(causal_attention(Q, K, V, window=W), at, x)
    ring = lambda erase: evaluate_model(sdnc_read(Q, K, V, slots=W, slot=lambda t: (t - 1) % W + 1, erase=erase),  # noqa: E731
                                        at, x)
    np.testing.assert_allclose(ring(True), window, atol=1e-12)
    assert not np.allclose(ring(False), window)


@pytest.mark.parametrize("sigma, want", [
    (lambda s: s + 1, Iverson(sp.Le(2, n)) * Iverson(sp.Le(n, tau + 1))),
    (lambda s: T + 1 - s, Iverson(sp.Le(T + 1 - tau, n)) * Iverson(sp.Le(n, T))),
])
def test_an_affine_slot_map_writes_an_interval_of_slots(sigma, want):
    assert written_guard(sigma, tau, n) == want


def test_any_other_slot_map_writes_the_slots_some_step_hit():
    guard = written_guard(lambda s: (s - 1) % W + 1, tau, n)
    assert guard.has(Prod) and isinstance(guard, sp.Add)


@pytest.mark.parametrize("options, message", [
    (dict(slot=3), r"slot= takes a function of the step, e.g. slot=lambda t: T \+ 1 - t; got 3"),
    (dict(domain="some"), r"unknown domain 'some'; expected one of written, all or a function \(t, n\) -> condition"),
])
def test_malformed_options_are_claim_errors(options, message):
    with pytest.raises(ClaimError, match=message):
        sdnc_read(Q, K, V, slots=N, **options)


def test_fresh_slots_keep_their_constraint_and_a_slot_map_leaves_it_to_the_claim():
    assert sdnc_read(Q, K, V, slots=N, erase=True).constraints == ((T, N),)
    assert sdnc_read(Q, K, V, slots=N, slot=lambda t: t + 1).constraints == ()
