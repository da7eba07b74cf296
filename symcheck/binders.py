"""Bound indices done right: fresh names, capture-avoiding substitution, α-renaming.

Sums are the only binders. Two alpha-equivalent expressions (Σ_j f(j) vs Σ_i f(i))
must reach the identical canonical tree, and no substitution may capture a
variable. Canonical names come from binder *depth* (de Bruijn levels), which
does not depend on names or on argument order; a chain of directly nested sums
with mutually independent ranges (Fubini) is ordered by trying every order and
keeping the least under sympy's structural `default_sort_key`.
"""

from __future__ import annotations

from itertools import permutations

import sympy as sp
from sympy import default_sort_key

from .index import Sigma, index, is_sum, make_sum, sum_parts

__all__ = ["POOL", "fresh", "subst", "canonical_names", "symbol_names", "bound_names"]

POOL = ("j", "k", "l", "m", "n", "p", "q", "r", "s", "u", "w", "z")


def symbol_names(expr: sp.Basic) -> set[str]:
    """Every symbol name occurring in `expr`, free or bound."""
    return {s.name for s in expr.atoms(sp.Symbol)}


def bound_names(expr: sp.Basic) -> set[str]:
    return {sum_parts(s)[1].name for s in expr.atoms(Sigma)}


def fresh(avoid: set[str], prefer: str | None = None) -> sp.Symbol:
    """An integer index symbol whose name is not in `avoid` (deterministic)."""
    if prefer and prefer not in avoid:
        return index(prefer)
    for name in POOL:
        if name not in avoid:
            return index(name)
    k = 1
    while f"j{k}" in avoid:
        k += 1
    return index(f"j{k}")


def subst(expr: sp.Basic, mapping: dict) -> sp.Basic:
    """Replace free occurrences of symbols by expressions, renaming binders that would capture."""
    mapping = {k: sp.sympify(v) for k, v in mapping.items() if k != v}
    if not mapping:
        return expr
    return _subst(expr, mapping)


def _subst(e, m):
    if isinstance(e, sp.Symbol):
        return m.get(e, e)
    if not e.args or not (e.free_symbols & m.keys()):
        return e
    if is_sum(e):
        body, v, lo, hi = sum_parts(e)
        lo, hi = _subst(lo, m), _subst(hi, m)
        inner = {k: val for k, val in m.items() if k != v}
        incoming = set().union(*(val.free_symbols for val in inner.values())) if inner else set()
        if v in incoming:
            nv = fresh(symbol_names(body) | {s.name for s in incoming} | {k.name for k in inner}, None)
            body = _subst(body, {v: nv})
            v = nv
        return make_sum(_subst(body, inner) if inner else body, v, lo, hi)
    return e.func(*[_subst(a, m) for a in e.args])


def canonical_names(expr: sp.Basic, reserved: set[str]) -> sp.Basic:
    """Rename every bound index to its canonical (depth-determined) name."""
    pool = [n for n in POOL if n not in reserved]
    pool += [f"j{k}" for k in range(1, 64) if f"j{k}" not in reserved]
    return _canon(expr, 0, pool)


def _chain(e):
    """Directly nested sums whose ranges do not mention each other's variables."""
    links = []
    body = e
    while is_sum(body):
        b, v, lo, hi = sum_parts(body)
        used = (lo.free_symbols | hi.free_symbols)
        if any(u in used for u, _, _ in links):
            break
        if links and any(v in (l.free_symbols | h.free_symbols) for _, l, h in links):
            break
        links.append((v, lo, hi))
        body = b
    return links, body


def _canon(e, depth, pool):
    if is_sum(e):
        links, body = _chain(e)
        k = len(links)
        names = [index(n) for n in pool[depth:depth + k]]
        # move the chain's variables out of the way of the canonical names first
        temps = {v: sp.Dummy(f"tmp{i}", integer=True) for i, (v, _, _) in enumerate(links)}
        body = subst(body, temps)
        best = None
        for order in (permutations(range(k)) if k <= 4 else [tuple(range(k))]):
            mapping = {temps[links[o][0]]: names[p] for p, o in enumerate(order)}
            out = _canon(subst(body, mapping), depth + k, pool)
            for p in reversed(range(k)):
                _, lo, hi = links[order[p]]
                out = make_sum(out, names[p], _canon(lo, depth, pool), _canon(hi, depth, pool))
            if best is None or default_sort_key(out) < default_sort_key(best):
                best = out
        return best
    if not e.args:
        return e
    return e.func(*[_canon(a, depth, pool) for a in e.args])
