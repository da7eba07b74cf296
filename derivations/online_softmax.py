"""Online softmax (the flash-attention recurrence) is causal softmax attention, for any shift sequence.

Query t reads its keys j = 1..t one at a time (Milakov & Gimelshein 2018; Dao et al. 2022), keeping a
shift m_j, a normaliser l_j and an unnormalised output o_j, each rescaled when the shift moves:

    l_j = e^{m_{j-1} - m_j} l_{j-1} + e^{s_tj - m_j},   o_j = e^{m_{j-1} - m_j} o_{j-1} + e^{s_tj - m_j} v_j,

from l_0 = o_0 = 0, and outputs o_t / l_t. By induction on j, l_j = Σ_{s<=j} e^{s_ts - m_j} (and o_j alike),
so o_t / l_t = softmax_j(s_tj - m_t) V, and the shift m_t cancels in the softmax (`softmax-shift`). Nothing
in this uses what m is: the identity holds for any shift sequence, which the first claim states with the
shifts as an input. Flash attention's m_j = max(m_{j-1}, s_tj), the running max that keeps every
exponent <= 0, is one instance, proved the same way. All T queries run side by side: row t of each state
is query t's recurrence.
"""

from sympy import exp, sqrt

from symcheck import Claim, causal_attention, from_index, index, make_sum, matrix, sizes
from symcheck.index import Relu, reciprocal
from symcheck.recurrent import recurrence, state

TITLE = "Online softmax"
ORDER = 14

T, d, d_v = sizes("T d d_v")
Q, K, V = matrix("Q", T, d), matrix("K", T, d), matrix("V", T, d_v)
SOURCES = ("Milakov & Gimelshein 2018, Online normalizer calculation for softmax",
           "Dao, Fu, Ermon, Rudra & Re 2022, FlashAttention: Fast and Memory-Efficient Exact Attention with IO-Awareness")


def _score(t, j):
    """s_tj = q_t · k_j / sqrt(d): causal attention's logit."""
    a = index("a")
    return make_sum(Q[t, a] * K[j, a], a, 1, d) / sqrt(d)


def _online(shift, rescale_normaliser=True):
    """Query t's online softmax read o_t / l_t over keys 1..t, with shift(t, j) the shift m_j of query t
    (j = 0..T); the normaliser is rescaled by e^{m_{j-1} - m_j} unless `rescale_normaliser` is False."""
    s = index("s")
    rescale = lambda t, j: exp(shift(t, j - 1) - shift(t, j))           # noqa: E731
    O = recurrence("o", (T, d_v), T, lambda prev, j, t, b: rescale(t, j) * prev(t, b)
                   + exp(_score(t, j) - shift(t, j)) * V[j, b],
                   closed_form=lambda j, t, b: make_sum(exp(_score(t, s) - shift(t, j)) * V[s, b], s, 1, j))
    if rescale_normaliser:
        L = recurrence("l", (T, 1), T, lambda prev, j, t, b: rescale(t, j) * prev(t, b) + exp(_score(t, j) - shift(t, j)),
                       closed_form=lambda j, t, b: make_sum(exp(_score(t, s) - shift(t, j)), s, 1, j))
    else:
        L = recurrence("l", (T, 1), T, lambda prev, j, t, b: prev(t, b) + exp(_score(t, j) - shift(t, j)))
    return from_index(T, d_v, lambda t, b: state(O, t, t, b) * reciprocal(state(L, t, t, 1)),
                      label="online softmax o_t / l_t")


M = matrix("M", T, T + 1)         # any shifts: M[t, j + 1] is query t's shift m_j after j keys, j = 0..T

online_softmax_any_shift = Claim(
    "online_softmax_any_shift",
    lhs=_online(lambda t, j: M[t, j + 1]), rhs=causal_attention(Q, K, V),
    statement="The online softmax recurrences l_j = e^{m_{j-1} - m_j} l_{j-1} + e^{s_tj - m_j} and "
              "o_j = e^{m_{j-1} - m_j} o_{j-1} + e^{s_tj - m_j} v_j from 0, read by o_t / l_t, equal causal softmax "
              "attention for every shift sequence m_0, ..., m_T of every query (an input).",
    statement_tex=r"The online softmax recurrences $l_j = e^{m_{j-1} - m_j} l_{j-1} + e^{s_{tj} - m_j}$ and $o_j = "
                  r"e^{m_{j-1} - m_j} o_{j-1} + e^{s_{tj} - m_j} v_j$ from $0$, read by $o_t / l_t$, equal causal "
                  r"softmax attention for every shift sequence $m_0, \ldots, m_T$ of every query (an input).",
    expect="proved", cites=SOURCES)

# the running max: m_j = max(m_{j-1}, s_tj) = m_{j-1} + relu(s_tj - m_{j-1}), from m_0 = s_t1 (so m_1 = s_t1)
RUNNING_MAX = recurrence("m", (T, 1), T, lambda prev, j, t, b: prev(t, b) + Relu(_score(t, j) - prev(t, b)),
                         init=lambda t, b: _score(t, 1))


def _running_max(t, j):
    return state(RUNNING_MAX, j, t, 1)


flash_attention_running_max = Claim(
    "flash_attention_running_max",
    lhs=_online(_running_max), rhs=causal_attention(Q, K, V),
    statement="The same with flash attention's running max m_j = max(m_{j-1}, s_tj) (m_0 = s_t1) as the shift "
              "equals causal softmax attention.",
    statement_tex=r"The same with flash attention's running max $m_j = \max(m_{j-1}, s_{tj})$ ($m_0 = s_{t1}$) as "
                  r"the shift equals causal softmax attention.",
    expect="proved", cites=SOURCES)

normaliser_not_rescaled = Claim(
    "normaliser_not_rescaled",
    lhs=_online(_running_max, rescale_normaliser=False), rhs=causal_attention(Q, K, V),
    statement="The same with the normaliser not rescaled when the max moves, l_j = l_{j-1} + e^{s_tj - m_j} "
              "(false: the earlier terms keep their old shifts).",
    statement_tex=r"The same with the normaliser not rescaled when the max moves, $l_j = l_{j-1} + e^{s_{tj} - m_j}$ "
                  r"(false: the earlier terms keep their old shifts).",
    expect="refuted", cites=SOURCES)
