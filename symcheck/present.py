"""One proof at one level of detail, as every presentation shows it.

The terminal (`report.show`), the notebook (`notebook.view_latex`) and the appendix (`render`)
format the same `Presentation`, so the three never disagree about what a proof says: the same
phases, the same rules named, the same named parts, the same lemmas referred to. Rows hold sympy
expressions (bound indices renamed, long subterms replaced by `display.Part`s), not strings; each
back-end prints them in its own notation. Like `phases`, this is a view: nothing is rewritten.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

import sympy as sp

from .binders import subst
from .display import Part, Parts, plain_free, plain_names
from .latex import latex
from .phases import Detail, lines, same_up_to_renaming
from .problem import Problem, pose_claim
from .proof import Derivation
from .rules import RULES
from .sameness import Reference, reference
from .view import ProofView

__all__ = ["Form", "Phase", "Define", "Joins", "Row", "Display", "ObligationShown", "Normalization",
           "LemmaShown", "Composition", "Identical", "Presentation", "present", "phases_of"]


@dataclass(frozen=True)
class Form:
    """A displayed form (an equation's sides, when it is one); at `full` detail, the rule that led to it
    and the side conditions proved for that step."""

    sides: tuple[sp.Basic, ...]
    rule: str | None = None
    conditions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Phase:
    """What led from the form before to the form after: phases in a person's words, and their rules."""

    label: str
    rules: tuple[str, ...]


@dataclass(frozen=True)
class Define:
    """The definition of a named part, after the form that first uses it."""

    part: Part
    body: sp.Basic


@dataclass(frozen=True)
class Joins:
    """The form above is one the derivation titled `title` passes through: from here on it goes as there."""

    title: str


Row = Union[Form, Phase, Define, Joins]


@dataclass(frozen=True)
class Display:
    """A titled sequence of rows: a derivation, or one formula and the parts it defines."""

    title: str
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class ObligationShown:
    """An induction obligation: its statement, and both sides' derivations, or the earlier obligation it
    repeats up to renaming (`like`). `rhs` is None when the left side's derivation ends in the right side."""

    title: str
    statement: Display | None
    like: str | None
    lhs: Display | None
    rhs: Display | None


@dataclass(frozen=True)
class Normalization:
    """Both sides brought to one normal form (`normal_form` shown again only at `full` detail)."""

    problem: Problem
    sides: tuple[Display, ...]
    obligations: tuple[ObligationShown, ...]
    explanations: tuple[str, ...]
    normal_form: Display | None


@dataclass(frozen=True)
class LemmaShown:
    title: str
    statement: str
    use: str
    label: str
    verdict: str
    steps: int | None
    same_as: Reference | None          # proved before, word for word or up to a renaming: referred to
    proof: Presentation | None         # None when referred to, or when there is no proof to show


@dataclass(frozen=True)
class Composition:
    argument: tuple[str, ...]
    lemmas: tuple[LemmaShown, ...]


@dataclass(frozen=True)
class Identical:
    """Both sides are the same expression: nothing to derive."""


Presentation = Union[Normalization, Composition, Identical]


def present(v: ProofView, detail: Detail, seen: dict | None = None, name: str = "") -> Presentation:
    """The proof of `v` at `detail`. `seen` collects the lemmas presented so far (an appendix shares one
    across claims): below `full` detail a lemma proved before, up to a renaming, is referred to."""
    seen = {} if seen is None else seen
    if v.composite:
        return Composition(v.argument, tuple(_lemma(lemma, detail, seen, name) for lemma in v.lemmas))
    if detail != "full" and not v.steps and v.sides[0].derivation.start == v.sides[1].derivation.start:
        return Identical()
    parts = None if detail == "full" else Parts(latex)
    sides: list[Display] = []
    for side in v.sides:
        sides.append(_derivation(side.title, side.derivation, detail, parts, joins=sides[0] if sides else None))
    obligations = []
    for k, o in enumerate(v.obligations):
        like = None if detail == "full" else next(
            (p.title for p in v.obligations[:k] if same_up_to_renaming(p, o)), None)
        rename = None if detail == "full" else plain_free(o.lhs.start, o.rhs.start,
                                                            *([o.statement] if o.statement is not None else []))
        statement = _formula(o.statement, parts, rename) if o.statement is not None else None
        lhs = rhs = None
        if like is None:
            lhs = _derivation("Left side", o.lhs, detail, parts, rename)
            rhs = _derivation("Right side", o.rhs, detail, parts, rename, joins=lhs)
            if detail != "full" and _forms(rhs)[:1] == _forms(lhs)[-1:]:     # the right side: where the left ends
                lhs, rhs = Display("Left side, down to the right side", lhs.rows), None
        obligations.append(ObligationShown(o.title, statement, like, lhs, rhs))
    normal = _formula(v.sides[0].derivation.result, parts) if detail == "full" else None
    return Normalization(pose_claim(v.claim), tuple(sides), tuple(obligations), _explanations(v), normal)


def _lemma(lemma, detail: Detail, seen: dict, name: str) -> LemmaShown:
    label = f"symcheck:{name}:lemma-{lemma.title.split()[-1]}"
    same = None if detail == "full" else reference(lemma.view, seen, detail)
    if same is None and detail != "full":
        seen.setdefault(detail, []).append((lemma.view, Reference(label, lemma.title, name)))
    v = lemma.view
    proof = present(v, detail, seen, name) if same is None and (v.composite or v.sides) else None
    return LemmaShown(lemma.title, v.claim.statement, lemma.use, label, v.verdict, v.steps, same, proof)


def _forms(d: Display) -> list[tuple[sp.Basic, ...]]:
    return [r.sides for r in d.rows if isinstance(r, Form)]


def _explanations(v: ProofView) -> tuple[str, ...]:
    """Each rule's own words for the obligations its steps rely on (the rules' prose, not a template's)."""
    derivations = [side.derivation for side in v.sides] + [d for o in v.obligations for d in (o.lhs, o.rhs)]
    relying = sorted({s.rule for d in derivations for s in d.steps if s.obligations})
    return tuple(RULES[n].explanation for n in relying if RULES[n].explanation)


def _shown(expr: sp.Basic, parts: Parts | None, rename: dict | None) -> tuple[tuple[sp.Basic, ...], list[Define]]:
    """A form as displayed, and the definitions of the parts it names first. An equation's sides are
    kept apart: rebuilt, sympy would evaluate it."""
    if parts is None:
        return (expr,), []
    sides = expr.args if isinstance(expr, sp.Equality) else (expr,)
    shown, defined = [], []
    for side in sides:
        got, new = parts.line(plain_names(subst(side, rename) if rename else side))
        shown.append(got)
        defined += [Define(p, body) for p, body in new]
    return tuple(shown), defined


def _formula(expr: sp.Basic, parts: Parts | None, rename: dict | None = None) -> Display:
    sides, defined = _shown(expr, parts, rename)
    return Display("", (Form(sides), *defined))


def _derivation(title: str, d: Derivation, detail: Detail, parts: Parts | None, rename: dict | None = None,
                joins: Display | None = None) -> Display:
    """The rows of a trace at `detail`: its start, then each line (a step at `full`, else a phase). Below
    `full`, a derivation that reaches a form `joins` passes through (before its last) stops there: from
    there on it goes as that one."""
    known = {} if joins is None or detail == "full" else {f: joins.title for f in _forms(joins)[:-1]}
    sides, defined = _shown(d.start, parts, rename)
    rows: list[Row] = [Form(sides), *defined]
    if sides in known:
        return Display(title, (*rows, Joins(known[sides])))
    if detail == "full":
        rows += [Form((s.after,), s.rule, tuple(c.text() for c in s.conditions)) for s in d.steps]
        return Display(title, tuple(rows))
    for line in lines(d, detail):
        sides, defined = _shown(line.expr, parts, rename)
        rows += [Phase(line.label, line.rules), Form(sides), *defined]
        if sides in known:
            rows.append(Joins(known[sides]))
            break
    return Display(title, tuple(rows))


def phases_of(p: Presentation) -> list[tuple[str, tuple[str, ...]]]:
    """Every phase the presentation names, in order, with its rules (lemmas included): what the three
    back-ends must agree on."""
    if isinstance(p, Composition):
        return [ph for lemma in p.lemmas if lemma.proof is not None for ph in phases_of(lemma.proof)]
    if isinstance(p, Identical):
        return []
    displays = [*p.sides, *(d for o in p.obligations for d in (o.lhs, o.rhs) if d is not None)]
    return [(r.label, r.rules) for d in displays for r in d.rows if isinstance(r, Phase)]
