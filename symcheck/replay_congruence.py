"""Congruent recurrences, by the checker's own reading: equal initial values and equal updates.

A state S_τ[a, b] may become S'_τ[a, b] (S and S' two recurrences of the claim with one shape and one
T) only for 0 <= τ <= T and the entry inside the shape, and only once the certificate holds both
obligations as the checker poses them here:

* initial values: init(a, b) = init'(a, b) for a, b inside the shape;
* updates: F(t, a, b) = F'(t, a, b) for 1 <= t <= T as well, where each update's read S_{t-1}[x, y] of
  its own previous state is S'_{t-1}[x, y]·[(x, y) inside the shape]: both read the target's state.

Then S_t = S'_t by induction on t. An obligation is recognised up to a bijective renaming of its free
variables (integer indices that are neither sizes nor symbols of either recurrence). The pair is
usable only after both are certified, so its own obligations can never rely on it.
"""

from __future__ import annotations

from itertools import permutations

import sympy as sp

from .index import Iverson
from .nodes.recurrence import Prev, Recurrence, State
from .replay_alpha import alpha_equal, subst
from .replay_recurrence import obligation_variables

__all__ = ["congruence_obligations", "recurrence_congruence"]


def _read_as(e, rec: Recurrence, into: Recurrence, t):
    """e with each read of `rec`'s previous state at (x, y) replaced by S'_{t-1}[x, y]·[(x, y) inside]. A
    nested recurrence is not entered: a `Prev` there reads that recurrence's own previous state."""
    if isinstance(e, Prev) and e.name == rec.name:
        rows, cols = rec.shape
        inside = Iverson(sp.Le(1, e.row)) * Iverson(sp.Le(e.row, rows)) * Iverson(sp.Le(1, e.col)) \
            * Iverson(sp.Le(e.col, cols))
        return State(into, t - 1, e.row, e.col) * inside
    if not e.args or isinstance(e, Recurrence):
        return e
    args = [_read_as(a, rec, into, t) for a in e.args]
    return e if all(x is y for x, y in zip(args, e.args)) else e.func(*args)


def _posed(source: Recurrence, into: Recurrence, kind: str, t, a, b) -> tuple[frozenset, sp.Basic, sp.Basic]:
    """(domain, lhs, rhs) of the obligation `kind` of the pair at the free variables t, a, b."""
    rows, cols = source.shape
    facts = [(sp.S.One, a), (a, rows), (sp.S.One, b), (b, cols)]
    if kind == "init":
        left, right = (subst(r.init.expr, dict(zip(r.init.variables, (a, b)))) for r in (source, into))
        return frozenset(facts), left, right
    left, right = (_read_as(subst(r.update.expr, dict(zip(r.update.variables, (t, a, b)))), r, into, t)
                   for r in (source, into))
    return frozenset(facts + [(sp.S.One, t), (t, source.steps)]), left, right


def _pairs(recurrences):
    return [(x, y) for x in recurrences for y in recurrences
            if x != y and tuple(x.shape) == tuple(y.shape) and x.steps == y.steps]


def congruence_obligations(recurrences, domain: tuple, lhs, rhs, sizes: frozenset) -> set:
    """{((source, target), "init" | "update")} that the obligation (domain, lhs, rhs) is, as posed here."""
    variables = obligation_variables(domain, sizes)
    if variables is None:
        return set()
    found = set()
    for source, into in _pairs(recurrences):
        if set(variables) & (source.free_symbols | into.free_symbols):
            continue
        for kind, arity in (("init", 2), ("update", 3)):
            if len(variables) != arity:
                continue
            for order in permutations(variables):
                t, a, b = order if arity == 3 else (None, *order)
                facts, left, right = _posed(source, into, kind, t, a, b)
                if facts == frozenset(domain) and alpha_equal(lhs, left) and alpha_equal(rhs, right):
                    found.add(((source, into), kind))
    return found


def recurrence_congruence(r, c, site) -> str | None:
    """S_τ[a, b] = S'_τ[a, b] for a certified pair (S, S'), 0 <= τ <= T and (a, b) inside the shape."""
    if not isinstance(r, State) or not isinstance(c, State) or r.args[1:] != c.args[1:]:
        return "not a state rewritten to another recurrence's state at the same time and entry"
    if (r.rec, c.rec) not in site.congruent:
        return f"the states {r.rec.name} and {c.rec.name} have no certified equal initial values and updates"
    if not (site.le(0, r.time) and site.le(r.time, r.rec.steps)):
        return "the time is not provably within 0..T"
    rows, cols = r.rec.shape
    if not (site.le(1, r.row) and site.le(r.row, rows) and site.le(1, r.col) and site.le(r.col, cols)):
        return "the entry is not provably inside the state's shape"
    return None
