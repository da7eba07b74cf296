"""The full Transformer layer as an sDNC step with a stateless controller (Tang & Xie 2026, arXiv:2603.19272).

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
from .heads import attention_heads, default_scale, read_heads
from .index import Relu, index, make_sum, power
from .compose import apply
from .matrix import MatInput, TensorInput
from .memory import Memory, Rows
from .ir import Applied, Formula

__all__ = ["LayerWeights", "CrossWeights", "layer_norm", "ffn", "attention_block", "sdnc_attention_block",
           "ffn_block", "cross_attention_block", "sdnc_cross_block", "transformer_layer", "sdnc_layer",
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

    @staticmethod
    def shapes(D, H, d_h, F, *, prefix: str = "W", gain: str = "g") -> dict:
        """Input name -> shape, in field order: W_Q, W_K, W_V (D × H × d_h), W_O, W_1, W_2, g_1, g_2."""
        return {f"{prefix}_Q": (D, H, d_h), f"{prefix}_K": (D, H, d_h), f"{prefix}_V": (D, H, d_h),
                f"{prefix}_O": (H, d_h, D), f"{prefix}_1": (D, F), f"{prefix}_2": (F, D),
                f"{gain}_1": (D,), f"{gain}_2": (D,)}

    @classmethod
    def declare(cls, D, H, d_h, F, *, prefix: str = "W", gain: str = "g") -> "LayerWeights":
        """One layer's weights as inputs named {prefix}_Q ... {prefix}_2 and gains {gain}_1, {gain}_2."""
        return cls(*(TensorInput(name, *shape) if len(shape) != 2 else MatInput(name, *shape)
                     for name, shape in cls.shapes(D, H, d_h, F, prefix=prefix, gain=gain).items()))


def _fresh(prefix: str, k: int = 0) -> sp.Symbol:
    return index(f"{prefix}{k}" if k else prefix)


def layer_norm(x, D, gain: TensorInput, eps, tag: str):
    """c -> gain_c (x_c - mean) / sqrt(var + eps), x a function of the column index."""
    i = _fresh(f"i_{tag}")
    mean = make_sum(x(i), i, 1, D) / D
    var = make_sum((x(i) - mean) ** 2, i, 1, D) / D
    return lambda c: gain[c] * (x(c) - mean) * power(var + eps, sp.Rational(-1, 2))


def ffn(u, D, W1: MatInput, W2: MatInput, F, tag: str):
    """c -> Σ_f W_2[f, c] relu(Σ_i u_i W_1[i, f])."""
    f, i = _fresh(f"f_{tag}"), _fresh(f"i_{tag}")
    return lambda c: make_sum(W2[f, c] * Relu(make_sum(u(i) * W1[i, f], i, 1, D)), f, 1, F)


def _projection(a, W: TensorInput, D, tag):
    """(h, k) -> Σ_i a_i W[i, h, k]: a head's query/key/value from a token's normalized input."""
    i = _fresh(f"i_{tag}")
    return lambda h, k: make_sum(a(i) * W[i, h, k], i, 1, D)


def _check_width(Y, D):
    if sp.expand(Y.cols - D) != 0:
        raise ClaimError(f"{getattr(Y, 'name', 'the input')} has {Y.cols} columns but the weights expect {D}",
                         field="shape")


def _residual_block(Y, w: LayerWeights, gain, norm_first: bool, sublayer, tag: str, label: str,
                    constraints=()) -> Formula:
    """One sublayer with its residual and LayerNorm: pre-LN y_t + f(LN(y))_t, post-LN LN(y_t + f(y)_t).

    `sublayer(a, t, c)` is entry (t, c) of f, where a(j) is token j's input to f (a function of
    the column): the normalized row under pre-LN, the row itself under post-LN."""
    D = w.sizes[0]
    _check_width(Y, D)
    row = lambda j: (lambda c: Y[j, c])
    a = (lambda j: layer_norm(row(j), D, gain, w.eps, tag)) if norm_first else row

    def entry(t, c):
        if norm_first:
            return Y[t, c] + sublayer(a, t, c)
        return layer_norm(lambda cc: Y[t, cc] + sublayer(a, t, cc), D, gain, w.eps, tag)(c)

    return Formula(f"{label} ({'pre' if norm_first else 'post'}-LN)", Y.rows, D, entry, tuple(constraints))


def _ln(norm_first: bool) -> str:
    return "pre" if norm_first else "post"


def attention_block(Y, w: LayerWeights, *, norm_first: bool = True, causal: bool = True) -> Formula:
    """Multi-head self-attention with W_O, residual and LayerNorm g_1; causal, or over all tokens."""
    D = w.sizes[0]

    def sublayer(a, t, c):
        proj = lambda j, W, tag: _projection(a(j), W, D, tag)
        return _heads(proj(t, w.WQ, "q"), lambda j: proj(j, w.WK, "k"), lambda j: proj(j, w.WV, "v"), w.WO, c,
                      t if causal else Y.rows)

    return _residual_block(Y, w, w.g1, norm_first, sublayer, "1",
                           f"self-attention block ({'causal' if causal else 'all tokens'})")


def sdnc_attention_block(Y, w: LayerWeights, *, slots, norm_first: bool = True, causal: bool = True) -> Formula:
    """The sDNC's half of it: the controller writes (k_s, v_s) of every token s to fresh slot s of a
    key and a value memory; H read heads with zero-padded keys read after write t (causal) or
    after all writes, then W_O, residual and LayerNorm g_1."""
    D, H, dh, _ = w.sizes

    def sublayer(a, t, c):
        proj = lambda j, W, tag: _projection(a(j), W, D, tag)
        mk, mv = _memories(("k", "v"), lambda s: (proj(s, w.WK, "k"), proj(s, w.WV, "v")), Y.rows, (H, dh), slots)
        return _read_heads(proj(t, w.WQ, "q"), mk, mv, w.WO, c, t if causal else Y.rows)

    return _residual_block(Y, w, w.g1, norm_first, sublayer, "1",
                           f"sDNC write and read block ({'read after write t' if causal else 'read after all writes'})",
                           constraints=((Y.rows, slots),))


def ffn_block(Y, w: LayerWeights, gain, *, norm_first: bool = True) -> Formula:
    """The ReLU FFN with residual and LayerNorm `gain`: token-wise, the same on both sides."""
    D, _, _, F = w.sizes
    return _residual_block(Y, w, gain, norm_first, lambda a, t, c: ffn(a(t), D, w.W1, w.W2, F, "f")(c), "f",
                           "FFN block")


def _heads(q, key, value, WO: TensorInput, c, hi):
    """Σ_h Σ_b W_O[h, b, c] Σ_{j<=hi} softmax_j(q^h·k^h_j / √d_h) v^h_j[b], read from keys and values."""
    H, dh, _ = WO.shape
    return attention_heads(q, lambda j, h, a: key(j)(h, a), lambda j, h, b: value(j)(h, b), WO, c, hi,
                           dims=(H, dh, dh), scale=default_scale(dh))


def _read_heads(q, mk: Memory, mv: Memory, WO: TensorInput, c, tau):
    """H read heads with zero-padded keys on one block memory after τ writes, over slots 1..τ."""
    H, dh, _ = WO.shape
    return read_heads(q, mk, mv, WO, c, tau, dims=(H, dh, dh), strength=default_scale(dh))


def _memories(names, rows, steps, width, slots):
    """A key and a value memory receiving the computed rows (k_s, v_s) = rows(s) at fresh slot s."""
    s, g, e = index("s"), index("g"), index("e")
    k_s, v_s = rows(s)
    return tuple(Memory(n.upper(), Rows(n, (s, g, e), f(g, e), (steps, *width)), slots)
                 for n, f in zip(names, (k_s, v_s)))


def transformer_layer(X, w: LayerWeights, *, norm_first: bool = True, causal: bool = True) -> Applied:
    """A Transformer encoder layer: self-attention block, then FFN block (causal by default)."""
    attention = apply(lambda Y: attention_block(Y, w, norm_first=norm_first, causal=causal), X)
    return apply(lambda Y: ffn_block(Y, w, w.g2, norm_first=norm_first), attention,
                 label=f"Transformer layer ({_ln(norm_first)}-LN, {'causal' if causal else 'all tokens'})")


def sdnc_layer(X, w: LayerWeights, *, slots, norm_first: bool = True, causal: bool = True) -> Applied:
    """One sDNC step: controller x_t -> (q_t, k_t, v_t), write k_t, v_t to fresh slot t of two
    memories (rows [k^1 | ... | k^H]), H read heads with zero-padded keys, W_O, then the post-map.
    With causal=False (an encoder) every read happens after all T writes."""
    write_read = apply(lambda Y: sdnc_attention_block(Y, w, slots=slots, norm_first=norm_first, causal=causal), X)
    return apply(lambda Y: ffn_block(Y, w, w.g2, norm_first=norm_first), write_read,
                 label=f"sDNC step ({_ln(norm_first)}-LN controller, H read heads"
                       f"{'' if causal else ', read after all writes'})")


def sdnc_token_step(x: MatInput, w: LayerWeights, keys: TensorInput, values: TensorInput, *, slots,
                    norm_first: bool = True):
    """One token through one sDNC layer over memories already holding `keys`/`values` (n rows):
    the controller's (k, v) for x (functions of head and coordinate) and the output row after
    writing them as row n. For simulations whose memory is not the layer's own (shared by layers)."""
    D = w.sizes[0]
    a = layer_norm(lambda c: x[1, c], D, w.g1, w.eps, "1") if norm_first else (lambda c: x[1, c])
    mk, mv = Memory("K", keys, slots), Memory("V", values, slots)
    read = lambda a, t, c: _read_heads(_projection(a(t), w.WQ, D, "q"), mk, mv, w.WO, c, keys.shape[0])
    block = _residual_block(x, w, w.g1, norm_first, read, "1", "sDNC read block on a given memory")
    step = apply(lambda Y: ffn_block(Y, w, w.g2, norm_first=norm_first), block, label="sDNC token step")
    return _projection(a, w.WK, D, "k"), _projection(a, w.WV, D, "v"), step


@dataclass(frozen=True)
class CrossWeights:
    """Cross-attention of a decoder layer: C_Q, C_K, C_V: D × H × d_h; C_O: H × d_h × D; g_3: the third LayerNorm."""

    CQ: TensorInput
    CK: TensorInput
    CV: TensorInput
    CO: TensorInput
    g3: TensorInput

    @classmethod
    def declare(cls, D, H, d_h, *, prefix: str = "C", gain: str = "g_3") -> "CrossWeights":
        """Inputs {prefix}_Q, {prefix}_K, {prefix}_V (D × H × d_h), {prefix}_O (H × d_h × D) and the gain."""
        heads = (D, H, d_h)
        return cls(*(TensorInput(f"{prefix}_{k}", *heads) for k in "QKV"), TensorInput(f"{prefix}_O", H, d_h, D),
                   TensorInput(gain, D))


def _encoder_rows(M, cw: CrossWeights, D):
    """(k'_s, v'_s): the encoder output's row s projected to cross-attention keys and values."""
    return lambda s: (_projection(lambda i: M[s, i], cw.CK, D, "ck"), _projection(lambda i: M[s, i], cw.CV, D, "cv"))


def cross_attention_block(Y, M, w: LayerWeights, cw: CrossWeights, *, norm_first: bool = True) -> Formula:
    """Cross-attention of the decoder tokens to all S rows of the encoder output M, with C_O,
    residual and LayerNorm g_2."""
    D = w.sizes[0]
    enc = _encoder_rows(M, cw, D)
    sublayer = lambda a, t, c: _heads(_projection(a(t), cw.CQ, D, "cq"), lambda s: enc(s)[0],
                                      lambda s: enc(s)[1], cw.CO, c, M.rows)
    return _residual_block(Y, w, w.g2, norm_first, sublayer, "2", "cross-attention block")


def sdnc_cross_block(Y, M, w: LayerWeights, cw: CrossWeights, *, slots, norm_first: bool = True) -> Formula:
    """The sDNC reads a separate encoder memory, written in full (S slots) before decoding."""
    D, H, dh, _ = w.sizes
    ek, ev = _memories(("k_enc", "v_enc"), _encoder_rows(M, cw, D), M.rows, (H, dh), slots)
    sublayer = lambda a, t, c: _read_heads(_projection(a(t), cw.CQ, D, "cq"), ek, ev, cw.CO, c, M.rows)
    return _residual_block(Y, w, w.g2, norm_first, sublayer, "2", "sDNC read block on the encoder memory",
                           constraints=((M.rows, slots),))


def transformer_decoder_layer(X, M, w: LayerWeights, cw: CrossWeights, *, norm_first: bool = True) -> Applied:
    """A decoder layer: causal self-attention, cross-attention to the encoder output M (S × D), FFN."""
    x1 = apply(lambda Y: attention_block(Y, w, norm_first=norm_first), X)
    x2 = apply(lambda Y, M: cross_attention_block(Y, M, w, cw, norm_first=norm_first), x1, M)
    return apply(lambda Y: ffn_block(Y, w, cw.g3, norm_first=norm_first), x2,
                 label=f"Transformer decoder layer ({_ln(norm_first)}-LN)")


def sdnc_decoder_layer(X, M, w: LayerWeights, cw: CrossWeights, *, slots, norm_first: bool = True) -> Applied:
    """An sDNC step with distinct memories: the decoder writes and reads its own growing memory,
    and reads an encoder memory that was written in full (S slots) before decoding."""
    x1 = apply(lambda Y: sdnc_attention_block(Y, w, slots=slots, norm_first=norm_first), X)
    x2 = apply(lambda Y, M: sdnc_cross_block(Y, M, w, cw, slots=slots, norm_first=norm_first), x1, M)
    return apply(lambda Y: ffn_block(Y, w, cw.g3, norm_first=norm_first), x2,
                 label=f"sDNC decoder step ({_ln(norm_first)}-LN): own memory and an encoder memory")
