"""The replay checker's own semantics: safe parsing of certificates and a scalar evaluator.

Independent of the prover by design: nothing here comes from the normalizer, the
rules or the vectorised evaluator. Values are mpmath numbers; None is undefined;
products are strongly zero (0 · undefined = 0), as in the prover's semantics.
"""

from __future__ import annotations

import ast
from functools import lru_cache

import mpmath
import sympy as sp
from sympy.core.symbol import Str

from .index import Element, Entry, Iverson, Relu, Sigma
from .matrix import MaskedSoftmax, MatInput, MatProd, MatScale, MatT, TensorInput
from .memory import ContentWeight, Memory, MemoryCell, Rows, WriteWeight

__all__ = ["Rejected", "parse", "World", "scalar_value", "DIGITS"]

DIGITS = 30


class Rejected(Exception):
    """The certificate is invalid; the message says where and why."""


# -- safe parsing of srepr ----------------------------------------------------------------------------
_CONSTRUCTORS = {c.__name__: c for c in (
    sp.Symbol, sp.Integer, sp.Rational, sp.Float, sp.Add, sp.Mul, sp.Pow, sp.exp, sp.log, sp.Indexed,
    sp.IndexedBase, sp.LessThan, sp.Equality, sp.Tuple, Str, Sigma, Iverson, Entry, MatInput, MatProd, MatT,
    MatScale, MaskedSoftmax, Memory, MemoryCell, WriteWeight, ContentWeight, Element, TensorInput, sp.Mod,
    sp.floor, Relu, sp.Lambda, Rows)}
_CONSTANTS = {"E": sp.E, "pi": sp.pi, "oo": sp.oo, "zoo": sp.zoo, "nan": sp.nan}


@lru_cache(maxsize=8192)
def parse(text: str) -> sp.Basic:
    """srepr text back to a tree: only whitelisted constructors and literals, never `eval`."""
    try:
        return _build(ast.parse(text, mode="eval").body)
    except (SyntaxError, ValueError, TypeError, RecursionError) as err:
        raise Rejected(f"malformed expression: {err}") from None


def _build(node):
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, str, bool)):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant):
        return -node.operand.value
    if isinstance(node, ast.Name) and node.id in _CONSTANTS:
        return _CONSTANTS[node.id]
    if isinstance(node, ast.Tuple):
        return tuple(_build(e) for e in node.elts)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _CONSTRUCTORS:
        args = [_build(a) for a in node.args]
        kwargs = {k.arg: _build(k.value) for k in node.keywords}
        if any(not isinstance(v, (bool, int, str)) for v in kwargs.values()):
            raise ValueError("keyword values must be literals")
        return _CONSTRUCTORS[node.func.id](*args, **kwargs)
    raise ValueError(f"not allowed in a certificate: {ast.dump(node)[:80]}")


# -- an independent scalar semantics (mpmath; None = undefined) -----------------------------------------
class World:
    """Sizes, inputs and caches for one numeric instantiation."""

    def __init__(self, sizes: dict[str, int], inputs: dict[str, list[list]]):
        self.sizes, self.inputs = sizes, inputs
        self.cache: dict = {}

    def integer(self, e, env) -> int:
        v = self.value(e, env)
        if v is None or v != int(v):
            raise Rejected(f"index expression {e} is not an integer here")
        return int(v)

    def value(self, e, env):
        if e.is_Number:
            return mpmath.mpf(sp.Rational(e).p) / sp.Rational(e).q if e.is_Rational else mpmath.mpf(float(e))
        if isinstance(e, sp.Symbol):
            if e.name in env:
                return mpmath.mpf(env[e.name])
            if e.name in self.sizes:
                return mpmath.mpf(self.sizes[e.name])
            raise Rejected(f"free symbol {e.name} has no value")
        handler = _HANDLERS.get(type(e))
        if handler is None:
            raise Rejected(f"the checker has no semantics for {type(e).__name__}")
        return handler(self, e, env)


def _add(w, e, env):
    vals = [w.value(a, env) for a in e.args]
    return None if any(v is None for v in vals) else mpmath.fsum(vals)


def _mul(w, e, env):
    vals = [w.value(a, env) for a in e.args]
    if any(v is not None and v == 0 for v in vals):
        return mpmath.mpf(0)                    # strongly zero
    if any(v is None for v in vals):
        return None
    return mpmath.fprod(vals)


def _pow(w, e, env):
    base, ex = w.value(e.args[0], env), w.value(e.args[1], env)
    if base is None or ex is None:
        return None
    if ex == int(ex) and ex >= 0:
        return base ** int(ex)
    if base == 0 or (base < 0 and ex != int(ex)):
        return None
    return base ** ex


def _exp(w, e, env):
    v = w.value(e.args[0], env)
    return None if v is None else mpmath.exp(v)


def _relu(w, e, env):
    v = w.value(e.args[0], env)
    return None if v is None else max(v, mpmath.mpf(0))


def _log(w, e, env):
    v = w.value(e.args[0], env)
    return None if v is None or v <= 0 else mpmath.log(v)


def _lookup(table, *idx):
    for k in idx:
        if not isinstance(table, list) or not 0 <= k < len(table):
            return None
        table = table[k]
    return table


def _indexed(w, e, env):
    name = str(e.base.label)
    if name not in w.inputs:
        raise Rejected(f"no input named {name}")
    return _lookup(w.inputs[name], *(w.integer(i, env) - 1 for i in e.indices))


def _iverson(w, e, env):
    cond = e.args[0]
    a, b = w.value(cond.lhs, env), w.value(cond.rhs, env)
    holds = a <= b if isinstance(cond, sp.LessThan) else a == b
    return mpmath.mpf(1 if holds else 0)


def _sigma(w, e, env):
    """Memoised on the values of the sum's free indices: a LayerNorm's mean is met once per token."""
    key = ("sum", e, tuple((s.name, env[s.name]) for s in sorted(e.free_symbols, key=str) if s.name in env))
    if key not in w.cache:
        w.cache[key] = _sum(w, e, env)
    return w.cache[key]


def _sum(w, e, env):
    body, var, lo, hi = e.args
    total = mpmath.mpf(0)
    for k in range(w.integer(lo, env), w.integer(hi, env) + 1):
        v = w.value(body, {**env, var.name: k})
        if v is None:
            return None
        total += v
    return total


def _matrix(w, term):
    key = ("matrix", term)
    if key in w.cache:
        return w.cache[key]
    if isinstance(term, MatInput):
        out = w.inputs[term.name]
    elif isinstance(term, MatT):
        a = _matrix(w, term.args[0])
        out = [list(col) for col in zip(*a)] if a else []
    elif isinstance(term, MatProd):
        a, b = _matrix(w, term.args[0]), _matrix(w, term.args[1])
        out = [[_dot(row, col) for col in zip(*b)] for row in a]
    elif isinstance(term, MatScale):
        c = w.value(term.args[0], {})
        out = [[None if c is None or x is None else c * x for x in row] for row in _matrix(w, term.args[1])]
    elif isinstance(term, MaskedSoftmax):
        out = [_softmax_row(i, row, term.mask) for i, row in enumerate(_matrix(w, term.args[0]), start=1)]
    else:
        raise Rejected(f"the checker has no semantics for matrix term {type(term).__name__}")
    w.cache[key] = out
    return out


def _dot(u, v):
    terms = list(zip(u, v))
    if any(a is None or b is None for a, b in terms):
        return None
    return mpmath.fsum(a * b for a, b in terms)


def _softmax_row(i, row, mask):
    keep = [mask == "none" or (j <= i if mask == "inclusive" else j < i) for j in range(1, len(row) + 1)]
    if any(k and x is None for k, x in zip(keep, row)):
        return [None] * len(row)
    ex = [mpmath.exp(x) if k else mpmath.mpf(0) for k, x in zip(keep, row)]
    z = mpmath.fsum(ex)
    return [ex_j / z if k else mpmath.mpf(0) for k, ex_j in zip(keep, ex)]


def _entry(w, e, env):
    return _lookup(_matrix(w, e.term), w.integer(e.args[1], env) - 1, w.integer(e.args[2], env) - 1)


def _history(w, mem):
    """The write-once memory after 0, 1, ..., T writes (slot s receives row s)."""
    key = ("memory", mem)
    if key not in w.cache:
        rows = _written(w, mem.written)
        slots = w.integer(mem.slots, {})
        zero = _zero_like(rows[0]) if rows else []
        states = [[zero for _ in range(slots)]]
        for s, row in enumerate(rows, start=1):
            nxt = list(states[-1])
            if s > slots:
                nxt = None
            else:
                nxt[s - 1] = _plus(nxt[s - 1], row)
            states.append(nxt)
        w.cache[key] = states
    return w.cache[key]


def _written(w, written):
    """The rows a memory receives: an input, or computed rows (`Rows`) evaluated entry by entry."""
    if not isinstance(written, Rows):
        return w.inputs[written.name]
    dims = [w.integer(n, {}) for n in written.shape]
    names = [v.name for v in written.variables]

    def fill(env, k):
        if k == len(dims):
            return w.value(written.body, env)
        return [fill({**env, names[k]: i}, k + 1) for i in range(1, dims[k] + 1)]

    return fill({}, 0)


def _zero_like(x):
    return [_zero_like(v) for v in x] if isinstance(x, list) else mpmath.mpf(0)


def _plus(a, b):
    if isinstance(a, list):
        return [_plus(x, y) for x, y in zip(a, b)]
    return None if a is None or b is None else a + b          # an undefined row is an undefined write


def _memory_cell(w, e, env):
    states = _history(w, e.mem)
    tau = w.integer(e.time, env)
    if not 0 <= tau < len(states) or states[tau] is None:
        return None
    return _lookup(states[tau], *(w.integer(x, env) - 1 for x in (e.slot, *e.cols)))


def _element(w, e, env):
    if e.tensor.name not in w.inputs:
        raise Rejected(f"no input named {e.tensor.name}")
    return _lookup(w.inputs[e.tensor.name], *(w.integer(i, env) - 1 for i in e.indices))


def _write_weight(w, e, env):
    s, n = w.integer(e.step, env), w.integer(e.slot, env)
    return mpmath.mpf(1 if n == s else 0) if 1 <= s <= w.integer(e.mem.slots, {}) else None


def _content_weight(w, e, env):
    states = _history(w, e.mem)
    tau, hi, n = w.integer(e.time, env), w.integer(e.hi, env), w.integer(e.slot, env)
    q = _lookup(w.inputs[e.query.name], w.integer(e.row, env) - 1)
    if not 0 <= tau < len(states) or states[tau] is None or q is None or hi < 1 or hi > len(states[tau]):
        return None
    beta = w.value(e.strength, {})
    memory = states[tau]

    def sim(m):
        d = mpmath.fsum(a * b for a, b in zip(q, m))
        if e.similarity == "dot" or d == 0:
            return d
        return d / (mpmath.sqrt(mpmath.fsum(a * a for a in q)) * mpmath.sqrt(mpmath.fsum(b * b for b in m)))

    if not 1 <= n <= len(memory):
        return None
    z = mpmath.fsum(mpmath.exp(beta * sim(memory[m])) for m in range(hi))
    return mpmath.exp(beta * sim(memory[n - 1])) / z


def _mp(x):
    return [_mp(v) for v in x] if isinstance(x, list) else mpmath.mpf(x)


def scalar_value(expr, sizes: dict[str, int], inputs: dict[str, list[list]], env: dict[str, int]):
    """The checker's own value of `expr` (an mpmath number, or None where undefined)."""
    with mpmath.workdps(DIGITS):
        world = World(sizes, {k: _mp(v) for k, v in inputs.items()})
        return world.value(expr, env)


_HANDLERS = {
    sp.Add: _add, sp.Mul: _mul, sp.Pow: _pow, sp.exp: _exp, sp.log: _log, Relu: _relu, sp.Indexed: _indexed,
    Iverson: _iverson, Sigma: _sigma, Entry: _entry, Element: _element, MemoryCell: _memory_cell,
    WriteWeight: _write_weight,
    ContentWeight: _content_weight,
}


