"""The arithmetic vocabulary: the sympy builtins symcheck allows, and its own total functions.

Builtins (symbols, numbers, +, ·, powers, exp, Abs, Mod, floor, input entries) keep
sympy's classes and mostly sympy's notation; their numeric semantics is stated here.
symcheck's own `Relu`, `Power` and `Log` exist because sympy's versions fold on
construction in ways that are false under symcheck's *total* semantics (x⁻¹ = 0 at
x = 0, log x = 0 for x <= 0; see `evaluate`).
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from sympy.core.symbol import Str
from sympy.printing.latex import LatexPrinter

from ..entrytex import entry_tex
from .spec import Node, NodeSpec, register
from .sums import Sigma

__all__ = ["Relu", "Power", "Log", "power", "reciprocal", "total_power"]


class Relu(Node, sp.Function):
    """relu(x) = max(0, x). Our own node: sympy's Max inspects its arguments (factor_terms) on
    every construction, which costs minutes on a Transformer layer's expressions."""

    nargs = 1
    is_real = True

    @classmethod
    def eval(cls, x):
        if x.is_Number:
            return x if x > 0 else sp.S.Zero
        return None


class Power(Node, sp.Function):
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


class Log(Node, sp.Function):
    """The natural logarithm, total: log x for x > 0, else 0. sympy's `log` is not used because
    its constructors fold exp(log x) → x, which is false for x <= 0."""

    nargs = 1
    is_real = True


# -- numeric semantics ---------------------------------------------------------------------------------
def _symbol(ev, e, env):
    return ev.b.convert(ev.idx(e, env))


def _add(ev, e, env):
    out = ev.val(e.args[0], env)
    for a in e.args[1:]:
        out = out + ev.val(a, env)
    return out


def _mul(ev, e, env):
    return strong_product(ev, [ev.val(a, env) for a in e.args])


def strong_product(ev, factors: list):
    """Products are strongly zero: an exact 0 factor gives 0 even beside an undefined one."""
    out = factors[0]
    zero = out == 0
    for v in factors[1:]:
        zero = zero | (v == 0)
        out = out * v
    return np.where(zero, ev.b.zero, out)


def _pow(ev, e, env):
    base, ex = e.args
    if ex.is_Integer and ex > 0:
        return _natural_power(ev.val(base, env), int(ex))
    return ev.b.power(ev.val(base, env), ev.val(ex, env))


def _natural_power(v, n: int):
    """v^n by repeated squaring (exact for mpmath values; a huge n costs log n products)."""
    out, square = None, v
    while n:
        if n & 1:
            out = square if out is None else out * square
        n >>= 1
        if n:
            square = square * square
    return out


def _indexed(ev, e, env):
    return ev.read_input(str(e.base.label), [ev.idx(i, env) for i in e.indices])


def _unary(fn):
    return lambda ev, e, env: fn(ev, ev.val(e.args[0], env))


_exp = _unary(lambda ev, v: ev.b.exp(v))
_log = _unary(lambda ev, v: ev.b.log(v))
_abs = _unary(lambda ev, v: abs(v))
_cos = _unary(lambda ev, v: ev.b.cos(v))
_sin = _unary(lambda ev, v: ev.b.sin(v))
_relu = _unary(lambda ev, v: np.where(v > 0, v, ev.b.zero))


def _power(ev, e, env):
    return ev.b.power(ev.val(e.args[0], env), ev.val(e.args[1], env))


def _integer_valued(ev, e, env):
    """Mod and floor as values: their integer index arithmetic, as an array of the backend."""
    return ev.b.convert(ev.idx(e, env))


def _in_range_integer_division(r, e, ctx):
    """Mod(p, q) and floor(p/q) are index arithmetic: p and q integer-valued (for floor, as the lowest-terms
    fraction of its argument), as the evaluator computes them and as the entailment's atoms assume (an
    integer Mod between 0 and q − 1). Mod of an input, or Mod(t, 3/2), is an input error, not a value."""
    parts = sp.fraction(sp.together(e.args[0])) if isinstance(e, sp.floor) else e.args
    for p in parts:
        r.integer(p, f"in {e}, the operand")
        r.walk(p, ctx)


# -- notation -------------------------------------------------------------------------------------------
def _raised(out: str, exp) -> str:
    return f"{out}^{{{exp}}}" if exp else out


def _latex_mul(printer, e):
    """Reciprocals (`Power` with a negative exponent) go below a fraction bar, as sympy prints its
    own negative powers: e^{a} V / Σ e, not e^{a} · (1/Σ e) · V."""
    below = [a for a in e.args if isinstance(a, Power) and a.args[1].is_negative]
    if not below:
        return LatexPrinter._print_Mul(printer, e)
    above = [a for a in e.args if a not in below]
    num = printer._print(sp.Mul(*above)) if above else "1"
    den = printer._print(sp.Mul(*(a.args[0] if a.args[1] == -1 else sp.Pow(a.args[0], -a.args[1], evaluate=False)
                                  for a in below), evaluate=False))
    return rf"\frac{{{num}}}{{{den}}}"


def _latex_power(printer, e, exp=None):
    out = printer._print(sp.Pow(*e.args, evaluate=False))
    return rf"\left({out}\right)^{{{exp}}}" if exp else out


def _text_power(printer, e) -> str:
    base, ex = (printer._print(a) for a in e.args)
    return f"1/({base})" if e.args[1] == -1 else f"({base})^({ex})"


# -- mutations --------------------------------------------------------------------------------------------
def _normaliser(e) -> list:
    """A softmax's normaliser (Σ)^-1 dropped or over one slot too many."""
    if e.args[1] == -1 and isinstance(e.args[0], Sigma):
        s = e.args[0]
        return [("drop-normaliser", sp.S.One), ("wrong-normaliser", reciprocal(Sigma(s.body, s.var, s.lo, s.hi + 1)))]
    return []


def _pow_mutations(e: sp.Pow) -> list:
    out = []
    if e.exp == sp.Rational(-1, 2) and isinstance(e.base, sp.Symbol):
        out += [("missing-scale", sp.S.One), ("wrong-scale", e.base ** -1)]
    return out + _normaliser(e)


def _exp_mutations(e: sp.exp) -> list:
    out = []
    sizes = sorted((s for s in e.free_symbols if isinstance(s, sp.Symbol) and s.is_positive), key=lambda s: s.name)
    if sizes:
        out.append(("extra-scale", sp.exp(e.args[0] / sp.sqrt(sizes[0]))))
    out.append(("sign", sp.exp(-e.args[0])))
    return out


def _indexed_mutations(e: sp.Indexed) -> list:
    if len(e.indices) == 2 and e.indices[0] != e.indices[1]:
        return [("swap-indices", e.base[e.indices[1], e.indices[0]])]
    return []


for _spec in (
    NodeSpec(sp.Symbol, value=_symbol),
    *(NodeSpec(k, value=lambda ev, e, env: ev.number(e)) for k in (sp.Rational, sp.Float, sp.core.numbers.Exp1,
                                                                       sp.core.numbers.Pi)),
    NodeSpec(sp.Add, value=_add),
    NodeSpec(sp.Mul, value=_mul, latex=_latex_mul),
    NodeSpec(sp.Pow, value=_pow, mutations=_pow_mutations),
    NodeSpec(sp.exp, value=_exp, latex=lambda p, e, exp=None: _raised(rf"\exp\left({p._print(e.args[0])}\right)", exp),
             mutations=_exp_mutations),
    NodeSpec(sp.log, value=_log),
    NodeSpec(sp.Abs, value=_abs),
    NodeSpec(sp.cos, value=_cos),        # sympy's folds (cos(-x) = cos x, sin(0) = 0) hold for every real x
    NodeSpec(sp.sin, value=_sin),
    NodeSpec(sp.Mod, value=_integer_valued, in_range=_in_range_integer_division),
    NodeSpec(sp.floor, value=_integer_valued, in_range=_in_range_integer_division),
    NodeSpec(sp.Indexed, value=_indexed, mutations=_indexed_mutations,
             latex=lambda p, e: entry_tex(p, str(e.base.label), e.indices)),
    NodeSpec(sp.IndexedBase),
    NodeSpec(sp.Tuple),
    NodeSpec(Str, latex=lambda p, e: rf"\mathrm{{{p.escape(e.name)}}}"),
    NodeSpec(Relu, value=_relu, latex=lambda p, e, exp=None: _raised(p.macro("relu", p._print(e.args[0])), exp),
             text=lambda p, e: f"relu({p._print(e.args[0])})"),
    NodeSpec(Power, value=_power, latex=_latex_power, text=_text_power, mutations=_normaliser),
    NodeSpec(Log, value=_log, latex=lambda p, e, exp=None: _raised(rf"\log\left({p._print(e.args[0])}\right)", exp),
             text=lambda p, e: f"log({p._print(e.args[0])})"),
):
    register(_spec)
