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
"""

from __future__ import annotations

import sympy as sp
from sympy.core.symbol import Str

from .errors import ClaimError
from .matrix import MatInput

__all__ = ["Memory", "Rows", "MemoryCell", "WriteWeight", "ContentWeight", "FeedbackRead", "SIMILARITIES"]

SIMILARITIES = ("dot", "cosine")


class Rows(sp.Basic):
    """Computed rows written to a memory: row s, columns (a, ...) is `body` at (s, a, ...).

    What a controller writes (k_t = W_K LN(x_t)) is computed, not an input; `Rows` names it
    and keeps its definition, e.g. Rows("K", (s, h, a), expr, (T, H, d_h))."""

    def __new__(cls, name, variables, body, shape=None):
        name = name if isinstance(name, Str) else Str(str(name))
        if isinstance(variables, sp.Lambda):           # rebuilt from .args: (name, Lambda, shape)
            return sp.Basic.__new__(cls, name, variables, body)
        return sp.Basic.__new__(cls, name, sp.Lambda(tuple(variables), body), sp.Tuple(*shape))

    name = property(lambda self: self.args[0].name)
    variables = property(lambda self: self.args[1].variables)
    body = property(lambda self: self.args[1].expr)
    shape = property(lambda self: tuple(self.args[2]))

    def __getitem__(self, idx):
        from .binders import subst
        idx = idx if isinstance(idx, tuple) else (idx,)
        return subst(self.body, dict(zip(self.variables, idx)))

    def _sympystr(self, printer):
        return self.name


class Memory(sp.Basic):
    """A write-once N-slot memory holding the rows of `written`, one per step."""

    def __new__(cls, name, written, slots):
        name = name if isinstance(name, Str) else Str(str(name))
        return sp.Basic.__new__(cls, name, written, sp.sympify(slots))

    name = property(lambda self: self.args[0].name)
    written = property(lambda self: self.args[1])
    slots = property(lambda self: self.args[2])
    width = property(lambda self: self.args[1].shape[1:])      # a row's shape: (W,) or (H, d_h) ...

    def row_entry(self, step, cols):
        """x_step[cols]: what step `step` writes, at column multi-index `cols`."""
        return self.written[(step, *cols)]

    def _sympystr(self, printer):
        return f"M^{self.name}"


class MemoryCell(sp.Expr):
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

    def _sympystr(self, printer):
        p = printer._print
        return f"M^{self.mem.name}_{{{p(self.time)}}}[{','.join(p(x) for x in (self.slot, *self.cols))}]"


class WriteWeight(sp.Expr):
    """w^w_s[n]: the write weighting of step s at slot n (fresh-slot allocation)."""

    is_commutative = True
    is_real = True

    def __new__(cls, mem, step, slot):
        return sp.Basic.__new__(cls, mem, sp.sympify(step), sp.sympify(slot))

    mem = property(lambda self: self.args[0])
    step = property(lambda self: self.args[1])
    slot = property(lambda self: self.args[2])

    def _sympystr(self, printer):
        p = printer._print
        return f"w^{self.mem.name}_{{{p(self.step)}}}[{p(self.slot)}]"


class ContentWeight(sp.Expr):
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

    def _sympystr(self, printer):
        p = printer._print
        return (f"C_{self.similarity}(M^{self.mem.name}_{{{p(self.time)}}}, {self.query.name}[{p(self.row)}], "
                f"{p(self.strength)})[{p(self.slot)}; 1..{p(self.hi)}]")


class FeedbackRead(sp.Expr):
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

    def _sympystr(self, printer):
        p = printer._print
        return f"r_{{{p(self.time)}}}[{p(self.col)}] (read key q_t + r_(t-1) {self.feedback.name})"
