"""The normalizer: apply rules innermost-first until none applies, recording every step.

It knows nothing about the mathematics: rules live in `symcheck.rules`. It is
bounded (steps and wall time) and raises `BudgetExceeded` rather than looping.
Every step keeps the whole expression before and after, so a derivation can be
printed line by line and replayed. A rule whose obligations (induction base and
step) do not normalize to equal forms is not applied.
"""

from __future__ import annotations

import time
from functools import lru_cache

import sympy as sp

from .budget import BudgetExceeded
from .context import Context
from .index import Sigma
from .memory import Memory
from .proof import Derivation, DischargedObligation, Step
from .rules import NORMALIZING, RULES, Obligation, Rule

__all__ = ["Normalizer", "BudgetExceeded"]


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


class Normalizer:
    def __init__(self, rules: tuple[Rule, ...] | None = None, max_steps: int = 4000,
                 deadline: float | None = None):
        self.rules = NORMALIZING.rules if rules is None else rules
        self.by_type: dict[type, list[Rule]] = {}
        self.max_steps = max_steps
        self.deadline = deadline
        self.steps_taken = 0
        self._normal: set = set()
        self.obligations: dict[object, DischargedObligation] = {}

    # -- public -------------------------------------------------------------
    def derive(self, expr: sp.Expr, ctx: Context) -> Derivation:
        """Normalize `expr` under `ctx` and return the derivation."""
        steps: list[Step] = []
        current = expr
        while (step := self.rewrite_once(current, ctx)) is not None:
            steps.append(step)
            current = step.after
            self._tick()
        canon = RULES["alpha-rename"](current, ctx)
        if canon != current:
            steps.append(Step("alpha-rename", current, canon, current, canon))
        return Derivation(expr, tuple(steps))

    def rewrite_once(self, expr: sp.Expr, ctx: Context) -> Step | None:
        """The first rewrite (innermost first) of `expr`, or None if it is normal."""
        found = self._rewrite_once(expr, ctx)
        if found is None:
            return None
        new, r, redex, contractum, obs, path, conds = found
        return Step(r.name, expr, new, redex, contractum, obs, tuple(reversed(path)), conds)

    def discharge(self, ob: Obligation) -> DischargedObligation:
        """Prove an obligation with the full rule library (whatever this normalizer's own rules)."""
        sub = Normalizer(max_steps=self.max_steps - self.steps_taken, deadline=self.deadline)
        sub.obligations = self.obligations
        start, steps = ob.lhs, []
        if ob.lhs_first:
            first = RULES[ob.lhs_first](start, ob.ctx)
            if first != start:
                steps.append(Step(ob.lhs_first, start, first, start, first))
                start = first
        lhs = sub.derive(start, ob.ctx)
        lhs = Derivation(ob.lhs, tuple(steps) + lhs.steps)
        rhs = sub.derive(ob.rhs, ob.ctx)
        self.steps_taken += sub.steps_taken
        return DischargedObligation(ob.title, lhs, rhs, ob.statement, ob.domain)

    # -- internals ----------------------------------------------------------
    def _tick(self):
        self.steps_taken += 1
        if self.steps_taken > self.max_steps:
            raise BudgetExceeded(f"step budget of {self.max_steps} rewrite steps exhausted")
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise BudgetExceeded("time budget exhausted during normalization")

    def _rules_for(self, node) -> list[Rule]:
        cls = type(node)
        if cls not in self.by_type:
            self.by_type[cls] = [r for r in self.rules if issubclass(cls, r.on)]
        return self.by_type[cls]

    def _rewrite_once(self, e, ctx):
        if not e.args or isinstance(e, Memory) or (e, ctx) in self._normal:
            return None             # a memory's written rows are a definition, not a redex
        for k, child in enumerate(e.args):
            child_ctx = ctx.enter_sum(e.var, e.lo, e.hi) if isinstance(e, Sigma) and k == 0 else ctx
            found = self._rewrite_once(child, child_ctx)
            if found is not None:
                new_child, r, redex, contractum, obs, path, conds = found
                args = list(e.args)
                args[k] = new_child
                return e.func(*args), r, redex, contractum, obs, path + [k], conds
        for r in self._rules_for(e):
            out = r(e, ctx)
            if out == e:
                continue
            obs = self._obligations_hold(r, e, ctx)
            if obs is None:
                continue
            return out, r, e, out, obs, [], self._conditions(r, e, out, ctx)
        self._normal.add((e, ctx))
        return None

    @staticmethod
    def _conditions(r: Rule, redex, contractum, ctx: Context) -> tuple:
        """The rule's side conditions for this rewrite, each re-proved here (a rule that fired
        without one is a bug, reported, never a step)."""
        if foldable_power(contractum):
            raise UnprovedSideCondition(f"rule {r.name} built a power sympy may fold: {foldable_power(contractum)}")
        conditions = tuple(r.requires(redex, contractum, ctx))
        for c in conditions:
            if not c.holds(ctx):
                raise UnprovedSideCondition(f"rule {r.name} fired at {redex} without its side condition {c.text()}")
        return conditions

    def _obligations_hold(self, r: Rule, e, ctx) -> tuple[str, ...] | None:
        if r.obligations is None:
            return ()
        key = r.obligation_key(e) if r.obligation_key else (r.name, e)
        if key not in self.obligations:
            self.obligations[key] = tuple(self.discharge(ob) for ob in r.obligations(e, ctx))
        done = self.obligations[key]
        if not all(o.holds for o in done):
            return None
        return tuple(o.title for o in done)

    def discharged(self) -> tuple[DischargedObligation, ...]:
        return tuple(o for group in self.obligations.values() for o in group)
