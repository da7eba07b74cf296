"""What a rule may assume at a position: facts about indices, and the claim's assumptions.

A `Context` is immutable. Entering the body of Σ_{j=lo}^{hi} adds lo <= j <= hi;
the claim contributes its size domain (sizes >= 1, 1 <= t <= T, N >= T ...) and
named assumptions (unit-norm rows). Rules ask it questions; it answers only
what it can prove.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from .affine import Fact, entails_nonneg, nonneg

__all__ = ["Context", "UnitRows"]


@dataclass(frozen=True)
class UnitRows:
    """Assumption: every row of input matrix `name` (with `cols` columns) has Euclidean norm 1."""

    name: str
    cols: sp.Expr

    def describe(self) -> str:
        return f"every row of {self.name} has norm 1"


@dataclass(frozen=True)
class Context:
    facts: frozenset[Fact] = frozenset()
    assumptions: frozenset = frozenset()
    reserved: frozenset[str] = frozenset()      # names that bound indices must avoid
    binders: tuple[str, ...] = ()               # enclosing bound indices, outermost first

    def with_facts(self, *pairs: tuple[sp.Expr, sp.Expr]) -> "Context":
        """Add facts lo <= hi (non-affine pairs are ignored: knowing less is sound)."""
        new = {f for lo, hi in pairs if (f := nonneg(lo, hi)) is not None}
        return Context(self.facts | new, self.assumptions, self.reserved, self.binders)

    def enter_sum(self, var: sp.Symbol, lo, hi) -> "Context":
        ctx = self.with_facts((lo, var), (var, hi))
        return Context(ctx.facts, ctx.assumptions, ctx.reserved, self.binders + (var.name,))

    def proves_le(self, lo, hi) -> bool:
        """Do the facts imply lo <= hi?"""
        form = nonneg(lo, hi)
        return form is not None and entails_nonneg(self.facts, form)

    def proves_lt(self, lo, hi) -> bool:
        return self.proves_le(sp.sympify(lo) + 1, hi)

    def nonempty(self, lo, hi) -> bool:
        """Is the integer range lo..hi provably nonempty?"""
        return self.proves_le(lo, hi)

    def avoid(self, expr: sp.Basic) -> set[str]:
        """Names a fresh bound index at this position must not take."""
        return set(self.reserved) | set(self.binders) | {s.name for s in expr.atoms(sp.Symbol)}

    def assumes(self, assumption) -> bool:
        return assumption in self.assumptions
