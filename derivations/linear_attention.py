"""Linear attention is a fast-weight programmer: an updated memory, proved for every T.

Claim LA-2 of the claims catalogue (§3.1; Schlag, Irie & Schmidhuber 2021): the fast
weights W_t = W_{t-1} + v_t φ(k_t)ᵀ (d_v × d_k, W_0 = 0), read by y_t = W_t φ(q_t),
equal causal linear attention y_t = Σ_{j<=t} (φ(q_t)·φ(k_j)) v_j. The feature map is
applied beforehand: the inputs are φ(Q) and φ(K).
"""

from sympy import exp

from symcheck import Claim, from_index, index, make_sum, matrix, sizes
from symcheck.recurrent import recurrence, state

T, d_k, d_v = sizes("T d_k d_v")

Q, K, V = matrix("Q", T, d_k), matrix("K", T, d_k), matrix("V", T, d_v)
SOURCES = ("Schlag, Irie & Schmidhuber 2021, Linear Transformers Are Secretly Fast Weight Programmers",
           "Katharopoulos et al. 2020, Transformers are RNNs", "claims catalogue LA-2")

W = recurrence("W", (d_v, d_k), T, lambda prev, t, a, b: prev(a, b) + V[t, a] * K[t, b])


def _read(at):
    """y_t[c] = Σ_b W_at(t)[c, b] φ(q_t)[b]."""
    b = index("k")
    return from_index(T, d_v, lambda t, c: make_sum(state(W, at(t), c, b) * Q[t, b], b, 1, d_k),
                      label="fast weights W_t phi(q_t)")


def _linear_attention():
    j, b = index("j"), index("k")
    return from_index(T, d_v, lambda t, c: make_sum(make_sum(Q[t, b] * K[j, b], b, 1, d_k) * V[j, c], j, 1, t),
                      label="causal linear attention")


fast_weights_are_linear_attention = Claim(
    "fast_weights_are_linear_attention",
    lhs=_read(lambda t: t), rhs=_linear_attention(),
    statement="Fast weights W_t = W_{t-1} + v_t phi(k_t)^T from W_0 = 0, read after the update by "
              "y_t = W_t phi(q_t), equal causal linear attention y_t = sum_{j<=t} (phi(q_t).phi(k_j)) v_j.",
    expect="proved", cites=SOURCES)

read_before_update = Claim(
    "read_before_update",
    lhs=_read(lambda t: t - 1), rhs=_linear_attention(),
    statement="Reading the fast weights before the update, y_t = W_{t-1} phi(q_t), equals inclusive causal "
              "linear attention (false: it is the strict mask j < t).",
    expect="refuted", cites=SOURCES)


# -- a scalar decay gate (RetNet / SimpleGLA / Mamba-2 SSD style) ---------------------------------------------
G = matrix("G", T, 1)             # log-decays g_t: the state is multiplied by exp(g_t) before the write


def _decay(lo, hi):
    """exp(Σ_{r=lo}^{hi} g_r): the decay from step lo to step hi (1 on an empty range)."""
    r = index("r")
    return exp(make_sum(G[r, 1], r, lo, hi))


S = recurrence("S", (d_k, d_v), T, lambda prev, t, a, b: exp(G[t, 1]) * prev(a, b) + K[t, a] * V[t, b],
               closed_form=lambda t, a, b: make_sum(_decay(index("s") + 1, t) * K[index("s"), a] * V[index("s"), b],
                                                    index("s"), 1, t))


def _gated_read():
    """o_t[b] = Σ_k S_t[k, b] q_t[k]."""
    k = index("k")
    return from_index(T, d_v, lambda t, b: make_sum(state(S, t, k, b) * Q[t, k], k, 1, d_k), label="gated state S_t^T q_t")


def _masked_parallel(lo_shift=1):
    """o_t = Σ_{j<=t} (q_t·k_j) exp(Σ_{r=j+lo_shift}^{t} g_r) v_j: (Q Kᵀ ∘ L) V with the SSD / RetNet decay mask L."""
    j, k = index("j"), index("k")
    return from_index(T, d_v, lambda t, b: make_sum(make_sum(Q[t, k] * K[j, k], k, 1, d_k) * _decay(j + lo_shift, t)
                                                    * V[j, b], j, 1, t), label="decay-masked parallel form")


gated_state_is_decay_masked_attention = Claim(
    "gated_state_is_decay_masked_attention",
    lhs=_gated_read(), rhs=_masked_parallel(),
    statement="The scalar-gated state S_t = exp(g_t) S_{t-1} + k_t v_t^T from S_0 = 0, read by o_t = S_t^T q_t, "
              "equals (Q K^T o L) V with L_tj = exp(sum_{r=j+1}^{t} g_r) [j <= t].",
    expect="proved", cites=SOURCES + ("claims catalogue SGLA, RET-1 and SSD (scalar gate)",))

decay_mask_off_by_one = Claim(
    "decay_mask_off_by_one",
    lhs=_gated_read(), rhs=_masked_parallel(lo_shift=0),
    statement="The same with the mask exp(G_t - G_{j-1}) = exp(sum_{r=j}^{t} g_r): the decay of step j applied "
              "to its own write (false).",
    expect="refuted", cites=SOURCES)
