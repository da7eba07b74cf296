"""Finite sums and products over integer ranges: `Sigma` and `Prod`, the binders of index expressions.

`Sigma(f, j, lo, hi)` means f(lo) + ... + f(hi) and is **0 when hi < lo**; its
body is never evaluated on an empty range. It is our own node, not sympy's `Sum`,
which follows Karr's convention for reversed ranges and merges nested sums on
construction. We never call sympy's `doit`/`simplify` on it. `Prod(f, j, lo, hi)`
is f(lo) · ... · f(hi), **1 when hi < lo**; no rule rewrites it yet.
"""

from __future__ import annotations

from functools import cached_property

import numpy as np
import sympy as sp

from .spec import Binder, Node, NodeSpec, register

__all__ = ["Sigma", "Prod", "make_sum", "sum_parts", "is_sum"]


class _Range(Node, sp.Expr):
    """A big operator over an integer range: binds `var` in `body`, over lo..hi."""

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


class Sigma(_Range):
    """Σ_{var=lo}^{hi} body over integers; empty (0) when hi < lo. Binds `var`."""


class Prod(_Range):
    """Π_{var=lo}^{hi} body over integers; empty (1) when hi < lo. Binds `var`."""


def make_sum(body: sp.Expr, var: sp.Symbol, lo, hi) -> sp.Expr:
    """Σ_{var=lo}^{hi} body, under symcheck's empty-range convention."""
    return Sigma(body, var, lo, hi)


def is_sum(expr) -> bool:
    return isinstance(expr, Sigma)


def sum_parts(expr: Sigma):
    """(body, var, lo, hi) of a sum."""
    return expr.args


def _latex(op: str):
    def latex(printer, e: _Range) -> str:
        body = printer._print(e.body)
        if isinstance(e.body, sp.Add):
            body = rf"\left({body}\right)"
        return rf"{op}_{{{printer._print(e.var)}={printer._print(e.lo)}}}^{{{printer._print(e.hi)}}} {body}"
    return latex


def _text(op: str):
    def text(printer, e: _Range) -> str:
        p = printer._print
        return f"{op}_{{{p(e.var)}={p(e.lo)}}}^{{{p(e.hi)}}}({p(e.body)})"
    return text


def _off_by_one(e: _Range) -> list:
    return [("off-by-one", e.func(e.body, e.var, e.lo, e.hi + 1)), ("off-by-one", e.func(e.body, e.var, e.lo, e.hi - 1)),
            ("off-by-one", e.func(e.body, e.var, e.lo + 1, e.hi))]


def _product(ev, e: Prod, env):
    """Strongly zero, like a product of factors: an exact 0 term gives 0 whatever the others are."""
    def reduce(a, axis, keepdims):
        zero = (a == 0).any(axis=axis, keepdims=keepdims)
        return np.where(zero, ev.b.zero, np.prod(a, axis=axis, keepdims=keepdims))
    return ev.reduce_range(e, env, 1, reduce)


_BINDER = Binder(var=1, body=0, lo=2, hi=3, commutes=True)
register(NodeSpec(Sigma, value=lambda ev, e, env: ev.reduce_range(e, env, 0, np.sum, contract=True), latex=_latex(r"\sum"),
                  text=_text("Σ"), binder=_BINDER, mutations=_off_by_one))
register(NodeSpec(Prod, value=_product, latex=_latex(r"\prod"), text=_text("Π"), binder=_BINDER,
                  mutations=_off_by_one))
