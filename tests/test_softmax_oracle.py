"""Both sides of the softmax-shift claims against references someone else wrote (T = 64, three heads).

Forgetting attention against flash-linear-attention's `naive_forgetting_attn` (which casts to float32, so
agreement is to float32 rounding); online softmax against PyTorch's causal `scaled_dot_product_attention`
(the running max at T = 24);
the neuron claims against `torch.nn.functional.silu` and `relu`. Heads are independent: each head's slice is
one instance of the single-head claim. Each refuted variant must differ from its reference.
"""

from __future__ import annotations


import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="the oracle needs torch==2.13.0 (the test extra)")

from helpers import derivation  # noqa: E402
from symcheck.model_ops import evaluate_model  # noqa: E402

T, H, D, D_V = 64, 3, 8, 5
FLOAT32 = dict(rtol=1e-5, atol=1e-5)
FLOAT64 = dict(rtol=1e-10, atol=1e-10)




@pytest.fixture(scope="module")
def qkv():
    g = torch.Generator().manual_seed(4)
    return tuple(torch.randn(1, T, H, n, generator=g, dtype=torch.float64) for n in (D, D, D_V))


def _per_head(model, inputs: dict, sizes: dict) -> np.ndarray:
    """The model on each head's slice of `inputs` ([1, T, H, ...] tensors), stacked as [T, H, cols]."""
    return np.stack([evaluate_model(model, sizes, {name: x[0, :, h].numpy() for name, x in inputs.items()})
                     for h in range(H)], axis=1)


# -- forgetting attention: fla's reference ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def fox():
    return derivation("forgetting_attention")


@pytest.fixture(scope="module")
def forget_gates():
    g = torch.Generator().manual_seed(5)
    return torch.nn.functional.logsigmoid(torch.randn(1, T, H, generator=g, dtype=torch.float64) + 2)


def _fox_reference(qkv, gates):
    from fla_reference import reference
    q, k, v = qkv
    return reference("forgetting_attn").naive_forgetting_attn(q, k, v, gates)[0].double().numpy()


def _fox_ours(model, qkv, gates):
    q, k, v = qkv
    G = gates.cumsum(1)[..., None]                  # G_t = Σ_{r<=t} log f_r, as the reference's `gc`
    return _per_head(model, {"Q": q, "K": k, "V": v, "G": G}, {"T": T, "d": D, "d_v": D_V})


@pytest.mark.parametrize("side", ["lhs", "rhs"])
def test_forgetting_attention_and_its_shifted_form_are_flas_reference(fox, qkv, forget_gates, side):
    ours = _fox_ours(getattr(fox.forgetting_attention_drops_the_query_gate, side), qkv, forget_gates)
    np.testing.assert_allclose(ours, _fox_reference(qkv, forget_gates), **FLOAT32)


def test_gated_linear_attention_is_not_flas_forgetting_attention(fox, qkv, forget_gates):
    ours = _fox_ours(fox.forgetting_attention_is_gated_linear_attention.rhs, qkv, forget_gates)
    assert np.abs(ours - _fox_reference(qkv, forget_gates)).max() > 1e-2


# -- online softmax: PyTorch's causal attention ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def online():
    return derivation("online_softmax")


def _sdpa(qkv, steps=T):
    q, k, v = (x[0, :steps].transpose(0, 1) for x in qkv)               # [H, steps, dim]
    return torch.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=True).transpose(0, 1).numpy()


def _online_ours(model, qkv, steps=T):
    q, k, v = (x[:, :steps] for x in qkv)
    shifts = torch.randn(1, steps, H, steps + 1, generator=torch.Generator().manual_seed(6), dtype=torch.float64) * 3
    return _per_head(model, {"Q": q, "K": k, "V": v, "M": shifts}, {"T": steps, "d": D, "d_v": D_V})


# the running max is a recurrence read inside another one's update, which the evaluator re-runs at every outer
# step (quadratic in T): 24 steps keep these two tests at a few seconds each
MAX_STEPS = 24


@pytest.mark.parametrize("claim,side,steps", [("online_softmax_any_shift", "lhs", T), ("online_softmax_any_shift", "rhs", T),
                                              ("flash_attention_running_max", "lhs", MAX_STEPS)])
def test_online_softmax_is_torch_causal_attention(online, qkv, claim, side, steps):
    ours = _online_ours(getattr(getattr(online, claim), side), qkv, steps)
    np.testing.assert_allclose(ours, _sdpa(qkv, steps), **FLOAT64)


def test_the_unrescaled_normaliser_is_not_torch_causal_attention(online, qkv):
    ours = _online_ours(online.normaliser_not_rescaled.lhs, qkv, MAX_STEPS)
    assert np.abs(ours - _sdpa(qkv, MAX_STEPS)).max() > 1e-2


# -- MLP neurons: PyTorch's activations --------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def neurons():
    return derivation("neurons")


@pytest.fixture(scope="module")
def tokens():
    g = torch.Generator().manual_seed(7)
    return (torch.randn(T, D, generator=g, dtype=torch.float64), torch.randn(D, 1, generator=g, dtype=torch.float64),
            torch.randn(16, D, generator=g, dtype=torch.float64), torch.randn(D_V, 16, generator=g, dtype=torch.float64))


def _neuron(model, tokens, **sizes):
    X, w, W1, W2 = tokens
    return evaluate_model(model, {"T": T, "d": D, "d_ff": 16, "d_out": D_V, **sizes},
                          {"X": X.numpy(), "w": w.numpy(), "W1": W1.numpy(), "W2": W2.numpy()})


@pytest.mark.parametrize("side", ["lhs", "rhs"])
def test_the_neuron_and_its_head_are_torch_silu(neurons, tokens, side):
    X, w, _, _ = tokens
    ours = _neuron(getattr(neurons.silu_neuron_is_attention_head, side), tokens)
    np.testing.assert_allclose(ours, torch.nn.functional.silu(X @ w).numpy(), **FLOAT64)


@pytest.mark.parametrize("side", ["lhs", "rhs"])
def test_the_ffn_and_its_heads_are_a_torch_silu_ffn(neurons, tokens, side):
    X, _, W1, W2 = tokens
    ours = _neuron(getattr(neurons.ffn_is_sum_of_attention_heads, side), tokens)
    np.testing.assert_allclose(ours, (torch.nn.functional.silu(X @ W1.T) @ W2.T).numpy(), **FLOAT64)


def test_the_head_is_not_relu_even_at_a_large_inverse_temperature(neurons, tokens):
    X, w, _, _ = tokens
    relu = torch.nn.functional.relu(X @ w).numpy()
    np.testing.assert_allclose(_neuron(neurons.relu_neuron_is_attention_head.lhs, tokens), relu, **FLOAT64)
    gaps = [np.abs(_neuron(neurons.relu_neuron_is_attention_head.rhs, tokens, beta=b) - relu).max() for b in (1, 4, 16)]
    assert gaps[0] > gaps[1] > gaps[2] > 0          # closer as beta grows, never equal


def test_the_head_without_its_start_slot_is_linear(neurons, tokens):
    X, w, _, _ = tokens
    ours = _neuron(neurons.neuron_without_start_slot.rhs, tokens)
    np.testing.assert_allclose(ours, (X @ w).numpy(), **FLOAT64)
    assert np.abs(ours - torch.nn.functional.silu(X @ w).numpy()).max() > 1e-2
