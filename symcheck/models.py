"""Model constructors: the architectures, stated in their own vocabulary.

Each builds a `Formula` (`ir.py`): a symbolic matrix-valued function of input
matrices, with a shape (rows × cols) and the definition of its entry (i, j).
Constructors check shapes and options and say which size constraints they need
(e.g. a write-once memory needs N >= T fresh slots).
"""

from __future__ import annotations

from typing import Callable

import sympy as sp

from .errors import ClaimError
from .heads import default_scale
from .index import Entry, index, make_sum
from .ir import Formula
from .matrix import MASKS, MaskedSoftmax, MatInput, MatScale
from .memory import SIMILARITIES, ContentWeight, FeedbackRead, Memory, MemoryCell

__all__ = ["causal_attention", "cross_attention", "sdnc_read", "dnc_feedback_read", "from_index"]

READ_ORDERS = ("after_write", "before_write", "after_all_writes")
DOMAINS = ("written", "all")


def _check_same(a, b, what: str, field: str):
    if sp.expand(sp.sympify(a) - sp.sympify(b)) != 0:
        raise ClaimError(f"{what}: {a} vs {b}", field=field)


def causal_attention(Q: MatInput, K: MatInput, V: MatInput, *, scale=None, mask: str = "inclusive") -> Formula:
    """softmax(scale · Q Kᵀ + log M) V with M the causal mask (`inclusive`, `strict`, `none`).

    `scale` defaults to 1/sqrt(d) for d the key width.
    """
    if mask not in MASKS:
        raise ClaimError(f"unknown mask {mask!r}; expected one of {', '.join(MASKS)}", field="mask")
    _check_same(Q.cols, K.cols, "queries and keys must have the same width", "shape")
    _check_same(K.rows, V.rows, "keys and values must have the same number of rows", "shape")
    if mask != "none":
        _check_same(Q.rows, K.rows, "a causal mask needs as many queries as keys", "shape")
    return _attention(Q, K, V, scale, mask, f"causal attention ({mask} mask)")


def _attention(Q, K, V, scale, mask, label) -> Formula:
    scale = default_scale(Q.cols, scale)
    term = MaskedSoftmax(MatScale(scale, Q @ K.T), mask) @ V
    return Formula(label, term.rows, term.cols, lambda i, j: Entry(term, i, j))


def cross_attention(Q: MatInput, K: MatInput, V: MatInput, *, scale=None, mask: str = "none") -> Formula:
    """Decoder queries (T rows) attend to encoder keys and values (S rows): softmax(scale·QKᵀ)V.

    `mask` is normally "none"; "inclusive" puts a (wrong) causal mask j <= t over encoder slots."""
    if mask not in MASKS:
        raise ClaimError(f"unknown mask {mask!r}; expected one of {', '.join(MASKS)}", field="mask")
    _check_same(Q.cols, K.cols, "queries and keys must have the same width", "shape")
    _check_same(K.rows, V.rows, "keys and values must have the same number of rows", "shape")
    label = "cross-attention" + ("" if mask == "none" else f" with a {mask} causal mask over encoder slots")
    return _attention(Q, K, V, scale, mask, label)


def sdnc_read(queries: MatInput, keys: MatInput, values: MatInput, *, slots, similarity: str = "dot",
              strength=None, read: str = "after_write", domain: str = "written") -> Formula:
    """The stateless DNC read head over write-once key and value memories.

    Step t writes k_t and v_t to the fresh slot t of two N-slot memories (tied
    address), then (or, with read="before_write", first) reads with query q_t:
    r_t = Σ_{n ∈ D} C(M^K_τ, q_t, β)[n] · M^V_τ[n, :], τ = t (or t-1), over the
    address domain D = written slots 1..τ (domain="written") or all N slots.
    With read="after_all_writes" the memories were written in full (S rows, by an
    encoder) before the first read, τ = S: a read-from memory separate from the
    decoder's own.
    """
    for value, allowed, field in ((similarity, SIMILARITIES, "similarity"), (read, READ_ORDERS, "read"),
                                  (domain, DOMAINS, "domain")):
        if value not in allowed:
            raise ClaimError(f"unknown {field} {value!r}; expected one of {', '.join(allowed)}", field=field)
    _check_same(queries.cols, keys.cols, "queries and keys must have the same width", "shape")
    _check_same(keys.rows, values.rows, "keys and values must be written at the same steps", "shape")
    if read != "after_all_writes":
        _check_same(queries.rows, keys.rows, "one query per written step", "shape")
    slots = sp.sympify(slots)
    beta = default_scale(keys.cols, strength)
    mk, mv = Memory(keys.name, keys, slots), Memory(values.name, values, slots)

    def entry(t, b):
        tau = {"after_write": t, "before_write": t - 1, "after_all_writes": keys.rows}[read]
        hi = tau if domain == "written" else slots
        n = index("n")
        weight = ContentWeight(mk, tau, queries, t, n, beta, similarity, hi)
        return make_sum(weight * MemoryCell(mv, tau, n, b), n, 1, hi)

    label = f"sDNC read ({similarity}, {read.replace('_', ' ')}, {domain} slots)"
    return Formula(label, queries.rows, values.cols, entry, constraints=((keys.rows, slots),))


def dnc_feedback_read(queries: MatInput, keys: MatInput, values: MatInput, feedback: MatInput, *,
                      strength=None) -> Formula:
    """A DNC read head whose controller is *not* stateless: it receives r_{t-1}, which shifts
    the read key to q_t + r_{t-1} U (U: d_v × d). Reads the written slots 1..t after the write."""
    _check_same(queries.cols, keys.cols, "queries and keys must have the same width", "shape")
    _check_same(feedback.rows, values.cols, "the feedback map takes a read vector", "shape")
    _check_same(feedback.cols, keys.cols, "the feedback map gives a read key", "shape")
    beta = default_scale(keys.cols, strength)
    return Formula("DNC read with the previous read fed back to the controller", queries.rows, values.cols,
                 lambda t, b: FeedbackRead(keys, values, queries, feedback, beta, t, b))


def from_index(rows, cols, entry: Callable, *, label: str = "index expression",
               constraints=()) -> Formula:
    """A model given directly by its entry (i, j) as an index expression.

    `entry` runs under `sympy.evaluate(False)` and is rebuilt with symcheck's own nodes, so
    sympy cannot cancel x/x or exp(log x) in it before a rule does (`wellformed.build_entry`)."""
    from .wellformed import build_entry
    return Formula(label, sp.sympify(rows), sp.sympify(cols), lambda i, j: build_entry(entry, i, j),
                 tuple(constraints))
