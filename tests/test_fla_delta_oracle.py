"""Both sides of the delta-rule and DNC-memory claims against independent references (three heads; the DNC
memories at T = 1024, DeltaNet at T = 64).

flash-linear-attention's references (`fla-core`, loaded by file path) differ from symcheck's models in
three ways, each matched here explicitly: they multiply q by a scale inside (`delta_rule` fixes
d_k^(-1/2); the gated ones take `scale`), they do not normalise k (their tests do, and an
unnormalised k makes the delta rule blow up: I − β k kᵀ has the eigenvalue 1 − β|k|²), so k is
l2-normalised in the inputs of both; and layouts differ ([B, H, T, D] for `delta_rule`, [B, T, H, D]
for the gated and attention references; `(beta, g)` vs `(g, beta)` argument orders). The recurrent
references cast to float32, so agreement with them is to float32 rounding; the chunkwise and
parallel DeltaNet references keep float64. Heads are independent instances of one-head claims.
The DNC has no fla reference: its memory is checked against a torch step loop written from
google-deepmind/dnc `access.py` (`_erase_and_write`, then `read_words = read_weights @ memory`).
"""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="the oracle needs torch==2.13.0 (the test extra)")

from fla_reference import reference  # noqa: E402
from helpers import derivation  # noqa: E402
from symcheck.model_ops import evaluate_model  # noqa: E402

T, H, D_K, D_V = 64, 3, 8, 5     # at T = 1024 the DeltaNet tests took 38 s (the gated WY side 3.7 s a head)
N, W = 10, 6                     # DNC slots and word width for the soft-write claims
LONG = 1024                      # their steps: an N × W state per step, run step by step
FLOAT32 = dict(rtol=1e-5, atol=1e-5)
FLOAT64 = dict(rtol=1e-10, atol=1e-10)
APART = 1e-2                     # a refuted variant must differ from the reference by more than this


@pytest.fixture(scope="module")
def delta():
    return derivation("delta_rule")


@pytest.fixture(scope="module")
def data():
    """[1, T, H, ·] float64 inputs: unit keys, β = sigmoid(·) in (0, 1), log-decays g in (-1, 0]."""
    g = torch.Generator().manual_seed(10)
    q, k, v = (torch.randn(1, T, H, n, generator=g, dtype=torch.float64) for n in (D_K, D_K, D_V))
    k = k / k.norm(dim=-1, keepdim=True)
    beta = torch.sigmoid(torch.randn(1, T, H, generator=g, dtype=torch.float64))
    gate = -torch.rand(1, T, H, generator=g, dtype=torch.float64)
    return {"q": q, "k": k, "v": v, "beta": beta, "g": gate}


def _per_head(model, sizes, **inputs):
    """Our model on each head's slice (inputs [1, T, H, ·] or [1, T, H]), stacked to [T, H, cols]."""
    def head(x, h):
        x = x[0, :, h]
        return (x[:, None] if x.ndim == 1 else x).numpy()
    return np.stack([evaluate_model(model, sizes, {name: head(x, h) for name, x in inputs.items()})
                     for h in range(H)], axis=1)


def _deltanet_inputs(d, scale):
    """Q carries the reference's scale (ours reads q as given)."""
    return dict(Q=d["q"] * scale, K=d["k"], V=d["v"], beta=d["beta"])


SIZES = {"T": T, "d_k": D_K, "d_v": D_V}


def _bhtd(x):
    return x.transpose(1, 2).contiguous()


def _delta_rule(d, form):
    """fla's DeltaNet in [B, H, T, D] (scale d_k^(-1/2) fixed inside), back in [T, H, D_V]."""
    args = (_bhtd(d["q"]), _bhtd(d["k"]), _bhtd(d["v"]), d["beta"].transpose(1, 2).contiguous())
    ref = reference("delta_rule")
    if form == "delta_rule_recurrence":
        out, _ = ref.delta_rule_recurrence(*args)
    elif form == "delta_rule_chunkwise":
        out, _ = ref.delta_rule_chunkwise(*args, chunk_size=32)
    else:
        out, _ = ref.delta_rule_parallel(*args, BM=64, BN=32)        # BM must not exceed T
    return out[0].transpose(0, 1).double().numpy()


@pytest.fixture(scope="module")
def deltanet_sides(delta, data):
    inputs = _deltanet_inputs(data, D_K ** -0.5)
    claim = delta.deltanet_is_wy_form
    return {side: _per_head(getattr(claim, side), SIZES, **inputs) for side in ("lhs", "rhs")}


@pytest.mark.parametrize("side", ["lhs", "rhs"])
@pytest.mark.parametrize("form,tol", [("delta_rule_recurrence", FLOAT32), ("delta_rule_chunkwise", FLOAT64),
                                      ("delta_rule_parallel", FLOAT64)])
def test_deltanet_and_its_wy_form_are_flas_delta_rule(deltanet_sides, data, side, form, tol):
    np.testing.assert_allclose(deltanet_sides[side], _delta_rule(data, form), **tol)


def test_deltanet_without_the_solve_is_not_flas_delta_rule(delta, data):
    ours = _per_head(delta.deltanet_without_inverse.rhs, SIZES, **_deltanet_inputs(data, D_K ** -0.5))
    assert np.abs(ours - _delta_rule(data, "delta_rule_chunkwise")).max() > APART


def _gated(d, form):
    """fla's gated DeltaNet ([B, T, H, D]; recurrent takes (beta, g), chunk (g, beta)), scale 1."""
    ref = reference("gated_delta_rule")
    if form == "naive_recurrent_gated_delta_rule":
        out, _ = ref.naive_recurrent_gated_delta_rule(d["q"], d["k"], d["v"], d["beta"], d["g"], scale=1.0)
    else:
        out, _ = ref.naive_chunk_gated_delta_rule(d["q"], d["k"], d["v"], d["g"], d["beta"], chunk_size=16, scale=1.0)
    return out[0].double().numpy()


@pytest.fixture(scope="module")
def gated_sides(delta, data):
    inputs = dict(_deltanet_inputs(data, 1.0), G=data["g"])
    claim = delta.gated_deltanet_is_wy_form
    return {side: _per_head(getattr(claim, side), SIZES, **inputs) for side in ("lhs", "rhs")}


@pytest.mark.parametrize("side", ["lhs", "rhs"])
@pytest.mark.parametrize("form", ["naive_recurrent_gated_delta_rule", "naive_chunk_gated_delta_rule"])
def test_gated_deltanet_and_its_decayed_wy_form_are_flas_gated_delta_rule(gated_sides, data, side, form):
    np.testing.assert_allclose(gated_sides[side], _gated(data, form), **FLOAT32)


def test_the_undecayed_solve_is_not_flas_gated_delta_rule(delta, data):
    ours = _per_head(delta.gated_wy_without_decay_in_solve.rhs, SIZES, **dict(_deltanet_inputs(data, 1.0),
                                                                               G=data["g"]))
    assert np.abs(ours - _gated(data, "naive_recurrent_gated_delta_rule")).max() > APART


# -- φ = exp linear attention vs softmax attention -----------------------------------------------------------------
def _softmax_attention(q, k, v):
    out, _ = reference("attn").naive_parallel_attn(q, k, v, scale=1.0, causal=True)
    return out[0].double().numpy()


def test_exp_feature_linear_attention_is_flas_normalized_linear_attention_but_not_softmax(delta, data):
    q, k, v = data["q"] * 0.5, data["k"], data["v"]
    ours = _per_head(delta.exp_features_are_softmax_attention.lhs, SIZES, Q=q, K=k, V=v)
    theirs, _ = reference("linear_attn").naive_recurrent_linear_attn(q.exp(), k.exp(), v, scale=1.0, normalize=True)
    np.testing.assert_allclose(ours, theirs[0].double().numpy(), **FLOAT32)
    assert np.abs(ours - _softmax_attention(q, k, v)).max() > APART


def test_causal_softmax_side_is_flas_attention(delta, data):
    q, k, v = data["q"] * 0.5, data["k"], data["v"]
    ours = _per_head(delta.exp_features_are_softmax_attention.rhs, SIZES, Q=q, K=k, V=v)
    np.testing.assert_allclose(ours, _softmax_attention(q, k, v), **FLOAT64)


# -- the DNC's erase-and-write memory -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def dnc():
    """Soft write and read weightings (softmax rows over N slots), write vectors, erase vectors in (0, 1)."""
    g = torch.Generator().manual_seed(11)
    weights = lambda: torch.softmax(torch.randn(1, LONG, H, N, generator=g, dtype=torch.float64), -1)   # noqa: E731
    return {"Ww": weights(), "Wr": weights(), "A": torch.randn(1, LONG, H, W, generator=g, dtype=torch.float64),
            "E": torch.sigmoid(torch.randn(1, LONG, H, W, generator=g, dtype=torch.float64)),
            "Kr": torch.randn(1, LONG, H, W, generator=g, dtype=torch.float64) * 0.5}


def _dnc_memories(w, e, a):
    """access.py `_erase_and_write`, one write head: M ← M ∘ (1 − w eᵀ) + w aᵀ; the memory after each step."""
    memory, out = torch.zeros(*w.shape[:2], w.shape[3], a.shape[-1], dtype=a.dtype), []
    for t in range(w.shape[2]):
        wt, et, at = w[:, :, t], e[:, :, t], a[:, :, t]
        memory = memory * (1 - wt[..., :, None] * et[..., None, :]) + wt[..., :, None] * at[..., None, :]
        out.append(memory)
    return torch.stack(out, 2)                         # [B, H, T, N, W]


def _dnc_weighted_read(d, erase):
    e = d["E"] if erase else torch.zeros_like(d["E"])
    memories = _dnc_memories(_bhtd(d["Ww"]), _bhtd(e), _bhtd(d["A"]))
    return torch.einsum("bhtn,bhtnw->bthw", _bhtd(d["Wr"]), memories)[0].numpy()


DNC_SIZES = {"T": LONG, "N": N, "W": W}


def test_the_erase_free_write_and_its_fast_weights_are_flas_linear_attention_and_the_dnc_loop(delta, dnc):
    theirs, _ = reference("linear_attn").naive_recurrent_linear_attn(dnc["Wr"], dnc["Ww"], dnc["A"], scale=1.0)
    for side in ("lhs", "rhs"):
        ours = _per_head(getattr(delta.erase_free_write_is_fast_weights, side), DNC_SIZES, **dnc)
        np.testing.assert_allclose(ours, theirs[0].double().numpy(), **FLOAT32)
        np.testing.assert_allclose(ours, _dnc_weighted_read(dnc, erase=False), **FLOAT64)


def test_the_erase_write_is_the_dnc_loop_and_not_linear_attention(delta, dnc):
    ours = _per_head(delta.erase_write_is_fast_weights.lhs, DNC_SIZES, **dnc)
    np.testing.assert_allclose(ours, _dnc_weighted_read(dnc, erase=True), **FLOAT64)
    theirs, _ = reference("linear_attn").naive_recurrent_linear_attn(dnc["Wr"], dnc["Ww"], dnc["A"], scale=1.0)
    assert np.abs(ours - theirs[0].double().numpy()).max() > APART


def _content_read(memories, keys, written_only):
    """Dot-product content read (strength 1) of the memory after step t, over slots 1..t or all of them."""
    scores = torch.einsum("bhtw,bhtnw->bhtn", keys, memories)
    if written_only:
        unwritten = torch.arange(memories.shape[3])[None, :] > torch.arange(memories.shape[2])[:, None]
        scores = scores.masked_fill(unwritten[None, None], float("-inf"))
    return torch.einsum("bhtn,bhtnw->bthw", torch.softmax(scores, -1), memories)[0].numpy()


def test_fresh_slot_writes_ignore_erase_as_flas_attention_says(delta, dnc):
    """w_t = e_t (N = T slots): the DNC loop, our content read and fla's causal attention agree, erase or not."""
    fresh = torch.eye(LONG, dtype=torch.float64)[None, None].expand(1, H, LONG, LONG)
    memories = _dnc_memories(fresh, _bhtd(dnc["E"]), _bhtd(dnc["A"]))
    attention = _softmax_attention(dnc["Kr"], dnc["A"], dnc["A"])
    np.testing.assert_allclose(_content_read(memories, _bhtd(dnc["Kr"]), True), attention, **FLOAT64)
    claim = delta.fresh_slot_writes_ignore_erase
    for side in ("lhs", "rhs"):
        ours = _per_head(getattr(claim, side), {"T": LONG, "N": LONG, "W": W}, Kr=dnc["Kr"], A=dnc["A"], E=dnc["E"])
        np.testing.assert_allclose(ours, attention, **FLOAT64)


def test_soft_writes_are_not_write_once(delta, dnc):
    memories = _dnc_memories(_bhtd(dnc["Ww"]), _bhtd(dnc["E"]), _bhtd(dnc["A"]))
    ours = _per_head(delta.soft_writes_are_write_once.lhs, DNC_SIZES, **dnc)
    np.testing.assert_allclose(ours, _content_read(memories, _bhtd(dnc["Kr"]), False), **FLOAT64)
    assert np.abs(ours - _softmax_attention(dnc["Kr"], dnc["A"], dnc["A"])).max() > APART
