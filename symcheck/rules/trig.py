"""Rotations: the angle-addition identities and cos² + sin² = 1, the algebra of rotary position encodings.

A rotation R_a (angle a·θ_i in each coordinate pair i) has R_aᵀ R_b = R_{b−a}; entrywise that is
angle addition. The normal form expands every cos or sin of a sum of angles into products of
cos and sin of single terms (sympy's constructors fold the parity, cos(−x) = cos x and
sin(−x) = −sin x, which hold for every real x), so two rotations meet as polynomials in those.
"""

from __future__ import annotations

import sympy as sp

from ..context import Context
from .base import RuleSet, rule

__all__ = ["TRIG", "angle_split", "pythagorean_pair"]


def angle_split(expr: sp.Basic) -> sp.Expr | None:
    """cos(a + b) = cos a cos b − sin a sin b, sin(a + b) = sin a cos b + cos a sin b, for a the first
    term of the argument's sum (sympy's deterministic order) and b the rest; None if not such a term."""
    if not isinstance(expr, (sp.cos, sp.sin)) or not isinstance(expr.args[0], sp.Add):
        return None
    a, *rest = expr.args[0].args
    b = sp.Add(*rest)
    if isinstance(expr, sp.cos):
        return sp.cos(a) * sp.cos(b) - sp.sin(a) * sp.sin(b)
    return sp.sin(a) * sp.cos(b) + sp.cos(a) * sp.sin(b)


@rule("angle-addition", r"\cos(a + b) = \cos a \cos b - \sin a \sin b,\quad \sin(a + b) = \sin a \cos b + \cos a \sin b",
      (sp.cos, sp.sin), side_conditions="none: an identity of real numbers (R_a^T R_b = R_{b-a} entrywise)")
def angle_addition(expr: sp.Basic, ctx: Context):
    """Sound for all real a, b: the addition theorems of cos and sin (every value is real under the total
    semantics, and cos, sin are total)."""
    out = angle_split(expr)
    return expr if out is None else out


def _square_of(f: sp.Basic, kind: type) -> sp.Expr | None:
    return f.base.args[0] if isinstance(f, sp.Pow) and f.exp == 2 and isinstance(f.base, kind) else None


def pythagorean_pair(expr: sp.Add) -> tuple[sp.Expr, sp.Expr, sp.Expr] | None:
    """The first pair of terms m·cos(x)² and m·sin(x)² of a sum (m the same product, coefficient
    included), as (cos term, sin term, m)."""
    terms = set(expr.args)
    for term in expr.args:
        factors = sp.Mul.make_args(term)
        for f in factors:
            x = _square_of(f, sp.cos)
            if x is None:
                continue
            m = sp.Mul(*(g for g in factors if g is not f))
            partner = m * sp.sin(x) ** 2
            if partner in terms:
                return term, partner, m
    return None


@rule("pythagorean", r"m \cos^{2} x + m \sin^{2} x = m", sp.Add,
      side_conditions="none: cos^2 x + sin^2 x = 1 for every real x")
def pythagorean(expr: sp.Add, ctx: Context):
    """Sound for every real x and every value of m: m cos² x + m sin² x = m (cos² x + sin² x) = m."""
    found = pythagorean_pair(expr)
    if found is None:
        return expr
    c, s, m = found
    return sp.Add(*(t for t in expr.args if t != c and t != s)) + m


TRIG = RuleSet("trig", (angle_addition, pythagorean))
