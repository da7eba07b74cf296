"""The replay checker's own numeric semantics: a scalar mpmath interpreter, total and bounded.

Independent of the prover by design: nothing here comes from the normalizer, the rules
or the vectorised evaluator. The semantics is total, as in Lean or Isabelle, so no value
is ever undefined: x^e is the real power where it exists and 0 otherwise (1/0 = 0),
log x = 0 for x <= 0, an entry outside its matrix is 0, a memory read after the last
write sees the last state, a recurrent state at τ outside 0..T is S_0 or S_T. Work is bounded
(summation ranges, dimensions, evaluations) so that a hostile certificate is rejected, never a hang.
"""

from __future__ import annotations

import mpmath
import sympy as sp
from sympy.logic.boolalg import BooleanFalse, BooleanTrue

from .index import Element, Entry, Iverson, Log, Power, Prod, Relu, Sigma
from .matrix import MaskedSoftmax, MatInput, MatProd, MatScale, MatT
from .memory import ContentWeight, MemoryCell, Rows, WriteWeight
from .nodes.recurrence import Prev, State
from .replay_parse import Rejected, parse

__all__ = ["Rejected", "parse", "World", "scalar_value", "DIGITS", "MAX_RANGE", "MAX_DIM", "MAX_WORK"]

DIGITS = 30
MAX_RANGE = 10_000       # terms of one sum, evaluated
MAX_DIM = 1_000          # one dimension of an input, a memory or computed rows, evaluated
MAX_ENTRIES = 100_000    # entries of one input, matrix or memory
MAX_WORK = 600_000       # node evaluations of one side of one step (the library's most: 313,300, post-LN layer)
ZERO = mpmath.mpf(0)


class World:
    """Sizes, inputs and caches for one numeric instantiation."""

    def __init__(self, sizes: dict[str, int], inputs: dict[str, list]):
        self.sizes, self.inputs = sizes, inputs
        self.cache: dict = {}
        self.work = 0
        self.frame: tuple | None = None     # (recurrence, t, S_{t-1}) while its update at step t is evaluated

    def integer(self, e, env) -> int:
        v = self.value(e, env)
        if v != int(v):
            raise Rejected(f"index expression {e} is not an integer here")
        return int(v)

    def value(self, e, env):
        self.work += 1
        if self.work > MAX_WORK:
            raise Rejected(f"more than {MAX_WORK} evaluations in one step")
        if e.is_Number:
            return mpmath.mpf(e.p) / e.q if e.is_Rational else mpmath.mpf(float(e))
        if isinstance(e, sp.Symbol):
            if e.name in env:
                return mpmath.mpf(env[e.name])
            if e.name in self.sizes:
                return mpmath.mpf(self.sizes[e.name])
            raise Rejected(f"free symbol {e.name} has no value")
        if e is sp.E:
            return mpmath.e
        handler = _HANDLERS.get(type(e))
        if handler is None:
            raise Rejected(f"the checker has no semantics for {type(e).__name__}")
        return handler(self, e, env)

    def dimension(self, e) -> int:
        n = self.integer(e, {})
        if n > MAX_DIM:
            raise Rejected(f"a dimension of {n}, more than the checker's limit of {MAX_DIM}")
        return max(n, 0)


def total_power(base, ex):
    """base^ex: ordinary for a natural exponent or a positive base; 0 where the real power is undefined."""
    if ex == int(ex) and ex >= 0:
        return base ** int(ex)
    if base > 0:
        return base ** ex
    if base < 0 and ex == int(ex):
        return base ** int(ex)
    return ZERO


def _add(w, e, env):
    return mpmath.fsum(w.value(a, env) for a in e.args)


def _mul(w, e, env):
    out = mpmath.mpf(1)
    for a in e.args:
        out *= w.value(a, env)
    return out


def _pow(w, e, env):
    return total_power(w.value(e.args[0], env), w.value(e.args[1], env))


_UNARY = {sp.exp: mpmath.exp, sp.log: lambda v: mpmath.log(v) if v > 0 else ZERO, Relu: lambda v: max(v, ZERO),
          sp.Abs: abs, sp.cos: mpmath.cos, sp.sin: mpmath.sin}
_UNARY[Log] = _UNARY[sp.log]


def _unary(w, e, env):
    return _UNARY[type(e)](w.value(e.args[0], env))


def _floor(w, e, env):
    """floor(p/q), by integer division when p and q are integer-valued (no rounding near an integer)."""
    num, den = sp.fraction(e.args[0])
    p, q = w.value(num, env), w.value(den, env)
    if q == 0:
        return ZERO                                  # floor(p/0) = floor(0): the total 1/0 = 0
    return mpmath.mpf(int(p) // int(q)) if p == int(p) and q == int(q) else mpmath.floor(p / q)


def _lookup(table, *idx):
    """Zero padding: an index outside the table reads 0."""
    for k in idx:
        if not isinstance(table, list) or not 0 <= k < len(table):
            return ZERO
        table = table[k]
    return table


def _indexed(w, e, env):
    name = str(e.base.label)
    if name not in w.inputs:
        raise Rejected(f"no input named {name}")
    return _lookup(w.inputs[name], *(w.integer(i, env) - 1 for i in e.indices))


_RELATIONS = {
    sp.LessThan: lambda a, b: a <= b, sp.StrictLessThan: lambda a, b: a < b,
    sp.GreaterThan: lambda a, b: a >= b, sp.StrictGreaterThan: lambda a, b: a > b,
    sp.Equality: lambda a, b: a == b, sp.Unequality: lambda a, b: a != b,
}


def holds(w: World, cond, env) -> bool:
    """The truth of a condition: the six relations, and And / Or / Not of them."""
    if isinstance(cond, BooleanTrue):
        return True
    if isinstance(cond, BooleanFalse):
        return False
    if isinstance(cond, sp.And):
        return all(holds(w, c, env) for c in cond.args)
    if isinstance(cond, sp.Or):
        return any(holds(w, c, env) for c in cond.args)
    if isinstance(cond, sp.Not):
        return not holds(w, cond.args[0], env)
    relation = _RELATIONS.get(type(cond))
    if relation is None:
        raise Rejected(f"the checker has no semantics for the condition {type(cond).__name__}")
    return relation(w.value(cond.lhs, env), w.value(cond.rhs, env))


def _iverson(w, e, env):
    return mpmath.mpf(1 if holds(w, e.args[0], env) else 0)


def _sigma(w, e, env):
    """Memoised on the values of the sum's free indices: a LayerNorm's mean is met once per token."""
    key = ("sum", e, w.frame and w.frame[:2],      # inside an update, a sum may read the previous state
           tuple((s.name, env[s.name]) for s in sorted(e.free_symbols, key=lambda s: s.name) if s.name in env))
    if key not in w.cache:
        w.cache[key] = _sum(w, e, env)
    return w.cache[key]


def _sum(w, e, env):
    body, var, lo, hi = e.args
    a, b = w.integer(lo, env), w.integer(hi, env)
    if b - a + 1 > MAX_RANGE:
        raise Rejected(f"a sum of {b - a + 1} terms, more than the checker's limit of {MAX_RANGE}")
    return mpmath.fsum(w.value(body, {**env, var.name: k}) for k in range(a, b + 1))


def _prod(w, e, env):
    body, var, lo, hi = e.args
    a, b = w.integer(lo, env), w.integer(hi, env)
    if b - a + 1 > MAX_RANGE:
        raise Rejected(f"a product of {b - a + 1} factors, more than the checker's limit of {MAX_RANGE}")
    out = mpmath.mpf(1)
    for k in range(a, b + 1):
        out *= w.value(body, {**env, var.name: k})
    return out


def _checked(rows: list, what: str) -> list:
    count = len(rows) * (len(rows[0]) if rows and isinstance(rows[0], list) else 1)
    if count > MAX_ENTRIES:
        raise Rejected(f"{what} has more than {MAX_ENTRIES} entries")
    return rows


def _matrix(w, term):
    key = ("matrix", term, w.frame and w.frame[:2])
    if key not in w.cache:
        handler = _MATRIX.get(type(term))
        if handler is None:
            raise Rejected(f"the checker has no semantics for matrix term {type(term).__name__}")
        w.cache[key] = handler(w, term)
    return w.cache[key]


def _input(w, term):
    if term.name not in w.inputs:
        raise Rejected(f"no input named {term.name}")
    return w.inputs[term.name]


def _transpose(w, term):
    a = _matrix(w, term.args[0])
    return [list(col) for col in zip(*a)] if a else []


def _product(w, term):
    a, b = _matrix(w, term.args[0]), _matrix(w, term.args[1])
    w.work += len(a) * len(b) * (len(b[0]) if b else 0)
    return _checked([[mpmath.fsum(x * y for x, y in zip(row, col)) for col in zip(*b)] for row in a], "a product")


def _scale(w, term):
    c = w.value(term.args[0], {})
    return [[c * x for x in row] for row in _matrix(w, term.args[1])]


def _softmax(w, term):
    return [_softmax_row(i, row, term.mask) for i, row in enumerate(_matrix(w, term.args[0]), start=1)]


_MATRIX = {MatInput: _input, MatT: _transpose, MatProd: _product, MatScale: _scale, MaskedSoftmax: _softmax}


def _softmax_row(i, row, mask):
    """[mask]·e^a·(Σ [mask] e^a)^{-1}: a fully masked row is zeros (the total reciprocal)."""
    keep = [mask == "none" or (j <= i if mask == "inclusive" else j < i) for j in range(1, len(row) + 1)]
    ex = [mpmath.exp(x) if k else ZERO for k, x in zip(keep, row)]
    z = total_power(mpmath.fsum(ex), -1)
    return [x * z for x in ex]


def _entry(w, e, env):
    return _lookup(_matrix(w, e.term), w.integer(e.args[1], env) - 1, w.integer(e.args[2], env) - 1)


def _history(w, mem):
    """The write-once memory after 0, 1, ..., R writes (R rows written; step s writes row s to
    slot s, nothing when s > N)."""
    key = ("memory", mem, w.frame and w.frame[:2])
    if key not in w.cache:
        rows = _written(w, mem.written)
        slots = w.dimension(mem.slots)
        width = _zero_like(rows[0]) if rows else []
        _checked([width] * slots, f"memory {mem.name}")
        states = [[width for _ in range(slots)]]
        for s, row in enumerate(rows, start=1):
            nxt = list(states[-1])
            if s <= slots:
                nxt[s - 1] = _plus(nxt[s - 1], row)
            states.append(nxt)
        w.cache[key] = states
    return w.cache[key]


def _written(w, written):
    """The rows a memory receives: an input, or computed rows (`Rows`) evaluated entry by entry."""
    if not isinstance(written, Rows):
        if written.name not in w.inputs:
            raise Rejected(f"no input named {written.name}")
        return w.inputs[written.name]
    dims = [w.dimension(n) for n in written.shape]
    total = 1
    for n in dims:
        total *= n
    if total > MAX_ENTRIES:
        raise Rejected(f"computed rows {written.name} have more than {MAX_ENTRIES} entries")
    names = [v.name for v in written.variables]

    def fill(env, k):
        if k == len(dims):
            return w.value(written.body, env)
        return [fill({**env, names[k]: i}, k + 1) for i in range(1, dims[k] + 1)]

    return fill({}, 0)


def _zero_like(x):
    return [_zero_like(v) for v in x] if isinstance(x, list) else ZERO


def _plus(a, b):
    if isinstance(a, list):
        return [_plus(x, y) for x, y in zip(a, b)]
    return a + b


def _state(w, mem, time, env):
    """M_τ with τ clamped to [0, rows written]."""
    states = _history(w, mem)
    return states[min(max(w.integer(time, env), 0), len(states) - 1)]


def _memory_cell(w, e, env):
    return _lookup(_state(w, e.mem, e.time, env), *(w.integer(x, env) - 1 for x in (e.slot, *e.cols)))


def _element(w, e, env):
    if e.tensor.name not in w.inputs:
        raise Rejected(f"no input named {e.tensor.name}")
    return _lookup(w.inputs[e.tensor.name], *(w.integer(i, env) - 1 for i in e.indices))


def _write_weight(w, e, env):
    s, n = w.integer(e.step, env), w.integer(e.slot, env)
    return mpmath.mpf(1 if n == s and 1 <= s <= w.integer(e.mem.slots, {}) else 0)


def _content_weight(w, e, env):
    """exp(β sim(q_r, M_τ[n])) · (Σ_{m=1}^{hi} exp(β sim(q_r, M_τ[m])))^{-1}, the memory zero-padded."""
    memory = _state(w, e.mem, e.time, env)
    hi, n = w.integer(e.hi, env), w.integer(e.slot, env)
    if e.query.name not in w.inputs:
        raise Rejected(f"no input named {e.query.name}")
    q = _lookup(w.inputs[e.query.name], w.integer(e.row, env) - 1)
    if hi > MAX_RANGE:
        raise Rejected(f"content addressing over {hi} slots, more than the checker's limit of {MAX_RANGE}")
    beta = w.value(e.strength, {})

    def sim(m):
        slot = _lookup(memory, m - 1)
        if not isinstance(q, list) or not isinstance(slot, list):
            return ZERO
        d = mpmath.fsum(a * b for a, b in zip(q, slot))
        if e.similarity == "dot":
            return d
        return (d * total_power(mpmath.fsum(a * a for a in q), mpmath.mpf(-0.5))
                * total_power(mpmath.fsum(b * b for b in slot), mpmath.mpf(-0.5)))

    z = mpmath.fsum(mpmath.exp(beta * sim(m)) for m in range(1, hi + 1))
    return mpmath.exp(beta * sim(n)) * total_power(z, -1)


def _steps(w, rec):
    """S_0..S_T of a recurrence, step by step: S_0[a, b] = init(a, b), S_t[a, b] = update(t, a, b) with
    `Prev` reading S_{t-1} (0 outside the shape); a previous state read elsewhere has no value."""
    key = ("recurrence", rec)
    if key not in w.cache:
        rows, cols, steps = w.dimension(rec.shape[0]), w.dimension(rec.shape[1]), w.dimension(rec.steps)
        _checked([[ZERO] * cols] * rows, f"the state {rec.name}")

        def grid(fn, env):
            return [[w.value(fn.expr, {**env, fn.variables[-2].name: a, fn.variables[-1].name: b})
                     for b in range(1, cols + 1)] for a in range(1, rows + 1)]

        outer, w.frame = w.frame, None
        try:
            states = [grid(rec.init, {})]
            for t in range(1, steps + 1):
                w.frame = (rec, t, states[-1])
                states.append(grid(rec.update, {rec.update.variables[0].name: t}))
        finally:
            w.frame = outer
        w.cache[key] = states
    return w.cache[key]


def _state_of(w, e, env):
    """S_τ[a, b], τ clamped to 0..T."""
    states = _steps(w, e.rec)
    tau = min(max(w.integer(e.time, env), 0), len(states) - 1)
    return _lookup(states[tau], w.integer(e.row, env) - 1, w.integer(e.col, env) - 1)


def _prev(w, e, env):
    if w.frame is None or w.frame[0].name != e.name:
        raise Rejected(f"the previous state of {e.name} is read outside the update of {e.name}")
    return _lookup(w.frame[2], w.integer(e.row, env) - 1, w.integer(e.col, env) - 1)


def _mp(x):
    return [_mp(v) for v in x] if isinstance(x, list) else mpmath.mpf(x)


def scalar_value(expr, sizes: dict[str, int], inputs: dict[str, list], env: dict[str, int]):
    """The checker's own value of `expr` (an mpmath number; the semantics is total)."""
    with mpmath.workdps(DIGITS):
        world = World(sizes, {k: _mp(v) for k, v in inputs.items()})
        return world.value(expr, env)


_HANDLERS = {
    sp.Add: _add, sp.Mul: _mul, sp.Pow: _pow, Power: _pow, sp.floor: _floor, **{k: _unary for k in _UNARY},
    sp.Indexed: _indexed, Iverson: _iverson, Sigma: _sigma, Prod: _prod, Entry: _entry, Element: _element,
    MemoryCell: _memory_cell, WriteWeight: _write_weight, ContentWeight: _content_weight, State: _state_of,
    Prev: _prev,
}
