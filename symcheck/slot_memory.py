"""The sDNC memory written through a slot map, with an optional erase, at the index level.

Step s writes row x_s to slot σ(s) (a write to a slot outside 1..N is lost); with erase the slot is
cleared first, as the DNC's erase vector e = 1 does: M_s = (1 − w_s 1ᵀ) ∘ M_{s−1} + w_s x_sᵀ with
w_s = e_{σ(s)}. Unrolled, slot n after τ writes holds

    M_τ[n, a] = Σ_{s=1}^{τ} [σ(s) = n] · x_s[a]                                 (additive writes)
    M_τ[n, a] = Σ_{s=1}^{τ} [σ(s) = n] · Π_{u=s+1}^{τ} (1 − [σ(u) = n]) · x_s[a]  (erase: the last write wins)

Written as sums and brackets, the existing sum and guard rules (and their replay checks) prove what
follows from an affine slot map; no memory node and no new rule is needed. The fresh-slot memory
without options stays `memory.Memory`, whose proofs unroll it by induction.
"""

from __future__ import annotations

from typing import Callable

import sympy as sp

from .affine import affine
from .errors import ClaimError
from .heads import softmax_read
from .index import Iverson, Prod, index, make_sum
from .memory import similarity as content_similarity
from .wellformed import build_at

__all__ = ["slot_map", "written_guard", "read_domain", "mapped_read"]

Rows = Callable[[sp.Expr, sp.Expr], sp.Expr]      # (row, column) -> entry


def slot_map(slot: Callable | None) -> Callable[[sp.Expr], sp.Expr]:
    """s -> σ(s): the user's map, built safely at s (identity, the fresh slot s, when None); a sum of the user's
    over an index named like a symbol of s is renamed apart, not made to bind it (`build_at`)."""
    if slot is None:
        return lambda s: s
    if not callable(slot):
        raise ClaimError(f"slot= takes a function of the step, e.g. slot=lambda t: T + 1 - t; got {slot!r}",
                         field="slot")
    return lambda s: build_at(slot, (s,), "slot")


def _cell(x: Rows, sigma, tau, n, a, erase: bool) -> sp.Expr:
    s, u = index("s"), index("u")
    kept = Prod(1 - Iverson(sp.Eq(sigma(u), n)), u, s + 1, tau) if erase else sp.S.One
    return make_sum(Iverson(sp.Eq(sigma(s), n)) * kept * x(s, a), s, 1, tau)


def written_guard(sigma, tau, n) -> sp.Expr:
    """[slot n was written by step τ]. For σ(s) = ±s + c the written slots are an interval (an empty one
    for τ = 0); for any other map, 1 − Π_{s=1}^{τ} (1 − [σ(s) = n])."""
    s = index("s")
    form = affine(sigma(s))
    step = dict(form[0]).get(s.name) if form is not None else None
    if step == 1:
        return Iverson(sp.Le(sigma(1), n)) * Iverson(sp.Le(n, sigma(tau)))
    if step == -1:
        return Iverson(sp.Le(sigma(tau), n)) * Iverson(sp.Le(n, sigma(1)))
    return 1 - Prod(1 - Iverson(sp.Eq(sigma(s), n)), s, 1, tau)


def read_domain(domain, sigma, tau) -> Callable[[sp.Expr, sp.Expr], sp.Expr]:
    """(t, n) -> [the read at t may address slot n]: the slots written by τ, all N, or the user's condition."""
    if domain == "written":
        return lambda t, n: written_guard(sigma, tau, n)
    if domain == "all":
        return lambda t, n: sp.S.One
    return lambda t, n: Iverson(build_at(domain, (t, n), "domain"))


def mapped_read(q: Rows, k: Rows, v: Rows, t, c, *, width, slots, tau, beta, similarity: str,
                sigma, domain, erase: bool) -> sp.Expr:
    """r_t[c] = Σ_{n=1}^{N} [n ∈ D_t] softmax_n(β · sim(q_t, M^K_τ[n])) M^V_τ[n, c], the memories written
    through σ; `domain(t, n)` is the bracket of the slots the read at t may address."""
    a = index("a_key")
    key = lambda n, e: _cell(k, sigma, tau, n, e, erase)                                  # noqa: E731
    dot = lambda n: make_sum(q(t, a) * key(n, a), a, 1, width)                           # noqa: E731
    norms = lambda n: (make_sum(q(t, a) ** 2, a, 1, width), make_sum(key(n, a) ** 2, a, 1, width))  # noqa: E731
    score = lambda n: beta * (dot(n) if similarity == "dot" else content_similarity(similarity, dot(n), *norms(n)))
    return softmax_read(score, lambda n: _cell(v, sigma, tau, n, c, erase), 1, slots, lambda n: domain(t, n))
