"""The rotation rules: where angle addition and cos² + sin² = 1 fire, and the checker's own table for them."""

from __future__ import annotations

import pytest
import sympy as sp

from helpers import K, Q, V, b, t, world_context
from symcheck.replay_rules import Site, check_step
from symcheck.rules import RULES

x, y = Q[t, b], K[t, b]


@pytest.mark.parametrize("expr,after", [
    (sp.cos(x + y), sp.cos(x) * sp.cos(y) - sp.sin(x) * sp.sin(y)),
    (sp.sin(x + y), sp.sin(x) * sp.cos(y) + sp.cos(x) * sp.sin(y)),
    (sp.cos(x * y), None),                                              # a product of angles is no sum
    (sp.exp(x + y), None),
])
def test_angle_addition_splits_a_sum_of_angles(expr, after):
    out = RULES["angle-addition"](expr, world_context())
    assert out == (expr if after is None else after)


@pytest.mark.parametrize("expr,after", [
    (V[t, b] * sp.cos(x) ** 2 + V[t, b] * sp.sin(x) ** 2 + y, V[t, b] + y),
    (V[t, b] * sp.cos(x) ** 2 + 2 * V[t, b] * sp.sin(x) ** 2, None),      # different coefficients
    (V[t, b] * sp.cos(x) ** 2 + V[t, b] * sp.sin(y) ** 2, None),          # different angles
    (V[t, b] * sp.cos(x) ** 2 + K[t, b] * sp.sin(x) ** 2, None),          # different cofactors
    (sp.cos(x) + sp.sin(x), None),                                         # not squares
])
def test_pythagorean_needs_the_same_cofactor_and_angle(expr, after):
    out = RULES["pythagorean"](expr, world_context())
    assert out == (expr if after is None else after)


@pytest.mark.parametrize("rule,redex,contractum", [
    ("angle-addition", sp.cos(x + y), sp.cos(x) * sp.cos(y) + sp.sin(x) * sp.sin(y)),        # sign flipped
    ("angle-addition", sp.sin(x + y), sp.sin(x) * sp.cos(y) - sp.cos(x) * sp.sin(y)),
    ("angle-addition", sp.cos(x * y), sp.cos(x) * sp.cos(y) - sp.sin(x) * sp.sin(y)),
    ("pythagorean", V[t, b] * sp.cos(x) ** 2 + K[t, b] * sp.sin(x) ** 2, V[t, b]),
    ("pythagorean", V[t, b] * sp.cos(x) ** 2 + V[t, b] * sp.sin(y) ** 2, V[t, b]),
    ("pythagorean", V[t, b] * sp.cos(x) ** 2 + V[t, b] * sp.sin(x) ** 2 + y, V[t, b]),      # a term dropped
])
def test_the_checker_rejects_a_false_trig_step(rule, redex, contractum):
    assert check_step(rule, redex, contractum, Site()) is not None


@pytest.mark.parametrize("rule,redex", [
    ("angle-addition", sp.cos(x + y + 1)),
    ("pythagorean", V[t, b] * sp.cos(x) ** 2 + V[t, b] * sp.sin(x) ** 2 + y),
])
def test_the_checker_accepts_the_prover_step(rule, redex):
    assert check_step(rule, redex, RULES[rule](redex, world_context()), Site()) is None
