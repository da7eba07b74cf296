"""The one notation table: LaTeX macros shared by the printer and the templates.

Every operator with a notation of its own is one record here. The printer emits
the macro (`\\softmax`, `\\iverson{...}`), and the appendix template defines it
from the same record, so changing a notation is a one-line change in one place.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Notation", "NOTATION", "macro"]


@dataclass(frozen=True)
class Notation:
    name: str          # macro name, without the backslash
    args: int          # number of arguments
    body: str          # LaTeX definition (#1, #2 ... for the arguments)
    meaning: str       # one line for the notation glossary


NOTATION: tuple[Notation, ...] = (
    Notation("softmax", 0, r"\operatorname{softmax}", "row-wise softmax"),
    Notation("iverson", 1, r"\left[#1\right]", "Iverson bracket: 1 if the condition holds, else 0"),
    Notation("mat", 1, r"\mathbf{#1}", "an input matrix"),
    Notation("tr", 1, r"{#1}^{\top}", "transpose"),
    Notation("causalmask", 1, r"\mathbf{M}^{\mathrm{#1}}", "causal mask (inclusive: j <= i; strict: j < i)"),
    Notation("memcell", 3, r"\bigl(\mathbf{M}^{#1}_{#2}\bigr)_{#3}", "entry of a write-once memory after a number of writes"),
    Notation("writew", 3, r"w^{#1}_{#2}[#3]", "write weighting of a memory at a step, at a slot"),
    Notation("content", 5, r"\mathcal{C}_{\mathrm{#5}}\bigl(\mathbf{M}^{#1}_{#2},\, #3,\, #4\bigr)",
             "content-based read weighting (DNC) with the given similarity"),
    Notation("relu", 1, r"\operatorname{relu}\left(#1\right)", "rectified linear unit, max(0, x)"),
    Notation("rulename", 1, r"\textsf{\footnotesize #1}", "name of a rewrite rule"),
)

_BY_NAME = {n.name: n for n in NOTATION}


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
