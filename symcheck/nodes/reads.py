"""A content read of a write-once memory evaluated for blocks of steps at once: evaluation only.

Why: r_τ[b] = Σ_{n=1}^{hi} C(M^K_τ, q_t, β)[n] · M^V_τ[n, b] evaluated one step at a time costs ~0.6 ms of
Python per step (T = 4096: 2.5 s), and on a grid of many steps the memory read would form steps × slots ×
width values. `ContentRead` is that sum as one node, which the float64 evaluator puts in its place where it
would otherwise step (`NodeSpec.fuse`); no rule or certificate sees it.

Its semantics is still the memory's, computed independently of attention: the reads are sorted by time and
taken in blocks of at most `BLOCK` steps. A block starts from the simulated state M_{t0} (the memory's
`Stream`); a slot σ(s) that a step s of the block writes (`written_slots`) holds, at a read's time τ, one of two
rows by the write rule: M_{t0}[σ(s)] before the step, M_{t0}[σ(s)] + x_s from it on (s ≤ τ, the mask of what
each read sees); every other slot holds M_{t0}'s row. Content weights then follow their formula (dot or
cosine, exp, the total reciprocal of the denominator over slots 1..hi, slots beyond N zero rows) and the read
is a product with those rows: matrix products, the written slots' weights split by the mask. Memory is
O(state + BLOCK × slots).
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from sympy.core.symbol import Str

from .memory import ContentWeight, Memory, MemoryCell, distinct, states, written_rows, written_slots
from .spec import Node, NodeSpec, register
from .sums import Sigma

__all__ = ["ContentRead", "fused_read", "BLOCK"]

BLOCK = 64      # steps (and reads) evaluated together


class ContentRead(Node, sp.Expr):
    """Σ_{n=1}^{hi} C(M^K_τ, q_row, β)[n] · M^V_τ[n, cols]: args (keys, τ, query, row, β, similarity, hi,
    values, *cols), the ContentWeight's arguments without its slot, then the value memory and its columns."""

    is_commutative = True
    is_real = True

    def __new__(cls, keys: Memory, time, query, row, strength, similarity, hi, values: Memory, *cols):
        similarity = similarity if isinstance(similarity, Str) else Str(similarity)
        return sp.Basic.__new__(cls, keys, *map(sp.sympify, (time,)), query, *map(sp.sympify, (row, strength)),
                                similarity, sp.sympify(hi), values, *map(sp.sympify, cols))

    keys, time, query, row, strength = (property(lambda self, k=k: self.args[k]) for k in range(5))
    similarity = property(lambda self: self.args[5].name)
    hi = property(lambda self: self.args[6])
    values = property(lambda self: self.args[7])
    cols = property(lambda self: self.args[8:])


def fused_read(e) -> ContentRead | None:
    """Σ_{n=1}^{hi} C(M^K_τ, q_row, β)[n] · M^V_τ[n, cols] as a `ContentRead`, or None unless `e` is exactly that:
    the weight's slot and the cell's slot are the sum's variable, its range is 1..hi of the weight, both read at
    the same time, and nothing else mentions the variable."""
    if not isinstance(e, Sigma) or e.lo != 1 or not isinstance(e.body, sp.Mul) or len(e.body.args) != 2:
        return None
    weight = next((f for f in e.body.args if isinstance(f, ContentWeight)), None)
    cell = next((f for f in e.body.args if isinstance(f, MemoryCell)), None)
    n = e.var
    if weight is None or cell is None or weight.slot != n or cell.slot != n or weight.hi != e.hi:
        return None
    outer = (weight.time, weight.row, weight.strength, weight.hi, cell.time, *cell.cols)
    if weight.time != cell.time or any(n in x.free_symbols for x in outer):
        return None
    return ContentRead(weight.mem, weight.time, weight.query, weight.row, weight.strength, weight.similarity,
                       weight.hi, cell.mem, *cell.cols)


def _content_read(ev, e: ContentRead, env):
    """The reads at every grid point: one per distinct (τ, row, hi), over blocks of times, then their columns."""
    tau, row, hi, *cols = (ev.idx(x, env) for x in (e.time, e.row, e.hi, *e.cols))
    shape = np.broadcast_shapes(tau.shape, row.shape, hi.shape)
    (times, rows, his), which = distinct(*(np.broadcast_to(a, shape) for a in (tau, row, hi)))
    width = written_rows(ev, e.values).shape[1:]
    out = np.zeros((len(times), int(np.prod(width))))
    order = np.argsort(times, kind="stable")
    ordered, start = times[order], 0
    while start < len(order):
        stop = min(int(np.searchsorted(ordered, ordered[start] + BLOCK)), start + BLOCK)
        part = order[start:stop]
        out[part] = _block(ev, e, times[part], rows[part], his[part])
        start = stop
    return ev.gather(out.reshape(len(times), *width), [which, *cols], [0] + [1] * len(cols))


def _block(ev, e: ContentRead, times, rows, his):
    """The reads (τ_i, row_i, hi_i) of one block, their times within BLOCK steps: (reads, value width)."""
    slots = max(int(his.max()), 0)
    if not slots:
        return 0.0
    q = ev.inputs[e.query.name]
    queries = ev.gather(q, [rows[:, None], np.arange(1, q.shape[1] + 1)[None, :]], [1, 1])           # (reads, W)
    keys, (lo, hi), old, new, seen = _states_at(ev, e.keys, times, slots)
    dots = queries @ keys.T                                                                           # (reads, slots)
    dots[:, lo:hi] = np.where(seen, queries @ new.T, queries @ old.T)
    if e.similarity == "cosine":
        norm = lambda rows: ev.b.power((rows * rows).sum(axis=-1), -0.5)                        # noqa: E731
        norms = np.repeat(norm(keys)[None, :], len(times), axis=0)
        norms[:, lo:hi] = np.where(seen, norm(new)[None, :], norm(old)[None, :])
        dots = dots * norm(queries)[:, None] * norms                                              # cos(q, 0) = 0
    beta = ev.val(e.strength, {}).reshape(())
    in_domain = np.arange(1, slots + 1)[None, :] <= his[:, None]
    expd = np.where(in_domain, ev.b.exp(beta * dots), 0.0)
    weights = expd * ev.b.power(expd.sum(axis=-1), -1.0)[:, None]
    values, (lo, hi), old, new, seen = _states_at(ev, e.values, times, slots)
    width = int(np.prod(values.shape[1:]))
    values, old, new = (a.reshape(len(a), width) for a in (values, old, new))
    if not all(np.isfinite(a).all() for a in (weights, values, old, new)):
        return _strong_read(weights, values, (lo, hi), old, new, seen)
    rest = weights.copy()
    rest[:, lo:hi] = 0.0                            # the slots written in the block: `old` before their step, `new` from it
    return rest @ values + (weights[:, lo:hi] * seen) @ new + (weights[:, lo:hi] * ~seen) @ old


def _states_at(ev, mem: Memory, times, slots: int):
    """Slots 1..`slots` of M_τ for the block's times τ (clamped to 0..T), without a state per time: M_{t0}
    zero-padded to `slots` rows; the span lo:hi of the slots the block's later steps write; those slots before
    their step (`old`, as in M_{t0}) and from it on (`new` = old + x_s, the write rule); and `seen[i, w]`: the
    read at τ_i sees the write to slot lo + w."""
    stream, x = states(ev, mem), written_rows(ev, mem)
    times = np.clip(times, 0, stream.last)
    first, last = int(times.min()), int(times.max())
    state = stream.at(first)
    kept = min(slots, state.shape[0])
    base = state[:slots] if kept == slots else ev.padded(state[:kept], 1, slots, 0)[0]
    at = written_slots(first + 1, last, kept)                          # step first + 1 + w writes slot at[w]
    steps = np.arange(first + 1, first + 1 + len(at))
    old = base[at]
    span = (int(at[0]), int(at[-1]) + 1) if len(at) else (0, 0)
    return base, span, old, old + x[steps - 1], steps[None, :] <= times[:, None]


def _strong_read(weights, values, span, old, new, seen):
    """The read with strongly zero products (a 0 weight or a 0 entry gives 0 beside inf or nan), one read at a
    time: only when some weight or entry is not finite."""
    out = np.empty((len(weights), values.shape[1]))
    lo, hi = span
    for i, w in enumerate(weights):
        rows = values.copy()
        rows[lo:hi] = np.where(seen[i][:, None], new, old)
        out[i] = np.where((w[:, None] == 0) | (rows == 0), 0.0, w[:, None] * rows).sum(axis=0)
    return out


def _unfused(e: ContentRead) -> Sigma:
    """The sum the node stands for, as `fused_read` found it: what it prints as."""
    n = sp.Dummy("n", integer=True)
    weight = ContentWeight(e.keys, e.time, e.query, e.row, n, e.strength, e.similarity, e.hi)
    return Sigma(weight * MemoryCell(e.values, e.time, n, *e.cols), n, 1, e.hi)


register(NodeSpec(ContentRead, value=_content_read, text=lambda printer, e: printer._print(_unfused(e)),
                  latex=lambda printer, e: printer._print(_unfused(e)), fuse=fused_read))
