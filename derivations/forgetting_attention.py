"""Forgetting attention (FoX): the query's own cumulative gate cancels in the softmax.

The Forgetting Transformer (Lin, Nikishin, He & Courville 2025) adds a data-dependent decay to the
logits of causal softmax attention: s_tj + G_t − G_j, with G_t = Σ_{r<=t} log f_r the cumulative log
forget gates (fla's `naive_forgetting_attn`: `gc = g.cumsum(1)`). G_t does not depend on the key j, so
it cancels in the softmax over j (`softmax-shift`): FoX is softmax_j(s_tj − G_j). The identity uses
nothing about G, so G is an input here (any real cumulative gates). FoX normalises; scalar-gated
linear attention with the same gates, Σ_j (q_t·k_j) e^{G_t − G_j} v_j, does not, and is another model.
"""

from sympy import exp, sqrt

from symcheck import Claim, from_index, index, make_sum, matrix, sizes
from symcheck.heads import softmax_read

TITLE = "Forgetting attention"
ORDER = 15

T, d, d_v = sizes("T d d_v")
Q, K, V = matrix("Q", T, d), matrix("K", T, d), matrix("V", T, d_v)
G = matrix("G", T, 1)             # G_t: cumulative log forget gates (any reals)
SOURCES = ("Lin, Nikishin, He & Courville 2025, Forgetting Transformer: Softmax Attention with a Forget Gate",
           "claims catalogue FOX-1")


def _score(t, j):
    """s_tj = q_t · k_j / sqrt(d)."""
    a = index("a")
    return make_sum(Q[t, a] * K[j, a], a, 1, d) / sqrt(d)


def _forgetting(query_term=True):
    """o_t = Σ_{j<=t} softmax_j(s_tj + G_t − G_j) v_j, or without the query's own G_t."""
    own = (lambda t: G[t, 1]) if query_term else (lambda t: 0)
    return from_index(T, d_v, lambda t, b: softmax_read(lambda j: _score(t, j) + own(t) - G[j, 1],
                                                        lambda j: V[j, b], 1, t),
                      label="forgetting attention" if query_term else "softmax_j(s_tj - G_j)")


def _gated_linear():
    """o_t = Σ_{j<=t} (q_t·k_j / sqrt(d)) e^{G_t − G_j} v_j: scalar-gated linear attention with the same gates."""
    j = index("j")
    return from_index(T, d_v, lambda t, b: make_sum(_score(t, j) * exp(G[t, 1] - G[j, 1]) * V[j, b], j, 1, t),
                      label="scalar-gated linear attention")


forgetting_attention_drops_the_query_gate = Claim(
    "forgetting_attention_drops_the_query_gate",
    lhs=_forgetting(), rhs=_forgetting(query_term=False),
    statement="Forgetting attention softmax_j(s_tj + G_t - G_j) over j <= t equals softmax_j(s_tj - G_j): the "
              "query's own cumulative gate G_t cancels in the softmax.",
    statement_tex=r"Forgetting attention $\operatorname{softmax}_j(s_{tj} + G_t - G_j)$ over $j \le t$ equals "
                  r"$\operatorname{softmax}_j(s_{tj} - G_j)$: the query's own cumulative gate $G_t$ cancels in the "
                  r"softmax.",
    expect="proved", cites=SOURCES)

forgetting_attention_is_gated_linear_attention = Claim(
    "forgetting_attention_is_gated_linear_attention",
    lhs=_forgetting(), rhs=_gated_linear(),
    statement="Forgetting attention equals scalar-gated linear attention with the same gates, "
              "sum_{j<=t} (q_t.k_j / sqrt d) exp(G_t - G_j) v_j (false: FoX normalises with a softmax).",
    statement_tex=r"Forgetting attention equals scalar-gated linear attention with the same gates, $\sum_{j \le t} "
                  r"(q_t \cdot k_j / \sqrt{d}) \exp(G_t - G_j)\, v_j$ (false: FoX normalises with a softmax).",
    expect="refuted", cites=SOURCES + ("claims catalogue FOX-1, false variant",))
