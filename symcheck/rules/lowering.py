"""Matrix level to index level: the entry of every matrix term, one rule per term."""

from __future__ import annotations

import sympy as sp

from ..binders import fresh
from ..index import Entry, make_sum, reciprocal
from ..matrix import MaskedSoftmax, MatInput, MatProd, MatScale, MatT, mask_guard
from .base import RuleSet, rule

__all__ = ["LOWERING"]


@rule("entry-input", r"(X)_{ij} = X_{ij}", Entry)
def entry_input(expr, ctx):
    """Sound by definition: the entry of an input matrix is that input's entry; no size matters."""
    if not isinstance(expr.term, MatInput):
        return expr
    _, i, j = expr.args
    return expr.term.base[i, j]


@rule("entry-transpose", r"(A^\top)_{ij} = A_{ji}", Entry)
def entry_transpose(expr, ctx):
    """Sound by definition of the transpose, for every shape (the indices only swap)."""
    if not isinstance(expr.term, MatT):
        return expr
    _, i, j = expr.args
    return Entry(expr.term.args[0], j, i)


@rule("entry-scale", r"(cA)_{ij} = c\,A_{ij}", Entry)
def entry_scale(expr, ctx):
    """Sound by definition of a scalar multiple, entrywise, for every shape."""
    if not isinstance(expr.term, MatScale):
        return expr
    c, a = expr.term.args
    _, i, j = expr.args
    return c * Entry(a, i, j)


@rule("entry-matmul", r"(AB)_{ij} = \sum_{k=1}^{n} A_{ik} B_{kj}", Entry,
      side_conditions="k fresh; n = columns of A")
def entry_matmul(expr, ctx):
    """Sound by definition of the product for every inner size n >= 1; k is fresh against every
    name at the position, so no index of A or B is captured."""
    if not isinstance(expr.term, MatProd):
        return expr
    a, b = expr.term.args
    _, i, j = expr.args
    k = fresh(ctx.avoid(expr), "k")
    return make_sum(Entry(a, i, k) * Entry(b, k, j), k, 1, a.cols)


@rule("entry-masked-softmax",
      r"\operatorname{softmax}(A + \log M)_{ij} = \frac{[M_{ij}]\, e^{A_{ij}}}{\sum_{k=1}^{n} [M_{ik}]\, e^{A_{ik}}}",
      Entry, side_conditions="exp(log 0) = 0: a masked entry gets weight 0")
def entry_masked_softmax(expr, ctx):
    """Sound by definition of the row softmax of A + log M, with exp(log 0) = 0 for a masked entry;
    under the total semantics a fully masked row (denominator 0) is 0 on both sides."""
    if not isinstance(expr.term, MaskedSoftmax):
        return expr
    a = expr.term.args[0]
    mask = expr.term.mask
    _, i, j = expr.args
    k = fresh(ctx.avoid(expr), "k")
    z = make_sum(mask_guard(mask, i, k) * sp.exp(Entry(a, i, k)), k, 1, a.cols)
    return mask_guard(mask, i, j) * sp.exp(Entry(a, i, j)) * reciprocal(z)


LOWERING = RuleSet("lowering", (entry_input, entry_transpose, entry_scale, entry_matmul, entry_masked_softmax))
