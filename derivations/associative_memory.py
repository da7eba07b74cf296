"""A feed-forward layer is a read of a persistent key-value memory.

Claim AM-5 of the claims catalogue (§4; Geva et al. 2021, Zhong et al. 2025): the FFN
y_t = W₂ relu(W₁ x_t) (W₁: d_ff × d, W₂: d_out × d_ff, no biases) reads a memory of d_ff
fixed slots, slot i holding the key k_i = row i of W₁ and the value v_i = column i of W₂,
with the unnormalised weights relu(k_i · x_t): y_t = Σ_i relu(k_i · x_t) v_i. The weights
are not a distribution, so a softmax read of the same memory is a different model.
"""

from symcheck import Claim, cross_attention, from_index, index, make_sum, matrix, sizes
from symcheck.index import Entry, Relu

TITLE = "Feed-forward layers as associative memories"
ORDER = 17

T, d, d_ff, d_out = sizes("T d d_ff d_out")

X = matrix("X", T, d)                 # the inputs x_t, one per row
W1, W2 = matrix("W1", d_ff, d), matrix("W2", d_out, d_ff)
SOURCES = ("Geva et al. 2021, Transformer Feed-Forward Layers Are Key-Value Memories",
           "Zhong, Xu, Ao & Shi 2025, Understanding Transformer from the Perspective of Associative Memory",
           "claims catalogue AM-5")


def _ffn():
    """y_t = W₂ relu(W₁ x_t), in matrix form: y_t[c] = Σ_i W₂[c, i] relu((W₁ Xᵀ)[i, t])."""
    i = index("i")
    return from_index(T, d_out, lambda t, c: make_sum(W2[c, i] * Relu(Entry(W1 @ X.T, i, t)), i, 1, d_ff),
                      label="FFN W2 relu(W1 x_t)")


def _memory_read():
    """y_t = Σ_{i=1}^{d_ff} relu(k_i · x_t) v_i with k_i = W₁[i, :] and v_i = W₂[:, i]."""
    i, m = index("i"), index("m")
    return from_index(T, d_out, lambda t, c: make_sum(Relu(make_sum(W1[i, m] * X[t, m], m, 1, d)) * W2[c, i],
                                                      i, 1, d_ff), label="key-value memory read")


ffn_is_key_value_memory = Claim(
    "ffn_is_key_value_memory",
    lhs=_ffn(), rhs=_memory_read(),
    statement="The feed-forward layer y_t = W_2 relu(W_1 x_t) equals the read y_t = sum_{i=1}^{d_ff} "
              "relu(k_i . x_t) v_i of a persistent memory of d_ff slots, k_i = row i of W_1, v_i = column i of W_2.",
    statement_tex=r"The feed-forward layer $y_t = W_2 \operatorname{relu}(W_1 x_t)$ equals the read $y_t = "
                  r"\sum_{i=1}^{d_{\mathrm{ff}}} \operatorname{relu}(k_i \cdot x_t)\, v_i$ of a persistent memory of $d_{\mathrm{ff}}$ "
                  r"slots, with $k_i$ row $i$ of $W_1$ and $v_i$ column $i$ of $W_2$.",
    expect="proved", cites=SOURCES)

ffn_is_softmax_memory_read = Claim(
    "ffn_is_softmax_memory_read",
    lhs=_ffn(), rhs=cross_attention(X, W1, W2.T, scale=1),
    statement="The same FFN equals a softmax read of that memory, y_t = sum_i softmax_i(k_i . x_t) v_i "
              "(false: the FFN's weights relu(k_i . x_t) are not normalised).",
    statement_tex=r"The same FFN equals a softmax read of that memory, $y_t = \sum_i \operatorname{softmax}_i(k_i "
                  r"\cdot x_t)\, v_i$ (false: the FFN's weights $\operatorname{relu}(k_i \cdot x_t)$ are not "
                  r"normalised).",
    expect="refuted", cites=SOURCES + ("claims catalogue AM-5 F1",))
