"""What checking a claim yields: a verdict and its evidence, a proof or a counterexample.

A proof is a normalization (`proof.Proof`: both sides' traces) or a composition
(`CompositeProof`: an argument resting on lemmas, each itself a checked `Result`;
the two are defined together because each contains the other). `Result.view()`
is the one walk over the evidence that every presentation renders.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .claim import Claim
from .counterexample import Counterexample
from .notebook import view_latex
from .proof import Proof
from .view import LemmaView, ProofView, Side

__all__ = ["VERDICTS", "Lemma", "CompositeProof", "Result"]

VERDICTS = ("proved", "refuted", "undecided", "error")


@dataclass(frozen=True)
class Lemma:
    """A claim the composite proof rests on, checked on its own; its number is the claim's `lemma_number`."""

    claim: Claim
    result: Result
    use: str                  # how the argument uses it (which instantiation)

    @property
    def title(self) -> str:
        return "Lemma " + ".".join(str(k) for k in self.claim.lemma_number)


@dataclass(frozen=True)
class CompositeProof:
    """The argument (one line per inference) and the lemmas it rests on."""

    argument: tuple[str, ...]
    lemmas: tuple[Lemma, ...]
    tree: dict = None         # the argument as data: {"by": identical|lemma|congruence|induction, ...}

    @property
    def proved(self) -> bool:
        return all(lemma.result.verdict == "proved" for lemma in self.lemmas)

    @property
    def steps(self) -> int:
        return sum(lemma.result.steps or 0 for lemma in self.lemmas)

    def derivations(self) -> tuple:
        """Every rewrite trace of every lemma's proof."""
        return tuple(d for lemma in self.lemmas for d in lemma.result.proof.derivations())


@dataclass
class Result:
    """The verdict of one claim, with its proof (or the attempt at one) and counterexample."""

    claim: Claim
    verdict: str
    scope: str | None = None
    seconds: float = 0.0
    steps: int | None = None
    counterexample: Counterexample | None = None
    reason: str | None = None
    proof: Proof | CompositeProof | None = None      # also kept for a failed attempt
    sizes: dict = field(default_factory=dict)
    trials: int = 0
    error_kind: str | None = None        # for `error`: "input" (malformed claim, exit 2) or "internal" (exit 3)

    @property
    def ok(self) -> bool:
        """The verdict is the expected one. An expected `undecided` also needs the numeric search to
        have run on both sides without a difference: an undecided claim nobody evaluated is no result."""
        if self.claim.expect == "undecided":
            return self.verdict == "undecided" and self.trials > 0
        return self.verdict == self.claim.expect

    @property
    def name(self) -> str:
        return self.claim.qualname

    def __bool__(self) -> bool:
        """`assert check(claim)` asserts the expected verdict, never merely that a result exists."""
        return self.ok

    def __repr__(self) -> str:
        scope = f", {self.scope}" if self.scope else ""
        return (f"<Result {self.name}: {self.verdict}{scope}, {self.seconds:.2f}s, "
                f"{'as expected' if self.ok else f'expected {self.claim.expect}'}>")

    def view(self) -> ProofView:
        """The rows every presentation shows (terminal, notebook, appendix)."""
        p = self.proof
        parts = {}
        if isinstance(p, CompositeProof):
            parts = {"argument": p.argument,
                     "lemmas": tuple(LemmaView(lemma.title, lemma.use, lemma.result.view()) for lemma in p.lemmas)}
        elif isinstance(p, Proof):
            parts = {"sides": (Side("left-hand side", p.lhs), Side("right-hand side", p.rhs)),
                     "obligations": p.obligations}
        return ProofView(self.claim, self.name, self.verdict, self.scope, self.steps, **parts,
                         counterexample=self.counterexample, reason=self.reason)

    def _repr_latex_(self) -> str:
        """Jupyter shows the derivation or the counterexample."""
        return view_latex(self.view())
