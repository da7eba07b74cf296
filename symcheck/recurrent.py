"""Recurrent models: a state updated step by step, S_t = F(S_{t-1}, t), and its read-out.

`recurrence(...)` states the update in the model's own terms (the fast-weight update
W_t = W_{t-1} + v_t φ(k_t)ᵀ is `lambda prev, t, a, b: prev(a, b) + V[t, a] * K[t, b]`).
A closed form C(t) is what lets a proof replace S_t: the author may claim one, or, for an
additive update S_t = S_{t-1} + X_t from S_0 = 0, symcheck derives C(t) = Σ_{s=1}^{t} X_s.
Either way it is only a claim until the rule `recurrence-closed-form` proves it by
induction on t (base C(0) = S_0, step C(t) = F(C(t-1), t)).
"""

from __future__ import annotations

from typing import Callable

import sympy as sp

from .binders import fresh, subst
from .errors import ClaimError
from .index import index, make_sum
from .nodes.recurrence import Prev, Recurrence, State
from .wellformed import build

__all__ = ["recurrence", "state", "additive_closed_form", "Recurrence", "State"]


def recurrence(name: str, shape: tuple, steps, update: Callable, *, init: Callable | int = 0,
               closed_form: Callable | None = None) -> Recurrence:
    """The states S_0..S_steps (`shape` = (rows, cols)) of S_t[a, b] = update(prev, t, a, b), where
    prev(x, y) is S_{t-1}[x, y], from S_0[a, b] = init(a, b) (or a number). `closed_form(t, a, b)`
    is a claimed S_t[a, b]; without one, an additive update from 0 gets Σ_{s<=t} of its increment."""
    if len(shape) != 2:
        raise ClaimError(f"the state {name} must be a matrix (rows, cols), got shape {shape}", field="shape")
    shape = sp.Tuple(*map(sp.sympify, shape))
    t, a, b = index("t_step"), index("a_row"), index("b_col")     # bound names a user rarely picks
    prev = lambda x, y: Prev(name, shape, x, y)        # noqa: E731
    init_fn = init if callable(init) else (lambda a, b, v=init: v)
    start = sp.Lambda((a, b), build(init_fn, (a, b), "init"))
    step = sp.Lambda((t, a, b), build(lambda t, a, b: update(prev, t, a, b), (t, a, b), "update"))
    if closed_form is not None:
        closed = sp.Lambda((t, a, b), build(closed_form, (t, a, b), "closed_form"))
    else:
        closed = additive_closed_form(name, shape, start, step)
    return Recurrence(name, shape, steps, start, step, closed)


def additive_closed_form(name: str, shape, init: sp.Lambda, update: sp.Lambda) -> sp.Lambda | None:
    """C(t, a, b) = Σ_{s=1}^{t} X(s, a, b) for S_t = S_{t-1} + X_t from S_0 = 0, else None."""
    t, a, b = update.variables
    if init.expr != 0 or not isinstance(update.expr, sp.Add):
        return None
    own = Prev(name, shape, a, b)
    if own not in update.expr.args:
        return None
    increment = update.expr - own
    if increment.atoms(Prev):
        return None
    s = fresh({x.name for x in update.expr.atoms(sp.Symbol)} | {t.name, a.name, b.name}, "s")
    return sp.Lambda((t, a, b), make_sum(subst(increment, {t: s}), s, 1, t))


def state(rec: Recurrence, time, row, col) -> State:
    """S_time[row, col]."""
    return State(rec, time, row, col)
