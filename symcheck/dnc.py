"""The DNC's memory operations (Graves et al. 2016), as entry functions and recurrences.

Each operation is written in the DNC's own terms, entry by entry, following google-deepmind/dnc
(`access.py`, `addressing.py`): the write weighting w^w = g^w (g^a a + (1 − g^a) c^w), erase and
write with several write heads (the erases combined by a product over heads, the writes added),
usage, allocation, precedence, the temporal link matrix and the directional read weights. Gates,
free gates and the allocation's ε are explicit parameters, so an idealised DNC (g^w = g^a = 1,
free gates 0, ε = 0) is a substitution, not another model.

What is modelled of allocation: the code sorts the slots by usage and gives slot φ[j] the weight
(1 − u[φ[j]]) Π_{i<j} u[φ[i]]. `allocation` is that product *in slot order*,
(1 − û[i]) Π_{k<i} û[k] with û = ε + (1 − ε) u. For a binary usage vector it is exactly the sorted
allocation for every ε (free slots, at û = ε, sort before used ones, at 1, and among themselves in
slot order), provided the sort breaks ties by slot order (a stable sort; `tf.nn.top_k`'s tie order
is implementation-defined). For usage strictly between 0 and 1 it is *not* the sorted allocation:
sorting is not modelled symbolically.

A DNC whose write weighting mixes allocation with content-based writing couples usage and memory
(u_t reads w_{t−1}, which reads M_{t−2}, and M_t reads u_t): that needs one joint state, which
the recurrence model, one matrix per state, does not provide here. The models below cover the
allocation-driven DNC (usage from its own allocations) and memories written with given or
content-based weightings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import sympy as sp

from .errors import ClaimError
from .index import Iverson, Prod, index, make_sum, reciprocal
from .nodes.recurrence import Recurrence
from .recurrent import recurrence, state

__all__ = ["WriteHead", "COMBINES", "ORDERS", "write_weighting", "content_weighting", "retention", "erase_write", "memory", "usage_after_write",
           "allocation", "usage", "allocation_weights", "precedence", "link", "forward_weights", "backward_weights", "content_read"]

COMBINES = ("product", "sum")          # how the erases of several write heads combine (the code: product)
ORDERS = ("erase_first", "add_first")  # erase then add (the code), or add then erase


@dataclass(frozen=True)
class WriteHead:
    """One write head: its weighting w_t[i] as a function of (prev, t, i), prev(x, y) = M_{t−1}[x, y] (content-based
    writing reads the old memory), and its erase vector e_t[b] and write vector a_t[b] as functions of (t, b)."""

    weight: Callable
    erase: Callable
    write: Callable


def _gate(g, t) -> sp.Expr:
    """A gate given as a number, an expression, or a function of the step."""
    return sp.sympify(g(t) if callable(g) else g)


def write_weighting(allocation: Callable, content: Callable, *, write_gate=1, allocation_gate=1) -> Callable:
    """(prev, t, i) -> w^w_t[i] = g^w_t (g^a_t a_t[i] + (1 − g^a_t) c^w_t[i]) (`access.py` `_write_weights`), from
    weightings of (prev, t, i). The gates are numbers or functions of t: g^a = 1 writes by allocation only,
    g^a = 0 by content only."""
    def weight(prev, t, i):
        ga = _gate(allocation_gate, t)
        return _gate(write_gate, t) * (ga * allocation(prev, t, i) + (1 - ga) * content(prev, t, i))
    return weight


def content_weighting(keys, *, slots, width, strength=1) -> Callable:
    """(prev, t, i) -> c^w_t[i] = softmax_i(β k^w_t · M_{t−1}[i, :]) over all slots: the write key matched
    against the *old* memory (dot-product similarity; the DNC's cosine differs only by row norms)."""
    def weight(prev, t, i):
        c, n = index("c"), index("n")
        score = lambda x: sp.exp(strength * make_sum(keys[t, c] * prev(x, c), c, 1, width))     # noqa: E731
        return score(i) * reciprocal(make_sum(score(n), n, 1, slots))
    return weight


def _check_choice(value: str, allowed: tuple, field: str):
    if value not in allowed:
        raise ClaimError(f"unknown {field} {value!r}; expected one of {', '.join(allowed)}", field=field)


def retention(prev, heads: Sequence[WriteHead], t, i, b, combine: str = "product") -> sp.Expr:
    """What the erases keep of M[i, b]: Π_h (1 − w^h_t[i] e^h_t[b]) (the code's `reset_weights`), or with
    combine="sum" the (wrong) 1 − Σ_h w^h_t[i] e^h_t[b]."""
    _check_choice(combine, COMBINES, "combine")
    erases = [h.weight(prev, t, i) * h.erase(t, b) for h in heads]
    return sp.Mul(*(1 - x for x in erases)) if combine == "product" else 1 - sp.Add(*erases)


def erase_write(prev, heads: Sequence[WriteHead], t, i, b, *, combine: str = "product",
                order: str = "erase_first") -> sp.Expr:
    """M_t[i, b] from M_{t−1} (prev(x, y) = M_{t−1}[x, y]): M_{t−1}[i, b] ret + Σ_h w^h_t[i] a^h_t[b] (erase, then
    add), or with order="add_first" (M_{t−1}[i, b] + Σ_h w^h_t[i] a^h_t[b]) ret."""
    _check_choice(order, ORDERS, "order")
    if not heads:
        raise ClaimError("a memory needs at least one write head", field="heads")
    keep = retention(prev, heads, t, i, b, combine)
    added = sp.Add(*(h.weight(prev, t, i) * h.write(t, b) for h in heads))
    return prev(i, b) * keep + added if order == "erase_first" else (prev(i, b) + added) * keep


def memory(heads: Sequence[WriteHead], *, slots, width, steps, combine: str = "product", order: str = "erase_first",
           closed_form: Callable | None = None, name: str = "M") -> Recurrence:
    """The memory M_t (slots × width) from M_0 = 0, written by `erase_write` at every step; a head's
    weight may be any function of (t, i), e.g. `allocation_weights` of a usage state."""
    return recurrence(name, (slots, width), steps,
                      lambda prev, t, i, b: erase_write(prev, heads, t, i, b, combine=combine, order=order),
                      closed_form=closed_form)


def usage_after_write(u, weights: Sequence) -> sp.Expr:
    """u + w − u w with w = 1 − Π_h (1 − w^h) the heads' aggregate write (`_usage_after_write`)."""
    w = 1 - sp.Mul(*(1 - x for x in weights))
    return u + w - u * w


def allocation(used: Callable, i, *, eps=0) -> sp.Expr:
    """a[i] = (1 − û_i) Π_{k=1}^{i−1} û_k, û = ε + (1 − ε) u (`used(k)` = u[k]): the sorted allocation for a
    binary usage vector and a stable sort (see the module's docstring)."""
    k = index("k")
    eps = sp.sympify(eps)
    hat = lambda x: eps + (1 - eps) * x if eps != 0 else x      # noqa: E731
    return (1 - hat(used(i))) * Prod(hat(used(k)), k, 1, i - 1)


def usage(*, slots, steps, write_gate=1, eps=0, free: Sequence[tuple[Callable, Callable]] = (),
          closed_form: Callable | None = None, name: str = "u") -> Recurrence:
    """The usage u_t (slots × 1) of a DNC with one write head writing by allocation only, w_t = g^w_t a_t:
    u_t = (u_{t−1} + w_{t−1} − u_{t−1} ∘ w_{t−1}) ∘ ψ_t from u_0 = 0, w_0 = 0 and w_{t−1} = g^w a(u_{t−1}),
    with the retention ψ_t[i] = Π_r (1 − f^r_t w^{r}_{t−1}[i]) over the read heads `free` = ((f, w^r), ...),
    f(t) the free gate and w^r(t, i) the previous read weighting w^r_{t−1}[i]."""
    def update(prev, t, i, _):
        written = Iverson(sp.Le(2, t)) * _gate(write_gate, t - 1) * allocation(lambda k: prev(k, 1), i, eps=eps)
        psi = sp.Mul(*(1 - f(t) * w(t, i) for f, w in free))
        return usage_after_write(prev(i, 1), (written,)) * psi
    return recurrence(name, (slots, 1), steps, update, closed_form=closed_form)


def allocation_weights(u: Recurrence, *, write_gate=1, eps=0) -> Callable:
    """(prev, t, i) -> w_t[i] = g^w_t a_t[i], the allocation from the usage u_t (a write head's weighting)."""
    return lambda prev, t, i: _gate(write_gate, t) * allocation(lambda k: state(u, t, k, 1), i, eps=eps)


def precedence(weight: Callable, *, slots, steps, closed_form: Callable | None = None, name: str = "p") -> Recurrence:
    """p_t = (1 − Σ_i w_t[i]) p_{t−1} + w_t (slots × 1) from p_0 = 0 (`_precedence_weights`)."""
    def update(prev, t, i, _):
        j = index("j")
        return (1 - make_sum(weight(t, j), j, 1, slots)) * prev(i, 1) + weight(t, i)
    return recurrence(name, (slots, 1), steps, update, closed_form=closed_form)


def link(weight: Callable, p: Recurrence, *, slots, steps, closed_form: Callable | None = None,
         name: str = "L") -> Recurrence:
    """L_t[i, j] = (1 − [i = j]) ((1 − w_t[i] − w_t[j]) L_{t−1}[i, j] + w_t[i] p_{t−1}[j]) from L_0 = 0
    (slots × slots; `_link`, whose `set_diag(…, 0)` is the factor 1 − [i = j])."""
    def update(prev, t, i, j):
        off = 1 - Iverson(sp.Eq(i, j))
        return off * ((1 - weight(t, i) - weight(t, j)) * prev(i, j) + weight(t, i) * state(p, t - 1, j, 1))
    return recurrence(name, (slots, slots), steps, update, closed_form=closed_form)


def forward_weights(L: Recurrence, read: Callable) -> Callable:
    """(t, i) -> f_t[i] = Σ_j L_t[i, j] w^r_{t−1}[j], `read(t, j)` = w^r_{t−1}[j] (`directional_read_weights`)."""
    def f(t, i):
        j = index("j")
        return make_sum(state(L, t, i, j) * read(t, j), j, 1, L.shape[1])
    return f


def backward_weights(L: Recurrence, read: Callable) -> Callable:
    """(t, i) -> b_t[i] = Σ_j L_t[j, i] w^r_{t−1}[j]: the transposed link."""
    def b(t, i):
        j = index("j")
        return make_sum(state(L, t, j, i) * read(t, j), j, 1, L.shape[0])
    return b


def content_read(M: Recurrence, keys, *, slots: Callable = lambda t: t, label: str = "DNC content read of M_t"):
    """r_t = Σ_{i<=slots(t)} softmax_i(k^r_t · M_t[i, :]) M_t[i, :] (T × width): a read head in content mode only
    (strength 1, dot-product similarity) over the slots 1..slots(t); the default, the written slots 1..t, is the
    sDNC's read domain, slots=lambda t: N the DNC's (empty slots then act as an attention sink)."""
    from .models import from_index
    _, width = M.shape
    i, c = index("i"), index("c")
    score = lambda t, i: sp.exp(make_sum(keys[t, c] * state(M, t, i, c), c, 1, width))      # noqa: E731
    return from_index(keys.rows, width, lambda t, b: make_sum(score(t, i) * state(M, t, i, b), i, 1, slots(t))
                      * reciprocal(make_sum(score(t, i), i, 1, slots(t))), label=label)
