"""Results in Jupyter: a checked claim displays its derivation (MathJax-ready LaTeX).

MathJax cannot load the appendix's macro definitions, so notation is expanded
inline here; the content is the same checked derivation the appendix shows.
"""

from __future__ import annotations

from .composition import CompositeProof
from .latex import latex, latex_array

__all__ = ["result_latex"]


def _text(s: str) -> str:
    return r"\text{" + s.replace("\\", "").replace("{", "").replace("}", "").replace("$", "") + "}"


def _derivation(d) -> list[str]:
    rows = [f"& {latex(d.start, True)} &&"]
    rows += [f"&= {latex(s.after, True)} && {_text(s.rule)}" for s in d.steps]
    return rows


def result_latex(r) -> str:
    head = _text(f"{r.name}: {r.verdict}" + (f" ({r.scope})" if r.scope else "") + f", expected {r.claim.expect}")
    rows = [f"&{head} &&"]
    if r.verdict == "proved" and isinstance(r.proof, CompositeProof):
        rows += [f"&{_text(line)} &&" for line in r.proof.argument]
        rows += [f"&{_text(f'{lemma.title}: {lemma.claim.statement} ({lemma.result.steps} steps)')} &&"
                 for lemma in r.proof.lemmas]
    elif r.verdict == "proved" and r.proof is not None:
        for title, d in (("left-hand side", r.proof.lhs), ("right-hand side", r.proof.rhs)):
            rows.append(f"&{_text(title)} &&")
            rows += _derivation(d)
    elif r.counterexample is not None:
        ce = r.counterexample
        rows.append("&" + _text("sizes: " + ", ".join(f"{k}={v}" for k, v in ce.sizes.items())) + " &&")
        rows += [f"&{k} = {latex_array(v)} &&" for k, v in ce.inputs.items()]
        rows += [rf"&\text{{lhs}} = {latex_array(ce.lhs)},\quad \text{{rhs}} = {latex_array(ce.rhs)} &&",
                 f"&{_text(ce.where)} &&"]
    elif r.reason:
        rows.append(f"&{_text(r.reason)} &&")
    return "$$\\begin{aligned}" + r" \\ ".join(rows) + r"\end{aligned}$$"
