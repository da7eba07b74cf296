"""Iverson brackets are stored in one canonical form; sums bind their index."""

from __future__ import annotations

import pytest
import sympy as sp

from symcheck.index import Iverson, index, make_sum

t, j, n, s = (index(x) for x in "tjns")


@pytest.mark.parametrize("cond,expected", [
    (sp.Lt(j, t), "[j + 1 <= t]"), (sp.Le(j, t - 1), "[j + 1 <= t]"), (sp.Ge(t, j), "[j <= t]"),
    (sp.Gt(t, j), "[j + 1 <= t]"), (sp.Le(1, n), "[1 <= n]"), (sp.Eq(n, s), "[Eq(s, n)]"),
    (sp.Eq(s, n), "[Eq(s, n)]"), (sp.Le(j, j + 1), "1"), (sp.Lt(j, j), "0"),
])
def test_canonical_brackets(cond, expected):
    assert str(Iverson(cond)) == expected


def test_conjunction_splits_into_a_product():
    assert Iverson(sp.And(sp.Le(1, n), sp.Le(n, t))) == Iverson(sp.Le(1, n)) * Iverson(sp.Le(n, t))


def test_sum_binds_its_index():
    q = sp.IndexedBase("q")
    e = make_sum(q[j, t], j, 1, t)
    assert j not in e.free_symbols and t in e.free_symbols
