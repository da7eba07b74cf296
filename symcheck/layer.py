"""The full Transformer layer as an sDNC step with a stateless controller (SDNC-4).

A layer is token-wise maps around one attention: LayerNorm, the projections
x_t -> (q_t, k_t, v_t), W_O, the residual and the FFN act on position t alone.
On the sDNC side exactly those maps are the controller (x_t -> q_t, k_t, v_t,
with no recurrent state) and its post-map; the memories receive the computed
k_t, v_t (`Rows`) at fresh slot t and H read heads address them by content.
Pre-LN (norm_first) and post-LN layers are both covered. Linear maps have no
bias (as PyTorch's bias=False); LayerNorm has a gain and eps.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from .errors import ClaimError
from .index import Iverson, Relu, index, make_sum
from .matrix import MatInput, TensorInput
from .memory import Memory, MemoryCell, Rows
from .models import Model
from .multihead import _softmax_read

__all__ = ["LayerWeights", "layer_norm", "ffn", "transformer_layer", "sdnc_layer"]


@dataclass(frozen=True)
class LayerWeights:
    """W_Q, W_K, W_V: D × H × d_h; W_O: H × d_h × D; W_1: D × F; W_2: F × D; g_1, g_2: D (LayerNorm gains)."""

    WQ: TensorInput
    WK: TensorInput
    WV: TensorInput
    WO: TensorInput
    W1: MatInput
    W2: MatInput
    g1: TensorInput
    g2: TensorInput
    eps: sp.Expr = sp.Rational(1, 100000)

    @property
    def sizes(self):
        (D, H, dh), (F,) = self.WQ.shape, self.W1.shape[1:]
        return D, H, dh, F


def _fresh(prefix: str, k: int = 0) -> sp.Symbol:
    return index(f"{prefix}{k}" if k else prefix)


def layer_norm(x, D, gain: TensorInput, eps, tag: str):
    """c -> gain_c (x_c - mean) / sqrt(var + eps), x a function of the column index."""
    i = _fresh(f"i_{tag}")
    mean = make_sum(x(i), i, 1, D) / D
    var = make_sum((x(i) - mean) ** 2, i, 1, D) / D
    return lambda c: gain[c] * (x(c) - mean) * (var + eps) ** sp.Rational(-1, 2)


def ffn(u, D, W1: MatInput, W2: MatInput, F, tag: str):
    """c -> Σ_f W_2[f, c] relu(Σ_i u_i W_1[i, f])."""
    f, i = _fresh(f"f_{tag}"), _fresh(f"i_{tag}")
    return lambda c: make_sum(W2[f, c] * Relu(make_sum(u(i) * W1[i, f], i, 1, D)), f, 1, F)


def _projection(a, W: TensorInput, D, tag):
    """(h, k) -> Σ_i a_i W[i, h, k]: a head's query/key/value from a token's normalized input."""
    i = _fresh(f"i_{tag}")
    return lambda h, k: make_sum(a(i) * W[i, h, k], i, 1, D)


def _controller(X: MatInput, w: LayerWeights, norm_first: bool, t):
    """x_t -> (q_t, k_t, v_t), each a function (head, coordinate) -> expression: token-wise, no state."""
    D = w.sizes[0]
    a = layer_norm(lambda c: X[t, c], D, w.g1, w.eps, "1") if norm_first else (lambda c: X[t, c])
    return _projection(a, w.WQ, D, "q"), _projection(a, w.WK, D, "k"), _projection(a, w.WV, D, "v")


def _layer(X: MatInput, w: LayerWeights, norm_first: bool, attention):
    """The layer's entry (t, c) around `attention(t, c)`: residuals, LayerNorms and the FFN."""
    D, H, dh, F = w.sizes
    if sp.expand(X.cols - D) != 0:
        raise ClaimError(f"X has {X.cols} columns but the weights expect {D}", field="shape")

    def entry(t, c):
        attn = lambda cc: attention(t, cc)
        if norm_first:
            u = lambda cc: X[t, cc] + attn(cc)
            return u(c) + ffn(layer_norm(u, D, w.g2, w.eps, "2"), D, w.W1, w.W2, F, "f")(c)
        u = layer_norm(lambda cc: X[t, cc] + attn(cc), D, w.g1, w.eps, "1")
        return layer_norm(lambda cc: u(cc) + ffn(u, D, w.W1, w.W2, F, "f")(cc), D, w.g2, w.eps, "2")(c)

    return entry


def transformer_layer(X: MatInput, w: LayerWeights, *, norm_first: bool = True) -> Model:
    """A causal Transformer encoder layer (multi-head self-attention, ReLU FFN)."""
    D, H, dh, F = w.sizes

    def attention(t, c):
        h, b, a = index("h"), index("b_h"), index("a")
        q = _controller(X, w, norm_first, t)[0]
        score = lambda j: make_sum(q(h, a) * _controller(X, w, norm_first, j)[1](h, a), a, 1, dh) / sp.sqrt(dh)
        head = _softmax_read(score, lambda j: _controller(X, w, norm_first, j)[2](h, b), 1, t)
        return make_sum(make_sum(w.WO[h, b, c] * head, b, 1, dh), h, 1, H)

    return Model(f"Transformer layer ({'pre' if norm_first else 'post'}-LN, causal)", X.rows, D,
                 _layer(X, w, norm_first, attention))


def sdnc_layer(X: MatInput, w: LayerWeights, *, slots, norm_first: bool = True) -> Model:
    """One sDNC step: controller x_t -> (q_t, k_t, v_t), write k_t, v_t to fresh slot t of two
    memories (rows [k^1 | ... | k^H]), H read heads with zero-padded keys, W_O, then the post-map."""
    D, H, dh, F = w.sizes
    T = X.rows
    s, g, e = index("s"), index("g"), index("e")
    _, k_s, v_s = _controller(X, w, norm_first, s)
    mk = Memory("K", Rows("k", (s, g, e), k_s(g, e), (T, H, dh)), slots)
    mv = Memory("V", Rows("v", (s, g, e), v_s(g, e), (T, H, dh)), slots)

    def attention(t, c):
        h, gg, b, a = index("h"), index("g"), index("b_h"), index("a")
        q = _controller(X, w, norm_first, t)[0]
        padded = lambda hh, aa: Iverson(sp.Eq(hh, h)) * q(h, aa)
        score = lambda m: make_sum(make_sum(padded(gg, a) * MemoryCell(mk, t, m, gg, a), a, 1, dh), gg, 1, H) \
            / sp.sqrt(dh)
        read = _softmax_read(score, lambda m: MemoryCell(mv, t, m, gg, b), 1, t)
        return make_sum(make_sum(make_sum(Iverson(sp.Eq(gg, h)) * w.WO[h, b, c] * read, b, 1, dh), gg, 1, H),
                        h, 1, H)

    return Model(f"sDNC step ({'pre' if norm_first else 'post'}-LN controller, H read heads)", T, D,
                 _layer(X, w, norm_first, attention), constraints=((T, slots),))
