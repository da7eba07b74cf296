"""Recurrent models: a state updated step by step, S_t = F(S_{t-1}, t), and its read-out.

`recurrence(...)` states the update in the model's own terms (the fast-weight update
W_t = W_{t-1} + v_t φ(k_t)ᵀ is `lambda prev, t, a, b: prev(a, b) + V[t, a] * K[t, b]`).
A closed form C(t) is what lets a proof replace S_t: the author may claim one, or, for a
linear update S_t[a, b] = g(t, a, b) S_{t-1}[a, b] + X(t, a, b) from S_0 = 0 (a decay gate g,
1 for fast weights), symcheck derives C(t) = Σ_{s=1}^{t} (Π_{r=s+1}^{t} g_r) X_s. Either way
it is only a claim until the rule `recurrence-closed-form` proves it by induction on t
(base C(0) = S_0, step C(t) = F(C(t-1), t)). Two recurrences without closed forms meet by
`recurrence-congruence` instead (equal inits, equal updates).
"""

from __future__ import annotations

from typing import Callable

import sympy as sp

from .binders import fresh, names_in, subst
from .errors import ClaimError
from .index import Prod, index, make_sum
from .nodes.recurrence import Prev, Recurrence, State
from .wellformed import build_at

__all__ = ["recurrence", "state", "derived_closed_form", "Recurrence", "State"]


def recurrence(name: str, shape: tuple, steps, update: Callable, *, init: Callable | int = 0,
               closed_form: Callable | None = None) -> Recurrence:
    """The states S_0..S_steps (`shape` = (rows, cols)) of S_t[a, b] = update(prev, t, a, b), where
    prev(x, y) is S_{t-1}[x, y], from S_0[a, b] = init(a, b) (or a number). `closed_form(t, a, b)`
    is a claimed S_t[a, b]; without one, a linear update from 0 gets its derived form (`derived_closed_form`)."""
    if len(shape) != 2:
        raise ClaimError(f"the state {name} must be a matrix (rows, cols), got shape {shape}", field="shape")
    shape = sp.Tuple(*map(sp.sympify, shape))
    t, a, b = index("t_step"), index("a_row"), index("b_col")     # bound names a user rarely picks
    prev = lambda x, y: Prev(name, shape, x, y)        # noqa: E731
    init_fn = init if callable(init) else (lambda a, b, v=init: v)
    start = sp.Lambda((a, b), build_at(init_fn, (a, b), "init"))
    step = sp.Lambda((t, a, b), build_at(lambda t, a, b: update(prev, t, a, b), (t, a, b), "update"))
    if closed_form is not None:
        closed = sp.Lambda((t, a, b), build_at(closed_form, (t, a, b), "closed_form"))
    else:
        closed = derived_closed_form(name, shape, start, step)
    return Recurrence(name, shape, steps, start, step, closed)


def derived_closed_form(name: str, shape, init: sp.Lambda, update: sp.Lambda) -> sp.Lambda | None:
    """C(t, a, b) = Σ_{s=1}^{t} (Π_{r=s+1}^{t} g(r, a, b)) X(s, a, b) for S_t[a, b] = g(t, a, b) S_{t-1}[a, b]
    + X(t, a, b) from S_0 = 0, else None; Σ_{s=1}^{t} X(s, a, b) when g = 1. The update must read the
    previous state once, at its own entry, as a factor: g and X read no state (a gate that reads it, or
    a read of another entry, is not a linear recurrence of this form). Only a claim: the rule proves it."""
    t, a, b = update.variables
    if init.expr != 0:
        return None
    own = Prev(name, shape, a, b)
    terms = sp.Add.make_args(update.expr)
    reads = [x for x in terms if x.atoms(Prev)]
    if len(reads) != 1 or sp.Mul.make_args(reads[0]).count(own) != 1:
        return None
    gate = sp.Mul(*(f for f in sp.Mul.make_args(reads[0]) if f != own))
    increment = sp.Add(*(x for x in terms if x is not reads[0]))
    if gate.atoms(Prev) or increment.atoms(Prev):
        return None
    taken = names_in(update.expr) | {t.name, a.name, b.name}
    s = fresh(taken, "s")
    term = subst(increment, {t: s})
    if gate != 1:
        r = fresh(taken | {s.name}, "r")
        term = Prod(subst(gate, {t: r}), r, s + 1, t) * term
    return sp.Lambda((t, a, b), make_sum(term, s, 1, t))


def state(rec: Recurrence, time, row, col) -> State:
    """S_time[row, col]."""
    return State(rec, time, row, col)
