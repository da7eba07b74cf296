"""The falsifier: smallest sizes first, constraints and assumptions respected."""

from __future__ import annotations

import numpy as np

from symcheck import causal_attention, matrix, sdnc_read, sizes, unit_rows
from symcheck.falsify import compare, sample_inputs, size_assignments
from symcheck.problem import pose

T, d, N = sizes("T d N")
Q, K, V = matrix("Q", T, d), matrix("K", T, d), matrix("V", T, d)


def test_sizes_are_enumerated_smallest_first_and_respect_constraints():
    problem = pose(causal_attention(Q, K, V), sdnc_read(Q, K, V, slots=N))
    order = size_assignments(problem, 3)
    assert order[0] == {"N": 1, "T": 1, "d": 1}
    assert all(a["T"] <= a["N"] for a in order)
    sums = [sum(a.values()) for a in order]
    assert sums == sorted(sums)


def test_unit_norm_assumption_shapes_the_inputs():
    problem = pose(causal_attention(Q, K, V), sdnc_read(Q, K, V, slots=N, similarity="cosine"),
                   assume=(unit_rows(Q),))
    x = sample_inputs(problem, {"T": 3, "d": 2, "N": 3}, np.random.default_rng(0))
    np.testing.assert_allclose(np.linalg.norm(x["Q"], axis=1), 1.0)
    assert not np.allclose(np.linalg.norm(x["K"], axis=1), 1.0)


def test_compare_treats_definedness_as_a_difference():
    nan = float("nan")
    diff = compare(np.array([1.0, nan, nan, 2.0]), np.array([1.0, 1.0, nan, 2.5]), 1e-9)
    assert diff.tolist() == [False, True, False, True]
