"""The node registry: every node kind is one spec, and a node without one is an error, never a guess."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from symcheck import replay_semantics
from symcheck.binders import canonical_names, subst
from symcheck.evaluate import evaluate
from symcheck.index import Prod, index, make_sum
from symcheck.latex import latex
from symcheck.nodes import UnknownNode, spec_of
from symcheck.nodes.spec import registered
from symcheck.replay_semantics import scalar_value
from symcheck.wellformed import safe_tree

t, j = index("t"), index("j")

# Node kinds the independent checker evaluates without a table entry: numbers, symbols and e, in `World.value`.
REPLAY_INLINE = {"Rational", "Float", "Symbol", "Exp1"}
# Node kinds with prover semantics that the checker need not know: `replay_parse` builds no such node, so no
# certificate contains one (a proof mentioning one is rejected by replay, never accepted unchecked).
PROVER_ONLY = {
    "Pi": "no rule produces it; certificates carry rationals only",
    "Mod": "index arithmetic of strided layouts; the certificate parser has no Mod",
    "FeedbackRead": "no rule rewrites it, so no proof step mentions it",
    "ContentRead": "evaluation only: the float64 evaluator's blocked form of a sum of content reads",
}


class Stranger(sp.Expr):
    """A node no family registers."""

    def __new__(cls, x):
        return sp.Basic.__new__(cls, sp.sympify(x))


def test_replay_semantics_covers_the_same_node_kinds():
    evaluable = {s.kind.__name__ for s in registered() if s.value is not None or s.matrix is not None}
    replay = {c.__name__ for c in (*replay_semantics._HANDLERS, *replay_semantics._MATRIX)} | REPLAY_INLINE
    assert evaluable - replay == set(PROVER_ONLY)
    assert replay - evaluable == set()


def test_every_symcheck_node_has_latex_and_text():
    ours = [s for s in registered() if s.kind.__module__.startswith("symcheck.")]
    assert len(ours) >= 19
    for s in ours:
        assert s.latex is not None and s.text is not None, s.kind.__name__


def test_spec_of_an_unregistered_node_names_it():
    with pytest.raises(UnknownNode, match="^symcheck does not know the node type Stranger$"):
        spec_of(Stranger(t))


def test_specs_are_found_by_the_nearest_registered_class():
    assert spec_of(sp.Integer(3)) is spec_of(sp.Rational(1, 2))
    assert spec_of(sp.Dummy("x")).kind is sp.Symbol


def test_the_printer_and_the_evaluator_reject_an_unknown_node():
    with pytest.raises(UnknownNode, match="Stranger"):
        latex(Stranger(t) + 1)
    with pytest.raises(UnknownNode, match="Stranger"):
        evaluate(make_sum(Stranger(j), j, 1, t), {t: 2}, {}, {})


def test_an_entry_with_an_unknown_node_is_a_claim_error():
    with pytest.raises(Exception, match="Stranger .* is not supported in an entry"):
        safe_tree(Stranger(t), "entry")


def test_sympy_builtins_without_a_notation_print_as_sympy_prints_them():
    assert latex(sp.Abs(index("x"))) == r"\left|{x}\right|"


# -- a node kind costs one spec: the range product --------------------------------------------------------
X = sp.IndexedBase("X")
b, k = index("b"), index("k")
VALUES = np.array([[0.5, 2.0], [1.5, -1.0], [3.0, 0.25]])


def test_prod_value_is_the_product_over_the_range():
    got = evaluate(Prod(X[j, b] + 1, j, 1, t), {t: 3, b: 2}, {}, {"X": VALUES})
    for tt in range(1, 4):
        for bb in range(1, 3):
            expected = 1.0
            for jj in range(1, tt + 1):
                expected *= VALUES[jj - 1, bb - 1] + 1
            assert got[tt - 1, bb - 1] == pytest.approx(expected, rel=1e-12)


def test_an_empty_prod_is_one_and_the_checker_agrees():
    assert (evaluate(Prod(X[j, b], j, t, t - 1), {t: 3, b: 2}, {}, {"X": VALUES}) == 1).all()
    e = Prod(X[j, b] - 2, j, 1, t)
    assert float(scalar_value(e, {}, {"X": VALUES.tolist()}, {"t": 3, "b": 1})) == pytest.approx(
        evaluate(e, {t: 3, b: 1}, {}, {"X": VALUES})[2, 0], rel=1e-12)


def test_prod_notation():
    assert latex(Prod(X[t, j] + 1, j, 1, t)) == r"\prod_{j=1}^{t} \left({X}_{t,j} + 1\right)"
    assert str(Prod(X[j, b], j, 1, t)) == "Π_{j=1}^{t}(X[j, b])"


def test_alpha_equivalent_prods_canonicalise_the_same():
    one = Prod(Prod(X[j, b] * X[k, b], k, 1, j), j, 1, t)
    other = Prod(Prod(X[k, b] * X[j, b], j, 1, k), k, 1, t)
    assert canonical_names(one, {"t", "b"}) == canonical_names(other, {"t", "b"})
    assert one.free_symbols == {t, b, X.label}


def test_substitution_under_a_prod_avoids_capture():
    out = subst(Prod(X[j, b] + t, j, 1, t), {t: j})
    assert out.free_symbols == {j, b, X.label} and out.var != j
    assert out == Prod(X[out.var, b] + j, out.var, 1, j)
