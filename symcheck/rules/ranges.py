"""What the rules for sums and products over ranges share: absorbing the next term, and rules that choose
one of several matches.

A rule that looks for a pair of arguments (a range and its next term, two sums with a common
start) may match in several ways, each with its own side conditions. It lists its matches as
(contractum, conditions) pairs, structurally and without proving anything; `first_holding`
(the rule) takes the first match whose conditions the context proves, and `conditions_for`
(its `requires`) gives the conditions of the match that produced a contractum, so the kernel
re-proves exactly what the rewrite relied on.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Callable, Iterator

import sympy as sp

from ..binders import alpha_key, subst
from ..context import Context
from ..nodes.sums import Prod, Sigma
from .base import Condition, Le

__all__ = ["Match", "arguments", "first_holding", "conditions_for", "absorb_last"]

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
        rest = _without(args[:k] + args[k + 1:], _next_term(r, op))
        if rest is not None:
            yield op(*rest, kind(r.body, r.var, r.lo, r.hi + 1)), (Le(r.lo, r.hi + 1),)
