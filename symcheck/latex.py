"""LaTeX for symcheck's expressions: sympy's LatexPrinter plus our nodes.

Each node kind's notation is its spec's `latex` (`symcheck.nodes`); operators
with their own notation are printed as macro calls from `notation.NOTATION`, and
the appendix template defines those macros from the same table. sympy's builtins
without a spec notation print as sympy prints them; any other node without a
spec is an `UnknownNode` error, never a guessed `\\operatorname{...}`.
"""

from __future__ import annotations

import unicodedata

import sympy as sp
from sympy.printing.latex import LatexPrinter

from .entrytex import word_subscript
from .nodes import UnknownNode, find_spec
from .notation import constant_of, macro as _macro

__all__ = ["latex", "escape", "latex_array"]

_ESCAPES = {
    "\\": r"\textbackslash{}", "_": r"\_", "%": r"\%", "&": r"\&", "#": r"\#", "$": r"\$",
    "{": r"\{", "}": r"\}", "^": r"\textasciicircum{}", "~": r"\textasciitilde{}",
}


_UNICODE = {
    "τ": r"$\tau$", "β": r"$\beta$", "Σ": r"$\Sigma$", "σ": r"$\sigma$", "α": r"$\alpha$", "ℓ": r"$\ell$",
    "≤": r"$\le$", "≥": r"$\ge$", "≠": r"$\ne$", "¬": r"$\neg$", "±": r"$\pm$", "·": r"$\cdot$",
    "×": r"$\times$", "→": r"$\to$", "≡": r"$\equiv$", "∘": r"$\circ$", "√": r"$\surd$",
    "—": "---", "–": "--", "§": r"\S{}", "…": r"\ldots{}", "∈": r"$\in$", "∞": r"$\infty$", "≈": r"$\approx$",
    "⌊": r"$\lfloor$", "⌋": r"$\rfloor$", "’": "'", "“": "``", "”": "''", "ᵀ": r"$^{\top}$", "⁻": r"$^{-}$",
    "¹": r"$^{1}$",
}


def escape(text: str) -> str:
    """Free text (names, statements, citations) made safe for LaTeX (pdflatex, T1): a character pdflatex
    cannot typeset from the input is never passed through (a φ in a label once stopped the appendix)."""
    return "".join(_ESCAPES.get(ch) or _UNICODE.get(ch) or (ch if ch.isascii() else _unicode(ch)) for ch in str(text))


_LATIN_LOOKALIKES = {"alpha": "A", "beta": "B", "epsilon": "E", "zeta": "Z", "eta": "H", "iota": "I", "kappa": "K",
                     "mu": "M", "nu": "N", "omicron": "O", "rho": "P", "tau": "T", "chi": "X"}   # capitals: no macro


def _unicode(ch: str) -> str:
    """A Greek letter as its math symbol ($\\phi$, $\\Phi$); any other character by its code point."""
    name = unicodedata.name(ch, "")
    if name.startswith(("GREEK SMALL LETTER ", "GREEK CAPITAL LETTER ")) and len(name.split()) == 4:
        letter = {"lamda": "lambda"}.get(name.split()[-1].lower(), name.split()[-1].lower())
        if "SMALL" in name:
            return "o" if letter == "omicron" else rf"$\{letter}$"
        return _LATIN_LOOKALIKES.get(letter) or rf"$\{letter.capitalize()}$"
    return rf"\texttt{{[U+{ord(ch):04X}]}}"


class SymcheckLatexPrinter(LatexPrinter):
    """sympy's printer for sympy's builtins; every node kind with a notation of its own prints by its spec."""

    printmethod = "_symcheck_latex"       # do not use the nodes' own _latex
    _default_settings = {**LatexPrinter._default_settings, "expand_macros": False}

    def _print(self, expr, **kwargs) -> str:
        spec = find_spec(expr) if isinstance(expr, sp.Basic) else None
        if spec is not None and spec.latex is not None:
            return spec.latex(self, expr, **kwargs)
        if spec is None and isinstance(expr, sp.Basic) and not type(expr).__module__.startswith("sympy."):
            raise UnknownNode(type(expr))
        return super()._print(expr, **kwargs)

    def _print_Symbol(self, expr, **kwargs) -> str:
        """`d_ff` as d_{\\mathrm{ff}}: a word in a subscript is upright, not a product of italic letters."""
        word = word_subscript(expr.name)
        if word is None:
            return super()._print_Symbol(expr, **kwargs)
        return rf"{super()._print_Symbol(sp.Symbol(word[0]))}_{{\mathrm{{{word[1]}}}}}"

    def _print_Rational(self, expr, **kwargs) -> str:
        named = constant_of(expr)
        return named.symbol if named is not None else super()._print_Rational(expr, **kwargs)

    def macro(self, name, *args):
        return _macro(name, *args, expand=self._settings["expand_macros"])

    def escape(self, text: str) -> str:
        return escape(text)


_PRINTER = SymcheckLatexPrinter({"mul_symbol": None, "fold_short_frac": False})
_EXPANDED = SymcheckLatexPrinter({"mul_symbol": None, "fold_short_frac": False, "expand_macros": True})


def latex_array(values) -> str:
    """Numbers as a bmatrix; tensors of higher rank as a tuple of their leading slices."""
    def cell(v):
        if v is None:
            return r"\text{undef.}"
        return str(v) if isinstance(v, int) else f"{v:.6g}"

    def depth(x):
        return 1 + depth(x[0]) if isinstance(x, list) and x else 0

    if depth(values) > 2:
        return r"\left(" + r",\; ".join(latex_array(s) for s in values) + r"\right)"
    rows = [" & ".join(cell(v) for v in (row if isinstance(row, list) else [row])) for row in values]
    return r"\begin{bmatrix}" + r" \\ ".join(rows) + r"\end{bmatrix}"


def latex(expr, expand_macros: bool = False) -> str:
    """LaTeX (math mode) for an index-level or matrix-level expression.

    By default operators print as the macros of `notation.NOTATION`; with
    `expand_macros` their definitions are inlined (for MathJax)."""
    return (_EXPANDED if expand_macros else _PRINTER).doprint(expr)
