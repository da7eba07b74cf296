"""A rewrite trace as the rows of one LaTeX `align*`: forms, the phases between them, named parts.

At `full` detail every step is a row tagged by its rule, the trace as recorded. At `paper` and
`sketch` detail the forms are displayed with plain bound names and, when long, cut into named parts
(`display.Parts`): after a form that names new parts, a "where" row and one row per definition.
"""

from __future__ import annotations

import sympy as sp

from .binders import subst
from .display import Parts, plain_free, plain_names
from .latex import escape, latex
from .notation import macro
from .phases import Detail, lines
from .proof import Derivation

__all__ = ["derivation", "formula", "new_parts", "obligation_names"]


def new_parts(detail: Detail) -> Parts | None:
    """The named parts of one proof's display; none at `full` detail, which shows forms as recorded."""
    return None if detail == "full" else Parts(latex)


def _form(expr: sp.Basic, parts: Parts | None, rename: dict | None = None) -> tuple[str, list[dict]]:
    """A form's LaTeX and the rows defining the parts it names first; `rename` gives free indices plain
    names (`display.plain_free`). An equation is shown side by side: rebuilt, sympy would evaluate it."""
    if parts is None:
        return latex(expr), []
    sides = expr.args if isinstance(expr, sp.Equality) else (expr,)
    shown, named = [], []
    for side in sides:
        got, new = parts.line(plain_names(subst(side, rename) if rename else side))
        shown.append(latex(got))
        named += new
    rows = [{"kind": "text", "tex": r"\symwhere"}] if named else []
    rows += [{"kind": "math", "relation": "", "tex": f"{latex(p)} = {latex(body)}", "tag": None} for p, body in named]
    return " = ".join(shown), rows


def obligation_names(o, detail: Detail) -> dict | None:
    """One renaming of an obligation's subscripted free indices for all its formulas (none at `full`)."""
    return None if detail == "full" else plain_free(o.lhs.start, o.rhs.start,
                                                      *([o.statement] if o.statement is not None else []))


def _ended(rows: list[dict]) -> list[dict]:
    """Every math row but the last ends the align line (an \\intertext must follow a line end)."""
    last = max((k for k, r in enumerate(rows) if r["kind"] == "math"), default=-1)
    return [{**r, "end": "\\\\" if r["kind"] == "math" and k != last else ""} for k, r in enumerate(rows)]


def formula(expr: sp.Basic, parts: Parts | None, rename: dict | None = None) -> list[dict]:
    """One displayed formula (a statement, a normal form) and the definitions of its new parts."""
    tex, defs = _form(expr, parts, rename)
    return _ended([{"kind": "math", "relation": "", "tex": tex, "tag": None}, *defs])


def derivation(title: str, d: Derivation, detail: Detail, parts: Parts | None, rename: dict | None = None) -> dict:
    """The rows of a trace at `detail`: its start, then each line (a step at `full`, else a phase)."""
    tex, rows = _form(d.start, parts, rename)
    rows = [{"kind": "math", "relation": "", "tex": tex, "tag": None}, *rows]
    for line in lines(d, detail):
        tex, defs = _form(line.expr, parts, rename)
        if detail == "full":
            rows.append({"kind": "math", "relation": "= ", "tex": tex, "tag": line.label})
        else:
            rules = ", ".join(macro("rulename", r) for r in line.rules)
            rows.append({"kind": "text", "tex": rf"\symphase{{{escape(line.label)}}}{{{rules}}}"})
            rows.append({"kind": "math", "relation": "= ", "tex": tex, "tag": None})
        rows += defs
    return {"title": title, "rows": _ended(rows)}
