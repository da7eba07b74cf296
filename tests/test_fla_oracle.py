"""Both sides of the recurrent-state claims against flash-linear-attention's references (T >= 64).

The references cast to float32 (`naive_recurrent_linear_attn`), so agreement is to float32
rounding; symcheck evaluates in float64. Heads are independent: each head's slice is one
instance of the single-head claim.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="the oracle needs torch==2.13.0 (the test extra)")

from fla_reference import reference  # noqa: E402
from symcheck.model_ops import evaluate_model  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
T, H, D_K, D_V = 64, 3, 8, 5
FLOAT32 = dict(rtol=1e-5, atol=1e-5)


def _derivation(name: str):
    spec = importlib.util.spec_from_file_location(f"derivation_{name}", ROOT / "derivations" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def linear():
    return _derivation("linear_attention")


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


def test_the_off_by_one_decay_mask_is_not_simple_gla(linear, qkv, gates):
    q, k, v = qkv
    theirs, _ = reference("simple_gla").naive_recurrent_simple_gla(q, k, v, gates, scale=1.0)
    ours = _gated_per_head(linear.decay_mask_off_by_one.rhs, q, k, v, gates)
    assert np.abs(ours - theirs[0].double().numpy()).max() > 1e-2
