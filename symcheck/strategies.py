"""Strategies: where and in which order rules are tried, as values that combine.

In the spirit of `sympy.strategies`, the mathematics (rules) is kept apart from the
algorithm that applies it. A *strategy* `(expr, ctx) -> Step | None` makes at most one
rewrite somewhere in `expr` and reports it as a `proof.Step` (redex, contractum, and where:
its `Focus`), so the trace of a run is the proof. A *phase* `(expr, ctx) -> tuple[Step, ...]`
runs strategies to an end; `in_place` normalizes innermost first without rebuilding the
enclosing nodes after every step. How one rule is tried at one
node (and what makes a rewrite acceptable) is an `Attempt`, supplied by the caller: the
normalizer's attempt re-proves side conditions; `plain` accepts any change.
"""

from __future__ import annotations

import dataclasses
from functools import lru_cache
from typing import Callable, Iterable

import sympy as sp

from .budget import StepBudget
from .context import Context
from .nodes import spec_of
from .nodes.guards import Iverson
from .proof import Focus, Step
from .rebuild import rebuild
from .rules import Rule

__all__ = ["Strategy", "Phase", "Attempt", "plain", "first_of", "innermost", "in_place", "once", "chain",
           "child_context", "child_contexts", "opaque"]

Strategy = Callable[[sp.Basic, Context], Step | None]
Phase = Callable[[sp.Basic, Context], tuple[Step, ...]]
Attempt = Callable[[Rule, sp.Basic, Context], Step | None]


def plain(r: Rule, expr: sp.Basic, ctx: Context) -> Step | None:
    """`r` at the root of `expr`, unchecked: a step exactly when it changes `expr`."""
    out = r(expr, ctx)
    return None if out == expr else Step(r.name, expr, out)


def child_context(node: sp.Basic, k: int, ctx: Context) -> Context:
    """The context at `node`'s k-th argument (`child_contexts`)."""
    return child_contexts(node, ctx)[k]


@lru_cache(maxsize=100_000)
def child_contexts(node: sp.Basic, ctx: Context) -> tuple[Context, ...]:
    """The context at each of `node`'s arguments: the scope of a binder also knows its range (its spec's
    `Binder`), and nothing about the outer meaning of the names it rebinds; a factor of a product knows its
    sibling brackets. Memoised, for all arguments at once: contexts are values, and after every step the
    search descends again through the nodes it has settled."""
    if isinstance(node, sp.Mul):
        if not any(isinstance(a, Iverson) for a in node.args):
            return (ctx,) * len(node.args)
        guards = [guard_facts((a,)) for a in node.args]
        known = ctx.with_facts(*(f for g in guards for f in g))
        return tuple(known if not g else ctx.with_facts(*(f for i, h in enumerate(guards) if i != k for f in h))
                     for k, g in enumerate(guards))
    binder = spec_of(node).binder
    if binder is None:
        return (ctx,) * len(node.args)
    bounds = binder.bounds(node)
    if bounds is None:
        inner = ctx.enter_binder(binder.variables(node))
    else:
        (var,) = binder.variables(node)
        inner = ctx.enter_sum(var, *bounds)
    return tuple(inner if k == binder.body else ctx for k in range(len(node.args)))


def guard_facts(factors) -> list[tuple[sp.Expr, sp.Expr]]:
    """The facts lo <= hi of the brackets among a product's other factors. Sound under the total
    semantics: where a sibling [P] is 0 the product is 0 whatever this factor's value, so a rewrite
    of the factor that holds wherever P holds leaves the product unchanged everywhere."""
    out = []
    for f in factors:
        cond = f.args[0] if isinstance(f, Iverson) else None
        if isinstance(cond, sp.LessThan):
            out.append((cond.lhs, cond.rhs))
        elif isinstance(cond, sp.Equality):
            out += [(cond.lhs, cond.rhs), (cond.rhs, cond.lhs)]
    return out


def opaque(node: sp.Basic) -> bool:
    """Is `node` never rewritten inside? Its spec says so (a memory's written rows are a definition)."""
    return spec_of(node).opaque


class first_of:
    """At the node itself: the first rule, in the given priority order, whose attempt succeeds.
    Only rules declared `on` the node's type are tried. `inert(r, node)`, if given, says that `r` leaves
    `node` as it is in every context (so its attempt, which makes a step only of a change, fails
    everywhere): after a pass where no rule succeeded at a node, only its other rules are tried there again,
    in the node's later contexts (a normal subtree recurs under other ranges and brackets)."""

    def __init__(self, rules: Iterable[Rule], attempt: Attempt = plain,
                 inert: Callable[[Rule, sp.Basic], bool] | None = None):
        self.rules, self.attempt, self.inert = tuple(rules), attempt, inert
        self._by_type: dict[type, tuple[Rule, ...]] = {}
        self._live: dict[sp.Basic, tuple[Rule, ...]] = {}

    def __call__(self, expr: sp.Basic, ctx: Context) -> Step | None:
        tried = self._live.get(expr)
        first_visit = tried is None
        if first_visit:
            cls = type(expr)
            if cls not in self._by_type:
                self._by_type[cls] = tuple(r for r in self.rules if issubclass(cls, r.on))
            tried = self._by_type[cls]
        for r in tried:
            step = self.attempt(r, expr, ctx)
            if step is not None:
                return step
        if self.inert is not None and first_visit:
            self._live[expr] = tuple(r for r in tried if not self.inert(r, expr))
        return None

    def inert_everywhere(self, expr: sp.Basic) -> bool:
        """Has every rule been found inert at `expr` (so no context makes a step there)?"""
        return self._live.get(expr) == ()


def innermost(strategy: Strategy) -> Strategy:
    """One rewrite at the leftmost-innermost redex: inside the first argument that has one, else at the node
    itself (leaves and opaque nodes are never redexes). A subtree found normal in a context is remembered, so
    `strategy` must be deterministic."""
    normal: set[tuple[sp.Basic, Context]] = set()

    def find(expr: sp.Basic, ctx: Context, focus: Focus | None) -> Step | None:
        if not expr.args or opaque(expr) or (expr, ctx) in normal:
            return None
        for k, child in enumerate(expr.args):
            step = find(child, child_context(expr, k, ctx), Focus(focus, expr, k))
            if step is not None:
                return step
        step = strategy(expr, ctx)
        if step is None:
            normal.add((expr, ctx))
            return None
        return dataclasses.replace(step, focus=focus)

    return lambda expr, ctx: find(expr, ctx, None)


def merges(e: sp.Basic, focus: Focus | None) -> bool:
    """Will the node above merge `e` into itself (a sum into a sum, a product into a product)? Then `e` goes
    back up at once, so that its terms or factors meet their new siblings before anything else rewrites them."""
    return focus is not None and type(e) is type(focus.node) and type(e) in (sp.Add, sp.Mul)


def in_place(strategy: Strategy, budget: StepBudget,
             everywhere: Callable[[sp.Basic], bool] | None = None) -> Phase:
    """Rewrite with `strategy` (at a node itself) innermost first until nothing changes, spending `budget` on
    every step (it raises `BudgetExceeded` rather than loop). A node's arguments are normalized first, left to
    right, each in its context; a changed argument is put back by rebuilding the node (once per change, not
    once per step below it), and the node's arguments are looked at again from the first (the rebuild may
    have reordered or merged them, and a bracket beside them may have changed what they know); then rules are
    tried at the node, and a contractum is normalized the same way, unless the node above will merge it
    (`merges`). A subtree found normal in a context is remembered across calls, so `strategy` must be
    deterministic; one whose nodes `everywhere` (if given) says `strategy` leaves as they are in every
    context is normal in every context, and is not visited again. Each step records its `Focus`: the
    enclosing nodes as they stood, from which its whole expression is made when read."""
    normal: set[tuple[sp.Basic, Context]] = set()
    anywhere: set[sp.Basic] = set()         # subtrees normal in every context (`everywhere`)

    def settled_everywhere(e: sp.Basic) -> bool:
        return not e.args or opaque(e) or e in anywhere

    def settled(e: sp.Basic, ctx: Context) -> bool:
        return settled_everywhere(e) or (e, ctx) in normal

    def run(e: sp.Basic, ctx: Context, focus: Focus | None, steps: list) -> sp.Basic:
        while True:
            k, inners, args = 0, child_contexts(e, ctx), e.args
            while k < len(args):
                child, inner = args[k], inners[k]
                # `settled(child, inner)`, inlined: the test runs for every argument at every visit
                if not child.args or child in anywhere or (child, inner) in normal or opaque(child):
                    k += 1
                    continue
                new = run(child, inner, Focus(focus, e, k), steps)
                if new is child:
                    k += 1
                    continue
                args = list(args)
                args[k] = new
                e, k = rebuild(e, args), 0
                if settled(e, ctx):
                    return e
                inners, args = child_contexts(e, ctx), e.args
            step = strategy(e, ctx)
            if step is None:
                normal.add((e, ctx))
                if everywhere is not None and everywhere(e) and all(map(settled_everywhere, e.args)):
                    anywhere.add(e)
                return e
            steps.append(dataclasses.replace(step, focus=focus))
            budget.spend()
            e = step.contractum
            if settled(e, ctx) or merges(e, focus):
                return e

    def phase(expr: sp.Basic, ctx: Context) -> tuple[Step, ...]:
        steps: list[Step] = []
        if not settled(expr, ctx):
            run(expr, ctx, None, steps)
        return tuple(steps)

    return phase


def once(strategy: Strategy) -> Phase:
    """At most one rewrite (a final pass, such as the canonical renaming of bound indices)."""

    def run(expr: sp.Basic, ctx: Context) -> tuple[Step, ...]:
        step = strategy(expr, ctx)
        return () if step is None else (step,)

    return run


def chain(*phases: Phase) -> Phase:
    """The phases in order, each from where the previous one stopped."""

    def run(expr: sp.Basic, ctx: Context) -> tuple[Step, ...]:
        steps: tuple[Step, ...] = ()
        for phase in phases:
            more = phase(expr, ctx)
            if more:
                expr = more[-1].after
            steps += more
        return steps

    return run
