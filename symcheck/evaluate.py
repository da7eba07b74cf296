"""Numeric semantics: evaluate an index expression on whole index grids at once.

Every free index and every bound index gets its own numpy axis, so one call
computes all entries of a model's output (no per-entry Python loops). Sums mask
their range, so an empty range is 0 and out-of-range garbage never leaks.
This module is the machinery (backends, the grid plan, index arithmetic, gathering
with zero padding); each node kind's values are its spec's `value`/`matrix`
(`symcheck.nodes`). High-level nodes have their *own* semantics there, independent
of the rules that rewrite them: matrix terms are computed with matmul and a row
softmax, and the write-once memory is simulated step by step. That independence is what
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
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

import mpmath
import numpy as np
import sympy as sp

from .binders import rebind
from .grid import as_view, contracted
from .index import index
from .nodes import spec_of
from .nodes.spec import registered
from .nodes.arithmetic import strong_product
from .nodes.sums import Sigma
from .nodes.recurrence import STEP

__all__ = ["Backend", "FLOAT64", "mp_backend", "evaluate", "EvaluationError", "TooLarge"]


class EvaluationError(Exception):
    """An expression mentions something the evaluator cannot give a value to."""


class TooLarge(EvaluationError):
    """Evaluating would take more memory than a check may use (a sum over millions of terms)."""


GRID_LIMIT = 4_000_000     # array elements one sum may span
STEP_FROM = 32             # a grid reading states at more times than this is evaluated in blocks of times
STEP_BLOCK = 32            # consecutive time steps evaluated together: the tree is walked once per block

@dataclass(frozen=True)
class Backend:
    name: str
    convert: Callable          # python number or float array -> backend array
    exp: Callable
    log: Callable
    power: Callable            # total: 0 where the real power is undefined
    nan: object
    zero: object
    cos: Callable = np.cos     # the rotation angles of positional encodings
    sin: Callable = np.sin


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
                   safe(total_power), nan, zero, safe(ctx.cos), safe(ctx.sin))


class _Evaluator:
    """The grid machinery that node specs compute with (`spec.value`, `spec.matrix`)."""

    def __init__(self, sizes: dict[str, int], inputs: dict[str, np.ndarray], backend: Backend, axes: dict,
                 ndim: int, previous: tuple | None = None):
        self.sizes = sizes
        self.inputs = inputs        # already in the backend's numbers (`_evaluate` converts once)
        self.b = backend
        self.axes = axes            # index symbol -> axis number
        self.ndim = ndim
        self.previous = previous    # (recurrence name, S_{t-1}) while an update is evaluated
        self.cache: dict = {}       # whole arrays: matrix terms, state streams
        self.ranges: dict = {}      # sums over the current grid (`_run` starts afresh for each time step)

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
        if isinstance(e, sp.floor):                 # floor(p/q), p and q integer-valued (`wellformed`)
            num, den = _quotient(e.args[0])
            p, q = self.idx(num, env), self.idx(den, env)
            return np.where(q == 0, 0, np.floor_divide(p, np.where(q == 0, 1, q)))    # total: p/0 = 0
        raise EvaluationError(f"index expression not supported: {e}")

    def dimension(self, e) -> int:
        """A size expression's value (a memory's slots, the extent of computed rows)."""
        return int(self.idx(e, {}).reshape(()))

    # values ---------------------------------------------------------------
    def val(self, e, env):
        fn = spec_of(e).value
        if fn is None:
            raise EvaluationError(f"not supported by the evaluator: {type(e).__name__}")
        return fn(self, e, env)

    def matrix(self, term):
        """A matrix-level term's whole array, computed once."""
        key = ("matrix", term)
        if key not in self.cache:
            fn = spec_of(term).matrix
            if fn is None:
                raise EvaluationError(f"matrix term not supported: {type(term).__name__}")
            self.cache[key] = fn(self, term)
        return self.cache[key]

    def scalar(self, v):
        return self.b.convert(v).reshape((1,) * self.ndim)

    def number(self, e):
        """A sympy number as a backend scalar: exact rationals for mpmath."""
        if e.is_Rational:
            return self.scalar(sp.Rational(e) if self.b is not FLOAT64 else float(e))
        return self.scalar(float(e))

    def gather(self, table, index_arrays, lows):
        """table[i - lo, ...] broadcast over index arrays; 0 where out of range (zero padding)."""
        view = as_view(table, index_arrays, lows)
        if view is not None:
            return view
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

    def read_input(self, name: str, index_arrays):
        """An input's entries (indexed from 1) at the index arrays, zero padded."""
        if name not in self.inputs:
            raise EvaluationError(f"no input named {name!r}")
        return self.gather(self.inputs[name], index_arrays, [1] * len(index_arrays))

    def padded(self, table, lo: int, hi: int, axis: int):
        """(`table` indexed from 1 on `axis`, extended with zero rows so that lo..hi are all present; the index of
        its first row)."""
        before, after = max(1 - lo, 0), max(hi - table.shape[axis], 0)
        if not before and not after:
            return table, 1
        widths = [(0, 0)] * table.ndim
        widths[axis] = (before, after)
        out = np.full(tuple(n + sum(widths[k]) for k, n in enumerate(table.shape)), self.b.zero, dtype=table.dtype)
        out[tuple(slice(w[0], w[0] + n) for w, n in zip(widths, table.shape))] = table
        return out, 1 - before

    def subgrid(self, expr, dims: dict, step: int | None = None, previous: tuple | None = None):
        """`expr` on a grid of its own (index symbol -> extent), e.g. the rows a memory receives, or a
        recurrence's update at time `step` (the symbol `STEP`) given (its name, the previous state)."""
        sizes = self.sizes if step is None else {**self.sizes, STEP.name: step}
        return _run(expr, dims, sizes, self.inputs, self.b, previous)

    def previous_state(self, name: str):
        """S_{t-1} of the recurrence `name` whose update is being evaluated."""
        if self.previous is None or self.previous[0] != name:
            raise EvaluationError(f"{name}_(t-1) is used outside the update of the recurrence {name}")
        return self.previous[1]

    def reduce_range(self, e, env, unit: int, reduce, *, contract: bool = False):
        """`reduce` (np.sum, np.prod ...) of a range binder's body over its range, on the binder's own axis;
        `unit` on an empty range, and in place of the terms outside a range that varies over the grid.
        Memoised per scope: a layer repeats whole sums (a LayerNorm's mean appears twice). `contract`: the
        reduction is a sum, which may be contracted factor by factor (`grid.contracted`, float64 only)."""
        scope = tuple((x, env[x]) for x in sorted(e.free_symbols & env.keys(), key=lambda x: x.name))
        key = (e, tuple((x.name, id(a)) for x, a in scope))
        hit = self.ranges.get(key)
        if hit is None:
            hit = (self._reduce_range(e, env, unit, reduce, contract), scope)   # keep the scope alive: ids stay unique
            self.ranges[key] = hit
        return hit[0]

    def _reduce_range(self, e, env, unit, reduce, contract):
        var, ax, grid, mask = self._range(e, env)
        if grid is None:
            return self.b.convert(np.full(mask.shape, unit, dtype=int))
        inner, body = {**env, var: grid}, spec_of(e).binder.scope(e)
        if contract and self.b is FLOAT64:
            summed, vals = self._sum_of_product(body, inner, (ax,), (mask,))
            if summed is not None:
                return summed
        elif contract and isinstance(body, sp.Mul):
            vals = strong_product(self, [self.val(a, inner) for a in body.args])
        else:
            vals = self.val(body, inner)
        return _masked_reduce(vals, mask, ax, self.b.convert(unit), reduce)

    def _range(self, e, env):
        """A range binder's (variable, axis, values on that axis, mask of the points inside the range); values None
        and a mask of False on the bounds' grid when the range is empty everywhere."""
        binder = spec_of(e).binder
        (var,), (lo, hi) = binder.variables(e), binder.bounds(e)
        lo_a, hi_a = self.idx(lo, env), self.idx(hi, env)
        shape = np.broadcast_shapes(lo_a.shape, hi_a.shape)
        first, last = int(lo_a.min()), int(hi_a.max())
        ax = self.axes[var]
        if last < first:
            return var, ax, None, np.zeros(shape, dtype=bool)
        grid_shape = [1] * self.ndim
        grid_shape[ax] = last - first + 1
        if (last - first + 1) * max(int(np.prod(shape)), 1) > GRID_LIMIT:
            raise TooLarge(f"the range of {var} has {last - first + 1} terms at these sizes")
        grid = np.arange(first, last + 1).reshape(grid_shape)
        return var, ax, grid, (grid >= lo_a) & (grid <= hi_a)

    def _sum_of_product(self, body, env, axes: tuple, masks: tuple):
        """(Σ over `axes` of `body`, None) contracted factor by factor (`grid.contracted`) when `body` is a product
        or a sum of one (Σ_u Σ_a f·g: one contraction over both axes, without the grid of the inner sum), else
        (None, `body`'s values on the grid, which the caller masks and reduces). Float64 only."""
        if isinstance(body, Sigma) and isinstance(body.body, sp.Mul) and len(axes) == 1:
            var, ax, grid, mask = self._range(body, env)
            if grid is None:
                return None, self.val(body, env)
            summed, vals = self._sum_of_product(body.body, {**env, var: grid}, axes + (ax,), masks + (mask,))
            if summed is not None:
                return summed, None
            return None, _masked_reduce(vals, mask, ax, self.b.zero, np.sum)      # the inner sum, as it stands
        if isinstance(body, sp.Mul):
            factors = [self.val(a, env) for a in body.args]
            summed = contracted(factors + [m.astype(float) for m in masks if not m.all()], axes)
            return summed, None if summed is not None else strong_product(self, factors)
        return None, self.val(body, env)


def _masked_reduce(vals, mask, ax: int, unit, reduce):
    """`reduce` along `ax` of `vals` where `mask` holds, `unit` elsewhere."""
    full = np.broadcast_shapes(vals.shape, mask.shape)
    if mask.all():                              # the whole range at every point: nothing to mask, nothing to copy
        return reduce(np.broadcast_to(vals, full), axis=ax, keepdims=True)
    return reduce(np.where(np.broadcast_to(mask, full), np.broadcast_to(vals, full), unit), axis=ax, keepdims=True)


@lru_cache(maxsize=4096)
def _quotient(arg: sp.Expr) -> tuple[sp.Expr, sp.Expr]:
    """(p, q) with arg = p/q as integer polynomials: (t − 1)/C, t/2 + 1/3 = (3t + 2)/6, (t − 1)/(2C)."""
    return sp.fraction(sp.together(arg))


def _unique_binders(expr):
    """Give every binder its own name in one pass (new names are fresh, so nothing is captured)."""
    counter = itertools.count(1)
    return rebind(expr, lambda v, scope: index(f"_b{next(counter)}"))


def evaluate(expr: sp.Expr, free: dict[sp.Symbol, int], sizes: dict[str, int],
             inputs: dict[str, np.ndarray], backend: Backend = FLOAT64) -> np.ndarray:
    """Values of `expr` for every assignment of the free indices `free` (symbol -> upper
    bound; each runs over 1..bound), as an array with one axis per free index."""
    with np.errstate(all="ignore"):
        return _evaluate(expr, free, sizes, inputs, backend)


@lru_cache(maxsize=512)
def _plan(expr, free: tuple, fuse: bool = False):
    """Compile once per expression: unique binder names, an axis per index, and the free index to step
    through in time order (the first one a state read's time depends on), if any. `fuse`: the sums a factor
    can compute as one node (`NodeSpec.fuse`: a memory read over blocks of steps) are replaced by that node.

    Free indices own the first axes; a binder's axis is given by its nesting depth, since
    binders in scope at the same time are nested (different depths) and siblings reduce
    their axis before they meet. (NumPy allows at most 64 axes; a layer has >100 sums.)"""
    expr = _unique_binders(expr)
    if fuse:
        expr = _fused(expr)
    axes = {s: k for k, s in enumerate(free)}
    deepest = [0]
    times = set()

    def walk(e, depth):
        if not e.args:
            return
        spec = spec_of(e)
        if spec.opaque:
            return                              # a memory's rows are evaluated on their own grid
        if spec.time is not None:
            times.update(e.args[spec.time].free_symbols)
        if spec.binder is not None:
            b = spec.binder
            for k, v in enumerate(b.variables(e)):
                axes[v] = len(free) + depth + k
            inner = depth + len(b.variables(e))
            deepest[0] = max(deepest[0], inner)
            for k in b.outside(e):
                walk(e.args[k], depth)
            walk(b.scope(e), inner)
            return
        for a in e.args:
            walk(a, depth)

    walk(expr, 0)
    return expr, len(free) + deepest[0], axes, next((s for s in free if s in times), None)


def _fused(e, fusions: tuple | None = None):
    """`e` with every binder that an evaluation-only kind computes as one node (`NodeSpec.fuse`) replaced by it."""
    fusions = tuple(s.fuse for s in registered() if s.fuse is not None) if fusions is None else fusions
    spec = spec_of(e) if e.args else None
    if spec is None or spec.opaque:
        return e
    args = tuple(_fused(a, fusions) for a in e.args)
    e = e.func(*args) if args != e.args else e
    if spec.binder is not None:
        for fuse in fusions:
            fused = fuse(e)
            if fused is not None:
                return fused
    return e


def _evaluate(expr, free, sizes, inputs, backend):
    return _run(expr, free, sizes, {k: backend.convert(v) for k, v in inputs.items()}, backend, None)


def _run(expr, free, sizes, inputs, backend, previous):
    """`expr` on the grid of `free`; when a state is read at a time given by a free index with many values,
    a block of `STEP_BLOCK` consecutive values of it at a time (in increasing order, so each state sequence runs
    once, in O(state) memory, and each sum spans one block's grid, not all of them; a block whose grid would be
    too large is halved, down to single steps). In float64, the sums a node computes over blocks of steps
    (`NodeSpec.fuse`: a memory read) are first put in their place, so that only the rest steps, if anything."""
    plan = _plan(expr, tuple(free))
    if plan[3] is not None and free[plan[3]] > STEP_FROM and backend is FLOAT64:
        plan = _plan(expr, tuple(free), True)
    expr, ndim, axes, stepped = plan
    ev = _Evaluator(sizes, inputs, backend, axes, ndim, previous)
    env = {s: _values(1, n, axes[s], ndim) for s, n in free.items()}
    target = tuple(free[s] for s in free) + (1,) * (ndim - len(free))
    if stepped is None or free[stepped] <= STEP_FROM:
        out = np.broadcast_to(ev.val(expr, env), target)
    else:
        ax, last, rows, k, width = axes[stepped], free[stepped], [], 1, STEP_BLOCK
        while k <= last:
            ev.ranges = {}
            n = min(width, last + 1 - k)
            try:
                value = ev.val(expr, {**env, stepped: _values(k, n, ax, ndim)})
            except TooLarge:
                if n == 1:
                    raise
                width = (n + 1) // 2                # a block's grid is too large: fewer steps at a time
                continue
            rows.append(np.broadcast_to(value, target[:ax] + (n,) + target[ax + 1:]))
            k += n
        out = np.concatenate(rows, axis=ax) if rows else np.broadcast_to(ev.b.zero, target)
    return np.asarray(out).reshape(tuple(free[s] for s in free))


def _values(first: int, n: int, axis: int, ndim: int) -> np.ndarray:
    """first..first+n-1 along `axis` of an ndim grid."""
    shape = [1] * ndim
    shape[axis] = n
    return np.arange(first, first + n).reshape(shape)
