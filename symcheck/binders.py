"""Bound indices done right: fresh names, capture-avoiding substitution, α-renaming.

A node binds when its spec has a `binder` (sums, and the `Lambda` of computed
rows); an `opaque` node (a memory) is a constant whose definition is not renamed.
Two alpha-equivalent expressions (Σ_j f(j) vs Σ_i f(i)) must reach the identical
canonical tree, and no substitution may capture a variable. Canonical names come
from binder *depth* (de Bruijn levels), which does not depend on names or on
argument order; a chain of directly nested sums (or of any binder kind that
commutes) is reordered (Fubini) in any order where each range stays inside the sums
it reads, by name-independent keys, links with equal keys by trying their orders (the
first 24) and keeping the least under sympy's structural `default_sort_key`.
"""

from __future__ import annotations

import math
from collections import Counter
from functools import lru_cache
from itertools import islice
from typing import Callable

import sympy as sp
from sympy import default_sort_key

from .index import Element, Entry, Iverson, index
from .memory import MemoryCell, WriteWeight
from .nodes.matrices import MatInput, TensorInput
from .nodes.spec import registered, spec_of
from .rebuild import rebuild

__all__ = ["POOL", "fresh", "subst", "canonical_names", "alpha_key", "symbol_names", "free_symbols_of",
           "rebind", "rename_apart", "atoms_of", "input_names", "names_in", "scoped_free"]

POOL = ("j", "k", "l", "m", "n", "p", "q", "r", "s", "u", "w", "z")

@lru_cache(maxsize=200_000)
def atoms_of(expr: sp.Basic, types: tuple[type, ...]) -> frozenset[sp.Basic]:
    """`expr.atoms(*types)`, memoised per subtree: sympy walks every path of a tree whose subtrees recur (a
    layer's LayerNorm in every term), this visits each distinct subtree once."""
    own = frozenset((expr,)) if isinstance(expr, types) else frozenset()
    return own.union(*(atoms_of(a, types) for a in expr.args)) if expr.args else own


@lru_cache(maxsize=200_000)
def free_symbols_of(expr: sp.Basic) -> frozenset[sp.Basic]:
    """`expr.free_symbols`, memoised per subtree: sympy recomputes it through the whole tree at every call, and
    rules ask it of the same bodies at every attempt."""
    return frozenset(expr.free_symbols)


def symbol_names(expr: sp.Basic) -> set[str]:
    """Every symbol name occurring in `expr`, free or bound."""
    return {s.name for s in atoms_of(expr, (sp.Symbol,))}


def input_names(expr: sp.Basic) -> set[str]:
    """The names of the inputs (matrices, tensors, scalars) in `expr`."""
    return {m.name for m in atoms_of(expr, (MatInput, TensorInput))}


def names_in(expr: sp.Basic) -> set[str]:
    """`symbol_names` and `input_names`: what a fresh index must avoid (an index k beside an input k prints alike)."""
    return symbol_names(expr) | input_names(expr)


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
    return _subst(expr, _Mapping(mapping), {})


class _Mapping:
    """A substitution and what `_subst` asks of it at every node: its memo key, the symbols it replaces, and
    the free symbols of what it puts in (a binder of one of those is renamed)."""

    __slots__ = ("m", "key", "keys", "incoming")

    def __init__(self, m: dict):
        self.m, self.key, self.keys = m, frozenset(m.items()), frozenset(m)
        self.incoming = frozenset().union(*(v.free_symbols for v in m.values()))


@lru_cache(maxsize=200_000)
def _free_bound(e: sp.Basic) -> tuple[frozenset, frozenset]:
    """(the symbols free in `e`, the symbols a binder inside `e` binds), scoped as `_subst` scopes them."""
    if isinstance(e, sp.Symbol):
        return frozenset((e,)), frozenset()
    b = spec_of(e).binder if e.args else None
    if b is None:
        parts = [_free_bound(a) for a in e.args]
        return frozenset().union(*(f for f, _ in parts)), frozenset().union(*(g for _, g in parts))
    variables = frozenset(b.variables(e))
    body_free, body_bound = _free_bound(b.scope(e))
    parts = [_free_bound(e.args[k]) for k in b.outside(e)]
    return ((body_free - variables).union(*(f for f, _ in parts)),
            (body_bound | variables).union(*(g for _, g in parts)))


def scoped_free(e: sp.Basic) -> frozenset:
    """The symbols free in `e` as `subst` scopes them: substituting any other symbol gives `e` again, or `e` with
    binders renamed (α-equivalent)."""
    return _free_bound(e)[0]


_SAME = object()      # a memo entry for a subtree the substitution leaves as it is


def _subst(e, m: _Mapping, memo):
    """One pass, rebuilding only the nodes whose arguments changed: a subtree where no replaced symbol is free
    and no binder could capture is left as it is without a visit, and `memo` holds the result per (subtree,
    mapping) for this pass, since a tree shares subtrees (a layer's LayerNorm recurs in every term; `_SAME`:
    left as it is, so the caller's identity test still sees it unchanged)."""
    if isinstance(e, sp.Symbol):
        return m.m.get(e, e)
    if not e.args:
        return e
    free, bound = _free_bound(e)
    if free.isdisjoint(m.keys) and bound.isdisjoint(m.incoming):
        return e
    hit = memo.get((e, m.key))
    if hit is not None:
        return e if hit is _SAME else hit
    out = _subst_node(e, m, memo)
    memo[(e, m.key)] = _SAME if out is e else out
    return out


def _subst_node(e, m: _Mapping, memo):
    b = spec_of(e).binder
    if b is not None:
        variables, body = b.variables(e), b.scope(e)
        outside = {k: _subst(e.args[k], m, memo) for k in b.outside(e)}
        inner = {k: val for k, val in m.m.items() if k not in variables}
        incoming = set().union(*(val.free_symbols for val in inner.values())) if inner else set()
        renamed = {}
        if incoming.intersection(variables):
            avoid = (symbol_names(body) | {v.name for v in variables} | {s.name for s in incoming}
                     | {k.name for k in inner} | {n for a in outside.values() for n in symbol_names(a)})
            for v in variables:
                if v in incoming:
                    renamed[v] = fresh(avoid)
                    avoid.add(renamed[v].name)
            body = _subst(body, _Mapping(renamed), memo)
        new_body = body if not inner else _subst(body, m if len(inner) == len(m.m) else _Mapping(inner), memo)
        if not renamed and new_body is body and all(a is e.args[k] for k, a in outside.items()):
            return e
        return b.rebuild(e, tuple(renamed.get(v, v) for v in variables), new_body, outside)
    args = [_subst(a, m, memo) for a in e.args]
    if all(a is b for a, b in zip(args, e.args)):
        return e
    return rebuild(e, args)


def rebind(expr: sp.Basic, choose: Callable[[sp.Symbol, frozenset[str]], sp.Symbol | None],
           scope: frozenset[str] = frozenset()) -> sp.Basic:
    """`expr` with each binder's variable renamed to `choose(var, names in scope)` (None: kept), in one
    pass. Capture-free when `choose` returns names that occur nowhere else (fresh ones)."""

    def walk(e, scope, env):
        if isinstance(e, sp.Symbol):
            return env.get(e, e)
        if not e.args:
            return e
        spec = spec_of(e)
        if spec.opaque:
            return e
        b = spec.binder
        if b is not None:
            outside = {k: walk(e.args[k], scope, env) for k in b.outside(e)}
            inner, variables = dict(env), []
            for v in b.variables(e):
                inner[v] = choose(v, scope) or v          # also shadows an outer renaming of v
                variables.append(inner[v])
            return b.rebuild(e, variables, walk(b.scope(e), scope | {v.name for v in variables}, inner), outside)
        args = [walk(a, scope, env) for a in e.args]
        return e if all(a is b for a, b in zip(args, e.args)) else rebuild(e, args)

    return walk(expr, frozenset(scope), {})


def rename_apart(expr: sp.Basic, scope: set[str]) -> sp.Basic:
    """`expr` with every binder whose index shadows a name in scope (a free symbol, an enclosing
    binder's index) given a fresh index: α-equivalent, and no rule ever meets a shadowed name
    (rules and the entailment engine identify indices by name)."""
    used = symbol_names(expr) | set(scope)

    def choose(v: sp.Symbol, names: frozenset[str]) -> sp.Symbol | None:
        if v.name not in names:
            return None
        new = fresh(used)
        used.add(new.name)
        return new

    return rebind(expr, choose, frozenset(scope))


def _apart(expr: sp.Basic, scope: set[str]) -> sp.Basic:
    """`rename_apart` once per distinct subtree: a repeated subtree (a layer's LayerNorm in every term) gets the
    same fresh names at each occurrence, which is capture-free all the same (the names are fresh, and each
    occurrence binds its own). For `_canon`, whose result has no name of these; `rename_apart` itself keeps its
    names, which derivations show."""
    used = symbol_names(expr) | set(scope)
    memo: dict = {}

    def walk(e, scope: frozenset, env: dict):
        if isinstance(e, sp.Symbol):
            return env.get(e, e)
        if not e.args:
            return e
        free, bound = _free_bound(e)
        env = {k: v for k, v in env.items() if k in free}
        if not bound and not env:
            return e
        key = (e, frozenset(v.name for v in bound if v.name in scope), frozenset(env.items()))
        if key not in memo:
            memo[key] = step(e, scope, env)
        return memo[key]

    def step(e, scope: frozenset, env: dict):
        spec = spec_of(e)
        if spec.opaque:
            return e
        b = spec.binder
        if b is None:
            args = [walk(a, scope, env) for a in e.args]
            return e if all(a is b for a, b in zip(args, e.args)) else rebuild(e, args)
        outside = {k: walk(e.args[k], scope, env) for k in b.outside(e)}
        inner, variables = dict(env), []
        for v in b.variables(e):
            if v.name in scope:
                inner[v] = fresh(used)
                used.add(inner[v].name)
            else:
                inner[v] = v                            # also shadows an outer renaming of v
            variables.append(inner[v])
        return b.rebuild(e, variables, walk(b.scope(e), scope | {v.name for v in variables}, inner), outside)

    return walk(expr, frozenset(scope), {})


def canonical_names(expr: sp.Basic, reserved: set[str]) -> sp.Basic:
    """Rename every bound index to its canonical (depth-determined) name."""
    return _canon(expr, 0, _pool(frozenset(reserved)), {})


class _Names:
    """The canonical names in depth order: `POOL`, then j1, j2, ..., each skipping the reserved names; made as
    deep as a tree needs (a chain of forty matrix products nests over eighty sums). Equal for equal reserved
    names, so the memo of `_canon_memo` is shared by every renaming that reserves the same names."""

    __slots__ = ("reserved", "names", "_next", "_taken")

    def __init__(self, reserved: frozenset[str]):
        self.reserved, self.names, self._next = reserved, [n for n in POOL if n not in reserved], 1
        self._taken: dict[tuple[int, int], list[sp.Symbol]] = {}

    def __hash__(self) -> int:
        return hash(self.reserved)

    def __eq__(self, other) -> bool:
        return isinstance(other, _Names) and other.reserved == self.reserved

    def take(self, depth: int, k: int) -> list[sp.Symbol]:
        """The names of the k variables bound below `depth` enclosing binders (the same symbols each time: memo
        keys holding them compare by identity)."""
        if (depth, k) not in self._taken:
            while len(self.names) < depth + k:
                name, self._next = f"j{self._next}", self._next + 1
                if name not in self.reserved:
                    self.names.append(name)
            self._taken[depth, k] = [index(n) for n in self.names[depth:depth + k]]
        return list(self._taken[depth, k])


@lru_cache(maxsize=64)
def _pool(reserved: frozenset[str]) -> _Names:
    return _Names(reserved)


@lru_cache(maxsize=100_000)
def _sort_key(e: sp.Basic) -> tuple:
    """sympy's `default_sort_key` of a tree, once per tree: renaming asks it of the same indices and atoms
    at every node."""
    return default_sort_key(e)


_LEVELS = tuple(sp.Dummy(f"level{k}", integer=True) for k in range(256))


def alpha_key(e: sp.Basic, depth: int = 0) -> sp.Basic:
    """`e` with each bound index renamed to a placeholder fixed by its binder depth (no name can clash with
    one): identical exactly for trees that differ only in the names of bound indices. Cheaper than
    `canonical_names` (no Fubini order), for a rule that must recognise a term up to those names."""
    return _alpha(e, depth, {})


def _alpha(e: sp.Basic, depth: int, env: dict) -> sp.Basic:
    """`alpha_key` below `depth` enclosing binders, whose variables `env` maps to their placeholders (applied
    where they occur: one pass, as in `_canon`)."""
    if isinstance(e, sp.Symbol):
        return env.get(e, e)
    if not e.args:
        return e
    free = _free_bound(e)[0]
    return _alpha_memo(e, depth, tuple((v, n) for v, n in env.items() if v in free))


@lru_cache(maxsize=100_000)
def _alpha_memo(e: sp.Basic, depth: int, renaming: tuple) -> sp.Basic:
    env = dict(renaming)
    spec = spec_of(e)
    if spec.opaque:                     # a constant: its definition keeps its own names
        return subst(e, env)
    b = spec.binder
    if b is None:
        args = [_alpha(a, depth, env) for a in e.args]
        return e if all(x is y for x, y in zip(args, e.args)) else rebuild(e, args)
    variables = b.variables(e)
    names = _LEVELS[depth:depth + len(variables)]
    body = _alpha(b.scope(e), depth + len(variables), {**env, **dict(zip(variables, names))})
    return b.rebuild(e, names, body, {k: _alpha(e.args[k], depth, env) for k in b.outside(e)})


def _chain(e):
    """The binders to canonicalise together, what each one's range reads of the links above it ({name: link}),
    and the body under them: every directly nested binder of e's kind if the kind commutes, else e alone.

    Finite sums over one set of index tuples are equal in any order (Fubini), and a nest whose ranges read
    enclosing links sums over one set in every order that keeps each range inside the links it reads. The
    chain is the whole nest, not its first run of independent ranges: a run depends on where the renaming put
    the links (Σ_j Σ_{l=1}^{j} Σ_{k=1}^{T} is one run after Σ_j Σ_k Σ_l), so renaming twice could differ from
    renaming once. A range is read outside the chain, so a name it shares with a link below it (Σ_{l=j}^{t}
    Σ_{j=1}^{j}) is an enclosing index's, not that link's."""
    b = spec_of(e).binder
    if not b.commutes:
        return [e], [{}], b.scope(e)
    links, reads, innermost, node = [], [], {}, e
    while type(node) is type(e):
        (v,), (lo, hi) = b.variables(node), b.bounds(node)
        reads.append({u: innermost[u] for u in lo.free_symbols | hi.free_symbols if u in innermost})
        innermost[v] = len(links)
        links.append(node)
        node = b.scope(node)
    return links, reads, node


_HOLE = sp.Symbol("_hole", integer=True)
_MARK = sp.Symbol("_mark", integer=True)
_MARK2 = sp.Symbol("_mark2", integer=True)
_ATOMS = (sp.Indexed, Element, Entry, Iverson, MemoryCell, WriteWeight)    # read at indices: they order a chain
_ORDERS_TRIED = 24          # orders of a chain's alike links tried; more are told apart first (`_refined`)


def _tied_orders(keys: list) -> int:
    """How many orders the links with equal keys have (at most: a range that reads a link removes some)."""
    return math.prod(math.factorial(n) for n in Counter(keys).values())


def _neighbours(atoms, bounds, reads, owner, bound, env) -> list[list[tuple]]:
    """For each link of a chain, the links it meets, each with how: an atom that mentions both (the atom with
    this link marked, the other marked apart, the rest holes), or one's end that reads the other. Name-free."""
    out: list[list[tuple]] = [[] for _ in bounds]
    for a in atoms:
        met = sorted({owner[v] for v in free_symbols_of(a) if v in owner})
        for i in met:
            for j in met:
                if i != j:
                    rename = (env | {v: (_MARK if n == i else _MARK2 if n == j else _HOLE) for v, n in owner.items()}
                              | dict.fromkeys(bound, _HOLE))
                    out[i].append((("atom", _sort_key(_read_at(a, rename))), j))
    for m, (lo, hi) in enumerate(bounds):
        for u, n in reads[m].items():
            ends = (u in free_symbols_of(lo), u in free_symbols_of(hi))
            out[m].append((("reads", ends), n))
            out[n].append((("read by", ends), m))
    return out


def _ranks(keys: list) -> list[int]:
    """Each key's place among the distinct keys: the same order and ties, in small integers."""
    rank = {key: c for c, key in enumerate(sorted(set(keys)))}
    return [rank[key] for key in keys]


def _refined(keys: list, neighbours: list[list[tuple]]) -> list[int]:
    """Colour refinement: each link's class split by the classes of the links it meets (and how), until no class
    splits; classes stay in the order of `keys`. Links that stay alike are alike to every name-free test of this
    kind; those told apart no longer need their orders tried, which past `_ORDERS_TRIED` made the result depend
    on the order the links came in."""
    how = _ranks([h for links in neighbours for h, _ in links])     # each way of meeting as a small integer
    met, k = [], 0
    for links in neighbours:
        met.append([(how[k + n], j) for n, (_, j) in enumerate(links)])
        k += len(links)
    rank = _ranks(keys)
    while True:
        finer = _ranks([(rank[i], tuple(sorted((h, rank[j]) for h, j in met[i]))) for i in range(len(rank))])
        if max(finer) == max(rank):
            return rank
        rank = finer


def _range_binders() -> tuple[type, ...]:
    return tuple(s.kind for s in registered() if s.binder is not None and s.binder.lo is not None)


def _erase(e):
    """`e` with every index bound over a range replaced by one placeholder: a name-independent shape."""
    if not e.args:
        return e
    b = spec_of(e).binder
    if b is not None and b.lo is not None:
        (v,) = b.variables(e)
        return b.rebuild(e, (_HOLE,), _erase(b.scope(e).xreplace({v: _HOLE})),
                         {k: _erase(e.args[k]) for k in b.outside(e)})
    return e.func(*[_erase(a) for a in e.args])


def _read_at(atom, rename: dict):
    """`atom` with its indices renamed, its opaque parts (a memory's written rows, whose own binders
    may share the names) left alone: renaming two of a definition's variables alike is no tree."""
    return atom.func(*(x if x.args and spec_of(x).opaque else x.xreplace(rename) for x in atom.args))


def _orders(keys: list, inside: list | None = None, limit: int = _ORDERS_TRIED) -> list[tuple[int, ...]]:
    """Link orders by name-independent keys: each place takes the least key among the links whose ranges' links
    (`inside[i]`) are placed; links with equal keys there are tried every way, the first `limit` of those ways
    only, made one at a time (forty links with one key have 40! orders: listing them first ran out of memory).
    Without `inside`, the keys sorted, equal keys permuted."""
    n = len(keys)
    inside = inside or [()] * n

    def orders(placed: tuple):
        if len(placed) == n:
            yield placed
            return
        ready = [i for i in range(n) if i not in placed and all(j in placed for j in inside[i])]
        least = min(keys[i] for i in ready)
        for i in ready:
            if keys[i] == least:
                yield from orders((*placed, i))

    return list(islice(orders(()), limit))


def _canon(e: sp.Basic, depth: int, pool: _Names, env: dict) -> sp.Basic:
    """`e` renamed canonically below `depth` enclosing binders, whose variables `env` maps to their canonical
    names (applied where they occur: one pass over the tree, not a substitution per binder). The memo is keyed
    by the renaming of e's free variables in env's order (binders outermost first): a key names one mapping,
    and the same mapping in another order only misses."""
    if isinstance(e, sp.Symbol):
        return env.get(e, e)
    if not e.args:
        return e
    free = _free_bound(e)[0]
    return _canon_memo(e, depth, pool, tuple((v, n) for v, n in env.items() if v in free))


@lru_cache(maxsize=100_000)
def _canon_memo(e: sp.Basic, depth: int, pool: _Names, renaming: tuple) -> sp.Basic:
    """`_canon` of `e` under the renaming of its free enclosing variables. Pure, hence memoised: the two sides
    of a claim and its obligations share most subtrees, and a subtree already renamed at its depth, under the
    same names, is not renamed again."""
    env = dict(renaming)
    spec = spec_of(e)
    if spec.opaque:                     # an opaque constant: e.g. a memory's written rows are a definition
        return subst(e, env)
    if spec.binder is None:
        args = [_canon(a, depth, pool, env) for a in e.args]
        return e if all(a is b for a, b in zip(args, e.args)) else rebuild(e, args)
    b = spec.binder
    links, reads, body = _chain(e)
    variables = [v for link in links for v in b.variables(link)]
    k = len(variables)
    names = pool.take(depth, k)
    if len(links) == 1:                 # one order: the variables take their canonical names where they occur
        out = _canon(body, depth + k, pool, {**env, **dict(zip(variables, names))})
        return b.rebuild(e, tuple(names), out, {j: _canon(e.args[j], depth, pool, env) for j in b.outside(e)})
    # a commuting chain, one variable per link: the links are ordered by name-independent keys, read off the
    # atoms that mention each variable with the variable marked, the chain's others and inner indices as holes,
    # and off the ranges with the links they read as holes; alike links with more orders than are tried are then
    # told apart by the links they meet
    bound = {v for x in atoms_of(body, _range_binders()) for v in spec_of(x).binder.variables(x)}
    if not bound.isdisjoint(env) or not bound.isdisjoint(variables):    # an inner index shadows one of them
        body = _apart(body, {v.name for v in (*env, *variables)})
        bound = {v for x in atoms_of(body, _range_binders()) for v in spec_of(x).binder.variables(x)}
    # a link may rebind an outer link's variable (Σ_j Σ_j f): in the body the name is the innermost one's
    owner = {v: i for i, v in enumerate(variables)}
    atoms = [a for a in atoms_of(body, _ATOMS) if not free_symbols_of(a).isdisjoint(variables)]

    bounds = [b.bounds(link) for link in links]
    keys = []
    for i, (lo, hi) in enumerate(bounds):
        rename = env | {v: (_MARK if n == i else _HOLE) for v, n in owner.items()} | dict.fromkeys(bound, _HOLE)
        mentions = tuple(sorted(_sort_key(_read_at(a, rename)) for a in atoms
                                if owner[variables[i]] == i and variables[i] in free_symbols_of(a)))
        holes = env | dict.fromkeys(reads[i], _HOLE)
        keys.append((_sort_key(_erase(_canon(lo, depth, pool, holes))),
                     _sort_key(_erase(_canon(hi, depth, pool, holes))), mentions))
    if _tied_orders(keys) > _ORDERS_TRIED:
        keys = _refined(keys, _neighbours(atoms, bounds, reads, owner, bound, env))
    best = best_key = None
    for order in _orders(keys, [tuple(r.values()) for r in reads]):
        position = {o: p for p, o in enumerate(order)}
        out = _canon(body, depth + k, pool, env | {v: names[position[n]] for v, n in owner.items()})
        for p in reversed(range(len(links))):
            i = order[p]
            link, scope = links[i], env | {u: names[position[n]] for u, n in reads[i].items()}
            # a range's own binders are named below the p links enclosing it, so they capture none of theirs
            out = b.rebuild(link, (names[p],), out,
                            {j: _canon(link.args[j], depth + p if reads[i] else depth, pool, scope) for j in b.outside(link)})
        if best is None:
            best = out
        elif out != best:           # a symmetric body gives the same tree in both orders: no key needed
            best_key = _sort_key(best) if best_key is None else best_key
            key = _sort_key(out)
            if key < best_key:
                best, best_key = out, key
    return best
