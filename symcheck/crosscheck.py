"""The numeric safety net after a proof: a portfolio of sizes and inputs that a proof must survive.

A proof is a chain of rules, each proved sound; this checks the chain's end
numerically anyway, so that a bug in a rule, in the canonicalizer or in sympy
shows as an internal error, never as `proved`. The portfolio is built to hit
the places where wrong rules differ from right ones: sizes up to 6 including
all-equal, all-different, largest and boundary assignments (a constraint
tight, random others), every entry of the output, and small-integer inputs
with exact zeros and negatives (a product that is 0 only at an exact zero),
beside normal draws. A domain with no small point is checked at points found further out.
"""

from __future__ import annotations

import time

import numpy as np

from .evaluate import TooLarge, mp_backend
from .falsify import compare, sample_inputs
from .problem import Problem

__all__ = ["portfolio_sizes", "cross_check"]

MAX_SIZE = 6
POINTS = 5


def portfolio_sizes(problem: Problem, seed: int) -> list[dict[str, int]]:
    """Distinct size assignments: smallest, all different, largest, a constraint tight, random."""
    domain = problem.domain
    small = domain.points(MAX_SIZE, want=400)
    if not small:
        return domain.far_points(3, seed)
    chosen: list[dict[str, int]] = []

    def add(point):
        if point is not None and point not in chosen:
            chosen.append(point)

    add(small[0])
    add(max(small, key=lambda p: (len(set(p.values())), sum(p.values()))))
    add(max(small, key=lambda p: sum(p.values())))
    add(next((p for p in small if _tight(domain, p)), None))
    rng = np.random.default_rng(seed)
    for k in rng.permutation(len(small)):
        if len(chosen) >= POINTS:
            break
        add(small[int(k)])
    return chosen


def _tight(domain, point) -> bool:
    values = [point[s.name] for s in domain.sizes]
    return any(check(*values) == 0 for check in domain._checks)


def _draws(problem: Problem, sizes, rng, first: bool):
    """Small integers (-2..2) with extra zeros, and a normal draw; at the first point also a plain
    small-integer draw. Unit-norm rows get normal draws only."""
    integer = sample_inputs(problem, sizes, rng, integer=True, zeros=0.4)
    if integer is None:
        return [sample_inputs(problem, sizes, rng), sample_inputs(problem, sizes, rng)]
    extra = [sample_inputs(problem, sizes, rng, integer=True)] if first else []
    return [integer, sample_inputs(problem, sizes, rng), *extra]


def cross_check(problem: Problem, seed: int, deadline: float | None = None, digits: int = 40) -> str | None:
    """None if both sides agree on the portfolio, else where they do not (confirmed in mpmath).
    Past `deadline` the portfolio stops after its first point: the budget holds, and the proof
    stands on its rules (this is the safety net, not the proof)."""
    rng = np.random.default_rng(seed + 1)
    points = portfolio_sizes(problem, seed)
    if problem.composite:              # each lemma had the whole portfolio; this checks the argument
        points = points[:3]
    for k, sizes in enumerate(points):
        if k and deadline is not None and time.monotonic() > deadline:
            return None
        for inputs in _draws(problem, sizes, rng, k == 0):
            try:
                lhs, rhs = problem.values(sizes, inputs)
            except TooLarge:                 # too big to evaluate here; the proof stands on its rules
                break
            if not compare(lhs, rhs, 1e-7).any():
                continue
            mp_lhs, mp_rhs = problem.values(sizes, inputs, mp_backend(digits))
            gap = max((abs(a - b) / (1 + max(abs(a), abs(b))) for a, b in zip(mp_lhs.flat, mp_rhs.flat)), default=0)
            if gap > 1e-20:
                return f"the proved sides differ numerically at sizes {sizes} (relative gap {float(gap):.3g})"
    return None
