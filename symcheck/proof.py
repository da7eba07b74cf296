"""Proof objects: derivations (rewrite traces), obligations, and the meeting point."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import sympy as sp

from .rebuild import rebuild

__all__ = ["Focus", "Step", "Derivation", "DischargedObligation", "Proof"]


@dataclass(frozen=True, eq=False)
class Focus:
    """Where a rewrite happens: inside `node` at argument `k`, `node` itself at `outer` (None: the root).
    The enclosing nodes are kept as they stood when the rewriting went in, not rebuilt around every step
    below them (the normalizer rebuilds a node once per change of one of its arguments): the whole
    expression of a step is made from its focus only when someone reads it. Compared by identity: two
    steps share a level exactly when the rewriting did not leave it in between (`certificate` writes how
    many levels each step keeps, and the checker rebuilds the others)."""

    outer: "Focus | None"
    node: sp.Basic
    k: int

    def levels(self) -> tuple["Focus", ...]:
        """The levels from the root in."""
        out, f = [], self
        while f is not None:
            out.append(f)
            f = f.outer
        return tuple(reversed(out))

    def around(self, sub: sp.Basic) -> sp.Basic:
        """The whole expression with `sub` at this position, each enclosing node rebuilt by its constructor."""
        f = self
        while f is not None:
            args = list(f.node.args)
            args[f.k] = sub
            sub, f = rebuild(f.node, args), f.outer
        return sub


@dataclass(frozen=True)
class Step:
    """One rule application: the rewritten part, where it was (`focus`), and the whole expression before
    and after, made from the focus when first read (a long derivation's checking reads few of them)."""

    rule: str
    redex: sp.Expr            # the subterm the rule rewrote
    contractum: sp.Expr       # what it became
    obligations: tuple[str, ...] = ()   # titles of obligations this step relies on
    conditions: tuple = ()              # the side conditions (rules.Le, rules.Assumed) proved at the redex
    focus: Focus | None = None          # where the redex was: None at the root

    @cached_property
    def before(self) -> sp.Expr:
        return self.redex if self.focus is None else self.focus.around(self.redex)

    @cached_property
    def after(self) -> sp.Expr:
        return self.contractum if self.focus is None else self.focus.around(self.contractum)

    @property
    def path(self) -> tuple[int, ...]:
        """The argument indices from the root to the redex, through the enclosing nodes as they stood."""
        return () if self.focus is None else tuple(f.k for f in self.focus.levels())

    def __getstate__(self) -> dict:
        """Pickled without the whole expressions: they are made again from the focus when read."""
        return {k: v for k, v in self.__dict__.items() if k not in ("before", "after")}


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
