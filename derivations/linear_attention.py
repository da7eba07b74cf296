"""Linear attention is a fast-weight programmer: an updated memory, proved for every T.

Claim LA-2 of the claims catalogue (§3.1; Schlag, Irie & Schmidhuber 2021): the fast
weights W_t = W_{t-1} + v_t φ(k_t)ᵀ (d_v × d_k, W_0 = 0), read by y_t = W_t φ(q_t),
equal causal linear attention y_t = Σ_{j<=t} (φ(q_t)·φ(k_j)) v_j. The feature map is
applied beforehand: the inputs are φ(Q) and φ(K).

Also here: the normalized form (LA-1, two recurrences: the state and its normaliser z_t),
the scalar-gated state (SimpleGLA, RetNet, SSD) and GLA's per-channel gate, each with the
parallel form it is run as, and the near misses that are not equivalent.
"""

from sympy import exp

from symcheck import Claim, from_index, index, make_sum, matrix, sizes
from symcheck.index import reciprocal
from symcheck.recurrent import recurrence, state

TITLE = "Linear attention and fast weights"
ORDER = 10

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
    statement_tex=r"Fast weights $W_t = W_{t-1} + v_t \phi(k_t)^{\top}$ from $W_0 = 0$, read after the update by "
                  r"$y_t = W_t \phi(q_t)$, equal causal linear attention $y_t = \sum_{j \le t} \bigl(\phi(q_t) \cdot "
                  r"\phi(k_j)\bigr) v_j$.",
    expect="proved", cites=SOURCES)

read_before_update = Claim(
    "read_before_update",
    lhs=_read(lambda t: t - 1), rhs=_linear_attention(),
    statement="Reading the fast weights before the update, y_t = W_{t-1} phi(q_t), equals inclusive causal "
              "linear attention (false: it is the strict mask j < t).",
    statement_tex=r"Reading the fast weights before the update, $y_t = W_{t-1} \phi(q_t)$, equals inclusive causal "
                  r"linear attention (false: it is the strict mask $j < t$).",
    expect="refuted", cites=SOURCES)


# -- a scalar decay gate (RetNet / SimpleGLA / Mamba-2 SSD style) ---------------------------------------------
G = matrix("G", T, 1)             # log-decays g_t: the state is multiplied by exp(g_t) before the write


def _decay(lo, hi):
    """exp(Σ_{r=lo}^{hi} g_r): the decay from step lo to step hi (1 on an empty range)."""
    r = index("r")
    return exp(make_sum(G[r, 1], r, lo, hi))


S = recurrence("S", (d_k, d_v), T, lambda prev, t, a, b: exp(G[t, 1]) * prev(a, b) + K[t, a] * V[t, b])


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
    statement_tex=r"The scalar-gated state $S_t = \exp(g_t) S_{t-1} + k_t v_t^{\top}$ from $S_0 = 0$, read by $o_t = "
                  r"S_t^{\top} q_t$, equals $(Q K^{\top} \circ L) V$ with $L_{tj} = \exp\bigl(\sum_{r=j+1}^{t} "
                  r"g_r\bigr) [j \le t]$.",
    expect="proved", cites=SOURCES + ("claims catalogue SGLA, RET-1 and SSD (scalar gate)",))

decay_mask_off_by_one = Claim(
    "decay_mask_off_by_one",
    lhs=_gated_read(), rhs=_masked_parallel(lo_shift=0),
    statement="The same with the mask exp(G_t - G_{j-1}) = exp(sum_{r=j}^{t} g_r): the decay of step j applied "
              "to its own write (false).",
    statement_tex=r"The same with the mask $\exp(G_t - G_{j-1}) = \exp\bigl(\sum_{r=j}^{t} g_r\bigr)$: the decay of "
                  r"step $j$ applied to its own write (false).",
    expect="refuted", cites=SOURCES)


def _cumulative(t):
    """G_t = Σ_{r=1}^{t} g_r, the inclusive cumulative sum of the log-decays (G_0 = 0)."""
    r = index("r")
    return make_sum(G[r, 1], r, 1, t)


def _cumulative_mask_parallel():
    """o_t = Σ_{j<=t} (q_t·k_j) exp(G_t − G_j) v_j: the mask as kernels compute it, from cumulative sums."""
    j, k = index("j"), index("k")
    return from_index(T, d_v, lambda t, b: make_sum(make_sum(Q[t, k] * K[j, k], k, 1, d_k)
                                                    * exp(_cumulative(t) - _cumulative(j)) * V[j, b], j, 1, t),
                      label="cumulative-sum mask exp(G_t - G_j)")


mask_is_cumulative_sum_difference = Claim(
    "mask_is_cumulative_sum_difference",
    lhs=_masked_parallel(), rhs=_cumulative_mask_parallel(),
    statement="The decay mask L_tj = exp(sum_{r=j+1}^{t} g_r) [j <= t] equals exp(G_t - G_j) [j <= t] with G the "
              "inclusive cumulative sum G_t = sum_{r<=t} g_r, as fla's simple_gla computes it.",
    statement_tex=r"The decay mask $L_{tj} = \exp\bigl(\sum_{r=j+1}^{t} g_r\bigr) [j \le t]$ equals $\exp(G_t - G_j) "
                  r"[j \le t]$ with $G$ the inclusive cumulative sum $G_t = \sum_{r \le t} g_r$, as fla's "
                  r"\texttt{simple\_gla} computes it.",
    expect="proved", cites=SOURCES + ("fla-org/flash-linear-attention fla/ops/simple_gla/naive.py",))

S_AFTER = recurrence("S", (d_k, d_v), T, lambda prev, t, a, b: exp(G[t, 1]) * (prev(a, b) + K[t, a] * V[t, b]))

decay_after_the_add = Claim(
    "decay_after_the_add",
    lhs=from_index(T, d_v, lambda t, b: make_sum(state(S_AFTER, t, index("k"), b) * Q[t, index("k")], index("k"),
                                                 1, d_k), label="S_t = exp(g_t)(S_{t-1} + k_t v_t^T), read S_t^T q_t"),
    rhs=_masked_parallel(),
    statement="The decay applied after the add, S_t = exp(g_t) (S_{t-1} + k_t v_t^T), read by S_t^T q_t, equals "
              "(Q K^T o L) V with L_tj = exp(sum_{r=j+1}^{t} g_r) [j <= t] (false: every write is decayed once more, "
              "by its own step's gate).",
    statement_tex=r"The decay applied after the add, $S_t = \exp(g_t) (S_{t-1} + k_t v_t^{\top})$, read by "
                  r"$S_t^{\top} q_t$, equals $(Q K^{\top} \circ L) V$ with $L_{tj} = \exp\bigl(\sum_{r=j+1}^{t} "
                  r"g_r\bigr) [j \le t]$ (false: every write is decayed once more, by its own step's gate).",
    expect="refuted", cites=SOURCES)


# -- normalized linear attention (LA-1): two recurrences, a numerator and a normaliser -------------------------
Z = recurrence("z", (d_k, 1), T, lambda prev, t, a, b: prev(a, b) + K[t, a])      # z_t = z_{t-1} + φ(k_t)


def _normalised_read(at):
    """y_t[c] = (W_t φ(q_t))[c] / (z_at(t) · φ(q_t)): the fast-weight read over the running normaliser."""
    b = index("k")
    return from_index(T, d_v, lambda t, c: make_sum(state(W, t, c, b) * Q[t, b], b, 1, d_k)
                      * reciprocal(make_sum(state(Z, at(t), b, 1) * Q[t, b], b, 1, d_k)),
                      label="normalized fast weights")


def _normalised_attention():
    """y_t = Σ_{j<=t} (φ(q_t)·φ(k_j)) v_j / Σ_{j<=t} φ(q_t)·φ(k_j)."""
    j, b = index("j"), index("k")
    score = lambda t, j: make_sum(Q[t, b] * K[j, b], b, 1, d_k)      # noqa: E731
    return from_index(T, d_v, lambda t, c: make_sum(score(t, j) * V[j, c], j, 1, t)
                      * reciprocal(make_sum(score(t, j), j, 1, t)), label="normalized causal linear attention")


NORMALISED = ("Katharopoulos et al. 2020, Transformers are RNNs", "claims catalogue LA-1")

normalized_linear_attention = Claim(
    "normalized_linear_attention",
    lhs=_normalised_read(lambda t: t), rhs=_normalised_attention(),
    statement="The recurrences S_t = S_{t-1} + phi(k_t) v_t^T and z_t = z_{t-1} + phi(k_t) from 0, read by "
              "y_t = S_t^T phi(q_t) / (z_t . phi(q_t)), equal normalized causal linear attention "
              "y_t = sum_{j<=t} (phi(q_t).phi(k_j)) v_j / sum_{j<=t} phi(q_t).phi(k_j) (1/x total: 1/0 = 0).",
    statement_tex=r"The recurrences $S_t = S_{t-1} + \phi(k_t) v_t^{\top}$ and $z_t = z_{t-1} + \phi(k_t)$ from $0$, "
                  r"read by $y_t = S_t^{\top} \phi(q_t) / \bigl(z_t \cdot \phi(q_t)\bigr)$, equal normalized causal "
                  r"linear attention $y_t = \sum_{j \le t} \bigl(\phi(q_t) \cdot \phi(k_j)\bigr) v_j \big/ \sum_{j "
                  r"\le t} \phi(q_t) \cdot \phi(k_j)$ (division is total: $1/0 = 0$).",
    expect="proved", cites=NORMALISED)

normaliser_before_update = Claim(
    "normaliser_before_update",
    lhs=_normalised_read(lambda t: t - 1), rhs=_normalised_attention(),
    statement="The same with the exclusive normaliser z_{t-1} . phi(q_t) under the inclusive numerator "
              "S_t^T phi(q_t) (false).",
    statement_tex=r"The same with the exclusive normaliser $z_{t-1} \cdot \phi(q_t)$ under the inclusive numerator "
                  r"$S_t^{\top} \phi(q_t)$ (false).",
    expect="refuted", cites=NORMALISED)

non_causal_normaliser = Claim(
    "non_causal_normaliser",
    lhs=_normalised_read(lambda t: T), rhs=_normalised_attention(),
    statement="The same with the full-sequence normaliser z_T . phi(q_t) (false: it is not causal).",
    statement_tex=r"The same with the full-sequence normaliser $z_T \cdot \phi(q_t)$ (false: it is not causal).",
    expect="refuted", cites=NORMALISED)


# -- GLA: a per-channel gate on the key dimension ---------------------------------------------------------------
GK = matrix("GK", T, d_k)         # log-decays g_t[a]: row a of the state is multiplied by exp(g_t[a])


def _channel_decay(lo, hi, a):
    """exp(Σ_{r=lo}^{hi} g_r[a]): channel a's decay from step lo to step hi."""
    r = index("r")
    return exp(make_sum(GK[r, a], r, lo, hi))


S_GLA = recurrence("S", (d_k, d_v), T, lambda prev, t, a, b: exp(GK[t, a]) * prev(a, b) + K[t, a] * V[t, b])


def _gla_read():
    """o_t[b] = Σ_a S_t[a, b] q_t[a]."""
    a = index("k")
    return from_index(T, d_v, lambda t, b: make_sum(state(S_GLA, t, a, b) * Q[t, a], a, 1, d_k),
                      label="GLA state S_t^T q_t")


def _gla_parallel():
    """o_t[b] = Σ_{j<=t} Σ_a q_t[a] k_j[a] exp(Σ_{r=j+1}^{t} g_r[a]) v_j[b]."""
    j, a = index("j"), index("k")
    return from_index(T, d_v, lambda t, b: make_sum(make_sum(Q[t, a] * K[j, a] * _channel_decay(j + 1, t, a), a, 1, d_k)
                                                    * V[j, b], j, 1, t), label="GLA parallel form")


def _mean_gated_parallel():
    """The scalar-gated parallel form with the mean gate ḡ_r = (1/d_k) Σ_a g_r[a]."""
    j, a, c, r = index("j"), index("k"), index("c"), index("r")
    mean_decay = lambda lo, hi: exp(make_sum(make_sum(GK[r, c], c, 1, d_k) / d_k, r, lo, hi))   # noqa: E731
    return from_index(T, d_v, lambda t, b: make_sum(make_sum(Q[t, a] * K[j, a], a, 1, d_k) * mean_decay(j + 1, t)
                                                    * V[j, b], j, 1, t), label="mean-gated parallel form")


GLA_SOURCES = ("Yang et al. 2024, Gated Linear Attention Transformers with Hardware-Efficient Training",
               "claims catalogue GLA-1")

gla_is_channel_decayed_attention = Claim(
    "gla_is_channel_decayed_attention",
    lhs=_gla_read(), rhs=_gla_parallel(),
    statement="The GLA state S_t[a, b] = exp(g_t[a]) S_{t-1}[a, b] + k_t[a] v_t[b] from S_0 = 0, read by "
              "o_t = S_t^T q_t, equals o_t[b] = sum_{j<=t} sum_a q_t[a] k_j[a] exp(sum_{r=j+1}^{t} g_r[a]) v_j[b].",
    statement_tex=r"The GLA state $S_t[a, b] = \exp(g_t[a])\, S_{t-1}[a, b] + k_t[a]\, v_t[b]$ from $S_0 = 0$, read "
                  r"by $o_t = S_t^{\top} q_t$, equals $o_t[b] = \sum_{j \le t} \sum_a q_t[a]\, k_j[a] "
                  r"\exp\bigl(\sum_{r=j+1}^{t} g_r[a]\bigr) v_j[b]$.",
    expect="proved", cites=GLA_SOURCES)

gla_is_mean_gated = Claim(
    "gla_is_mean_gated",
    lhs=_gla_read(), rhs=_mean_gated_parallel(),
    statement="GLA equals the scalar-gated form with the mean gate: o_t = sum_{j<=t} (q_t.k_j) "
              "exp(sum_{r=j+1}^{t} mean_a g_r[a]) v_j (false: the channels decay at their own rates).",
    statement_tex=r"GLA equals the scalar-gated form with the mean gate, $o_t = \sum_{j \le t} (q_t \cdot k_j) "
                  r"\exp\bigl(\sum_{r=j+1}^{t} \operatorname{mean}_a g_r[a]\bigr) v_j$ (false: the channels decay at "
                  r"their own rates).",
    expect="refuted", cites=GLA_SOURCES + ("claims catalogue GLA-1 F1",))
