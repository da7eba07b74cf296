"""Numeric semantics: evaluate an index expression on whole index grids at once.

Every free index and every bound index gets its own numpy axis, so one call
computes all entries of a model's output (no per-entry Python loops). Sums mask
their range, so an empty range is 0 and out-of-range garbage never leaks.
High-level nodes have their *own* semantics here, independent of the rules
that rewrite them: matrix terms are computed with matmul and a row softmax, and
the write-once memory is simulated step by step. That independence is what
makes this an oracle for rule soundness and for counterexamples.

The semantics is *total* (as in Lean or Isabelle): no value is undefined.
x^r is 0 where the real power is not defined (0^-1, 0^(-1/2), (-1)^(1/2)), log x
is 0 for x <= 0, and entries outside an input's shape are 0 (zero padding). This
is what makes sympy's own ring arithmetic (x - x -> 0, 0·x -> 0) sound, and it is
why the non-ring folds (x·x⁻¹ -> 1, exp(log x) -> x) are kept away from sympy by
symcheck's own `Power` and `Log` nodes: they are false at x = 0. A masked softmax
entry is therefore exactly 0, and a fully masked row (strict mask at t = 1) is a
zero row, like a read from an empty memory.

Values are float64, or mpmath numbers in object arrays for confirmation in high
precision.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

import mpmath
import numpy as np
import sympy as sp

from .index import Element, Entry, Iverson, Log, Power, Relu, Sigma, index
from .matrix import MaskedSoftmax, MatInput, MatProd, MatScale, MatT
from .memory import ContentWeight, FeedbackRead, Memory, MemoryCell, Rows, WriteWeight

__all__ = ["Backend", "FLOAT64", "mp_backend", "evaluate", "evaluate_model", "EvaluationError", "TooLarge"]


class EvaluationError(Exception):
    """An expression mentions something the evaluator cannot give a value to."""


class TooLarge(EvaluationError):
    """Evaluating would take more memory than a check may use (a sum over millions of terms)."""


GRID_LIMIT = 4_000_000     # array elements one sum may span

@dataclass(frozen=True)
class Backend:
    name: str
    convert: Callable          # python number or float array -> backend array
    exp: Callable
    log: Callable
    power: Callable            # total: 0 where the real power is undefined
    nan: object
    zero: object


def _f64_power(a, b):
    """a^b, total: 0 where the real power is undefined (0^-1, (-2)^(1/2))."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    with np.errstate(all="ignore"):
        out = np.power(a, b)
    undefined = ((a == 0) & (b < 0)) | ((a < 0) & (b != np.round(b)))
    return np.where(undefined, 0.0, out)


def _f64_log(a):
    a = np.asarray(a, dtype=float)
    with np.errstate(all="ignore"):
        return np.where(a > 0, np.log(np.where(a > 0, a, 1.0)), 0.0)


def _f64_convert(x):
    return np.asarray(x, dtype=float)


FLOAT64 = Backend("float64", _f64_convert, lambda a: _ignore(np.exp, a), _f64_log, _f64_power, np.nan, 0.0)


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

    zero = ctx.mpf(0)

    def total_power(a, b):
        if (a == 0 and b < 0) or (a < 0 and b != int(b)):
            return zero
        return a ** b

    return Backend(f"mpmath{digits}", convert, safe(ctx.exp), safe(lambda v: ctx.log(v) if v > 0 else zero),
                   safe(total_power), nan, zero)


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
        if isinstance(e, sp.floor) and isinstance(e.args[0], sp.Mul) and any(
                _reciprocal_of(a) is not None for a in e.args[0].args):
            num = [a for a in e.args[0].args if _reciprocal_of(a) is None]
            den = [_reciprocal_of(a) for a in e.args[0].args if _reciprocal_of(a) is not None]
            return np.floor_divide(self.idx(sp.Mul(*num), env), self.idx(sp.Mul(*den), env))
        if isinstance(e, sp.floor):                 # floor(p/q) for p integer-valued, q a positive integer
            q = math.lcm(*(int(sp.Rational(c).q) for c in sp.expand(e.args[0]).as_coefficients_dict().values()))
            return np.floor_divide(self.idx(sp.expand(q * e.args[0]), env), q)
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
        """table[i - lo, ...] broadcast over index arrays; 0 where out of range (zero padding)."""
        shape = np.broadcast_shapes(*(a.shape for a in index_arrays))
        valid = np.ones(shape, dtype=bool)
        clipped = []
        for a, lo, n in zip(index_arrays, lows, table.shape):
            k = np.broadcast_to(a - lo, shape)
            valid &= (k >= 0) & (k < n)
            clipped.append(np.clip(k, 0, max(n - 1, 0)))
        if table.size == 0:
            return np.full(shape, self.b.zero, dtype=table.dtype)
        out = table[tuple(clipped)]
        return np.where(valid, out, self.b.zero)


def _reciprocal_of(a):
    """x for a factor 1/x (a sympy power or symcheck's `Power`), else None."""
    if isinstance(a, (sp.Pow, Power)) and a.args[1] == -1:
        return a.args[0]
    return None


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


def _exp(ev, e, env):
    return ev.b.exp(ev.val(e.args[0], env))


def _relu(ev, e, env):
    v = ev.val(e.args[0], env)
    return np.where(v > 0, v, ev.b.zero)


def _log(ev, e, env):
    return ev.b.log(ev.val(e.args[0], env))


def _integer_valued(ev, e, env):
    """Mod and floor as values: their integer index arithmetic, as an array of the backend."""
    return ev.b.convert(ev.idx(e, env))


def _abs(ev, e, env):
    return abs(ev.val(e.args[0], env))


def _power(ev, e, env):
    return ev.b.power(ev.val(e.args[0], env), ev.val(e.args[1], env))


def _indexed(ev, e, env):
    name = str(e.base.label)
    if name not in ev.inputs:
        raise EvaluationError(f"no input named {name!r}")
    return ev.gather(ev.inputs[name], [ev.idx(i, env) for i in e.indices], [1] * len(e.indices))


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
        raise EvaluationError(f"condition not supported: {cond}")
    return relation(_real(ev.val(cond.lhs, env)), _real(ev.val(cond.rhs, env)))


def _real(a):
    return np.asarray(a, dtype=float) if a.dtype != object else a


def _iverson(ev, e, env):
    return ev.b.convert(_truth(ev, e.args[0], env).astype(int))


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
    if (last - first + 1) * max(int(np.prod(shape)), 1) > GRID_LIMIT:
        raise TooLarge(f"the sum over {var} has {last - first + 1} terms at these sizes")
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
            hist[s, s - 1] = hist[s - 1, s - 1] + x[s - 1]      # beyond N slots a write writes nothing
    ev.cache[key] = hist
    return hist


def _written_rows(ev, written):
    """The rows a memory receives: an input tensor, or computed `Rows` evaluated on their grid."""
    if isinstance(written, Rows):
        dims = {v: int(ev.idx(n, {}).reshape(())) for v, n in zip(written.variables, written.shape)}
        return _evaluate(written.body, dims, ev.sizes, ev.inputs, ev.b)
    return ev.inputs[written.name]


def _memory_cell(ev, e, env):
    """M_τ[n, a]: τ is clamped to 0..(rows written), since no write happens before 1 or after the last row."""
    hist = _history(ev, e.mem)
    idx = [ev.idx(x, env) for x in (e.time, e.slot, *e.cols)]
    idx[0] = np.clip(idx[0], 0, hist.shape[0] - 1)
    return ev.gather(hist, idx, [0] + [1] * (len(idx) - 1))


def _write_weight(ev, e, env):
    s, n = ev.idx(e.step, env), ev.idx(e.slot, env)
    slots = int(ev.idx(e.mem.slots, {}).reshape(()))
    return ev.b.convert(((n == s) & (s >= 1) & (s <= slots)).astype(int))


def _padded(table, lo: int, hi: int, axis: int, zero):
    """`table` (indexed from 1 on `axis`) extended with zero rows so that lo..hi are all present."""
    before, after = max(1 - lo, 0), max(hi - table.shape[axis], 0)
    if not before and not after:
        return table, 1
    widths = [(0, 0)] * table.ndim
    widths[axis] = (before, after)
    out = np.full(tuple(n + sum(widths[k]) for k, n in enumerate(table.shape)), zero, dtype=table.dtype)
    out[tuple(slice(w[0], w[0] + n) for w, n in zip(widths, table.shape))] = table
    return out, 1 - before


def _content_weight(ev, e: ContentWeight, env):
    """C(M_τ, q_r, β)[n] by its formula over the memory zero-padded to every slot asked for
    (a slot beyond N, or a query row beyond the input, is a zero row), with the total reciprocal."""
    tau, row, slot, hi = (ev.idx(x, env) for x in (e.time, e.row, e.slot, e.hi))
    hist = _history(ev, e.mem)                                   # (steps+1, N, W)
    tau = np.clip(tau, 0, hist.shape[0] - 1)
    hist, n_lo = _padded(hist, int(slot.min()), max(int(slot.max()), int(hi.max())), 1, ev.b.zero)
    q, r_lo = _padded(ev.inputs[e.query.name], int(row.min()), int(row.max()), 0, ev.b.zero)
    dots = (q[None, :, None, :] * hist[:, None, :, :]).sum(axis=-1)        # (steps+1, R, N)
    if e.similarity == "cosine":
        qn = ev.b.power((q * q).sum(axis=-1), ev.b.convert(-0.5))         # (R,)
        mn = ev.b.power((hist * hist).sum(axis=-1), ev.b.convert(-0.5))   # (steps+1, N)
        dots = dots * qn[None, :, None] * mn[:, None, :]                 # cos(q, 0) = 0 (total power)
    beta = ev.val(e.strength, {}).reshape(())
    expd = ev.b.exp(beta * dots)                                          # (steps+1, R, N)
    num = ev.gather(expd, [tau, row, slot], [0, r_lo, n_lo])
    width = expd.shape[2]
    m = (np.arange(width) + n_lo).reshape((1,) * ev.ndim + (width,))
    shape = np.broadcast_shapes(tau.shape, row.shape, hi.shape)
    rows = ev.gather(expd, [tau[..., None], row[..., None], m], [0, r_lo, n_lo])
    rows = np.broadcast_to(rows, shape + (width,))
    in_domain = np.broadcast_to((m >= 1) & (m <= hi[..., None]), rows.shape)
    den = np.where(in_domain, rows, ev.b.zero).sum(axis=-1)
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
    sp.Symbol: _symbol, sp.Add: _add, sp.Mul: _mul, sp.Pow: _pow, sp.exp: _exp, sp.log: _log, Log: _log,
    Power: _power, sp.Abs: _abs, Relu: _relu, sp.Mod: _integer_valued, sp.floor: _integer_valued,
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
