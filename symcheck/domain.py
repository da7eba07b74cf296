"""A claim's domain: its sizes and constraints, concrete points in it, and proof that it is nonempty.

A claim is a statement "for every size assignment in the domain". An empty
domain makes every claim vacuously true, and every guard "holds", so symcheck
never proves a claim whose domain it has not shown nonempty by a concrete point
(`require_points`); a contradiction is reported with the constraints that cause it.
The same points feed the numeric cross-check and the falsifier: sizes up to a
bound, smallest first, then unequal and boundary assignments, and, for a domain
with no small point, points found further out.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import cached_property

import sympy as sp

from .affine import infeasible, nonneg
from .errors import ClaimError
from .index import size

__all__ = ["Domain", "require_points", "value_at"]


def value_at(expr, point: dict[str, int]) -> int:
    """A size expression (a shape, a depth) at a point of the domain: sizes by name."""
    return int(sp.sympify(expr).subs({size(k): v for k, v in point.items()}))


@dataclass(frozen=True)
class Domain:
    """Sizes (positive integer symbols) and constraints (pairs lo <= hi over the sizes)."""

    sizes: tuple[sp.Symbol, ...]
    constraints: tuple[tuple[sp.Expr, sp.Expr], ...]

    @cached_property
    def _checks(self):
        for lo, hi in self.constraints:
            stray = sp.sympify(hi - lo).free_symbols - set(self.sizes)
            if stray:
                raise ClaimError(f"the constraint {lo} <= {hi} mentions {', '.join(sorted(map(str, stray)))}, "
                                 "which is not a size of the claim", field="where")
        return [sp.lambdify(self.sizes, sp.sympify(hi) - sp.sympify(lo), "math") for lo, hi in self.constraints]

    def holds(self, point: dict[str, int]) -> bool:
        values = [point[s.name] for s in self.sizes]
        return all(check(*values) >= 0 for check in self._checks)

    def contradictory(self) -> bool:
        """The constraints (with sizes >= 1) have no rational solution: provably empty."""
        facts = frozenset(f for lo, hi in self.constraints + tuple((1, s) for s in self.sizes)
                          if (f := nonneg(lo, hi)) is not None)
        return infeasible(facts)

    def points(self, max_size: int, want: int, budget: int = 20000) -> list[dict[str, int]]:
        """Up to `want` assignments with every size in 1..max_size in the domain, smallest
        size sum first; at most `budget` candidates are examined in all."""
        names = [s.name for s in self.sizes]
        out: list[dict[str, int]] = []
        for total in range(len(names), len(names) * max_size + 1):
            for values in _compositions(total, len(names), max_size):
                budget -= 1
                if budget < 0:
                    return out
                point = dict(zip(names, values))
                if self.holds(point):
                    out.append(point)
                    if len(out) >= want:
                        return out
        return out

    def far_points(self, count: int, seed: int, max_size: int = 64, tries: int = 20000) -> list[dict[str, int]]:
        """Random points with sizes up to `max_size`, for domains with no small point."""
        rng = random.Random(seed)
        names = [s.name for s in self.sizes]
        found: list[dict[str, int]] = []
        for k in range(tries):
            bound = min(max_size, 2 + k // 200)
            point = {n: rng.randint(1, bound) for n in names}
            if self.holds(point) and point not in found:
                found.append(point)
                if len(found) >= count:
                    break
        return sorted(found, key=lambda p: (sum(p.values()), tuple(p[n] for n in names)))

    def describe(self) -> str:
        pairs = [f"{lo} <= {hi}" for lo, hi in self.constraints]
        return ", ".join(pairs) if pairs else "no constraints"


def _compositions(total: int, parts: int, cap: int):
    """Tuples of `parts` integers in 1..cap summing to `total`, in lexicographic order."""
    if parts == 0:
        if total == 0:
            yield ()
        return
    for first in range(1, min(cap, total - parts + 1) + 1):
        for rest in _compositions(total - first, parts - 1, cap):
            yield (first, *rest)


def require_points(domain: Domain, claim: str, max_size: int = 8) -> dict[str, int]:
    """A concrete point of the domain, or a ClaimError: an empty domain proves everything."""
    if domain.contradictory():
        raise ClaimError(f"the domain is empty: its constraints contradict each other ({domain.describe()}, "
                         "every size >= 1); a claim about no sizes at all is not checked", claim=claim, field="where")
    small = domain.points(max_size, want=1)
    if small:
        return small[0]
    far = domain.far_points(1, seed=0)
    if far:
        return far[0]
    raise ClaimError(f"no size assignment found in the domain ({domain.describe()}); a claim whose domain is not "
                     "shown nonempty is not checked", claim=claim, field="where")

