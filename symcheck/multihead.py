"""Multi-head, multi-query and grouped-query attention, and their sDNC read heads.

Heads are an *index* (h = 1..H, a symbol), not a fixed count, so claims hold
for every number of heads. Per-head inputs are tensors with the step first:
Q[t, h, a], K[j, h, a], V[j, h, b], and the output map W_O[h, b, c]. For
grouped-query attention a head is a pair (g, i): KV group g = 1..G and head
i = 1..R within it, which is the repeat-interleave layout (head h = (g-1)R + i
uses group g).

On the sDNC side every read head addresses a write-once memory by content
(dot product or cosine, key strength β) over the written slots and reads a
value memory; W_O combines the read vectors.
"""

from __future__ import annotations

import sympy as sp

from .errors import ClaimError
from .index import Iverson, index, make_sum, power, reciprocal
from .matrix import MatInput, TensorInput
from .memory import Memory, MemoryCell
from .models import Model

__all__ = ["softmax_read", "multihead_attention", "sdnc_multihead_read", "mqa_attention", "sdnc_mqa_read",
           "gqa_attention", "sdnc_gqa_read"]


def softmax_read(score, value, lo, hi, guard=lambda j: sp.S.One):
    """Σ_{j=lo}^{hi} softmax_j(score) value(j) with a mask guard, written out:
    Σ_j [g_j] e^{s_j} v_j / Σ_k [g_k] e^{s_k}."""
    j, k = index("j"), index("k")
    z = make_sum(guard(k) * sp.exp(score(k)), k, lo, hi)
    return make_sum(guard(j) * sp.exp(score(j)) * value(j) * reciprocal(z), j, lo, hi)


def _check(cond, message, field="shape"):
    if not cond:
        raise ClaimError(message, field=field)


def _same(a, b) -> bool:
    return sp.expand(sp.sympify(a) - sp.sympify(b)) == 0


def _mask_guard(mask, t):
    if mask == "inclusive":
        return lambda j: Iverson(sp.Le(j, t))
    if mask == "strict":
        return lambda j: Iverson(sp.Lt(j, t))
    if mask == "none":
        return lambda j: sp.S.One
    raise ClaimError(f"unknown mask {mask!r}; expected inclusive, strict or none", field="mask")


def _similarity(kind, dot, q_norm2, m_norm2):
    if kind == "dot":
        return dot
    if kind == "cosine":
        return dot * power(q_norm2, sp.Rational(-1, 2)) * power(m_norm2, sp.Rational(-1, 2))
    raise ClaimError(f"unknown similarity {kind!r}; expected dot or cosine", field="similarity")


# -- multi-head ------------------------------------------------------------------------------------
def multihead_attention(Q: TensorInput, K: TensorInput, V: TensorInput, WO: TensorInput, *, scale=None,
                        mask: str = "inclusive") -> Model:
    """o_t = Σ_h W_O^h softmax_j(scale · q^h_t·k^h_j + log M) v^h_j, heads as an index."""
    (T, H, dh), (S, H2, dh2), (S2, H3, dv), (H4, dv2, D) = Q.shape, K.shape, V.shape, WO.shape
    _check(all(_same(H, x) for x in (H2, H3, H4)), "Q, K, V and W_O must have the same number of heads")
    _check(_same(dh, dh2) and _same(S, S2) and _same(dv, dv2), "per-head widths or key counts disagree")
    beta = 1 / sp.sqrt(dh) if scale is None else sp.sympify(scale)

    def entry(t, c):
        h, b, a = index("h"), index("b_h"), index("a")
        score = lambda j: beta * make_sum(Q[t, h, a] * K[j, h, a], a, 1, dh)
        head = softmax_read(score, lambda j: V[j, h, b], 1, S, _mask_guard(mask, t))
        return make_sum(make_sum(WO[h, b, c] * head, b, 1, dv), h, 1, H)

    return Model(f"multi-head attention ({mask} mask)", T, D, entry)


def sdnc_multihead_read(Q: TensorInput, K: TensorInput, V: TensorInput, WO: TensorInput, *, slots,
                        similarity: str = "dot", strength=None, select: str = "own_block",
                        read: str = "after_write") -> Model:
    """H read heads on ONE memory whose rows are [k^1_j | ... | k^H_j] (and [v^1_j | ... | v^H_j]).

    Read head h uses the zero-padded key (0, ..., q^h_t, ..., 0); W_O^h combines block h of its
    read vector (select="own_block") or, as a false variant, block 1 (select="first_block").
    read="after_write" reads the memory after step t's write; "after_all_writes" after all S
    writes (cross-attention: the memory was written in full by the encoder).
    """
    (T, H, dh), (S, _, _), (_, _, dv), (_, _, D) = Q.shape, K.shape, V.shape, WO.shape
    beta = 1 / sp.sqrt(dh) if strength is None else sp.sympify(strength)
    mk, mv = Memory(K.name, K, slots), Memory(V.name, V, slots)

    def entry(t, c):
        h, g, u, b, a = index("h"), index("g"), index("u"), index("b_h"), index("a")
        tau = t if read == "after_write" else S
        padded = lambda hh, aa: Iverson(sp.Eq(hh, h)) * Q[t, h, aa]           # q~^h_t[h', a]

        def score(m):          # over the key blocks u (not g: the read vector's block index is in scope)
            dot = make_sum(make_sum(padded(u, a) * MemoryCell(mk, tau, m, u, a), a, 1, dh), u, 1, H)
            qn = make_sum(make_sum(padded(u, a) ** 2, a, 1, dh), u, 1, H)
            mn = make_sum(make_sum(MemoryCell(mk, tau, m, u, a) ** 2, a, 1, dh), u, 1, H)
            return beta * _similarity(similarity, dot, qn, mn)

        read_vec = lambda gg: softmax_read(score, lambda m: MemoryCell(mv, tau, m, gg, b), 1, tau)
        block = Iverson(sp.Eq(g, h)) if select == "own_block" else Iverson(sp.Eq(g, 1))
        return make_sum(make_sum(make_sum(block * WO[h, b, c] * read_vec(g), b, 1, dv), g, 1, H), h, 1, H)

    label = f"sDNC: H read heads, one block-padded memory ({similarity}, {select.replace('_', ' ')})"
    return Model(label, T, D, entry, constraints=((S, slots),) + (((T, S),) if read == "after_write" else ()))


# -- multi-query -----------------------------------------------------------------------------------
def mqa_attention(Q: TensorInput, K: MatInput, V: MatInput, WO: TensorInput, *, scale=None,
                  mask: str = "inclusive") -> Model:
    """Multi-query attention: H query heads share one key and one value matrix."""
    (T, H, dh), (S, dh2), (S2, dv), (H2, dv2, D) = Q.shape, K.shape, V.shape, WO.shape
    _check(_same(H, H2) and _same(dh, dh2) and _same(S, S2) and _same(dv, dv2), "MQA shapes disagree")
    beta = 1 / sp.sqrt(dh) if scale is None else sp.sympify(scale)

    def entry(t, c):
        h, b, a = index("h"), index("b_h"), index("a")
        score = lambda j: beta * make_sum(Q[t, h, a] * K[j, a], a, 1, dh)
        head = softmax_read(score, lambda j: V[j, b], 1, S, _mask_guard(mask, t))
        return make_sum(make_sum(WO[h, b, c] * head, b, 1, dv), h, 1, H)

    return Model(f"multi-query attention ({mask} mask)", T, D, entry)


def sdnc_mqa_read(Q: TensorInput, K: MatInput, V: MatInput, WO: TensorInput, *, slots, strength=None) -> Model:
    """H read heads with read keys q^h_t on one shared (K, V) memory."""
    (T, H, dh), (S, _), (_, dv), (_, _, D) = Q.shape, K.shape, V.shape, WO.shape
    beta = 1 / sp.sqrt(dh) if strength is None else sp.sympify(strength)
    mk, mv = Memory(K.name, K, slots), Memory(V.name, V, slots)

    def entry(t, c):
        h, b, a = index("h"), index("b_h"), index("a")
        score = lambda m: beta * make_sum(Q[t, h, a] * MemoryCell(mk, t, m, a), a, 1, dh)
        head = softmax_read(score, lambda m: MemoryCell(mv, t, m, b), 1, t)
        return make_sum(make_sum(WO[h, b, c] * head, b, 1, dv), h, 1, H)

    return Model("sDNC: H read heads on one shared memory", T, D, entry, constraints=((S, slots), (T, S)))


# -- grouped-query ---------------------------------------------------------------------------------
def gqa_attention(Q: TensorInput, K: TensorInput, V: TensorInput, WO: TensorInput, *, scale=None,
                  mask: str = "inclusive") -> Model:
    """Grouped-query attention: head (g, i) attends with KV group g (repeat-interleave)."""
    (T, G, R, dh), (S, G2, dh2), (S2, G3, dv), (G4, R2, dv2, D) = Q.shape, K.shape, V.shape, WO.shape
    _check(all(_same(G, x) for x in (G2, G3, G4)) and _same(R, R2) and _same(dh, dh2) and _same(S, S2)
           and _same(dv, dv2), "GQA shapes disagree")
    beta = 1 / sp.sqrt(dh) if scale is None else sp.sympify(scale)

    def entry(t, c):
        g, i, b, a = index("g"), index("i"), index("b_h"), index("a")
        score = lambda j: beta * make_sum(Q[t, g, i, a] * K[j, g, a], a, 1, dh)
        head = softmax_read(score, lambda j: V[j, g, b], 1, S, _mask_guard(mask, t))
        return make_sum(make_sum(make_sum(WO[g, i, b, c] * head, b, 1, dv), i, 1, R), g, 1, G)

    return Model(f"grouped-query attention ({mask} mask)", T, D, entry)


def sdnc_gqa_read(Q: TensorInput, K: TensorInput, V: TensorInput, WO: TensorInput, *, slots, strength=None,
                  head_map: str = "repeat_interleave") -> Model:
    """One memory per KV group (all written in lockstep, stored as one memory with a group
    index); read head (g, i) reads the memory of group g ("repeat_interleave"), or, as a false
    variant, of group ((g-1)R + i - 1) mod G + 1 ("tile": head h uses group h mod G)."""
    (T, G, R, dh), (S, _, _), (_, _, dv), (_, _, _, D) = Q.shape, K.shape, V.shape, WO.shape
    beta = 1 / sp.sqrt(dh) if strength is None else sp.sympify(strength)
    mk, mv = Memory(K.name, K, slots), Memory(V.name, V, slots)

    def entry(t, c):
        g, i, b, a = index("g"), index("i"), index("b_h"), index("a")
        group = g if head_map == "repeat_interleave" else sp.Mod((g - 1) * R + i - 1, G) + 1
        score = lambda m: beta * make_sum(Q[t, g, i, a] * MemoryCell(mk, t, m, group, a), a, 1, dh)
        head = softmax_read(score, lambda m: MemoryCell(mv, t, m, group, b), 1, t)
        return make_sum(make_sum(make_sum(WO[g, i, b, c] * head, b, 1, dv), i, 1, R), g, 1, G)

    return Model(f"sDNC: one memory per KV group ({head_map.replace('_', ' ')} head map)", T, D, entry,
                 constraints=((S, slots), (T, S)))
