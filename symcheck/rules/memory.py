"""DNC memory rules: content addressing, fresh-slot allocation, write-once unrolling."""

from __future__ import annotations

import sympy as sp

from ..context import Context
from ..index import Iverson, index, make_sum, power, reciprocal
from ..memory import ContentWeight, MemoryCell, WriteWeight
from .base import Obligation, rule

__all__ = ["closed_form"]


def _similarity(cw: ContentWeight, slot) -> sp.Expr:
    """sim(q_r, M_τ[slot]) written out over a fresh coordinate."""
    a = index("a") if "a" not in {s.name for s in cw.atoms(sp.Symbol)} else index("c")
    q = cw.query[cw.row, a]
    m = MemoryCell(cw.mem, cw.time, slot, a)
    (width,) = cw.mem.width            # content addressing reads rows of a matrix memory
    dot = make_sum(q * m, a, 1, width)
    if cw.similarity == "dot":
        return dot
    qn = make_sum(q ** 2, a, 1, width)
    mn = make_sum(m ** 2, a, 1, width)
    return dot * power(qn, sp.Rational(-1, 2)) * power(mn, sp.Rational(-1, 2))


@rule("content-addressing",
      r"C(M, q, \beta)[n] = \frac{\exp(\beta\,\mathrm{sim}(q, M_{n}))}{\sum_{m} \exp(\beta\,\mathrm{sim}(q, M_{m}))}",
      ContentWeight, side="sim = dot product, or cosine q·m/(|q||m|); m over the address domain")
def content_addressing(expr: ContentWeight, ctx: Context):
    m = index("m") if "m" not in ctx.avoid(expr) else index("m2")
    num = sp.exp(expr.strength * _similarity(expr, expr.slot))
    den = make_sum(sp.exp(expr.strength * _similarity(expr, m)), m, 1, expr.hi)
    return num * reciprocal(den)


@rule("fresh-slot-allocation", r"w^{w}_{s} = e_{s}\quad(\text{one-hot write to the fresh slot } s)",
      WriteWeight, side="s <= N: slot s exists")
def fresh_slot_allocation(expr: WriteWeight, ctx: Context):
    if not ctx.proves_le(expr.step, expr.mem.slots) or not ctx.proves_le(1, expr.step):
        return expr
    return Iverson(sp.Eq(expr.slot, expr.step))


def closed_form(mem, time, slot, cols) -> sp.Expr:
    """Σ_{s=1}^{τ} w^w_s[n] x_s[a]: the write-once memory after τ additive writes."""
    used = {x.name for e in (time, slot, *cols) for x in sp.sympify(e).free_symbols}
    s = index("s") if "s" not in used else index("s2")
    return make_sum(WriteWeight(mem, s, slot) * mem.row_entry(s, cols), s, 1, time)


def _unroll_obligations(expr: MemoryCell, ctx: Context):
    mem = expr.mem
    tau, n = index("tau"), index("n")
    cs = tuple(index("c") if len(mem.width) == 1 else index(f"c{k}") for k in range(1, len(mem.width) + 1))
    facts = ((1, n), (n, mem.slots)) + tuple(f for c, w in zip(cs, mem.width) for f in ((1, c), (c, w)))
    step_facts = facts + ((1, tau), (tau, mem.slots))
    base_ctx = Context(assumptions=ctx.assumptions,
                       reserved=ctx.reserved | {"tau", "n"} | {c.name for c in cs}).with_facts(*facts)
    step_ctx = base_ctx.with_facts(*step_facts)
    written = WriteWeight(mem, tau, n) * mem.row_entry(tau, cs)
    update = MemoryCell(mem, tau - 1, n, *cs) + written
    base = Obligation(f"Induction base for memory {mem.name}", closed_form(mem, 0, n, cs), sp.S.Zero, base_ctx,
                      statement=sp.Eq(MemoryCell(mem, 0, n, *cs), 0, evaluate=False), domain=facts)
    step = Obligation(
        f"Induction step for memory {mem.name}",
        closed_form(mem, tau, n, cs),
        closed_form(mem, tau - 1, n, cs) + written,
        step_ctx, lhs_first="sum-peel-last",
        statement=sp.Eq(MemoryCell(mem, tau, n, *cs), update, evaluate=False), domain=step_facts)
    return base, step


@rule("unroll-write-once",
      r"M_{\tau} = \sum_{s=1}^{\tau} w^{w}_{s}\, x_{s}^{\top}\quad(M_0 = 0,\ M_{\tau} = M_{\tau-1} + w^{w}_{\tau} x_{\tau}^{\top})",
      MemoryCell, side="τ >= 0; proved by induction on τ (base and step are obligations)",
      obligations=_unroll_obligations, obligation_key=lambda e: ("unroll-write-once", e.mem))
def unroll_write_once(expr: MemoryCell, ctx: Context):
    if not ctx.proves_le(0, expr.time):
        return expr
    return closed_form(expr.mem, expr.time, expr.slot, expr.cols)
