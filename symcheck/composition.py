"""Proofs by composition: congruence and induction on depth, from lemmas proved once.

Two inference schemes, each sound for every size:

* **Congruence.** If f(Y) ≡ g(Y) for every real matrix Y (a lemma, proved by
  normalization with Y a free input) and a ≡ b, then f(a) ≡ g(b): replace a by
  b (equals for equals; models read their inputs only through entries), then
  instantiate the lemma at Y := b. Instantiation needs b to be a real matrix,
  which every model is under the total semantics (`evaluate`). The lemma's Y
  must be fresh against every input of *both* bodies: were it named like an
  input that g reads, g(Y) would read Y where g(b) reads that input.
* **Induction on depth.** For stacks Y_ℓ = f(Y_{ℓ-1}, ℓ) and Z_ℓ = g(Z_{ℓ-1}, ℓ)
  from equal starts: if f(Y, ℓ) ≡ g(Y, ℓ) for every Y and every 1 ≤ ℓ ≤ L (one
  lemma, ℓ symbolic), then Y_ℓ ≡ Z_ℓ for ℓ = 0..L by congruence at each step,
  for every depth L.

Lemmas are ordinary claims checked by `check_lemma` (the engine), so they get
their own derivations, cross-checks and, recursively, compositions.
"""

from __future__ import annotations

from typing import Callable

import sympy as sp

from .claim import Claim
from .context import Context
from .errors import ClaimError
from .ir import LAYER, Applied, Formula, Model, Operand, Simulated, Stack
from .matrix import MatInput
from .model_ops import leaf_inputs, read_names
from .result import CompositeProof, Lemma, Result

__all__ = ["NotComposable", "prove_by_composition", "lemma_placeholders", "unstated_constraints"]


class NotComposable(Exception):
    """The two sides are not compositions of the same shape, or a lemma or side condition failed."""


def lemma_placeholders(pa: tuple, free_a: set[str], free_b: set[str]) -> tuple[MatInput, ...]:
    """The lemma's quantified inputs: the left placeholders' names, each primed until it is none
    of the inputs either body reads freely (the replay checker follows the same convention)."""
    taken = set(free_a) | set(free_b)
    out = []
    for p in pa:
        name = p.name
        while name in taken:
            name += "'"
        taken.add(name)
        out.append(MatInput(name, p.rows, p.cols))
    return tuple(out)


def _free_inputs(fn, placeholders, *extra) -> set[str]:
    """Inputs `fn`'s body reads other than its parameters (probed at names no input has)."""
    probes = tuple(MatInput(f"{p.name}\u2020probe", p.rows, p.cols) for p in placeholders)
    body = fn(*probes, *extra)
    return read_names(body) - {p.name for p in probes}


class _Argument:
    def __init__(self, claim: Claim, check_lemma: Callable[[Claim], Result]):
        self.claim, self.check_lemma = claim, check_lemma
        self.lines: list[str] = []
        self.lemmas: list[Lemma] = []

    def lemma(self, lhs: Model, rhs: Model, quantified: str, use: str, constraints=(), placeholders=()) -> tuple[str, int]:
        """Check lhs ≡ rhs for all inputs. Assumptions carry over only to inputs that stay inputs:
        a placeholder is instantiated at arbitrary matrices, so nothing may be assumed of it."""
        k = len(self.lemmas) + 1
        used = set(leaf_inputs(lhs)) | set(leaf_inputs(rhs))
        assume = tuple(a for a in self.claim.assume if a.name in used and a.name not in {p.name for p in placeholders})
        # the lemma is needed only inside the claim's domain, and may not hold outside it
        # (a stack's layer ℓ <= L indexes weights that exist only there)
        claim = Claim(f"{self.claim.name}_lemma{k}", lhs, rhs, where=self.claim.where + tuple(constraints), assume=assume,
                      statement=f"{_name(lhs)} equals {_name(rhs)}{' ' if quantified else ''}{quantified}.",
                      module=self.claim.module, file=self.claim.file, lemma_number=self.claim.lemma_number + (k,))
        unstated = unstated_constraints(claim.constraints, self.claim.constraints + tuple(constraints))
        if unstated:
            raise NotComposable(f"lemma {k} ({claim.statement}) holds only where {unstated[0][0]} <= {unstated[0][1]}, "
                                "which the claim does not state: a model's own size constraint is a hypothesis of "
                                "the claim (add it to where=)")
        lemma = Lemma(claim, self.check_lemma(claim), use)
        self.lemmas.append(lemma)
        title, result = lemma.title, lemma.result
        if result.verdict != "proved":
            raise NotComposable(f"{title} ({claim.statement}) is {result.verdict}"
                                + (f": {result.reason}" if result.reason else ""))
        return title, k - 1

    def equal(self, a: Operand, b: Operand) -> dict:
        """Prove a ≡ b; returns the step of the argument as data (for certificates)."""
        if a is b or (isinstance(a, MatInput) and a == b):
            return {"by": "identical"}
        match a, b:
            case Applied(), Applied():
                return self._congruence(a, b)
            case Stack(), Stack():
                return self._induction(a, b)
            case (Stack() | Simulated(), _) | (_, Stack() | Simulated()):
                raise NotComposable(f"{_name(a)} and {_name(b)} are not compositions of the same shape")
            case _:
                title, k = self.lemma(a, b, "", use="as stated")
                self.lines.append(f"{_name(a)} = {_name(b)} by {title}.")
                return {"by": "lemma", "lemma": k, "inlined": isinstance(a, Applied) or isinstance(b, Applied)}

    def chain(self, models: tuple[Operand, ...]) -> dict:
        """m_0 ≡ m_1 ≡ ... ≡ m_k link by link; the ends are equal by transitivity."""
        links = [self.equal(a, b) for a, b in zip(models, models[1:])]
        self.lines.append(f"{' = '.join(_name(m) for m in models)}, each equation above; so {_name(models[0])} = "
                          f"{_name(models[-1])} by transitivity.")
        return {"by": "chain", "links": links}

    def _congruence(self, a: Applied, b: Applied):
        if len(a.args) != len(b.args):
            raise NotComposable(f"{a.label} takes {len(a.args)} inputs but {b.label} takes {len(b.args)}")
        args = [self.equal(x, y) for x, y in zip(a.args, b.args)]
        ys = lemma_placeholders(a.placeholders, _free_inputs(a.fn, a.placeholders), _free_inputs(b.fn, b.placeholders))
        names = ", ".join(p.name for p in ys)
        title, k = self.lemma(a.fn(*ys), b.fn(*ys), f"for every {names}", placeholders=ys,
                              use=", ".join(f"{p.name} := {_name(y)}" for p, y in zip(ys, b.args)))
        self.lines.append(f"{a.label} = {b.label}: the arguments are equal (above or identical), so by "
                          f"congruence and {title} at {', '.join(f'{p.name} := {_name(y)}' for p, y in zip(ys, b.args))}.")
        return {"by": "congruence", "args": args, "lemma": k}

    def _induction(self, a: Stack, b: Stack):
        if sp.expand(a.depth - b.depth) != 0:
            raise NotComposable(f"the stacks have different depths: {a.depth} and {b.depth}")
        start = self.equal(a.start, b.start)
        (y,) = lemma_placeholders((a.placeholder,), _free_inputs(a.step, (a.placeholder,), LAYER),
                                  _free_inputs(b.step, (b.placeholder,), LAYER))
        title, k = self.lemma(a.step(y, LAYER), b.step(y, LAYER), f"for every {y.name} and every layer 1 ≤ ℓ ≤ {a.depth}",
                           use=f"{y.name} := layer ℓ-1's output", constraints=((LAYER, a.depth),), placeholders=(y,))
        self.lines.append(f"Induction on ℓ = 0..{a.depth}: both stacks start from {_name(a.start)} "
                          f"{'(the same input)' if a.start == b.start else '(equal, above)'}; if the outputs of "
                          f"layer ℓ-1 are equal, so are those of layer ℓ, by congruence and {title} at "
                          f"{y.name} := the output of layer ℓ-1 (defined everywhere).")
        return {"by": "induction", "start": start, "lemma": k}


def unstated_constraints(needed: tuple, stated: tuple) -> list[tuple]:
    """The constraints in `needed` that `stated` (and sizes >= 1) do not entail. A lemma proved under a constraint
    the claim does not state (a model of a chain link, a stack's step, declaring its own) covers only part of the
    claim's domain: ℓ <= 20 proves nothing of the layers after the 20th."""
    pairs = tuple((sp.sympify(lo), sp.sympify(hi)) for lo, hi in (*needed, *stated))
    symbols = sorted(set().union(*(sp.Tuple(*p).free_symbols for p in pairs)), key=lambda x: x.name)
    ctx = Context().with_facts(*((1, x) for x in symbols if x.is_integer and x.is_positive),
                               *((sp.sympify(lo), sp.sympify(hi)) for lo, hi in stated))
    return [(lo, hi) for lo, hi in needed if not ctx.proves_le(lo, hi)]


def _name(m: Operand) -> str:
    return m.name if isinstance(m, MatInput) else m.label


def prove_by_composition(claim: Claim, check_lemma: Callable[[Claim], Result]) -> CompositeProof:
    """The composite proof of `claim`, or NotComposable with the reason there is none."""
    for plain, other in ((claim.lhs, claim.rhs), (claim.rhs, claim.lhs)) if not claim.via else ():
        if isinstance(plain, Formula) and isinstance(other, Stack):
            raise NotComposable(f"{other.label} has symbolic depth {other.depth}: a proof by induction on the depth "
                                "needs a stack on both sides (write the other side as a stack of the same depth, or "
                                "give the depth as an integer to unroll the layers)")
        if isinstance(plain, Formula):
            raise NotComposable("only one side is a composition")
    argument = _Argument(claim, check_lemma)
    try:
        tree = argument.chain((claim.lhs, *claim.via, claim.rhs)) if claim.via else argument.equal(claim.lhs, claim.rhs)
    except ClaimError as err:
        raise NotComposable(f"a lemma is malformed: {err}") from err
    return CompositeProof(tuple(argument.lines), tuple(argument.lemmas), tree)
