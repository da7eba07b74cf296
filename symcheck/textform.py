"""Plain-text notation for terminals: Σ_{j=1}^{t}, [j ≤ t], Q[t,k], M^K_t[n,a]."""

from __future__ import annotations

import sympy as sp
from sympy.printing.str import StrPrinter

__all__ = ["text"]


class TextPrinter(StrPrinter):
    def _print(self, expr, **kwargs):
        if isinstance(expr, sp.Indexed):           # Indexed's own _sympystr adds spaces
            return self._print_Indexed(expr)
        return super()._print(expr, **kwargs)

    def _print_LessThan(self, e):
        return f"{self._print(e.lhs)} ≤ {self._print(e.rhs)}"

    def _print_Equality(self, e):
        return f"{self._print(e.lhs)} = {self._print(e.rhs)}"

    def _print_Indexed(self, e):
        return f"{self._print(e.base.label)}[{','.join(self._print(i) for i in e.indices)}]"

    def _print_Exp1(self, e):
        return "e"


_PRINTER = TextPrinter({"order": "none"})


def text(expr: sp.Basic) -> str:
    """One-line, readable rendering of an index-level expression."""
    return _PRINTER.doprint(expr)
