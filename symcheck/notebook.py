"""The notebook back-end of a proof view: MathJax-ready LaTeX for `Result._repr_latex_`.

MathJax cannot load the appendix's macro definitions, so notation is expanded
inline here; the content is the same checked derivation the appendix shows, at the
appendix's default `paper` detail (one line per phase), so its size stays bounded.
"""

from __future__ import annotations

from .latex import latex, latex_array
from .phases import lines
from .view import ProofView

__all__ = ["view_latex"]


def _text(s: str) -> str:
    return r"\text{" + s.replace("\\", "").replace("{", "").replace("}", "").replace("$", "") + "}"


def view_latex(v: ProofView) -> str:
    """The heading, then a proved claim's argument and lemmas or derivations, else its counterexample
    or the reason it is undecided."""
    rows = [f"&{_text(v.heading)} &&"]
    if v.verdict == "proved" and v.composite:
        rows += [f"&{_text(line)} &&" for line in v.argument]
        rows += [f"&{_text(f'{lemma.title}: {lemma.view.claim.statement} ({lemma.view.steps} steps)')} &&"
                 for lemma in v.lemmas]
    elif v.verdict == "proved" and v.sides:
        for side in v.sides:
            rows.append(f"&{_text(side.title)} &&")
            rows.append(f"& {latex(side.derivation.start, True)} &&")
            rows += [f"&= {latex(line.expr, True)} && " + _text(f"{line.label} ({', '.join(line.rules)})")
                     for line in lines(side.derivation, "paper")]
    elif v.counterexample is not None:
        ce = v.counterexample
        rows.append("&" + _text("sizes: " + ", ".join(f"{k}={n}" for k, n in ce.sizes.items())) + " &&")
        rows += [f"&{k} = {latex_array(x)} &&" for k, x in ce.inputs.items()]
        rows += [rf"&\text{{lhs}} = {latex_array(ce.lhs)},\quad \text{{rhs}} = {latex_array(ce.rhs)} &&",
                 f"&{_text(ce.where)} &&"]
    elif v.reason:
        rows.append(f"&{_text(v.reason)} &&")
    return "$$\\begin{aligned}" + r" \\ ".join(rows) + r"\end{aligned}$$"
