"""Recurrent state replaced by its closed form, proved by induction on t."""

from __future__ import annotations

import sympy as sp

from ..binders import fresh, names_in, rename_apart, subst
from ..context import Context
from ..index import Iverson, Sigma
from ..nodes.recurrence import Prev, Recurrence, State
from .base import Le, Obligation, RuleSet, rule

__all__ = ["RECURRENCE", "closed_at", "updated", "state_requires"]


def closed_at(rec: Recurrence, time, row, col) -> sp.Expr:
    """The claimed closed form C(time, row, col) (capture-free)."""
    t, a, b = rec.closed.variables
    return subst(rec.closed.expr, {t: time, a: row, b: col})


def updated(rec: Recurrence, time, row, col, previous) -> sp.Expr:
    """F(S_{time-1}, time)[row, col] with S_{time-1}[x, y] given by `previous(x, y)`, which is used only
    inside the state's shape (outside it S_{time-1} is 0, as `Prev` is)."""
    t, a, b = rec.update.variables
    return _reads_replaced(subst(rec.update.expr, {t: time, a: row, b: col}), rec.name,
                           lambda p: previous(p.row, p.col) * _inside(rec, p.row, p.col))


def _reads_replaced(e: sp.Basic, name: str, value) -> sp.Basic:
    """e with each read `Prev` of the state `name` replaced by value(read). A nested recurrence is not
    entered: a `Prev` in its update reads *its* previous state, even under the same name."""
    if isinstance(e, Prev) and e.name == name:
        return value(e)
    if not e.args or isinstance(e, Recurrence):
        return e
    args = [_reads_replaced(x, name, value) for x in e.args]
    return e if all(x is y for x, y in zip(args, e.args)) else e.func(*args)


def _inside(rec: Recurrence, x, y) -> sp.Expr:
    rows, cols = rec.shape
    return Iverson(sp.Le(1, x)) * Iverson(sp.Le(x, rows)) * Iverson(sp.Le(1, y)) * Iverson(sp.Le(y, cols))


def unfolded_at(e: sp.Basic, rec: Recurrence, t) -> sp.Basic:
    """e with each state R_t[x, y] of another recurrence R, read at the step's own time t, replaced by one
    step of its definition, F_R(R_{t-1}, t)[x, y]·[(x, y) inside R's shape]. Sound for 1 <= t <= T_R, which
    the step's domain gives (R has the steps of the recurrence it is read with; checked by the caller):
    that is what R_t is. Only at t, and only once, so it cannot run away: the DeltaNet state reads its
    pseudo-values U_t, whose one step U_t = F(U_{t-1}, t) meets F_S(C(t-1), t), which reads U_{t-1}."""
    if isinstance(e, State) and e.rec != rec and e.time == t and e.rec.steps == rec.steps:
        return updated(e.rec, t, e.row, e.col, lambda x, y: State(e.rec, t - 1, x, y)) * _inside(e.rec, e.row, e.col)
    if not e.args or isinstance(e, Recurrence):
        return e
    args = [unfolded_at(x, rec, t) for x in e.args]
    return e if all(x is y for x, y in zip(args, e.args)) else e.func(*args)


def _obligations(expr: State, ctx: Context):
    rec = expr.rec
    taken = names_in(rec)
    t = fresh(taken, "t")
    a = fresh(taken | {t.name}, "a")
    b = fresh(taken | {t.name, a.name}, "b")
    rows, cols = rec.shape
    facts = ((1, a), (a, rows), (1, b), (b, cols))
    step_facts = facts + ((1, t), (t, rec.steps))
    reserved = ctx.reserved | taken | {t.name, a.name, b.name}
    # every size is >= 1 in every claim's domain, and the claim's constraints (N >= T) hold wherever the state is
    # read: the induction may use both (the checker re-proves under the claim's whole domain)
    sizes = [(1, s) for s in sorted(rec.atoms(sp.Symbol), key=sp.default_sort_key) if s.is_positive and s.is_integer]
    base_ctx = Context(assumptions=ctx.assumptions, reserved=reserved, recurrences=ctx.recurrences,
                       domain=ctx.domain).with_facts(*sizes, *ctx.domain, *facts)
    step_ctx = base_ctx.with_facts(*step_facts)
    init = subst(rec.init.expr, dict(zip(rec.init.variables, (a, b))))
    lhs = unfolded_at(closed_at(rec, t, a, b), rec, t)
    # the step peels C(t)'s last term: a decayed term (Σ_{r=s+1}^{t} g) only meets F(C(t-1), t) that way
    peel = "sum-peel-last" if isinstance(lhs, Sigma) and lhs.hi == t else None
    base = Obligation(f"Induction base for the state {rec.name}", rename_apart(closed_at(rec, 0, a, b), reserved),
                      rename_apart(init, reserved), base_ctx,
                      statement=sp.Eq(State(rec, 0, a, b), init, evaluate=False), constraints=facts)
    step = Obligation(
        f"Induction step for the state {rec.name}", rename_apart(lhs, reserved),
        rename_apart(unfolded_at(updated(rec, t, a, b, lambda x, y: closed_at(rec, t - 1, x, y)), rec, t), reserved),
        step_ctx, lhs_first=peel, constraints=step_facts,
        statement=sp.Eq(State(rec, t, a, b), updated(rec, t, a, b, lambda x, y: State(rec, t - 1, x, y)),
                        evaluate=False))
    return base, step


def state_requires(r: State, c, ctx) -> tuple:
    """0 <= τ <= T and the entry inside the shape: where an induction on the steps says anything."""
    rows, cols = r.rec.shape
    return (Le(0, r.time), Le(r.time, r.rec.steps), Le(1, r.row), Le(r.row, rows), Le(1, r.col), Le(r.col, cols))


@rule("recurrence-closed-form",
      r"S_{\tau} = C(\tau)\quad(C(0) = S_0,\ C(t) = F(C(t-1), t) \text{ for } 1 \le t \le T)", State,
      side_conditions="0 <= τ <= T and the entry inside the state's shape; the closed form is proved by "
                      "induction on t = 1..T (base and step are obligations)",
      explanation=r"The rule \rulename{recurrence-closed-form} replaces a recurrent state by its closed form. "
                  r"It is justified by induction on the step $t$: "
                  r"each obligation below is discharged by normalizing both of its sides.",
      obligations=_obligations, obligation_key=lambda e, ctx: ("recurrence-closed-form", e.rec),
      requires=state_requires)
def recurrence_closed_form(expr: State, ctx: Context):
    """Sound for 0 <= τ <= T and (a, b) inside the shape only: the base proves C(0) = S_0 and the step
    carries C from t − 1 to t for 1 <= t <= T, so together they cover exactly 0..T at every entry of
    the shape. Beyond T the state is clamped (S_T), and outside the shape it is 0; C need say neither,
    hence the side conditions. The closed form is the author's claim until both obligations hold."""
    if expr.rec.closed is None or not all(c.holds(ctx) for c in state_requires(expr, None, ctx)):
        return expr
    return rename_apart(closed_at(expr.rec, expr.time, expr.row, expr.col), ctx.avoid(expr))


RECURRENCE = RuleSet("recurrence", (recurrence_closed_form,))
