"""The strategy combinators, on toy rules over toy trees (no mathematics involved)."""

from __future__ import annotations

import pytest
import sympy as sp

from symcheck.budget import BudgetExceeded, StepBudget
from symcheck.context import Context
from symcheck.index import Iverson, Sigma, index
from symcheck.nodes.spec import NodeSpec, register
from symcheck.rules import Rule
from symcheck.strategies import chain, child_context, first_of, in_place, innermost, once, plain



class Toy(sp.Function):
    """A toy node kind for these tests: known to the registry (every walker refuses an unknown node)."""


register(NodeSpec(Toy))
A, B, C = (type(name, (Toy,), {}) for name in "ABC")
x, y, j, T = sp.Symbol("x"), sp.Symbol("y"), index("j"), sp.Symbol("T", integer=True, positive=True)
CTX = Context()


def renaming(name: str, src, dst) -> Rule:
    """src(u) -> dst(u), at applied undefined functions only."""
    return Rule(name, f"{src}(u) = {dst}(u)", (Toy,), lambda e, ctx: dst(*e.args) if e.func == src else e)


A_TO_B, A_TO_C, B_TO_A = renaming("a-to-b", A, B), renaming("a-to-c", A, C), renaming("b-to-a", B, A)


def never(e, ctx):
    raise AssertionError("a rule not declared on this node type was asked")


ON_EXP = Rule("on-exp", "e^u = u", (sp.exp,), never)


def test_first_of_picks_the_first_rule_that_applies():
    assert first_of((A_TO_B, A_TO_C))(A(x), CTX).after == B(x)
    assert first_of((A_TO_C, A_TO_B))(A(x), CTX).after == C(x)
    step = first_of((B_TO_A, A_TO_C))(A(x), CTX)       # b-to-a leaves A(x) alone: the next rule is asked
    assert (step.rule, step.before, step.after, step.path) == ("a-to-c", A(x), C(x), ())


def test_first_of_asks_only_rules_declared_on_the_node_type():
    assert first_of((ON_EXP, A_TO_B))(A(x), CTX).rule == "a-to-b"
    assert first_of((ON_EXP,))(B(x), CTX) is None


def test_first_of_defers_to_its_attempt():
    refuse_b = lambda r, e, ctx: None if r is A_TO_B else first_of((r,))(e, ctx)   # noqa: E731
    assert first_of((A_TO_B, A_TO_C), refuse_b)(A(x), CTX).rule == "a-to-c"


def test_innermost_rewrites_the_leftmost_innermost_redex():
    step = innermost(first_of((A_TO_B,)))(C(A(A(x)), A(y)), CTX)
    assert (step.redex, step.contractum, step.path) == (A(x), B(x), (0, 0))
    assert (step.before, step.after) == (C(A(A(x)), A(y)), C(A(B(x)), A(y)))


def test_innermost_rewrites_at_the_root_when_no_argument_has_a_redex():
    step = innermost(first_of((A_TO_B,)))(A(B(x)), CTX)
    assert (step.path, step.after) == ((), B(B(x)))
    assert innermost(first_of((A_TO_B,)))(C(B(x)), CTX) is None


def test_innermost_gives_a_sum_body_the_range_of_its_index():
    seen = []
    spy = Rule("spy", "u = u", (Toy,), lambda e, ctx: seen.append(ctx.proves_le(j, T)) or e)
    innermost(first_of((spy,)))(Sigma(A(j), j, 1, T) * A(x), CTX)
    assert sorted(seen) == [False, True]                   # A(j) in the body knows j <= T, A(x) outside does not
    assert child_context(Sigma(A(j), j, 1, T), 0, CTX).proves_le(1, j)
    assert child_context(Sigma(A(j), j, 1, T), 2, CTX) == CTX


def test_in_place_stops_at_a_fixpoint():
    run = in_place(first_of((A_TO_B,)), StepBudget(10))
    steps = run(C(A(x), A(y)), CTX)
    assert [s.path for s in steps] == [(0,), (1,)] and steps[-1].after == C(B(x), B(y))
    assert run(steps[-1].after, CTX) == ()


def test_in_place_normalizes_a_contractum_and_its_arguments_before_the_node_above():
    """A(A(x)) under C: the inner A first, then the outer, then C itself; each whole expression is made from
    the step's focus, and each step starts where the one before it ended."""
    to_a = renaming("c-to-a", C, A)
    steps = in_place(first_of((A_TO_B, to_a)), StepBudget(10))(C(A(A(x))), CTX)
    assert [(s.rule, s.path) for s in steps] == [("a-to-b", (0, 0)), ("a-to-b", (0,)), ("c-to-a", ()),
                                                 ("a-to-b", ())]
    assert [s.after for s in steps] == [C(A(B(x))), C(B(B(x))), A(B(B(x))), B(B(B(x)))]
    assert all(a.after == b.before for a, b in zip(steps, steps[1:]))


def test_in_place_keeps_the_enclosing_nodes_as_they_stood():
    """The second step's focus still holds C(A(x), A(y)) as it was when the rewriting went into its second
    argument (its first argument was rewritten and the node rebuilt before that): no rebuild per step."""
    steps = in_place(first_of((A_TO_B,)), StepBudget(10))(C(A(x), A(y)), CTX)
    assert steps[1].focus.node == C(B(x), A(y)) and steps[1].focus.outer is None


def test_in_place_spends_the_step_budget():
    budget = StepBudget(5)
    with pytest.raises(BudgetExceeded, match="^step budget of 5 rewrite steps exhausted$"):
        in_place(first_of((A_TO_B, B_TO_A)), budget)(C(A(x)), CTX)
    assert budget.steps_taken == 6


def test_in_place_spends_the_time_budget():
    with pytest.raises(BudgetExceeded, match="^time budget exhausted during normalization$"):
        in_place(first_of((A_TO_B,)), StepBudget(10, deadline=0.0))(C(A(x)), CTX)


def test_once_makes_at_most_one_step_and_chain_continues_from_it():
    assert len(once(innermost(first_of((A_TO_B,))))(C(A(x), A(y)), CTX)) == 1
    assert once(first_of((A_TO_B,)))(C(x), CTX) == ()
    run = chain(in_place(first_of((A_TO_B,)), StepBudget(10)), once(first_of((renaming("c", C, A),))))
    steps = run(C(A(x)), CTX)
    assert [s.rule for s in steps] == ["a-to-b", "c"] and steps[-1].before == C(B(x)) and steps[-1].after == A(B(x))


def test_a_factor_knows_the_brackets_beside_it():
    """[j <= t]·exp([j <= t]·x): inside the exp the sibling's condition is a fact; the bracket itself
    learns nothing from itself (it is not its own sibling)."""
    j, t = index("j"), index("t")
    guard, x = Iverson(sp.Le(j, t)), sp.Symbol("x")
    product = guard * sp.exp(guard * x)
    k_exp = next(k for k, a in enumerate(product.args) if isinstance(a, sp.exp))
    k_guard = 1 - k_exp
    assert child_context(product, k_exp, Context()).proves_le(j, t)
    assert not child_context(product, k_guard, Context()).proves_le(j, t)


def test_an_equation_beside_a_factor_gives_both_inequalities():
    j, t = index("j"), index("t")
    product = Iverson(sp.Eq(j, t)) * sp.exp(j)
    k = next(k for k, a in enumerate(product.args) if isinstance(a, sp.exp))
    ctx = child_context(product, k, Context())
    assert ctx.proves_le(j, t) and ctx.proves_le(t, j)


def test_in_place_does_not_visit_again_a_subtree_normal_in_every_context():
    """A subtree where every rule was found inert (it did not read its context and changed nothing) is normal
    in every context; one where a rule read its context is tried again in the next context, and rewritten
    where that context knows enough."""
    from symcheck.rule_memo import inert
    idle = Rule("idle", "u = u", (Toy,), lambda e, ctx: e)
    knows = Rule("knows", "b(u) = c(u)", (Toy,),
                 lambda e, ctx: C(*e.args) if e.func == B and ctx.proves_le(1, T) else e)
    rewrite, visits = first_of((idle, knows), plain, inert), []
    run = in_place(lambda e, ctx: visits.append(e) or rewrite(e, ctx), StepBudget(10), rewrite.inert_everywhere)
    expr = C(A(A(x)), B(y))
    assert run(expr, CTX) == () and A(A(x)) in visits
    before = len(visits)
    steps = run(expr, CTX.with_facts((1, T)))
    assert [(s.rule, s.path) for s in steps] == [("knows", (1,))]
    assert [e for e in visits[before:] if e.func == A] == []        # A(A(x)) was not visited again
    assert not rewrite.inert_everywhere(B(y)) and rewrite.inert_everywhere(A(A(x)))
