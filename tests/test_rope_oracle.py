"""Both sides of every RoPE claim against a third-party rotary embedding, at T = 64 (the sDNC claims at 1024).

The oracle is `rotary-embedding-torch` (pinned in the test extra): small, pure PyTorch, and the
rotation a user's model actually runs. It pairs coordinates interleaved, (2i − 1, 2i); the half-split
pairing (i, i + P) of transformers' `rotate_half` is the same rotation after the permutation that
interleaves the two halves, so the half-split claims are compared through that permutation. The
library counts positions from 0; symcheck's rows are positions 1..T, so the oracle is given offset 1.
"""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="the RoPE oracle needs torch==2.13.0 (the test extra)")
rotary = pytest.importorskip("rotary_embedding_torch", reason="the RoPE oracle needs rotary-embedding-torch")
F = torch.nn.functional

from helpers import derivation  # noqa: E402
from symcheck.model_ops import evaluate_model  # noqa: E402

lib = derivation("positions")

TOL = 1e-10
T, P, DV, SHIFT = 64, 8, 5, 7
LONG = 1024                       # the sDNC claims' steps: their memories are simulated step by step
HALF = np.stack([np.arange(P), np.arange(P) + P], axis=1).ravel()   # interleaved column k holds half-split HALF[k]


def _setup(rows: int):
    torch.manual_seed(0)
    rope = rotary.RotaryEmbedding(dim=2 * P, cache_if_possible=False).double()
    q, k, v = (torch.randn(rows, n, dtype=torch.float64) for n in (2 * P, 2 * P, DV))
    theta = rope.freqs.detach().numpy().reshape(P, 1)
    inputs = {"Q": q.numpy(), "K": k.numpy(), "V": v.numpy(), "theta": theta,
              "Pos": np.random.default_rng(0).standard_normal((rows + SHIFT, 2 * P)), "bias": np.zeros((rows, 1))}
    env = {"T": rows, "P": P, "d_v": DV, "N": rows, "S": SHIFT}
    return rope, q, k, v, inputs, env


@pytest.fixture(scope="module")
def setup():
    return _setup(T)


@pytest.fixture(scope="module")
def long_setup():
    return _setup(LONG)


def _rotate(rope, x, pairing, offset=1):
    """x rotated by the oracle: positions offset .. offset + T − 1, in the claim's pairing."""
    if pairing == "interleaved":
        return rope.rotate_queries_or_keys(x, offset=offset)
    inv = np.argsort(HALF)
    return rope.rotate_queries_or_keys(x[:, HALF], offset=offset)[:, inv]


def close(ours, theirs):
    np.testing.assert_allclose(ours, theirs.detach().numpy(), rtol=TOL, atol=TOL)


@pytest.mark.parametrize("claim,pairing", [("rope_attention_is_sdnc", "interleaved"),
                                           ("rope_half_attention_is_sdnc", "half")])
def test_rope_attention_and_its_sdnc_match_the_oracle(long_setup, claim, pairing):
    rope, q, k, v, inputs, env = long_setup
    ref = F.scaled_dot_product_attention(_rotate(rope, q, pairing)[None], _rotate(rope, k, pairing)[None], v[None],
                                         is_causal=True)[0]
    c = getattr(lib, claim)
    for side in (c.lhs, c.rhs):
        close(evaluate_model(side, env, inputs), ref)


def test_relative_scores_match_the_oracle(setup):
    rope, q, k, v, inputs, env = setup
    ref = _rotate(rope, q, "interleaved") @ _rotate(rope, k, "interleaved").T
    for side in (lib.rope_scores_are_relative.lhs, lib.rope_scores_are_relative.rhs):
        close(evaluate_model(side, env, inputs), ref)


def test_shifted_scores_match_the_oracle_at_both_offsets(setup):
    rope, q, k, v, inputs, env = setup
    c = lib.rope_scores_are_shift_invariant           # half-split pairs
    for side, offset in ((c.lhs, 1 + SHIFT), (c.rhs, 1)):
        close(evaluate_model(side, env, inputs), _rotate(rope, q, "half", offset) @ _rotate(rope, k, "half", offset).T)


def test_absolute_positions_are_not_shift_invariant_at_scale(setup):
    rope, q, k, v, inputs, env = setup
    c = lib.absolute_positions_are_shift_invariant
    assert np.abs(evaluate_model(c.lhs, env, inputs) - evaluate_model(c.rhs, env, inputs)).max() > 1e-3


def test_t5_bias_sides_match_sdpa_with_the_bias_as_mask(setup):
    rope, q, k, v, inputs, env = setup
    bias = np.random.default_rng(1).standard_normal((T, 1))
    offsets = np.arange(T)[:, None] - np.arange(T)[None, :]
    mask = np.where(offsets >= 0, bias[np.clip(offsets, 0, T - 1), 0], -np.inf)
    ref = F.scaled_dot_product_attention(q[None], k[None], v[None], attn_mask=torch.from_numpy(mask)[None])[0]
    for side in (lib.t5_bias_is_offset_prior.lhs, lib.t5_bias_is_offset_prior.rhs):
        close(evaluate_model(side, env, {**inputs, "bias": bias}), ref)
