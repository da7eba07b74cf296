"""The checker's own table for three guard rules: substitution under an equality bracket, joining
[a + 1 <= b] + [a = b] into [a <= b], and the difference [a <= b] − [a + 1 <= b] = [a = b].

Written from the rules' statements, sharing no code with `rules/guards.py`. Neither needs a fact
from the redex's surroundings: the substitution is sound for any x with coefficient ±1 in the
equation (inside the product x is one number, the one the bracket names), and the join needs only
that b − a is an integer, which the checker re-derives from the brackets' own affine forms.
"""

from __future__ import annotations


import sympy as sp

from .index import Iverson
from .replay_alpha import alpha_equal, subst as substitute
from .replay_entail import linear

__all__ = ["GUARD_RULES"]


def _solutions(cond):
    """Every (x, e) with cond ⇔ x = e: x a symbol with coefficient ±1 in lhs − rhs, e free of x."""
    if not isinstance(cond, sp.Equality):
        return
    form = linear(cond.lhs - cond.rhs)
    if form is None:
        return
    coeffs, const = form
    for x, c in coeffs.items():
        if isinstance(x, sp.Symbol) and c in (1, -1):
            rest = sp.Add(*(sp.Rational(a.numerator, a.denominator) * y for y, a in coeffs.items() if y != x),
                          sp.Rational(const.numerator, const.denominator))
            yield x, -rest / int(c)


def _substitute(r, c, site):
    """[x = e]·f(x) → [x = e]·f(e) for a bracket factor of the product."""
    if not isinstance(r, sp.Mul):
        return "not a product"
    for f in r.args:
        if not isinstance(f, Iverson):
            continue
        for x, e in _solutions(f.args[0]):
            others = sp.Mul(*(g for g in r.args if g is not f))
            if alpha_equal(f * substitute(others, {x: e}), c):
                return None
    return "not the product with x replaced by e as its equality bracket [x = e] says"


def _affine_integer(e) -> dict | None:
    form = linear(e)
    if form is None or form[1].denominator != 1 or any(
            v.denominator != 1 or not k.is_integer for k, v in form[0].items()):
        return None
    return {k: v for k, v in form[0].items() if v != 0} | {1: form[1]}


def _join(r, c, site):
    """Σ + m·[l <= h] + m·[a = b] → Σ + m·[p <= q] when h − l + 1 = ±(b − a) = q − p, all integer-affine."""
    if not isinstance(r, sp.Add):
        return "not a sum"
    for u in r.args:
        for v in r.args:
            if u == v:
                continue
            for f in sp.Mul.make_args(u):
                if not (isinstance(f, Iverson) and isinstance(f.args[0], sp.LessThan)):
                    continue
                m = sp.Mul(*(g for g in sp.Mul.make_args(u) if g is not f))
                gap = _affine_integer(f.args[0].rhs - f.args[0].lhs + 1)
                for g in sp.Mul.make_args(v):
                    if not (isinstance(g, Iverson) and isinstance(g.args[0], sp.Equality) and v == m * g):
                        continue
                    eq = g.args[0]
                    diff = _affine_integer(eq.rhs - eq.lhs)
                    if gap is None or diff is None or gap not in (diff, {k: -x for k, x in diff.items()}):
                        continue
                    rest = [w for w in r.args if w != u and w != v]
                    joined = [w for w in sp.Add.make_args(c) if w not in rest]
                    if len(joined) != 1 or sp.Add(*rest) + joined[0] != c:
                        continue
                    new = [h for h in sp.Mul.make_args(joined[0]) if isinstance(h, Iverson)]
                    if any(isinstance(h.args[0], sp.LessThan) and joined[0] == m * h
                           and _affine_integer(h.args[0].rhs - h.args[0].lhs) == gap for h in new):
                        return None
    return "not m·[a + 1 <= b] + m·[a = b] joined into m·[a <= b]"


def _difference(r, c, site):
    """Σ + m·[l <= h] − m·[l' <= h'] → Σ + m·[a = b] when h' − l' = h − l − 1 and b − a = ±(h − l), all
    integer-affine."""
    if not isinstance(r, sp.Add):
        return "not a sum"
    for u in r.args:
        for f in sp.Mul.make_args(u):
            if not (isinstance(f, Iverson) and isinstance(f.args[0], sp.LessThan)):
                continue
            m = sp.Mul(*(g for g in sp.Mul.make_args(u) if g is not f))
            gap = _affine_integer(f.args[0].rhs - f.args[0].lhs)
            less = _affine_integer(f.args[0].rhs - f.args[0].lhs - 1)
            for v in r.args:
                partner = [g for g in sp.Mul.make_args(v) if isinstance(g, Iverson) and v == -m * g
                           and isinstance(g.args[0], sp.LessThan)
                           and _affine_integer(g.args[0].rhs - g.args[0].lhs) == less]
                if v == u or not partner or gap is None:
                    continue
                rest = [w for w in r.args if w != u and w != v]
                single = [w for w in sp.Add.make_args(c) if w not in rest]
                if len(single) != 1 or sp.Add(*rest) + single[0] != c:
                    continue
                if any(isinstance(h, Iverson) and isinstance(h.args[0], sp.Equality) and single[0] == m * h
                       and _affine_integer(h.args[0].rhs - h.args[0].lhs) in (gap, {k: -x for k, x in gap.items()})
                       for h in sp.Mul.make_args(single[0])):
                    return None
    return "not m·[a <= b] − m·[a + 1 <= b] rewritten to m·[a = b]"


GUARD_RULES = {"iverson-substitute": _substitute, "iverson-join": _join, "iverson-difference": _difference}
