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
from .heads import attention_heads, default_scale, guard_of, read_heads, softmax_read
from .index import index, make_sum
from .matrix import MatInput, TensorInput
from .memory import Memory, MemoryCell
from .ir import Formula

__all__ = ["multihead_attention", "sdnc_multihead_read", "mqa_attention", "sdnc_mqa_read",
           "gqa_attention", "sdnc_gqa_read"]


def _check(cond, message, field="shape"):
    if not cond:
        raise ClaimError(message, field=field)


def _same(a, b) -> bool:
    return sp.expand(sp.sympify(a) - sp.sympify(b)) == 0


# -- multi-head ------------------------------------------------------------------------------------
def multihead_attention(Q: TensorInput, K: TensorInput, V: TensorInput, WO: TensorInput, *, scale=None,
                        mask: str = "inclusive") -> Formula:
    """o_t = Σ_h W_O^h softmax_j(scale · q^h_t·k^h_j + log M) v^h_j, heads as an index."""
    (T, H, dh), (S, H2, dh2), (S2, H3, dv), (H4, dv2, D) = Q.shape, K.shape, V.shape, WO.shape
    _check(all(_same(H, x) for x in (H2, H3, H4)), "Q, K, V and W_O must have the same number of heads")
    _check(_same(dh, dh2) and _same(S, S2) and _same(dv, dv2), "per-head widths or key counts disagree")
    beta = default_scale(dh, scale)
    guard_of(mask, T)                       # an unknown mask is an error when the model is built

    def entry(t, c):
        return attention_heads(lambda h, a: Q[t, h, a], lambda j, h, a: K[j, h, a], lambda j, h, b: V[j, h, b],
                               WO, c, S, dims=(H, dh, dv), scale=beta, guard=guard_of(mask, t))

    return Formula(f"multi-head attention ({mask} mask)", T, D, entry)


def sdnc_multihead_read(Q: TensorInput, K: TensorInput, V: TensorInput, WO: TensorInput, *, slots,
                        similarity: str = "dot", strength=None, select: str = "own_block",
                        read: str = "after_write") -> Formula:
    """H read heads on ONE memory whose rows are [k^1_j | ... | k^H_j] (and [v^1_j | ... | v^H_j]).

    Read head h uses the zero-padded key (0, ..., q^h_t, ..., 0); W_O^h combines block h of its
    read vector (select="own_block") or, as a false variant, block 1 (select="first_block").
    read="after_write" reads the memory after step t's write; "after_all_writes" after all S
    writes (cross-attention: the memory was written in full by the encoder).
    """
    (T, H, dh), (S, _, _), (_, _, dv), (_, _, D) = Q.shape, K.shape, V.shape, WO.shape
    beta = default_scale(dh, strength)
    mk, mv = Memory(K.name, K, slots), Memory(V.name, V, slots)

    def entry(t, c):
        tau = t if read == "after_write" else S
        return read_heads(lambda h, a: Q[t, h, a], mk, mv, WO, c, tau, dims=(H, dh, dv), strength=beta, kind=similarity,
                          own_block=select == "own_block")

    label = f"sDNC: H read heads, one block-padded memory ({similarity}, {select.replace('_', ' ')})"
    return Formula(label, T, D, entry, constraints=((S, slots),) + (((T, S),) if read == "after_write" else ()))


# -- multi-query -----------------------------------------------------------------------------------
def mqa_attention(Q: TensorInput, K: MatInput, V: MatInput, WO: TensorInput, *, scale=None,
                  mask: str = "inclusive") -> Formula:
    """Multi-query attention: H query heads share one key and one value matrix."""
    (T, H, dh), (S, dh2), (S2, dv), (H2, dv2, D) = Q.shape, K.shape, V.shape, WO.shape
    _check(_same(H, H2) and _same(dh, dh2) and _same(S, S2) and _same(dv, dv2), "MQA shapes disagree")
    beta = default_scale(dh, scale)
    guard_of(mask, T)

    def entry(t, c):
        return attention_heads(lambda h, a: Q[t, h, a], lambda j, h, a: K[j, a], lambda j, h, b: V[j, b],
                               WO, c, S, dims=(H, dh, dv), scale=beta, guard=guard_of(mask, t))

    return Formula(f"multi-query attention ({mask} mask)", T, D, entry)


def sdnc_mqa_read(Q: TensorInput, K: MatInput, V: MatInput, WO: TensorInput, *, slots, strength=None) -> Formula:
    """H read heads with read keys q^h_t on one shared (K, V) memory."""
    (T, H, dh), (S, _), (_, dv), (_, _, D) = Q.shape, K.shape, V.shape, WO.shape
    beta = default_scale(dh, strength)
    mk, mv = Memory(K.name, K, slots), Memory(V.name, V, slots)

    def entry(t, c):
        return attention_heads(lambda h, a: Q[t, h, a], lambda m, h, a: MemoryCell(mk, t, m, a),
                               lambda m, h, b: MemoryCell(mv, t, m, b), WO, c, t, dims=(H, dh, dv), scale=beta)

    return Formula("sDNC: H read heads on one shared memory", T, D, entry, constraints=((S, slots), (T, S)))


# -- grouped-query ---------------------------------------------------------------------------------
def gqa_attention(Q: TensorInput, K: TensorInput, V: TensorInput, WO: TensorInput, *, scale=None,
                  mask: str = "inclusive") -> Formula:
    """Grouped-query attention: head (g, i) attends with KV group g (repeat-interleave)."""
    (T, G, R, dh), (S, G2, dh2), (S2, G3, dv), (G4, R2, dv2, D) = Q.shape, K.shape, V.shape, WO.shape
    _check(all(_same(G, x) for x in (G2, G3, G4)) and _same(R, R2) and _same(dh, dh2) and _same(S, S2)
           and _same(dv, dv2), "GQA shapes disagree")
    beta = default_scale(dh, scale)
    guard_of(mask, T)

    def entry(t, c):
        g, i, b, a = index("g"), index("i"), index("b_h"), index("a")
        score = lambda j: beta * make_sum(Q[t, g, i, a] * K[j, g, a], a, 1, dh)
        head = softmax_read(score, lambda j: V[j, g, b], 1, S, guard_of(mask, t))
        return make_sum(make_sum(make_sum(WO[g, i, b, c] * head, b, 1, dv), i, 1, R), g, 1, G)

    return Formula(f"grouped-query attention ({mask} mask)", T, D, entry)


def sdnc_gqa_read(Q: TensorInput, K: TensorInput, V: TensorInput, WO: TensorInput, *, slots, strength=None,
                  head_map: str = "repeat_interleave") -> Formula:
    """One memory per KV group (all written in lockstep, stored as one memory with a group
    index); read head (g, i) reads the memory of group g ("repeat_interleave"), or, as a false
    variant, of group ((g-1)R + i - 1) mod G + 1 ("tile": head h uses group h mod G)."""
    (T, G, R, dh), (S, _, _), (_, _, dv), (_, _, _, D) = Q.shape, K.shape, V.shape, WO.shape
    beta = default_scale(dh, strength)
    mk, mv = Memory(K.name, K, slots), Memory(V.name, V, slots)

    def entry(t, c):
        g, i, b, a = index("g"), index("i"), index("b_h"), index("a")
        group = g if head_map == "repeat_interleave" else sp.Mod((g - 1) * R + i - 1, G) + 1
        score = lambda m: beta * make_sum(Q[t, g, i, a] * MemoryCell(mk, t, m, group, a), a, 1, dh)
        head = softmax_read(score, lambda m: MemoryCell(mv, t, m, group, b), 1, t)
        return make_sum(make_sum(make_sum(WO[g, i, b, c] * head, b, 1, dv), i, 1, R), g, 1, G)

    return Formula(f"sDNC: one memory per KV group ({head_map.replace('_', ' ')} head map)", T, D, entry,
                 constraints=((S, slots), (T, S)))
