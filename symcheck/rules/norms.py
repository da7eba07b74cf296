"""Rules that use a claim's assumptions about its inputs (unit-norm rows)."""

from __future__ import annotations

import sympy as sp

from ..context import Context, UnitRows
from ..index import Sigma
from .base import Assumed, RuleSet, rule

__all__ = ["NORMS"]


@rule("unit-norm", r"\sum_{a=1}^{d} X_{r a}^{2} = 1\quad(\lVert X_{r,:}\rVert = 1)", Sigma,
      side_conditions="assumption: every row of X has norm 1; the sum runs over all d columns",
      requires=lambda r, c, ctx: (Assumed(UnitRows(str(r.body.args[0].base.label), r.hi)),))
def unit_norm(expr: Sigma, ctx: Context):
    """Sound under the claim's assumption that every row of X has norm 1, when the sum runs over
    exactly the row's d columns (lo = 1, hi = the assumed width) at one fixed row."""
    body, var, lo, hi = expr.args
    if lo != 1 or not (isinstance(body, sp.Pow) and body.args[1] == 2 and isinstance(body.args[0], sp.Indexed)):
        return expr
    atom = body.args[0]
    row, col = atom.indices
    if col != var or var in row.free_symbols:
        return expr
    if ctx.assumes(UnitRows(str(atom.base.label), hi)):
        return sp.S.One
    return expr


NORMS = RuleSet("norms", (unit_norm,))
