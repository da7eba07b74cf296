"""Red-team of proofs by composition: a lemma proved under a size constraint the claim does not state.

A chain link's model (`via=`) or a stack's step may declare its own constraint; the lemma is then posed,
and proved, under it. Before the fix the composite claim was proved for every size anyway (the stack
below for all depths though its lemma covered layers 1..20 only), and the checker accepted the
certificate: neither compared the lemma's constraints with the claim's.
"""

from __future__ import annotations

import copy

import pytest
import sympy as sp

from symcheck import Claim, Config, Iverson, check, from_index, matrix, sizes, stack
from symcheck.certificate import certificate
from symcheck.composition import unstated_constraints
from symcheck.digest import claim_digest
from symcheck.replay import Rejected, replay

T, d, L, N = sizes("T d L N")
X = matrix("X", T, d)
CONFIG = Config(max_seconds=20)


def cut(Y, layer):
    """Y, on layers 1..20 only: a step that declares layer <= 20 (and is 0 after it)."""
    return from_index(T, d, lambda t, b: Y[t, b] * Iverson(layer <= 20), label="Y on layers <= 20",
                      constraints=((layer, 20),))


def keep(Y, layer):
    return from_index(T, d, lambda t, b: Y[t, b], label="Y")


def masked(Y, layer):
    return from_index(T, d, lambda t, b: Y[t, b] * Iverson(t <= N + 20), label="Y on rows t <= N + 20")


def _chain(where=()):
    mid = from_index(T, d, lambda t, b: X[t, b], label="X, a model that needs T <= N + 20",
                     constraints=((T, N + 20),))
    return Claim("chain", lhs=from_index(T, d, lambda t, b: X[t, b] * Iverson(t <= N + 20), label="X on rows <= N + 20"),
                 rhs=from_index(T, d, lambda t, b: X[t, b], label="X"), via=(mid,), where=where, statement="s")


def test_a_stack_whose_step_declares_a_layer_bound_is_not_proved_for_every_depth():
    claim = Claim("layers", lhs=stack(cut, X, depth=L), rhs=stack(keep, X, depth=L), statement="s")
    r = check(claim, CONFIG)
    assert r.verdict != "proved" and "holds only where ell <= 20, which the claim does not state" in r.reason


def test_a_chain_link_with_its_own_constraint_is_not_a_proof_for_every_size():
    r = check(_chain(), CONFIG)
    assert r.verdict != "proved" and "holds only where T <= N + 20, which the claim does not state" in r.reason


def test_the_chain_with_the_links_constraint_stated_is_proved():
    assert check(_chain(where=((T, N + 20),)), CONFIG).verdict == "proved"


@pytest.mark.parametrize("needed, stated, missing", [
    (((T, N),), ((T, N),), []),
    (((T, N + 1),), ((T, N),), []),                        # entailed, not only listed
    (((1, L),), (), []),                                   # sizes are >= 1
    (((T, N),), ((T, N + 1),), [(T, N)]),
    (((sp.Symbol("ell", integer=True, positive=True), 20),), ((1, L),), [(sp.Symbol("ell", integer=True, positive=True), 20)]),
])
def test_unstated_constraints_are_those_the_claims_do_not_entail(needed, stated, missing):
    assert unstated_constraints(needed, stated) == missing


@pytest.fixture(scope="module")
def stated_chain():
    result = check(_chain(where=((T, N + 20),)), CONFIG)
    assert result.verdict == "proved"
    return certificate(result)


def _forged(cert, constraints):
    """The chain's certificate with the claim's constraints replaced and the digest recomputed (a forger's)."""
    bad = copy.deepcopy(cert)
    bad["claim"]["constraints"] = constraints
    bad["claim"]["digest"] = claim_digest(bad)
    return bad


def test_the_checker_accepts_the_chain_under_its_stated_constraint(stated_chain):
    assert replay(stated_chain).lemmas == 2


def test_the_checker_rejects_a_lemma_proved_under_a_constraint_the_claim_drops(stated_chain):
    with pytest.raises(Rejected, match="Lemma 1: it holds under a size constraint the claim does not state"):
        replay(_forged(stated_chain, []))


def test_the_checker_rejects_a_layer_lemma_proved_for_some_layers_only():
    claim = Claim("layers", lhs=stack(masked, X, depth=L), rhs=stack(keep, X, depth=L), where=((T, N + 20),),
                  statement="s")
    cert = certificate(check(claim, CONFIG))
    assert replay(cert).lemmas == 1
    lemma = cert["lemmas"][0]["certificate"]
    assert [sp.srepr(T), sp.srepr(N + 20)] in lemma["claim"]["constraints"]
    with pytest.raises(Rejected, match="it holds under a size constraint the claim does not state"):
        replay(_forged(cert, [c for c in cert["claim"]["constraints"] if c != [sp.srepr(T), sp.srepr(N + 20)]]))
