"""LaTeX for symcheck's expressions: sympy's LatexPrinter plus our nodes.

Operators with their own notation are printed as macro calls from
`notation.NOTATION`; the appendix template defines those macros from the same
table. Unknown node types fall back to sympy's printer, which raises for
anything it cannot print.
"""

from __future__ import annotations

import sympy as sp
from sympy.printing.latex import LatexPrinter

from .index import Power
from .notation import macro as _macro

__all__ = ["latex", "escape", "latex_array"]

_ESCAPES = {
    "\\": r"\textbackslash{}", "_": r"\_", "%": r"\%", "&": r"\&", "#": r"\#", "$": r"\$",
    "{": r"\{", "}": r"\}", "^": r"\textasciicircum{}", "~": r"\textasciitilde{}",
}


_UNICODE = {
    "τ": r"$\tau$", "β": r"$\beta$", "Σ": r"$\Sigma$", "σ": r"$\sigma$", "α": r"$\alpha$", "ℓ": r"$\ell$",
    "≤": r"$\le$", "≥": r"$\ge$", "≠": r"$\ne$", "¬": r"$\neg$", "±": r"$\pm$", "·": r"$\cdot$",
    "×": r"$\times$", "→": r"$\to$", "≡": r"$\equiv$", "∘": r"$\circ$", "√": r"$\surd$",
    "—": "---", "–": "--", "’": "'", "“": "``", "”": "''", "ᵀ": r"$^{\top}$", "⁻": r"$^{-}$", "¹": r"$^{1}$",
}


def escape(text: str) -> str:
    """Free text (names, statements, citations) made safe for LaTeX (pdflatex, T1)."""
    return "".join(_ESCAPES.get(ch) or _UNICODE.get(ch) or ch for ch in str(text))


class SymcheckLatexPrinter(LatexPrinter):
    printmethod = "_symcheck_latex"       # do not use the nodes' own _latex
    _default_settings = {**LatexPrinter._default_settings, "expand_macros": False}

    def macro(self, name, *args):
        return _macro(name, *args, expand=self._settings["expand_macros"])

    def _print_Sigma(self, e):
        body = self._print(e.body)
        if isinstance(e.body, sp.Add):
            body = rf"\left({body}\right)"
        return rf"\sum_{{{self._print(e.var)}={self._print(e.lo)}}}^{{{self._print(e.hi)}}} {body}"

    def _print_exp(self, e, exp=None):
        out = rf"\exp\left({self._print(e.args[0])}\right)"
        return rf"{out}^{{{exp}}}" if exp else out

    def _print_Mul(self, e):
        """Reciprocals (`Power` with a negative exponent) go below a fraction bar, as sympy prints its
        own negative powers: e^{a} V / Σ e, not e^{a} · (1/Σ e) · V."""
        below = [a for a in e.args if isinstance(a, Power) and a.args[1].is_negative]
        if not below:
            return super()._print_Mul(e)
        above = [a for a in e.args if a not in below]
        num = self._print(sp.Mul(*above)) if above else "1"
        den = self._print(sp.Mul(*(a.args[0] if a.args[1] == -1 else sp.Pow(a.args[0], -a.args[1], evaluate=False)
                                   for a in below), evaluate=False))
        return rf"\frac{{{num}}}{{{den}}}"

    def _print_Power(self, e, exp=None):
        out = self._print(sp.Pow(*e.args, evaluate=False))
        return rf"\left({out}\right)^{{{exp}}}" if exp else out

    def _print_Log(self, e, exp=None):
        out = rf"\log\left({self._print(e.args[0])}\right)"
        return rf"{out}^{{{exp}}}" if exp else out

    def _print_Relu(self, e, exp=None):
        out = self.macro("relu", self._print(e.args[0]))
        return f"{out}^{{{exp}}}" if exp else out

    def _print_Iverson(self, e, exp=None):
        out = self.macro("iverson", self._print(e.args[0]))
        return f"{out}^{{{exp}}}" if exp else out

    def _print_Indexed(self, e):
        return f"{{{self._print(e.base.label)}}}_{{{','.join(self._print(i) for i in e.indices)}}}"

    def _print_Entry(self, e):
        from .matrix import MatInput
        term = self._print(e.term)
        if not isinstance(e.term, MatInput):
            term = rf"\left({term}\right)"
        return f"{term}_{{{self._print(e.args[1])},{self._print(e.args[2])}}}"

    def _print_MatInput(self, e):
        return self.macro("mat", self._print(sp.Symbol(e.name)))

    def _print_MatT(self, e):
        return self.macro("tr", self._print(e.args[0]))

    def _print_MatProd(self, e):
        return rf"{self._print(e.args[0])}\,{self._print(e.args[1])}"

    def _print_MatScale(self, e):
        c = self._print(e.args[0])
        if isinstance(e.args[0], sp.Add):
            c = rf"\left({c}\right)"
        return rf"{c}\,{self._print(e.args[1])}"

    def _print_MaskedSoftmax(self, e):
        inner = self._print(e.args[0])
        if e.mask != "none":
            inner += r" + \log " + self.macro("causalmask", e.mask)
        return self.macro("softmax") + rf"\left({inner}\right)"

    def _print_Memory(self, e):
        return rf"\mathbf{{M}}^{{{e.name}}}"

    def _print_MemoryCell(self, e):
        return self.macro("memcell", e.mem.name, self._print(e.time), ",".join(self._print(x) for x in (e.slot, *e.cols)))

    def _print_Element(self, e):
        name = self._print(sp.Symbol(e.tensor.name))
        return f"{{{name}}}_{{{','.join(self._print(i) for i in e.indices)}}}"

    def _print_TensorInput(self, e):
        return self.macro("mat", self._print(sp.Symbol(e.name)))

    def _print_WriteWeight(self, e):
        return self.macro("writew", e.mem.name, self._print(e.step), self._print(e.slot))

    def _print_ContentWeight(self, e):
        q = rf"\mathbf{{{e.query.name.lower()}}}_{{{self._print(e.row)}}}"
        c = self.macro("content", e.mem.name, self._print(e.time), q, self._print(e.strength), e.similarity)
        return rf"{c}_{{{self._print(e.slot)}}}"

    def _print_Str(self, e):
        return rf"\mathrm{{{escape(e.name)}}}"


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
