"""Results that leave the process that computed them: into the proof cache, or from a worker to the parent.

A result holds its claim, and a composite proof holds its lemmas' claims: models whose entries are the
derivation file's closures, which do not pickle. So a result travels as two blobs without claims, its
summary (verdict, counterexample, timings) and its proof. The receiver re-attaches the claim it loaded
itself; a composite proof gets its lemmas' claims back by walking the composition again with each
lemma's check answered by the stored result (`prove_by_composition` calls the models' functions and
proves nothing), and the walk must reproduce the stored argument, or the blob is stale.

sympy's own unpickling re-evaluates every node: slow on long traces, and it turned an obligation's
unevaluated `0 = 0` into `True`. Loading under `evaluate(False)` rebuilds each node as it was stored.
The proof blob is read only when asked for (`show`, `render`, certificates): a re-check prints its
verdicts from the summaries alone.
"""

from __future__ import annotations

import dataclasses
import pickle
from dataclasses import dataclass

from sympy.core.parameters import evaluate

from .claim import Claim
from .composition import NotComposable, prove_by_composition
from .result import CompositeProof, Lemma, Result

__all__ = ["Packed", "Stale", "pack", "unpack"]


class Stale(Exception):
    """A stored proof that no longer matches its claim's composition (or does not load)."""


@dataclass(frozen=True)
class Packed:
    """A result as bytes: the summary always, the proof when there is one."""

    summary: bytes
    proof: bytes | None


def _without_claims(proof):
    if not isinstance(proof, CompositeProof):
        return proof
    lemmas = tuple(Lemma(None, _bare(lemma.result), lemma.use) for lemma in proof.lemmas)
    return dataclasses.replace(proof, lemmas=lemmas)


def _bare(result: Result) -> Result:
    return dataclasses.replace(result, claim=None, proof=_without_claims(result.proof))


def pack(result: Result) -> Packed:
    """`result` as two pickles, neither holding a claim; raises pickle.PicklingError if it cannot travel."""
    summary = pickle.dumps(dataclasses.replace(result, claim=None, proof=None), protocol=pickle.HIGHEST_PROTOCOL)
    proof = None if result.proof is None else pickle.dumps(_without_claims(result.proof),
                                                           protocol=pickle.HIGHEST_PROTOCOL)
    return Packed(summary, proof)


def _loads(data: bytes):
    try:
        with evaluate(False):
            return pickle.loads(data)
    except Exception as err:                 # a truncated file, a renamed class: nothing to reuse
        raise Stale(f"does not load: {type(err).__name__}: {err}") from err


def unpack(packed: Packed, claim: Claim, proof: bool = True) -> Result:
    """The result of `claim` from `packed`; without its proof (`proof=None`) unless `proof`. Raises
    Stale when the blob does not load or no longer fits the claim."""
    summary = _loads(packed.summary)
    if not isinstance(summary, Result):
        raise Stale(f"holds a {type(summary).__name__}, not a result")
    if not proof or packed.proof is None:
        return dataclasses.replace(summary, claim=claim)
    return _with_claims(dataclasses.replace(summary, proof=_loads(packed.proof)), claim)


def _with_claims(result: Result, claim: Claim) -> Result:
    proof = result.proof
    if isinstance(proof, CompositeProof):
        proof = _rewalked(claim, proof)
    return dataclasses.replace(result, claim=claim, proof=proof)


def _rewalked(claim: Claim, stored: CompositeProof) -> CompositeProof:
    pending = iter(stored.lemmas)

    def stored_result(lemma_claim: Claim) -> Result:
        lemma = next(pending, None)
        if lemma is None:
            raise Stale(f"{claim.qualname}: the composition now needs more lemmas than were stored")
        return _with_claims(lemma.result, lemma_claim)

    try:
        walked = prove_by_composition(claim, stored_result)
    except NotComposable as err:
        raise Stale(f"{claim.qualname}: the stored lemmas no longer compose: {err}") from err
    if (next(pending, None) is not None or walked.argument != stored.argument or walked.tree != stored.tree
            or [x.use for x in walked.lemmas] != [x.use for x in stored.lemmas]):
        raise Stale(f"{claim.qualname}: the stored argument no longer matches the claim's composition")
    return walked
