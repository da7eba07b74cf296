"""Red-team of shapes in certificates: a lemma over fewer rows, an input read with another shape than declared.

Three attacks worked. A composition's structures recorded an entry formula's row, column and entry but not its
shape, and nothing compared a lemma's rows with the claim's: a lemma proved over T − 1 rows closed a claim over
T rows that is false at row T, and the forged certificate even carried the digest of the claim re-posed from its
file, so `replay --against` accepted it too. And the checker drew an input by its declaration while a rule read
the shape written in the expression: a certificate declaring A with d + ⌊d/4⌋ columns proved
(A·B)[t, s] = Σ_{k=1}^{d} A[t, k]·B[k, s], false at d = 4 and invisible at the checker's sizes 1..3. Now a
formula structure records its shape, a lemma must compare entries of that shape, a placeholder must have its
argument's shape, every input one declaration, and every input node of a certificate the declared shape. A
third worked too: a stack's layer index named like a size (a constrained N, the width d) made its lemma quantify
the layer and that size together, a lemma about the diagonal only; the layer index must now be fresh.
"""

from __future__ import annotations

import copy
import json

import pytest
import sympy as sp

from symcheck import Claim, Config, Iverson, apply, check, from_index, index, make_sum, matrix, sizes, unit_rows
from symcheck.certificate import certificate, posed_digest, structure
from symcheck.digest import claim_digest
from symcheck.index import Entry
from symcheck.replay import Rejected, replay

T, d = sizes("T d")
X, A, B = matrix("X", T, d), matrix("A", T, d), matrix("B", d, T)
a = index("a")
CONFIG = Config(max_seconds=20)


def _composition(claim: Claim, lemma: dict) -> dict:
    """A composition whose argument is one lemma, the lemma's certificate given (a forger's)."""
    cert = {"symcheck": lemma["symcheck"], "format": lemma["format"], "kind": "composition",
            "claim": {"name": claim.qualname, "file": None, "statement": "s", "expect": "proved", "constraints": [],
                      "assumptions": lemma["claim"]["assumptions"], "lhs": structure(claim.lhs),
                      "rhs": structure(claim.rhs)},
            "argument": [], "tree": {"by": "lemma", "lemma": 0},
            "lemmas": [{"title": "Lemma 1", "statement": "s", "use": "as stated", "certificate": lemma}]}
    cert["claim"]["digest"] = claim_digest(cert)
    return json.loads(json.dumps(cert))


def _cut(rows):
    return Claim("cut", from_index(rows, d, lambda t, b: X[t, b] * Iverson(t <= T - 1), label="X but its last row"),
                 from_index(rows, d, lambda t, b: X[t, b], label="X"), statement="s", expect="refuted")


def test_a_lemma_over_fewer_rows_is_no_proof_of_the_claim_over_more():
    false = _cut(T)
    assert check(false, CONFIG).verdict == "refuted"
    lemma = certificate(check(Claim("cut", _cut(T - 1).lhs, _cut(T - 1).rhs, statement="s"), CONFIG))
    forged = _composition(false, lemma)
    assert forged["claim"]["digest"] == posed_digest(false, "composition")      # what --against compares
    with pytest.raises(Rejected, match="it compares the entries of a matrix of another shape than its lhs has"):
        replay(forged)


def _norms(rows_x, expect):
    Y = matrix("X", rows_x, d)
    return Claim("norms", from_index(T + 1, 1, lambda t, b: make_sum(Y[t, a] ** 2, a, 1, d)),
                 from_index(T + 1, 1, lambda t, b: 1), assume=(unit_rows(Y),), statement="s", expect=expect)


def test_a_lemma_that_declares_an_input_larger_than_it_reads_it_is_rejected():
    """unit-norm fires for a row of the declared input: declared with T + 1 rows, read as T x d (row T + 1 is 0)."""
    proved = certificate(check(_norms(T + 1, "proved"), CONFIG))
    text = json.dumps(proved).replace(sp.srepr(matrix("X", T + 1, d)), sp.srepr(X))
    lemma = json.loads(text)
    lemma["claim"]["digest"] = claim_digest(lemma)
    with pytest.raises(Rejected, match="input 'X' is read as a T x d input, which the claim does not declare"):
        replay(_composition(_norms(T, "refuted"), lemma))


def test_an_input_read_with_another_shape_than_declared_is_rejected():
    claim = Claim("p", from_index(T, T, lambda t, s: Entry(A @ B, t, s)),
                  from_index(T, T, lambda t, s: make_sum(A[t, index("k")] * B[index("k"), s], index("k"), 1, d)),
                  statement="s")
    cert = certificate(check(claim, CONFIG))
    assert replay(cert).steps > 0
    wide = sp.srepr(d + sp.floor(d / 4))            # d at the checker's sizes 1..3, d + 1 at d = 4
    for i in cert["claim"]["inputs"]:
        i["shape"][{"A": 1, "B": 0}[i["name"]]] = wide
    cert["claim"]["digest"] = claim_digest(cert)
    with pytest.raises(Rejected, match="input 'A' is read as a T x d input, which the claim does not declare"):
        replay(cert)


# -- the structures themselves: shapes that do not fit ------------------------------------------------------------
def check_shapes(node, bound, free):
    from symcheck.replay_compose import check_shapes      # new with the fix: the tests above fail, not the module
    return check_shapes(node, bound, free)


def _node(model):
    return copy.deepcopy(structure(model))


def _doubled():
    return apply(lambda Y: from_index(T, d, lambda t, b: 2 * Y[t, b]), X)


def _short_placeholder(node):
    node["apply"]["placeholders"][0]["shape"][0] = sp.srepr(T - 1)
    return node


def _short_body(node):
    node["apply"]["body"]["formula"]["rows"] = sp.srepr(T - 1)
    return node


def _no_shape(node):
    del node["apply"]["body"]["formula"]["rows"]
    return node


def _x_twice(node):
    node["apply"]["args"][0] = {"input": {"name": "X", "shape": [sp.srepr(T - 1), sp.srepr(d)]}}
    return node


@pytest.mark.parametrize("edit, message", [
    (_short_placeholder, "placeholder 'Y' has the shape"),
    (_no_shape, "a formula without its shape"),
    (_x_twice, "placeholder 'Y' has the shape"),
])
def test_a_structure_whose_shapes_do_not_fit_is_rejected(edit, message):
    assert check_shapes(_node(_doubled()), {}, {}) == (T, d)
    with pytest.raises(Rejected, match=message):
        check_shapes(edit(_node(_doubled())), {}, {})


def test_an_input_read_as_two_matrices_is_rejected():
    node = {"apply": {**_node(_doubled())["apply"], "args": [{"input": {"name": "X", "shape": [sp.srepr(T), sp.srepr(d)]}}]}}
    node["apply"]["body"]["formula"]["entry"] = sp.srepr(Entry(matrix("Y", T, d), index("t"), index("b"))
                                                         + Entry(matrix("X", T, T), index("t"), index("b")))
    with pytest.raises(Rejected, match="input 'X' is read as"):
        check_shapes(node, {}, {})


def test_a_stack_whose_step_changes_the_shape_is_rejected():
    from symcheck import stack
    node = _node(stack(lambda Y, layer: from_index(T, d, lambda t, b: 2 * Y[t, b]), X, depth=3))
    assert check_shapes(node, {}, {}) == (T, d)
    node["stack"]["step"]["formula"]["cols"] = sp.srepr(d + 1)
    with pytest.raises(Rejected, match="a stack's placeholder 'Y' or its step's output is not of the start's shape"):
        check_shapes(node, {}, {})


def test_a_body_of_another_shape_than_the_lemma_is_rejected():
    claim = Claim("twice", _doubled(), apply(lambda Y: from_index(T, d, lambda t, b: Y[t, b] + Y[t, b]), X),
                  statement="s")
    cert = certificate(check(claim, CONFIG))
    assert replay(cert).lemmas == 1
    for side in ("lhs", "rhs"):
        _short_body(cert["claim"][side])
    cert["claim"]["digest"] = claim_digest(cert)
    with pytest.raises(Rejected, match="it compares the entries of a matrix of another shape"):
        replay(cert)


# -- a stack's layer index: bound by the stack, never a size of the claim ----------------------------------------
def _layer_forgery(layer, where, step):
    """stack(f) = stack(g) over L layers, the stacks' layer index renamed to `layer`, from a lemma f = g posed
    with that name as a size: a lemma about the diagonal (the layer equal to that size) only."""
    from symcheck import stack
    L, N = sizes("L N")
    Z = matrix("Z", T, d)
    f = lambda Z, ell: from_index(T, d, lambda t, b: Z[t, b] * step(b))          # noqa: E731
    g = lambda Z, ell: from_index(T, d, lambda t, b: Z[t, b])                   # noqa: E731
    needed = ((layer, L),) + tuple(where)
    lemma = certificate(check(Claim("lemma", f(Z, 1), g(Z, 1), where=needed, statement="s"), CONFIG))
    sides = [structure(stack(h, X, depth=L)) for h in (f, g)]
    for side in sides:
        side["stack"]["layer"] = sp.srepr(layer)
    cert = _composition(Claim("layers", stack(f, X, depth=L), stack(g, X, depth=L), statement="s"), lemma)
    cert["claim"]["lhs"], cert["claim"]["rhs"] = sides
    cert["claim"]["constraints"] = [[sp.srepr(sp.sympify(lo)), sp.srepr(sp.sympify(hi))] for lo, hi in where]
    cert["tree"] = {"by": "induction", "start": {"by": "identical"}, "lemma": 0}
    cert["claim"]["digest"] = claim_digest(cert)
    return json.loads(json.dumps(cert))


def test_a_layer_index_named_like_a_constrained_size_is_rejected():
    """Layer ℓ read as N with N <= 3 stated: the step Y·[N <= 3] is Y in the lemma, 0 at layer 4 of the stack."""
    (N,) = sizes("N")
    forged = _layer_forgery(N, ((N, 3),), lambda b: Iverson(N <= 3))
    with pytest.raises(Rejected, match="the claim's constraints mention a stack's layer index"):
        replay(forged)


def test_a_layer_index_named_like_a_size_of_the_shape_is_rejected():
    """Layer ℓ read as d: the step Y·[b <= d] is Y in the lemma, and zeroes columns b > ℓ at layer ℓ < d."""
    forged = _layer_forgery(d, (), lambda b: Iverson(b <= d))
    with pytest.raises(Rejected, match="a stack's layer index d is also a size of its start, depth or inputs"):
        replay(forged)
