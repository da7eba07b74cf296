"""Red-team of session 10's speed-ups (first_of's inert rules, range-difference partners by lookup, absorb-last by
hash, memoised sort keys and free symbols in the renaming) and of its scoping fix (a binder forgets the facts about
every atom made over its index, C·⌊(t − 1)/C⌋ included).

One attack worked, beside the changes rather than in them: a range's bounds are read outside its binder, yet both the
prover (`Context.enter_sum`) and the checker (`replay_rules.facts_within`) gave the body lo <= j <= hi as facts about
the bound j. A bound that names the index means the outer one: in Σ_{t=T−t+1}^{T} the body was told T − t + 1 <= t,
i.e. 2t >= T + 1, of an inner t that runs down to 1. Renaming a bound index to a name free in its own range is a
correct α-renaming, so a forged certificate could make one (`alpha-rename`), decide a bracket from the wrong fact
(`iverson-decide`) and rename back: the checker accepted a certificate of a false claim whose counterexamples need
T >= 5 (its numeric check samples sizes 1..3). The prover's own `subst` makes such a bound too (its capture-avoiding
renaming avoids the names of a binder's body, not of its range), though no claim was found that reaches one with a
bracket to decide. Now a bound that mentions the index gives no fact, in both.

The other attacks failed; the guards below pin down the risks they probed.
"""

from __future__ import annotations

import json

import pytest
import sympy as sp

from helpers import T, b, d, t, world_context
from symcheck import Claim, Config, Iverson, check, from_index, make_sum, matrix
from symcheck.certificate import certificate
from symcheck.binders import subst
from symcheck.context import Context
from symcheck.digest import claim_digest
from symcheck.index import Sigma, index, size
from symcheck.replay import Rejected, replay
from symcheck.replay_rules import facts_within
from symcheck.replay_entail import proves
from symcheck.rule_memo import inert
from symcheck.rules import Rule
from symcheck.strategies import child_contexts, first_of, plain

CONFIG = Config(max_seconds=30)
X, Y = matrix("X", T, d), matrix("Y", T, d)
C = size("C")
j, k, l, m, u = index("j"), index("k"), index("l"), index("m"), index("u")


def verdict(lhs, rhs, rows=T) -> str:
    return check(Claim("c", from_index(rows, d, lhs), from_index(rows, d, rhs), statement="s"), CONFIG).verdict


# -- the attack that worked: a range bound that names the range's own index -----------------------------------
WIDE = Iverson(sp.Le(T, 2 * t + 2))          # implied by 2t >= T + 1; false only at T >= 5 (t = 1)


def _false_claim():
    """Σ_{k=T−t+1}^{T} [T <= 2k + 2]·X[k, b] = Σ_{k=T−t+1}^{T} X[k, b]: false at T = 5, t = 5 (k = 1)."""
    lhs = from_index(T, d, lambda r, c: Sigma(WIDE.xreplace({t: k}) * X[k, c], k, T - r + 1, T))
    rhs = from_index(T, d, lambda r, c: Sigma(X[k, c], k, T - r + 1, T))
    return lhs, rhs


def _forged() -> dict:
    """The false claim's certificate: rename k to t (free only in the range, so a true α-renaming), decide the
    bracket from the range's 'fact' T − t + 1 <= t, and rename back."""
    lhs, rhs = _false_claim()
    res = check(Claim("p", lhs, rhs, statement="s"), CONFIG)
    start, normal = res.proof.lhs.start, res.proof.rhs.start
    shadow = Sigma(start.body.xreplace({k: t}), t, start.lo, start.hi)
    g = next(n for n, a in enumerate(shadow.body.args) if isinstance(a, Iverson))
    decided = Sigma(X[t, b], t, start.lo, start.hi)

    def step(rule, path, redex, contractum):
        return {"rule": rule, "path": path, "keep": 0, "redex": sp.srepr(redex), "contractum": sp.srepr(contractum),
                "side_conditions": [], "obligations": []}

    cert = json.loads(json.dumps(certificate(check(Claim("p", lhs, lhs, statement="s"), CONFIG))))
    cert["lhs"] = {"start": sp.srepr(start), "steps": [step("alpha-rename", [], start, shadow),
                                                        step("iverson-decide", [0, g], shadow.body.args[g], sp.S.One),
                                                        step("alpha-rename", [], decided, normal)]}
    cert["rhs"], cert["normal_form"] = {"start": sp.srepr(normal), "steps": []}, sp.srepr(normal)
    cert["claim"]["digest"] = claim_digest(cert)
    return cert


def test_the_checker_decides_no_bracket_from_a_bound_that_names_the_index():
    """It accepted this certificate of a false claim (Replayed, 3 steps)."""
    with pytest.raises(Rejected, match=r"step 2 \(iverson-decide\): the checker cannot show that T <= 2\*t \+ 2"):
        replay(_forged())


def test_the_false_claim_is_not_proved():
    assert verdict(*_false_claim()) != "proved"


@pytest.mark.parametrize("lo, hi, goal", [
    (T - t + 1, T, (T, 2 * t + 2)),        # lo <= t would say 2t >= T + 1
    (1, T - t, (2 * t, T)),                # t <= hi would say 2t <= T
])
def test_a_bound_that_names_the_index_gives_no_fact_about_it(lo, hi, goal):
    """Both the prover's context and the checker's facts, inside Σ_{t=lo}^{hi} with the outer t in 1..T."""
    outer = ((1, T), (1, t), (t, T))
    assert not Context().with_facts(*outer).enter_sum(t, lo, hi).proves_le(*goal)
    inside = facts_within(Sigma(X[t, b], t, lo, hi), 0, [tuple(map(sp.sympify, f)) for f in outer])
    assert not proves(tuple(inside), sp.Le(*goal))


def test_a_substitution_renames_an_index_apart_from_its_range_too():
    """`subst`'s capture-avoiding renaming picked a name absent from the binder's body, not from its range:
    putting k for x into Σ_{k=T−j+1}^{T} Y[k, x] renamed k to j, a bound naming its own index. Now the range's
    names are avoided too, and a context would learn nothing from such a bound anyway."""
    x = index("x")
    e = subst(Sigma(Y[k, x], k, T - j + 1, T), {x: k})
    assert e.var.name not in ("k", "x", "j", "T") and e.lo.has(j)
    inside = child_contexts(e, Context().with_facts((1, T), (1, j), (j, T)))[0]
    assert not inside.proves_le(T + 1, 2 * e.var)


def test_a_bound_free_of_the_index_still_gives_its_fact():
    assert Context().with_facts((1, T), (1, t), (t, T)).enter_sum(j, T - t + 1, T).proves_le(T + 1 - t, j)
    inside = facts_within(Sigma(X[j, b], j, T - t + 1, T), 0, [])
    assert proves(tuple(inside), sp.Le(T + 1 - t, j)) and proves(tuple(inside), sp.Le(j, T))


# -- guards: the scoping fix, end to end -------------------------------------------------------------------------
@pytest.mark.parametrize("atom", [
    lambda x: C * sp.floor((x - 1) / C),           # a monomial of a floor atom
    lambda x: C * sp.Mod(x, 3),                     # a monomial of a Mod atom
    lambda x: C * sp.floor(sp.floor(x / 2) / C),    # a floor of a floor, times C
    lambda x: sp.floor(x / 2) * sp.Mod(x, 3),       # a monomial of two atoms
], ids=["floor-monomial", "mod-monomial", "nested-floor", "two-atoms"])
def test_a_shadowing_sum_does_not_read_the_outer_bracket_on_its_index(atom):
    """sum-factor-in makes Σ_{j=1}^{T} [A(j) <= 1]·X[j, b]·Σ_{j=1}^{t} [A(j) <= 1]·Y[j, b] (the inner j shadows).
    Before the fix the outer bracket's fact about the monomial atom survived the rebinding, iverson-decide dropped
    the inner bracket and a false claim was proved (the numeric cross-check caught it: an internal error)."""
    g = lambda x: Iverson(sp.Le(atom(x), 1))
    lhs = lambda r, c: make_sum(g(j) * Y[j, c], j, 1, r) * make_sum(g(j) * X[j, c], j, 1, T)
    rhs = lambda r, c: make_sum(Y[j, c], j, 1, r) * make_sum(g(j) * X[j, c], j, 1, T)
    assert verdict(lhs, rhs) == "refuted"


# -- guards: first_of's inert rules are remembered per node, by sympy's structural equality ------------------
def test_a_rule_inert_at_a_node_is_still_tried_at_a_node_equal_but_for_assumptions():
    """Σ over a plain j and Σ over an integer j print alike; the memo of inert rules must tell them apart."""
    r = Rule("integer-only", "s", (Sigma,), lambda e, ctx: sp.S.One if e.var.is_integer else e)
    first = first_of((r,), plain, inert)
    plain_j = sp.Symbol("j")
    assert first(Sigma(X[plain_j, b], plain_j, 1, T + 21), world_context()) is None
    assert inert(r, Sigma(X[plain_j, b], plain_j, 1, T + 21))
    assert first(Sigma(X[j, b], j, 1, T + 21), world_context()).after == 1


def test_a_rule_that_reads_its_context_at_one_node_only_is_inert_only_at_the_others():
    r = Rule("reads-for-lo-1", "s", (Sigma,),
             lambda e, ctx: e if e.lo != 1 else (sp.S.One if ctx.proves_le(1, t) else e))
    first = first_of((r,), plain, inert)
    blind, looks = Sigma(X[j, b], j, 2, T + 22), Sigma(X[j, b], j, 1, T + 22)
    for e in (blind, looks):
        assert first(e, Context()) is None
    assert inert(r, blind) and not inert(r, looks)
    assert first(looks, world_context()).after == 1


# -- guards: range-difference partners found by lookup ----------------------------------------------------------
def test_range_difference_takes_the_partner_whose_conditions_hold():
    """Σ_1^T (−X) has two partners with its start, Σ_1^t X (its conditions hold) and Σ_1^{t−1} (−X) (not a
    negation): the step must be the one whose conditions the kernel re-proves."""
    lhs = lambda r, c: make_sum(X[j, c], j, 1, r) - make_sum(X[k, c], k, 1, T) - make_sum(X[l, c], l, 1, r - 1)
    true = lambda r, c: -make_sum(X[k, c], k, r + 1, T) - make_sum(X[l, c], l, 1, r - 1)
    false = lambda r, c: -make_sum(X[k, c], k, r, T) - make_sum(X[l, c], l, 1, r - 1)
    assert verdict(lhs, true) == "proved"
    assert verdict(lhs, false) == "refuted"


def test_range_difference_does_not_cancel_bodies_that_differ_in_a_free_index():
    """Σ_j X[j, b]·[j <= t] against Σ_k X[k, b]·[k <= t − 1]: the bodies differ after naming the indices alike."""
    lhs = lambda r, c: (make_sum(X[j, c] * Iverson(sp.Le(j, r)), j, 1, T)
                        - make_sum(X[k, c] * Iverson(sp.Le(k, r - 1)), k, 1, r))
    assert verdict(lhs, lambda r, c: make_sum(X[j, c] * Iverson(sp.Le(j, r)), j, r + 1, T)) == "refuted"


# -- guards: absorb-last matches one argument per part -----------------------------------------------------------
def test_absorb_last_needs_a_copy_of_each_of_two_alpha_equal_parts():
    """The body has two terms equal up to their bound names; the next term beside the sum has only one."""
    part = lambda x, v, c: make_sum(X[x, c] * Y[v, c], v, 1, T)
    body = lambda x, c: part(x, u, c) + part(x, l, c)
    lhs = lambda r, c: make_sum(body(j, c), j, 1, r - 1) + part(r, k, c)
    assert verdict(lhs, lambda r, c: make_sum(body(j, c), j, 1, r)) == "refuted"
    both = lambda r, c: make_sum(body(j, c), j, 1, r - 1) + part(r, k, c) + part(r, m, c)
    assert verdict(both, lambda r, c: make_sum(body(j, c), j, 1, r)) == "proved"


@pytest.mark.parametrize("extra, ok", [(1, "proved"), (2, "refuted")])
def test_absorb_last_with_a_number_in_the_body(extra, ok):
    lhs = lambda r, c: make_sum(X[j, c] + 1, j, 1, r - 1) + X[r, c] + extra
    assert verdict(lhs, lambda r, c: make_sum(X[j, c] + 1, j, 1, r)) == ok


# -- guards: canonical renaming with memoised keys ---------------------------------------------------------------
def test_a_symmetric_chain_and_its_transpose():
    """Σ_j Σ_k X[j]X[k] is one tree in both orders (no key compared); Y[j, k] over unequal ranges is not."""
    Z = matrix("Z", T, T)
    sym = lambda r, c: make_sum(make_sum(X[j, c] * X[k, c], k, 1, r), j, 1, r)
    assert verdict(sym, lambda r, c: make_sum(make_sum(X[l, c] * X[u, c], l, 1, r), u, 1, r)) == "proved"
    swap = lambda r, c: make_sum(make_sum(Z[j, k], k, 1, T), j, 1, r)
    assert check(Claim("c", from_index(T, T, swap), from_index(T, T, lambda r, c: make_sum(make_sum(
        Z[k, j], k, 1, T), j, 1, r)), statement="s"), CONFIG).verdict == "refuted"


def test_sizes_named_like_canonical_indices_are_not_captured():
    """Sizes j and k take the first names of the renaming's pool: a bound index must not become either."""
    J, K, n = size("j"), size("k"), index("n")
    Z = matrix("Z", J, K)
    lhs = lambda r, c: make_sum(make_sum(n * Z[m, n], n, 1, K), m, 1, r)
    swapped = lambda r, c: make_sum(make_sum(n * Z[m, n], m, 1, r), n, 1, K)
    captured = lambda r, c: make_sum(make_sum(K * Z[m, n], n, 1, K), m, 1, r)
    pose = lambda a, z: Claim("c", from_index(J, d, a), from_index(J, d, z), statement="s")
    assert check(pose(lhs, swapped), CONFIG).verdict == "proved"
    assert check(pose(lhs, captured), CONFIG).verdict == "refuted"
