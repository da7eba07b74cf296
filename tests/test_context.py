"""What a context knows inside a binder: nothing about the outer meaning of a name the binder rebinds."""

from __future__ import annotations

import pytest
import sympy as sp

from symcheck.context import Context
from symcheck.index import index, size

t, u = index("t"), index("u")
C = size("C")


@pytest.mark.parametrize("fact", [
    (t, u),                                 # about t itself
    (sp.floor((t - 1) / C), u),             # about an atom over t
    (C * sp.floor((t - 1) / C), u),         # about a monomial of an atom over t: t only through the atom
    (sp.Mod(t, 4) * C, u),
])
def test_a_binder_of_t_forgets_every_fact_that_mentions_t(fact):
    ctx, kept = Context().with_facts(fact, (1, u)), Context().with_facts((1, u)).facts
    assert ctx.facts > kept                                 # something to forget (an atom brings its bounds)
    assert ctx.enter_binder((t,)).facts == kept


def test_a_binder_keeps_the_facts_that_do_not_mention_its_index():
    ctx = Context().with_facts((C * sp.floor((u - 1) / C), t))
    assert ctx.enter_binder((index("s"),)).facts == ctx.facts


def test_an_atom_this_process_did_not_make_is_forgotten_by_every_binder():
    """A context can travel (pickled to a worker) without the registry of what its atoms stand over."""
    stranger = ((("<Mod(Symbol('w', integer=True), Integer(3))>", 1), ("u", -1)), 0)
    ctx = Context(frozenset({stranger}))
    assert ctx.enter_binder((index("s"),)).facts == frozenset()


@pytest.mark.parametrize("fact", [
    (sp.floor((t - 1) / C), u),
    (C * sp.floor((t - 1) / C), u),
    (sp.Mod(t, 4) * C, u),
])
def test_the_names_under_a_contexts_facts_are_asked_once_and_still_reach_through_atoms(fact):
    """A binder of another name first (it keeps every fact, from the memoised names under the facts), then a
    binder of t, in a context grown from its parent (a sum's range added): t is still found under the atoms."""
    ctx = Context().with_facts((1, u)).with_facts(fact).with_facts((u, C))
    assert ctx.enter_binder((index("s"),)).facts == ctx.facts
    inner = ctx.enter_binder((t,))
    assert inner.facts < ctx.facts and not any("t" in str(f) and "<" not in str(f) for f in inner.facts)
    assert ctx.enter_sum(t, 1, C).proves_le(1, t) and not ctx.enter_binder((t,)).proves_le(fact[0], fact[1])
