"""Iverson brackets [P] and the one canonical form of the integer relations inside them.

`Iverson(P)` is 1 if the integer condition P holds, else 0. Conditions are stored
in one canonical form (`a <= b` or `a = b` with affine sides) so that equal
guards are identical trees. The relations and connectives themselves are sympy's;
they are registered here as the vocabulary a bracket may contain (their truth is
evaluated by the bracket).
"""

from __future__ import annotations

from fractions import Fraction
from math import gcd

import numpy as np
import sympy as sp
from sympy.logic.boolalg import BooleanFalse, BooleanTrue

from ..affine import affine
from ..errors import ClaimError
from .spec import Node, NodeSpec, UnknownNode, register

__all__ = ["Iverson"]


def _rat(c: Fraction) -> sp.Rational:
    return sp.Rational(c.numerator, c.denominator)


def _side(items, const, symbols) -> sp.Expr:
    return sp.Add(_rat(const), *(_rat(c) * symbols[k] for k, c in items))


_ORDER = (sp.StrictLessThan, sp.StrictGreaterThan, sp.GreaterThan, sp.LessThan)


def _integer_form(diff: sp.Expr):
    """`diff` as an affine form with integer coefficients and constant, scaled by a positive
    factor; None unless every symbol is an integer (then the form is integer-valued)."""
    form = affine(diff)
    if form is None:
        return None
    items, const = form
    scale = 1
    for c in (const, *(c for _, c in items)):
        scale = scale * c.denominator // gcd(scale, c.denominator)
    return tuple((k, c * scale) for k, c in items), const * scale


def _canonical_relation(cond: sp.Basic) -> sp.Basic:
    """Rewrite an integer relation as `a <= b` / `a = b` with integer coefficients, positive terms only.

    A strict `a < b` becomes `a <= b - 1` only after scaling `b - a` to integer coefficients
    (`t < T/2` is `2t <= T - 1`, not `t + 1 <= T/2`), and only when every symbol in it is an
    integer: otherwise the relation is kept as written."""
    if isinstance(cond, _ORDER):
        lo, hi = (cond.lhs, cond.rhs) if isinstance(cond, (sp.StrictLessThan, sp.LessThan)) else (cond.rhs, cond.lhs)
        strict = isinstance(cond, (sp.StrictLessThan, sp.StrictGreaterThan))
        form = _integer_form(hi - lo)
        if form is None:
            return sp.Lt(lo, hi, evaluate=False) if strict else sp.Le(lo, hi, evaluate=False)
        items, const = form
        const -= 1 if strict else 0
        symbols = {s.name: s for s in cond.free_symbols}
        if not items:
            return sp.true if const >= 0 else sp.false
        pos = [(k, c) for k, c in items if c > 0]
        neg = [(k, -c) for k, c in items if c < 0]
        return sp.Le(_side(neg, max(-const, 0), symbols), _side(pos, max(const, 0), symbols), evaluate=False)
    if isinstance(cond, sp.Equality):
        form = _integer_form(cond.rhs - cond.lhs)
        if form is None:
            return cond
        items, const = form
        symbols = {s.name: s for s in cond.free_symbols}
        if not items:
            return sp.true if const == 0 else sp.false
        if items[0][1] < 0:
            items, const = tuple((k, -c) for k, c in items), -const
        pos = [(k, c) for k, c in items if c > 0]
        neg = [(k, -c) for k, c in items if c < 0]
        return sp.Eq(_side(neg, max(-const, 0), symbols), _side(pos, max(const, 0), symbols), evaluate=False)
    return cond


class Iverson(Node, sp.Function):
    """[P]: 1 if P holds, else 0. A conjunction splits into a product of brackets."""

    nargs = 1
    is_real = True
    is_nonnegative = True

    @classmethod
    def eval(cls, cond):
        if cond is sp.true:
            return sp.S.One
        if cond is sp.false:
            return sp.S.Zero
        if isinstance(cond, sp.And):
            return sp.Mul(*(cls(c) for c in cond.args))
        if isinstance(cond, sp.Or):                    # [P ∨ Q] = [P] + [Q] − [P][Q], ring arithmetic
            first, rest = cls(cond.args[0]), cls(sp.Or(*cond.args[1:]))
            return first + rest - first * rest
        if isinstance(cond, sp.Not):
            return 1 - cls(cond.args[0])
        if isinstance(cond, sp.Unequality):
            return 1 - cls(sp.Eq(cond.lhs, cond.rhs, evaluate=False))
        if not isinstance(cond, (sp.Equality, *_ORDER)):
            raise ClaimError(f"an Iverson bracket takes a relation (<=, <, >=, >, =, !=) or And/Or/Not of "
                             f"relations, got {cond}", field="condition")
        canon = _canonical_relation(cond)
        if canon is sp.true:
            return sp.S.One
        if canon is sp.false:
            return sp.S.Zero
        if canon != cond:
            return cls(canon)
        return None


_RELATIONS = {sp.LessThan: np.less_equal, sp.StrictLessThan: np.less, sp.GreaterThan: np.greater_equal,
              sp.StrictGreaterThan: np.greater, sp.Equality: np.equal, sp.Unequality: np.not_equal}


def _truth(ev, cond, env) -> np.ndarray:
    """A condition's truth on the grid: every relation by its own meaning, and the connectives."""
    if cond is sp.true or cond is sp.false:
        return np.array(cond is sp.true).reshape((1,) * ev.ndim)
    if isinstance(cond, sp.And):
        return np.logical_and.reduce([_truth(ev, c, env) for c in cond.args])
    if isinstance(cond, sp.Or):
        return np.logical_or.reduce([_truth(ev, c, env) for c in cond.args])
    if isinstance(cond, sp.Not):
        return ~_truth(ev, cond.args[0], env)
    relation = _RELATIONS.get(type(cond))
    if relation is None:
        raise UnknownNode(type(cond))
    return relation(_real(ev.val(cond.lhs, env)), _real(ev.val(cond.rhs, env)))


def _real(a):
    return np.asarray(a, dtype=float) if a.dtype != object else a


def _value(ev, e: Iverson, env):
    return ev.b.convert(_truth(ev, e.args[0], env).astype(int))


def _latex(printer, e: Iverson, exp=None) -> str:
    out = printer.macro("iverson", printer._print(e.args[0]))
    return f"{out}^{{{exp}}}" if exp else out


def _mutations(e: Iverson) -> list:
    if isinstance(e.args[0], sp.LessThan):
        lo, hi = e.args[0].lhs, e.args[0].rhs
        return [("strict-vs-inclusive", Iverson(sp.Le(lo, hi - 1))), ("strict-vs-inclusive", Iverson(sp.Le(lo, hi + 1))),
                ("drop-guard", sp.S.One)]
    return [("drop-guard", sp.S.One)]


register(NodeSpec(Iverson, value=_value, latex=_latex, text=lambda p, e: f"[{p._print(e.args[0])}]",
                  mutations=_mutations))
for _kind in (*_RELATIONS, sp.And, sp.Or, sp.Not, BooleanTrue, BooleanFalse):
    register(NodeSpec(_kind))
