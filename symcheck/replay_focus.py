"""The checker's position in a derivation: a zipper that rebuilds exactly where the certificate says.

A certificate's step names its position as a path through the enclosing nodes as they stood
when the normalizer went in, and `keep`: how many levels of the previous step's position
still stand. The checker leaves (rebuilds, with sympy's constructor) every other level, enters
the rest of the path, and finds the step's redex there. A rewrite at that position is sound
whatever stands around it (congruence), with the facts its enclosing levels give
(`facts_within`); the whole expression is the position rebuilt outwards, also with the
constructor. Hostile input (a position that does not exist, a keep past the levels) is
`Rejected`.
"""

from __future__ import annotations

import sympy as sp

from .replay_parse import Rejected
from .replay_rules import facts_within

__all__ = ["Zipper"]


class Zipper:
    """The subterm in focus and the levels around it, outermost first: (node as it stood, argument index,
    facts inside that argument)."""

    def __init__(self, start: sp.Basic, facts: tuple):
        self.sub, self.base, self.levels = start, list(facts), []

    @property
    def facts(self) -> tuple:
        return tuple(self.levels[-1][2] if self.levels else self.base)

    def move(self, path, keep) -> None:
        """Leave every level past the first `keep` (rebuilding each), then enter the rest of `path`."""
        if type(keep) is not int or not 0 <= keep <= min(len(self.levels), len(path)):
            raise Rejected(f"keep {keep!r} is not a number of levels of the position before")
        if [k for _, k, _ in self.levels[:keep]] != list(path[:keep]):
            raise Rejected(f"position {path} does not continue the levels it keeps")
        while len(self.levels) > keep:
            self._leave()
        for k in path[keep:]:
            if type(k) is not int or not 0 <= k < len(self.sub.args):
                raise Rejected(f"position {path} does not exist")
            self.levels.append((self.sub, k, facts_within(self.sub, k, self.facts)))
            self.sub = self.sub.args[k]

    def whole(self, sub: sp.Basic | None = None) -> sp.Basic:
        """The whole expression with `sub` (default: the subterm in focus) at the focus."""
        e = self.sub if sub is None else sub
        for node, k, _ in reversed(self.levels):
            e = _with(node, k, e)
        return e

    def root(self) -> sp.Basic:
        """Leave every level: the whole expression as the normalizer ends it."""
        while self.levels:
            self._leave()
        return self.sub

    def _leave(self) -> None:
        node, k, _ = self.levels.pop()
        self.sub = _with(node, k, self.sub)


def _with(node: sp.Basic, k: int, arg: sp.Basic) -> sp.Basic:
    args = list(node.args)
    args[k] = arg
    return node.func(*args)
