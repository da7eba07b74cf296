"""Attention heads and sDNC read heads as index expressions, defined once.

`multihead.py` (per-head inputs Q[t, h, a], K[j, h, a] ...) and `layer.py`
(heads computed by a layer's projections) both build their heads here; only
how a query, key or value entry is obtained differs, so those are parameters.
"""

from __future__ import annotations

from typing import Callable

import sympy as sp

from .errors import ClaimError
from .index import Iverson, index, make_sum, reciprocal
from .matrix import MASKS, mask_guard
from .memory import Memory, MemoryCell, similarity

__all__ = ["default_scale", "softmax_read", "guard_of", "attention_heads", "read_heads"]


def default_scale(width, given=None) -> sp.Expr:
    """`given`, else 1/sqrt(width): scaled dot-product attention's temperature, and the sDNC key
    strength at which its content read equals that attention."""
    return 1 / sp.sqrt(width) if given is None else sp.sympify(given)


def softmax_read(score: Callable, value: Callable, lo, hi, guard: Callable = lambda j: sp.S.One) -> sp.Expr:
    """Σ_{j=lo}^{hi} softmax_j(score) value(j) with a mask guard, written out:
    Σ_j [g_j] e^{s_j} v_j / Σ_k [g_k] e^{s_k}."""
    j, k = index("j"), index("k")
    z = make_sum(guard(k) * sp.exp(score(k)), k, lo, hi)
    return make_sum(guard(j) * sp.exp(score(j)) * value(j) * reciprocal(z), j, lo, hi)


def guard_of(mask: str, t) -> Callable:
    """j -> [M_{tj}] for query row t under a causal mask (the lowering rule's definition)."""
    if mask not in MASKS:
        raise ClaimError(f"unknown mask {mask!r}; expected one of {', '.join(MASKS)}", field="mask")
    return lambda j: mask_guard(mask, t, j)


def attention_heads(q: Callable, key: Callable, value: Callable, WO, c, hi, *, dims: tuple, scale,
                    guard: Callable = lambda j: sp.S.One) -> sp.Expr:
    """Σ_h Σ_b W_O[h, b, c] Σ_{j=1}^{hi} softmax_j(scale · Σ_a q(h, a) key(j, h, a)) value(j, h, b):
    `dims` = (H, d, d_v) heads, query/key width and value width, over keys 1..hi."""
    H, width, dv = dims
    h, b, a = index("h"), index("b_h"), index("a")
    score = lambda j: scale * make_sum(q(h, a) * key(j, h, a), a, 1, width)
    head = softmax_read(score, lambda j: value(j, h, b), 1, hi, guard)
    return make_sum(make_sum(WO[h, b, c] * head, b, 1, dv), h, 1, H)


def read_heads(q: Callable, mk: Memory, mv: Memory, WO, c, tau, *, dims: tuple, strength, kind: str = "dot",
               own_block: bool = True) -> sp.Expr:
    """H read heads on ONE key and ONE value memory after τ writes, whose rows are the heads' blocks
    [k^1 | ... | k^H]: head h reads with the zero-padded key (0, ..., q(h, ·), ..., 0) over slots 1..τ,
    and W_O^h combines block h of its read vector (own_block) or, as a false variant, block 1;
    `dims` = (H, d, d_v) as for `attention_heads`."""
    H, width, dv = dims
    h, g, u, b, a = index("h"), index("g"), index("u"), index("b_h"), index("a")
    padded = lambda hh, aa: Iverson(sp.Eq(hh, h)) * q(h, aa)

    def score(m):          # over the key blocks u (not g: the read vector's block index is in scope)
        dot = make_sum(make_sum(padded(u, a) * MemoryCell(mk, tau, m, u, a), a, 1, width), u, 1, H)
        if kind == "dot":
            return strength * dot
        qn = make_sum(make_sum(padded(u, a) ** 2, a, 1, width), u, 1, H)
        mn = make_sum(make_sum(MemoryCell(mk, tau, m, u, a) ** 2, a, 1, width), u, 1, H)
        return strength * similarity(kind, dot, qn, mn)

    read = lambda gg: softmax_read(score, lambda m: MemoryCell(mv, tau, m, gg, b), 1, tau)
    block = Iverson(sp.Eq(g, h)) if own_block else Iverson(sp.Eq(g, 1))
    return make_sum(make_sum(make_sum(block * WO[h, b, c] * read(g), b, 1, dv), g, 1, H), h, 1, H)
