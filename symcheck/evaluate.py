"""Numeric semantics: evaluate an index expression on whole index grids at once.

Every free index and every bound index gets its own numpy axis, so one call
computes all entries of a model's output (no per-entry Python loops). Sums mask
their range, so an empty range is 0 and out-of-range garbage never leaks.
High-level nodes have their *own* semantics here, independent of the rules
that rewrite them: matrix terms are computed with matmul and a row softmax, and
the write-once memory is simulated step by step. That independence is what
makes this an oracle for rule soundness and for counterexamples.

Undefined values (0/0, a missing slot, the cosine of a zero vector) are NaN.
Products are *strongly zero* (Knuth's convention for Iverson brackets, applied
to every exact zero factor): 0 · undefined = 0. This is the semantics every rule
is proved against; it is also what sympy's constructors assume when they fold
0·x to 0. A masked softmax entry is therefore exactly 0, and a fully masked row
(strict mask at t = 1) is a zero row, like a read from an empty memory.

Values are float64, or mpmath numbers in object arrays for confirmation in high
precision.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

import mpmath
import numpy as np
import sympy as sp

from .index import Element, Entry, Iverson, Relu, Sigma, index
from .matrix import MaskedSoftmax, MatInput, MatProd, MatScale, MatT
from .memory import ContentWeight, FeedbackRead, Memory, MemoryCell, Rows, WriteWeight

__all__ = ["Backend", "FLOAT64", "mp_backend", "evaluate", "evaluate_model", "EvaluationError"]


class EvaluationError(Exception):
    """An expression mentions something the evaluator cannot give a value to."""


@dataclass(frozen=True)
class Backend:
    name: str
    convert: Callable          # python number or float array -> backend array
    exp: Callable
    log: Callable
    power: Callable            # safe: undefined -> nan
    nan: object
    zero: object


def _f64_power(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    with np.errstate(all="ignore"):
        out = np.power(a, b)
    return np.where((a == 0) & (b < 0), np.nan, out)      # 1/0 is undefined, not inf


def _f64_convert(x):
    return np.asarray(x, dtype=float)


FLOAT64 = Backend("float64", _f64_convert, lambda a: _ignore(np.exp, a), lambda a: _ignore(np.log, a),
                  _f64_power, np.nan, 0.0)


def _ignore(fn, a):
    with np.errstate(all="ignore"):
        return fn(a)


def mp_backend(digits: int) -> Backend:
    """Exact-as-needed arithmetic: mpmath numbers with `digits` decimal digits."""
    ctx = mpmath.mp.clone() if hasattr(mpmath.mp, "clone") else mpmath.mp
    ctx.dps = digits
    nan = ctx.mpf("nan")

    def conv_one(v):
        if isinstance(v, (ctx.mpf, mpmath.mpf)):
            return ctx.mpf(v)
        if isinstance(v, sp.Rational):
            return ctx.mpf(int(v.p)) / int(v.q)
        return ctx.mpf(v)

    def convert(x):
        arr = np.asarray(x, dtype=object)
        return np.vectorize(conv_one, otypes=[object])(arr) if arr.size else arr

    def safe(fn):
        def one(*vals):
            if any(ctx.isnan(v) for v in vals):
                return nan
            try:
                out = fn(*vals)
            except (ZeroDivisionError, ValueError):
                return nan
            return out if isinstance(out, ctx.mpf) else nan
        return np.vectorize(one, otypes=[object])

    return Backend(f"mpmath{digits}", convert, safe(ctx.exp), safe(lambda v: ctx.log(v) if v > 0 else nan),
                   safe(lambda a, b: a ** b if not (a == 0 and b < 0) else nan), nan, ctx.mpf(0))


class _Evaluator:
    def __init__(self, sizes: dict[str, int], inputs: dict[str, np.ndarray], backend: Backend, axes: dict,
                 ndim: int):
        self.sizes = sizes
        self.inputs = {k: backend.convert(v) for k, v in inputs.items()}
        self.b = backend
        self.axes = axes            # index symbol -> axis number
        self.ndim = ndim
        self.cache: dict = {}

    # integer index arithmetic -------------------------------------------------
    def idx(self, e, env) -> np.ndarray:
        if e.is_Integer:
            return np.array(int(e)).reshape((1,) * self.ndim)
        if isinstance(e, sp.Symbol):
            if e in env:
                return env[e]
            if e.name in self.sizes:
                return np.array(self.sizes[e.name]).reshape((1,) * self.ndim)
            raise EvaluationError(f"no value for index or size {e.name!r}")
        if isinstance(e, sp.Add):
            return sum((self.idx(a, env) for a in e.args), np.zeros((1,) * self.ndim, dtype=int))
        if isinstance(e, sp.Mul):
            out = np.ones((1,) * self.ndim, dtype=int)
            for a in e.args:
                out = out * self.idx(a, env)
            return out
        if isinstance(e, sp.Mod):
            return np.mod(self.idx(e.args[0], env), self.idx(e.args[1], env))
        if isinstance(e, sp.floor) and isinstance(e.args[0], sp.Mul):
            num = [a for a in e.args[0].args if not (a.is_Pow and a.exp == -1)]
            den = [a.base for a in e.args[0].args if a.is_Pow and a.exp == -1]
            return np.floor_divide(self.idx(sp.Mul(*num), env), self.idx(sp.Mul(*den), env))
        raise EvaluationError(f"index expression not supported: {e}")

    # values ---------------------------------------------------------------
    def val(self, e, env):
        fn = _DISPATCH.get(type(e))
        if fn is None:
            for cls, f in _DISPATCH_BASES:
                if isinstance(e, cls):
                    fn = f
                    break
        if fn is None:
            raise EvaluationError(f"not supported by the evaluator: {type(e).__name__}")
        return fn(self, e, env)

    def scalar(self, v):
        return self.b.convert(v).reshape((1,) * self.ndim)

    def gather(self, table, index_arrays, lows):
        """table[i - lo, ...] broadcast over index arrays; NaN where out of range."""
        shape = np.broadcast_shapes(*(a.shape for a in index_arrays))
        valid = np.ones(shape, dtype=bool)
        clipped = []
        for a, lo, n in zip(index_arrays, lows, table.shape):
            k = np.broadcast_to(a - lo, shape)
            valid &= (k >= 0) & (k < n)
            clipped.append(np.clip(k, 0, max(n - 1, 0)))
        if table.size == 0:
            return np.full(shape, self.b.nan, dtype=table.dtype)
        out = table[tuple(clipped)]
        return np.where(valid, out, self.b.nan)


def _number(ev, e, env):
    if e.is_Rational:
        return ev.scalar(sp.Rational(e) if ev.b is not FLOAT64 else float(e))
    return ev.scalar(float(e))


def _symbol(ev, e, env):
    return ev.b.convert(ev.idx(e, env))


def _add(ev, e, env):
    out = ev.val(e.args[0], env)
    for a in e.args[1:]:
        out = out + ev.val(a, env)
    return out


def _mul(ev, e, env):
    """Products are strongly zero: an exact 0 factor gives 0 even beside an undefined one."""
    out = ev.val(e.args[0], env)
    zero = out == 0
    for a in e.args[1:]:
        v = ev.val(a, env)
        zero = zero | (v == 0)
        out = out * v
    return np.where(zero, ev.b.zero, out)


def _pow(ev, e, env):
    base, ex = e.args
    if ex.is_Integer and ex > 0:
        v = ev.val(base, env)
        out = v
        for _ in range(int(ex) - 1):
            out = out * v
        return out
    return ev.b.power(ev.val(base, env), ev.val(ex, env))


def _exp(ev, e, env):
    return ev.b.exp(ev.val(e.args[0], env))


def _relu(ev, e, env):
    v = ev.val(e.args[0], env)
    return np.where(v > 0, v, ev.b.zero)


def _log(ev, e, env):
    return ev.b.log(ev.val(e.args[0], env))


def _indexed(ev, e, env):
    name = str(e.base.label)
    if name not in ev.inputs:
        raise EvaluationError(f"no input named {name!r}")
    return ev.gather(ev.inputs[name], [ev.idx(i, env) for i in e.indices], [1] * len(e.indices))


def _iverson(ev, e, env):
    cond = e.args[0]
    lhs, rhs = ev.idx(cond.lhs, env), ev.idx(cond.rhs, env)
    truth = (lhs <= rhs) if isinstance(cond, sp.LessThan) else (lhs == rhs)
    return ev.b.convert(truth.astype(int))


def _sigma(ev, e, env):
    """Memoised per scope: a layer repeats whole sums (a LayerNorm's mean appears twice)."""
    scope = tuple((x, env[x]) for x in sorted(e.free_symbols & env.keys(), key=lambda x: x.name))
    key = ("sum", e, tuple((x.name, id(a)) for x, a in scope))
    hit = ev.cache.get(key)
    if hit is None:
        hit = (_sum_value(ev, e, env), scope)       # keep the scope's arrays alive: their ids stay unique
        ev.cache[key] = hit
    return hit[0]


def _sum_value(ev, e, env):
    body, var, lo, hi = e.args
    lo_a, hi_a = ev.idx(lo, env), ev.idx(hi, env)
    shape = np.broadcast_shapes(lo_a.shape, hi_a.shape)
    first, last = int(lo_a.min()), int(hi_a.max())
    if last < first:
        return ev.b.convert(np.zeros(shape, dtype=int))
    ax = ev.axes[var]
    grid_shape = [1] * ev.ndim
    grid_shape[ax] = last - first + 1
    grid = np.arange(first, last + 1).reshape(grid_shape)
    vals = ev.val(body, {**env, var: grid})
    mask = (grid >= lo_a) & (grid <= hi_a)
    full = np.broadcast_shapes(vals.shape, mask.shape)
    masked = np.where(np.broadcast_to(mask, full), np.broadcast_to(vals, full), ev.b.zero)
    return masked.sum(axis=ax, keepdims=True)


def _matrix(ev, term):
    key = ("matrix", term)
    if key in ev.cache:
        return ev.cache[key]
    if isinstance(term, MatInput):
        out = ev.inputs[term.name]
    elif isinstance(term, MatT):
        out = _matrix(ev, term.args[0]).T
    elif isinstance(term, MatProd):
        out = np.dot(_matrix(ev, term.args[0]), _matrix(ev, term.args[1]))
    elif isinstance(term, MatScale):
        c = ev.val(term.args[0], {}).reshape(())
        out = c * _matrix(ev, term.args[1])
    elif isinstance(term, MaskedSoftmax):
        a = _matrix(ev, term.args[0])
        i = np.arange(1, a.shape[0] + 1)[:, None]
        j = np.arange(1, a.shape[1] + 1)[None, :]
        keep = {"inclusive": j <= i, "strict": j < i, "none": np.ones_like(j <= i)}[term.mask]
        e = np.where(keep, ev.b.exp(a), ev.b.zero)
        z = e.sum(axis=1, keepdims=True)
        out = np.where(keep, e * ev.b.power(z, ev.b.convert(-1)), ev.b.zero)   # masked: exactly 0
    else:
        raise EvaluationError(f"matrix term not supported: {type(term).__name__}")
    ev.cache[key] = out
    return out


def _element(ev, e, env):
    name = e.tensor.name
    if name not in ev.inputs:
        raise EvaluationError(f"no input named {name!r}")
    return ev.gather(ev.inputs[name], [ev.idx(i, env) for i in e.indices], [1] * len(e.indices))


def _entry(ev, e, env):
    term, i, j = e.args
    return ev.gather(_matrix(ev, term), [ev.idx(i, env), ev.idx(j, env)], [1, 1])


def _history(ev, mem: Memory):
    """M_0..M_T of a write-once memory, simulated: M_s = M_{s-1} + e_s x_s^T."""
    key = ("memory", mem)
    if key in ev.cache:
        return ev.cache[key]
    x = _written_rows(ev, mem.written)
    steps, width = x.shape[0], x.shape[1:]
    slots = int(ev.idx(mem.slots, {}).reshape(()))
    hist = np.empty((steps + 1, slots, *width), dtype=x.dtype)
    hist[0] = ev.b.zero
    for s in range(1, steps + 1):
        hist[s] = hist[s - 1]
        if s <= slots:
            hist[s, s - 1] = hist[s - 1, s - 1] + x[s - 1]
        else:
            hist[s] = ev.b.nan               # no fresh slot left: the write is undefined
    ev.cache[key] = hist
    return hist


def _written_rows(ev, written):
    """The rows a memory receives: an input tensor, or computed `Rows` evaluated on their grid."""
    if isinstance(written, Rows):
        dims = {v: int(ev.idx(n, {}).reshape(())) for v, n in zip(written.variables, written.shape)}
        return _evaluate(written.body, dims, ev.sizes, ev.inputs, ev.b)
    return ev.inputs[written.name]


def _memory_cell(ev, e, env):
    hist = _history(ev, e.mem)
    idx = [ev.idx(x, env) for x in (e.time, e.slot, *e.cols)]
    return ev.gather(hist, idx, [0] + [1] * (len(idx) - 1))


def _write_weight(ev, e, env):
    s, n = ev.idx(e.step, env), ev.idx(e.slot, env)
    slots = int(ev.idx(e.mem.slots, {}).reshape(()))
    val = ev.b.convert((n == s).astype(int))
    return np.where((s >= 1) & (s <= slots), val, ev.b.nan)


def _content_weight(ev, e: ContentWeight, env):
    hist = _history(ev, e.mem)                      # (steps+1, N, W)
    q = ev.inputs[e.query.name]                     # (R, W)
    dots = (q[None, :, None, :] * hist[:, None, :, :]).sum(axis=-1)        # (steps+1, R, N)
    if e.similarity == "cosine":
        qn = ev.b.power((q * q).sum(axis=-1), ev.b.convert(0.5))          # (R,)
        mn = ev.b.power((hist * hist).sum(axis=-1), ev.b.convert(0.5))    # (steps+1, N)
        inv = ev.b.power(qn[None, :, None] * mn[:, None, :], ev.b.convert(-1))
        dots = np.where(dots == 0, ev.b.zero, dots * inv)       # strongly zero: cos(q, 0) = 0
    beta = ev.val(e.strength, {}).reshape(())
    expd = ev.b.exp(beta * dots)                                          # (steps+1, R, N)
    tau, row, slot, hi = (ev.idx(x, env) for x in (e.time, e.row, e.slot, e.hi))
    num = ev.gather(expd, [tau, row, slot], [0, 1, 1])
    n_slots = expd.shape[2]
    m = np.arange(1, n_slots + 1)
    shape = np.broadcast_shapes(tau.shape, row.shape, hi.shape)
    rows = ev.gather(expd, [tau[..., None], row[..., None], m.reshape((1,) * ev.ndim + (n_slots,))], [0, 1, 1])
    rows = np.broadcast_to(rows, shape + (n_slots,))
    in_domain = m.reshape((1,) * ev.ndim + (n_slots,)) <= hi[..., None]
    den = np.where(np.broadcast_to(in_domain, rows.shape), rows, ev.b.zero).sum(axis=-1)
    den = np.where(hi > n_slots, ev.b.nan, den)     # a domain larger than the memory is undefined
    return num * ev.b.power(den, ev.b.convert(-1))


def _feedback_read(ev, e: FeedbackRead, env):
    """Run the recurrence r_t = Σ_{j<=t} softmax_j(β (q_t + r_{t-1} U)·k_j) v_j, r_0 = 0."""
    key = ("feedback", e)
    if key not in ev.cache:
        q, k, v, u = (ev.inputs[m.name] for m in (e.queries, e.keys, e.values, e.feedback))
        beta = ev.val(e.strength, {}).reshape(())
        reads, prev = [], np.full(v.shape[1], ev.b.zero, dtype=v.dtype)
        for t in range(1, q.shape[0] + 1):
            query = q[t - 1] + np.dot(prev, u)
            weights = ev.b.exp(beta * np.dot(k[:t], query))
            prev = np.dot(weights, v[:t]) * ev.b.power(weights.sum(), ev.b.convert(-1))
            reads.append(prev)
        ev.cache[key] = np.array(reads, dtype=v.dtype)
    return ev.gather(ev.cache[key], [ev.idx(e.time, env), ev.idx(e.col, env)], [1, 1])


_DISPATCH = {
    sp.Symbol: _symbol, sp.Add: _add, sp.Mul: _mul, sp.Pow: _pow, sp.exp: _exp, sp.log: _log, Relu: _relu,
    sp.Indexed: _indexed, Iverson: _iverson, Sigma: _sigma, Entry: _entry, Element: _element,
    MemoryCell: _memory_cell, WriteWeight: _write_weight, ContentWeight: _content_weight,
    FeedbackRead: _feedback_read,
}
_DISPATCH_BASES = [(sp.Number, _number), (sp.NumberSymbol, _number), (sp.Symbol, _symbol)]


def _unique_binders(expr):
    """Give every binder its own name in one pass (new names are fresh, so nothing is captured)."""
    counter = itertools.count(1)

    def walk(e, renamed):
        if isinstance(e, sp.Symbol):
            return renamed.get(e, e)
        if not e.args or isinstance(e, Memory):
            return e
        if isinstance(e, Sigma):
            new = index(f"_b{next(counter)}")
            return Sigma(walk(e.body, {**renamed, e.var: new}), new, walk(e.lo, renamed), walk(e.hi, renamed))
        args = [walk(a, renamed) for a in e.args]
        return e if all(x is y for x, y in zip(args, e.args)) else e.func(*args)

    return walk(expr, {})


def evaluate(expr: sp.Expr, free: dict[sp.Symbol, int], sizes: dict[str, int],
             inputs: dict[str, np.ndarray], backend: Backend = FLOAT64) -> np.ndarray:
    """Values of `expr` for every assignment of the free indices `free` (symbol -> upper
    bound; each runs over 1..bound), as an array with one axis per free index."""
    with np.errstate(all="ignore"):
        return _evaluate(expr, free, sizes, inputs, backend)


@lru_cache(maxsize=512)
def _plan(expr, free: tuple):
    """Compile once per expression: unique binder names, and an axis per index.

    Free indices own the first axes; a binder's axis is given by its nesting depth, since
    binders in scope at the same time are nested (different depths) and siblings reduce
    their axis before they meet. (NumPy allows at most 64 axes; a layer has >100 sums.)"""
    expr = _unique_binders(expr)
    axes = {s: k for k, s in enumerate(free)}
    deepest = [0]

    def walk(e, depth):
        if isinstance(e, Memory):
            return                              # its rows are evaluated on their own grid
        if isinstance(e, Sigma):
            axes[e.var] = len(free) + depth
            deepest[0] = max(deepest[0], depth + 1)
            walk(e.lo, depth)
            walk(e.hi, depth)
            walk(e.body, depth + 1)
            return
        for a in e.args:
            walk(a, depth)

    walk(expr, 0)
    return expr, len(free) + deepest[0], axes


def _evaluate(expr, free, sizes, inputs, backend):
    expr, ndim, axes = _plan(expr, tuple(free))
    ev = _Evaluator(sizes, inputs, backend, axes, ndim)
    env = {}
    for s, n in free.items():
        shape = [1] * ndim
        shape[axes[s]] = n
        env[s] = np.arange(1, n + 1).reshape(shape)
    out = ev.val(expr, env)
    target = tuple(free[s] for s in free) + (1,) * (ndim - len(free))
    out = np.broadcast_to(out, target)
    return np.asarray(out).reshape(tuple(free[s] for s in free))


def evaluate_model(model, sizes: dict[str, int], inputs: dict[str, np.ndarray], backend: Backend = FLOAT64):
    """The model's whole output matrix at concrete sizes (a rows × cols array)."""
    row, col, expr = _model_entry(model)
    env = {sp.Symbol(k, integer=True, positive=True): v for k, v in sizes.items()}
    rows, cols = (int(sp.sympify(x).subs(env)) for x in (model.rows, model.cols))
    return evaluate(expr, {row: rows, col: cols}, sizes, inputs, backend)


@lru_cache(maxsize=256)
def _model_entry(model):
    """A model's entry formula, built once: a falsifier evaluates the same model hundreds of times."""
    row, col = index("i_out"), index("j_out")
    return row, col, model.entry(row, col)
