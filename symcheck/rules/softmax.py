"""Softmax shift invariance: a common additive term of every logit cancels in a softmax.

A softmax's normaliser is a sum of exponentials, Σ_i r_i e^{B_i}, under a reciprocal. For any
real c, Σ_i r_i e^{B_i} = e^{c} Σ_i r_i e^{B_i - c}, so its reciprocal is e^{-c} (Σ_i r_i e^{B_i - c})^{-1}:
the term c leaves the normaliser and meets the numerator's exponential (`exp-merge`), where it
cancels. The running max of online softmax, FoX's per-query G_t, and the sigmoid's
1/(1 + e^{-a}) = e^{a}/(e^{a} + 1) are all this one identity with different c.
"""

from __future__ import annotations

import sympy as sp

from ..context import Context
from ..index import Power, Sigma, reciprocal
from .base import RuleSet, rule

__all__ = ["SOFTMAX"]


def _split_exp(term: sp.Expr) -> tuple[sp.Expr, sp.Expr] | None:
    """(r, B) with term = r·e^{B} and r free of a top-level exponential (B = 0 if there is none);
    None for a term with two or more exponential factors (not yet merged)."""
    factors = term.args if isinstance(term, sp.Mul) else (term,)
    exps = [f for f in factors if isinstance(f, sp.exp)]
    if len(exps) > 1:
        return None
    if not exps:
        return term, sp.S.Zero
    return sp.Mul(*(f for f in factors if f is not exps[0])), exps[0].args[0]


def _shifted(term: sp.Expr, c: sp.Expr) -> sp.Expr:
    """r·e^{B - c} for term = r·e^{B}: the term times e^{-c}, merged into its exponential."""
    r, b = _split_exp(term)
    return r * sp.exp(b - c)


def _reciprocal_base(expr: sp.Expr) -> sp.Expr | None:
    """D for a reciprocal D^{-1} (symcheck's total `Power`, or sympy's for a positive base), else None."""
    if isinstance(expr, (Power, sp.Pow)) and expr.args[1] == -1:
        return expr.args[0]
    return None


def _per_query_term(denominator: sp.Expr) -> sp.Expr:
    """For a normaliser Σ_k r_k e^{B_k}: the terms of B_k free of k (0 if none, or if it is no such sum)."""
    if not isinstance(denominator, Sigma):
        return sp.S.Zero
    parts = _split_exp(denominator.body)
    if parts is None:
        return sp.S.Zero
    terms = parts[1].args if isinstance(parts[1], sp.Add) else (parts[1],)
    return sp.Add(*(a for a in terms if denominator.var not in a.free_symbols))


def _is_finite_normaliser(denominator: sp.Expr) -> bool:
    """Whether D = Σ_i n_i e^{B_i} over finitely many slots: an Add of numbers times at most one
    exponential each, one exponential at least (a two-slot head's 1 + e^{a}, a sigmoid's 1 + e^{-a})."""
    if not isinstance(denominator, sp.Add):
        return False
    parts = [_split_exp(a) for a in denominator.args]
    return all(p is not None and p[0].is_Number for p in parts) and any(p[1] != 0 for p in parts)


def _normaliser(denominator: sp.Expr, c: sp.Expr) -> sp.Expr:
    """Σ r e^{B - c}: every term of the normaliser shifted by c."""
    if isinstance(denominator, Sigma):
        return Sigma(_shifted(denominator.body, c), denominator.var, denominator.lo, denominator.hi)
    return sp.Add(*(_shifted(term, c) for term in denominator.args))


def _finite(expr: sp.Mul) -> sp.Expr:
    """e^{A}·(Σ_i n_i e^{B_i})^{-1}·rest = (Σ_i n_i e^{B_i - A})^{-1}·rest: the numerator's exponential moves into
    a finite normaliser (c = A), so a softmax over fixed slots has one normal form whichever slot is on top."""
    exps = [f for f in expr.args if isinstance(f, sp.exp)]
    if len(exps) != 1:
        return expr
    for f in expr.args:
        denominator = _reciprocal_base(f)
        if denominator is not None and _is_finite_normaliser(denominator):
            rest = sp.Mul(*(g for g in expr.args if g is not f and g is not exps[0]))
            return rest * reciprocal(_normaliser(denominator, exps[0].args[0]))
    return expr


@rule("softmax-shift",
      r"e^{A}\Big(\sum_{k} r_k\, e^{B_k}\Big)^{-1} = e^{A - c}\Big(\sum_{k} r_k\, e^{B_k - c}\Big)^{-1}"
      r"\quad(c \text{ free of } k)",
      (Power, sp.Pow, sp.Mul),
      side_conditions="c is free of the summation index k: over a range, c is the part of the exponent free of k "
                      "(a per-query term); over finitely many slots (number coefficients), c = A; no other "
                      "condition: exp(c) > 0 for every real c")
def softmax_shift(expr: sp.Expr, ctx: Context):
    """Sound for every value of every term: Σ_k r_k e^{B_k} = e^{c} Σ_k r_k e^{B_k - c} by distributivity and
    e^{B} = e^{c} e^{B - c}, because c does not depend on k. Under the total semantics (1/0 = 0), with
    y = Σ_k r_k e^{B_k - c}: if y = 0 both sides are 0; otherwise (e^{c} y)^{-1} = e^{-c} y^{-1}, as e^{c} > 0 is
    never 0. A finite sum is the same identity over its terms. c is free of the bound index, so it is well
    scoped outside the sum. The shift is canonical, so the rule does not fire on its own result: a normaliser
    over a range keeps no term free of k, and a finite one leaves no exponential beside it."""
    if isinstance(expr, sp.Mul):
        return _finite(expr)
    c = _per_query_term(_reciprocal_base(expr))
    if c == 0:
        return expr
    return sp.exp(-c) * reciprocal(_normaliser(_reciprocal_base(expr), c))


SOFTMAX = RuleSet("softmax", (softmax_shift,))
