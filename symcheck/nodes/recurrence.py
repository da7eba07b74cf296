"""Recurrent state: S_0 = init, S_t = update(S_{t-1}, t), the memories that are *updated*.

* `Recurrence`: the definition of a state sequence S_0..S_T of shape rows × cols. `init`
  is a function of the entry (a, b); `update` a function of (t, a, b) in which `Prev(x, y)`
  stands for S_{t-1}[x, y]. Like a memory it is a definition (opaque): no rule rewrites
  inside it. It may carry a *claimed* closed form C(t, a, b); the claim is only a hint,
  never trusted: a rule that uses it proves C(0) = init and C(t) = update(C(t-1), t) first
  (induction on t), and the numeric semantics ignores it.
* `State(rec, τ, a, b)`: S_τ[a, b]. Total like every node: τ is clamped to 0..T (no
  update happens before 1 or after T) and an entry outside the shape is 0.
* `Prev(name, shape, x, y)`: S_{t-1}[x, y] inside an update (0 outside the shape).

Fast weights, decayed and gated linear attention and the delta rule are recurrences
whose state is a matrix (a vector is a matrix with one column).
"""

from __future__ import annotations

import sympy as sp
from sympy.core.symbol import Str

from ..errors import ClaimError
from ..stream import Stream
from .spec import Node, NodeSpec, register

__all__ = ["Recurrence", "State", "Prev", "STEP"]

# the update's time during a step of the numeric loop: named like an entailment atom, which no claim's symbol may be
# (`problem._check_symbols`), so that no index of the update is captured by it
STEP = sp.Symbol("<step>", integer=True)


class Recurrence(Node, sp.Basic):
    """S_0..S_steps of shape `shape`: S_0[a, b] = init(a, b), S_t[a, b] = update(t, a, b) with `Prev`."""

    def __new__(cls, name, shape, steps, init: sp.Lambda, update: sp.Lambda, closed=None):
        name = name if isinstance(name, Str) else Str(str(name))
        shape = shape if isinstance(shape, sp.Tuple) else sp.Tuple(*map(sp.sympify, shape))
        if len(shape) != 2:
            raise ClaimError(f"the state {name.name} must be a matrix (rows, cols), got shape {tuple(shape)}",
                             field="shape")
        closed = Str("none") if closed is None else closed
        return sp.Basic.__new__(cls, name, shape, sp.sympify(steps), init, update, closed)

    name = property(lambda self: self.args[0].name)
    shape = property(lambda self: tuple(self.args[1]))
    steps = property(lambda self: self.args[2])
    init = property(lambda self: self.args[3])
    update = property(lambda self: self.args[4])

    @property
    def closed(self) -> sp.Lambda | None:
        """The claimed closed form, a function of (t, a, b), or None."""
        c = self.args[5]
        return None if isinstance(c, Str) else c


class State(Node, sp.Expr):
    """S_τ[a, b] of a recurrence."""

    is_commutative = True
    is_real = True

    def __new__(cls, rec: Recurrence, time, row, col):
        return sp.Basic.__new__(cls, rec, *map(sp.sympify, (time, row, col)))

    rec = property(lambda self: self.args[0])
    time = property(lambda self: self.args[1])
    row = property(lambda self: self.args[2])
    col = property(lambda self: self.args[3])


class Prev(Node, sp.Expr):
    """S_{t-1}[x, y] inside the update of the recurrence named `name` (of shape `shape`)."""

    is_commutative = True
    is_real = True

    def __new__(cls, name, shape, row, col):
        name = name if isinstance(name, Str) else Str(str(name))
        shape = shape if isinstance(shape, sp.Tuple) else sp.Tuple(*map(sp.sympify, shape))
        return sp.Basic.__new__(cls, name, shape, sp.sympify(row), sp.sympify(col))

    name = property(lambda self: self.args[0].name)
    shape = property(lambda self: tuple(self.args[1]))
    row = property(lambda self: self.args[2])
    col = property(lambda self: self.args[3])


# -- numeric semantics ---------------------------------------------------------------------------------
def states(ev, rec: Recurrence) -> Stream:
    """S_0..S_T, run step by step (each update vectorised over the entries of a state)."""
    key = ("recurrence", rec)
    if key not in ev.cache:
        (a, b), rows, cols = rec.init.variables, ev.dimension(rec.shape[0]), ev.dimension(rec.shape[1])
        t, a2, b2 = rec.update.variables
        body = rec.update.expr.xreplace({t: STEP})
        start = lambda: ev.subgrid(rec.init.expr, {a: rows, b: cols})
        update = lambda prev, step: ev.subgrid(body, {a2: rows, b2: cols}, step=step, previous=(rec.name, prev))
        ev.cache[key] = Stream(start, update, ev.dimension(rec.steps))
    return ev.cache[key]


def _state(ev, e: State, env):
    tau, *at = (ev.idx(x, env) for x in (e.time, e.row, e.col))
    return states(ev, e.rec).read(tau, at, lambda s, points: ev.gather(s, points, [1, 1]), ev.b.zero)


def _prev(ev, e: Prev, env):
    return ev.gather(ev.previous_state(e.name), [ev.idx(e.row, env), ev.idx(e.col, env)], [1, 1])


# -- notation -----------------------------------------------------------------------------------------------
def _latex_state(p, e: State) -> str:
    return rf"\mathbf{{{e.rec.name}}}_{{{p._print(e.time)}}}[{p._print(e.row)},{p._print(e.col)}]"


def _latex_prev(p, e: Prev) -> str:
    return rf"\mathbf{{{e.name}}}_{{t-1}}[{p._print(e.row)},{p._print(e.col)}]"


def _text_state(p, e: State) -> str:
    return f"{e.rec.name}_{{{p._print(e.time)}}}[{p._print(e.row)},{p._print(e.col)}]"


def _state_mutations(e: State) -> list:
    out = [("read-before-write", State(e.rec, e.time - 1, e.row, e.col))]
    if e.row != e.col:
        out.append(("swap-indices", State(e.rec, e.time, e.col, e.row)))
    return out


# -- entries in range (wellformed.check_in_range walks with `r`) ----------------------------------------
def _in_range_state(r, e: State, ctx):
    r.integer(e.time, "the state's time")
    r.require(0, e.time, f"{e}: the time may be negative", ctx)
    r.within((e.row, e.col), e.rec.shape, f"state entry {e}", ctx)
    r.walk(e.rec, ctx)


def _reads(e) -> list:
    """The `Prev` nodes of e outside nested recurrences (a nested recurrence's reads are its own)."""
    if isinstance(e, Prev):
        return [e]
    if isinstance(e, Recurrence) or not e.args:
        return []
    return [p for a in e.args for p in _reads(a)]


def _in_range_recurrence(r, e: Recurrence, ctx):
    if _reads(e.init.expr) or any(p.name != e.name for p in _reads(e.update.expr)):
        raise ClaimError(f"the state {e.name} may read a previous state only in its own update, and only its own",
                         field=r.field)
    (a, b), (rows, cols) = e.init.variables, e.shape
    r.walk(e.init.expr, ctx.with_facts((1, a), (a, rows), (1, b), (b, cols)))
    t, a, b = e.update.variables
    r.walk(e.update.expr, ctx.with_facts((1, t), (t, e.steps), (1, a), (a, rows), (1, b), (b, cols)))


def _in_range_prev(r, e: Prev, ctx):
    r.within((e.row, e.col), e.shape, f"previous state entry {e}", ctx)


for _spec in (
    NodeSpec(Recurrence, latex=lambda p, e: rf"\mathbf{{{e.name}}}", text=lambda p, e: e.name, opaque=True,
             in_range=_in_range_recurrence),
    NodeSpec(State, value=_state, time=1, latex=_latex_state, text=_text_state, mutations=_state_mutations,
             in_range=_in_range_state),
    NodeSpec(Prev, value=_prev, latex=_latex_prev, in_range=_in_range_prev,
             text=lambda p, e: f"{e.name}_{{t-1}}[{p._print(e.row)},{p._print(e.col)}]"),
):
    register(_spec)
