"""Display forms: plain bound names and named parts are views of the same expression."""

import sympy as sp

from symcheck.display import Part, Parts, plain_names
from symcheck.index import index, make_sum, size
from symcheck.latex import latex
from symcheck.matrix import matrix

T, d = size("T"), size("d")
t, j, k, b_h = index("t"), index("j"), index("k"), index("b_h")
Q = matrix("Q", T, d)


def test_plain_names_renames_subscripted_bound_indices_only():
    e = make_sum(Q.base[t, b_h] * Q.base[b_h, j], b_h, 1, d)
    shown = plain_names(e)
    assert latex(shown) == r"\sum_{k=1}^{d} {Q}_{k,j} {Q}_{t,k}"
    assert plain_names(make_sum(Q.base[t, j], j, 1, d)) == make_sum(Q.base[t, j], j, 1, d)


def _long(n: int) -> sp.Expr:
    """n attention weights over one normalizer: the normalizer (repeated) is the part to name."""
    inner = make_sum(sp.exp(make_sum(Q.base[t, k] * Q.base[j, k], k, 1, d)), j, 1, t)
    return sum((sp.exp(make_sum(Q.base[t, k] * Q.base[i, k], k, 1, d)) / inner for i in range(1, n + 1)),
               sp.Integer(0))


def test_a_long_form_is_cut_into_parts_defined_once_and_reused():
    parts = Parts(latex, limit=200)
    shown, named = parts.line(_long(3))
    assert len(latex(shown)) <= 200 and named
    body_of = dict(named)
    assert all(len(latex(body)) <= 200 for body in body_of.values())
    part = next(p for p in body_of if t in p.indices)
    assert latex(part) == r"\mathcal{A}_{" + str(part.number) + r"}\left(t\right)"
    again, more = parts.line(_long(3))
    assert again == shown and more == []


def test_replacing_parts_by_their_definitions_gives_the_form_back():
    parts = Parts(latex, limit=200)
    e = _long(3)
    shown, named = parts.line(e)
    for p, body in reversed(named):
        shown = shown.xreplace({p: body})
    assert shown == e


def test_a_short_form_is_left_alone():
    parts = Parts(latex)
    e = Q.base[t, j] + 1
    assert parts.line(e) == (e, []) and not any(isinstance(a, Part) for a in sp.preorder_traversal(e))
