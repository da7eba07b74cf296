"""Composite models: applied models and stacks are built, checked and evaluated as their stages."""

from __future__ import annotations

import numpy as np
import pytest

from symcheck import ClaimError, apply, from_index, make_sum, matrix, size, stack, tensor
from symcheck.index import Element, Entry, index
from symcheck.ir import LAYER
from symcheck.matrix import MaskedSoftmax, MatInput
from symcheck.model_ops import entry_of, evaluate_model, leaf_inputs
from symcheck.models import causal_attention, cross_attention
from symcheck.problem import pose

from helpers import N, T, d, inlined, same

L = size("L")
X = matrix("X", T, d)
W = tensor("W", L, d)
k = index("k")


def prefix_sum(Y):
    return from_index(Y.rows, Y.cols, lambda i, j: make_sum(Y[k, j], k, 1, i), label="prefix sums")


def scaled(Y, layer):
    return from_index(Y.rows, Y.cols, lambda i, j: W.at(layer)[j] * Y[i, j] + Y[i, 1], label="scale")


def test_apply_names_placeholders_after_parameters_and_hides_them():
    a = apply(lambda Y: prefix_sum(Y), X)
    assert a.placeholders == (MatInput("Y", T, d),)
    assert set(leaf_inputs(a)) == {"X"}


@pytest.mark.parametrize("build,message", [
    (lambda: apply(lambda: prefix_sum(X), X), "takes 0 arguments, but 1 were given"),
    (lambda: apply(lambda Y: Y, X), "must return a Model, got MatInput"),
    (lambda: stack(lambda Y, layer: from_index(T, N, lambda i, j: Y[i, 1]), X, depth=L),
     "a layer must keep its input's shape"),
    (lambda: entry_of(apply(lambda Y: from_index(T, T, lambda i, j: Entry(Y @ Y.T, i, j)), prefix_sum(X)),
                      index("t"), index("b")),
     "cannot be inlined into a matrix-level term"),
    (lambda: entry_of(stack(lambda Y, layer: prefix_sum(Y), X, depth=L), index("t"), index("b")),
     "has no entry formula"),
    (lambda: tensor("w", L).at(1), "no axis left after the layer axis"),
])
def test_bad_compositions_are_errors_that_say_why(build, message):
    with pytest.raises(ClaimError, match=message):
        build()


def test_a_parameter_named_like_an_input_its_body_reads_is_an_error_when_the_claim_is_posed():
    """Building the model does not evaluate its body (loading a library stays fast); posing does."""
    bad = apply(lambda X: from_index(T, d, lambda i, j: X[i, j] + matrix("X", T, d)[i, j]), X)
    with pytest.raises(ClaimError, match="claim c, field fn: parameter 'X' of <lambda> has the name of an input"):
        pose(bad, apply(lambda Y: prefix_sum(Y), X), name="c")
    inner = apply(lambda Y: apply(lambda X: from_index(T, d, lambda i, j: X[i, j] + matrix("X", T, d)[i, j]), Y), X)
    with pytest.raises(ClaimError, match="has the name of an input it also reads"):
        pose(inner, inner, name="nested")


def test_a_slice_indexes_the_stacked_tensor_at_its_layer():
    assert W.at(2)[k] == Element(W, 2, k)
    assert W.at(LAYER).shape == (d,)


def test_stage_by_stage_evaluation_equals_the_inlined_formula():
    rng = np.random.default_rng(0)
    model = apply(lambda Y: scaled(Y, 2), apply(prefix_sum, X))
    for Tv, dv in ((1, 1), (3, 2), (4, 5)):
        sizes = {"T": Tv, "d": dv, "L": 2}
        inputs = {"X": rng.standard_normal((Tv, dv)), "W": rng.standard_normal((2, dv))}
        assert same(evaluate_model(model, sizes, inputs), evaluate_model(inlined(model), sizes, inputs))


def test_a_stack_is_its_layers_applied_in_order():
    rng = np.random.default_rng(1)
    s = stack(lambda Y, layer: scaled(Y, layer), X, depth=L)
    unrolled = apply(lambda Y: scaled(Y, 3), apply(lambda Y: scaled(Y, 2), apply(lambda Y: scaled(Y, 1), X)))
    sizes = {"T": 3, "d": 2, "L": 3}
    inputs = {"X": rng.standard_normal((3, 2)), "W": rng.standard_normal((3, 2))}
    assert same(evaluate_model(s, sizes, inputs), evaluate_model(unrolled, sizes, inputs))
    assert not same(evaluate_model(s, {**sizes, "L": 2}, inputs), evaluate_model(unrolled, sizes, inputs))


def test_inlining_never_captures_the_callers_bound_index():
    """running_sum reads Y[j, c] under its own Σ_j; inlining another running sum there must rename."""
    rng = np.random.default_rng(2)
    j = index("j")
    running = lambda Y: from_index(Y.rows, Y.cols, lambda i, c: make_sum(Y[j, c], j, 1, i), label="running sum")
    model = apply(running, apply(running, X))
    sizes = {"T": 4, "d": 2}
    inputs = {"X": rng.standard_normal((4, 2))}
    assert same(evaluate_model(model, sizes, inputs), evaluate_model(inlined(model), sizes, inputs))


def test_an_apply_inside_an_applied_function_inlines_too():
    """Inlining calls fn with computed inputs; an apply inside fn must take them."""
    rng = np.random.default_rng(3)
    model = apply(lambda M: apply(prefix_sum, M), apply(prefix_sum, X))
    sizes = {"T": 3, "d": 2}
    inputs = {"X": rng.standard_normal((3, 2))}
    assert same(evaluate_model(model, sizes, inputs), evaluate_model(inlined(model), sizes, inputs))


def test_attention_on_computed_rows_inlines_at_the_index_level():
    """causal_attention takes any model as its rows: inlined, the computed rows' entries stand in its sums."""
    e = entry_of(apply(lambda Y: causal_attention(Y, Y, Y), prefix_sum(X)), index("t"), index("b"))
    assert e.atoms(Entry) and not e.atoms(MaskedSoftmax)


def test_cross_attention_on_computed_rows_equals_the_matrix_form_of_its_evaluated_rows():
    """cross_attention takes any model as its rows (an encoder's output as the memory): at the index level, and
    numerically the same as the matrix-level cross-attention of the rows evaluated first."""
    S = size("S")
    E = matrix("E", S, d)
    memory = prefix_sum(E)
    model = cross_attention(X, memory, memory)
    assert "computed rows" in model.label and not model.entry(index("t"), index("b")).atoms(MaskedSoftmax)
    rng = np.random.default_rng(1)
    sizes = {"T": 3, "S": 4, "d": 2, "N": 3}
    inputs = {"X": rng.standard_normal((3, 2)), "E": rng.standard_normal((4, 2))}
    rows = {"M": evaluate_model(memory, sizes, inputs)}
    plain = cross_attention(X, matrix("M", S, d), matrix("M", S, d))
    assert same(evaluate_model(model, sizes, inputs), evaluate_model(plain, sizes, inputs | rows))


def test_cross_attention_on_projected_rows_is_proved_against_an_applied_sdnc_read():
    from symcheck import Claim, check, sdnc_read
    S, D = size("S"), size("D")
    E, Xd = matrix("E", S, D), matrix("X", T, D)
    i = index("i")
    proj = lambda A, name: from_index(A.rows, d, lambda t, a: make_sum(A[t, i] * matrix(name, D, d)[i, a], i, 1, D))  # noqa: E731
    Q, K, V = proj(Xd, "W_Q"), proj(E, "W_K"), proj(E, "W_V")
    claim = Claim("c", lhs=cross_attention(Q, K, V), statement="s",
                  rhs=apply(lambda Q, K, V: sdnc_read(Q, K, V, slots=N, read="after_all_writes"), Q, K, V))
    assert check(claim).verdict == "proved"


def _attention_layer(Y, layer):
    return causal_attention(Y, Y, Y)


def test_a_stack_of_integer_depth_unrolls_into_nested_applications():
    from symcheck.compose import unroll
    from symcheck.ir import Applied
    two = unroll(stack(_attention_layer, X, depth=2))
    assert isinstance(two, Applied) and isinstance(two.args[0], Applied) and two.args[0].args == (X,)
    at = {"T": 4, "d": 2}
    x = {"X": np.random.default_rng(0).normal(size=(4, 2))}
    assert same(evaluate_model(two, at, x), evaluate_model(stack(_attention_layer, X, depth=2), at, x))
    assert unroll(stack(_attention_layer, X, depth=L)).depth == L          # symbolic depth: still a stack


def test_a_plain_model_against_a_stack_of_integer_depth_is_posed_entrywise():
    once = causal_attention(X, X, X)
    problem = pose(causal_attention(once, once, once), stack(_attention_layer, X, depth=2))
    assert not problem.composite
    assert pose(stack(_attention_layer, X, depth=2), stack(_attention_layer, X, depth=2)).composite   # induction


def test_a_size_used_only_inside_a_stack_is_a_size_of_the_claim():
    W_ = size("W_win")
    windowed = stack(lambda Y, layer: causal_attention(Y, Y, Y, window=W_), X, depth=L)
    problem = pose(windowed, stack(_attention_layer, X, depth=L))
    assert W_ in problem.sizes and LAYER not in problem.sizes
