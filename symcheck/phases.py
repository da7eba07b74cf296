"""Presentations of one recorded rewrite trace at three levels of detail.

A reader follows "unfold the definitions, decide the guards, cancel", not 300 rule
applications. `lines(derivation, detail)` is a *view*: every line it returns is a form
the recorded trace passes through, labelled by the rules that led to it; nothing here
rewrites anything, so the proof (and its certificate) is the same at every level.

- `full`: every step, labelled by its rule (the trace as recorded);
- `paper`: consecutive steps of one phase (a row of `PHASES`) as one line naming the phase
  and its rules; bookkeeping steps (renaming, reading an input's entry) join their neighbour,
  and a phase that ends where it started is dropped;
- `sketch`: the first unfolded form and the normal form.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import sympy as sp

from .proof import Derivation, DischargedObligation

__all__ = ["DETAILS", "Detail", "Line", "lines", "phase_of", "same_up_to_renaming"]

Detail = Literal["paper", "full", "sketch"]
DETAILS: tuple[str, ...] = ("paper", "full", "sketch")

# What a person calls each rule's kind of step; a rule missing here is a phase of its own, named by it.
PHASES: dict[str, str] = {
    **dict.fromkeys(("entry-transpose", "entry-scale", "entry-matmul", "entry-masked-softmax",
                     "content-addressing"), "unfold the definitions"),
    **dict.fromkeys(("fresh-slot-allocation", "unroll-write-once", "recurrence-closed-form"), "unroll the memory"),
    **dict.fromkeys(("iverson-decide", "iverson-idempotent", "iverson-exclusive"), "decide the guards"),
    "sum-guard-to-range": "move the guard into the range",
    **dict.fromkeys(("distribute", "expand-power", "sum-split-add", "sum-factor-in", "exp-merge", "prod-exp",
                     "prod-factor"), "expand and collect"),
    **dict.fromkeys(("sum-empty", "sum-zero", "sum-singleton", "sum-delta", "sum-absorb-last",
                     "sum-range-difference", "prod-empty", "prod-one", "prod-singleton", "prod-absorb-last"),
                    "cancel and evaluate the sums"),
    **dict.fromkeys(("sum-concat", "sum-blocks", "floor-quotient", "sum-peel-last", "sum-shift", "sum-reverse"),
                    "rearrange the ranges"),
    "unit-norm": "use the unit norm",
}
PAPER_LINES = 4     # rounds beyond this many are merged: nobody reads ten versions of one long formula
# Steps that change only names or fonts: they join the phase around them.
BOOKKEEPING = frozenset({"alpha-rename", "entry-input"})


def phase_of(rule: str) -> str:
    return PHASES.get(rule, rule)


@dataclass(frozen=True)
class Line:
    """A form of the trace and what led to it from the line before: phases (or a rule) and their rules."""

    expr: sp.Expr
    phases: tuple[str, ...]
    rules: tuple[str, ...]

    @property
    def label(self) -> str:
        return ", ".join(self.phases)


def lines(d: Derivation, detail: Detail) -> tuple[Line, ...]:
    """The forms after the start that `detail` shows (the start itself is `d.start`)."""
    if detail == "full":
        return tuple(Line(s.after, (s.rule,), (s.rule,)) for s in d.steps)
    grouped = _grouped(d)
    if detail == "sketch":
        return grouped[:1] + grouped[-1:] if len(grouped) > 2 else grouped
    if detail == "paper":
        return _at_most(PAPER_LINES, grouped)
    raise ValueError(f"detail must be one of {', '.join(DETAILS)}, got {detail!r}")


def _grouped(d: Derivation) -> tuple[Line, ...]:
    """Cut the trace where a phase would recur: numerator and denominator, or both memories, are
    rewritten by the same phases one after the other, and a reader sees one line per round."""
    labels = _labels([s.rule for s in d.steps])
    out: list[Line] = []
    before, phases, rules = d.start, [], []
    for k, s in enumerate(d.steps):
        phases += [] if labels[k] in phases else [labels[k]]
        rules += [] if s.rule in rules else [s.rule]
        nxt = labels[k + 1] if k + 1 < len(d.steps) else None
        if nxt is None or (nxt != labels[k] and nxt in phases):
            if s.after != before:
                out.append(Line(s.after, tuple(phases), tuple(rules)))
            before, phases, rules = s.after, [], []
    return tuple(out)


def _at_most(n: int, shown: tuple[Line, ...]) -> tuple[Line, ...]:
    """`shown` merged into `n` consecutive groups of about equal size, each shown by its last form."""
    if len(shown) <= n:
        return shown
    ends = [round(k * len(shown) / n) for k in range(n + 1)]
    out = []
    for lo, hi in zip(ends, ends[1:]):
        group = shown[lo:hi]
        phases = tuple(dict.fromkeys(p for line in group for p in line.phases))
        rules = tuple(dict.fromkeys(r for line in group for r in line.rules))
        out.append(Line(group[-1].expr, phases, rules))
    return tuple(out)


def _labels(rules: list[str]) -> list[str]:
    """Each step's phase; a bookkeeping step takes the phase of the step before it (or after it, first)."""
    labels: list[str | None] = [None if r in BOOKKEEPING else phase_of(r) for r in rules]
    for k in range(1, len(labels)):
        labels[k] = labels[k] or labels[k - 1]
    for k in range(len(labels) - 2, -1, -1):
        labels[k] = labels[k] or labels[k + 1]
    return [label or "rename bound indices" for label in labels]


def same_up_to_renaming(a: DischargedObligation, b: DischargedObligation) -> bool:
    """Whether the two obligations' traces are one trace with the symbols renamed (bijectively, by
    first occurrence): the paper view shows the first and says "likewise" for the second."""
    return _shape(a) == _shape(b)


def _shape(o: DischargedObligation) -> tuple:
    names: dict[sp.Basic, int] = {}

    def walk(e) -> object:
        if isinstance(e, sp.Number):
            return ("number", e)
        if not e.args:
            return ("atom", type(e).__name__, names.setdefault(e, len(names)))
        return (type(e).__name__, *(walk(a) for a in e.args))

    traces = (o.lhs, o.rhs)
    return tuple((walk(d.start), tuple((s.rule, walk(s.after)) for s in d.steps)) for d in traces)
