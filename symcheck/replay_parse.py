"""Certificate text to sympy trees by a typed whitelist: no certificate text ever reaches code.

An expression in a certificate is sympy `srepr` text. It is read with `ast.parse` (which
only parses) and rebuilt by the table below: each whitelisted node type says which
*typed* arguments it takes. Text becomes a string in exactly two places, a symbol's
name and a `Str` in a name position (an input's, a recurrence's name, a mask, a similarity); every
other constructor receives only ints or trees already built here, so nothing can reach
`sympify`, `eval` or `parse_expr`. Sizes are bounded (nesting depth, digits of an
integer, numeric exponents) so that building a tree is cheap whatever the input.
"""

from __future__ import annotations

import ast
from functools import lru_cache

import sympy as sp
from sympy.core.symbol import Str
from sympy.logic.boolalg import BooleanAtom

from .index import Element, Entry, Iverson, Log, Power, Prod, Relu, Sigma
from .matrix import SIDES, MaskedSoftmax, MatInput, MatProd, MatrixTerm, MatScale, MatT, ScalarInput, TensorInput
from .memory import ContentWeight, Memory, MemoryCell, Rows, WriteWeight
from .nodes.recurrence import Prev, Recurrence, State

__all__ = ["Rejected", "parse", "scalar_input", "symbols", "replace_at", "MAX_DEPTH", "MAX_DIGITS", "MAX_EXPONENT", "MAX_NAME", "MAX_TEXT"]

MAX_DEPTH = 100          # nested constructors in one expression (the library's deepest: 18)
MAX_DIGITS = 40          # digits of an integer literal
MAX_EXPONENT = 64        # |e| of a numeric exponent
MAX_NAME = 64            # characters of a symbol's or an input's name
MAX_TEXT = 2_000_000     # characters of one expression
MAX_BITS = 4096          # bits of a rational number a constructor computed (Pow(2, 64) of a big base)
ASSUMPTIONS = (frozenset(), frozenset({"integer"}), frozenset({"integer", "positive"}))  # sets a symbol may declare


class Rejected(Exception):
    """The certificate is invalid (or beyond the checker's limits); the message says where and why."""


@lru_cache(maxsize=8192)
def parse(text: str) -> sp.Basic:
    """srepr text back to a tree, building only whitelisted nodes from typed arguments."""
    if not isinstance(text, str):
        raise Rejected(f"an expression must be text, not {type(text).__name__}")
    if len(text) > MAX_TEXT:
        raise Rejected(f"an expression of more than {MAX_TEXT} characters")
    try:
        tree = ast.parse(text, mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError) as err:
        raise Rejected(f"malformed expression: {type(err).__name__}: {str(err)[:80]}") from None
    try:
        out = _build(tree, 0)
    except Rejected:
        raise
    except Exception as err:       # a whitelisted constructor refused typed arguments: still just bad data
        raise Rejected(f"malformed expression: {type(err).__name__}: {str(err)[:80]}") from None
    if not _is_expr(out):
        raise Rejected(f"malformed expression: a {type(out).__name__} where a scalar expression belongs")
    if sp.srepr(out) != text:
        raise Rejected(f"the expression is not in symcheck's construction form (sympy rebuilds it as "
                       f"{_short(sp.srepr(out))}): what is checked must be exactly what is written")
    return out


@lru_cache(maxsize=8192)
def symbols(text: str) -> tuple[frozenset, frozenset]:
    """(the symbols of the expression `text`, free or bound, outside input labels; the labels: X of X[i, j]).
    Two namespaces: the semantics reads a label only as an input's name, every other symbol by its value."""
    found: set = set()
    labels: set = set()

    def walk(e: sp.Basic) -> None:
        if isinstance(e, sp.IndexedBase):
            labels.add(e.label)
            return
        if isinstance(e, sp.Symbol):
            found.add(e)
        for a in e.args:
            walk(a)
    walk(parse(text))
    return frozenset(found), frozenset(labels)


def _short(text: str) -> str:
    return text if len(text) <= 80 else text[:77] + "..."


def _bad(why: str):
    raise Rejected(f"malformed expression: {why}")


def _build(node, depth: int):
    if depth > MAX_DEPTH:
        _bad(f"nested deeper than {MAX_DEPTH}")
    if isinstance(node, ast.Constant) and type(node.value) in (int, str):
        return _literal(node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant) \
            and type(node.operand.value) is int:
        return -_literal(node.operand.value)
    if isinstance(node, ast.Name) and node.id == "E":
        return sp.E
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _NODES:
        args = [_build(a, depth + 1) for a in node.args]
        kwargs = {}
        for k in node.keywords:
            if k.arg is None or not isinstance(k.value, ast.Constant) or type(k.value.value) is not bool:
                _bad(f"{node.func.id}: keyword arguments must be name=True/False")
            kwargs[k.arg] = k.value.value
        if kwargs and node.func.id != "Symbol":
            _bad(f"{node.func.id} takes no keyword arguments")
        out = _NODES[node.func.id](*args, **kwargs)
        if isinstance(out, sp.Rational) and max(out.p.bit_length(), out.q.bit_length()) > MAX_BITS:
            _bad(f"a number of more than {MAX_BITS} bits")
        return out
    what = node.func.id if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) else type(node).__name__
    _bad(f"{what} is not allowed in a certificate")


def _literal(value):
    if isinstance(value, int) and abs(value) >= 10 ** MAX_DIGITS:
        _bad(f"an integer of more than {MAX_DIGITS} digits")
    if isinstance(value, str) and len(value) > MAX_NAME:
        _bad("a string literal that long")
    return value


# -- typed arguments ------------------------------------------------------------------------------------
def _is_int(x) -> bool:
    return type(x) is int


def _is_text(x) -> bool:
    return type(x) is str


def _is_expr(x) -> bool:
    """A scalar expression: not a name, a matrix, a condition, a tuple or an indexed base."""
    return isinstance(x, sp.Expr) and not isinstance(x, (sp.IndexedBase, MatrixTerm))


def _is_cond(x) -> bool:
    if isinstance(x, (sp.And, sp.Or)):
        return all(_is_cond(a) for a in x.args)
    if isinstance(x, sp.Not):
        return _is_cond(x.args[0])
    return isinstance(x, (sp.Rel, BooleanAtom))


def _typed(name: str, *kinds):
    """Check positional arguments against kinds; a trailing '*' repeats the last kind."""
    def check(args):
        if kinds and kinds[-1] == "*":
            fixed, rest = kinds[:-2], kinds[-2]
            if len(args) < len(fixed):
                _bad(f"{name} takes at least {len(fixed)} arguments")
            wanted = list(fixed) + [rest] * (len(args) - len(fixed))
        else:
            wanted = list(kinds)
            if len(args) != len(wanted):
                _bad(f"{name} takes {len(wanted)} arguments, got {len(args)}")
        for k, (a, kind) in enumerate(zip(args, wanted)):
            if not _KINDS[kind](a):
                _bad(f"argument {k + 1} of {name} must be {kind}, got {type(a).__name__}")
    return check


_KINDS = {
    "int": _is_int, "text": _is_text, "expr": _is_expr, "cond": _is_cond,
    "name": lambda x: isinstance(x, Str),
    "symbol": lambda x: isinstance(x, sp.Symbol),
    "matrix": lambda x: isinstance(x, MatrixTerm),
    "input": lambda x: isinstance(x, MatInput),
    "tensor": lambda x: isinstance(x, TensorInput),
    "written": lambda x: isinstance(x, (MatInput, TensorInput, Rows)),
    "memory": lambda x: isinstance(x, Memory),
    "base": lambda x: isinstance(x, sp.IndexedBase),
    "lambda": lambda x: isinstance(x, sp.Lambda) and all(isinstance(v, sp.Symbol) for v in x.variables),
    "tuple": lambda x: isinstance(x, sp.Tuple) and all(_is_expr(a) for a in x.args),
    "recurrence": lambda x: isinstance(x, Recurrence),
    "closed": lambda x: isinstance(x, Str) or _KINDS["lambda"](x),
}


def _node(name: str, build, *kinds):
    check = _typed(name, *kinds)

    def make(*args, **kwargs):
        check(args)
        return build(*args, **kwargs)
    return make


def _symbol(name, **assumptions):
    if not _is_text(name) or not name or len(name) > MAX_NAME or not name.isprintable():
        _bad("a symbol's name must be printable text of at most 64 characters")
    if frozenset(k for k, v in assumptions.items() if v) not in ASSUMPTIONS or not all(assumptions.values()):
        _bad(f"symbol {name!r}: a symbol is integer=True, integer=True with positive=True, or plain, "
             f"not {', '.join(f'{k}={v}' for k, v in assumptions.items())}")
    return sp.Symbol(name, **assumptions)


def _str(name):
    if not _is_text(name) or not name or len(name) > MAX_NAME or not name.isprintable():
        _bad("a name must be printable text of at most 64 characters")
    return Str(name)


def _rational(p, q):
    if q == 0:
        _bad("a rational with denominator 0")
    return sp.Rational(p, q)


def _power(cls):
    def build(base, ex):
        if ex.is_Number and (not ex.is_Rational or abs(ex) > MAX_EXPONENT):
            _bad(f"a numeric exponent must be a rational of size at most {MAX_EXPONENT}")
        if base.is_Number and not base.is_Rational:
            _bad("a numeric base must be rational")
        if cls is sp.Pow and not (ex.is_Integer and ex >= 0) and base.is_positive is not True:
            _bad("a sympy Pow whose exponent is not a natural number, on a base not known positive "
                 "(sympy would fold it; symcheck writes Power)")
        return cls(base, ex)
    return build


def _matprod(a, b):
    if a.cols != b.rows:                # checked here, structurally: MatProd's own check expands
        _bad("a product of matrices whose shapes do not match")
    return MatProd(a, b)


def _mask(a, mask):
    if mask.name not in ("inclusive", "strict", "none"):
        _bad(f"unknown mask {mask.name!r}")
    return MaskedSoftmax(a, mask)


def _content(mem, time, query, row, slot, strength, similarity, hi):
    if similarity.name not in ("dot", "cosine"):
        _bad(f"unknown similarity {similarity.name!r}")
    return ContentWeight(mem, time, query, row, slot, strength, similarity, hi)


def _rows(name, fn, shape):
    if len(fn.variables) != len(shape.args):
        _bad("computed rows whose variables and shape differ in length")
    return Rows(name, fn, shape)


def _recurrence(name, shape, steps, init, update, closed):
    """A state of shape rows × cols: init of (a, b), update and claimed closed form of (t, a, b)."""
    if len(shape) != 2:
        _bad("a recurrence's shape is (rows, cols)")
    if len(init.variables) != 2 or len(update.variables) != 3:
        _bad("a recurrence's init takes (a, b) and its update (t, a, b)")
    if isinstance(closed, Str) and closed.name != "none" or isinstance(closed, sp.Lambda) and len(closed.variables) != 3:
        _bad("a recurrence's closed form is Str('none') or a function of (t, a, b)")
    return Recurrence(name, shape, steps, init, update, closed)


def scalar_input(name, shape, bounds, left, right) -> ScalarInput:
    """A scalar's interval: two rational bounds, each end open, closed or unbounded ("none", its bound 0), lo < hi."""
    name, left, right = (_str(x) if _is_text(x) else x for x in (name, left, right))
    shape, bounds = sp.Tuple(*shape), sp.Tuple(*bounds)
    if shape != sp.Tuple(1) or len(bounds) != 2 or not all(b.is_Rational for b in bounds):
        _bad("a scalar input has shape (1,) and two rational bounds")
    if left.name not in SIDES or right.name not in SIDES:
        _bad(f"a scalar's interval ends are {', '.join(SIDES)}")
    if any(side.name == "none" and b != 0 for side, b in ((left, bounds[0]), (right, bounds[1]))):
        _bad("an unbounded end of a scalar's interval has the bound 0")
    if "none" not in (left.name, right.name) and not bounds[0] < bounds[1]:
        _bad("a scalar's interval is empty or a single point")
    return ScalarInput(name, shape, bounds, left, right)


def _prev(name, shape, row, col):
    if len(shape) != 2:
        _bad("a previous state's shape is (rows, cols)")
    return Prev(name, shape, row, col)


_REL = {c.__name__: c for c in (sp.LessThan, sp.StrictLessThan, sp.GreaterThan, sp.StrictGreaterThan,
                                sp.Equality, sp.Unequality)}
_NODES = {
    "Symbol": lambda *a, **k: _symbol(*a, **k) if len(a) == 1 else _bad("Symbol takes one name"),
    "Integer": _node("Integer", sp.Integer, "int"),
    "Rational": _node("Rational", _rational, "int", "int"),
    "Str": _node("Str", _str, "text"),
    "Add": _node("Add", sp.Add, "expr", "expr", "*"),
    "Mul": _node("Mul", sp.Mul, "expr", "expr", "*"),
    "Pow": _node("Pow", _power(sp.Pow), "expr", "expr"),
    "Power": _node("Power", _power(Power), "expr", "expr"),
    "exp": _node("exp", sp.exp, "expr"),
    "Log": _node("Log", Log, "expr"),
    "Abs": _node("Abs", sp.Abs, "expr"),
    "cos": _node("cos", sp.cos, "expr"),
    "sin": _node("sin", sp.sin, "expr"),
    "floor": _node("floor", sp.floor, "expr"),
    "Relu": _node("Relu", Relu, "expr"),
    "IndexedBase": _node("IndexedBase", sp.IndexedBase, "symbol"),
    "Indexed": _node("Indexed", sp.Indexed, "base", "expr", "*"),
    **{n: _node(n, c, "expr", "expr") for n, c in _REL.items()},
    "And": _node("And", sp.And, "cond", "cond", "*"),
    "Or": _node("Or", sp.Or, "cond", "cond", "*"),
    "Not": _node("Not", sp.Not, "cond"),
    "Iverson": _node("Iverson", Iverson, "cond"),
    "Tuple": _node("Tuple", sp.Tuple, "expr", "*"),
    "Lambda": _node("Lambda", sp.Lambda, "tuple", "expr"),
    "Sigma": _node("Sigma", Sigma, "expr", "symbol", "expr", "expr"),
    "Prod": _node("Prod", Prod, "expr", "symbol", "expr", "expr"),
    "Entry": _node("Entry", Entry, "matrix", "expr", "expr"),
    "Element": _node("Element", Element, "tensor", "expr", "*"),
    "MatInput": _node("MatInput", MatInput, "name", "expr", "expr"),
    "TensorInput": _node("TensorInput", TensorInput, "name", "tuple"),
    "ScalarInput": _node("ScalarInput", scalar_input, "name", "tuple", "tuple", "name", "name"),
    "MatProd": _node("MatProd", _matprod, "matrix", "matrix"),
    "MatT": _node("MatT", MatT, "matrix"),
    "MatScale": _node("MatScale", MatScale, "expr", "matrix"),
    "MaskedSoftmax": _node("MaskedSoftmax", _mask, "matrix", "name"),
    "Memory": _node("Memory", Memory, "name", "written", "expr"),
    "Rows": _node("Rows", _rows, "name", "lambda", "tuple"),
    "MemoryCell": _node("MemoryCell", MemoryCell, "memory", "expr", "expr", "expr", "*"),
    "WriteWeight": _node("WriteWeight", WriteWeight, "memory", "expr", "expr"),
    "ContentWeight": _node("ContentWeight", _content, "memory", "expr", "input", "expr", "expr", "expr", "name",
                           "expr"),
    "Recurrence": _node("Recurrence", _recurrence, "name", "tuple", "expr", "lambda", "lambda", "closed"),
    "State": _node("State", State, "recurrence", "expr", "expr", "expr"),
    "Prev": _node("Prev", _prev, "name", "tuple", "expr", "expr"),
}


def replace_at(expr, path, new):
    """`expr` with the subterm at `path` (argument indices) replaced by `new`, rebuilt upwards."""
    if not path:
        return new
    args = list(expr.args)
    args[path[0]] = replace_at(args[path[0]], path[1:], new)
    return expr.func(*args)
