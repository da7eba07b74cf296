"""Red-team of session 11's speed-ups: the binder's fast path over the names under a context's facts
(`context._symbols_under`), components grown from a parent's (`affine.grown`, `_merged`, the `_GROWN`/`_PARTS`
caches), the marks filters of `sum-absorb-last` and `sum-range-difference` and the range memos (`_one_point`,
`_block_width`), and the memoised renaming (`binders._apart`, `_Names.take`, memo keys over an unsorted
environment).

No attack worked: no false claim was proved, no true one lost, no internal error. What was tried:

* binders that rebind a name a fact mentions only through an abstracted atom (a floor, a Mod, a monomial, a
  monomial of a floor), after a binder of another name had memoised the names under the same facts, in contexts
  grown by sums' ranges; compared with the filter the fast path skips (random contexts, below);
* components grown fact by fact through sums and binders, with the caches cleared every few entries
  (`_KEPT` = 3), against a partition made afresh; a fact that links two components of the parent; a goal whose
  variables span components; a fact with no variables (0 <= -1), which takes part in no component;
* entailment over floor, Mod and monomial atoms, judged at every integer point of a box;
* claims checked one after another in one process whose memos would mean something else in the next: a size
  named j decided by its constraint, then an index j under the same-looking bracket, then the size j without
  the constraint; the same claims in reverse order (the fuzzer's 600 claims of one stream gave the same normal
  forms in both orders, and the same with the marks filters and the fast path switched off);
* empty ranges (Σ_{j=t}^{t−1}), T = 1 boundaries, a range difference that fails only at t = T;
* three same-named sums in one product (sum-factor-in nests them: Σ_j Σ_j Σ_j), their true reorderings and
  false ones; claims whose sides differ only in which sum binds an index; an inner bracket under a shadowing sum
  beside a sibling bracket on the outer index;
* canonical renaming (`canonical_names`, `_apart`) of random trees over three index names that shadow each
  other and share subtrees (what `_apart`'s per-subtree memo reuses): values kept, and trees with one canonical
  form have one value (2,000 trees and 3,000 mutants: none conflated).

Also: 4,300 fuzzer claims (`symcheck.fuzz`, streams 9101 and 9102) in one process: no false proof, no wrong
refutation, no internal error (three `sympy fold` notes, the generator's own constructors).

The guards below pin these down; each was checked against a mutant of the code it guards: a closure that stops
at the atoms' names (the binder tests fail), `_merged` that moves only the new fact's own variables (the
component tests fail), `_apart`'s memo keyed without the renaming in force, and the chain renaming that gives a
shadowed index to the outer link (the renaming tests fail).
"""

from __future__ import annotations

import itertools
import random

import numpy as np
import pytest
import sympy as sp

from helpers import T, b, d, draw_inputs, k as K_BASE, q, same, t, v as V_BASE, values
from symcheck import Claim, Config, check, from_index, index, matrix
from symcheck.binders import _apart, canonical_names
from symcheck.context import Context, _mentions
from symcheck.index import Iverson, Sigma, size

CONFIG = Config(max_seconds=30)
X, Y = matrix("X", T, d), matrix("Y", T, d)
j, k, l, m = index("j"), index("k"), index("l"), index("m")
C = size("C")


def verdict(lhs, rhs, where=()) -> str:
    return check(Claim("c", from_index(T, d, lhs), from_index(T, d, rhs), statement="s", where=where),
                 CONFIG).verdict


# -- the binder's fast path ------------------------------------------------------------------------------------
_SYMS = (index("j"), index("k"), index("u"), size("T"), size("C"))


def _term(rng: random.Random):
    x, y = rng.choice(_SYMS), rng.choice(_SYMS)
    return rng.choice([
        lambda: x,
        lambda: rng.randint(-2, 2) * x + rng.randint(-2, 2) * y + rng.randint(-2, 2),
        lambda: sp.floor((x - 1) / C),
        lambda: x * y,
        lambda: sp.Mod(x, rng.choice([2, 3, C])),
        lambda: C * sp.floor(x / 2),
    ])()


def _random_context(rng: random.Random) -> Context:
    ctx = Context()
    for _ in range(rng.randint(1, 4)):
        if rng.random() < 0.3:
            ctx = ctx.enter_sum(rng.choice(_SYMS[:3]), _term(rng), _term(rng))
        else:
            ctx = ctx.with_facts(*((_term(rng), _term(rng)) for _ in range(rng.randint(1, 2))))
        if rng.random() < 0.3:
            ctx.enter_binder((index("s"),))        # memoises the names under these facts first
    return ctx


def test_a_binder_keeps_exactly_the_facts_that_mention_none_of_its_names():
    """The fast path (no filter when the names under the facts miss the binder's) against the filter itself, over
    contexts with floor, Mod and monomial atoms grown by ranges and facts, for a binder of each name."""
    rng = random.Random(12)
    for _ in range(300):
        ctx = _random_context(rng)
        for s in _SYMS:
            kept = frozenset(f for f in ctx.facts if not any(_mentions(n, {s.name}) for n, _ in f[0]))
            assert ctx.enter_binder((index(s.name),)).facts == kept


@pytest.mark.parametrize("atom", [
    lambda x: x * C, lambda x: sp.Mod(x, 3) * C, lambda x: sp.Mod(x, C) * x,
], ids=["monomial", "mod-monomial", "mod-times-index"])
def test_a_rebinding_sum_forgets_a_fact_that_names_its_index_only_through_atoms(atom):
    """The facts mention j only inside atoms (a monomial's and a Mod's defining facts do not name j), so the
    names under them are found through the atoms; a binder of another name, asked first, memoises them."""
    ctx = Context().with_facts((1, C), (1, T)).with_facts((atom(j), 2))
    assert not any(n == "j" for f in ctx.facts for n, _ in f[0])
    assert ctx.enter_binder((index("s"),)).proves_le(atom(j), 2)
    assert ctx.enter_sum(k, 1, T).proves_le(atom(j), 2)
    assert not ctx.enter_sum(j, 1, T).proves_le(atom(j), 2)
    assert not ctx.enter_binder((j,)).proves_le(atom(j), 2)


# -- components grown from a parent's --------------------------------------------------------------------------
def test_components_stay_a_partition_when_their_caches_start_afresh_every_few_entries(monkeypatch):
    import symcheck.affine as affine
    monkeypatch.setattr(affine, "_KEPT", 3)
    rng = random.Random(7)
    for _ in range(200):
        ctx = _random_context(rng)
        assert affine._components(ctx.facts) == affine._partition(ctx.facts)


def test_a_childs_fact_that_links_two_components_of_its_parent():
    parent = Context().with_facts((1, j), (k, T))           # components {j} and {k, T}
    assert not parent.proves_le(1, T)
    child = parent.with_facts((j, k))
    assert child.proves_le(1, T) and child.proves_le(j, T) and not parent.proves_le(j, T)


def test_a_goal_whose_variables_span_components():
    ctx = Context().with_facts((1, j), (k, 3))
    assert ctx.proves_le(k - 2, j)               # j >= 1 >= k - 2
    assert not ctx.proves_le(k - 1, j)


def test_a_fact_without_variables_takes_part_in_no_component():
    """0 <= -1 (no variables) would make every goal hold; it proves nothing, alone or beside other facts."""
    ctx = Context().with_facts((1, 0)).with_facts((1, j))
    assert not ctx.proves_le(2, j) and not ctx.proves_le(T, 1)


u = index("u")


@pytest.mark.parametrize("facts, goal, proved", [
    (((sp.floor(j / 2), 1),), (j, 3), True),                             # 2⌊j/2⌋ >= j − 1
    (((sp.floor(j / 2), 1),), (j, 2), False),                            # j = 3
    (((1, j),), (sp.Mod(j, 3), 2), True),
    (((1, j),), (1, sp.Mod(j, 3)), False),                               # j = 3
    (((1, j), (1, C)), (1, j * C), True),                                # (j − 1)(C − 1) >= 0
    (((1, j), (1, C)), (2, j * C), False),                               # j = C = 1
    (((1, C), (0, j), (j, C - 1)), (sp.floor((j + C * u) / C), u), True),
    (((1, C), (0, j), (j, C)), (sp.floor((j + C * u) / C), u), False),   # j = C
])
def test_entailment_over_atoms_proves_what_holds_at_every_integer_point(facts, goal, proved):
    """Floor, Mod and monomial atoms with their defining facts: a goal is proved only if it holds at every integer
    point of a box where the facts hold (the unproved ones fail at the point noted)."""
    assert Context().with_facts(*facts).proves_le(*goal) is proved
    holds = lambda lo, hi, at: sp.sympify(lo).xreplace(at) <= sp.sympify(hi).xreplace(at)    # noqa: E731
    points = [{j: a, C: c, u: w} for a, c, w in itertools.product(range(-4, 9), range(1, 5), range(-2, 3))]
    inside = [p for p in points if all(holds(lo, hi, p) for lo, hi in facts)]
    assert all(holds(*goal, p) for p in inside) is proved


# -- memos that outlive a claim --------------------------------------------------------------------------------
def test_a_size_named_j_then_an_index_j_then_the_size_again_without_its_constraint():
    """The bracket [m <= j] is decided for a size j >= T; the same-looking bracket over a bound j, and over the size
    j without the constraint, must not be (the memos are shared by the process)."""
    J = size("j")
    sized = lambda r, c: Sigma(X[m, c] * Iverson(sp.Le(m, J)), m, 1, r)
    assert verdict(sized, lambda r, c: Sigma(X[m, c], m, 1, r), where=((T, J),)) == "proved"
    bound = lambda r, c: Sigma(Sigma(X[m, c] * Iverson(sp.Le(m, j)), m, 1, r), j, 1, r)
    assert verdict(bound, lambda r, c: Sigma(Sigma(X[m, c], m, 1, r), j, 1, r)) == "refuted"
    assert verdict(sized, lambda r, c: Sigma(X[m, c], m, 1, r)) == "refuted"


# -- ranges at their ends ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("lhs, rhs, expected", [
    (lambda r, c: Sigma(X[j, c] * Iverson(sp.Le(j, r - 5)), j, r, r - 1), lambda r, c: 0, "proved"),
    (lambda r, c: Sigma(X[j, c], j, r, r - 1) + Sigma(X[j, c], j, 1, r), lambda r, c: Sigma(X[j, c], j, 1, r), "proved"),
    (lambda r, c: Sigma(X[j, c], j, r, r), lambda r, c: 0, "refuted"),
    (lambda r, c: Sigma(X[j, c], j, 2, T), lambda r, c: Sigma(X[j, c], j, 1, T) - X[1, c] * Iverson(sp.Le(2, T)),
     "refuted"),                                                                       # false at T = 1 only
    (lambda r, c: Sigma(X[j, c], j, 1, T - 1) - Sigma(X[k, c], k, 1, r), lambda r, c: Sigma(X[j, c], j, r + 1, T - 1),
     "refuted"),                                                                       # false at t = T only
    (lambda r, c: Sigma(X[j, c], j, 1, T) - Sigma(X[k, c], k, 1, r), lambda r, c: Sigma(X[j, c], j, r + 1, T),
     "proved"),
])
def test_empty_ranges_and_the_ends_of_the_domain(lhs, rhs, expected):
    assert verdict(lhs, rhs) == expected


# -- which sum binds an index ------------------------------------------------------------------------------------
THREE = lambda r, c: Sigma(X[j, c], j, 1, r) * Sigma(X[j, c], j, 1, T) * Sigma(X[j, c], j, 1, r - 1)   # noqa: E731
CUBE = lambda a, e, f: lambda r, c: Sigma(Sigma(Sigma(X[j, c] * X[k, c] * X[l, c], l, 1, f(r)), k, 1, e(r)),  # noqa
                                          j, 1, a(r))
ID, DOWN, ALL = (lambda r: r), (lambda r: r - 1), (lambda r: T)


@pytest.mark.parametrize("rhs, expected", [
    (CUBE(ID, ALL, DOWN), "proved"), (CUBE(ALL, ID, DOWN), "proved"), (CUBE(DOWN, ALL, ID), "proved"),
    (CUBE(ID, ALL, ID), "refuted"), (CUBE(ALL, DOWN, DOWN), "refuted"),
])
def test_three_same_named_sums_in_one_product(rhs, expected):
    """sum-factor-in nests Σ_j Σ_j Σ_j (each rebinding the last); the renaming must give each body its own link."""
    assert verdict(THREE, rhs) == expected


@pytest.mark.parametrize("lhs, rhs, expected", [
    (lambda r, c: Sigma(Sigma(X[j, c] * Y[k, c] * Iverson(sp.Le(j, k)), k, 1, T), j, 1, r),
     lambda r, c: Sigma(Sigma(X[k, c] * Y[j, c] * Iverson(sp.Le(j, k)), k, 1, T), j, 1, r), "refuted"),
    (lambda r, c: Sigma(Sigma(X[j, c] * X[k, c], k, 1, T), j, 1, r),
     lambda r, c: Sigma(Sigma(X[j, c] * X[k, c], k, 1, r), j, 1, T), "proved"),
    (lambda r, c: Sigma(Sigma(X[j, c] * Y[k, c], k, 1, T), j, 1, r),
     lambda r, c: Sigma(Sigma(X[k, c] * Y[j, c], k, 1, T), j, 1, r), "refuted"),
    (lambda r, c: Sigma(Iverson(sp.Le(j, 1)) * X[j, c] * Sigma(Iverson(sp.Le(j, 1)) * Y[j, c], j, 1, T), j, 1, r),
     lambda r, c: Sigma(Iverson(sp.Le(j, 1)) * X[j, c] * Sigma(Y[j, c], j, 1, T), j, 1, r), "refuted"),
])
def test_sides_that_differ_in_which_sum_binds_an_index(lhs, rhs, expected):
    assert verdict(lhs, rhs) == expected


# -- canonical renaming of shadowing trees with shared subtrees ---------------------------------------------------
_NAMES = (j, k, l)


def _tree(rng: random.Random, depth: int, scope: list, pool: list):
    c = rng.randrange(7 if depth > 0 else 3)
    if c == 0:
        return rng.choice([q, K_BASE, V_BASE])[rng.choice(scope), b]
    if c == 1:
        return sp.Integer(rng.randint(1, 3))
    if c == 2:
        x, y = rng.choice(scope), rng.choice(scope + [T])
        return Iverson(sp.Le(x, y)) if x != y else sp.Integer(1)
    if c in (3, 4):
        parts = _tree(rng, depth - 1, scope, pool), _tree(rng, depth - 1, scope, pool)
        return parts[0] + parts[1] if c == 3 else parts[0] * parts[1]
    fits = [p for p in pool if p.free_symbols <= set(scope) | {b, T}]
    if c == 5 and fits:
        return rng.choice(fits)                           # a shared subtree: `_apart` and `_canon` memoise it
    var = rng.choice(_NAMES)
    e = Sigma(_tree(rng, depth - 1, [s for s in scope if s != var] + [var], pool), var,
              rng.choice([sp.Integer(1)] + scope), rng.choice([t, T] + scope))
    if rng.random() < 0.3:
        pool.append(e)
    return e


def test_canonical_names_keep_the_value_of_shadowing_trees_and_conflate_none():
    rng = random.Random(3)
    inputs = draw_inputs(np.random.default_rng(0), 3, 2)
    seen: dict = {}
    for _ in range(250):
        e = _tree(rng, 5, [t], [])
        if not e.has(Sigma):
            continue
        value = values(e, 3, 2, 3, inputs)
        canon = canonical_names(e, {"t", "b", "T", "d", "N"})
        assert same(value, values(canon, 3, 2, 3, inputs)), e
        assert same(value, values(_apart(e, {"j", "t"}), 3, 2, 3, inputs)), e
        if canon in seen:
            assert same(value, seen[canon]), e
        seen[canon] = value


def _read(x):
    """X[x]·Σ_l K[l]: a subtree with a binder of its own and x free (one `_apart` memoises, keyed by the renaming)."""
    return q[x, b] * Sigma(K_BASE[l, b], l, 1, T)


@pytest.mark.parametrize("e", [
    Sigma(Sigma(_read(j) * (_read(j) + Sigma(_read(j) * K_BASE[k, b], j, 1, T)), k, 1, T), j, 1, t),
    Sigma(Sigma(_read(j) + Sigma(_read(j), j, k, T) * Sigma(_read(j), k, 1, j), k, 1, T), j, 1, t),
    Sigma(Sigma(Sigma(_read(j) * _read(k), k, 1, T) + _read(k) * Sigma(_read(k), k, j, T), k, 1, t), j, 1, T),
], ids=["free-and-shadowed", "shadowed-in-a-range", "both-links-shadowed"])
def test_a_subtree_met_free_and_under_a_shadowing_binder_is_renamed_at_each(e):
    """A chain's body holds X[j]·Σ_l K[l] free in the chain's j and again under an inner Σ_j that `_apart` renames:
    its memo, per subtree, must tell the two apart by the renaming in force (the key's environment), or the inner
    sum's body would read the chain's j (a mutant whose key drops the environment fails here)."""
    inputs = draw_inputs(np.random.default_rng(1), 3, 2)
    value = values(e, 3, 2, 3, inputs)
    assert same(value, values(canonical_names(e, {"t", "b", "T", "d", "N"}), 3, 2, 3, inputs))
    assert same(value, values(_apart(e, {"j", "k", "t"}), 3, 2, 3, inputs))


# -- the marks filters change no step -----------------------------------------------------------------------------
@pytest.mark.parametrize("lhs, rhs", [
    (lambda r, c: Sigma(X[j, c] * Y[j, c], j, 1, r - 1) + X[r, c] * Y[r, c], lambda r, c: Sigma(X[j, c] * Y[j, c], j, 1, r)),
    (lambda r, c: Sigma(Sigma(X[j, c] * X[k, c], k, 1, T), j, 1, r - 1) + Sigma(X[r, c] * X[l, c], l, 1, T),
     lambda r, c: Sigma(Sigma(X[j, c] * X[k, c], k, 1, T), j, 1, r)),
    (lambda r, c: Sigma(X[j, c], j, 1, T) - Sigma(X[k, c], k, 1, r) + Sigma(Y[l, c], l, 1, r) - Sigma(Y[m, c], m, 1, T),
     lambda r, c: Sigma(X[j, c] - Y[j, c], j, r + 1, T)),
])
def test_the_marks_filters_and_the_binders_fast_path_change_no_step(monkeypatch, lhs, rhs):
    """The same derivation, rule by rule and tree by tree, with the filters off and every binder filtering."""
    import symcheck.context as context
    import symcheck.rules.ranges as ranges
    import symcheck.rules.sums as sums
    from symcheck.engine import attempt_proof
    from symcheck.problem import pose_claim
    claim = Claim("c", from_index(T, d, lhs), from_index(T, d, rhs), statement="s")

    def steps():
        proof = attempt_proof(pose_claim(claim), CONFIG)
        return proof.proved, [(s.rule, s.before, s.after) for side in (proof.lhs, proof.rhs) for s in side.steps]

    fast = steps()
    monkeypatch.setattr(ranges._Arguments, "may_follow", lambda self, r, op: True)
    monkeypatch.setattr(sums, "_with_peers", lambda expr, sums_: sums_)
    monkeypatch.setattr(context, "_symbols_under", lambda facts: None)
    assert steps() == fast and fast[0]
