"""Both sides of the recurrent-state claims against flash-linear-attention's references (T >= 64).

The references cast to float32 (`naive_recurrent_linear_attn`), so agreement is to float32
rounding; symcheck evaluates in float64. Heads are independent: each head's slice is one
instance of the single-head claim.
"""

from __future__ import annotations


import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="the oracle needs torch==2.13.0 (the test extra)")

from fla_reference import reference  # noqa: E402
from helpers import derivation  # noqa: E402
from symcheck.model_ops import evaluate_model  # noqa: E402

T, H, D_K, D_V = 64, 3, 8, 5
FLOAT32 = dict(rtol=1e-5, atol=1e-5)




@pytest.fixture(scope="module")
def linear():
    return derivation("linear_attention")


@pytest.fixture(scope="module")
def qkv():
    g = torch.Generator().manual_seed(0)
    return tuple(torch.randn(1, T, H, n, generator=g, dtype=torch.float64) for n in (D_K, D_K, D_V))


def _per_head(model, q, k, v):
    sizes = {"T": T, "d_k": D_K, "d_v": D_V}
    return np.stack([evaluate_model(model, sizes, {"Q": q[0, :, h].numpy(), "K": k[0, :, h].numpy(),
                                                   "V": v[0, :, h].numpy()}) for h in range(H)], axis=1)


@pytest.mark.parametrize("side", ["lhs", "rhs"])
def test_fast_weights_and_linear_attention_are_flas_recurrent_linear_attention(linear, qkv, side):
    q, k, v = qkv
    theirs, _ = reference("linear_attn").naive_recurrent_linear_attn(q, k, v, scale=1.0)
    model = getattr(linear.fast_weights_are_linear_attention, side)
    np.testing.assert_allclose(_per_head(model, q, k, v), theirs[0].double().numpy(), **FLOAT32)


def test_reading_before_the_update_is_not_flas_linear_attention(linear, qkv):
    q, k, v = qkv
    theirs, _ = reference("linear_attn").naive_recurrent_linear_attn(q, k, v, scale=1.0)
    ours = _per_head(linear.read_before_update.lhs, q, k, v)
    assert np.abs(ours - theirs[0].double().numpy()).max() > 1e-2


@pytest.fixture(scope="module")
def gates():
    g = torch.Generator().manual_seed(1)
    return -torch.rand(1, T, H, generator=g, dtype=torch.float64)        # log-decays in (-1, 0]: g = ΔA


def _gated_per_head(model, q, k, v, g):
    sizes = {"T": T, "d_k": D_K, "d_v": D_V}
    return np.stack([evaluate_model(model, sizes, {"Q": q[0, :, h].numpy(), "K": k[0, :, h].numpy(),
                                                   "V": v[0, :, h].numpy(), "G": g[0, :, h, None].numpy()})
                     for h in range(H)], axis=1)


@pytest.mark.parametrize("side", ["lhs", "rhs"])
@pytest.mark.parametrize("form", ["naive_recurrent_simple_gla", "naive_parallel_simple_gla"])
def test_the_gated_state_and_its_decay_mask_are_flas_simple_gla(linear, qkv, gates, side, form):
    q, k, v = qkv
    out = getattr(reference("simple_gla"), form)(q, k, v, gates, scale=1.0)
    theirs = out[0] if isinstance(out, tuple) else out
    ours = _gated_per_head(getattr(linear.gated_state_is_decay_masked_attention, side), q, k, v, gates)
    np.testing.assert_allclose(ours, theirs[0].double().numpy(), **FLOAT32)


@pytest.mark.parametrize("claim,side", [("gated_state_is_decay_masked_attention", "rhs"),
                                        ("mask_is_cumulative_sum_difference", "rhs"),
                                        ("mask_is_cumulative_sum_difference", "lhs")])
def test_the_cumulative_sum_mask_is_flas_parallel_simple_gla(linear, qkv, gates, claim, side):
    q, k, v = qkv
    theirs = reference("simple_gla").naive_parallel_simple_gla(q, k, v, gates, scale=1.0)
    theirs = theirs[0] if isinstance(theirs, tuple) else theirs
    ours = _gated_per_head(getattr(getattr(linear, claim), side), q, k, v, gates)
    np.testing.assert_allclose(ours, theirs[0].double().numpy(), **FLOAT32)


@pytest.mark.parametrize("claim,side", [("decay_mask_off_by_one", "rhs"), ("decay_after_the_add", "lhs")])
def test_the_off_by_one_decays_are_not_simple_gla(linear, qkv, gates, claim, side):
    q, k, v = qkv
    theirs, _ = reference("simple_gla").naive_recurrent_simple_gla(q, k, v, gates, scale=1.0)
    ours = _gated_per_head(getattr(getattr(linear, claim), side), q, k, v, gates)
    assert np.abs(ours - theirs[0].double().numpy()).max() > 1e-2


@pytest.fixture(scope="module")
def features():
    """φ(Q), φ(K) > 0 (as for φ = elu + 1), so the normaliser of LA-1 is bounded away from 0."""
    g = torch.Generator().manual_seed(2)
    return tuple(torch.rand(1, T, H, D_K, generator=g, dtype=torch.float64) + 0.1 for _ in range(2))


def _normalized(q, k, v):
    theirs, _ = reference("linear_attn").naive_recurrent_linear_attn(q, k, v, scale=1.0, normalize=True)
    return theirs[0].double().numpy()          # ≈ ours: its eps 1e-10 is far below float32 rounding here


@pytest.mark.parametrize("side", ["lhs", "rhs"])
def test_normalized_linear_attention_is_flas_normalized_recurrence(linear, features, qkv, side):
    (q, k), v = features, qkv[2]
    ours = _per_head(getattr(linear.normalized_linear_attention, side), q, k, v)
    np.testing.assert_allclose(ours, _normalized(q, k, v), **FLOAT32)


@pytest.mark.parametrize("claim", ["normaliser_before_update", "non_causal_normaliser"])
def test_the_wrong_normalisers_are_not_flas_normalized_linear_attention(linear, features, qkv, claim):
    (q, k), v = features, qkv[2]
    ours = _per_head(getattr(linear, claim).lhs, q, k, v)
    assert np.abs(ours - _normalized(q, k, v)).max() > 1e-2


@pytest.fixture(scope="module")
def channel_gates():
    g = torch.Generator().manual_seed(3)
    return -torch.rand(1, T, H, D_K, generator=g, dtype=torch.float64)     # log-decays per key channel


def _gla_per_head(model, q, k, v, gk):
    """`naive_recurrent_gla` fixes the scale to d_k^(-1/2) on q; ours reads q as given, so it gets the scaled q."""
    sizes = {"T": T, "d_k": D_K, "d_v": D_V}
    q = q * D_K ** -0.5
    return np.stack([evaluate_model(model, sizes, {"Q": q[0, :, h].numpy(), "K": k[0, :, h].numpy(),
                                                   "V": v[0, :, h].numpy(), "GK": gk[0, :, h].numpy()})
                     for h in range(H)], axis=1)


def _gla(q, k, v, gk):
    theirs, _ = reference("gla").naive_recurrent_gla(q, k, v, gk)
    return theirs[0].double().numpy()


@pytest.mark.parametrize("side", ["lhs", "rhs"])
def test_the_gla_state_and_its_parallel_form_are_flas_recurrent_gla(linear, qkv, channel_gates, side):
    q, k, v = qkv
    ours = _gla_per_head(getattr(linear.gla_is_channel_decayed_attention, side), q, k, v, channel_gates)
    np.testing.assert_allclose(ours, _gla(q, k, v, channel_gates), **FLOAT32)


def test_the_mean_gate_is_not_gla(linear, qkv, channel_gates):
    q, k, v = qkv
    ours = _gla_per_head(linear.gla_is_mean_gated.rhs, q, k, v, channel_gates)
    assert np.abs(ours - _gla(q, k, v, channel_gates)).max() > 1e-2


# -- the FFN as a key-value memory: plain torch is the oracle ----------------------------------------------------
D, D_FF, D_OUT = 8, 16, 5


@pytest.fixture(scope="module")
def ffn_weights():
    """H independent instances (x_t, W₁, W₂), like the heads above."""
    g = torch.Generator().manual_seed(4)
    return [tuple(torch.randn(*shape, generator=g, dtype=torch.float64) for shape in ((T, D), (D_FF, D), (D_OUT, D_FF)))
            for _ in range(H)]


def _ffn_pairs(model, weights):
    sizes = {"T": T, "d": D, "d_ff": D_FF, "d_out": D_OUT}
    for x, w1, w2 in weights:
        ours = evaluate_model(model, sizes, {"X": x.numpy(), "W1": w1.numpy(), "W2": w2.numpy()})
        yield ours, (torch.relu(x @ w1.T) @ w2.T).numpy()


@pytest.fixture(scope="module")
def memory():
    return derivation("associative_memory")


@pytest.mark.parametrize("side", ["lhs", "rhs"])
def test_the_ffn_and_its_memory_read_are_torchs_ffn(memory, ffn_weights, side):
    for ours, theirs in _ffn_pairs(getattr(memory.ffn_is_key_value_memory, side), ffn_weights):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)


def test_a_softmax_read_of_the_memory_is_not_the_ffn(memory, ffn_weights):
    for ours, theirs in _ffn_pairs(memory.ffn_is_softmax_memory_read.rhs, ffn_weights):
        assert np.abs(ours - theirs).max() > 1e-2
