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


def test_every_node_rebuilds_from_its_args():
    """obj.func(*obj.args) == obj: the normalizer and canonicalizer rebuild trees this way."""
    from symcheck.index import Entry, Sigma
    from symcheck.matrix import MaskedSoftmax, MatScale, matrix, tensor
    from symcheck.memory import ContentWeight, Memory, MemoryCell, WriteWeight
    T, d = sp.Symbol("T", integer=True, positive=True), sp.Symbol("d", integer=True, positive=True)
    Q, X = matrix("Q", T, d), tensor("X", T, d, d)
    M = Memory("X", X, T)
    nodes = [Q, X, X[t, j, n], Entry(MaskedSoftmax(MatScale(2, Q @ Q.T), "strict"), t, j), Sigma(Q[t, j], j, 1, t),
             M, MemoryCell(M, t, n, j, s), WriteWeight(M, s, n), Iverson(sp.Le(j, t)),
             ContentWeight(Memory("Q", Q, T), t, Q, t, n, 1, "dot", t)]
    for node in nodes:
        assert node.func(*node.args) == node, type(node).__name__
