"""Both sides of the chunkwise claims against flash-linear-attention's chunked references.

`naive_chunk_linear_attn` fixes the chunk size at 64 (T a multiple of 64) and keeps float64;
`naive_chunk_simple_gla` takes the chunk size and casts to float32. Each head is one instance
of the single-head claim; symcheck's sides are evaluated at the same chunk size.
"""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="the oracle needs torch==2.13.0 (the test extra)")

from fla_reference import reference  # noqa: E402
from helpers import derivation  # noqa: E402
from symcheck.model_ops import evaluate_model  # noqa: E402

H, D_K, D_V = 2, 6, 4
FLOAT64 = dict(rtol=1e-10, atol=1e-10)
FLOAT32 = dict(rtol=1e-5, atol=1e-5)


@pytest.fixture(scope="module")
def chunkwise():
    return derivation("chunkwise")


def _inputs(T: int, seed: int):
    g = torch.Generator().manual_seed(seed)
    q, k, v = (torch.randn(1, T, H, n, generator=g, dtype=torch.float64) for n in (D_K, D_K, D_V))
    gates = -torch.rand(1, T, H, generator=g, dtype=torch.float64) * 0.2        # log-decays in (-0.2, 0]
    return q, k, v, gates


def _per_head(model, sizes, q, k, v, gates=None):
    out = []
    for h in range(H):
        inputs = {"Q": q[0, :, h].numpy(), "K": k[0, :, h].numpy(), "V": v[0, :, h].numpy()}
        if gates is not None:
            inputs["G"] = gates[0, :, h, None].numpy()
        out.append(evaluate_model(model, sizes, inputs))
    return np.stack(out, axis=1)


@pytest.mark.parametrize("side", ["lhs", "rhs"])
def test_chunkwise_linear_attention_is_flas_chunk_form(chunkwise, side):
    q, k, v, _ = _inputs(128, 0)
    theirs = reference("linear_attn").naive_chunk_linear_attn(q, k, v, scale=1.0)
    model = getattr(chunkwise.chunkwise_is_linear_attention, side)
    ours = _per_head(model, {"N": 2, "C": 64, "d_k": D_K, "d_v": D_V}, q, k, v)
    np.testing.assert_allclose(ours, theirs[0].numpy(), **FLOAT64)


def test_the_inclusive_chunk_state_is_not_flas_chunk_form(chunkwise):
    q, k, v, _ = _inputs(128, 1)
    theirs = reference("linear_attn").naive_chunk_linear_attn(q, k, v, scale=1.0)
    ours = _per_head(chunkwise.inclusive_chunk_state.lhs, {"N": 2, "C": 64, "d_k": D_K, "d_v": D_V}, q, k, v)
    assert np.max(np.abs(ours - theirs[0].numpy())) > 1e-2


@pytest.mark.parametrize("side", ["lhs", "rhs"])
@pytest.mark.parametrize("chunk", [16, 64])
def test_decayed_chunkwise_form_is_flas_chunk_simple_gla(chunkwise, side, chunk):
    q, k, v, gates = _inputs(64, 2)
    theirs, _ = reference("simple_gla").naive_chunk_simple_gla(q, k, v, gates, chunk_size=chunk, scale=1.0)
    model = getattr(chunkwise.decayed_chunkwise_is_gated_recurrence, side)
    sizes = {"N": 64 // chunk, "C": chunk, "d_k": D_K, "d_v": D_V}
    np.testing.assert_allclose(_per_head(model, sizes, q, k, v, gates), theirs[0].double().numpy(), **FLOAT32)
