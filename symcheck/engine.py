"""Check one claim: try to prove it, else try to refute it, else say undecided.

The order encodes the contract: `proved` only from identical normal forms (and a
numeric cross-check that would expose a soundness bug as `error`, never as a
proof); `refuted` only with a counterexample confirmed in high precision;
`undecided` otherwise, with the reason.
"""

from __future__ import annotations

import dataclasses
import os
import time

from .budget import BudgetExceeded, interrupt_at
from .claim import Claim
from .collect import rare_collections
from .composition import NotComposable, prove_by_composition
from .config import Config
from .crosscheck import cross_check
from .errors import ClaimError
from .evaluate import EvaluationError, TooLarge
from .falsify import search
from .lineup import line_up
from .normalize import Normalizer, UnprovedSideCondition
from .problem import Problem, pose_claim
from .proof import Derivation, Proof
from .result import Result

PROOF_SHARE = 0.6      # of the time budget; the falsifier always has the rest

__all__ = ["check", "attempt_proof"]


def attempt_proof(problem: Problem, config: Config, deadline: float | None = None) -> Proof:
    """Normalize both sides with one normalizer (obligations are shared); normal forms that differ are
    lined up (`lineup`) and compared again. Identical sides (e.g. the same FFN block on both) need no rewriting."""
    if problem.lhs == problem.rhs:
        return Proof(Derivation(problem.lhs, ()), Derivation(problem.rhs, ()))
    norm = Normalizer(max_steps=config.max_steps, deadline=deadline)
    with rare_collections():
        lhs = norm.derive(problem.lhs, problem.context)
        rhs = norm.derive(problem.rhs, problem.context)
        if lhs.result != rhs.result:
            lhs, rhs = (line_up(norm, d, problem.context) for d in (lhs, rhs))
    return Proof(lhs, rhs, norm.discharged())


def _attempt(claim: Claim, problem: Problem, config: Config, deadline: float):
    """(proof or None, reason): composition for composite claims, normalization otherwise."""
    if problem.composite:
        remaining = lambda: dataclasses.replace(config, max_seconds=max(deadline - time.monotonic(), 0.0))
        try:
            return prove_by_composition(claim, lambda lemma: check(lemma, remaining())), None
        except NotComposable as err:
            if claim.via:              # the chain is the derivation stated: a broken link is reported, not bypassed
                return None, f"no proof by the chain: {err}"
            return _inlined(claim, config, deadline, f"no proof by composition: {err}")
    try:
        return attempt_proof(problem, config, deadline), None
    except BudgetExceeded as err:
        return None, f"no proof: {err}"


def _inlined(claim: Claim, config: Config, deadline: float, why: str):
    """Two compositions of different shapes (apply of one input against apply of two) are proved, when
    both have entry formulas, by one normalization of the inlined entries; stacks and simulations have none."""
    try:
        problem = pose_claim(claim, method="normalization")
    except ClaimError:
        return None, why
    if problem.composite:
        return None, why
    try:
        return attempt_proof(problem, config, deadline), None
    except BudgetExceeded as err:
        return None, f"{why}; no proof of the inlined entries: {err}"


def check(claim: Claim, config: Config = Config()) -> Result:
    """The verdict of one claim. An input error and an internal failure are `error` results
    (`error_kind` "input" or "internal"), never exceptions: one bad claim does not end a run."""
    start = time.monotonic()
    try:
        return _check(claim, config, start)
    except BudgetExceeded:
        raise                                      # the enclosing claim's timer: its attempt handles it
    except Exception as err:                       # a bug in symcheck: one error row, the run goes on
        if os.environ.get("SYMCHECK_DEBUG"):
            raise
        return Result(claim, "error", reason=f"internal error: {type(err).__name__}: {err}",
                      seconds=time.monotonic() - start, error_kind="internal")


def _check(claim: Claim, config: Config, start: float) -> Result:
    deadline = start + config.max_seconds
    proof_deadline = start + PROOF_SHARE * config.max_seconds
    try:
        with interrupt_at(proof_deadline):
            problem = pose_claim(claim)
    except ClaimError as err:
        return Result(claim, "error", reason=str(err), seconds=time.monotonic() - start, error_kind="input")
    except BudgetExceeded:
        return Result(claim, "undecided", reason="time budget exhausted while posing the claim",
                      seconds=time.monotonic() - start)
    sizes = {s.name: s.name for s in problem.sizes}
    try:
        with interrupt_at(proof_deadline):
            proof, reason = _attempt(claim, problem, config, proof_deadline)
    except BudgetExceeded as err:
        proof, reason = None, f"no proof: {err}"
    except UnprovedSideCondition as err:
        return Result(claim, "error", reason=f"internal soundness check failed: {err}",
                      seconds=time.monotonic() - start, sizes=sizes, error_kind="internal")
    if proof is not None and proof.proved:
        bug = cross_check(problem, config.seed, deadline)
        if bug is not None:
            return Result(claim, "error", reason=f"internal soundness check failed: {bug}", proof=proof,
                          seconds=time.monotonic() - start, sizes=sizes, error_kind="internal")
        return Result(claim, "proved", scope="symbolic", steps=proof.steps, proof=proof,
                      seconds=time.monotonic() - start, sizes=sizes)
    if proof is not None:
        reason = "no proof: the normal forms differ"
    try:
        found = search(problem, config, deadline)
    except TooLarge as err:
        return Result(claim, "undecided", proof=proof, seconds=time.monotonic() - start, sizes=sizes,
                      reason=f"{reason}; the falsifier cannot evaluate it: {err}")
    except EvaluationError as err:
        return Result(claim, "error", reason=f"claim {claim.qualname}: cannot evaluate: {err}", proof=proof,
                      seconds=time.monotonic() - start, sizes=sizes, error_kind="internal")
    elapsed = time.monotonic() - start
    if found.counterexample is not None:
        return Result(claim, "refuted", counterexample=found.counterexample, proof=proof, reason=reason,
                      steps=proof.steps if proof else None, seconds=elapsed, sizes=sizes, trials=found.trials)
    budget = "time budget ran out" if found.timed_out else f"sizes up to {found.largest}"
    return Result(claim, "undecided", proof=proof, steps=proof.steps if proof else None, seconds=elapsed,
                  sizes=sizes, trials=found.trials,
                  reason=f"{reason}; no counterexample in {found.trials} trials ({budget})")
