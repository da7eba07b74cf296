"""DNC memory rules: content addressing, fresh-slot allocation, write-once unrolling."""

from __future__ import annotations

import sympy as sp

from ..context import Context
from ..index import Iverson, make_sum, reciprocal
from ..memory import ContentWeight, Memory, MemoryCell, Rows, WriteWeight, similarity
from ..binders import fresh, names_in, subst
from .base import Le, Obligation, RuleSet, rule

__all__ = ["closed_form", "MEMORY"]


def _similarity(cw: ContentWeight, slot, avoid: set[str]) -> sp.Expr:
    """sim(q_r, M_τ[slot]) written out over a fresh coordinate."""
    a = fresh(avoid, "a")
    q = cw.query[cw.row, a]
    m = MemoryCell(cw.mem, cw.time, slot, a)
    (width,) = cw.mem.width            # content addressing reads rows of a matrix memory
    return similarity(cw.similarity, make_sum(q * m, a, 1, width), make_sum(q ** 2, a, 1, width),
                      make_sum(m ** 2, a, 1, width))


@rule("content-addressing",
      r"C(M, q, \beta)[n] = \frac{\exp(\beta\,\mathrm{sim}(q, M_{n}))}{\sum_{m} \exp(\beta\,\mathrm{sim}(q, M_{m}))}",
      ContentWeight, side_conditions="sim = dot product, or cosine q·m/(|q||m|); m over the address domain")
def content_addressing(expr: ContentWeight, ctx: Context):
    """Sound by definition of the content weighting (the evaluator computes the same formula over
    the memory zero-padded beyond N); the coordinate a and slot m are fresh at the position."""
    avoid = ctx.avoid(expr)
    m = fresh(avoid, "m")
    avoid = avoid | {m.name}
    num = sp.exp(expr.strength * _similarity(expr, expr.slot, avoid))
    den = make_sum(sp.exp(expr.strength * _similarity(expr, m, avoid)), m, 1, expr.hi)
    return num * reciprocal(den)


@rule("fresh-slot-allocation", r"w^{w}_{s} = e_{s}\quad(\text{one-hot write to the fresh slot } s)",
      WriteWeight, side_conditions="1 <= s <= N: slot s exists",
      requires=lambda r, c, ctx: (Le(1, r.step), Le(r.step, r.mem.slots)))
def fresh_slot_allocation(expr: WriteWeight, ctx: Context):
    """Sound for 1 <= s <= N: sequential allocation writes step s to slot s; beyond N there is no
    slot and the weight is 0, which [n = s] would not say, hence the side condition."""
    if not ctx.proves_le(expr.step, expr.mem.slots) or not ctx.proves_le(1, expr.step):
        return expr
    return Iverson(sp.Eq(expr.slot, expr.step))


def _rows_written(mem) -> sp.Expr:
    """How many rows the memory receives (its input's rows, or the computed rows' first axis)."""
    return mem.written.shape[0]


def _row_entry(mem: Memory, step, cols) -> sp.Expr:
    """x_step[cols]: what step `step` writes, at column multi-index `cols` (computed rows are instantiated
    capture-free)."""
    if isinstance(mem.written, Rows):
        return subst(mem.written.body, dict(zip(mem.written.variables, (step, *cols))))
    return mem.written[(step, *cols)]


def closed_form(mem, time, slot, cols, avoid: frozenset[str] = frozenset()) -> sp.Expr:
    """Σ_{s=1}^{τ} w^w_s[n] x_s[a]: the write-once memory after τ additive writes."""
    used = set().union(*(names_in(sp.sympify(e)) for e in (time, slot, *cols, mem))) | set(avoid)
    s = fresh(used, "s")
    return make_sum(WriteWeight(mem, s, slot) * _row_entry(mem, s, cols), s, 1, time)


def _unroll_obligations(expr: MemoryCell, ctx: Context):
    mem = expr.mem
    taken = names_in(mem)
    tau = fresh(taken, "tau")
    n = fresh(taken | {tau.name}, "n")
    cs = []
    for k in range(1, len(mem.width) + 1):
        cs.append(fresh(taken | {tau.name, n.name} | {c.name for c in cs}, "c" if len(mem.width) == 1 else f"c{k}"))
    cs = tuple(cs)
    facts = ((1, n), (n, mem.slots)) + tuple(f for c, w in zip(cs, mem.width) for f in ((1, c), (c, w)))
    step_facts = facts + ((1, tau), (tau, mem.slots))
    base_ctx = Context(assumptions=ctx.assumptions,
                       reserved=ctx.reserved | taken | {tau.name, n.name} | {c.name for c in cs}).with_facts(*facts)
    step_ctx = base_ctx.with_facts(*step_facts)
    written = WriteWeight(mem, tau, n) * _row_entry(mem, tau, cs)
    update = MemoryCell(mem, tau - 1, n, *cs) + written
    base = Obligation(f"Induction base for memory {mem.name}", closed_form(mem, 0, n, cs), sp.S.Zero, base_ctx,
                      statement=sp.Eq(MemoryCell(mem, 0, n, *cs), 0, evaluate=False), constraints=facts)
    step = Obligation(
        f"Induction step for memory {mem.name}",
        closed_form(mem, tau, n, cs),
        closed_form(mem, tau - 1, n, cs) + written,
        step_ctx, lhs_first="sum-peel-last",
        statement=sp.Eq(MemoryCell(mem, tau, n, *cs), update, evaluate=False), constraints=step_facts)
    return base, step


@rule("unroll-write-once",
      r"M_{\tau} = \sum_{s=1}^{\tau} w^{w}_{s}\, x_{s}^{\top}\quad(M_0 = 0,\ M_{\tau} = M_{\tau-1} + w^{w}_{\tau} x_{\tau}^{\top})",
      MemoryCell, side_conditions="0 <= τ <= N; proved by induction on τ = 1..N (base and step are obligations)",
      explanation=r"The rule \rulename{unroll-write-once} replaces a write-once memory by its closed form. "
                  r"It is justified by induction on the number of writes: "
                  r"each obligation below is discharged by normalizing both of its sides.",
      obligations=_unroll_obligations, obligation_key=lambda e, ctx: ("unroll-write-once", e.mem),
      requires=lambda r, c, ctx: (Le(0, r.time), Le(r.time, r.mem.slots), Le(r.time, _rows_written(r.mem))))
def unroll_write_once(expr: MemoryCell, ctx: Context):
    """Sound for 0 <= τ <= N only: the base proves the closed form at τ = 0 and the step carries
    it from τ − 1 to τ for 1 <= τ <= N (the step's domain), so together they cover exactly
    0..N. Beyond N the memory stops changing (no fresh slot), which the closed form does not say;
    beyond the rows written (T) computed rows need not be zero, so τ <= T is required too."""
    if not (ctx.proves_le(0, expr.time) and ctx.proves_le(expr.time, expr.mem.slots)
            and ctx.proves_le(expr.time, _rows_written(expr.mem))):
        return expr
    return closed_form(expr.mem, expr.time, expr.slot, expr.cols, ctx.avoid(expr))


MEMORY = RuleSet("memory", (content_addressing, fresh_slot_allocation, unroll_write_once))
