"""The index-level vocabulary: integer index symbols, Iverson brackets, sums.

Expressions at this level are ordinary sympy trees plus two node types of our
own. Semantics that matter for soundness are fixed here, once:

* `Sigma(f, j, lo, hi)` means f(lo) + ... + f(hi) and is **0 when hi < lo**;
  its body is never evaluated on an empty range. It is our own node, not
  sympy's `Sum`, which follows Karr's convention for reversed ranges and merges
  nested sums on construction. We never call sympy's `doit`/`simplify` here.
* `Iverson(P)` is 1 if the integer condition P holds, else 0. Conditions are
  stored in one canonical form (`a <= b` or `a = b` with affine sides) so that
  equal guards are identical trees.
* Indices and sizes are integer symbols; sizes are >= 1.
"""

from __future__ import annotations

from fractions import Fraction
from math import gcd
from functools import cached_property

import sympy as sp

from .affine import affine
from .errors import ClaimError

__all__ = [
    "Iverson", "Relu", "Entry", "Element", "index", "indices", "size", "sizes",
    "Sigma", "make_sum", "sum_parts", "is_sum", "Power", "Log", "power", "reciprocal",
]


def size(name: str) -> sp.Symbol:
    """A symbolic size (sequence length, width, heads ...): a positive integer."""
    return sp.Symbol(name, integer=True, positive=True)


def sizes(names: str) -> tuple[sp.Symbol, ...]:
    return tuple(size(n) for n in names.split())


def index(name: str) -> sp.Symbol:
    """An index symbol (positions, slots, coordinates): an integer."""
    return sp.Symbol(name, integer=True)


def indices(names: str) -> tuple[sp.Symbol, ...]:
    return tuple(index(n) for n in names.split())


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


class Iverson(sp.Function):
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

    def _sympystr(self, printer):
        return f"[{printer._print(self.args[0])}]"

    def _latex(self, printer):
        return rf"[{printer._print(self.args[0])}]"


class Relu(sp.Function):
    """relu(x) = max(0, x). Our own node: sympy's Max inspects its arguments (factor_terms) on
    every construction, which costs minutes on a Transformer layer's expressions."""

    nargs = 1
    is_real = True

    @classmethod
    def eval(cls, x):
        if x.is_Number:
            return x if x > 0 else sp.S.Zero
        return None

    def _sympystr(self, printer):
        return f"relu({printer._print(self.args[0])})"


class Power(sp.Function):
    """base^exponent where sympy must not fold: an exponent that is not a natural number on a base
    sympy cannot show positive.

    sympy's constructors merge powers of one base (x·x⁻¹ → 1, √x·√x → x). Under symcheck's
    total semantics (x⁻¹ = 0 at x = 0, x^r = 0 for x < 0 and r not an integer) those merges
    are false, so such powers live in this node, which sympy treats as an opaque factor:
    only a named rule with a proved side condition may cancel it. Integer powers of a
    `Power` (its square) are ordinary ring arithmetic and stay sympy's.
    """

    nargs = 2
    is_real = True

    @classmethod
    def eval(cls, base, ex):
        if base.is_Number and ex.is_Number:
            return total_power(base, ex)
        return None

    def _sympystr(self, printer):
        base, ex = (printer._print(a) for a in self.args)
        return f"1/({base})" if self.args[1] == -1 else f"({base})^({ex})"


def total_power(base: sp.Number, ex: sp.Number) -> sp.Expr:
    """base^ex for numbers, total: 0 where the real power is undefined (0^-1, (-1)^(1/2))."""
    if ex.is_Integer and ex >= 0:
        return base ** ex
    if base.is_positive or (base.is_negative and ex.is_Integer):
        return sp.Pow(base, ex)
    return sp.S.Zero


def power(base, ex) -> sp.Expr:
    """base^ex built so that sympy cannot cancel it behind the rules' back (see `Power`)."""
    base, ex = sp.sympify(base), sp.sympify(ex)
    if (ex.is_Integer and ex >= 0) or base.is_positive is True:
        return sp.Pow(base, ex)
    return Power(base, ex)


def reciprocal(x) -> sp.Expr:
    """1/x under the total semantics (0 at x = 0)."""
    return power(x, -1)


class Log(sp.Function):
    """The natural logarithm, total: log x for x > 0, else 0. sympy's `log` is not used because
    its constructors fold exp(log x) → x, which is false for x <= 0."""

    nargs = 1
    is_real = True

    def _sympystr(self, printer):
        return f"log({printer._print(self.args[0])})"


class Entry(sp.Expr):
    """Entry (i, j) of a matrix-level term: the bridge from matrices to indices."""

    is_commutative = True

    def __new__(cls, term, i, j):
        return sp.Basic.__new__(cls, term, sp.sympify(i), sp.sympify(j))

    @property
    def term(self):
        return self.args[0]

    def _sympystr(self, printer):
        from .matrix import MatInput
        term = printer._print(self.term)
        term = term if isinstance(self.term, MatInput) else f"({term})"
        return f"{term}[{printer._print(self.args[1])},{printer._print(self.args[2])}]"


class Sigma(sp.Expr):
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

    def _sympystr(self, printer):
        p = printer._print
        return f"Σ_{{{p(self.var)}={p(self.lo)}}}^{{{p(self.hi)}}}({p(self.body)})"


class Element(sp.Expr):
    """An entry X[i, j, ...] of an input tensor: a real number, an atom for the rules."""

    is_commutative = True
    is_real = True

    def __new__(cls, tensor, *indices):
        return sp.Basic.__new__(cls, tensor, *map(sp.sympify, indices))

    tensor = property(lambda self: self.args[0])
    indices = property(lambda self: self.args[1:])

    def _sympystr(self, printer):
        return f"{self.tensor.name}[{','.join(printer._print(i) for i in self.indices)}]"


def make_sum(body: sp.Expr, var: sp.Symbol, lo, hi) -> sp.Expr:
    """Σ_{var=lo}^{hi} body, under symcheck's empty-range convention."""
    return Sigma(body, var, lo, hi)


def is_sum(expr) -> bool:
    return isinstance(expr, Sigma)


def sum_parts(expr: Sigma):
    """(body, var, lo, hi) of a sum."""
    return expr.args
