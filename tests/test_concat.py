"""concat: parts under or beside each other, checked against numpy, and its malformed uses."""

from __future__ import annotations

import numpy as np
import pytest

from symcheck import ClaimError, causal_attention, concat, matrix, sizes
from symcheck.model_ops import evaluate_model

T, S, d, e = sizes("T S d e")
A, B, C = matrix("A", T, d), matrix("B", S, d), matrix("C", T, e)


def _x(seed=0):
    rng = np.random.default_rng(seed)
    return {"A": rng.normal(size=(3, 2)), "B": rng.normal(size=(4, 2)), "C": rng.normal(size=(3, 1)),
            "Q": rng.normal(size=(3, 2)), "K": rng.normal(size=(3, 2))}


AT = {"T": 3, "S": 4, "d": 2, "e": 1}


@pytest.mark.parametrize("model, want", [
    (concat(A, B), lambda x: np.concatenate([x["A"], x["B"]])),
    (concat(A, C, axis="cols"), lambda x: np.concatenate([x["A"], x["C"]], axis=1)),
    (concat(A, B, A), lambda x: np.concatenate([x["A"], x["B"], x["A"]])),
])
def test_concat_is_numpy_concatenate(model, want):
    np.testing.assert_allclose(evaluate_model(model, AT, _x()), want(_x()))


def test_a_part_may_be_a_model():
    Q, K = matrix("Q", T, d), matrix("K", T, d)
    head = causal_attention(Q, K, A)
    out = evaluate_model(concat(head, C, axis="cols"), AT, _x())
    np.testing.assert_allclose(out, np.concatenate([evaluate_model(head, AT, _x()), _x()["C"]], axis=1))


def test_shapes():
    assert (concat(A, B).rows, concat(A, B).cols) == (T + S, d)
    assert (concat(A, C, axis="cols").rows, concat(A, C, axis="cols").cols) == (T, d + e)


@pytest.mark.parametrize("build, message", [
    (lambda: concat(A, C), "part 2 has e columns but part 1 has d: concatenated rows need the same number of columns"),
    (lambda: concat(A, B, axis="cols"), "part 2 has S rows but part 1 has T: concatenated cols need the same number"),
    (lambda: concat(A), "concat takes at least two parts, got 1"),
    (lambda: concat(A, B, axis="depth"), "unknown axis 'depth'; expected one of rows, cols"),
    (lambda: concat(A, 3), "rows must be an input matrix or a model, got int"),
])
def test_malformed_concats_are_claim_errors(build, message):
    with pytest.raises(ClaimError, match=message):
        build()
