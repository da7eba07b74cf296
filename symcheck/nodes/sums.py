"""Finite sums over integer ranges: `Sigma`, the one binder of index expressions.

`Sigma(f, j, lo, hi)` means f(lo) + ... + f(hi) and is **0 when hi < lo**; its
body is never evaluated on an empty range. It is our own node, not sympy's `Sum`,
which follows Karr's convention for reversed ranges and merges nested sums on
construction. We never call sympy's `doit`/`simplify` on it.
"""

from __future__ import annotations

from functools import cached_property

import numpy as np
import sympy as sp

from .spec import Binder, Node, NodeSpec, register

__all__ = ["Sigma", "make_sum", "sum_parts", "is_sum"]


class Sigma(Node, sp.Expr):
    """Σ_{var=lo}^{hi} body over integers; empty (0) when hi < lo. Binds `var`."""

    is_commutative = True

    def __new__(cls, body, var, lo, hi):
        return sp.Basic.__new__(cls, sp.sympify(body), var, sp.sympify(lo), sp.sympify(hi))

    body = property(lambda self: self.args[0])
    var = property(lambda self: self.args[1])
    lo = property(lambda self: self.args[2])
    hi = property(lambda self: self.args[3])

    @cached_property
    def free_symbols(self):
        var = self.var
        inner = {s for s in self.body.free_symbols
                 if s != var and not (not isinstance(s, sp.Symbol) and var in s.free_symbols)}
        return inner | self.lo.free_symbols | self.hi.free_symbols


def make_sum(body: sp.Expr, var: sp.Symbol, lo, hi) -> sp.Expr:
    """Σ_{var=lo}^{hi} body, under symcheck's empty-range convention."""
    return Sigma(body, var, lo, hi)


def is_sum(expr) -> bool:
    return isinstance(expr, Sigma)


def sum_parts(expr: Sigma):
    """(body, var, lo, hi) of a sum."""
    return expr.args


def _latex(printer, e: Sigma) -> str:
    body = printer._print(e.body)
    if isinstance(e.body, sp.Add):
        body = rf"\left({body}\right)"
    return rf"\sum_{{{printer._print(e.var)}={printer._print(e.lo)}}}^{{{printer._print(e.hi)}}} {body}"


def _text(printer, e: Sigma) -> str:
    p = printer._print
    return f"Σ_{{{p(e.var)}={p(e.lo)}}}^{{{p(e.hi)}}}({p(e.body)})"


def _off_by_one(e: Sigma) -> list:
    return [("off-by-one", Sigma(e.body, e.var, e.lo, e.hi + 1)), ("off-by-one", Sigma(e.body, e.var, e.lo, e.hi - 1)),
            ("off-by-one", Sigma(e.body, e.var, e.lo + 1, e.hi))]


register(NodeSpec(Sigma, value=lambda ev, e, env: ev.reduce_range(e, env, 0, np.sum), latex=_latex, text=_text,
                  binder=Binder(var=1, body=0, lo=2, hi=3, commutes=True), mutations=_off_by_one))
