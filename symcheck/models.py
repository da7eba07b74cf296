"""Model constructors: the architectures, stated in their own vocabulary.

Each builds a `Formula` (`ir.py`): a symbolic matrix-valued function of input
matrices, with a shape (rows × cols) and the definition of its entry (i, j).
Constructors check shapes and options and say which size constraints they need
(e.g. a write-once memory needs N >= T fresh slots).
"""

from __future__ import annotations

import dataclasses
from typing import Callable

import sympy as sp

from .errors import ClaimError
from .heads import default_scale, softmax_read
from .index import Entry, Iverson, index, make_sum
from .ir import Formula, Model
from .matrix import MASKS, MaskedSoftmax, MatInput, MatScale, mask_guard
from .memory import SIMILARITIES, ContentWeight, FeedbackRead, Memory, MemoryCell, Rows, similarity as content_similarity
from .model_ops import Computed
from .slot_memory import mapped_read, read_domain, slot_map

__all__ = ["causal_attention", "cross_attention", "sdnc_read", "dnc_feedback_read", "from_index", "rows_of",
           "band_guard"]

READ_ORDERS = ("after_write", "before_write", "after_all_writes")
DOMAINS = ("written", "all")


def _check_same(a, b, what: str, field: str):
    if sp.expand(sp.sympify(a) - sp.sympify(b)) != 0:
        raise ClaimError(f"{what}: {a} vs {b}", field=field)


def causal_attention(Q, K, V, *, scale=None, mask: str = "inclusive", window=None, sinks=None,
                     bias: Callable | None = None) -> Formula:
    """softmax(scale · Q Kᵀ + log M) V with M the causal mask (`inclusive`, `strict`, `none`).

    `scale` defaults to 1/sqrt(d) for d the key width. Variants: `window=W` keeps the keys in
    (t − W, t] (sliding-window attention), `sinks=s` also keeps the first s keys (StreamingLLM's
    attention sinks), `bias=lambda t, j: ...` adds a score bias b_tj. Q, K and V may be input
    matrices or any model (its output rows are the queries, keys or values)."""
    if mask not in MASKS:
        raise ClaimError(f"unknown mask {mask!r}; expected one of {', '.join(MASKS)}", field="mask")
    for field, x in (("Q", Q), ("K", K), ("V", V)):
        rows_of(x, field)
    _check_same(Q.cols, K.cols, "queries and keys must have the same width", "shape")
    _check_same(K.rows, V.rows, "keys and values must have the same number of rows", "shape")
    if mask != "none":
        _check_same(Q.rows, K.rows, "a causal mask needs as many queries as keys", "shape")
    if sinks is not None and window is None:
        raise ClaimError("sinks= keeps the first keys beside a window: give window= too", field="sinks")
    if window is None and bias is None and all(isinstance(x, MatInput) for x in (Q, K, V)):
        return _attention(Q, K, V, scale, mask, f"causal attention ({mask} mask)")
    return _index_attention(Q, K, V, scale, mask, window, sinks, bias)


def rows_of(x, field: str) -> Callable:
    """(i, j) -> entry (i, j) of an input matrix or of any model's output (inlined)."""
    if isinstance(x, MatInput):
        return lambda i, j: x[i, j]
    if isinstance(x, Model):
        x = Computed(x)
    if isinstance(x, Computed):
        return lambda i, j: x[i, j]
    raise ClaimError(f"rows must be an input matrix or a model, got {type(x).__name__}", field=field)


def band_guard(t, j, window, sinks) -> sp.Expr:
    """[t − W < j] for a window of W keys, or [j <= s ∨ t − W < j] with s sinks; 1 without a window."""
    if window is None:
        return sp.S.One
    band = sp.Ge(j, t - sp.sympify(window) + 1)
    return Iverson(band if sinks is None else sp.Or(sp.Le(j, sp.sympify(sinks)), band))


def _index_attention(Q, K, V, scale, mask, window, sinks, bias) -> Formula:
    """The attention of `causal_attention` written at the index level, for computed rows and the
    variants (window, sinks, bias) that the matrix-level term has no notation for."""
    from .wellformed import build_at
    q, k, v = rows_of(Q, "Q"), rows_of(K, "K"), rows_of(V, "V")
    scale, width = default_scale(Q.cols, scale), Q.cols

    def entry(t, c):
        a = index("a_key")
        extra = (lambda j: build_at(bias, (t, j), "bias")) if bias is not None else (lambda j: 0)
        score = lambda j: scale * make_sum(q(t, a) * k(j, a), a, 1, width) + extra(j)       # noqa: E731
        guard = lambda j: mask_guard(mask, t, j) * band_guard(t, j, window, sinks)          # noqa: E731
        return softmax_read(score, lambda j: v(j, c), 1, K.rows, guard)

    parts = [f"{mask} mask"] + [f"{n}={x}" for n, x in (("window", window), ("sinks", sinks)) if x is not None]
    label = "causal attention (" + ", ".join(parts + (["score bias"] if bias is not None else [])) + ")"
    return Formula(label, Q.rows, V.cols, entry)


def _attention(Q, K, V, scale, mask, label) -> Formula:
    scale = default_scale(Q.cols, scale)
    term = MaskedSoftmax(MatScale(scale, Q @ K.T), mask) @ V
    return Formula(label, term.rows, term.cols, lambda i, j: Entry(term, i, j))


def cross_attention(Q, K, V, *, scale=None, mask: str = "none") -> Formula:
    """Decoder queries (T rows) attend to encoder keys and values (S rows): softmax(scale·QKᵀ)V.

    `mask` is normally "none"; "inclusive" puts a (wrong) causal mask j <= t over encoder slots.
    Q, K and V may be input matrices or any model (an encoder's output as the memory rows)."""
    if mask not in MASKS:
        raise ClaimError(f"unknown mask {mask!r}; expected one of {', '.join(MASKS)}", field="mask")
    _check_same(Q.cols, K.cols, "queries and keys must have the same width", "shape")
    _check_same(K.rows, V.rows, "keys and values must have the same number of rows", "shape")
    label = "cross-attention" + ("" if mask == "none" else f" with a {mask} causal mask over encoder slots")
    if not any(isinstance(x, Model) for x in (Q, K, V)):          # matrix-level terms (Kᵀ ...): the matrix form
        return _attention(Q, K, V, scale, mask, label)
    for field, x in (("Q", Q), ("K", K), ("V", V)):
        rows_of(x, field)
    return dataclasses.replace(_index_attention(Q, K, V, scale, mask, None, None, None), label=label + " on computed rows")


def sdnc_read(queries: MatInput, keys: MatInput, values: MatInput, *, slots, similarity: str = "dot",
              strength=None, read: str = "after_write", domain: str | Callable = "written", slot: Callable | None = None,
              erase: bool = False) -> Formula:
    """The stateless DNC read head over write-once key and value memories.

    Step t writes k_t and v_t to the fresh slot t of two N-slot memories (tied
    address), then (or, with read="before_write", first) reads with query q_t:
    r_t = Σ_{n ∈ D} C(M^K_τ, q_t, β)[n] · M^V_τ[n, :], τ = t (or t-1), over the
    address domain D = written slots (domain="written"), all N slots ("all"), or
    the slots n with domain(t, n) true (a function, e.g. `lambda t, n: n <= t`).
    With read="after_all_writes" the memories were written in full (S rows, by an
    encoder) before the first read, τ = S: a read-from memory separate from the
    decoder's own. `slot=lambda t: ...` writes step t to that slot instead of slot t
    (a write outside 1..N is lost; state N's relation to T with the claim's `where=`),
    and `erase=True` clears a slot before it is written (`slot_memory`).
    """
    for value, allowed, field in ((similarity, SIMILARITIES, "similarity"), (read, READ_ORDERS, "read"),
                                  (domain, DOMAINS, "domain")):
        if value not in allowed and not (field == "domain" and callable(value)):
            raise ClaimError(f"unknown {field} {value!r}; expected one of {', '.join(allowed)}"
                             + (" or a function (t, n) -> condition" if field == "domain" else ""), field=field)
    _check_same(queries.cols, keys.cols, "queries and keys must have the same width", "shape")
    _check_same(keys.rows, values.rows, "keys and values must be written at the same steps", "shape")
    if read != "after_all_writes":
        _check_same(queries.rows, keys.rows, "one query per written step", "shape")
    slots = sp.sympify(slots)
    beta = default_scale(keys.cols, strength)
    if slot is not None or erase or callable(domain):
        return _mapped_read(queries, keys, values, slots, beta, similarity, read, domain, slot, bool(erase))
    if not all(isinstance(x, MatInput) for x in (queries, keys, values)):
        return _computed_read(queries, keys, values, slots, beta, similarity, read, domain)
    mk, mv = Memory(keys.name, keys, slots), Memory(values.name, values, slots)

    def entry(t, b):
        tau = _tau(read, t, keys)
        hi = tau if domain == "written" else slots
        n = index("n")
        weight = ContentWeight(mk, tau, queries, t, n, beta, similarity, hi)
        return make_sum(weight * MemoryCell(mv, tau, n, b), n, 1, hi)

    label = f"sDNC read ({similarity}, {read.replace('_', ' ')}, {domain} slots)"
    return Formula(label, queries.rows, values.cols, entry, constraints=((keys.rows, slots),))


def _mapped_read(queries, keys, values, slots, beta, similarity: str, read: str, domain, slot, erase: bool) -> Formula:
    """`sdnc_read` with a slot map, a read domain given as a function, or an erase: the memories written
    out at the index level (`slot_memory`)."""
    sigma = slot_map(slot)
    q, k, v = rows_of(queries, "queries"), rows_of(keys, "keys"), rows_of(values, "values")

    def entry(t, b):
        tau = _tau(read, t, keys)
        return mapped_read(q, k, v, t, b, width=keys.cols, slots=slots, tau=tau, beta=beta, similarity=similarity,
                           sigma=sigma, domain=read_domain(domain, sigma, tau), erase=erase)

    parts = [similarity, read.replace("_", " "), "slot map" if slot is not None else "fresh slots",
             f"{domain} slots" if isinstance(domain, str) else "read domain"] + (["erase"] if erase else [])
    constraints = ((keys.rows, slots),) if slot is None else ()      # fresh slots need N >= T
    return Formula(f"sDNC read ({', '.join(parts)})", queries.rows, values.cols, entry, constraints=constraints)


def _tau(read: str, t, keys):
    """The number of writes before step t's read."""
    return {"after_write": t, "before_write": t - 1, "after_all_writes": keys.rows}[read]


def _computed_read(queries, keys, values, slots, beta, similarity: str, read: str, domain: str) -> Formula:
    """`sdnc_read` on computed rows (any model's output): the memories hold `Rows`, and the content
    read C(M_τ, q_t, β) is written out as the softmax of its similarities (as a layer's read heads are)."""
    q = rows_of(queries, "queries")
    s, e = index("s"), index("e")
    mk, mv = (Memory(f"M_{role}", Rows(f"M_{role}", (s, e), rows_of(x, role)(s, e), (x.rows, x.cols)), slots)
              for role, x in (("K", keys), ("V", values)))

    def entry(t, b):
        tau = _tau(read, t, keys)
        a = index("a_key")
        dot = lambda n: make_sum(q(t, a) * MemoryCell(mk, tau, n, a), a, 1, keys.cols)        # noqa: E731
        norms = lambda n: (make_sum(q(t, a) ** 2, a, 1, keys.cols),                            # noqa: E731
                           make_sum(MemoryCell(mk, tau, n, a) ** 2, a, 1, keys.cols))
        score = lambda n: beta * content_similarity(similarity, dot(n), *norms(n))             # noqa: E731
        return softmax_read(score, lambda n: MemoryCell(mv, tau, n, b), 1, tau if domain == "written" else slots)

    label = f"sDNC read on computed rows ({similarity}, {read.replace('_', ' ')}, {domain} slots)"
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
