"""Bound indices done right: fresh names, capture-avoiding substitution, α-renaming.

Sums are the only binders. Two alpha-equivalent expressions (Σ_j f(j) vs Σ_i f(i))
must reach the identical canonical tree, and no substitution may capture a
variable. Canonical names come from binder *depth* (de Bruijn levels), which
does not depend on names or on argument order; a chain of directly nested sums
with mutually independent ranges (Fubini) is ordered by trying every order and
keeping the least under sympy's structural `default_sort_key`.
"""

from __future__ import annotations

from itertools import groupby, permutations, product

import sympy as sp
from sympy import default_sort_key

from .index import Sigma, index, is_sum, make_sum, sum_parts

__all__ = ["POOL", "fresh", "subst", "canonical_names", "symbol_names", "rename_apart"]

POOL = ("j", "k", "l", "m", "n", "p", "q", "r", "s", "u", "w", "z")


def symbol_names(expr: sp.Basic) -> set[str]:
    """Every symbol name occurring in `expr`, free or bound."""
    return {s.name for s in expr.atoms(sp.Symbol)}


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
    """One pass, rebuilding only the nodes whose arguments changed."""
    if isinstance(e, sp.Symbol):
        return m.get(e, e)
    if not e.args:
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
        new_body = _subst(body, inner) if inner else body
        if new_body is body and lo is e.lo and hi is e.hi and v is e.var:
            return e
        return make_sum(new_body, v, lo, hi)
    if isinstance(e, sp.Lambda):                 # the rows a memory receives bind their own indices
        bound = set(e.variables)
        inner = {k: val for k, val in m.items() if k not in bound}
        if not inner:
            return e
        incoming = set().union(*(val.free_symbols for val in inner.values()))
        avoid = symbol_names(e) | {s.name for s in incoming} | {k.name for k in inner}
        renamed = {}
        for v in e.variables:
            if v in incoming:
                renamed[v] = fresh(avoid)
                avoid.add(renamed[v].name)
        body = _subst(e.expr, renamed) if renamed else e.expr
        return sp.Lambda(tuple(renamed.get(v, v) for v in e.variables), _subst(body, inner))
    args = [_subst(a, m) for a in e.args]
    if all(a is b for a, b in zip(args, e.args)):
        return e
    return e.func(*args)


def rename_apart(expr: sp.Basic, scope: set[str]) -> sp.Basic:
    """`expr` with every sum whose index shadows a name in scope (a free symbol, an enclosing
    sum's index) given a fresh index: α-equivalent, and no rule ever meets a shadowed name
    (rules and the entailment engine identify indices by name)."""
    used = symbol_names(expr) | set(scope)

    def walk(e, scope):
        if not e.args:
            return e
        from .memory import Memory
        if isinstance(e, Memory):
            return e
        if is_sum(e):
            body, v, lo, hi = sum_parts(e)
            lo, hi = walk(lo, scope), walk(hi, scope)
            if v.name in scope:
                nv = fresh(used)
                used.add(nv.name)
                body, v = subst(body, {v: nv}), nv
            return make_sum(walk(body, scope | {v.name}), v, lo, hi)
        args = [walk(a, scope) for a in e.args]
        return e if all(a is b for a, b in zip(args, e.args)) else e.func(*args)

    return walk(expr, frozenset(scope))


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


_ATOMS: tuple = ()
_HOLE = sp.Symbol("_hole", integer=True)
_MARK = sp.Symbol("_mark", integer=True)


def _erase(e):
    """`e` with every bound index replaced by one placeholder: a name-independent shape."""
    if isinstance(e, Sigma):
        return Sigma(_erase(e.body.xreplace({e.var: _HOLE})), _HOLE, _erase(e.lo), _erase(e.hi))
    if not e.args:
        return e
    return e.func(*[_erase(a) for a in e.args])


def _atom_types():
    from .index import Element, Entry, Iverson
    from .memory import MemoryCell, WriteWeight
    return (Element, Entry, Iverson, MemoryCell, WriteWeight)


def _orders(keys: list) -> list[tuple[int, ...]]:
    """Link orders sorted by name-independent keys; links with equal keys are tried both ways."""
    ranked = sorted(range(len(keys)), key=lambda i: keys[i])
    groups = [list(g) for _, g in groupby(ranked, key=lambda i: keys[i])]
    choices = [list(permutations(g)) for g in groups]
    out = [tuple(i for part in combo for i in part) for combo in product(*choices)]
    return out[:24]


def _canon(e, depth, pool):
    global _ATOMS
    if not _ATOMS:
        _ATOMS = _atom_types()
    from .memory import Memory
    if isinstance(e, Memory):           # an opaque constant: its written rows are a definition
        return e
    if is_sum(e):
        links, body = _chain(e)
        k = len(links)
        names = [index(n) for n in pool[depth:depth + k]]
        # move the chain's variables out of the way of the canonical names first
        temps = [sp.Dummy(f"tmp{i}", integer=True) for i in range(k)]
        body = subst(body, {v: tmp for (v, _, _), tmp in zip(links, temps)})
        bound = {x.var for x in body.atoms(Sigma)}
        atoms = [a for a in body.atoms(sp.Indexed, *_ATOMS) if a.free_symbols & set(temps)]
        keys = []
        for i, (_, lo, hi) in enumerate(links):
            rename = {tmp: (_MARK if j == i else _HOLE) for j, tmp in enumerate(temps)} | {b: _HOLE for b in bound}
            mentions = sorted(default_sort_key(a.xreplace(rename)) for a in atoms if temps[i] in a.free_symbols)
            keys.append((default_sort_key(_erase(lo)), default_sort_key(_erase(hi)), mentions))
        best = None
        for order in _orders(keys):
            mapping = {temps[o]: names[p] for p, o in enumerate(order)}
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
