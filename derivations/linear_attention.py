"""Linear attention is a fast-weight programmer: an updated memory, proved for every T.

Claim LA-2 of the claims catalogue (§3.1; Schlag, Irie & Schmidhuber 2021): the fast
weights W_t = W_{t-1} + v_t φ(k_t)ᵀ (d_v × d_k, W_0 = 0), read by y_t = W_t φ(q_t),
equal causal linear attention y_t = Σ_{j<=t} (φ(q_t)·φ(k_j)) v_j. The feature map is
applied beforehand: the inputs are φ(Q) and φ(K).
"""

from symcheck import Claim, from_index, index, make_sum, matrix, sizes
from symcheck.recurrent import recurrence, state

T, d_k, d_v = sizes("T d_k d_v")

Q, K, V = matrix("Q", T, d_k), matrix("K", T, d_k), matrix("V", T, d_v)
SOURCES = ("Schlag, Irie & Schmidhuber 2021, Linear Transformers Are Secretly Fast Weight Programmers",
           "Katharopoulos et al. 2020, Transformers are RNNs", "claims catalogue LA-2")

W = recurrence("W", (d_v, d_k), T, lambda prev, t, a, b: prev(a, b) + V[t, a] * K[t, b])


def _read(at):
    """y_t[c] = Σ_b W_at(t)[c, b] φ(q_t)[b]."""
    b = index("b")
    return from_index(T, d_v, lambda t, c: make_sum(state(W, at(t), c, b) * Q[t, b], b, 1, d_k),
                      label="fast weights W_t phi(q_t)")


def _linear_attention():
    j, b = index("j"), index("b")
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
