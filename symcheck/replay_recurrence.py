"""Recurrent state, by the checker's own reading: the claimed closed form and its induction on t.

A recurrence S_0 = init, S_t = F(S_{t-1}, t) may be replaced by its claimed closed form C
only where the induction covers it (0 <= τ <= T, the entry inside the shape), and only once
the certificate holds both obligations as the checker poses them here:

* base: C(0, a, b) = init(a, b) for a, b inside the shape;
* step: C(t, a, b) = F(S_{t-1} := C(t-1)·[inside the shape], t)(a, b) for 1 <= t <= T as well, where
  a state R_t of another recurrence with the same steps, read at exactly t, is one step of its own
  definition, F_R(R_{t-1}, t) inside R's shape (the DeltaNet state over its pseudo-values).

Every name is the certificate's, so an obligation is recognised up to a bijective renaming of
its free variables: an obligation is a universally quantified statement, and renaming its
variables together with its domain states the same thing, provided the names are integer
indices that are neither sizes (the domain speaks of those) nor symbols of the recurrence.
"""

from __future__ import annotations

from itertools import permutations

import sympy as sp

from .index import Iverson
from .nodes.recurrence import Prev, Recurrence, State
from .replay_alpha import alpha_equal, subst

__all__ = ["closed_at", "obligation_variables", "recurrence_obligations", "recurrence_closed_form"]


def closed_at(rec: Recurrence, time, row, col) -> sp.Basic:
    """The claimed closed form C(time, row, col), substituted capture-free (compare modulo α)."""
    return subst(rec.closed.expr, dict(zip(rec.closed.variables, (time, row, col))))


def _inside(rec: Recurrence, x, y) -> sp.Basic:
    rows, cols = rec.shape
    return Iverson(sp.Le(1, x)) * Iverson(sp.Le(x, rows)) * Iverson(sp.Le(1, y)) * Iverson(sp.Le(y, cols))


def _previous(e, rec: Recurrence, time):
    """e with each read S_{t-1}[x, y] of `rec` replaced by C(time - 1, x, y)·[(x, y) inside the shape]. A
    nested recurrence is not entered: a `Prev` there reads that recurrence's own previous state."""
    return _reads(e, rec, lambda p: closed_at(rec, time - 1, p.row, p.col) * _inside(rec, p.row, p.col))


def _unfolded(e, rec: Recurrence, t):
    """e with each state R_t[x, y] of another recurrence R with rec's steps, read at exactly the step's time t,
    replaced by F_R(R_{t-1}, t)[x, y]·[(x, y) inside R's shape]: R's own definition, for 1 <= t <= T."""
    if isinstance(e, State) and e.rec != rec and e.time == t and e.rec.steps == rec.steps:
        r = e.rec
        update = subst(r.update.expr, dict(zip(r.update.variables, (t, e.row, e.col))))
        return _reads(update, r, lambda p: State(r, t - 1, p.row, p.col) * _inside(r, p.row, p.col)) \
            * _inside(r, e.row, e.col)
    if not e.args or isinstance(e, Recurrence):
        return e
    args = [_unfolded(x, rec, t) for x in e.args]
    return e if all(x is y for x, y in zip(args, e.args)) else e.func(*args)


def _reads(e, rec: Recurrence, value):
    """e with each read S_{t-1}[x, y] of `rec` replaced by value(read); nested recurrences are not entered."""
    if isinstance(e, Prev) and e.name == rec.name:
        return value(e)
    if not e.args or isinstance(e, Recurrence):
        return e
    args = [_reads(x, rec, value) for x in e.args]
    return e if all(x is y for x, y in zip(args, e.args)) else e.func(*args)


def _posed(rec: Recurrence, kind: str, t, a, b) -> tuple[frozenset, sp.Basic, sp.Basic]:
    """(domain, lhs, rhs) of the induction base or step of `rec` at the free variables t, a, b."""
    rows, cols = rec.shape
    facts = [(sp.S.One, a), (a, rows), (sp.S.One, b), (b, cols)]
    if kind == "base":
        init = subst(rec.init.expr, dict(zip(rec.init.variables, (a, b))))
        return frozenset(facts), closed_at(rec, sp.S.Zero, a, b), init
    update = subst(rec.update.expr, dict(zip(rec.update.variables, (t, a, b))))
    return frozenset(facts + [(sp.S.One, t), (t, rec.steps)]), _unfolded(closed_at(rec, t, a, b), rec, t), \
        _unfolded(_previous(update, rec, t), rec, t)


def obligation_variables(domain: tuple, sizes: frozenset) -> list | None:
    """The free variables of an obligation's domain other than sizes, in a fixed order; None unless all are
    integer symbols (an obligation quantifies over integer indices only)."""
    variables = sorted({s for pair in domain for s in pair[0].free_symbols | pair[1].free_symbols} - sizes,
                       key=sp.default_sort_key)
    return variables if all(isinstance(v, sp.Symbol) and v.is_integer for v in variables) else None


def recurrence_obligations(recurrences, domain: tuple, lhs, rhs, sizes: frozenset) -> set:
    """{(recurrence, "base" | "step")} that the obligation (domain, lhs, rhs) is, as the checker poses it."""
    variables = obligation_variables(domain, sizes)
    if variables is None:
        return set()
    found = set()
    for rec in recurrences:
        if rec.closed is None or set(variables) & rec.free_symbols:
            continue
        for kind, arity in (("base", 2), ("step", 3)):
            if len(variables) != arity:
                continue
            for order in permutations(variables):
                t, a, b = order if arity == 3 else (None, *order)
                facts, left, right = _posed(rec, kind, t, a, b)
                if facts == frozenset(domain) and alpha_equal(lhs, left) and alpha_equal(rhs, right):
                    found.add((rec, kind))
    return found


def recurrence_closed_form(r, c, site) -> str | None:
    """S_τ[a, b] = C(τ, a, b), for a recurrence with a certified base and step, 0 <= τ <= T and (a, b)
    inside the shape (beyond T the state is clamped and outside the shape it is 0; C says neither)."""
    if not isinstance(r, State) or r.rec.closed is None:
        return "not a recurrent state with a claimed closed form"
    if not alpha_equal(closed_at(r.rec, r.time, r.row, r.col), c):
        return "not the recurrence's claimed closed form C(τ, a, b)"
    if r.rec not in site.unrolled:
        return f"recurrence {r.rec.name} has no certified induction base and step"
    if not (site.le(0, r.time) and site.le(r.time, r.rec.steps)):
        return "the time is not provably within 0..T"
    rows, cols = r.rec.shape
    if not (site.le(1, r.row) and site.le(r.row, rows) and site.le(1, r.col) and site.le(r.col, cols)):
        return "the entry is not provably inside the state's shape"
    return None
