"""Chunkwise linear attention: the form kernels run, proved equal to the recurrence for every chunk size.

The T = N·C positions are split into N chunks of C. Position t = (c − 1)·C + i reads the state
H_{c−1} that the earlier chunks left behind (one matrix product per chunk) and adds a masked
block over its own chunk:

    o_t = H_{c−1}ᵀ q_t + Σ_{j=(c−1)C+1}^{t} (q_t·k_j) v_j,   H_c = H_{c−1} + Σ_{s in chunk c} k_s v_sᵀ.

The decayed form (SimpleGLA / RetNet / SSD chunk kernels) scales the state by the decay
across the chunk and masks the block with the decay from j to t. Both are compared with
`chunk_size=C`: at t = (c − 1)·C + i for every chunk c and offset i. The near miss is the
one kernels get wrong: the *inclusive* chunk state H_c in the inter-chunk term.
"""

from sympy import exp

from symcheck import Claim, from_index, index, make_sum, matrix, sizes
from symcheck.chunked import chunk_of, chunk_start
from symcheck.recurrent import recurrence, state

TITLE = "Chunkwise forms"
ORDER = 11

N, C, d_k, d_v = sizes("N C d_k d_v")
T = N * C

Q, K, V = matrix("Q", T, d_k), matrix("K", T, d_k), matrix("V", T, d_v)
G = matrix("G", T, 1)             # log-decays g_t (the decayed form)
SOURCES = ("Yang et al. 2024, Gated Linear Attention Transformers with Hardware-Efficient Training (chunkwise form)",
           "Sun et al. 2023, Retentive Network (chunkwise recurrent representation)")

s, r = index("s"), index("r")


def _decay(lo, hi):
    """exp(Σ_{r=lo}^{hi} g_r)."""
    return exp(make_sum(G[r, 1], r, lo, hi))


# -- plain linear attention ------------------------------------------------------------------------------
H = recurrence("H", (d_k, d_v), N,      # additive: symcheck derives H_c = Σ_{u<=c} Σ_{s in chunk u} k_s v_sᵀ
               lambda prev, c, a, b: prev(a, b) + make_sum(K[s, a] * V[s, b], s, (c - 1) * C + 1, c * C))


def _chunkwise(inclusive=False):
    """o_t = H_{c−1}ᵀ q_t + Σ_{j=(c−1)C+1}^{t} (q_t·k_j) v_j with c the chunk of t (H_c if `inclusive`)."""
    j, k = index("j"), index("k")

    def entry(t, b):
        c = chunk_of(t, C)
        inter = make_sum(Q[t, k] * state(H, c if inclusive else c - 1, k, b), k, 1, d_k)
        intra = make_sum(make_sum(Q[t, k] * K[j, k], k, 1, d_k) * V[j, b], j, chunk_start(t, C) + 1, t)
        return inter + intra
    return from_index(T, d_v, entry, label="chunkwise linear attention")


def _linear_attention():
    j, k = index("j"), index("k")
    return from_index(T, d_v, lambda t, b: make_sum(make_sum(Q[t, k] * K[j, k], k, 1, d_k) * V[j, b], j, 1, t),
                      label="causal linear attention")


chunkwise_is_linear_attention = Claim(
    "chunkwise_is_linear_attention",
    lhs=_chunkwise(), rhs=_linear_attention(), chunk_size=C,
    statement="For T = N C positions in N chunks of C, the chunkwise form o_t = H_{c-1}^T q_t + "
              "sum_{j=(c-1)C+1}^{t} (q_t.k_j) v_j, with H_c = H_{c-1} + sum_{s=(c-1)C+1}^{cC} k_s v_s^T from H_0 = 0 "
              "and c the chunk of t, equals causal linear attention o_t = sum_{j<=t} (q_t.k_j) v_j.",
    statement_tex=r"For $T = NC$ positions in $N$ chunks of $C$, the chunkwise form $o_t = H_{c-1}^{\top} q_t + "
                  r"\sum_{j=(c-1)C+1}^{t} (q_t \cdot k_j)\, v_j$, with $H_c = H_{c-1} + \sum_{s=(c-1)C+1}^{cC} k_s "
                  r"v_s^{\top}$ from $H_0 = 0$ and $c$ the chunk of $t$, equals causal linear attention $o_t = "
                  r"\sum_{j \le t} (q_t \cdot k_j)\, v_j$.",
    expect="proved", cites=SOURCES)

inclusive_chunk_state = Claim(
    "inclusive_chunk_state",
    lhs=_chunkwise(inclusive=True), rhs=_linear_attention(), chunk_size=C,
    statement="The same with the inclusive chunk state H_c in the inter-chunk term (false: the own chunk's "
              "keys are counted twice).",
    statement_tex=r"The same with the inclusive chunk state $H_c$ in the inter-chunk term (false: the own chunk's "
                  r"keys are counted twice).",
    expect="refuted", cites=SOURCES)


# -- the decayed (scalar-gated) form --------------------------------------------------------------------------
S = recurrence("S", (d_k, d_v), T, lambda prev, t, a, b: exp(G[t, 1]) * prev(a, b) + K[t, a] * V[t, b],
               closed_form=lambda t, a, b: make_sum(_decay(s + 1, t) * K[s, a] * V[s, b], s, 1, t))

HD = recurrence("H", (d_k, d_v), N,
                lambda prev, c, a, b: _decay((c - 1) * C + 1, c * C) * prev(a, b)
                + make_sum(_decay(s + 1, c * C) * K[s, a] * V[s, b], s, (c - 1) * C + 1, c * C),
                closed_form=lambda c, a, b: make_sum(_decay(s + 1, c * C) * K[s, a] * V[s, b], s, 1, c * C))


def _decayed_chunkwise():
    """o_t = exp(Σ_{r=(c−1)C+1}^{t} g_r) H_{c−1}ᵀ q_t + Σ_{j=(c−1)C+1}^{t} (q_t·k_j) exp(Σ_{r=j+1}^{t} g_r) v_j."""
    j, k = index("j"), index("k")

    def entry(t, b):
        c, start = chunk_of(t, C), chunk_start(t, C)
        inter = _decay(start + 1, t) * make_sum(Q[t, k] * state(HD, c - 1, k, b), k, 1, d_k)
        intra = make_sum(make_sum(Q[t, k] * K[j, k], k, 1, d_k) * _decay(j + 1, t) * V[j, b], j, start + 1, t)
        return inter + intra
    return from_index(T, d_v, entry, label="decayed chunkwise form")


def _gated_read():
    k = index("k")
    return from_index(T, d_v, lambda t, b: make_sum(state(S, t, k, b) * Q[t, k], k, 1, d_k), label="gated state S_t^T q_t")


decayed_chunkwise_is_gated_recurrence = Claim(
    "decayed_chunkwise_is_gated_recurrence",
    lhs=_decayed_chunkwise(), rhs=_gated_read(), chunk_size=C,
    statement="The decayed chunkwise form o_t = exp(sum_{r=(c-1)C+1}^{t} g_r) H_{c-1}^T q_t + sum_{j=(c-1)C+1}^{t} "
              "(q_t.k_j) exp(sum_{r=j+1}^{t} g_r) v_j, with H_c = exp(sum_{r in chunk c} g_r) H_{c-1} + "
              "sum_{s in chunk c} exp(sum_{r=s+1}^{cC} g_r) k_s v_s^T from H_0 = 0, equals the gated recurrence "
              "S_t = exp(g_t) S_{t-1} + k_t v_t^T read by o_t = S_t^T q_t.",
    statement_tex=r"The decayed chunkwise form $o_t = \exp\bigl(\sum_{r=(c-1)C+1}^{t} g_r\bigr) H_{c-1}^{\top} q_t + "
                  r"\sum_{j=(c-1)C+1}^{t} (q_t \cdot k_j) \exp\bigl(\sum_{r=j+1}^{t} g_r\bigr) v_j$, with $H_c = "
                  r"\exp\bigl(\sum_{r \in c} g_r\bigr) H_{c-1} + \sum_{s \in c} \exp\bigl(\sum_{r=s+1}^{cC} "
                  r"g_r\bigr) k_s v_s^{\top}$ (sums over chunk $c$) from $H_0 = 0$, equals the gated recurrence $S_t "
                  r"= \exp(g_t) S_{t-1} + k_t v_t^{\top}$ read by $o_t = S_t^{\top} q_t$.",
    expect="proved", cites=SOURCES + ("claims catalogue SGLA and SSD (chunkwise)",))
