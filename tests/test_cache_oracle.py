"""Both sides of the multi-state RNN claims against PyTorch and flash-linear-attention (T >= 64).

PyTorch's `scaled_dot_product_attention` gets explicit boolean masks (the band of a window, the
sinks beside it); fla's reference `naive_parallel_attn` has its own window (keys in
[t - W + 1, t]) and its own score gate g (scores + G_t - G_j, G = cumsum g), which the `bias=`
variant of `causal_attention` states. Heads are independent: each head's slice is one instance.
"""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="the oracle needs torch==2.13.0 (the test extra)")

from fla_reference import reference  # noqa: E402
from helpers import derivation  # noqa: E402
from symcheck import causal_attention, matrix, sizes  # noqa: E402
from symcheck.model_ops import evaluate_model  # noqa: E402

T, H, D, D_V, W, S = 64, 3, 8, 5, 16, 4
EXACT = dict(rtol=1e-10, atol=1e-10)


@pytest.fixture(scope="module")
def claims():
    return derivation("multi_state")


@pytest.fixture(scope="module")
def qkv():
    g = torch.Generator().manual_seed(0)
    return tuple(torch.randn(1, T, H, n, generator=g, dtype=torch.float64) for n in (D, D, D_V))


def _ours(model, q, k, v, window=W, extra=None):
    sizes_ = {"T": T, "d": D, "d_v": D_V, "W": window, "s": S}
    return np.stack([evaluate_model(model, sizes_, {"Q": q[0, :, h].numpy(), "K": k[0, :, h].numpy(),
                                                    "V": v[0, :, h].numpy(), **(extra(h) if extra else {})})
                     for h in range(H)], axis=1)


def _sdpa(q, k, v, allowed):
    """PyTorch attention with the boolean mask allowed[t, j] (True = attend), layout [B, T, H, D]."""
    out = torch.nn.functional.scaled_dot_product_attention(*(x.transpose(1, 2) for x in (q, k, v)),
                                                           attn_mask=torch.as_tensor(allowed))
    return out.transpose(1, 2)[0].numpy()


def _mask(window=None, sinks=None):
    t, j = np.arange(1, T + 1)[:, None], np.arange(1, T + 1)[None, :]
    keep = j <= t
    if window is not None:
        band = j >= t - window + 1
        keep &= band | (j <= sinks) if sinks is not None else band
    return keep


def _fla(q, k, v, **kw):
    out, _ = reference("attn").naive_parallel_attn(q, k, v, **kw)
    return out[0].numpy()


@pytest.mark.parametrize("side", ["lhs", "rhs"])
def test_the_unbounded_cache_is_pytorch_causal_attention(claims, qkv, side):
    model = getattr(claims.attention_is_unbounded_multi_state_rnn, side)
    np.testing.assert_allclose(_ours(model, *qkv), _sdpa(*qkv, _mask()), **EXACT)


@pytest.mark.parametrize("side", ["lhs", "rhs"])
def test_the_fifo_cache_is_window_attention_in_pytorch_and_fla(claims, qkv, side):
    ours = _ours(getattr(claims.window_is_fifo_cache, side), *qkv)
    np.testing.assert_allclose(ours, _sdpa(*qkv, _mask(window=W)), **EXACT)
    np.testing.assert_allclose(ours, _fla(*qkv, window_size=W), **EXACT)


@pytest.mark.parametrize("side", ["lhs", "rhs"])
def test_a_cache_of_t_rows_is_full_attention(claims, qkv, side):
    ours = _ours(getattr(claims.full_cache_is_attention, side), *qkv, window=T)
    np.testing.assert_allclose(ours, _sdpa(*qkv, _mask()), **EXACT)
    np.testing.assert_allclose(ours, _fla(*qkv, window_size=T), **EXACT)


@pytest.mark.parametrize("side", ["lhs", "rhs"])
def test_sinks_and_a_fifo_cache_are_the_sink_band_mask(claims, qkv, side):
    ours = _ours(getattr(claims.sinks_are_sink_band_mask, side), *qkv)
    np.testing.assert_allclose(ours, _sdpa(*qkv, _mask(window=W, sinks=S)), **EXACT)


def test_the_off_by_one_window_is_flas_window_of_w_plus_1_not_the_cache(claims, qkv):
    wider = _ours(claims.window_off_by_one.lhs, *qkv)
    np.testing.assert_allclose(wider, _fla(*qkv, window_size=W + 1), **EXACT)
    assert np.abs(wider - _ours(claims.window_off_by_one.rhs, *qkv)).max() > 1e-3


def test_a_tova_cache_smaller_than_t_is_not_attention_and_one_of_t_rows_is(claims, qkv):
    tova = claims.tova_is_not_full_attention.rhs
    full = _sdpa(*qkv, _mask())
    assert np.abs(_ours(tova, *qkv) - full).max() > 1e-3
    np.testing.assert_allclose(_ours(tova, *qkv, window=T), full, **EXACT)


def test_a_score_bias_states_flas_gated_attention(qkv):
    """fla's g: scores + G_t - G_j with G the cumulative sum of g, i.e. bias=lambda t, j: G[t] - G[j]."""
    Tn, d, d_v = sizes("T d d_v")
    G = matrix("G", Tn, 1)
    model = causal_attention(matrix("Q", Tn, d), matrix("K", Tn, d), matrix("V", Tn, d_v),
                             bias=lambda t, j: G[t, 1] - G[j, 1])
    gates = -torch.rand(1, T, H, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    cumulative = gates.float().cumsum(1).double()                 # fla accumulates the gates in float32
    ours = _ours(model, *qkv, extra=lambda h: {"G": cumulative[0, :, h, None].numpy()})
    np.testing.assert_allclose(ours, _fla(*qkv, g=gates), rtol=1e-6, atol=1e-6)
