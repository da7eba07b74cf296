"""What a rule is, and what a rule set is.

A rule is a pure function `(expr, ctx) -> expr` that returns `expr` itself when it
does not apply. It carries a stable name, a LaTeX statement, its side conditions
in words *and as data* (`requires`: the predicates a rewrite redex -> contractum
needs, e.g. `Le(tau, N)`), and the node types at which it can fire (so the
normalizer only asks rules that could match). The normalizer re-proves every
predicate with the entailment engine before it accepts a step and records it in
the step; the replay checker re-proves them with its own. A rule may also state
proof obligations (induction base and step) that the normalizer discharges when
it fires.

Defining a rule registers nothing: each rule module ends with its `RuleSet`, and
the package composes the sets explicitly, so priority is written down, not an
accident of import order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import sympy as sp

from ..context import Context
from ..scalars import proves_nonneg

__all__ = ["Rule", "RuleSet", "Obligation", "rule", "by_name", "Le", "Assumed", "Excludes", "Nonneg", "Condition"]


@dataclass(frozen=True)
class Le:
    """Side condition lo <= hi over the integers, proved from the facts at the redex."""

    lo: sp.Expr
    hi: sp.Expr

    def holds(self, ctx: Context) -> bool:
        return ctx.proves_le(self.lo, self.hi)

    def text(self) -> str:
        return f"{self.lo} <= {self.hi}"


@dataclass(frozen=True)
class Assumed:
    """Side condition: the claim assumes this (e.g. unit-norm rows of an input)."""

    assumption: object

    def holds(self, ctx: Context) -> bool:
        return ctx.assumes(self.assumption)

    def text(self) -> str:
        return self.assumption.describe()


@dataclass(frozen=True)
class Excludes:
    """Side condition: the facts at the redex together with the integer condition `given` prove
    `fails` false (two brackets that cannot both be 1)."""

    given: sp.Basic
    fails: sp.Basic

    def holds(self, ctx: Context) -> bool:
        return ctx.assuming(self.given).refutes(self.fails)

    def text(self) -> str:
        return f"{self.given} excludes {self.fails}"


@dataclass(frozen=True)
class Nonneg:
    """Side condition: the real expression is >= 0, by the intervals of the claim's scalars (its assumptions)."""

    expr: sp.Expr

    def holds(self, ctx: Context) -> bool:
        return proves_nonneg(self.expr, ctx.assumptions)

    def text(self) -> str:
        return f"{self.expr} >= 0"


Condition = Le | Assumed | Excludes | Nonneg


def _none(redex, contractum, ctx) -> tuple:
    return ()


@dataclass(frozen=True)
class Obligation:
    """A side goal `lhs == rhs` under `ctx`, e.g. an induction base or step.

    `lhs_first` names a rule applied once to the lhs before normalizing (the
    step of an induction peels the last term of a sum, which no normalizing rule
    would do on its own).
    """

    title: str
    lhs: sp.Expr
    rhs: sp.Expr
    ctx: Context
    lhs_first: str | None = None
    statement: sp.Basic | None = None      # what the obligation means, e.g. M_0 = 0
    constraints: tuple = ()                # (lo, hi) pairs: the facts of ctx, for certificates


@dataclass(frozen=True)
class Rule:
    name: str
    statement: str                      # LaTeX, e.g. r"\sum_j c f_j = c \sum_j f_j"
    on: tuple[type, ...]                # node types where it may fire
    fn: Callable[[sp.Expr, Context], sp.Expr]
    side_conditions: str = ""           # the side conditions in words (`requires` is the data)
    explanation: str = ""               # LaTeX-safe sentences for the appendix, for a rule that needs them
    obligations: Callable[[sp.Expr, Context], tuple[Obligation, ...]] | None = None
    obligation_key: Callable[[sp.Expr, Context], object] | None = None    # what the obligations depend on
    requires: Callable[[sp.Expr, sp.Expr, Context], tuple[Condition, ...]] = _none   # side conditions as data

    def __call__(self, expr: sp.Expr, ctx: Context) -> sp.Expr:
        return self.fn(expr, ctx)


def rule(name: str, statement: str, on, side_conditions: str = "", explanation: str = "", obligations=None,
         obligation_key=None, requires=_none) -> Callable[[Callable], Rule]:
    """Make `fn` a `Rule` (it joins a strategy only through a `RuleSet`).
    `requires(redex, contractum, ctx)` lists the side conditions a rewrite relies on."""
    on = on if isinstance(on, tuple) else (on,)

    def make(fn) -> Rule:
        return Rule(name, statement, on, fn, side_conditions, explanation, obligations, obligation_key, requires)

    return make


@dataclass(frozen=True)
class RuleSet:
    """Named rules in priority order: the earlier of two rules that rewrite the same node wins."""

    name: str
    rules: tuple[Rule, ...]

    @staticmethod
    def concat(name: str, *sets: "RuleSet") -> "RuleSet":
        """The rules of `sets`, each set's before the next set's."""
        return RuleSet(name, tuple(r for s in sets for r in s.rules))


def by_name(sets: tuple[RuleSet, ...]) -> dict[str, Rule]:
    """Every rule of `sets` by name; a name defined twice is an error (a certificate names its rules)."""
    found: dict[str, Rule] = {}
    for s in sets:
        for r in s.rules:
            if r.name in found:
                raise ValueError(f"rule {r.name!r} defined twice (in rule set {s.name!r})")
            found[r.name] = r
    return found
