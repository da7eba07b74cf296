"""One proof as the rows every presentation of it shows, built once by `Result.view()`.

Three thin back-ends render a view: the terminal (`report.show`), the notebook
(`notebook.view_latex`, MathJax) and the appendix (`render`, Jinja templates). Rows
hold sympy expressions and proof records, not strings: each back-end formats them
in its own notation and chooses what to show; the kind of proof is decided once, here.
"""

from __future__ import annotations

from dataclasses import dataclass

from .claim import Claim
from .counterexample import Counterexample
from .proof import Derivation, DischargedObligation

__all__ = ["Side", "LemmaView", "ProofView"]


@dataclass(frozen=True)
class Side:
    """A titled rewrite trace: a side of the claim ("left-hand side"), of an obligation, of a lemma."""

    title: str
    derivation: Derivation


@dataclass(frozen=True)
class LemmaView:
    """A lemma a composite proof rests on, how the argument uses it, and its own proof."""

    title: str                # "Lemma 1.2"
    use: str                  # the instantiation, e.g. "Y := layer ℓ-1's output"
    view: ProofView


@dataclass(frozen=True)
class ProofView:
    """A checked claim: a composition (argument and lemmas) or a normalization (sides, obligations),
    or neither; and a counterexample or the reason it is undecided, when there is one."""

    claim: Claim
    name: str
    verdict: str
    scope: str | None
    steps: int | None
    argument: tuple[str, ...] = ()                       # a composition: one line per inference
    lemmas: tuple[LemmaView, ...] = ()
    sides: tuple[Side, ...] = ()                         # a normalization: both sides' traces
    obligations: tuple[DischargedObligation, ...] = ()
    counterexample: Counterexample | None = None
    reason: str | None = None

    @property
    def heading(self) -> str:
        scope = f" ({self.scope})" if self.scope else ""
        return f"{self.name}: {self.verdict}{scope}, expected {self.claim.expect}"

    @property
    def composite(self) -> bool:
        return bool(self.argument or self.lemmas)

    @property
    def rules_used(self) -> list[str]:
        """The rules of the sides' traces, sorted (obligations' rules are listed with them)."""
        return sorted({s.rule for side in self.sides for s in side.derivation.steps})
