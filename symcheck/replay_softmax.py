"""The checker's own table entry for the softmax shift: e^{A}·(Σ_k r_k e^{B_k})^{-1} = e^{A-c}·(Σ_k r_k e^{B_k-c})^{-1}.

The identity holds for every c that does not depend on the summation index (e^{c} > 0 is never 0, and
1/0 = 0 on both sides), so the checker accepts any such shift, not only the one the prover picks: it reads
c off the step (the numerator's exponent before minus after), rebuilds the whole contractum from the
redex and c with its own code, and compares modulo α. Nothing here comes from the prover's rules.
"""

from __future__ import annotations

import sympy as sp

from .index import Power, Sigma
from .replay_alpha import alpha_equal
from .replay_exact import checker_power

__all__ = ["SOFTMAX_RULES"]


def _exp_split(factors) -> tuple[sp.Expr, sp.Expr] | None:
    """(the product of the non-exponential factors, the exponent of the one exponential or 0); None for two."""
    exps = [f for f in factors if isinstance(f, sp.exp)]
    if len(exps) > 1:
        return None
    return sp.Mul(*(f for f in factors if not isinstance(f, sp.exp))), (exps[0].args[0] if exps else sp.S.Zero)


def _factors(e) -> tuple:
    return e.args if isinstance(e, sp.Mul) else (e,)


def _term_shifted(term, c):
    split = _exp_split(_factors(term))
    return None if split is None else split[0] * sp.exp(split[1] - c)


def _shifted(denominator, c):
    """Σ r e^{B - c} for a normaliser Σ r e^{B} (over a range, c free of its index, or a finite sum), or None."""
    if isinstance(denominator, Sigma):
        if denominator.var in c.free_symbols:
            return None
        body = _term_shifted(denominator.body, c)
        return None if body is None else Sigma(body, denominator.var, denominator.lo, denominator.hi)
    if isinstance(denominator, sp.Add):
        terms = [_term_shifted(a, c) for a in denominator.args]
        return None if any(t is None for t in terms) else sp.Add(*terms)
    return None


def _softmax_shift(r, c, site):
    """Some reciprocal factor D^{-1} of the redex (a sum over a range or a finite sum) is shifted by a c ≠ 0 free
    of D's index, and the redex's exponential (if any) by the same c: c = its exponent minus the contractum's."""
    factors = _factors(r)
    after = _exp_split(_factors(c))
    if after is None:
        return "the contractum has two exponentials"
    for k, f in enumerate(factors):
        if not (isinstance(f, (Power, sp.Pow)) and f.args[1] == -1):
            continue
        others = _exp_split(factors[:k] + factors[k + 1:])
        if others is None:
            continue
        rest, a = others
        shift = a - after[1]
        denominator = _shifted(f.args[0], shift)
        if shift == 0 or denominator is None:
            continue
        if alpha_equal(rest * sp.exp(a - shift) * checker_power(denominator, -1), c):
            return None
    return "not a softmax normaliser and its numerator shifted by one c free of the summation index"


SOFTMAX_RULES = {"softmax-shift": _softmax_shift}
