"""What a rule may assume at a position: facts about indices, and the claim's assumptions.

A `Context` is immutable. Entering the body of Σ_{j=lo}^{hi} adds lo <= j <= hi;
the claim contributes its size domain (sizes >= 1, 1 <= t <= T, N >= T ...),
named assumptions (unit-norm rows) and its recurrences (a congruence rewrites the
state of one into the state of another). Rules ask it questions; it answers only
what it can prove.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import sympy as sp

from .affine import Fact, entails_nonneg, nonneg

__all__ = ["Context", "UnitRows"]


def _abstracted(pairs):
    """`pairs` with each Mod(x, G) and floor(p/q) replaced by an integer symbol named after it,
    and the facts that bound it: 0 <= m <= G - 1 (G a size or a positive number), and
    q·v <= p <= q·v + q - 1 (q a positive integer). Fourier–Motzkin knows neither function."""
    pairs = [(sp.sympify(lo), sp.sympify(hi)) for lo, hi in pairs]
    atoms = set()
    for lo, hi in pairs:
        atoms |= lo.atoms(sp.Mod, sp.floor) | hi.atoms(sp.Mod, sp.floor)
    if not atoms:
        return pairs, []
    repl, extra = {}, []
    for a in sorted(atoms, key=sp.default_sort_key):
        v = sp.Symbol(f"<{sp.srepr(a)}>", integer=True)
        if isinstance(a, sp.Mod) and (a.args[1].is_positive is True):
            repl[a] = v
            extra += [(0, v), (v, a.args[1] - 1)]
        elif isinstance(a, sp.floor):
            coeffs = sp.expand(a.args[0]).as_coefficients_dict().values()
            if all(c.is_Rational for c in coeffs):
                q = math.lcm(*(int(c.q) for c in coeffs))
                p = sp.expand(q * a.args[0])
                repl[a] = v
                extra += [(q * v, p), (p, q * v + q - 1)]
    return [(lo.xreplace(repl), hi.xreplace(repl)) for lo, hi in pairs], extra


@dataclass(frozen=True)
class UnitRows:
    """Assumption: every row of input matrix `name` (with `cols` columns) has Euclidean norm 1."""

    name: str
    cols: sp.Expr

    def describe(self) -> str:
        return f"every row of {self.name} has norm 1"


@dataclass(frozen=True)
class Context:
    facts: frozenset[Fact] = frozenset()
    assumptions: frozenset = frozenset()
    reserved: frozenset[str] = frozenset()      # names that bound indices must avoid
    binders: tuple[str, ...] = ()               # enclosing bound indices, outermost first
    recurrences: frozenset = frozenset()        # the claim's recurrences (`Recurrence`), for congruence

    def with_facts(self, *pairs: tuple[sp.Expr, sp.Expr]) -> "Context":
        """Add facts lo <= hi (non-affine pairs are ignored: knowing less is sound). A Mod or
        floor in a pair stands for an integer with its defining bounds (`integer_atoms`)."""
        pairs, extra = _abstracted(pairs)
        new = {f for lo, hi in (*pairs, *extra) if (f := nonneg(lo, hi)) is not None}
        return Context(self.facts | new, self.assumptions, self.reserved, self.binders, self.recurrences)

    def with_recurrences(self, recurrences) -> "Context":
        """The claim's recurrences are `recurrences` (those a congruence may rewrite a state into)."""
        return Context(self.facts, self.assumptions, self.reserved, self.binders, frozenset(recurrences))

    def enter_sum(self, var: sp.Symbol, lo, hi) -> "Context":
        """The body's context of a range binder (a sum, a product): lo <= var <= hi, and nothing
        more about var (a binder that rebinds a name shadows it, so facts about the outer one do
        not hold for it)."""
        inner = self.enter_binder((var,))
        ctx = Context(inner.facts, self.assumptions, self.reserved, self.binders, self.recurrences)
        ctx = ctx.with_facts((lo, var), (var, hi))
        return Context(ctx.facts, ctx.assumptions, ctx.reserved, inner.binders, self.recurrences)

    def enter_binder(self, variables: tuple[sp.Symbol, ...]) -> "Context":
        """The scope of a binder of `variables` without a range (a function of them): no facts about them."""
        names = {v.name for v in variables}
        outer = self.facts
        if any(k in names for f in outer for k, _ in f[0]):
            outer = frozenset(f for f in outer if all(k not in names for k, _ in f[0]))
        return Context(outer, self.assumptions, self.reserved, self.binders + tuple(v.name for v in variables),
                       self.recurrences)

    def proves_le(self, lo, hi) -> bool:
        """Do the facts imply lo <= hi?"""
        form = nonneg(lo, hi)
        if form is None:
            ((lo, hi),), extra = _abstracted(((sp.sympify(lo), sp.sympify(hi)),))
            if not extra:
                return False
            return self.with_facts(*extra).proves_le(lo, hi)
        return entails_nonneg(self.facts, form)

    def proves_lt(self, lo, hi) -> bool:
        return self.proves_le(sp.sympify(lo) + 1, hi)

    def nonempty(self, lo, hi) -> bool:
        """Is the integer range lo..hi provably nonempty?"""
        return self.proves_le(lo, hi)

    def avoid(self, expr: sp.Basic) -> set[str]:
        """Names a fresh bound index at this position must not take."""
        return set(self.reserved) | set(self.binders) | {s.name for s in expr.atoms(sp.Symbol)}

    def assumes(self, assumption) -> bool:
        return assumption in self.assumptions
