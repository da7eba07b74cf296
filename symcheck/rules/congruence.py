"""Two recurrences with equal initial values and provably equal updates have equal states.

For S and S' of the same shape and steps with S_0 = S'_0 and F(P, t) = F'(P, t), induction on t gives
S_t = F(S_{t-1}, t) = F(S'_{t-1}, t) = F'(S'_{t-1}, t) = S'_t. So the update obligation lets both updates
read S'_{t-1}, the target's state, where they read their previous state: one shared unknown, and the
only previous state the induction needs. No closed form is involved (the delta rule has none).

Where it fires: the state of a recurrence R of the claim (the context lists them) becomes the state of
the claim's recurrence R' that sorts first among those of R's shape and steps, unless one of R, R'
contains the other (the obligations would then read R's own state: circular). The order puts a
recurrence with a closed form first (its state can then be unrolled), then a structural key. Every
rewrite lowers the key, so congruent recurrences meet in the first one and the rule cannot loop; a
claim with fewer than two recurrences costs one length test. Only that first one is tried: a third
recurrence congruent to R but not to it is left alone (incomplete, never unsound).
"""

from __future__ import annotations

from functools import lru_cache

import sympy as sp

from ..binders import fresh, names_in, rename_apart, subst
from ..context import Context
from ..nodes.recurrence import Recurrence, State
from .base import Obligation, RuleSet, rule
from .recurrence import state_requires, updated

__all__ = ["CONGRUENCE", "target"]


@lru_cache(maxsize=4096)
def _target(rec: Recurrence, recurrences: frozenset) -> Recurrence | None:
    peers = [r for r in recurrences if r.shape == rec.shape and r.steps == rec.steps
             and r not in rec.atoms(Recurrence) and rec not in r.atoms(Recurrence)]
    first = min(peers + [rec], key=lambda r: (r.closed is None, sp.default_sort_key(r)))
    return None if first == rec else first


def target(rec: Recurrence, ctx: Context) -> Recurrence | None:
    """The recurrence whose state a state of `rec` may become here, or None."""
    return None if len(ctx.recurrences) < 2 else _target(rec, ctx.recurrences)


def _obligations(expr: State, ctx: Context):
    source, into = expr.rec, target(expr.rec, ctx)
    taken = names_in(source) | names_in(into)
    t = fresh(taken, "t")
    a = fresh(taken | {t.name}, "a")
    b = fresh(taken | {t.name, a.name}, "b")
    rows, cols = source.shape
    facts = ((1, a), (a, rows), (1, b), (b, cols))
    step_facts = facts + ((1, t), (t, source.steps))
    reserved = ctx.reserved | taken | {t.name, a.name, b.name}
    entry_ctx = Context(assumptions=ctx.assumptions, reserved=reserved, recurrences=ctx.recurrences).with_facts(*facts)
    inits = [subst(r.init.expr, dict(zip(r.init.variables, (a, b)))) for r in (source, into)]
    previous = lambda x, y: State(into, t - 1, x, y)     # noqa: E731
    updates = [updated(r, t, a, b, previous) for r in (source, into)]
    title = f"Congruence of the states {source.name} and {into.name}"
    return (Obligation(f"{title}: initial values", *(rename_apart(x, reserved) for x in inits), entry_ctx,
                       statement=sp.Eq(*inits, evaluate=False), constraints=facts),
            Obligation(f"{title}: updates", *(rename_apart(x, reserved) for x in updates),
                       entry_ctx.with_facts(*step_facts), statement=sp.Eq(*updates, evaluate=False),
                       constraints=step_facts))


@rule("recurrence-congruence",
      r"S_{\tau} = S'_{\tau}\quad(S_0 = S'_0,\ F(P, t) = F'(P, t) \text{ for } 1 \le t \le T)", State,
      side_conditions="S and S' have one shape and one T; 0 <= τ <= T and the entry inside the shape; equal "
                      "initial values and equal updates at the previous state S'_{t-1} are obligations",
      explanation=r"The rule \rulename{recurrence-congruence} replaces the state of one recurrence by the state of "
                  r"another of the same shape and length: equal initial values, and updates equal whenever both "
                  r"read the same previous state, give equal states at every step (induction on $t$). "
                  r"Each obligation below is discharged by normalizing both of its sides.",
      obligations=_obligations, obligation_key=lambda e, ctx: ("recurrence-congruence", e.rec, target(e.rec, ctx)),
      requires=state_requires)
def recurrence_congruence(expr: State, ctx: Context):
    """Sound for 0 <= τ <= T and (a, b) inside the shape once both obligations hold: the induction above
    covers exactly 0..T at every entry of the shape. (Beyond, both states are clamped to step T or are 0
    outside the one shape, so equal there too; the side conditions keep to what the induction says.)"""
    into = target(expr.rec, ctx)
    if into is None or not all(c.holds(ctx) for c in state_requires(expr, None, ctx)):
        return expr
    return State(into, expr.time, expr.row, expr.col)


CONGRUENCE = RuleSet("congruence", (recurrence_congruence,))
