"""A rule's result is remembered only where it did not read its context, and equals the rule's own answer."""

from __future__ import annotations

import sympy as sp
from hypothesis import given, settings, strategies as st

from helpers import T, b, index_expression, t, world_context
from symcheck.context import Context
from symcheck.index import index, make_sum
from symcheck.rule_memo import ContextConsulted, apply, inert
from symcheck.rules import NORMALIZING, Rule
from symcheck.strategies import first_of, plain

j = index("j")


def counting(name: str, fn) -> tuple[Rule, list]:
    calls: list = []

    def rule(e, ctx):
        calls.append(e)
        return fn(e, ctx)

    return Rule(name, name, (sp.Basic,), rule), calls


def test_a_rule_that_ignores_its_context_runs_once_per_node():
    r, calls = counting("blind", lambda e, ctx: sp.S.Zero)
    e = make_sum(j, j, 1, T)
    assert [apply(r, e, ctx) for ctx in (Context(), world_context(), Context())] == [0, 0, 0]
    assert calls == [e]


def test_a_rule_that_reads_its_context_runs_in_each():
    r, calls = counting("looks", lambda e, ctx: sp.S.One if ctx.proves_le(1, t) else e)
    e = make_sum(j, j, 1, T + 7)        # a node no other test remembers
    assert apply(r, e, Context()) == e
    assert apply(r, e, world_context()) == 1
    assert apply(r, e, Context()) == e
    assert len(calls) == 4              # the blind run, then one with each context


def test_a_rule_cannot_swallow_the_blindfold():
    def careless(e, ctx):
        try:
            return sp.S.One if ctx.proves_le(1, t) else e
        except Exception:                # the blindfold is not an Exception: this does not catch it
            return sp.S.Zero

    r = Rule("careless", "careless", (sp.Basic,), careless)
    e = make_sum(j, j, 2, T + 7)
    assert apply(r, e, world_context()) == 1
    assert issubclass(ContextConsulted, BaseException) and not issubclass(ContextConsulted, Exception)


def test_operators_on_the_context_count_as_reading_it():
    uses = [lambda ctx: ctx == Context(), lambda ctx: hash(ctx), lambda ctx: bool(ctx), lambda ctx: ctx.facts,
            lambda ctx: str(ctx), lambda ctx: f"{ctx}", lambda ctx: {ctx: 1}]
    for n, use in enumerate(uses):
        r, calls = counting(f"use{n}", lambda e, ctx, use=use: (use(ctx), e)[1])
        e = make_sum(j, j, 3 + n, T + 7)
        apply(r, e, world_context())
        assert len(calls) == 2, n


def test_a_rule_that_ignored_its_context_and_changed_nothing_is_inert_there():
    blind, _ = counting("blind-same", lambda e, ctx: e)
    looks, _ = counting("looks-same", lambda e, ctx: e if ctx.proves_le(1, t) or True else e)
    e = make_sum(j, j, 4, T + 8)
    for r in (blind, looks):
        apply(r, e, Context())
    assert inert(blind, e) and not inert(looks, e)


def test_first_of_tries_again_only_the_rules_that_could_change_a_node_elsewhere():
    """After a pass where nothing applied at a node, an inert rule is not asked there again; a rule that read
    its context is, and applies in a context that knows more."""
    idle, idle_calls = counting("idle", lambda e, ctx: e)
    fires, fire_calls = counting("fires", lambda e, ctx: sp.S.One if ctx.proves_le(1, t) else e)
    first = first_of((idle, fires), plain, inert)
    e = make_sum(j, j, 5, T + 8)
    assert first(e, Context()) is None
    assert first(e, world_context()).after == 1
    assert first(e, Context()) is None
    assert idle_calls == [e, e]                    # the first pass and its blind run, then never again
    assert len(fire_calls) == 3 + 1                # one in each context, and its blind run


def test_first_of_without_inert_asks_every_rule_every_time():
    idle, idle_calls = counting("idle2", lambda e, ctx: e)
    first = first_of((idle,))
    e = make_sum(j, j, 6, T + 8)
    assert first(e, Context()) is None and first(e, world_context()) is None
    assert len(idle_calls) == 2


def subterms(e: sp.Basic):
    yield e
    for a in e.args:
        yield from subterms(a)


@settings(max_examples=60)
@given(st.data(), st.sampled_from([(), ((2, t),), ((t, 1),), ((b, 1), (T, 3))]))
def test_every_normalizing_rule_gives_what_it_gives_without_the_memo(data, extra):
    """Each rule of the library, at every node of a random expression, in contexts that know more or less."""
    expr = index_expression(data, 4, [t])
    for ctx in (world_context(), world_context().with_facts(*extra), Context()):
        for node in subterms(expr):
            for r in NORMALIZING.rules:
                if isinstance(node, r.on):
                    assert apply(r, node, ctx) == r(node, ctx), (r.name, node)
