"""Proofs by composition: what they prove, and every way they must refuse to."""

from __future__ import annotations

import pytest

from symcheck import Claim, Config, apply, check, from_index, make_sum, matrix, size, stack, tensor, unit_rows
from symcheck import Iverson, causal_attention, sdnc_read
from symcheck.index import index
from symcheck.proof import Proof
from symcheck.result import CompositeProof
from sympy import Le, sqrt

from helpers import N, T, d

L = size("L")
X = matrix("X", T, d)
W = tensor("W", L, d)
j = index("j")


def running_sum(Y, layer, upto=lambda i: i):
    """Row i: Σ_{j <= upto(i)} Y[j, :], scaled per column by layer ℓ's weights."""
    return from_index(Y.rows, Y.cols, lambda i, c: W.at(layer)[c] * make_sum(Y[j, c], j, 1, upto(i)),
                      label="running sum")


def masked_sum(Y, layer):
    """The same with a mask over all rows: Σ_{j=1}^{T} [j <= i] Y[j, :]."""
    return from_index(Y.rows, Y.cols, lambda i, c: W.at(layer)[c] * make_sum(Iverson(Le(j, i)) * Y[j, c], j, 1, T),
                      label="masked sum")


def checked(lhs, rhs, name="c", **kw):
    return check(Claim(name, lhs, rhs, statement="s", **kw), Config(max_seconds=30))


def test_stacks_with_equal_layers_are_proved_by_induction_on_the_depth():
    r = checked(stack(running_sum, X, depth=L), stack(masked_sum, X, depth=L))
    assert r.verdict == "proved" and r.scope == "symbolic" and isinstance(r.proof, CompositeProof)
    (lemma,) = r.proof.lemmas
    assert lemma.claim.where == ((size("ell"), L),) and lemma.result.verdict == "proved"
    assert r.proof.argument[0].startswith("Induction on ℓ = 0..L")


def test_a_false_layer_lemma_gives_no_proof_and_a_counterexample():
    strict = lambda Y, layer: running_sum(Y, layer, upto=lambda i: i - 1)
    r = checked(stack(strict, X, depth=L), stack(masked_sum, X, depth=L))
    assert r.verdict == "refuted" and "Lemma 1" in r.reason and "is refuted" in r.reason


def test_stacks_of_different_depths_are_not_composed():
    r = checked(stack(running_sum, X, depth=L), stack(masked_sum, X, depth=size("K")))
    assert r.verdict == "refuted" and "different depths" in r.reason


def test_congruence_instantiates_the_lemma_at_any_argument():
    """Under the total semantics every model is a real matrix (1/0 = 0), so a lemma for every Y
    holds at an argument with reciprocals too."""
    reciprocal = from_index(T, d, lambda i, c: 1 / X[i, c], label="reciprocal")
    r = checked(apply(lambda Y: running_sum(Y, 1), reciprocal), apply(lambda Y: masked_sum(Y, 1), reciprocal))
    assert r.verdict == "proved"


def test_assumptions_never_carry_over_to_a_quantified_placeholder():
    """unit_rows(K) holds for the input K, not for 2K: a lemma at placeholder K may not assume it."""
    Q, K, V = matrix("Q", T, d), matrix("K", T, d), matrix("V", T, d)
    doubled = from_index(T, d, lambda i, c: 2 * K[i, c], label="2K")
    lhs = apply(lambda K: causal_attention(Q, K, V), doubled)
    rhs = apply(lambda K: sdnc_read(Q, K, V, slots=N, similarity="cosine", strength=1 / sqrt(d)), doubled)
    r = checked(lhs, rhs, assume=(unit_rows(Q), unit_rows(K)))
    assert r.verdict == "refuted"


def test_nested_lemmas_are_numbered_by_position():
    inner = lambda f: apply(lambda Y: f(Y, 1), X)
    lhs = apply(lambda Y: running_sum(Y, 2), inner(running_sum))
    rhs = apply(lambda Y: masked_sum(Y, 2), inner(masked_sum))
    r = checked(lhs, rhs, where=((2, L),))          # layer 2's weights exist only when L >= 2
    assert r.verdict == "proved"
    assert [lemma.title for lemma in r.proof.lemmas] == ["Lemma 1", "Lemma 2"]


def test_a_lemma_number_is_data_not_read_back_from_the_claim_name():
    lhs, rhs = apply(lambda Y: running_sum(Y, 2), X), apply(lambda Y: masked_sum(Y, 2), X)
    r = checked(lhs, rhs, name="step_lemma7", where=((2, L),))
    (lemma,) = r.proof.lemmas
    assert lemma.title == "Lemma 1" and lemma.claim.lemma_number == (1,)


def test_method_normalization_inlines_the_composition():
    lhs, rhs = apply(lambda Y: running_sum(Y, 2), X), apply(lambda Y: masked_sum(Y, 2), X)
    r = checked(lhs, rhs, method="normalization", where=((2, L),))
    assert r.verdict == "proved" and isinstance(r.proof, Proof)


def test_two_inlined_stages_are_proved_both_ways():
    """Inlining substitutes without capture (the inner running sum binds j too), and the guard [j <= t]
    that ends up inside an inner sum still becomes a range."""
    lhs = apply(lambda Y: running_sum(Y, 2), apply(lambda Y: running_sum(Y, 1), X))
    rhs = apply(lambda Y: masked_sum(Y, 2), apply(lambda Y: masked_sum(Y, 1), X))
    flat, composed = checked(lhs, rhs, method="normalization", where=((2, L),)), checked(lhs, rhs, where=((2, L),))
    assert flat.verdict == composed.verdict == "proved"
    assert isinstance(flat.proof, Proof) and isinstance(composed.proof, CompositeProof)


def test_weights_of_a_layer_beyond_the_depth_are_an_input_error():
    """W.at(2) needs L >= 2: without it the claim reads an entry that need not exist."""
    r = checked(apply(lambda Y: running_sum(Y, 2), X), apply(lambda Y: masked_sum(Y, 2), X), method="normalization")
    assert r.verdict == "error" and r.error_kind == "input" and "2 <= L" in r.reason


def test_an_unknown_method_is_a_claim_error():
    from symcheck import ClaimError
    with pytest.raises(ClaimError, match="method must be one of auto, normalization"):
        Claim("c", stack(running_sum, X, depth=L), stack(masked_sum, X, depth=L), statement="s", method="magic")


def test_identical_sides_need_no_rewriting():
    r = checked(running_sum(X, 1), running_sum(X, 1))
    assert r.verdict == "proved" and r.steps == 0


def _mixing(Y, layer):
    """Scale columns by layer ℓ's weights and add column 1: layers in another order differ."""
    return from_index(T, d, lambda i, c: W.at(layer)[c] * Y[i, c] + Y[i, 1], label="mix")


def _reversed_mixing(Y, layer):
    return _mixing(Y, L + 1 - layer)


def _pair(Y, Z):
    return from_index(T, d, lambda i, c: Y[i, c] - 2 * Z[i, c], label="Y - 2Z")


FALSE_COMPOSITIONS = {
    "different starts": (stack(running_sum, X, depth=L),
                         stack(masked_sum, from_index(T, d, lambda i, c: 2 * X[i, c]), depth=L)),
    "layers in reverse order": (stack(_mixing, X, depth=L), stack(_reversed_mixing, X, depth=L)),
    "one layer more": (stack(running_sum, X, depth=L), stack(masked_sum, X, depth=L + 1)),
    "arguments swapped": (apply(_pair, X, apply(lambda Y: running_sum(Y, 1), X)),
                          apply(_pair, apply(lambda Y: masked_sum(Y, 1), X), X)),
    "an argument off by one": (apply(lambda Y: running_sum(Y, 2), apply(lambda Y: running_sum(Y, 1), X)),
                               apply(lambda Y: masked_sum(Y, 2),
                                     apply(lambda Y: running_sum(Y, 1, upto=lambda i: i - 1), X))),
}


@pytest.mark.parametrize("case", FALSE_COMPOSITIONS, ids=str)
def test_false_compositions_are_refuted_never_proved(case):
    lhs, rhs = FALSE_COMPOSITIONS[case]
    r = checked(lhs, rhs)
    assert r.verdict == "refuted", r.reason


def test_a_true_stack_whose_layers_differ_is_undecided_not_refuted():
    """Column scalings commute with prefix sums, so reversing the layers changes nothing overall, although
    layer ℓ alone differs: no lemma, no proof, and no counterexample either."""
    r = checked(stack(running_sum, X, depth=L), stack(lambda Y, layer: masked_sum(Y, L + 1 - layer), X, depth=L))
    assert r.verdict == "undecided" and "Lemma 1" in r.reason and "is refuted" in r.reason


def test_nested_lemmas_keep_the_domain_of_the_lemma_they_serve():
    """Inside the layer lemma ℓ <= L holds; a block lemma under it must not be stated (or checked) beyond."""
    lhs = stack(lambda Y, layer: apply(lambda Z: running_sum(Z, layer), Y), X, depth=L)
    rhs = stack(lambda Y, layer: apply(lambda Z: masked_sum(Z, layer), Y), X, depth=L)
    r = checked(lhs, rhs)
    (layer_lemma,) = r.proof.lemmas
    (block_lemma,) = layer_lemma.result.proof.lemmas
    assert block_lemma.title == "Lemma 1.1" and block_lemma.claim.lemma_number == (1, 1)
    assert (size("ell"), L) in block_lemma.claim.where


def test_a_plain_model_against_a_stack_of_symbolic_depth_is_undecided_with_the_reason():
    from symcheck import Claim, Config, check, from_index, matrix, sizes, stack
    T_, d_, L_ = sizes("T d L")
    X_ = matrix("X", T_, d_)
    copy = lambda Y, ell: from_index(T_, d_, lambda t, c: Y[t, c])     # noqa: E731  (true for every depth)
    r = check(Claim("c", copy(X_, 1), stack(copy, X_, depth=L_), "x"), Config(max_size=2, max_seconds=10))
    assert r.verdict == "undecided"
    assert "has symbolic depth L: a proof by induction on the depth needs a stack on both sides" in r.reason
