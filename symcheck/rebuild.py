"""Rebuilding a node with new arguments: exactly `node.func(*args)`, without sympy's full flatten when it can.

Every rewrite step rebuilds the ancestors of its redex, and a sum or product rebuilt by its
constructor is flattened, its powers regathered, its factors' assumptions asked and its arguments
sorted again — about half of a step's time on a large expression. Most of the time the new
arguments are already canonical with respect to one another: no two share a base (a product) or
a term (a sum), none is a nested product/sum or a number out of place. Then sympy's result is its
own coefficient followed by the other arguments in its canonical order, and `rebuild` builds
exactly that. An exponential of a product is the other costly constructor (its evaluation looks
for logarithms and multiples of iπ in every factor): where the product has no node such a search
could find (`_plain`), its evaluation returns nothing, so the unevaluated node is what the
constructor builds. Otherwise it calls the constructor. The result is the same tree either way (a
different tree would change the rewrite trace, which certificates pin down, and a checker that
rebuilds with the constructor would reject it), so this is a speed-up, never a change of meaning.
"""

from __future__ import annotations

from functools import lru_cache

import sympy as sp
from sympy.core.basic import _args_sortkey      # the key Mul.flatten and Add.flatten sort by
from sympy.core.parameters import global_parameters

from .nodes.spec import Node

__all__ = ["rebuild"]


def rebuild(node: sp.Basic, args) -> sp.Basic:
    """`node.func(*args)`: the same tree, cheaper for a sum or product whose arguments stay canonical."""
    cls = type(node)
    if len(args) > 1 and (cls is sp.Mul or cls is sp.Add) and global_parameters.evaluate and global_parameters.distribute:
        out = _assoc(cls, tuple(args))
        if out is not None:
            return cls._exec_constructor_postprocessors(out)
    if cls is sp.exp and _exp_stays(args[0]):
        return sp.exp(args[0], evaluate=False)
    return node.func(*args)


def _exp_stays(arg: sp.Basic) -> bool:
    """Does `exp(arg)` come back as itself? For a product of plain factors, `exp.eval` returns nothing: with no
    iπ it finds no multiple of iπ, with no infinite coefficient and no logarithm its scan of the factors ends
    at the first one that is not a number or with none found; and `Function` evaluates numerically only a Float
    or a sum. Only `exp` itself: a subclass may evaluate otherwise."""
    return (isinstance(arg, sp.Mul) and global_parameters.evaluate and not global_parameters.exp_is_pow
            and _plain(arg))


_PLAIN = (sp.Symbol, sp.Rational, sp.Indexed, sp.IndexedBase, sp.Mul, sp.Add, sp.Pow, sp.Tuple, sp.Lambda,
          sp.core.symbol.Str, sp.Equality, sp.LessThan, sp.Mod, sp.floor, Node)


@lru_cache(maxsize=200_000)
def _plain(e: sp.Basic) -> bool:
    """Is `e` made only of finite rationals, symbols, arithmetic and symcheck's own nodes: no iπ, logarithm,
    infinity, float or other function anywhere (what an exponential's evaluation could act on)?
    `exp` is allowed only as a factor's own power (`exp(plain)`): it holds no logarithm either."""
    if not isinstance(e, _PLAIN) and type(e) is not sp.exp:
        return False
    return all(_plain(a) for a in e.args)


def _assoc(cls, args: tuple) -> sp.Expr | None:
    """The product or sum of canonical, mutually independent arguments, else None (call the constructor)."""
    if not all(isinstance(a, sp.Expr) for a in args):
        return None
    coeff, rest = (args[0], args[1:]) if args[0].is_Number else (None, args)
    if coeff is not None and (coeff is cls.identity or coeff.is_zero or not coeff.is_finite):
        return None
    key = _factor_base if cls is sp.Mul else _term_key
    keys = set()
    for a in rest:
        k = key(a)
        if k is None or k in keys:
            return None
        keys.add(k)
    if coeff is not None and len(rest) == 1 and rest[0].is_Add:
        return None      # Rational·(a + b): sympy distributes (Mul) or keeps the pair as given (Add)
    return cls._from_args((() if coeff is None else (coeff,)) + tuple(sorted(rest, key=_args_sortkey)), True)


@lru_cache(maxsize=200_000)
def _factor_base(f: sp.Expr):
    """The base under which Mul.flatten files the factor `f`, if that is all it does with it (alone it
    comes back unchanged, and it joins others only through a shared base); else None. A factor that is
    its own base (no power) comes back unchanged by construction; a power is rebuilt, so it is tried."""
    if (f.is_Number or f.is_Mul or f.is_Order or f is sp.S.ImaginaryUnit or f.is_commutative is not True
            or isinstance(f, sp.AccumBounds)):
        return None
    base, ex = f.as_base_exp()
    if ex is sp.S.One and base is f:
        return f
    if base.is_Number or sp.Mul.flatten([f]) != ([f], [], None):
        return None
    return base


@lru_cache(maxsize=200_000)
def _term_key(t: sp.Expr):
    """The term (coefficient removed) under which Add.flatten collects `t`, if that is all it does with it
    (alone it comes back unchanged, and it joins others only through a shared term); else None."""
    if (t.is_Number or t.is_Add or t.is_Order or t.is_commutative is not True
            or isinstance(t, (sp.AccumBounds, sp.MatrixExpr)) or sp.Add.flatten([t]) != ([t], [], None)):
        return None
    return t.as_coeff_Mul()[1] if t.is_Mul else t
