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

__all__ = ["Affine", "affine", "nonneg", "integral", "Fact", "entails_nonneg", "infeasible", "to_expr", "grown"]

# An affine form: (((symbol_name, coefficient), ...) sorted by name, constant).
Affine = tuple[tuple[tuple[str, Fraction], ...], Fraction]
# A fact is an affine form known to be >= 0, with coprime integer coefficients and constant (`integral`).
Fact = tuple[tuple[tuple[str, int], ...], int]


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
def nonneg(lo: sp.Expr, hi: sp.Expr) -> Fact | None:
    """The fact `lo <= hi` as the form `hi - lo` (>= 0), scaled to coprime integers (`integral`)."""
    form = affine(sp.sympify(hi) - sp.sympify(lo))
    return None if form is None else integral(form)


def integral(form: Affine) -> Fact:
    """`form` times the one positive rational that makes its coefficients and constant coprime integers:
    the same inequality `form >= 0`, now with integer arithmetic, and parallel facts with equal terms."""
    items, const = form
    scale = math.lcm(const.denominator, *(c.denominator for _, c in items))
    nums = [int(c * scale) for _, c in items]
    k = int(const * scale)
    g = math.gcd(k, *nums) or 1
    return tuple((name, n // g) for (name, _), n in zip(items, nums)), k // g


def to_expr(form: Affine, symbols: dict[str, sp.Symbol]) -> sp.Expr:
    items, const = form
    out = sp.Rational(const.numerator, const.denominator)
    for name, c in items:
        out += sp.Rational(c.numerator, c.denominator) * symbols[name]
    return out


@lru_cache(maxsize=200000)
def entails_nonneg(facts: frozenset[Fact], goal: Affine) -> bool:
    """True if `facts` (each >= 0, integer coefficients) imply `goal >= 0` over the integers.

    We refute the negation. The goal is first scaled to coprime integers (multiplying by a positive number
    keeps the inequality); then `goal < 0` is the integer inequality `-goal - 1 >= 0`, valid because goal is
    integer-valued. Only the facts connected to the goal's variables take part (`_components`); a fact
    parallel to the goal decides it at once (the one-fact case of the elimination, which would find the
    same)."""
    items, const = integral(goal)
    if not items:
        return const >= 0
    parts = _components(facts)
    found = {id(c): c for name, _ in items if (c := parts.get(name)) is not None}
    if not found:
        return False
    system = next(iter(found.values())) if len(found) == 1 else frozenset().union(*found.values())
    best = _strongest(system).get(items)
    if best is not None and best <= const:
        return True
    return _refutes(system, (tuple((k, -v) for k, v in items), -const - 1))


_GROWN: dict[frozenset, tuple[frozenset, frozenset]] = {}     # facts -> (facts they grew from, the facts added)
_PARTS: dict[frozenset, dict[str, frozenset]] = {}             # facts -> their `_components`
_KEPT = 20_000                                                  # entries of each before it starts afresh


def grown(facts: frozenset[Fact], parent: frozenset[Fact], added: frozenset[Fact]) -> None:
    """Record that `facts` is `parent` with `added`: its components are then the parent's with the added facts
    merged in (a context below a sum knows its parent's facts and the range), not made afresh."""
    if len(_GROWN) >= _KEPT:
        _GROWN.clear()
    _GROWN.setdefault(facts, (parent, added))


def _components(facts: frozenset[Fact]) -> dict[str, frozenset[Fact]]:
    """Each variable's facts and those connected to them through shared variables, one frozenset per
    connected component (the same object for every variable of it). Using fewer premises is sound; it loses
    nothing unless the facts left out are contradictory on their own (then everything holds vacuously, and
    not claiming it is merely incomplete). Elimination is much faster. Once per set of facts; from the
    parent's components when the facts were `grown` from a parent's (the same components either way)."""
    chain = []                          # the facts from `facts` up to the first whose components are known
    while (parts := _PARTS.get(facts)) is None and (link := _GROWN.get(facts)) is not None:
        chain.append((facts, link[1]))
        facts = link[0]
    if parts is None:
        parts = _PARTS[facts] = _partition(facts)
    for facts, added in reversed(chain):
        parts = _PARTS[facts] = _merged(parts, added)
    if len(_PARTS) >= _KEPT:
        _PARTS.clear()
    return parts


def _merged(parts: dict[str, frozenset[Fact]], added: frozenset[Fact]) -> dict[str, frozenset[Fact]]:
    """`parts` with the facts `added`: each joins (and joins together) the components of its variables. The
    components it does not touch stay the same objects, so memos keyed by them keep their entries."""
    out = dict(parts)
    for f in added:
        if not f[0]:
            continue
        joined = frozenset((f,)).union(*(out.get(k, frozenset()) for k, _ in f[0]))
        for g in joined:
            for k, _ in g[0]:
                out[k] = joined
    return out


def _partition(facts: frozenset[Fact]) -> dict[str, frozenset[Fact]]:
    """`_components` made afresh, by union–find over the facts' variables."""
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for items, _ in facts:
        for k, _ in items:
            parent.setdefault(k, k)
        for (a, _), (b, _) in zip(items, items[1:]):
            ra, rb = root(a), root(b)
            if ra != rb:
                parent[ra] = rb
    groups: dict[str, set] = {}
    for f in facts:
        if f[0]:
            groups.setdefault(root(f[0][0][0]), set()).add(f)
    frozen = {r: frozenset(g) for r, g in groups.items()}
    return {k: frozen[root(k)] for k in parent}


@lru_cache(maxsize=20_000)
def _strongest(system: frozenset[Fact]) -> dict[tuple, int]:
    """For each left side among `system`'s facts, the least constant c with `left + c >= 0` a fact."""
    out: dict[tuple, int] = {}
    for items, c in system:
        if items not in out or c < out[items]:
            out[items] = c
    return out


def infeasible(facts: frozenset[Fact]) -> bool:
    """True if no rational point satisfies every fact (so no integer point does either)."""
    return _infeasible(frozenset(integral(f) for f in facts))


@lru_cache(maxsize=50_000)
def _refutes(system: frozenset[Fact], extra: Fact) -> bool:
    """Is `system` with `extra` infeasible? Keyed by the pair: a component's frozenset keeps its hash."""
    return _infeasible(system | {extra})


@lru_cache(maxsize=20000)
def _infeasible(constraints: frozenset[Fact]) -> bool:
    """Fourier–Motzkin: is {c >= 0 for c in constraints} empty over the rationals? Integer rows, each
    combination divided by the gcd of its entries (a positive scale: the same half-space)."""
    rows = [dict(items) | {"": const} for items, const in constraints]
    while True:
        for row in rows:
            if row[""] < 0 and all(v == 0 for k, v in row.items() if k):
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
                combo.setdefault("", 0)
                g = math.gcd(*combo.values())
                if g > 1:
                    combo = {k: v // g for k, v in combo.items()}
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
