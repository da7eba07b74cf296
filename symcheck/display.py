"""A formula as a paper shows it: plain names for bound indices, and long formulas cut into named parts.

The inlined Transformer layer passes through forms of 20,000 characters of LaTeX; scaled to the page
they are unreadable, and split anywhere they are wrong. `Parts` names the subterms that make a form
long, largest and most repeated first (`𝒜_3(j, k) = ...`, a function of its free indices), so every
displayed line fits, each part is defined once, where a proof first uses it, and later lines reuse
it. `plain_names` renames bound indices such as `i_q` or `b_h`, which would put a subscript inside a
subscript, to plain letters. Both are views: α-equivalent or equal by definition, nothing rewritten.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import sympy as sp
from sympy.core.symbol import Str

from .binders import POOL, alpha_key, subst
from .nodes.spec import Node, NodeSpec, find_spec, register

__all__ = ["Part", "Parts", "plain_names", "plain_free", "LINE_CHARS"]

LINE_CHARS = 500        # LaTeX characters of a displayed formula that still reads at about full size
_SMALLEST = 60          # a part shorter than this is not worth a name
_PROPER = 0.8           # a part is at most this share of the formula it is cut from
_OVERHEAD = 7           # characters a node adds to its arguments' when printed (\frac{}{}, \left( \right), \sum_{}^{})
_PARAMETERS = tuple(sp.Symbol(f"parameter{k}", integer=True) for k in range(64))
_DISPLAY_POOL = POOL + ("a", "c", "e", "g", "i", "o", "v", "x", "y") + tuple(f"{n}'" for n in POOL)


class Part(Node, sp.Expr):
    """`𝒜_k(i, j)`: the k-th named part of a proof's display, applied to its free indices."""

    def __new__(cls, number, *indices):
        return sp.Basic.__new__(cls, sp.Integer(number), *indices)

    number = property(lambda self: int(self.args[0]))
    indices = property(lambda self: self.args[1:])


def _latex_part(printer, e: Part, exp=None) -> str:
    args = rf"\left({', '.join(printer._print(i) for i in e.indices)}\right)" if e.indices else ""
    tex = rf"\mathcal{{A}}_{{{e.number}}}{args}"
    return f"{tex}^{{{printer._print(exp)}}}" if exp is not None else tex


register(NodeSpec(Part, latex=_latex_part,
                  text=lambda p, e: f"A{e.number}({', '.join(p._print(i) for i in e.indices)})"))


def plain_names(expr: sp.Basic) -> sp.Basic:
    """`expr` with each bound index whose name has a subscript or digit (`i_q`, `b_h`, `j1`) renamed to
    a plain letter that occurs nowhere in its binder's subtree and is bound by no enclosing binder, so
    nothing is captured; sibling sums may share a letter, so the letters do not run out."""
    names: dict = {}

    def names_in(e) -> frozenset[str]:
        if e not in names:
            names[e] = frozenset(a.name for a in e.atoms(sp.Symbol))
        return names[e]

    def walk(e, scope: frozenset[str], env: dict):
        if isinstance(e, sp.Symbol):
            return env.get(e, e)
        if not e.args:
            return e
        spec = find_spec(e)
        if spec is not None and spec.opaque:
            return e
        b = spec.binder if spec is not None else None
        if b is None:
            args = [walk(a, scope, env) for a in e.args]
            return e if all(a is c for a, c in zip(args, e.args)) else e.func(*args)
        outside = {k: walk(e.args[k], scope, env) for k in b.outside(e)}
        inner, variables = dict(env), []
        taken = set(scope) | names_in(e) | {v.name for v in env.values()} | unbound
        for v in b.variables(e):
            new = v
            if not v.name.isalpha():
                name = next((n for n in _DISPLAY_POOL if n not in taken), None)
                new = v if name is None else sp.Symbol(name, **v.assumptions0)
            taken.add(new.name)
            inner[v] = new
            variables.append(new)
        body = walk(b.scope(e), scope | {v.name for v in variables}, inner)
        return b.rebuild(e, variables, body, outside)

    bound = {v.name for n in sp.preorder_traversal(expr) if n.args and (spec := find_spec(n)) is not None
             and spec.binder is not None for v in spec.binder.variables(n)}
    unbound = names_in(expr) - bound        # free symbols (the row t, sizes): no bound index looks like one
    return walk(expr, frozenset(), {})


def plain_free(*exprs: sp.Basic) -> dict[sp.Symbol, sp.Symbol]:
    """Plain letters for the free indices of `exprs` whose names have a subscript (an obligation's
    `c_1, c_2`), unused in any of them: one renaming for all the formulas of one obligation."""
    used = {s.name for e in exprs for s in e.atoms(sp.Symbol)}
    pool = [n for n in _DISPLAY_POOL if n not in used]
    free = sorted({s for e in exprs for s in _free_indices(e) if not s.name.isalpha()}, key=lambda s: s.name)
    return {s: sp.Symbol(pool.pop(0), **s.assumptions0) for s in free if pool}


def _free_indices(e: sp.Basic) -> set[sp.Symbol]:
    """The index symbols (integers that are not sizes) free in `e`, binders respected."""
    if isinstance(e, sp.Symbol):
        return {e} if e.is_integer and not e.is_positive else set()
    if not e.args or isinstance(e, Str):
        return set()
    spec = find_spec(e)
    b = spec.binder if spec is not None and not spec.opaque else None
    if b is None:
        return set().union(*(_free_indices(a) for a in e.args))
    inner = _free_indices(b.scope(e)) - set(b.variables(e))
    return inner.union(*(_free_indices(e.args[k]) for k in b.outside(e)))


@dataclass
class Parts:
    """The named parts of one proof's display, shared by its lines (a part is defined once).

    A part is a function of its free indices, found up to every name (`binders.alpha_key`, the free
    indices numbered by first occurrence): the softmax normalizer of row m and that of row n, each
    summed over its own j or k, are one part applied to m and to n."""

    show: Callable[[sp.Basic], str]              # the LaTeX printer (of atoms, to estimate sizes)
    limit: int = LINE_CHARS
    defined: dict = field(default_factory=dict)  # a subterm's key -> its part's number
    _sizes: dict = field(default_factory=dict)
    _keys: dict = field(default_factory=dict)
    _shapes: dict = field(default_factory=dict)
    _defined_shapes: set = field(default_factory=set)

    def size(self, e: sp.Basic) -> int:
        """About how many characters of LaTeX `e` prints to (printing every subterm would take seconds)."""
        got = self._sizes.get(e)
        if got is None:
            if not e.args or isinstance(e, Str):
                got = len(self.show(e)) if isinstance(e, (sp.Symbol, sp.Number)) else 4
            elif (spec := find_spec(e)) is not None and spec.opaque:      # a state M_t[a,b]: short, whatever
                got = len(self.show(e))                                      # its definition's size
            else:
                got = _OVERHEAD + sum(self.size(a) for a in e.args)
            self._sizes[e] = got
        return got

    def shape(self, e: sp.Basic) -> int:
        """A hash that names do not change (every index is alike): equal keys have equal shapes, and
        the shape, linear in the tree, spares computing the key of every subterm."""
        got = self._shapes.get(e)
        if got is None:
            if isinstance(e, sp.Symbol) and e.is_integer and not e.is_positive:
                got = hash("index")
            elif not e.args or isinstance(e, Str):
                got = hash(e)
            else:
                got = hash((type(e).__name__, *(self.shape(a) for a in e.args)))
            self._shapes[e] = got
        return got

    def key(self, e: sp.Basic) -> tuple[sp.Basic, tuple[sp.Symbol, ...]]:
        """`e` as a function of its free indices up to all names (its alpha key, the indices replaced by
        numbered parameters in order of first occurrence), and the indices it is applied to."""
        if e not in self._keys:
            free = _free_indices(e)
            applied = tuple(dict.fromkeys(s for s in sp.preorder_traversal(e) if s in free))
            self._keys[e] = (alpha_key(subst(e, dict(zip(applied, _PARAMETERS)))), applied)
        return self._keys[e]

    def line(self, expr: sp.Basic) -> tuple[sp.Basic, list[tuple[Part, sp.Basic]]]:
        """`expr` with the known parts and, while it prints too long, new ones named; and the new parts'
        definitions, each itself short enough (a part's own long subterms are parts, defined before it)."""
        expr = self._known(expr)
        new: list[tuple[Part, sp.Basic]] = []
        while len(self.show(expr)) > self.limit:
            best = self._candidate(expr)
            if best is None:
                break
            body, inner = self.line(best)
            number = len(set(self.defined.values())) + 1
            self.defined[self.key(best)[0]] = self.defined[self.key(body)[0]] = number
            self._defined_shapes |= {self.shape(best), self.shape(body)}
            new += [*inner, (Part(number, *self.key(best)[1]), body)]
            expr = self._known(expr)
        return expr, new

    def _part(self, e: sp.Basic) -> Part | None:
        if not isinstance(e, sp.Expr) or isinstance(e, Part) or not e.args:
            return None
        if self.shape(e) not in self._defined_shapes:
            return None
        shape, applied = self.key(e)
        return Part(self.defined[shape], *applied) if shape in self.defined else None

    def _known(self, e: sp.Basic) -> sp.Basic:
        """`e` with every subterm that is a known part (up to names) replaced by that part, applied."""
        if not self.defined or not e.args or isinstance(e, (Part, Str)):
            return e
        found = self._part(e)
        if found is not None:
            return found
        spec = find_spec(e)
        if spec is not None and spec.opaque:
            return e
        args = [self._known(a) for a in e.args]
        if all(a is b for a, b in zip(args, e.args)):
            return e
        rebuilt = e.func(*args)
        return self._part(rebuilt) or rebuilt

    def _candidate(self, expr: sp.Basic) -> sp.Basic | None:
        """The subterm whose naming shortens `expr` most: repeats (up to names) times length, among those
        that fit a line and leave some of `expr` (not Σ_j of what is left: a chain of one-sum parts)."""
        largest = min(self.limit, _PROPER * self.size(expr))
        alike: dict = {}                                       # shape -> the fitting subterms of that shape
        for e in _subterms(expr):
            if _SMALLEST <= self.size(e) <= largest:
                alike.setdefault(self.shape(e), []).append(e)
        counts: dict = {}
        first: dict = {}
        for group in alike.values():                           # keys only where shapes repeat
            for e in group:
                k = self.key(e)[0] if len(group) > 1 else e
                counts[k] = counts.get(k, 0) + 1
                first.setdefault(k, e)
        if not counts:
            return None
        best = max(enumerate(counts), key=lambda c: (counts[c[1]] * self.size(first[c[1]]), -c[0]))[1]
        return first[best]


def _subterms(expr: sp.Basic):
    """The proper subterms a part may stand for: expressions, outside the definitions of opaque nodes."""
    stack = list(reversed(expr.args))
    while stack:
        e = stack.pop()
        if not e.args or isinstance(e, (Part, Str)):
            continue
        if isinstance(e, sp.Expr) and not e.is_Atom:
            yield e
        spec = find_spec(e)
        if spec is None or not spec.opaque:
            stack.extend(reversed(e.args))
