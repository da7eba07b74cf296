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
from .multihead import softmax_read

__all__ = ["LayerWeights", "CrossWeights", "layer_norm", "ffn", "transformer_layer", "sdnc_layer",
           "transformer_decoder_layer", "sdnc_decoder_layer", "sdnc_token_step"]


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


def _heads(q, key, value, WO: TensorInput, c, hi):
    """Σ_h Σ_b W_O[h, b, c] Σ_{j<=hi} softmax_j(q^h·k^h_j / √d_h) v^h_j[b], read from keys and values."""
    H, dh, _ = WO.shape
    h, b, a = index("h"), index("b_h"), index("a")
    score = lambda j: make_sum(q(h, a) * key(j)(h, a), a, 1, dh) / sp.sqrt(dh)
    head = softmax_read(score, lambda j: value(j)(h, b), 1, hi)
    return make_sum(make_sum(WO[h, b, c] * head, b, 1, dh), h, 1, H)


def _read_heads(q, mk: Memory, mv: Memory, WO: TensorInput, c, tau):
    """H read heads with zero-padded keys on one block memory after τ writes, over slots 1..τ."""
    H, dh, _ = WO.shape
    h, g, b, a = index("h"), index("g"), index("b_h"), index("a")
    padded = lambda hh, aa: Iverson(sp.Eq(hh, h)) * q(h, aa)
    score = lambda m: make_sum(make_sum(padded(g, a) * MemoryCell(mk, tau, m, g, a), a, 1, dh), g, 1, H) \
        / sp.sqrt(dh)
    read = softmax_read(score, lambda m: MemoryCell(mv, tau, m, g, b), 1, tau)
    return make_sum(make_sum(make_sum(Iverson(sp.Eq(g, h)) * WO[h, b, c] * read, b, 1, dh), g, 1, H), h, 1, H)


def _memories(names, rows, steps, width, slots):
    """A key and a value memory receiving the computed rows (k_s, v_s) = rows(s) at fresh slot s."""
    s, g, e = index("s"), index("g"), index("e")
    k_s, v_s = rows(s)
    return tuple(Memory(n.upper(), Rows(n, (s, g, e), f(g, e), (steps, *width)), slots)
                 for n, f in zip(names, (k_s, v_s)))


def transformer_layer(X: MatInput, w: LayerWeights, *, norm_first: bool = True) -> Model:
    """A causal Transformer encoder layer (multi-head self-attention, ReLU FFN)."""
    ctrl = lambda j: _controller(X, w, norm_first, j)
    attention = lambda t, c: _heads(ctrl(t)[0], lambda j: ctrl(j)[1], lambda j: ctrl(j)[2], w.WO, c, t)
    return Model(f"Transformer layer ({'pre' if norm_first else 'post'}-LN, causal)", X.rows, w.sizes[0],
                 _layer(X, w, norm_first, attention))


def sdnc_layer(X: MatInput, w: LayerWeights, *, slots, norm_first: bool = True) -> Model:
    """One sDNC step: controller x_t -> (q_t, k_t, v_t), write k_t, v_t to fresh slot t of two
    memories (rows [k^1 | ... | k^H]), H read heads with zero-padded keys, W_O, then the post-map."""
    D, H, dh, F = w.sizes
    ctrl = lambda j: _controller(X, w, norm_first, j)
    mk, mv = _memories(("k", "v"), lambda s: ctrl(s)[1:], X.rows, (H, dh), slots)
    attention = lambda t, c: _read_heads(ctrl(t)[0], mk, mv, w.WO, c, t)
    return Model(f"sDNC step ({'pre' if norm_first else 'post'}-LN controller, H read heads)", X.rows, D,
                 _layer(X, w, norm_first, attention), constraints=((X.rows, slots),))


def sdnc_token_step(x: MatInput, w: LayerWeights, keys: TensorInput, values: TensorInput, *, slots,
                    norm_first: bool = True):
    """One token through one sDNC layer over memories already holding `keys`/`values` (n rows):
    the controller's (k, v) for x (functions of head and coordinate) and the output row after
    writing them as row n. For simulations whose memory is not the layer's own (shared by layers)."""
    q, k, v = _controller(x, w, norm_first, 1)
    mk, mv = Memory("K", keys, slots), Memory("V", values, slots)
    attention = lambda t, c: _read_heads(q, mk, mv, w.WO, c, keys.shape[0])
    return k, v, Model("sDNC token step", 1, w.sizes[0], _layer(x, w, norm_first, attention))


@dataclass(frozen=True)
class CrossWeights:
    """Cross-attention of a decoder layer: C_Q, C_K, C_V: D × H × d_h; C_O: H × d_h × D; g_3: the third LayerNorm."""

    CQ: TensorInput
    CK: TensorInput
    CV: TensorInput
    CO: TensorInput
    g3: TensorInput


def _decoder(X, w: LayerWeights, cw: CrossWeights, norm_first, self_attn, cross_attn):
    """Entry (t, c) of a decoder layer around its self- and cross-attention (PyTorch's order)."""
    D, _, _, F = w.sizes
    ln = lambda x, gain, tag: layer_norm(x, D, gain, w.eps, tag)

    def entry(t, c):
        if norm_first:
            x1 = lambda cc: X[t, cc] + self_attn(t, cc)
            q = _projection(ln(x1, w.g2, "2"), cw.CQ, D, "cq")
            x2 = lambda cc: x1(cc) + cross_attn(q, cc)
            return x2(c) + ffn(ln(x2, cw.g3, "3"), D, w.W1, w.W2, F, "f")(c)
        x1 = ln(lambda cc: X[t, cc] + self_attn(t, cc), w.g1, "1")
        q = _projection(x1, cw.CQ, D, "cq")
        x2 = ln(lambda cc: x1(cc) + cross_attn(q, cc), w.g2, "2")
        return ln(lambda cc: x2(cc) + ffn(x2, D, w.W1, w.W2, F, "f")(cc), cw.g3, "3")(c)

    return entry


def _encoder_rows(M, cw: CrossWeights, D):
    """(k'_s, v'_s): the encoder output's row s projected to cross-attention keys and values."""
    return lambda s: (_projection(lambda i: M[s, i], cw.CK, D, "ck"), _projection(lambda i: M[s, i], cw.CV, D, "cv"))


def transformer_decoder_layer(X: MatInput, M: MatInput, w: LayerWeights, cw: CrossWeights, *,
                              norm_first: bool = True) -> Model:
    """A decoder layer: causal self-attention, cross-attention to the encoder output M (S × D), FFN."""
    D = w.sizes[0]
    ctrl = lambda j: _controller(X, w, norm_first, j)
    enc = _encoder_rows(M, cw, D)
    self_attn = lambda t, c: _heads(ctrl(t)[0], lambda j: ctrl(j)[1], lambda j: ctrl(j)[2], w.WO, c, t)
    cross_attn = lambda q, c: _heads(q, lambda s: enc(s)[0], lambda s: enc(s)[1], cw.CO, c, M.rows)
    return Model(f"Transformer decoder layer ({'pre' if norm_first else 'post'}-LN)", X.rows, D,
                 _decoder(X, w, cw, norm_first, self_attn, cross_attn))


def sdnc_decoder_layer(X: MatInput, M: MatInput, w: LayerWeights, cw: CrossWeights, *, slots,
                       norm_first: bool = True) -> Model:
    """An sDNC step with distinct memories: the decoder writes and reads its own growing memory,
    and reads an encoder memory that was written in full (S slots) before decoding."""
    D, H, dh, _ = w.sizes
    ctrl = lambda j: _controller(X, w, norm_first, j)
    mk, mv = _memories(("k", "v"), lambda s: ctrl(s)[1:], X.rows, (H, dh), slots)
    ek, ev = _memories(("k_enc", "v_enc"), _encoder_rows(M, cw, D), M.rows, (H, dh), slots)
    self_attn = lambda t, c: _read_heads(ctrl(t)[0], mk, mv, w.WO, c, t)
    cross_attn = lambda q, c: _read_heads(q, ek, ev, cw.CO, c, M.rows)
    return Model(f"sDNC decoder step ({'pre' if norm_first else 'post'}-LN): own memory and an encoder memory",
                 X.rows, D, _decoder(X, w, cw, norm_first, self_attn, cross_attn),
                 constraints=((X.rows, slots), (M.rows, slots)))
