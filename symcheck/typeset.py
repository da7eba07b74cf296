"""The appendix back-end of a presentation (`present`): each display as the rows of one LaTeX `align*`.

At `full` detail every step is a row tagged by its rule, the trace as recorded. Below it, a phase is
an \\intertext naming it and its rules, and the parts a form names first follow it under "where".
"""

from __future__ import annotations

from .latex import escape, latex
from .notation import macro
from .present import Define, Display, Form, Joins, Phase

__all__ = ["display", "rows", "form_tex"]


def form_tex(form: Form) -> str:
    """A form's LaTeX: an equation's sides joined by `=`."""
    return " = ".join(latex(side) for side in form.sides)


def display(d: Display) -> dict:
    """A display for the template: its title, its rows, and what follows the last formula (where it joins
    another derivation), which is not a row: an \\intertext may not end an `align*`."""
    joins = d.rows[-1] if d.rows and isinstance(d.rows[-1], Joins) else None
    shown = Display(d.title, d.rows[:-1]) if joins else d
    after = rf"\symjoins{{{escape(joins.title.lower())}}}" if joins else ""
    return {"title": escape(d.title[:1].upper() + d.title[1:]), "rows": rows(shown), "after": after}


def rows(d: Display) -> list[dict]:
    """The template rows of a display: math rows (relation, formula, tag) and text rows (\\intertext)."""
    out: list[dict] = []
    first = True
    for k, r in enumerate(d.rows):
        if isinstance(r, Form):
            out.append({"kind": "math", "relation": "" if first else "= ", "tex": form_tex(r), "tag": r.rule})
            first = False
        elif isinstance(r, Phase):
            rules = ", ".join(macro("rulename", n) for n in r.rules)
            out.append({"kind": "text", "tex": rf"\symphase{{{escape(r.label)}}}{{{rules}}}"})
        elif isinstance(r, Define):
            if not isinstance(d.rows[k - 1], Define):
                out.append({"kind": "text", "tex": r"\symwhere"})
            out.append({"kind": "math", "relation": "", "tex": f"{latex(r.part)} = {latex(r.body)}", "tag": None})
        else:
            raise TypeError(f"not a row of a display: {type(r).__name__}")
    return _ended(out)


def _ended(rows: list[dict]) -> list[dict]:
    """Every math row but the last ends the align line (an \\intertext must follow a line end)."""
    last = max((k for k, r in enumerate(rows) if r["kind"] == "math"), default=-1)
    return [{**r, "end": "\\\\" if r["kind"] == "math" and k != last else ""} for k, r in enumerate(rows)]
