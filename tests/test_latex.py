"""The LaTeX printer: exact strings, the notation table, escaping of free text."""

from __future__ import annotations

import pytest
import sympy as sp

from symcheck.index import Entry, Iverson, index, make_sum, size
from symcheck.latex import escape, latex
from symcheck.matrix import MaskedSoftmax, MatScale, matrix, tensor
from symcheck.memory import ContentWeight, Memory, MemoryCell, WriteWeight
from symcheck.notation import NOTATION, macro

T, d, N, L, D, H = size("T"), size("d"), size("N"), size("L"), size("D"), size("H")
t, j, n, s, h, ell = (index(x) for x in ("t", "j", "n", "s", "h", "ell"))
Q, K, V = matrix("Q", T, d), matrix("K", T, d), matrix("V", T, d)
Mk = Memory("K", K, N)


@pytest.mark.parametrize("expr,expected", [
    (Iverson(sp.Le(j, t)), r"\iverson{j \leq t}"),
    (Iverson(sp.Eq(n, s)), r"\iverson{s = n}"),
    (make_sum(Q.base[t, j], j, 1, t), r"\sum_{j=1}^{t} {Q}_{t,j}"),
    (make_sum(Q.base[t, j] + 1, j, 1, T), r"\sum_{j=1}^{T} \left({Q}_{t,j} + 1\right)"),
    (tensor("W_O", T, d)[t, j], r"(W_{O})_{t,j}"),
    (tensor("W_Q", L, D, H, d)[ell, j, h, n], r"(W_{Q,h}^{(\ell)})_{j,n}"),
    (tensor("g_1", L, D)[ell, j], r"(g_{1}^{(\ell)})_{j}"),
    (tensor("Q", T, H, d)[t, h, n], r"(Q_{h})_{t,n}"),
    (Entry(Q, t, j), r"{Q}_{t,j}"),
    (Entry(matrix("W_1", T, d), t, j), r"(W_{1})_{t,j}"),
    (matrix("W_1", T, d).base[t, j], r"(W_{1})_{t,j}"),
    (sp.sqrt(sp.Rational(1, 100000) + Q.base[t, j]), r"\sqrt{{Q}_{t,j} + \varepsilon}"),
    (Entry(Q @ K.T, t, j), r"\left(\mat{Q}\,\tr{\mat{K}}\right)_{t,j}"),
    (Entry(MaskedSoftmax(MatScale(1 / sp.sqrt(d), Q @ K.T), "inclusive"), t, j),
     r"\left(\softmax\left(\frac{1}{\sqrt{d}}\,\mat{Q}\,\tr{\mat{K}} + \log \causalmask{inclusive}\right)\right)_{t,j}"),
    (MemoryCell(Mk, t, n, j), r"\memcell{K}{t}{n,j}"),
    (WriteWeight(Mk, s, n), r"\writew{K}{s}{n}"),
    (ContentWeight(Mk, t, Q, t, n, 1, "dot", t), r"\content{K}{t}{\mathbf{q}_{t}}{1}{dot}_{n}"),
    (sp.exp(Q.base[t, j]), r"\exp\left({Q}_{t,j}\right)"),
    (Iverson(sp.Le(j, t)) ** 2, r"\iverson{j \leq t}^{2}"),
])
def test_printer_exact_strings(expr, expected):
    assert latex(expr) == expected


def test_expanded_macros_for_mathjax():
    assert latex(Iverson(sp.Le(j, t)), expand_macros=True) == r"{\left[j \leq t\right]}"


def test_every_notation_macro_has_a_definition_with_its_arity():
    for n_ in NOTATION:
        assert all(f"#{k}" in n_.body for k in range(1, n_.args + 1)), n_.name
        assert macro(n_.name, *["x"] * n_.args).startswith("\\" + n_.name)


@pytest.mark.parametrize("raw,expected", [
    ("a_b", r"a\_b"), ("50%", r"50\%"), ("A&B", r"A\&B"), ("#1", r"\#1"), ("$x$", r"\$x\$"),
    ("{x}", r"\{x\}"), (r"a\b", r"a\textbackslash{}b"), ("x^2", r"x\textasciicircum{}2"),
    ("~", r"\textasciitilde{}"), ("β ≤ 1", r"$\beta$ $\le$ 1"),
    ("W_t φ(q_t)", r"W\_t $\phi$(q\_t)"), ("Φ Λ", r"$\Phi$ $\Lambda$"), ("Α", "A"), ("∂", r"\texttt{[U+2202]}"),
])
def test_escape(raw, expected):
    assert escape(raw) == expected


def test_escaped_text_is_ascii_whatever_the_user_writes():
    """pdflatex cannot typeset an arbitrary character from the input: a φ in a model's label once stopped the
    appendix from compiling."""
    assert escape("".join(map(chr, range(0x80, 0x3000)))).isascii()


@pytest.mark.parametrize("expr,tex", [
    (matrix("u_prev", T, 1), r"\mat{u}^{\mathrm{prev}}"),
    (matrix("u_prev", T, 1)[1, 1], r"u^{\mathrm{prev}}_{1,1}"),
    (sp.Symbol("d_ff", integer=True, positive=True), r"d_{\mathrm{ff}}"),
    (sp.Symbol("x_alpha"), r"x_{\alpha}"),
    (matrix("W_Q", T, T)[1, 1], r"(W_{Q})_{1,1}"),
])
def test_a_word_in_a_name_s_subscript_is_upright_and_never_parenthesised(expr, tex):
    assert latex(expr) == tex
