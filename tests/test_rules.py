"""Every rule is sound: one application preserves the value, at random sizes
(including size 1 and unequal sizes) and random inputs.

The table below must name every rule of the library (the soundness gate): a rule
added without cases here fails `test_every_rule_has_soundness_cases`. The rule sets
partition the library, and the default priority order is written down here.
"""

from __future__ import annotations

import dataclasses
from collections import Counter

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, strategies as st

from helpers import K, Q, V, N, T, b, d, t, draw_inputs, same, values, world_context
from symcheck.context import UnitRows
from symcheck.index import Entry, Iverson, Prod, Relu, Sigma, index, make_sum, power, reciprocal
from symcheck.matrix import MaskedSoftmax, MatScale
from symcheck.memory import ContentWeight, Memory, MemoryCell, WriteWeight
from symcheck.normalize import Normalizer
from symcheck.recurrent import Recurrence, State, recurrence
from symcheck.rules import NORMALIZING, RULE_SETS, RULES, Rule, RuleSet
from symcheck.rules.base import by_name
from symcheck.rules.sums import SUMS
from symcheck.scalars import draw, scalar, scalar_of

j, k, n, s, a = (index(x) for x in "jknsa")
Mk, Mv = Memory("K", K, N), Memory("V", V, N)
UNIT_Q = UnitRows("Q", d)
G = scalar("g", interval=sp.Interval(0, 2))
FAST = recurrence("F", (d, d), T, lambda prev, t, a, b: prev(a, b) + V[t, a] * K[t, b])     # fast weights
FACTORED = recurrence("A", (d, 1), T, lambda prev, t, a, b: (prev(a, b) + V[t, a]) * K[t, a])  # no closed form
EXPANDED = recurrence("B", (d, 1), T, lambda prev, t, a, b: K[t, a] * prev(a, b) + K[t, a] * V[t, a])

CASES: dict[str, list] = {
    "entry-input": [Entry(Q, t, b)],
    "entry-transpose": [make_sum(Entry(K.T, b, j) * V[j, b], j, 1, T)],
    "entry-scale": [Entry(MatScale(1 / sp.sqrt(d), Q), t, b)],
    "entry-matmul": [Entry(Q @ K.T @ V, t, b), Entry(Q @ K.T, t, t)],
    "entry-masked-softmax": [make_sum(Entry(MaskedSoftmax(Q @ K.T, m), t, j) * V[j, b], j, 1, T)
                             for m in ("inclusive", "strict", "none")],
    "content-addressing": [
        make_sum(ContentWeight(Mk, tau, Q, t, n, 1 / sp.sqrt(d), sim, hi) * MemoryCell(Mv, tau, n, b), n, 1, hi)
        for sim in ("dot", "cosine") for tau, hi in ((t, t), (t - 1, t - 1), (t, N))],
    "fresh-slot-allocation": [make_sum(make_sum(n * WriteWeight(Mk, s, n) * Q[s, b], s, 1, t), n, 1, N)],
    "unroll-write-once": [make_sum(n * MemoryCell(Mk, t, n, b), n, 1, N),
                          make_sum(MemoryCell(Mv, t - 1, n, b), n, 1, N)],
    "recurrence-closed-form": [State(FAST, t, b, 1) * Q[t, b], make_sum(State(FAST, t - 1, b, j), j, 1, d)],
    "recurrence-congruence": [State(FACTORED, t, b, 1) * Q[t, b] + State(EXPANDED, t, b, 1),
                              make_sum(State(FACTORED, t - 1, j, 1) * State(EXPANDED, j, b, 1), j, 1, d)],
    "iverson-decide": [make_sum(Iverson(sp.Le(j, T)) * Q[j, b], j, 1, t), Iverson(sp.Lt(T, t)) * Q[t, b],
                       make_sum(Iverson(sp.Eq(j, t + 1)) * Q[j, b], j, 1, t)],
    "iverson-idempotent": [make_sum(Iverson(sp.Le(j, b)) ** 2 * Q[j, b], j, 1, T)],
    "sum-empty": [make_sum(Q[j, b], j, t + 1, t), make_sum(Q[j, b], j, T + 1, t)],
    "sum-zero": [Sigma(0, j, 1, T) + Q[t, b]],
    "sum-singleton": [make_sum(Q[j, b] * j, j, t, t)],
    "sum-split-add": [make_sum(Q[j, b] + K[j, b] ** 2, j, 1, t)],
    "sum-guard-to-range": [make_sum(Iverson(sp.Le(j, t)) * Q[j, b], j, 1, T),
                           make_sum(Iverson(sp.Le(t, j)) * sp.exp(Q[j, b]), j, 1, T),
                           make_sum(Iverson(sp.Lt(j, t)) * Q[j, b], j, 1, T),
                           # a guard on j inside a nested sum whose range depends on j
                           make_sum(make_sum(Iverson(sp.Le(j, t)) * Q[k, b] * K[j, b], k, 1, j), j, 1, T)],
    "sum-delta": [make_sum(make_sum(Iverson(sp.Eq(j, t)) * Q[j, a] * K[j, b], a, 1, d), j, 1, T),
                  make_sum(make_sum(make_sum(Iverson(sp.Eq(j, b)) * Q[s, a] * K[s, j], a, 1, d), s, 1, t), j, 1, d),
                  make_sum(Iverson(sp.Eq(j, t)) * Q[j, b], j, 1, T),
                  make_sum(Iverson(sp.Eq(j, b)) * Q[j, b], j, 1, t),
                  make_sum(Iverson(sp.Eq(j + 1, t)) * K[j, b], j, 1, T)],
    "sum-factor-in": [make_sum(Q[j, b], j, 1, t) / sp.sqrt(d),
                      Q[t, b] * make_sum(K[j, b] * Iverson(sp.Le(j, t)), j, 1, T),
                      make_sum(sp.exp(Q[j, b]), j, 1, t) * reciprocal(make_sum(sp.exp(Q[k, b]), k, 1, t))],
    "distribute": [Q[t, b] * (K[t, b] + 1)],
    "expand-power": [(Q[t, b] + K[t, b]) ** 2],
    "exp-merge": [sp.exp(Q[t, b]) * sp.exp(K[t, b])],
    "softmax-shift": [make_sum(sp.exp(Q[t, b] + K[j, b]) * V[j, b] * reciprocal(make_sum(sp.exp(Q[t, b] + K[k, b]), k, 1, t)),
                               j, 1, t),
                      reciprocal(make_sum(Iverson(sp.Le(k, t)) * sp.exp(Q[t, b] - K[k, b]), k, 1, T)),
                      sp.exp(K[t, b]) * reciprocal(1 + sp.exp(K[t, b])) * Q[t, b]],
    "unit-norm": [make_sum(Q.base[t, a] ** 2, a, 1, d) * V[t, b]],
    "alpha-rename": [make_sum(make_sum(Q[k, j] * K[k, j], j, 1, d), k, 1, t)],
    "sum-peel-last": [make_sum(Q[j, b] * j, j, 1, t)],
    "sum-absorb-last": [make_sum(Q[j, b], j, 1, t - 1) + Q[t, b], make_sum(j * Q[j, b], j, t, t - 1) + t * Q[t, b] + K[t, b]],
    "sum-range-difference": [make_sum(Q[j, b], j, 1, t) - make_sum(Q[k, b], k, 1, t - 1),
                             make_sum(Q[j, b], j, 1, t - 1) + make_sum(-Q[k, b], k, 1, t),
                             make_sum(Q[j, b], j, b, d) - make_sum(Q[j, b], j, b, b - 1)],
    "sum-concat": [make_sum(Q[j, b], j, 1, t - 1) + make_sum(Q[k, b], k, t, T),
                   make_sum(j * Q[j, b], j, 1, t) + make_sum(k * Q[k, b], k, t + 1, t),      # an empty second part
                   make_sum(make_sum(Q[j, a], j, 1, t), a, 1, d) + make_sum(make_sum(Q[j, a], a, 1, d), j, t + 1, T)],
    "sum-blocks": [make_sum(make_sum(Q[j, b], j, (k - 1) * d + 1, k * d), k, 1, t),
                   make_sum(make_sum(j * Q[j, b], j, k + 2, k + 2), k, b, t)],
    "iverson-exclusive": [Iverson(sp.Eq(t, b)) * Iverson(sp.Le(b + 1, t)) * Q[t, b],
                          Iverson(sp.Le(t, b)) * Iverson(sp.Le(b + 1, t)) + K[t, b]],
    "angle-addition": [sp.cos(Q[t, b] + K[t, b]) * V[t, b], sp.sin(Q[t, b] - t * K[t, b] + 1)],
    "pythagorean": [V[t, b] * sp.cos(Q[t, b]) ** 2 + V[t, b] * sp.sin(Q[t, b]) ** 2 + K[t, b],
                    2 * sp.cos(t * Q[t, b]) ** 2 + 2 * sp.sin(t * Q[t, b]) ** 2],
    "iverson-substitute": [Iverson(sp.Eq(t, b)) * Q[t, b] * K[t, 1], Iverson(sp.Eq(t + 1, b)) * make_sum(Q[t, j], j, 1, d)],
    "iverson-join": [Q[b, b] * Iverson(sp.Le(b + 1, t)) + Q[b, b] * Iverson(sp.Eq(t, b)) + K[t, b],
                     Iverson(sp.Le(t, b - 1)) + Iverson(sp.Eq(b, t))],
    "floor-quotient": [sp.floor((d * (t - 1) + b - 1) / d) * Q[t, b], sp.floor((b - 1) / d) + K[t, b]],
    "sum-shift": [make_sum(Q[j, b], j, t, T), make_sum(Q[j, b] * j, j, 0, t - 1)],
    "sum-reverse": [make_sum(Q[j, b] * j, j, 1, t), make_sum(Q[j, b], j, b, t)],
    "prod-empty": [Prod(Q[j, b], j, t + 1, t), Prod(Q[j, b] + 2, j, T + 1, t)],
    "prod-one": [Prod(1, j, 1, t) + Q[t, b], Prod(1, j, t + 1, t) * Q[t, b]],
    "prod-singleton": [Prod(Q[j, b] * j, j, t, t)],
    "prod-exp": [Prod(sp.exp(Q[j, b]), j, 1, t), Prod(sp.exp(Q[j, b]), j, t + 1, t)],
    "prod-factor": [Prod(Q[t, b] * K[j, b], j, 1, t), Prod(2 * Q[t, b] * K[j, b], j, t, t - 1), Prod(-Q[t, b], j, b, d)],
    "prod-iverson": [Prod(Iverson(sp.Le(j, t)), j, 1, b) * Q[t, b], Prod(Iverson(sp.Le(t, j + 2)), j, b, d),
                     Prod(Iverson(sp.Le(j, T)), j, t + 1, t)],                   # empty: the bracket at t holds
    "iverson-difference": [Q[t, b] * Iverson(sp.Le(b, t)) - Q[t, b] * Iverson(sp.Le(b + 1, t)) + K[t, b],
                           Iverson(sp.Le(t, b)) - Iverson(sp.Le(t + 1, b))],
    "prod-absorb-last": [Prod(K[j, b], j, 1, t - 1) * K[t, b], Prod(K[j, b] + 1, j, t, t - 1) * (K[t, b] + 1) * Q[t, b]],
    "relu-scale": [G * Relu(Q[t, b]) * K[t, b], G * Relu(Q[t, b] - K[t, b]) * Relu(V[t, b])],
}
NEEDS_UNIT_Q = {"unit-norm"}
NEEDS_G = {"relu-scale"}          # the scalar g in [0, 2]: drawn there, and its interval known to the context


def _inputs(name, rng, Tv, dv):
    inputs = draw_inputs(rng, Tv, dv, unit=("Q",) if name in NEEDS_UNIT_Q else ())
    return inputs | ({"g": np.array([draw(scalar_of(G), rng)])} if name in NEEDS_G else {})


def test_every_rule_has_soundness_cases():
    assert set(RULES) == set(CASES), f"rules without cases: {set(RULES) - set(CASES)}"


def _one_step(name, expr):
    assumed = ([UNIT_Q] if name in NEEDS_UNIT_Q else []) + ([scalar_of(G)] if name in NEEDS_G else [])
    ctx = world_context(assumed).with_recurrences(expr.atoms(Recurrence))
    rule = RULES[name]
    if rule not in NORMALIZING.rules:         # sum-peel-last, alpha-rename, re-indexing: applied at the root, by name
        after = rule(expr, ctx)
        return after if after != expr else None
    step = Normalizer(rules=(rule,)).rewrite_once(expr, ctx)
    return None if step is None else step.after


@pytest.mark.parametrize("name,expr", [(r, e) for r, es in CASES.items() for e in es],
                         ids=lambda v: v if isinstance(v, str) else "")
def test_rule_fires_on_its_cases(name, expr):
    assert _one_step(name, expr) is not None, f"{name} did not fire on {expr}"


sizes_strategy = st.tuples(st.integers(1, 4), st.integers(1, 3), st.integers(0, 2), st.integers(0, 2**32 - 1))


@pytest.mark.parametrize("name", sorted(CASES))
@given(sizes_strategy)
def test_rule_preserves_value(name, drawn):
    Tv, dv, extra, seed = drawn
    rng = np.random.default_rng(seed)
    inputs = _inputs(name, rng, Tv, dv)
    for expr in CASES[name]:
        after = _one_step(name, expr)
        before_v = values(expr, Tv, dv, Tv + extra, inputs)
        after_v = values(after, Tv, dv, Tv + extra, inputs)
        assert same(before_v, after_v), f"{name}: {expr} -> {after}"


def test_rules_check_sizes_one_and_unequal():
    """The strategy above reaches size 1 and unequal T != d (guard against a narrowed strategy)."""
    seen = set()

    @given(sizes_strategy)
    def collect(drawn):
        seen.add((drawn[0] == 1, drawn[0] != drawn[1]))

    collect()
    assert (True, True) in seen and (False, True) in seen


def test_sum_factor_in_moves_a_reciprocal_in_and_keeps_a_root_out():
    z = make_sum(sp.exp(Q[k, b]), k, 1, t - 1)          # 0 at t = 1: its reciprocal is 0 there (total semantics)
    s = make_sum(sp.exp(Q[j, b]), j, 1, t - 1)
    assert _one_step("sum-factor-in", s * reciprocal(z)) == make_sum(sp.exp(Q[j, b]) * reciprocal(z), j, 1, t - 1)
    assert _one_step("sum-factor-in", s * power(z, sp.Rational(-1, 2))) is None     # strategy: roots stay out


def test_guard_to_range_never_bounds_an_outer_index_by_an_inner_one():
    expr = make_sum(make_sum(Iverson(sp.Le(j, k)) * Q[k, b] * K[j, b], k, 1, T), j, 1, T)   # [j <= k], k inner
    rule = RULES["sum-guard-to-range"]
    assert rule(expr, world_context()) == expr                   # the outer sum is left alone
    after = _one_step("sum-guard-to-range", expr)                # the inner sum, a bound on k, may move
    assert after is not None and after.lo == 1 and after.hi == T and after.body.lo == j


def test_guard_to_range_needs_the_bound_inside_the_range():
    expr = make_sum(Iverson(sp.Le(j, N)) * Q[j, b], j, 1, T)   # N >= T: bound outside
    assert _one_step("sum-guard-to-range", expr) is None


def test_unit_norm_needs_the_assumption():
    expr = make_sum(Q.base[t, a] ** 2, a, 1, d)
    assert Normalizer(rules=(RULES["unit-norm"],)).rewrite_once(expr, world_context()) is None


def test_relu_scale_needs_a_scalar_shown_nonnegative():
    for g in (scalar("g", interval=(-1, 1)), scalar("g")):
        expr = g * Relu(Q[t, b])
        ctx = world_context([scalar_of(g)])
        assert Normalizer(rules=(RULES["relu-scale"],)).rewrite_once(expr, ctx) is None
    assert Normalizer(rules=(RULES["relu-scale"],)).rewrite_once(2 * Relu(Q[t, b]), world_context()) is None


def test_fresh_slot_needs_a_slot():
    expr = WriteWeight(Mk, N + 1, t)
    assert Normalizer(rules=(RULES["fresh-slot-allocation"],)).rewrite_once(expr, world_context()) is None


def test_every_rule_has_a_statement_name_and_words_for_its_side_conditions():
    unconditional = next(f.default for f in dataclasses.fields(Rule) if f.name == "requires")
    for name, r in RULES.items():
        assert r.name == name and r.statement.strip(), name
        assert r.requires is unconditional or r.side_conditions.strip(), name


DEFAULT_PRIORITY = [
    "entry-input", "entry-transpose", "entry-scale", "entry-matmul", "entry-masked-softmax",      # lowering
    "content-addressing", "fresh-slot-allocation", "unroll-write-once",                          # memory
    "recurrence-closed-form", "recurrence-congruence",                                           # recurrence
    "floor-quotient",                                                                            # integers
    "iverson-decide", "iverson-idempotent", "iverson-exclusive", "iverson-substitute", "iverson-join",
    "iverson-difference",                                                                        # guards
    "sum-empty", "sum-zero", "sum-singleton", "sum-split-add", "sum-guard-to-range", "sum-delta",
    "sum-factor-in", "sum-absorb-last", "sum-range-difference", "sum-concat", "sum-blocks",      # sums
    "prod-empty", "prod-one", "prod-singleton", "prod-exp", "prod-factor", "prod-iverson",
    "prod-absorb-last",                                                                          # products
    "distribute", "expand-power", "exp-merge", "relu-scale",                                     # algebra
    "softmax-shift",                                                                             # softmax
    "angle-addition", "pythagorean",                                                             # trig
    "unit-norm",                                                                                 # norms
]


def test_the_default_priority_is_the_explicit_order():
    assert [r.name for r in NORMALIZING.rules] == DEFAULT_PRIORITY


def test_every_rule_is_in_exactly_one_set():
    owners = Counter(r.name for s in RULE_SETS for r in s.rules)
    assert set(owners) == set(RULES) and set(owners.values()) == {1}
    assert {s.name for s in RULE_SETS} >= {"induction", "reindex", "binders"}
    assert set(RULES) - set(DEFAULT_PRIORITY) == {"sum-peel-last", "alpha-rename", "sum-shift", "sum-reverse"}


def test_a_name_defined_twice_is_an_error():
    with pytest.raises(ValueError, match=r"^rule 'sum-zero' defined twice \(in rule set 'again'\)$"):
        by_name((SUMS, RuleSet("again", (RULES["sum-zero"],))))


INSTANTIATIONS = [(1, 1, 0), (2, 3, 1), (4, 2, 2)]     # (T, d, N - T): size 1, and non-square both ways


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("Tv,dv,extra", INSTANTIATIONS)
def test_rule_preserves_value_at_fixed_instantiations(name, Tv, dv, extra):
    rng = np.random.default_rng(Tv * 100 + dv * 10 + extra)
    inputs = _inputs(name, rng, Tv, dv)
    for expr in CASES[name]:
        after = _one_step(name, expr)
        assert same(values(expr, Tv, dv, Tv + extra, inputs), values(after, Tv, dv, Tv + extra, inputs)), name


@pytest.mark.parametrize("expr,zero", [
    (Iverson(sp.Eq(t, b)) * Iverson(sp.Le(b + 1, t)) * Q[t, b], True),
    (Iverson(sp.Le(t, b)) * Iverson(sp.Le(b + 1, t)), True),
    (Iverson(sp.Le(t, b)) * Iverson(sp.Le(b, t)) * Q[t, b], False),         # both hold at t = b
    (Iverson(sp.Eq(t, b)) * Iverson(sp.Le(b, t)), False),
    (Iverson(sp.Le(t + 1, b)) * Iverson(sp.Le(b, T)), False),               # b <= T holds: nothing excluded
])
def test_iverson_exclusive_only_where_the_brackets_cannot_both_hold(expr, zero):
    assert (_one_step("iverson-exclusive", expr) == 0) is zero


@pytest.mark.parametrize("expr,after", [
    (Iverson(sp.Eq(t, b)) * Q[t, b], Iverson(sp.Eq(t, b)) * Q[b, b]),           # t (last name) becomes b
    (Iverson(sp.Eq(t, b + 1)) * K[t, 1], Iverson(sp.Eq(t, b + 1)) * K[b + 1, 1]),
    (Iverson(sp.Eq(2 * t, b)) * Q[t, b], Iverson(sp.Eq(2 * t, b)) * Q[t, 2 * t]),  # coefficient 2 on t: b is solved for
    (Iverson(sp.Eq(t, b)) * V[1, 1], None),                                       # neither occurs elsewhere
    (Iverson(sp.Le(t, b)) * Q[t, b], None),                                       # not an equation
])
def test_iverson_substitute_replaces_the_solved_symbol(expr, after):
    assert _one_step("iverson-substitute", expr) == after


def test_iverson_substitute_leaves_a_bound_index_to_sum_delta():
    expr = make_sum(Iverson(sp.Eq(j, t)) * Q[j, b], j, 1, T)
    rule = RULES["iverson-substitute"]
    assert rule(expr.body, world_context().enter_sum(j, 1, T)) == expr.body


@pytest.mark.parametrize("expr,joined", [
    (Q[t, b] * Iverson(sp.Le(b + 1, t)) + Q[t, b] * Iverson(sp.Eq(t, b)), Q[t, b] * Iverson(sp.Le(b, t))),
    (Iverson(sp.Le(t, b - 1)) + Iverson(sp.Eq(b, t)), Iverson(sp.Le(t, b))),
    (Q[t, b] * Iverson(sp.Le(b + 1, t)) + K[t, b] * Iverson(sp.Eq(t, b)), None),     # different cofactors
    (Iverson(sp.Le(b + 2, t)) + Iverson(sp.Eq(t, b)), None),                          # a gap between them
    (Iverson(sp.Le(b + 1, t)) + Iverson(sp.Eq(t, b + 1)), None),                      # overlapping at t = b + 1
])
def test_iverson_join_only_adjacent_disjoint_brackets(expr, joined):
    out = _one_step("iverson-join", expr)
    assert out == joined


@pytest.mark.parametrize("rule,redex,contractum", [
    ("iverson-substitute", Iverson(sp.Eq(t, b)) * Q[t, b], Iverson(sp.Eq(t, b)) * Q[b, t]),
    ("iverson-substitute", Iverson(sp.Le(t, b)) * Q[t, b], Iverson(sp.Le(t, b)) * Q[b, b]),
    ("iverson-substitute", Iverson(sp.Eq(2 * t, b)) * Q[t, b], Iverson(sp.Eq(2 * t, b)) * Q[b / 2, b]),
    ("iverson-join", Iverson(sp.Le(b + 2, t)) + Iverson(sp.Eq(t, b)), Iverson(sp.Le(b, t))),
    ("iverson-join", Iverson(sp.Le(b + 1, t)) + Iverson(sp.Eq(t, b + 1)), Iverson(sp.Le(b + 1, t))),
    ("iverson-join", Q[t, b] * Iverson(sp.Le(b + 1, t)) + K[t, b] * Iverson(sp.Eq(t, b)), Q[t, b] * Iverson(sp.Le(b, t))),
    ("iverson-join", Iverson(sp.Le(b + 1, t)) + Iverson(sp.Eq(t, b)), Iverson(sp.Le(b + 1, t))),   # wrong result
])
def test_the_checker_rejects_a_false_guard_step(rule, redex, contractum):
    from symcheck.replay_rules import Site, check_step
    assert check_step(rule, redex, contractum, Site()) is not None


@pytest.mark.parametrize("rule", ["iverson-substitute", "iverson-join"])
def test_the_checker_accepts_the_prover_guard_steps(rule):
    from symcheck.replay_rules import Site, check_step
    for expr in CASES[rule]:
        assert check_step(rule, expr, _one_step(rule, expr), Site()) is None, expr
