"""What the rules for sums and products over ranges share: absorbing the next term, and rules that choose
one of several matches.

A rule that looks for a pair of arguments (a range and its next term, two sums with a common
start) may match in several ways, each with its own side conditions. It lists its matches as
(contractum, conditions) pairs, structurally and without proving anything; `first_holding`
(the rule) takes the first match whose conditions the context proves, and `conditions_for`
(its `requires`) gives the conditions of the match that produced a contractum, so the kernel
re-proves exactly what the rewrite relied on.

Building a candidate (a sum's next term, a body with its index renamed) is a substitution into a
large body, and most candidates match nothing. So a match is first tested by its entries' *marks*
(`marks`: each entry with the indices bound around it forgotten, the same for trees equal up to
bound names): a test that only skips what cannot match, never changes a match.
"""

from __future__ import annotations

from collections import Counter
from functools import cached_property, lru_cache
from typing import Callable, Iterator

import sympy as sp

from ..binders import alpha_key, atoms_of, scoped_free, subst
from ..context import Context
from ..nodes.arithmetic import Log, Power, Relu
from ..nodes.guards import Iverson
from ..nodes.matrices import Element, MatInput, TensorInput
from ..nodes.spec import spec_of
from ..nodes.sums import Prod, Sigma
from .base import Condition, Le

__all__ = ["Match", "arguments", "first_holding", "conditions_for", "absorb_last", "marks", "body_marks"]

Match = tuple[sp.Expr, tuple[Condition, ...]]


def arguments(e: sp.Expr, op: type) -> tuple[sp.Expr, ...]:
    """The terms (op = Add) or factors (op = Mul) of e; e alone if it is not an `op`."""
    return e.args if isinstance(e, op) else (e,)


def first_holding(matches: Iterator[Match], ctx: Context) -> sp.Expr | None:
    """The contractum of the first match whose side conditions `ctx` proves, else None."""
    for out, conditions in matches:
        if all(c.holds(ctx) for c in conditions):
            return out
    return None


def conditions_for(matches: Iterator[Match], contractum: sp.Expr) -> tuple[Condition, ...]:
    """The side conditions of the first match that produces `contractum`."""
    return next((conds for out, conds in matches if out == contractum), ())


@lru_cache(maxsize=50_000)
def _key(e: sp.Basic) -> sp.Basic:
    return alpha_key(e)


@lru_cache(maxsize=200_000)
def _shape(e: sp.Basic) -> tuple:
    """e's tree with every symbol's name forgotten: equal for trees that differ only in names, and cheap
    (no sympy construction), so only trees of one shape pay for `alpha_key`."""
    if isinstance(e, sp.Symbol):
        return ("symbol",)
    if not e.args:
        return (e,)
    children = [_shape(a) for a in e.args]
    if isinstance(e, (sp.Add, sp.Mul)):          # sympy orders these by names: forget the order too
        children.sort(key=hash)
    return (type(e).__name__, *children)


def _without(args: list, parts: tuple) -> list | None:
    """`args` with one occurrence of each of `parts` removed, each matched as a tree up to the names of its
    bound indices, or None if some part is missing."""
    rest = list(args)
    for p in parts:
        h = hash(p)             # cached by sympy: most arguments differ from p already in their hash
        hit = next((n for n, a in enumerate(rest) if a is p or (hash(a) == h and a == p)), None)
        if hit is None:
            shape = _shape(p)
            hit = next((n for n, a in enumerate(rest) if _shape(a) == shape and _key(a) == _key(p)), None)
        if hit is None:
            return None
        del rest[hit]
    return rest


# node types never evaluated on construction: a body of one of them, with an index substituted, is one again
_KEEP_TYPE = (Sigma, Prod)


def _nests(a: sp.Basic, body: sp.Basic) -> bool:
    """Could `a` be `body` (a sum or product over a range) with an index substituted? Not unless it nests at
    least as many binders of the body's kind directly: substituting never removes one, and may add one (a
    bracket that becomes 1 leaves the sum it multiplied)."""
    need = type(body)
    while isinstance(body, need):
        if type(a) is not need:
            return False
        a, body = a.args[0], body.args[0]
    return True


@lru_cache(maxsize=50_000)
def _next_term(r: sp.Expr, op: Callable) -> tuple[sp.Expr, ...]:
    """The terms (op = Add) or factors (op = Mul) of the body of the range binder `r` at hi + 1: asked of
    every sum beside others at every attempt, so memoised."""
    return arguments(subst(r.body, {r.var: r.hi + 1}), op)


# nodes whose construction never cancels a factor of an entry: sympy's arithmetic on positive integer powers, and
# nodes that evaluate only to numbers, brackets or themselves (a power of a symbol or number is allowed any
# exponent: its base never becomes an entry)
_ENTRIES = (sp.Indexed, Element)
_SETTLED = (sp.Add, sp.Mul, sp.Symbol, sp.Number, *_ENTRIES, sp.IndexedBase, MatInput, TensorInput, sp.core.symbol.Str,
            sp.Tuple, Sigma, Prod, Iverson, sp.Equality, sp.LessThan, sp.StrictLessThan, Power, Relu, Log, sp.exp)


@lru_cache(maxsize=200_000)
def _settled(e: sp.Basic) -> bool:
    """Is `e` made only of `_SETTLED` nodes and powers that are positive integer ones or of a symbol or number?
    Then no substitution into `e` makes an entry's factors cancel: sympy merges only powers of one base, and
    every exponent on an entry, or on anything that could become one, is positive."""
    if isinstance(e, sp.Pow):
        ex = e.args[1]
        if not (ex.is_Integer and ex > 0) and not isinstance(e.args[0], (sp.Symbol, sp.Number)):
            return False
    elif not isinstance(e, _SETTLED):
        return False
    return all(_settled(a) for a in e.args)


def _mark(entry: sp.Basic, forget) -> tuple:
    """An entry as (its tensor, its indices), None for each index `forget` picks."""
    base, indices = (entry.base, entry.indices) if isinstance(entry, sp.Indexed) else (entry.tensor, entry.indices)
    return base, tuple(None if forget(x) else x for x in indices)


def _mentions(x: sp.Basic, names: frozenset) -> bool:
    return not names.isdisjoint(atoms_of(x, (sp.Symbol,)))


_MARK_IDS: dict[tuple, int] = {}    # a mark -> its number: sets and counts of marks hash and compare integers
_MARK_OF: list[tuple] = []          # a number -> its mark


def _numbered(mark: tuple) -> int:
    n = _MARK_IDS.get(mark)
    if n is None:
        n = _MARK_IDS[mark] = len(_MARK_OF)
        _MARK_OF.append(mark)
    return n


@lru_cache(maxsize=200_000)
def _forget(n: int, names: frozenset) -> int:
    """Mark number `n` with each index that mentions one of `names` forgotten."""
    base, indices = _MARK_OF[n]
    return _numbered((base, tuple(None if x is None or _mentions(x, names) else x for x in indices)))


@lru_cache(maxsize=200_000)
def marks(e: sp.Basic) -> frozenset[int]:
    """The `_mark` of every entry in `e` (numbered), an index forgotten where it mentions a variable bound inside
    `e`: equal for trees equal up to the names of their bound indices, and once per subtree."""
    if isinstance(e, _ENTRIES):
        return frozenset((_numbered(_mark(e, lambda x: False)),))
    if not e.args:
        return frozenset()
    b = spec_of(e).binder
    if b is None:
        return frozenset().union(*map(marks, e.args))
    names = frozenset(b.variables(e))
    inner = frozenset(_forget(n, names) for n in marks(b.scope(e)))
    return inner.union(*(marks(e.args[k]) for k in b.outside(e)))


@lru_cache(maxsize=50_000)
def body_marks(s: sp.Expr) -> frozenset[int]:
    """The marks of the body of the range binder `s`, its index forgotten: those of the sum without its range's
    (two sums over different ranges may have the same body)."""
    return frozenset(_forget(n, frozenset((s.var,))) for n in marks(s.body))


@lru_cache(maxsize=50_000)
def _next_marks(r: sp.Expr) -> tuple[frozenset, bool]:
    """(marks, whole): marks (`marks`) that the body of the range binder `r` at hi + 1 has wherever it is not 0,
    and whether they are all of its marks. A body without r's index free is its own next term (up to bound
    names): all its marks. Otherwise, when the body is `_settled` (its construction cannot cancel an entry),
    those of the entries on its multiplicative spine (factors of products, bases of positive powers, bodies of
    sums over another index), at hi + 1, each index that mentions a sum's index on the way forgotten (by what
    it mentions before the substitution: `subst` renames a sum whose index hi + 1 would meet); else none. A
    term beside `r` that is the next term (exactly, or up to the names of its bound indices) has these marks,
    which `absorb_last` asks before it builds the next term."""
    var = r.var
    if var not in scoped_free(r.body):
        return marks(r.body), True
    if not _settled(r.body):
        return frozenset(), False
    found = set()
    at = {var: r.hi + 1}        # an index has no binder: replacing is substituting

    def spine(e: sp.Basic, bound: frozenset) -> None:
        if isinstance(e, Element) or (isinstance(e, sp.Indexed) and isinstance(e.base, sp.IndexedBase)):
            found.add(_mark(e, lambda x: _mentions(x, bound)))    # constructors that never evaluate
        elif isinstance(e, sp.Mul):
            for a in e.args:
                spine(a, bound)
        elif isinstance(e, sp.Pow) and e.args[1].is_Integer and e.args[1] > 0:
            spine(e.args[0], bound)
        elif isinstance(e, Sigma) and e.var != var:
            spine(e.body, bound | {e.var})

    spine(r.body, frozenset())
    return frozenset(_numbered((base, tuple(x if x is None else x.xreplace(at) for x in indices)))
                     for base, indices in found), False


@lru_cache(maxsize=200_000)
def _sums_a_number(e: sp.Basic) -> bool:
    """Does `e` have a sum whose body is a number (Σ 0)? A product on the spine that becomes 0 leaves such a sum,
    which sympy does not evaluate, and it has none of the product's marks."""
    if isinstance(e, Sigma) and e.body.is_Number:
        return True
    return any(_sums_a_number(a) for a in e.args)


class _Arguments:
    """What the filter of `absorb_last` asks of a node's arguments, counted once for all of them (and only when
    asked): how many have each set of marks, how many have each mark, and how many have a sum of a number. An
    argument other than `r` has a mark when more arguments have it than `r` alone."""

    def __init__(self, args: tuple):
        self.args = args

    @cached_property
    def sets(self) -> Counter:
        return Counter(map(marks, self.args))

    @cached_property
    def each(self) -> Counter:
        return Counter(m for ms in self.sets.elements() for m in ms)

    @cached_property
    def sums_a_number(self) -> int:
        return sum(map(_sums_a_number, self.args))

    def may_follow(self, r: sp.Expr, op: Callable) -> bool:
        """Could the other arguments hold the next term of `r` (its terms or factors)? Not if a mark of
        `_next_marks` is in none of them (unless one has a sum of a number, which a next term may have in their
        stead); a body that is one term and its own next term must, for a sum, have exactly its marks."""
        wanted, whole = _next_marks(r)
        if not wanted:
            return True
        own = marks(r)
        if whole and op is sp.Add and not isinstance(r.body, sp.Add):
            return self.sets[wanted] > (own == wanted)
        if self.sums_a_number > _sums_a_number(r):
            return True
        return all(self.each[m] > (m in own) for m in wanted)


@lru_cache(maxsize=20_000)
def _arguments(expr: sp.Expr) -> _Arguments:
    return _Arguments(expr.args)


def absorb_last(expr: sp.Expr, kind: type, op: Callable) -> Iterator[Match]:
    """Every way `expr` (an Add for sums, a Mul for products) has a `kind` node R over l..m and,
    beside it, R's body at m + 1 *exactly* (as trees up to the names of bound indices, no normalization;
    its own terms or factors, which sympy flattens into `expr`, among the others): R grown to l..m + 1,
    under the condition l <= m + 1."""
    args = expr.args
    for k, r in enumerate(args):
        if not isinstance(r, kind):
            continue
        if isinstance(r.body, _KEEP_TYPE) and not any(_nests(a, r.body) for n, a in enumerate(args) if n != k):
            continue            # no other argument could be the next term: no substitution
        if not _arguments(expr).may_follow(r, op):
            continue            # an entry of the next term is in no other argument: no substitution either
        rest = _without(args[:k] + args[k + 1:], _next_term(r, op))
        if rest is not None:
            yield op(*rest, kind(r.body, r.var, r.lo, r.hi + 1)), (Le(r.lo, r.hi + 1),)
