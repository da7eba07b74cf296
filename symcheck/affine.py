"""Integer affine arithmetic: canonical inequalities and a small entailment prover.

Guards (`[j <= t]`) and summation ranges are affine in integer indices and sizes.
Deciding a guard or tightening a range needs "do these facts imply that
inequality?". We answer with Fourier–Motzkin elimination over the rationals,
which is sound for integers (rational infeasibility implies integer
infeasibility) and, because a strict integer inequality `e < 0` is first
tightened to `e <= -1`, strong enough for the unit-offset facts that masks and
ranges produce. It never claims an entailment that does not hold; it may fail to
find one (then a rule simply does not fire).
"""

from __future__ import annotations

import math
from fractions import Fraction
from functools import lru_cache

import sympy as sp

__all__ = ["Affine", "affine", "nonneg", "Fact", "entails_nonneg", "infeasible", "to_expr"]

# An affine form: (((symbol_name, coefficient), ...) sorted by name, constant).
Affine = tuple[tuple[tuple[str, Fraction], ...], Fraction]
# A fact is an affine form known to be >= 0.
Fact = Affine


@lru_cache(maxsize=65536)
def affine(expr: sp.Expr) -> Affine | None:
    """Decompose `expr` as Σ c·v + c0 over *integer* symbols, or None if it is not such a form.

    Only integer symbols: entailment tightens strict inequalities by 1, which is valid
    only for integer-valued forms (a real parameter x may lie strictly between 0 and 1)."""
    expr = sp.expand(sp.sympify(expr))
    coeffs: dict[str, Fraction] = {}
    const = Fraction(0)
    for term, c in expr.as_coefficients_dict().items():
        if not c.is_Rational:
            return None
        c = Fraction(int(c.p), int(c.q))
        if term == 1:
            const += c
        elif isinstance(term, sp.Symbol) and term.is_integer:
            coeffs[term.name] = coeffs.get(term.name, Fraction(0)) + c
        else:
            return None
    items = tuple(sorted((k, v) for k, v in coeffs.items() if v != 0))
    return items, const


@lru_cache(maxsize=65536)
def nonneg(lo: sp.Expr, hi: sp.Expr) -> Affine | None:
    """The affine form of `hi - lo` (so `lo <= hi` iff it is >= 0)."""
    return affine(sp.sympify(hi) - sp.sympify(lo))


def to_expr(form: Affine, symbols: dict[str, sp.Symbol]) -> sp.Expr:
    items, const = form
    out = sp.Rational(const.numerator, const.denominator)
    for name, c in items:
        out += sp.Rational(c.numerator, c.denominator) * symbols[name]
    return out


def _neg(form: Affine) -> Affine:
    items, const = form
    return tuple((k, -v) for k, v in items), -const


def _shift(form: Affine, delta: Fraction) -> Affine:
    items, const = form
    return items, const + delta


@lru_cache(maxsize=200000)
def entails_nonneg(facts: frozenset[Fact], goal: Affine) -> bool:
    """True if `facts` (each >= 0) imply `goal >= 0` over the integers.

    We refute the negation. The goal is first scaled to integer coefficients
    (multiplying by a positive number keeps the inequality); then `goal < 0` is
    the integer inequality `-goal - 1 >= 0`, valid because goal is integer-valued.
    """
    items, const = goal
    if not items:
        return const >= 0
    scale = math.lcm(const.denominator, *(c.denominator for _, c in items))
    scaled = tuple((k, c * scale) for k, c in items), const * scale
    return _infeasible(_relevant(facts, {k for k, _ in items}) | {_shift(_neg(scaled), Fraction(-1))})


def _relevant(facts: frozenset[Fact], names: set[str]) -> frozenset[Fact]:
    """The facts connected to `names` through shared variables. Using fewer premises is sound; it
    loses nothing unless the facts left out are contradictory on their own (then everything
    holds vacuously, and not claiming it is merely incomplete). Elimination is much faster."""
    by_name = _by_name(facts)
    chosen, seen, todo = set(), set(names), list(names)
    while todo:
        for f in by_name.get(todo.pop(), ()):
            if f not in chosen:
                chosen.add(f)
                fresh = [k for k, _ in f[0] if k not in seen]
                seen.update(fresh)
                todo += fresh
    return frozenset(chosen)


@lru_cache(maxsize=20_000)
def _by_name(facts: frozenset[Fact]) -> dict[str, tuple[Fact, ...]]:
    """Each variable's facts: a context's facts are asked about again and again, for different goals."""
    out: dict[str, list[Fact]] = {}
    for f in facts:
        for k, _ in f[0]:
            out.setdefault(k, []).append(f)
    return {k: tuple(v) for k, v in out.items()}


def infeasible(facts: frozenset[Fact]) -> bool:
    """True if no rational point satisfies every fact (so no integer point does either)."""
    return _infeasible(frozenset(facts))


@lru_cache(maxsize=20000)
def _infeasible(constraints: frozenset[Fact]) -> bool:
    """Fourier–Motzkin: is {c >= 0 for c in constraints} empty over the rationals?"""
    rows = [dict(items) | {"": const} for items, const in constraints]
    while True:
        for row in rows:
            if all(v == 0 for k, v in row.items() if k) and row[""] < 0:
                return True
        names = sorted({k for row in rows for k, v in row.items() if k and v != 0})
        if not names:
            return False
        # eliminate the variable that creates the fewest new rows
        def cost(name):
            pos = sum(1 for r in rows if r.get(name, 0) > 0)
            neg = sum(1 for r in rows if r.get(name, 0) < 0)
            return pos * neg - pos - neg, name
        name = min(names, key=cost)
        pos = [r for r in rows if r.get(name, 0) > 0]
        neg = [r for r in rows if r.get(name, 0) < 0]
        rest = [r for r in rows if r.get(name, 0) == 0]
        for p in pos:
            for n in neg:
                a, b = p[name], -n[name]
                combo = {}
                for k in set(p) | set(n):
                    v = p.get(k, 0) * b + n.get(k, 0) * a
                    if v != 0 or k == "":
                        combo[k] = v
                combo.pop(name, None)
                combo.setdefault("", Fraction(0))
                rest.append(combo)
        if len(rest) > 4000:        # blow-up guard: give up (no entailment claimed)
            return False
        rows = _dedupe(rest)


def _dedupe(rows: list[dict]) -> list[dict]:
    seen, out = set(), []
    for r in rows:
        key = tuple(sorted((k, v) for k, v in r.items() if v != 0 or k == ""))
        if key not in seen:
            seen.add(key)
            out.append(r)
    return out
