"""Definedness and sign: conservative (True only when certain), and right about LayerNorm's denominator."""

from __future__ import annotations

import pytest
import sympy as sp

from symcheck.definedness import always_defined, nonnegative, positive
from symcheck.index import Relu, make_sum

from helpers import Q, T, b, d, t, world_context

j = sp.Symbol("j", integer=True)
x = Q[t, b]
mean = make_sum(Q[t, j], j, 1, d) / d
var = make_sum((Q[t, j] - mean) ** 2, j, 1, d) / d
eps = sp.Rational(1, 100000)


@pytest.mark.parametrize("expr,defined,nonneg,pos", [
    (x, True, False, False),
    (x ** 2, True, True, False),
    (Relu(x), True, True, False),
    (var, True, True, False),
    (var + eps, True, True, True),                      # LayerNorm: (var + eps)^(-1/2) is defined
    ((var + eps) ** sp.Rational(-1, 2), True, True, True),
    (var ** sp.Rational(-1, 2), False, False, False),     # eps = 0: a constant row gives 1/0
    (var - eps, True, False, False),
    (1 / x, False, False, False),
    (make_sum(sp.exp(x), j, 1, T), True, True, True),
    (make_sum(sp.exp(x), j, 1, t - 1), True, True, False),  # empty at t = 1
])
def test_definedness_and_sign(expr, defined, nonneg, pos):
    ctx = world_context()
    assert always_defined(expr, ctx) is defined
    assert nonnegative(expr, ctx) is nonneg
    assert positive(expr, ctx) is pos
