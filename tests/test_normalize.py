"""The normalizer: value-preserving, idempotent, independent of names and argument order."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings, strategies as st

from helpers import K, Q, V, T, b, t, draw_inputs, index_expression as build, same, values, world_context
from symcheck.binders import subst
from symcheck.index import Sigma, index, make_sum
from symcheck.normalize import BudgetExceeded, Normalizer

q, k, v = Q.base, K.base, V.base


expressions = st.data()
world = st.tuples(st.integers(1, 4), st.integers(1, 3), st.integers(0, 2**32 - 1))


def normal_form(expr):
    return Normalizer(max_steps=2000).derive(expr, world_context())


@settings(max_examples=80)
@given(expressions, world)
def test_normalization_preserves_value(data, drawn):
    expr = build(data, 4, [t])
    Tv, dv, seed = drawn
    inputs = draw_inputs(np.random.default_rng(seed), Tv, dv)
    nf = normal_form(expr).result
    assert same(values(expr, Tv, dv, Tv, inputs), values(nf, Tv, dv, Tv, inputs)), f"{expr}\n -> {nf}"


@given(expressions)
def test_normalization_is_idempotent(data):
    nf = normal_form(build(data, 4, [t])).result
    assert normal_form(nf).steps == ()


@given(expressions)
def test_each_step_is_where_the_checker_finds_it(data):
    """The steps of an in-place derivation, followed as a certificate states them (path and kept levels) by the
    checker's own zipper, which rebuilds with sympy's constructors: each redex is where the step says, each
    whole expression made from a step's focus is the zipper's, and the end is the derivation's result."""
    from symcheck.certificate import kept_levels
    from symcheck.replay_focus import Zipper
    d_ = normal_form(build(data, 4, [t]))
    focus = Zipper(d_.start, ())
    for s, keep in zip(d_.steps, kept_levels(d_.steps)):
        focus.move(list(s.path), keep)
        assert focus.sub == s.redex and focus.whole() == s.before and focus.whole(s.contractum) == s.after
        focus.sub = s.contractum
    assert focus.root() == d_.result
    assert all(a.after == b.before for a, b in zip(d_.steps, d_.steps[1:]))


def scramble(e):
    """Rename every bound index and rebuild sums and products with reversed arguments."""
    if isinstance(e, Sigma):
        new = index("z_" + e.var.name)
        return make_sum(scramble(subst(e.body, {e.var: new})), new, scramble(e.lo), scramble(e.hi))
    if isinstance(e, (sp.Add, sp.Mul)):
        return e.func(*reversed([scramble(a) for a in e.args]))
    if not e.args:
        return e
    return e.func(*[scramble(a) for a in e.args])


@given(expressions)
def test_normal_form_ignores_names_and_order(data):
    expr = build(data, 4, [t])
    assert normal_form(expr).result == normal_form(scramble(expr)).result


def test_fubini_orders_nested_sums_canonically():
    i, j = index("i"), index("j")
    left = make_sum(make_sum(q[i, b] * k[j, b], j, 1, T), i, 1, t)
    right = make_sum(make_sum(q[i, b] * k[j, b], i, 1, t), j, 1, T)
    assert normal_form(left).result == normal_form(right).result


def test_matrix_associativity_via_flat_sums():
    from symcheck.index import Entry
    left = Entry((Q @ K.T) @ V, t, b)
    right = Entry(Q @ (K.T @ V), t, b)
    assert normal_form(left).result == normal_form(right).result


def test_budget_is_enforced():
    from symcheck.index import Entry
    with pytest.raises(BudgetExceeded, match="step budget"):
        Normalizer(max_steps=3).derive(Entry(Q @ K.T @ V, t, b), world_context())


def test_every_step_is_recorded_with_its_rule():
    from symcheck.index import Entry
    d_ = normal_form(Entry(Q @ K.T, t, t))
    assert [s.rule for s in d_.steps][:1] == ["entry-matmul"]
    for before, after in zip(d_.steps, d_.steps[1:]):
        assert before.after == after.before


def _without_inertness(n: Normalizer) -> Normalizer:
    """`n` with every rule asked at every node in every context: no `inert` skipping in `first_of`, no subtree
    skipped as normal everywhere in `in_place` (what the normalizer did before those were added)."""
    from symcheck.rules import BINDERS
    from symcheck.strategies import chain, first_of, in_place, once
    n._rewrite = first_of(n.rules, n._attempt)
    n._strategy = chain(in_place(n._rewrite, n.budget), once(first_of(BINDERS.rules, n._attempt)))
    return n


@settings(max_examples=60)
@given(expressions, st.sampled_from([((2, t),), ((t, 1),), ((b, 1), (T, 3))]))
def test_skipping_inert_rules_and_subtrees_changes_no_step(data, extra):
    """One normalizer over the same expression in three contexts (its memory of inert rules and of subtrees
    normal everywhere carries from one to the next, as between a claim's two sides): the same steps, rule by
    rule and tree by tree, as a normalizer that asks every rule everywhere."""
    expr = build(data, 4, [t])
    fast, slow = Normalizer(max_steps=3000), _without_inertness(Normalizer(max_steps=3000))
    for ctx in (world_context(), world_context().with_facts(*extra), world_context()):
        a, b_ = fast.derive(expr, ctx), slow.derive(expr, ctx)
        assert [(s.rule, s.before, s.after) for s in a.steps] == [(s.rule, s.before, s.after) for s in b_.steps]
