"""Proof objects: derivations (rewrite traces), obligations, and the meeting point."""

from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp

__all__ = ["Step", "Derivation", "DischargedObligation", "Proof"]


@dataclass(frozen=True)
class Step:
    """One rule application: the whole expression before and after, and the rewritten part."""

    rule: str
    before: sp.Expr
    after: sp.Expr
    redex: sp.Expr            # the subterm the rule rewrote
    contractum: sp.Expr       # what it became
    obligations: tuple[str, ...] = ()   # titles of obligations this step relies on
    path: tuple[int, ...] = ()          # position of the redex in `before` (argument indices)
    conditions: tuple = ()              # the side conditions (rules.Le, rules.Assumed) proved at the redex


@dataclass(frozen=True)
class Derivation:
    """A rewrite trace: the start and every step; the last step's result is the normal form."""

    start: sp.Expr
    steps: tuple[Step, ...]

    @property
    def result(self) -> sp.Expr:
        return self.steps[-1].after if self.steps else self.start


@dataclass(frozen=True)
class DischargedObligation:
    """An induction obligation (base case or step) with both sides' derivations."""

    title: str
    lhs: Derivation
    rhs: Derivation
    statement: sp.Basic | None = None
    constraints: tuple = ()     # (lo, hi) pairs, lo <= hi, that the obligation's free indices satisfy

    @property
    def holds(self) -> bool:
        return self.lhs.result == self.rhs.result


@dataclass(frozen=True)
class Proof:
    """Both sides' derivations; `proved` iff the normal forms are identical trees."""

    lhs: Derivation
    rhs: Derivation
    obligations: tuple[DischargedObligation, ...] = field(default=())

    @property
    def proved(self) -> bool:
        return self.lhs.result == self.rhs.result and all(o.holds for o in self.obligations)

    @property
    def steps(self) -> int:
        return len(self.lhs.steps) + len(self.rhs.steps) + sum(
            len(o.lhs.steps) + len(o.rhs.steps) for o in self.obligations)

    def derivations(self) -> tuple[Derivation, ...]:
        """Every rewrite trace the proof contains (both sides and every obligation)."""
        return (self.lhs, self.rhs, *(d for o in self.obligations for d in (o.lhs, o.rhs)))
