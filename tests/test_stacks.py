"""Stacks: the shared-memory simulation is the one-memory-per-layer stack at depth 1, and differs after."""

from __future__ import annotations

import numpy as np
import pytest

from symcheck import matrix, sizes
from symcheck.model_ops import evaluate_model
from symcheck.stacks import sdnc_shared_memory_stack, sdnc_stack, stacked_weights, transformer_stack

T, D, H, d_h, F, N, L = sizes("T D H d_h F N L")
X = matrix("X", T, D)
W = stacked_weights(L, D, H, d_h, F)


def _inputs(rng, depth, Tv=3, Dv=4, Hv=2, dhv=2, Fv=3):
    shapes = {"W_Q": (Dv, Hv, dhv), "W_K": (Dv, Hv, dhv), "W_V": (Dv, Hv, dhv), "W_O": (Hv, dhv, Dv),
              "W_1": (Dv, Fv), "W_2": (Fv, Dv), "g_1": (Dv,), "g_2": (Dv,)}
    inputs = {k: rng.standard_normal((depth, *s)) for k, s in shapes.items()}
    inputs["X"] = rng.standard_normal((Tv, Dv))
    sizes_ = {"T": Tv, "D": Dv, "H": Hv, "d_h": dhv, "F": Fv, "N": depth * Tv, "L": depth}
    return sizes_, inputs


@pytest.mark.parametrize("norm_first", [True, False])
def test_one_shared_memory_is_the_stack_at_depth_one_and_not_after(norm_first):
    rng = np.random.default_rng(0)
    shared = sdnc_shared_memory_stack(X, W, depth=L, slots=N, norm_first=norm_first)
    own = sdnc_stack(X, W, depth=L, slots=N, norm_first=norm_first)
    for depth, equal in ((1, True), (2, False), (3, False)):
        sizes_, inputs = _inputs(rng, depth)
        a, b = evaluate_model(shared, sizes_, inputs), evaluate_model(own, sizes_, inputs)
        assert np.allclose(a, b, rtol=1e-10, atol=1e-10) is equal
        assert np.allclose(a[0], b[0]) is equal            # from layer 2 on, token 1 already reads two slots


def test_a_stack_evaluates_each_layer_with_its_own_weights():
    rng = np.random.default_rng(1)
    sizes_, inputs = _inputs(rng, 2)
    stack2 = evaluate_model(transformer_stack(X, W, depth=L), sizes_, inputs)
    same_weights = {k: (np.stack([v[0], v[0]]) if k != "X" else v) for k, v in inputs.items()}
    assert not np.allclose(stack2, evaluate_model(transformer_stack(X, W, depth=L), sizes_, same_weights))
