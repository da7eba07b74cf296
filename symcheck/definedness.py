"""Where is an expression defined, and where is it positive?

Products are strongly zero (0 · undefined = 0, see `evaluate`), so moving a
factor c across a sum or a bracket, c·Σ_j f(j) = Σ_j c·f(j), is sound only if c
is defined: if the f(j) cancel to 0 the left side is 0 while the right side is
undefined. Softmax denominators (Σ exp) are the usual c; they are positive
exactly when their own range is nonempty. These conservative checks answer `True` only when
that is certain; `False` means "not known". LayerNorm's (var + ε)^(-1/2) needs one
more notion: a sum of nonnegative terms with one positive term is positive.
"""

from __future__ import annotations

import sympy as sp

from .context import Context
from .index import Element, Entry, Iverson, Power, Relu, Sigma
from .matrix import MatInput
from .memory import MemoryCell, WriteWeight

__all__ = ["always_defined", "positive", "nonnegative"]

_TOTAL = (sp.Symbol, sp.Indexed, Element, Iverson, MemoryCell, WriteWeight)


def always_defined(e: sp.Expr, ctx: Context) -> bool:
    if e.is_Number:
        return bool(e.is_finite)
    if isinstance(e, _TOTAL):
        return True
    if isinstance(e, Entry):
        return isinstance(e.term, MatInput)         # an input's entry is a real number
    if isinstance(e, (sp.Add, sp.Mul)):
        return all(always_defined(a, ctx) for a in e.args)
    if isinstance(e, (sp.exp, Relu, sp.Abs)):
        return always_defined(e.args[0], ctx)
    if isinstance(e, (sp.Pow, Power)):
        base, ex = e.args
        if ex.is_Integer and ex >= 0:
            return always_defined(base, ctx)
        return positive(base, ctx)
    if isinstance(e, Sigma):
        return always_defined(e.body, ctx.enter_sum(e.var, e.lo, e.hi))
    return False


def positive(e: sp.Expr, ctx: Context) -> bool:
    if e.is_Number:
        return bool(e.is_positive)
    if isinstance(e, sp.Symbol):
        return bool(e.is_positive)
    if isinstance(e, sp.exp):
        return always_defined(e.args[0], ctx)
    if isinstance(e, sp.Mul):
        return all(positive(a, ctx) for a in e.args)
    if isinstance(e, sp.Add):
        return all(nonnegative(a, ctx) for a in e.args) and any(positive(a, ctx) for a in e.args)
    if isinstance(e, (sp.Pow, Power)):
        return positive(e.args[0], ctx) and always_defined(e.args[1], ctx)
    if isinstance(e, Sigma):
        return ctx.nonempty(e.lo, e.hi) and positive(e.body, ctx.enter_sum(e.var, e.lo, e.hi))
    return False


def nonnegative(e: sp.Expr, ctx: Context) -> bool:
    """Defined and >= 0 (squares, brackets, ReLU, and sums and products of such)."""
    if e.is_Number:
        return bool(e.is_nonnegative)
    if isinstance(e, (Iverson, sp.exp)) or positive(e, ctx):
        return always_defined(e, ctx)
    if isinstance(e, Relu):
        return always_defined(e.args[0], ctx)
    if isinstance(e, (sp.Add, sp.Mul)):
        return all(nonnegative(a, ctx) for a in e.args)
    if isinstance(e, (sp.Pow, Power)):
        base, ex = e.args
        if ex.is_Integer and ex >= 0 and ex % 2 == 0:
            return always_defined(base, ctx)
        return nonnegative(base, ctx) and ex.is_Integer and ex >= 0
    if isinstance(e, Sigma):
        return nonnegative(e.body, ctx.enter_sum(e.var, e.lo, e.hi))
    return False
