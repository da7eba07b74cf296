"""The one notation table: LaTeX macros shared by the printer and the templates.

Every operator with a notation of its own is one record here. The printer emits
the macro (`\\softmax`, `\\iverson{...}`), and the appendix template defines it
from the same record, so changing a notation is a one-line change in one place.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

__all__ = ["Notation", "NOTATION", "macro", "Constant", "CONSTANTS", "constant_of", "Glossed", "GLOSSARY"]


@dataclass(frozen=True)
class Notation:
    name: str          # macro name, without the backslash
    args: int          # number of arguments
    body: str          # LaTeX definition (#1, #2 ... for the arguments)
    meaning: str       # one line of LaTeX (text mode) for the notation glossary
    example: tuple[str, ...] = ()   # arguments that show the symbol in the glossary


NOTATION: tuple[Notation, ...] = (
    Notation("softmax", 0, r"\operatorname{softmax}", "row-wise softmax"),
    Notation("iverson", 1, r"\left[#1\right]", "Iverson bracket: $1$ if $P$ holds, else $0$", ("P",)),
    Notation("mat", 1, r"\mathbf{#1}", r"an input matrix (its entries: $X_{t,b}$)", ("X",)),
    Notation("tr", 1, r"{#1}^{\top}", "transpose", ("A",)),
    Notation("causalmask", 1, r"\mathbf{M}^{\mathrm{#1}}",
             r"causal mask: $0$ where $j \le i$ ($j < i$ if strict), $-\infty$ elsewhere", ("inclusive",)),
    Notation("memcell", 3, r"\bigl(\mathbf{M}^{#1}_{#2}\bigr)_{#3}",
             r"entry $(s, b)$ of the write-once memory of $K$ after $\tau$ writes", ("K", r"\tau", "s,b")),
    Notation("writew", 3, r"w^{#1}_{#2}[#3]", r"write weighting of the memory of $K$ at step $s$, slot $n$",
             ("K", "s", "n")),
    Notation("content", 5, r"\mathcal{C}_{\mathrm{#5}}\bigl(\mathbf{M}^{#1}_{#2},\, #3,\, #4\bigr)",
             r"content-based read weighting (DNC) of key $q$ over the memory of $K$ after $\tau$ writes, "
             r"key strength $\beta$, similarity dot product (or cosine)", ("K", r"\tau", "q", r"\beta", "dot")),
    Notation("relu", 1, r"\operatorname{relu}\left(#1\right)", r"rectified linear unit, $\max(0, x)$", ("x",)),
    Notation("rulename", 1, r"\textsf{\footnotesize #1}", "name of a rewrite rule", ("rule-name",)),
)

_BY_NAME = {n.name: n for n in NOTATION}


@dataclass(frozen=True)
class Constant:
    """A number that a formula names by a symbol (LayerNorm's ε), defined with its value in the glossary.

    Printing it by its symbol is notation, not rewriting: the glossary says which number it is."""

    value: sp.Rational
    symbol: str        # LaTeX (math mode)
    meaning: str       # one line of LaTeX (text mode)


CONSTANTS: tuple[Constant, ...] = (
    Constant(sp.Rational(1, 100000), r"\varepsilon", r"LayerNorm's $\varepsilon = 10^{-5}$ (PyTorch's default)"),
)
_BY_VALUE = {c.value: c for c in CONSTANTS}


def constant_of(value) -> Constant | None:
    """The named constant whose value is exactly `value`, if there is one."""
    return _BY_VALUE.get(value) if isinstance(value, sp.Rational) else None


def macro(name: str, *args: str, expand: bool = False) -> str:
    """The LaTeX call of notation `name` with `args` (checked against the table).

    With `expand`, the definition itself with the arguments filled in, for
    renderers that cannot define macros (MathJax in notebooks).
    """
    n = _BY_NAME[name]
    if len(args) != n.args:
        raise ValueError(f"\\{name} takes {n.args} arguments, got {len(args)}")
    if expand:
        body = n.body
        for k, a in enumerate(args, start=1):
            body = body.replace(f"#{k}", a)
        return "{" + body + "}"
    return "\\" + name + "".join("{" + a + "}" for a in args)


@dataclass(frozen=True)
class Glossed:
    """A symbol of the library's models (a weight, a convention) glossed when a rendered formula shows it."""

    symbol: str        # LaTeX (math mode), as the glossary shows it
    meaning: str       # one line of LaTeX (text mode)
    shown_by: str      # a regular expression over rendered LaTeX: the glossary lists the symbol when it matches


GLOSSARY: tuple[Glossed, ...] = (
    Glossed(r"\mathcal{A}_{k}(i, j)", r"a named part of a long formula, a function of its free indices, defined "
            r"after the line that first uses it", r"\\mathcal\{A\}_"),
    Glossed(r"X^{(\ell)}", r"the weights $X$ of layer $\ell$ of a stack", r"\^\{\(\\ell\)\}"),
    Glossed(r"W_{Q,h},\ W_{K,h},\ W_{V,h}", r"query, key and value projections of head $h$ ($D \times d_h$ each)",
            r"\bW_\{[QKV],"),
    Glossed(r"W_{O,h}", r"output projection of head $h$ ($d_h \times D$): it combines the head's read vector",
            r"\bW_\{O,"),
    Glossed(r"W_{1},\ W_{2}", r"the two weight matrices of a feed-forward layer", r"\bW_\{[12]\}"),
    Glossed(r"g_{1},\ g_{2},\ g_{3}", r"LayerNorm gains of the first, second and third sublayer (length $D$)",
            r"\bg_\{[123]\}"),
    Glossed(r"E_{Q,h},\ \ldots,\ E_{2};\ e_{1},\ e_{2}", r"the encoder layer's weights and LayerNorm gains, as $W$ and $g$",
            r"\b[Ee]_\{(?:[QKVO],|[12]\})"),
    Glossed(r"C_{Q,h},\ C_{K,h},\ C_{V,h},\ C_{O,h}", r"a decoder layer's cross-attention projections",
            r"\bC_\{[QKVO],"),
)
