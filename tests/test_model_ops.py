"""The model IR: every kind answers every operation, and anything else is an internal error."""

from __future__ import annotations

import pytest

from symcheck import ClaimError, Model, apply, from_index, make_sum, matrix, size, stack
from symcheck.index import index
from symcheck.ir import Applied, Formula, Simulated, Stack
from symcheck.model_ops import entry_of, evaluate_model, leaf_inputs
from symcheck.problem import pose

from helpers import T, d

L = size("L")
X = matrix("X", T, d)
k = index("k")


def prefix_sum(Y):
    return from_index(Y.rows, Y.cols, lambda i, j: make_sum(Y[k, j], k, 1, i), label="prefix sums")


SIMULATED = Simulated("a simulation", T, d, (), simulate=lambda sizes, inputs, backend: inputs["X"], inputs=(X,))
KINDS = {Formula: prefix_sum(X), Applied: apply(prefix_sum, X), Stack: stack(lambda Y, layer: prefix_sum(Y), X, depth=L),
         Simulated: SIMULATED}


@pytest.mark.parametrize("kind", list(KINDS), ids=lambda c: c.__name__)
def test_every_kind_is_a_model_that_reads_its_leaf_inputs(kind):
    model = KINDS[kind]
    assert isinstance(model, Model) and isinstance(model, kind)
    assert set(leaf_inputs(model)) == {"X"}


@pytest.mark.parametrize("kind,message", [(Stack, "a stack of symbolic depth has no entry formula"),
                                          (Simulated, "a simulation is a recurrence given by a simulation")])
def test_stacks_and_simulations_have_no_entry_formula(kind, message):
    with pytest.raises(ClaimError, match=message):
        entry_of(KINDS[kind], index("t"), index("b"))


@pytest.mark.parametrize("operation", [lambda m: entry_of(m, index("t"), index("b")), leaf_inputs,
                                       lambda m: evaluate_model(m, {}, {})], ids=["entry_of", "leaf_inputs",
                                                                                  "evaluate_model"])
def test_a_value_outside_the_family_is_an_internal_error(operation):
    with pytest.raises(TypeError, match=r"^internal error: \w+ got int, which is no model kind$"):
        operation(3)


@pytest.mark.parametrize("lhs,rhs,method,composite", [
    (KINDS[Stack], KINDS[Stack], "auto", True),
    (KINDS[Formula], SIMULATED, "normalization", True),
    (KINDS[Applied], KINDS[Applied], "auto", True),
    (KINDS[Applied], KINDS[Applied], "normalization", False),
    (KINDS[Applied], KINDS[Formula], "auto", False),
])
def test_pose_dispatches_on_the_kinds(lhs, rhs, method, composite):
    assert pose(lhs, rhs, method=method).composite is composite
