"""Bound indices: the renaming that makes `Σ_j f(j)` and `Σ_k f(k)` the same tree."""

from __future__ import annotations

import sympy as sp

from ..binders import canonical_names
from ..context import Context
from .base import RuleSet, rule

__all__ = ["BINDERS"]


@rule("alpha-rename", r"\sum_{j} f(j) = \sum_{k} f(k)\ \text{(canonical bound indices; Fubini order)}",
      sp.Basic, side_conditions="renaming bound indices; reordering nested sums whose ranges are independent")
def alpha_rename(expr: sp.Basic, ctx: Context):
    """Sound for every expression: renaming a bound index away from every free name changes no
    value, nor does exchanging directly nested finite sums whose ranges are independent. It
    renames every sum at once, so it applies at the root, after the rewriting has stopped."""
    return canonical_names(expr, set(ctx.reserved))


BINDERS = RuleSet("binders", (alpha_rename,))
