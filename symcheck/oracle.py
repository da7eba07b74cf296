"""An independent numeric verdict on a claim, for mutation testing and its tests.

It evaluates both sides with the replay checker's own scalar semantics (not the
evaluator the falsifier uses) at three size assignments, so that a proof of a
false claim cannot hide behind a shared bug.
"""

from __future__ import annotations

import random

from .claim import Claim
from .domain import value_at
from .falsify import size_assignments
from .problem import pose_claim
from .replay import scalar_value

__all__ = ["numerically_equal"]


def _random_tensor(rng: random.Random, dims: list[int]):
    if not dims:
        return rng.uniform(-2, 2)
    return [_random_tensor(rng, dims[1:]) for _ in range(dims[0])]


def numerically_equal(claim: Claim, seed: int = 0) -> bool:
    """Both sides agree at every entry (relative tolerance 1e-12), or are undefined at the same
    entries, at the smallest, a middle and the largest of the falsifier's size assignments."""
    problem = pose_claim(claim)
    rng = random.Random(seed)
    sizes_list = size_assignments(problem, 3)
    picks = [sizes_list[0], sizes_list[len(sizes_list) // 2], sizes_list[-1]]
    unit = {a.name for a in claim.assume}
    for sizes in picks:
        inputs = {}
        for m in problem.inputs:
            values = _random_tensor(rng, [value_at(x, sizes) for x in m.shape])
            if m.name in unit:
                values = [[x / sum(y * y for y in row) ** 0.5 for x in row] for row in values]
            inputs[m.name] = values
        for i in range(1, value_at(problem.rows, sizes) + 1):
            for j in range(1, value_at(problem.cols, sizes) + 1):
                point = problem.point(i, j, sizes)
                a = scalar_value(problem.lhs, sizes, inputs, point)
                b = scalar_value(problem.rhs, sizes, inputs, point)
                if (a is None) != (b is None) or (a is not None and abs(a - b) > 1e-12 * (1 + abs(a) + abs(b))):
                    return False
    return True
