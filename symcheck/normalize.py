"""The normalizer: a strategy over the rule library, a budget, and the soundness kernel.

It knows nothing about the mathematics (rules live in `symcheck.rules`) nor about
traversal (`symcheck.strategies`). Its strategy is two phases: rewrite innermost first, in
place (`in_place`), with the first rule of `NORMALIZING` that applies, until none does
(each step spends the step and time budget, `BudgetExceeded` rather than a loop),
then rename bound indices canonically (`alpha-rename`) once. Every step, of either
phase, passes the kernel before it is accepted: a rule whose obligations (induction
base and step) do not normalize to equal forms is not applied, and the side conditions
it declares are re-proved from the facts at the redex (`UnprovedSideCondition` if one is
not: a bug in the rule). Every step keeps its redex, contractum and focus, from which the
whole expression before and after is made when read, so a derivation can be printed line
by line and replayed.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Callable

import sympy as sp

from .budget import BudgetExceeded, StepBudget
from .context import Context
from .proof import Derivation, DischargedObligation, Step
from .rule_memo import apply, inert
from .rules import BINDERS, NORMALIZING, RULES, Condition, Obligation, Rule
from .strategies import chain, first_of, in_place, innermost, once

__all__ = ["Normalizer", "BudgetExceeded", "UnprovedSideCondition", "foldable_power"]


@lru_cache(maxsize=200_000)
def foldable_power(expr: sp.Basic):
    """A sympy power that its constructors could merge or cancel (x⁻¹ beside x), or None.
    Such powers must be `index.Power`: only rules may cancel. Memoised per subtree: a step's
    contractum is mostly subtrees already checked."""
    if isinstance(expr, sp.Pow):
        base, ex = expr.args
        if not (ex.is_Integer and ex >= 0) and base.is_positive is not True:
            return expr
    for a in expr.args:
        hit = foldable_power(a)
        if hit is not None:
            return hit
    return None


class UnprovedSideCondition(AssertionError):
    """A rule fired although one of its declared side conditions is not provable: a bug in the rule."""


def proved_conditions(r: Rule, redex: sp.Basic, contractum: sp.Basic, ctx: Context) -> tuple[Condition, ...]:
    """The rule's side conditions for this rewrite, each re-proved here (a rule that fired
    without one is a bug, reported, never a step)."""
    if foldable_power(contractum):
        raise UnprovedSideCondition(f"rule {r.name} built a power sympy may fold: {foldable_power(contractum)}")
    conditions = tuple(r.requires(redex, contractum, ctx))
    for c in conditions:
        if not c.holds(ctx):
            raise UnprovedSideCondition(f"rule {r.name} fired at {redex} without its side condition {c.text()}")
    return conditions


class DischargedObligations:
    """Obligations already discharged, by key (`Rule.obligation_key`, else rule and redex), shared
    by a normalizer and those it starts for obligations: an induction is proved once per proof,
    however often its rule fires."""

    def __init__(self):
        self._by_key: dict[object, tuple[DischargedObligation, ...]] = {}

    def get(self, key: object, discharge: Callable[[], tuple[DischargedObligation, ...]]):
        """The obligations under `key`, discharged now if they were not yet."""
        if key not in self._by_key:
            self._by_key[key] = discharge()
        return self._by_key[key]

    def all(self) -> tuple[DischargedObligation, ...]:
        """Every discharged obligation, in the order they were completed."""
        return tuple(o for group in self._by_key.values() for o in group)


class Normalizer:
    """`rules` (default `NORMALIZING`) exhausted innermost first, then the canonical renaming.
    One normalizer serves both sides of a claim: they share its budget, its memo of normal
    subtrees and its discharged obligations."""

    def __init__(self, rules: tuple[Rule, ...] | None = None, max_steps: int = 4000,
                 deadline: float | None = None, *, budget: StepBudget | None = None,
                 obligations: DischargedObligations | None = None):
        self.rules = NORMALIZING.rules if rules is None else rules
        self.budget = StepBudget(max_steps, deadline) if budget is None else budget
        self.obligations = DischargedObligations() if obligations is None else obligations
        self._rewrite = first_of(self.rules, self._attempt, inert)
        self._strategy = chain(in_place(self._rewrite, self.budget, self._rewrite.inert_everywhere),
                               once(first_of(BINDERS.rules, self._attempt)))

    @property
    def max_steps(self) -> int:
        return self.budget.max_steps

    @property
    def deadline(self) -> float | None:
        return self.budget.deadline

    @property
    def steps_taken(self) -> int:
        return self.budget.steps_taken

    # -- public -------------------------------------------------------------
    def derive(self, expr: sp.Expr, ctx: Context) -> Derivation:
        """Normalize `expr` under `ctx` and return the derivation."""
        return Derivation(expr, self._strategy(expr, ctx))

    def rewrite_once(self, expr: sp.Expr, ctx: Context) -> Step | None:
        """The first rewrite (innermost first) of `expr`, or None if it is normal."""
        return innermost(self._rewrite)(expr, ctx)

    def discharge(self, ob: Obligation) -> DischargedObligation:
        """Prove an obligation with the full rule library (whatever this normalizer's own rules),
        spending this normalizer's budget."""
        sub = Normalizer(budget=self.budget, obligations=self.obligations)
        first = once(first_of((RULES[ob.lhs_first],), self._attempt))(ob.lhs, ob.ctx) if ob.lhs_first else ()
        lhs = Derivation(ob.lhs, first + sub.derive(first[-1].after if first else ob.lhs, ob.ctx).steps)
        rhs = sub.derive(ob.rhs, ob.ctx)
        return DischargedObligation(ob.title, lhs, rhs, ob.statement, ob.constraints)

    def discharged(self) -> tuple[DischargedObligation, ...]:
        return self.obligations.all()

    # -- the kernel ---------------------------------------------------------
    def _attempt(self, r: Rule, expr: sp.Basic, ctx: Context) -> Step | None:
        """`r` at the root of `expr`: a step only if it changes `expr` and its obligations hold,
        with its side conditions re-proved."""
        out = apply(r, expr, ctx)
        if out is expr or out == expr:
            return None
        obs = self._obligations_hold(r, expr, ctx)
        if obs is None:
            return None
        return Step(r.name, expr, out, obs, proved_conditions(r, expr, out, ctx))

    def _obligations_hold(self, r: Rule, e, ctx) -> tuple[str, ...] | None:
        if r.obligations is None:
            return ()
        key = r.obligation_key(e, ctx) if r.obligation_key else (r.name, e)
        done = self.obligations.get(key, lambda: tuple(self.discharge(ob) for ob in r.obligations(e, ctx)))
        if not all(o.holds for o in done):
            return None
        return tuple(o.title for o in done)
