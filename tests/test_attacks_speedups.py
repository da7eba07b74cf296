"""Red-team of the normalizer's speed-ups (rule memo, integer entailment, child contexts, one-pass renaming,
the sum-absorb-last prune, rarer collections): each must leave every answer as it was.

One attack worked. The one-pass canonical renaming (`binders._canon_memo`) mapped every chain variable to the
name of its link's position; a chain whose inner link rebinds an outer link's index (Σ_{j=1}^{t} Σ_{j=1}^{T} X[j, b],
which `sum-factor-in` builds from (Σ_{j=1}^{t} 1)·(Σ_{j=1}^{T} X[j, b])) has that index twice, and the last order
position won: the body read the *outer* link after the links were reordered (Σ_{j=1}^{T} Σ_{k=1}^{t} X[k, b], T times
a sum up to t instead of t times a sum up to T). A false claim was proved, caught only by the numeric cross-check
(an internal error); the true one was undecided. The substituting definition it replaced gave the body's index to
the innermost link that binds it; now the one pass does too (`owner`).
The other attacks failed; those that pin down a real risk stay here as guards.
"""

from __future__ import annotations

import gc

import numpy as np
import pytest
import sympy as sp

from helpers import T, b, certificate_frame, d, draw_inputs, forged_alpha_rename, same, t, values, world_context
from symcheck import Claim, Config, check, from_index, index, matrix
from symcheck.binders import alpha_key, canonical_names
from symcheck.index import Iverson, Sigma
from symcheck.replay import Rejected, replay

X = matrix("X", T, d)
q = X.base
i, j, k, l, m = index("i"), index("j"), index("k"), index("l"), index("m")
CONFIG = Config(max_seconds=30)
INPUTS = {**draw_inputs(np.random.default_rng(0), 3, 2), "X": np.random.default_rng(1).standard_normal((3, 2))}


def _renamed_equal(e: sp.Expr) -> bool:
    return same(values(e, 3, 2, 3, INPUTS), values(canonical_names(e, set(world_context().reserved)), 3, 2, 3, INPUTS))


@pytest.mark.parametrize("e", [
    Sigma(Sigma(q[j, b], j, 1, T), j, 1, t),
    Sigma(Sigma(q[k, b] + 1, k, t, T), k, t, t),
    Sigma(Sigma(Sigma(q[j, b], j, 1, T), j, l, t), l, 1, t),
    Sigma(Sigma(Sigma(Sigma(Iverson(sp.Le(j, m)), k, 1, t), j, t, T), m, 1, T), m, 1, t),
])
def test_a_chain_whose_link_rebinds_an_outer_links_index_is_renamed_soundly(e):
    assert _renamed_equal(e)


def test_a_product_of_sums_over_one_index_name_proves_no_false_fubini():
    """sum-factor-in makes Σ_{j=1}^{t} Σ_{j=1}^{T} X[j, b]; the renaming must not read X at the outer index."""
    lhs = from_index(T, d, lambda r, c: Sigma(1, j, 1, r) * Sigma(X[j, c], j, 1, T))
    false = from_index(T, d, lambda r, c: Sigma(Sigma(X[k, c], k, 1, r), j, 1, T))
    true = from_index(T, d, lambda r, c: Sigma(Sigma(X[j, c], k, 1, r), j, 1, T))
    assert check(Claim("false", lhs, false, statement="s"), CONFIG).verdict == "refuted"
    assert check(Claim("true", lhs, true, statement="s"), CONFIG).verdict == "proved"


@pytest.fixture(scope="module")
def frame():
    return certificate_frame()


_forged = forged_alpha_rename


def test_the_checker_rejects_the_renaming_that_read_the_outer_link(frame):
    """The checker (independent code) never had the bug: the prover's old answer is refused, the right one kept."""
    shadowed = Sigma(Sigma(q[j, b], j, 1, T), j, 1, t)
    with pytest.raises(Rejected, match="not a renaming of bound indices"):
        replay(_forged(frame, shadowed, Sigma(Sigma(q[k, b], k, 1, t), j, 1, T)))
    assert replay(_forged(frame, shadowed, Sigma(Sigma(q[j, b], k, 1, t), j, 1, T))).steps == 1


def test_alpha_key_tells_a_shadowed_index_from_the_outer_one():
    """Σ_j Σ_j X[j] (the inner j) and Σ_j Σ_k X[j] (the outer one) are different trees up to bound names."""
    assert alpha_key(Sigma(Sigma(q[j, b], j, 1, T), j, 1, t)) == alpha_key(Sigma(Sigma(q[k, b], k, 1, T), j, 1, t))
    assert alpha_key(Sigma(Sigma(q[j, b], j, 1, T), j, 1, t)) != alpha_key(Sigma(Sigma(q[j, b], k, 1, T), j, 1, t))


# -- guards: attacks that failed -------------------------------------------------------------------------

def test_the_rule_memo_tells_nodes_apart_by_the_assumptions_of_their_symbols():
    """A blind rule's result is keyed by the node: Σ over an integer j and Σ over a plain j are two nodes."""
    from symcheck.rule_memo import apply
    from symcheck.rules import Rule

    r = Rule("integer-var", "s", (Sigma,), lambda e, ctx: sp.S.One if e.var.is_integer else sp.S.Zero)
    plain = sp.Symbol("j")
    assert apply(r, Sigma(q[j, b], j, 1, T + 11), world_context()) == 1
    assert apply(r, Sigma(q[plain, b], plain, 1, T + 11), world_context()) == 0


@pytest.mark.parametrize("facts, lo, hi, proved", [
    (((1, 2 * sp.Symbol("a", integer=True)),), 1, sp.Symbol("a", integer=True), True),      # 2a >= 1: a >= 1
    (((1, 2 * sp.Symbol("a", integer=True)),), 2, sp.Symbol("a", integer=True), False),
    (((2, 2 * sp.Symbol("a", integer=True)),), 2, 2 * sp.Symbol("a", integer=True), True),
    (((t, T),), T, t, False),                      # the parallel fact, the other way
    (((t, T), (1, 0)), 1, d, False),              # a contradiction elsewhere proves nothing about d
    (((t, T),), sp.Rational(1, 2) * t, sp.Rational(1, 2) * T, True),
    (((t, T),), sp.Rational(1, 2) * t + sp.Rational(1, 3), sp.Rational(1, 2) * T, False),
])
def test_integer_entailment_on_scaled_and_parallel_facts(facts, lo, hi, proved):
    from symcheck.context import Context
    assert Context().with_facts(*facts).proves_le(lo, hi) is proved


def test_two_sibling_brackets_do_not_decide_each_other_away():
    """[t <= T]·[T <= t]: each bracket knows the other, but the product must stay [t = T], not 1."""
    lhs = from_index(T, d, lambda r, c: Iverson(sp.Le(r, T)) * Iverson(sp.Le(T, r)) * X[r, c])
    rhs = from_index(T, d, lambda r, c: X[r, c])
    assert check(Claim("both", lhs, rhs, statement="s"), CONFIG).verdict == "refuted"


def test_sum_absorb_last_still_absorbs_a_nested_next_term():
    """The prune keeps a sum of sums whose next term (a sum) is present."""
    body = lambda i, c: Sigma(X[i, c] * X[j, c], j, 1, T)
    lhs = from_index(T, d, lambda r, c: Sigma(body(i, c), i, 1, r - 1) + body(r, c))
    rhs = from_index(T, d, lambda r, c: Sigma(body(i, c), i, 1, r))
    assert check(Claim("nested", lhs, rhs, statement="s"), CONFIG).verdict == "proved"


def test_collection_thresholds_are_restored_when_the_budget_runs_out():
    before = gc.get_threshold()
    lhs = from_index(T, d, lambda r, c: Sigma(X[i, c], i, 1, r) * Sigma(X[j, c], j, 1, r))
    rhs = from_index(T, d, lambda r, c: Sigma(Sigma(X[i, c] * X[j, c], j, 1, r), i, 1, r))
    result = check(Claim("budget", lhs, rhs, statement="s"), Config(max_steps=1, max_seconds=10))
    assert result.verdict == "undecided" and gc.get_threshold() == before
