"""The DNC's vocabulary for the stateless DNC: write-once memories and content reads.

These nodes keep the DNC's own terms visible in a proof (M_τ, w^w_s, C(M, q, β))
until a named rule replaces them by index expressions:

* `Memory`: an N-slot memory, M_0 = 0, written at step s by
  M_s = M_{s-1} + w^w_s x_s^T with a one-hot write weighting to a fresh slot
  (sequential allocation w^w_s = e_s, no erase), x_s = row s of an input matrix.
* `MemoryCell(M, τ, n, a)`: entry (n, a) of M_τ, the state after τ writes.
* `WriteWeight(M, s, n)`: w^w_s[n].
* `ContentWeight(M, τ, Q, r, n, β, sim, hi)`: the content read weighting
  C(M_τ, q_r, β)[n] = exp(β·sim(q_r, M_τ[n])) / Σ_{m=1}^{hi} exp(β·sim(q_r, M_τ[m]))
  over the address domain 1..hi (`hi` = τ for written slots only, N for all).
  The cosine is q·m · |q|⁻¹ · |m|⁻¹; products are strongly zero, so the cosine
  with an empty (zero) slot is 0, as in the DNC reference code's ε-guarded form.

Their numeric semantics simulates the memory step by step, independently of the
rules that rewrite these nodes.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from sympy.core.symbol import Str

from ..errors import ClaimError
from ..stream import Stream
from .matrices import MatInput
from .arithmetic import power
from .spec import Binder, Node, NodeSpec, register

__all__ = ["Memory", "Rows", "MemoryCell", "WriteWeight", "ContentWeight", "FeedbackRead", "SIMILARITIES", "similarity"]

SIMILARITIES = ("dot", "cosine")


def similarity(kind: str, dot, q_norm2, m_norm2) -> sp.Expr:
    """The content similarity from a dot product and the two squared norms: dot, or the cosine."""
    if kind == "dot":
        return dot
    if kind == "cosine":
        return dot * power(q_norm2, sp.Rational(-1, 2)) * power(m_norm2, sp.Rational(-1, 2))
    raise ClaimError(f"unknown similarity {kind!r}; expected one of {', '.join(SIMILARITIES)}", field="similarity")


class Rows(Node, sp.Basic):
    """Computed rows written to a memory: row s, columns (a, ...) is `body` at (s, a, ...).

    What a controller writes (k_t = W_K LN(x_t)) is computed, not an input; `Rows` names it
    and keeps its definition, e.g. Rows("K", (s, h, a), expr, (T, H, d_h)). The definition is
    an `sp.Lambda` binding the row and column indices."""

    def __new__(cls, name, variables, body, shape=None):
        name = name if isinstance(name, Str) else Str(str(name))
        if isinstance(variables, sp.Lambda):           # rebuilt from .args: (name, Lambda, shape)
            return sp.Basic.__new__(cls, name, variables, body)
        return sp.Basic.__new__(cls, name, sp.Lambda(tuple(variables), body), sp.Tuple(*shape))

    name = property(lambda self: self.args[0].name)
    variables = property(lambda self: self.args[1].variables)
    body = property(lambda self: self.args[1].expr)
    shape = property(lambda self: tuple(self.args[2]))


class Memory(Node, sp.Basic):
    """A write-once N-slot memory holding the rows of `written`, one per step."""

    def __new__(cls, name, written, slots):
        name = name if isinstance(name, Str) else Str(str(name))
        return sp.Basic.__new__(cls, name, written, sp.sympify(slots))

    name = property(lambda self: self.args[0].name)
    written = property(lambda self: self.args[1])
    slots = property(lambda self: self.args[2])
    width = property(lambda self: self.args[1].shape[1:])      # a row's shape: (W,) or (H, d_h) ...


class MemoryCell(Node, sp.Expr):
    """M_τ[n, a, ...]: the memory after τ writes, slot n, column (multi-)index a, ..."""

    is_commutative = True
    is_real = True

    def __new__(cls, mem, time, slot, *cols):
        return sp.Basic.__new__(cls, mem, *map(sp.sympify, (time, slot, *cols)))

    mem = property(lambda self: self.args[0])
    time = property(lambda self: self.args[1])
    slot = property(lambda self: self.args[2])
    cols = property(lambda self: self.args[3:])

    @property
    def col(self):
        (c,) = self.cols
        return c


class WriteWeight(Node, sp.Expr):
    """w^w_s[n]: the write weighting of step s at slot n (fresh-slot allocation)."""

    is_commutative = True
    is_real = True

    def __new__(cls, mem, step, slot):
        return sp.Basic.__new__(cls, mem, sp.sympify(step), sp.sympify(slot))

    mem = property(lambda self: self.args[0])
    step = property(lambda self: self.args[1])
    slot = property(lambda self: self.args[2])


class ContentWeight(Node, sp.Expr):
    """C(M_τ, q_r, β)[n]: content-based read weighting over slots 1..hi."""

    is_commutative = True
    is_real = True

    def __new__(cls, mem, time, query: MatInput, row, slot, strength, similarity, hi):
        similarity = similarity.name if isinstance(similarity, Str) else similarity
        if similarity not in SIMILARITIES:
            raise ClaimError(f"unknown similarity {similarity!r}; expected one of {', '.join(SIMILARITIES)}",
                             field="similarity")
        return sp.Basic.__new__(cls, mem, sp.sympify(time), query, sp.sympify(row), sp.sympify(slot),
                                sp.sympify(strength), Str(similarity), sp.sympify(hi))

    mem = property(lambda self: self.args[0])
    time = property(lambda self: self.args[1])
    query = property(lambda self: self.args[2])
    row = property(lambda self: self.args[3])
    slot = property(lambda self: self.args[4])
    strength = property(lambda self: self.args[5])
    similarity = property(lambda self: self.args[6].name)
    hi = property(lambda self: self.args[7])


class FeedbackRead(Node, sp.Expr):
    """r_t[b] of a DNC whose controller also receives its previous read: the read key is
    q_t + r_{t-1} U (r_0 = 0), as in the DNC reference code, where r_{t-1} is fed back.

    This is a genuine recurrence over reads; no rule rewrites it (the symbolic engine can
    only fail to prove a claim about it), and its numeric semantics runs the recurrence.
    """

    is_commutative = True
    is_real = True

    def __new__(cls, keys, values, queries, feedback, strength, time, col):
        return sp.Basic.__new__(cls, keys, values, queries, feedback, sp.sympify(strength), sp.sympify(time),
                                sp.sympify(col))

    keys, values, queries, feedback = (property(lambda self, k=k: self.args[k]) for k in range(4))
    strength = property(lambda self: self.args[4])
    time = property(lambda self: self.args[5])
    col = property(lambda self: self.args[6])


# -- numeric semantics ---------------------------------------------------------------------------------
def states(ev, mem: Memory) -> Stream:
    """M_0..M_T of a write-once memory, simulated: M_s = M_{s-1} + e_s x_s^T, in place: after time s only the
    slots from s + 1 on are written."""
    key = ("memory", mem)
    if key not in ev.cache:
        x = written_rows(ev, mem)
        slots = ev.dimension(mem.slots)

        def write(m, s):
            for k in written_slots(s, s, slots):
                m[k] = m[k] + x[s - 1]
            return m

        ev.cache[key] = Stream(lambda: np.full((slots, *x.shape[1:]), ev.b.zero, dtype=x.dtype), write, x.shape[0],
                               changes=lambda s: np.s_[s:])
    return ev.cache[key]


def written_slots(first: int, last: int, slots: int) -> np.ndarray:
    """The slots (from 0) that steps first..last write, in step order: step s writes the fresh slot s (w^w_s = e_s);
    a write beyond the N slots is lost. The one statement of the write rule's address, for a step and for a block."""
    return np.arange(max(first, 1), min(last, slots) + 1) - 1


def written_rows(ev, mem: Memory):
    """The rows x_1..x_T a memory receives: an input tensor, or computed `Rows` evaluated on their own grid (once)."""
    key, written = ("rows", mem), mem.written
    if key not in ev.cache:
        ev.cache[key] = (ev.subgrid(written.body, {v: ev.dimension(n) for v, n in zip(written.variables, written.shape)})
                         if isinstance(written, Rows) else ev.inputs[written.name])
    return ev.cache[key]


def _memory_cell(ev, e: MemoryCell, env):
    """M_τ[n, a]: τ is clamped to 0..(rows written), since no write happens before 1 or after the last row."""
    tau, *at = (ev.idx(x, env) for x in (e.time, e.slot, *e.cols))
    if tau.size > 1:
        return cells_over_steps(ev, e.mem, tau, at)
    return states(ev, e.mem).read(tau, at, lambda m, points: ev.gather(m, points, [1] * len(points)), ev.b.zero)


def cells_over_steps(ev, mem: Memory, tau: np.ndarray, at: list[np.ndarray]):
    """M_τ[n, a, ...] at many times τ (a block of steps) from one simulated state: M_{t0} at the first time t0,
    and the write rule for the steps t0 + 1..τ, slot by slot: the slot σ(s) that a step s of the block writes
    holds M_{t0}[σ(s)] + x_s from step s on and M_{t0}[σ(s)] before it; every other slot holds M_{t0}'s row.
    Fresh slots are written once each, so a slot has at most one write in the block. Evaluated one time at a
    time instead, a block of B steps costs B gathers of the whole grid."""
    stream, x, slots = states(ev, mem), written_rows(ev, mem), ev.dimension(mem.slots)
    times = np.clip(tau, 0, stream.last)
    first, last = int(times.min()), int(times.max())
    writes = written_slots(first + 1, last, slots)             # step first + 1 + w writes slot writes[w] (from 0)
    step = np.zeros(max(slots, 1), dtype=int)
    step[writes] = np.arange(first + 1, first + 1 + len(writes))
    slot, *cols = at
    inside = (slot >= 1) & (slot <= slots)
    step = np.where(inside, step[np.clip(slot - 1, 0, len(step) - 1)], 0)   # the step of the block writing slot n, or 0
    before = ev.gather(stream.at(first), at, [1] * len(at))
    return np.where((step >= 1) & (step <= times), before + ev.gather(x, [step, *cols], [1] * len(at)), before)


def _write_weight(ev, e: WriteWeight, env):
    s, n = ev.idx(e.step, env), ev.idx(e.slot, env)
    return ev.b.convert(((n == s) & (s >= 1) & (s <= ev.dimension(e.mem.slots))).astype(int))


def _content_weight(ev, e: ContentWeight, env):
    tau, row, slot, hi = (ev.idx(x, env) for x in (e.time, e.row, e.slot, e.hi))
    q, beta = ev.inputs[e.query.name], ev.val(e.strength, {}).reshape(())
    weights = lambda m, points: _content(ev, m, q, beta, e.similarity, *points)
    return states(ev, e.mem).read(tau, [row, slot, hi], weights, ev.b.zero)


def _content(ev, m, q, beta, similarity: str, row, slot, hi):
    """C(m, q_row, β)[slot] over slots 1..hi of one memory state m by its formula, over the memory zero-padded
    to every slot asked for (a slot beyond N, or a query row beyond the input, is a zero row), with the total
    reciprocal. Only the query rows and slots asked for are computed."""
    shape = np.broadcast_shapes(row.shape, slot.shape, hi.shape)
    if not np.prod(shape):
        return np.full(shape, ev.b.zero, dtype=m.dtype)
    last = max(int(slot.max()), int(hi.max()))
    table, first = ev.padded(m[:max(last, 0)], int(slot.min()), last, 0)             # slots first..last
    (rows,), which = distinct(row)
    queries = ev.gather(q, [rows[:, None], np.arange(1, q.shape[1] + 1)[None, :]], [1, 1])    # (rows, W)
    dots = queries @ table.T                                                          # (rows, slots)
    if similarity == "cosine":
        qn = ev.b.power((queries * queries).sum(axis=-1), ev.b.convert(-0.5))
        mn = ev.b.power((table * table).sum(axis=-1), ev.b.convert(-0.5))
        dots = dots * qn[:, None] * mn[None, :]                                       # cos(q, 0) = 0 (total power)
    expd = ev.b.exp(beta * dots)
    per_read = np.broadcast_shapes(row.shape, hi.shape)                               # a denominator per (row, hi)
    (read_rows, read_hi), read_of = distinct(np.broadcast_to(which, per_read), np.broadcast_to(hi, per_read))
    slots = np.arange(first, first + table.shape[0])
    in_domain = (slots[None, :] >= 1) & (slots[None, :] <= read_hi[:, None])
    den = np.where(in_domain, expd[read_rows], ev.b.zero).sum(axis=-1)[read_of]
    return expd[which, slot - first] * ev.b.power(den, ev.b.convert(-1))


def distinct(*keys: np.ndarray):
    """The distinct tuples of the same-shaped arrays `keys` (one array per component) and, for each entry,
    which tuple it has; a single entry without sorting (a read at one time step asks for one row)."""
    if keys[0].size == 1:
        return [k.ravel() for k in keys], np.zeros(keys[0].shape, dtype=int)
    values, which = np.unique(np.stack([k.ravel() for k in keys]), axis=1, return_inverse=True)
    return list(values), which.reshape(keys[0].shape)


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


# -- notation -------------------------------------------------------------------------------------------
def _latex_content(printer, e: ContentWeight) -> str:
    q = rf"\mathbf{{{e.query.name.lower()}}}_{{{printer._print(e.row)}}}"
    c = printer.macro("content", e.mem.name, printer._print(e.time), q, printer._print(e.strength), e.similarity)
    return rf"{c}_{{{printer._print(e.slot)}}}"


def _text_content(printer, e: ContentWeight) -> str:
    p = printer._print
    return (f"C_{e.similarity}(M^{e.mem.name}_{{{p(e.time)}}}, {e.query.name}[{p(e.row)}], "
            f"{p(e.strength)})[{p(e.slot)}; 1..{p(e.hi)}]")


def _text_cell(printer, e: MemoryCell) -> str:
    p = printer._print
    return f"M^{e.mem.name}_{{{p(e.time)}}}[{','.join(p(x) for x in (e.slot, *e.cols))}]"


def _text_feedback(printer, e: FeedbackRead) -> str:
    p = printer._print
    return f"r_{{{p(e.time)}}}[{p(e.col)}] (read key q_t + r_(t-1) {e.feedback.name})"


# -- mutations --------------------------------------------------------------------------------------------
def _cell_mutations(e: MemoryCell) -> list:
    out = []
    if e.slot != e.cols[0]:
        out.append(("swap-indices", MemoryCell(e.mem, e.time, e.cols[0], e.slot, *e.cols[1:])))
    return out + [("read-before-write", MemoryCell(e.mem, e.time - 1, e.slot, *e.cols))]


def _content_mutations(e: ContentWeight) -> list:
    a = list(e.args)
    return [("missing-scale", ContentWeight(*a[:5], 1, *a[6:])),
            ("wrong-scale", ContentWeight(*a[:5], 2 * e.strength, *a[6:])),
            ("read-before-write", ContentWeight(a[0], e.time - 1, *a[2:])),
            ("off-by-one", ContentWeight(*a[:7], e.hi + 1)),
            ("similarity", ContentWeight(*a[:6], "cosine" if e.similarity == "dot" else "dot", a[7]))]


# -- entries in range (wellformed.check_in_range walks with `r`) ----------------------------------------
def _in_range_memory_cell(r, e: MemoryCell, ctx):
    r.integer(e.time, "the memory time")
    r.require(0, e.time, f"{e}: the time may be negative", ctx)
    r.within((e.slot, *e.cols), (e.mem.slots, *e.mem.width), f"memory cell {e}", ctx)
    r.walk(e.mem, ctx)


def _in_range_write_weight(r, e: WriteWeight, ctx):
    r.within((e.slot,), (e.mem.slots,), f"write weight {e}", ctx)
    r.walk(e.mem, ctx)


def _in_range_content_weight(r, e: ContentWeight, ctx):
    r.integer(e.time, "the memory time")
    r.require(0, e.time, f"{e}: the time may be negative", ctx)
    r.within((e.row,), (e.query.rows,), f"the query row of {e}", ctx)
    r.within((e.slot,), (e.hi,), f"the slot of {e}", ctx)
    r.require(e.hi, e.mem.slots, f"{e}: the address domain may exceed the memory", ctx)
    r.walk(e.mem, ctx)


def _in_range_memory(r, e: Memory, ctx):
    if isinstance(e.written, Rows):
        rows = e.written
        inner = ctx.with_facts(*((1, v) for v in rows.variables), *zip(rows.variables, rows.shape))
        r.walk(rows.body, inner)


def _in_range_feedback_read(r, e: FeedbackRead, ctx):
    r.within((e.time, e.col), (e.queries.rows, e.values.cols), f"read {e}", ctx)


for _spec in (
    NodeSpec(sp.Lambda, binder=Binder(var=0, body=1)),
    NodeSpec(Rows, latex=lambda p, e: p.macro("mat", e.name), text=lambda p, e: e.name),
    NodeSpec(Memory, latex=lambda p, e: rf"\mathbf{{M}}^{{{e.name}}}", text=lambda p, e: f"M^{e.name}", opaque=True,
             in_range=_in_range_memory),
    NodeSpec(MemoryCell, value=_memory_cell, time=1, text=_text_cell, mutations=_cell_mutations, in_range=_in_range_memory_cell,
             latex=lambda p, e: p.macro("memcell", e.mem.name, p._print(e.time),
                                        ",".join(p._print(x) for x in (e.slot, *e.cols)))),
    NodeSpec(WriteWeight, value=_write_weight, in_range=_in_range_write_weight,
             latex=lambda p, e: p.macro("writew", e.mem.name, p._print(e.step), p._print(e.slot)),
             text=lambda p, e: f"w^{e.mem.name}_{{{p._print(e.step)}}}[{p._print(e.slot)}]"),
    NodeSpec(ContentWeight, value=_content_weight, time=1, latex=_latex_content, text=_text_content,
             mutations=_content_mutations, in_range=_in_range_content_weight),
    NodeSpec(FeedbackRead, value=_feedback_read, text=_text_feedback, in_range=_in_range_feedback_read,
             latex=lambda p, e: rf"r^{{{e.feedback.name}}}_{{{p._print(e.time)}}}[{p._print(e.col)}]"),
):
    register(_spec)
