"""The notebook back-end of a presentation (`present`): MathJax-ready LaTeX for `Result._repr_latex_`.

MathJax cannot load the appendix's macro definitions, so notation is expanded inline here. The
content is the appendix's own `paper` presentation (one line per phase, long forms cut into named
parts), so the notebook says what the appendix says; past `NOTEBOOK_CHARS` the rest is not sent to
the browser but counted, and `symcheck show` named for it.
"""

from __future__ import annotations

from .latex import latex, latex_array
from .present import Composition, Define, Display, Form, Identical, Phase, Presentation, present
from .view import ProofView

__all__ = ["view_latex", "NOTEBOOK_CHARS"]

NOTEBOOK_CHARS = 40_000     # MathJax typesets this much in a few seconds; the inlined layer needs less than half


def _text(s: str) -> str:
    return r"\text{" + s.replace("\\", "").replace("{", "").replace("}", "").replace("$", "") + "}"


def _tex(e) -> str:
    return latex(e, True)


def _display(d: Display) -> list[str]:
    rows = [f"&{_text(d.title)} &&"] if d.title else []
    why = ""
    first = True
    for r in d.rows:
        if isinstance(r, Phase):
            why = _text(f"{r.label} ({', '.join(r.rules)})")
        elif isinstance(r, Form):
            tex = " = ".join(_tex(side) for side in r.sides)
            tag = _text(r.rule) if r.rule else why
            rows.append(f"&{'' if first else '= '}{tex} && {tag}")
            first, why = False, ""
        elif isinstance(r, Define):
            rows.append(f"&\\quad {_text('where')}\\ {_tex(r.part)} = {_tex(r.body)} &&")
        else:
            rows.append(f"&{_text(f'from here on as the {r.title.lower()}')} &&")
    return rows


def _proof(p: Presentation, proved: bool) -> list[str]:
    if isinstance(p, Composition):
        rows = [f"&{_text(line)} &&" for line in p.argument]
        for lemma in p.lemmas:
            rows.append(f"&{_text(f'{lemma.title}: {lemma.statement} (used with {lemma.use})')} &&")
            if lemma.same_as is not None:
                renamed = ", ".join(f"{_tex(a)} \\mapsto {_tex(b)}" for a, b in lemma.same_as.renaming)
                rows.append(f"&{_text(f'proved as {lemma.same_as.title} of {lemma.same_as.claim}')}"
                            + (f"{_text(', renamed by ')} {renamed}" if renamed else "") + " &&")
            elif lemma.proof is not None:
                rows += _proof(lemma.proof, lemma.verdict == "proved")
        return rows
    if isinstance(p, Identical):
        return [f"&{_text('both sides are the same expression')} &&"]
    rows = [row for side in p.sides for row in _display(side)]
    for o in p.obligations:
        rows.append(f"&{_text(o.title)} &&")
        rows += _display(o.statement) if o.statement is not None else []
        rows += [f"&{_text(f'likewise, identical to {o.like} up to renaming')} &&"] if o.like else []
        rows += [row for d in (o.lhs, o.rhs) if d is not None for row in _display(d)]
    if proved:
        rows.append(f"&{_text('the normal forms meet: both derivations end in the same form')} &&")
    return rows


def _bounded(rows: list[str], name: str, limit: int) -> list[str]:
    """The rows that fit in `limit` characters, and a last row saying how many are left out and where they are."""
    total = 0
    for k, row in enumerate(rows):
        total += len(row) + 4
        if total > limit:
            rest = len(rows) - k
            return rows[:k] + [f"&{_text(f'... {rest} more lines: see symcheck show {name} --detail paper')} &&"]
    return rows


def view_latex(v: ProofView, limit: int = NOTEBOOK_CHARS) -> str:
    """The heading, then a proved claim's presentation at `paper` detail, else its counterexample or
    the reason it is undecided; at most about `limit` characters."""
    rows = [f"&{_text(v.heading)} &&"]
    if v.verdict == "proved" and (v.composite or v.sides):
        rows += _proof(present(v, "paper", name=v.name), True)
    elif v.counterexample is not None:
        ce = v.counterexample
        rows.append("&" + _text("sizes: " + ", ".join(f"{k}={n}" for k, n in ce.sizes.items())) + " &&")
        rows += [f"&{k} = {latex_array(x)} &&" for k, x in ce.inputs.items()]
        rows += [rf"&\text{{lhs}} = {latex_array(ce.lhs)},\quad \text{{rhs}} = {latex_array(ce.rhs)} &&",
                 f"&{_text(ce.where)} &&"]
    elif v.reason:
        rows.append(f"&{_text(v.reason)} &&")
    return "$$\\begin{aligned}" + r" \\ ".join(_bounded(rows, v.name, limit)) + r"\end{aligned}$$"
