"""Positions: rotary embeddings (RoPE) and relative score biases.

RoPE (Su et al. 2021, RoFormer) rotates query t by R_t and key j by R_j, R_a turning coordinate
pair i by a·θ_i. Because R_tᵀ R_j = R_{j−t}, the score (R_t q_t)·(R_j k_j) = q_tᵀ R_{j−t} k_j depends
on the positions only through their offset, which is what lets a ring-buffer KV cache drop old
positions without re-rotating the kept keys. The frequencies θ are an input: the claims hold for
any θ, the usual θ_i = 10000^{−2(i−1)/d} included. Each claim names its pairing convention:
`interleaved` pairs columns (2i − 1, 2i) (RoFormer, rotary-embedding-torch), `half` pairs (i, i + P)
(GPT-NeoX, transformers' `rotate_half`). Learned absolute position embeddings added to the input
have no such invariance, and T5's relative bias b(t − j) is a positional prior over the offset only.
"""

from sympy import exp, sqrt

from symcheck import Claim, from_index, index, make_sum, matrix, sizes
from symcheck.positions import biased_attention, relative_scores, rope_attention, rope_scores, sdnc_rope_read

T, P, d_v, N, S = sizes("T P d_v N S")
Q, K, V = matrix("Q", T, 2 * P), matrix("K", T, 2 * P), matrix("V", T, d_v)
THETA = matrix("theta", P, 1)          # one rotation frequency per coordinate pair

ROPE = ("Su et al. 2021, RoFormer: Enhanced Transformer with Rotary Position Embedding (eq. 14-16)",
        "lucidrains/rotary-embedding-torch (interleaved pairs)",
        "huggingface/transformers apply_rotary_pos_emb / rotate_half (half-split pairs)")

rope_attention_is_sdnc = Claim(
    "rope_attention_is_sdnc",
    lhs=rope_attention(Q, K, V, THETA, "interleaved"),
    rhs=sdnc_rope_read(Q, K, V, THETA, "interleaved", slots=N),
    statement="RoPE attention (interleaved pairs) equals an sDNC that writes the rotated key R_j k_j to fresh slot j "
              "and reads with the rotated query R_t q_t, key strength 1/sqrt(2P).",
    statement_tex=r"RoPE attention (interleaved pairs) equals an sDNC that writes the rotated key $R_j k_j$ to fresh "
                  r"slot $j$ and reads with the rotated query $R_t q_t$, key strength $1/\sqrt{2P}$.",
    expect="proved", cites=ROPE + ("Tang & Xie 2026, arXiv:2603.19272 (SDNC-1)",))

rope_half_attention_is_sdnc = Claim(
    "rope_half_attention_is_sdnc",
    lhs=rope_attention(Q, K, V, THETA, "half"),
    rhs=sdnc_rope_read(Q, K, V, THETA, "half", slots=N),
    statement="The same with half-split pairs (i, i + P), as transformers rotates.",
    expect="proved", cites=ROPE)

rope_scores_are_relative = Claim(
    "rope_scores_are_relative",
    lhs=rope_scores(Q, K, THETA, "interleaved"), rhs=relative_scores(Q, K, THETA, "interleaved"),
    statement="The RoPE score (R_t q_t).(R_j k_j) equals q_t^T R_(j-t) k_j (interleaved pairs): it depends on the "
              "positions only through the offset j - t.",
    statement_tex=r"The RoPE score $(R_t q_t) \cdot (R_j k_j)$ equals $q_t^{\top} R_{j-t} k_j$ (interleaved pairs): "
                  r"it depends on the positions only through the offset $j - t$.",
    expect="proved", cites=ROPE)

rope_scores_are_shift_invariant = Claim(
    "rope_scores_are_shift_invariant",
    lhs=rope_scores(Q, K, THETA, "half", shift=S), rhs=rope_scores(Q, K, THETA, "half"),
    statement="Moving every position by S leaves the RoPE scores unchanged (half-split pairs): "
              "(R_(t+S) q_t).(R_(j+S) k_j) = (R_t q_t).(R_j k_j) for every offset S.",
    statement_tex=r"Moving every position by $S$ leaves the RoPE scores unchanged (half-split pairs): $(R_{t+S} q_t) "
                  r"\cdot (R_{j+S} k_j) = (R_t q_t) \cdot (R_j k_j)$ for every offset $S$.",
    expect="proved", cites=ROPE)

POS = matrix("Pos", T + S, 2 * P)      # learned absolute position embeddings, one row per position


def _absolute_scores(shift):
    """S[t, j] = (q_t + p_{t+s})·(k_j + p_{j+s}): position embeddings added to the inputs."""
    a = index("a")
    return from_index(T, T, lambda t, j: make_sum((Q[t, a] + POS[t + shift, a]) * (K[j, a] + POS[j + shift, a]),
                                                  a, 1, 2 * P), label=f"absolute-position scores, positions + {shift}")


absolute_positions_are_shift_invariant = Claim(
    "absolute_positions_are_shift_invariant",
    lhs=_absolute_scores(S), rhs=_absolute_scores(0),
    statement="FALSE: with learned absolute position embeddings added to queries and keys, moving every position by "
              "S leaves the scores unchanged.",
    expect="refuted", cites=("Vaswani et al. 2017, Attention Is All You Need (learned positional embeddings)",))

B = matrix("bias", T, 1)               # T5's bias per offset: b[t - j + 1] for key j <= t
T5 = ("Raffel et al. 2020, Exploring the Limits of Transfer Learning with a Unified Text-to-Text Transformer "
      "(relative position bias)", "Shaw et al. 2018, Self-Attention with Relative Position Representations")


def _offset_prior():
    """Σ_{j<=t} e^{s_tj} e^{b(t−j)} v_j / Σ_{k<=t} e^{s_tk} e^{b(t−k)}: attention reweighted by a prior on the offset."""
    j, k, a = index("j"), index("k"), index("a")
    score = lambda t, j: make_sum(Q[t, a] * K[j, a], a, 1, 2 * P) / sqrt(2 * P)     # noqa: E731
    weight = lambda t, j: exp(score(t, j)) * exp(B[t - j + 1, 1])                      # noqa: E731
    return from_index(T, d_v, lambda t, c: make_sum(weight(t, j) * V[j, c], j, 1, t)
                      / make_sum(weight(t, k), k, 1, t), label="attention reweighted by exp(b(t - j))")


t5_bias_is_offset_prior = Claim(
    "t5_bias_is_offset_prior",
    lhs=biased_attention(Q, K, V, lambda t, j: B[t - j + 1, 1], label="T5 relative-bias attention"),
    rhs=_offset_prior(),
    statement="Attention with T5's relative bias b(t - j) added to the score equals attention whose weights are "
              "multiplied by exp(b(t - j)), a function of the offset only, and renormalised.",
    statement_tex=r"Attention with T5's relative bias $b(t - j)$ added to the score equals attention whose weights "
                  r"are multiplied by $\exp\bigl(b(t - j)\bigr)$, a function of the offset only, and renormalised.",
    expect="proved", cites=T5)

t5_bias_is_per_key_bias = Claim(
    "t5_bias_is_per_key_bias",
    lhs=biased_attention(Q, K, V, lambda t, j: B[t - j + 1, 1], label="T5 relative-bias attention"),
    rhs=biased_attention(Q, K, V, lambda t, j: B[j, 1], label="attention with a per-key bias b_j"),
    statement="FALSE: the relative bias b(t - j) equals a bias b_j that depends on the key's position only.",
    statement_tex=r"FALSE: the relative bias $b(t - j)$ equals a bias $b_j$ that depends on the key's position only.",
    expect="refuted", cites=T5)
