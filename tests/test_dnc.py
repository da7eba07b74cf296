"""The DNC claims (`derivations/dnc.py`) against the DNC's reference semantics, written out here in numpy.

`reference` is a step loop written from google-deepmind/dnc (`addressing.py`, `access.py`), sharing no code
with symcheck: usage from the previous write and read weights, allocation by a *sorted* usage (a stable
argsort, then the exclusive cumulative product), the write weighting with its gates, erase-and-write,
precedence, the link matrix (zero diagonal), and a content read. One write head, one read head,
dot-product similarity with strength 1 (as the claims state). symcheck's numeric evaluation of both
sides of each claim is compared with it.
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from helpers import derivation
from symcheck import from_index, matrix, size
from symcheck.dnc import allocation
from symcheck.model_ops import evaluate_model
from symcheck.recurrent import state

T, N, W = 6, 8, 3
SIZES = {"T": T, "N": N, "W": W}
CLOSE = dict(rtol=1e-10, atol=1e-10)


@pytest.fixture(scope="module")
def dnc():
    return derivation("dnc")


def sorted_allocation(u: np.ndarray, eps: float) -> np.ndarray:
    """`_allocation`: û = ε + (1 − ε) u, slots sorted by ascending û (stable), a[φ_j] = (1 − û[φ_j]) Π_{i<j} û[φ_i]."""
    u = eps + (1 - eps) * u
    order = np.argsort(u, kind="stable")
    free = np.cumprod(np.concatenate([[1.0], u[order][:-1]]))
    out = np.empty_like(u)
    out[order] = (1 - u[order]) * free
    return out


def softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max())
    return e / e.sum()


def reference(E, A, Kr, Kw, *, write_gate=1.0, allocation_gate=1.0, eps=0.0, free=0.0, read_all=False,
              read_prev=None):
    """Per step: the read vectors r_t (T × W), usage, write weights, and the links' f_t, b_t for `read_prev`."""
    M, u, w, p, L = np.zeros((N, W)), np.zeros(N), np.zeros(N), np.zeros(N), np.zeros((N, N))
    wr = np.zeros(N)
    out = {"read": [], "usage": [], "write": [], "forward": [], "backward": []}
    for t in range(T):
        u = (u + w - u * w) * (1 - free * wr)                           # usage: previous write and read weights
        a = sorted_allocation(u, eps)
        c = softmax(M @ Kw[t])                                          # content write weights, old memory
        w = write_gate * (allocation_gate * a + (1 - allocation_gate) * c)
        M = M * (1 - np.outer(w, E[t])) + np.outer(w, A[t])             # erase, then write
        L = (1 - w[:, None] - w[None, :]) * L + np.outer(w, p)          # the link uses p_{t-1}
        np.fill_diagonal(L, 0.0)
        p = (1 - w.sum()) * p + w
        slots = N if read_all else t + 1
        wr = np.zeros(N)
        wr[:slots] = softmax(M[:slots] @ Kr[t])
        out["read"].append(wr @ M)
        out["usage"].append(u)
        out["write"].append(w)
        if read_prev is not None:
            out["forward"].append(L @ read_prev[t])
            out["backward"].append(L.T @ read_prev[t])
    return {k: np.array(v) for k, v in out.items()}


@pytest.fixture(scope="module")
def inputs():
    rng = np.random.default_rng(15)
    return {name: rng.standard_normal((T, W)) for name in ("E", "A", "Kr", "Kw")} | {
        "Wr": rng.random((T, N))}


def both(claim, inputs):
    return (evaluate_model(claim.lhs, SIZES, inputs), evaluate_model(claim.rhs, SIZES, inputs))


def test_the_idealised_dnc_is_attention_and_the_reference_agrees(dnc, inputs):
    ref = reference(inputs["E"], inputs["A"], inputs["Kr"], inputs["Kw"])
    lhs, rhs = both(dnc.dnc_is_causal_attention, inputs)
    np.testing.assert_allclose(lhs, ref["read"], **CLOSE)
    np.testing.assert_allclose(rhs, ref["read"], **CLOSE)
    np.testing.assert_allclose(ref["write"], np.eye(T, N), **CLOSE)             # w_t = e_t
    used = evaluate_model(from_index(size("T"), size("N"), lambda t, i: state(dnc.USED, t, i, 1)), SIZES, inputs)
    np.testing.assert_allclose(used, ref["usage"], **CLOSE)                    # u_t = [i <= t - 1]


@pytest.mark.parametrize("claim,options", [
    ("dnc_read_over_all_slots", dict(read_all=True)),
    ("content_writing_is_write_once", dict(allocation_gate=0.0)),
])
def test_the_refuted_dnc_variants_are_the_reference_and_not_attention(dnc, inputs, claim, options):
    ref = reference(inputs["E"], inputs["A"], inputs["Kr"], inputs["Kw"], **options)
    lhs, rhs = both(getattr(dnc, claim), inputs)
    np.testing.assert_allclose(lhs, ref["read"], **CLOSE)
    assert np.abs(lhs - rhs).max() > 1e-2


def test_the_link_reads_are_the_references_shifts(dnc, inputs):
    ref = reference(inputs["E"], inputs["A"], inputs["Kr"], inputs["Kw"], read_prev=inputs["Wr"])
    forward, shifted = both(dnc.forward_read_is_shift, inputs)
    backward, back = both(dnc.backward_read_is_shift, inputs)
    np.testing.assert_allclose(forward, ref["forward"], **CLOSE)
    np.testing.assert_allclose(shifted, ref["forward"], **CLOSE)
    np.testing.assert_allclose(backward, ref["backward"], **CLOSE)
    np.testing.assert_allclose(back, ref["backward"], **CLOSE)
    transposed, _ = both(dnc.forward_read_with_transposed_link, inputs)
    assert np.abs(transposed - shifted).max() > 1e-2


def test_one_erase_and_write_step_is_the_reference(dnc):
    rng = np.random.default_rng(3)
    x = {n: rng.standard_normal(s) for n, s in (("Mp", (N, W)), ("w1", (N, 1)), ("w2", (N, 1)), ("e1", (W, 1)),
                                                ("e2", (W, 1)), ("a1", (W, 1)), ("a2", (W, 1)))}
    keep = (1 - np.outer(x["w1"], x["e1"])) * (1 - np.outer(x["w2"], x["e2"]))      # `reset_weights`: a product
    two = x["Mp"] * keep + x["w1"] @ x["a1"].T + x["w2"] @ x["a2"].T
    one = x["Mp"] * (1 - x["w1"] @ x["e1"].T) + x["w1"] @ x["a1"].T
    for claim, expected in (("erase_write_matrix_form_is_row_form", (one, one)),
                            ("summed_erases_are_multiplied_erases", (None, two)), ("add_then_erase", (None, one))):
        for value, want in zip(both(getattr(dnc, claim), x), expected):
            if want is not None:
                np.testing.assert_allclose(value, want, **CLOSE)


@pytest.mark.parametrize("eps", [0.0, 1e-6, 0.3])
def test_slot_order_allocation_is_the_sorted_one_for_binary_usage(eps):
    """The library's allocation (in slot order) against the sorted reference: equal for every binary usage."""
    n = size("N")
    U = matrix("U", n, 1)
    model = from_index(1, n, lambda _, i: allocation(lambda k: U[k, 1], i, eps=sp.nsimplify(eps)))
    rng = np.random.default_rng(7)
    for _ in range(20):
        u = rng.integers(0, 2, N).astype(float)
        got = evaluate_model(model, {"N": N}, {"U": u[:, None]})[0]
        np.testing.assert_allclose(got, sorted_allocation(u, eps), **CLOSE)


def test_slot_order_allocation_is_not_the_sorted_one_for_soft_usage():
    """What is not modelled: usage strictly between 0 and 1, where the sort reorders the slots."""
    n = size("N")
    U = matrix("U", n, 1)
    model = from_index(1, n, lambda _, i: allocation(lambda k: U[k, 1], i))
    u = np.array([0.9, 0.1, 0.5, 0.7, 0.3, 0.2, 0.8, 0.6])
    assert np.abs(evaluate_model(model, {"N": N}, {"U": u[:, None]})[0] - sorted_allocation(u, 0.0)).max() > 1e-2
