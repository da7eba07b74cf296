"""A lemma proved before, up to a renaming: the paper refers to it instead of typesetting it again.

A stack's layer lemma is the one-layer lemma with every weight `W` read at layer ℓ (`W[ℓ, ...]`,
typeset `W^{(ℓ)}`), an encoder's is a decoder's with `Y` called `Z`: the same rules in the same
order through the same forms, renamed. `reference` finds such an earlier lemma and the renaming:
a bijection of names (inputs, sizes, indices) and of weights onto one layer's slice of a stacked
weight, found by walking both lemmas' first forms side by side, then checked on every form the
presentation shows (`phases.lines`) and on every rule applied. It never changes what is proved:
each lemma is checked on its own; this only decides what is printed.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp
from sympy.core.symbol import Str

from .nodes.matrices import Element, MatInput, TensorInput
from .phases import Detail, lines
from .view import ProofView

__all__ = ["Reference", "reference"]


@dataclass(frozen=True)
class Reference:
    """Where a lemma was proved (its label, title and claim) and the renaming that gives this one:
    pairs (earlier, now) of inputs or sizes, or of entries (a weight and its layer-ℓ slice)."""

    label: str
    title: str
    claim: str
    renaming: tuple[tuple[sp.Basic, sp.Basic], ...] = ()


def reference(v: ProofView, seen: dict, detail: Detail) -> Reference | None:
    """The first lemma in `seen[detail]` (pairs of view and reference) that `v` repeats up to a renaming."""
    for earlier, ref in seen.get(detail, ()):
        renaming = _Renaming()
        if _alike(earlier, v, renaming, detail):
            return Reference(ref.label, ref.title, ref.claim, renaming.shown())
    return None


class _Renaming:
    """Names (atoms) of the earlier lemma -> names of this one, injective; tensors -> (stacked tensor, layer)."""

    def __init__(self):
        self.atoms: dict = {}
        self.used: set = set()
        self.lifted: dict = {}          # TensorInput -> (TensorInput with a leading layer axis, layer index)
        self.layers: set = set()
        self.examples: dict = {}        # the pairs a reader is shown, in order of first occurrence

    def match(self, a: sp.Basic, b: sp.Basic, memo: set) -> bool:
        """Whether `b` is `a` renamed (extending the renaming as it goes)."""
        if (a, b) in memo:
            return True
        ok = self._match(a, b, memo)
        if ok:
            memo.add((a, b))
        return ok

    def _match(self, a, b, memo) -> bool:
        if isinstance(a, Element) and isinstance(b, Element) and len(b.args) == len(a.args) + 1:
            return self._lift(a, b, memo)
        if isinstance(a, (sp.Symbol, Str)) and type(a) is type(b):
            return self._atom(a, b)
        if type(a) is not type(b) or len(a.args) != len(b.args):
            return False
        if not a.args:
            return a == b
        if isinstance(a, (MatInput, TensorInput)) and a.name != b.name:
            self.examples.setdefault(a, b)
        return all(self.match(x, y, memo) for x, y in zip(a.args, b.args))

    def _atom(self, a, b) -> bool:
        if a in self.atoms:
            return self.atoms[a] == b
        if b in self.used:
            return False
        self.atoms[a] = b
        self.used.add(b)
        if isinstance(a, sp.Symbol) and a != b and a.is_positive:      # a size: shown
            self.examples.setdefault(a, b)
        return True

    def _lift(self, a: Element, b: Element, memo) -> bool:
        """`b` is `a`'s entry of the stacked weight at layer b.indices[0]: W[i, j] -> W[ℓ, i, j]."""
        t, s = a.tensor, b.tensor
        if not isinstance(t, TensorInput) or not isinstance(s, TensorInput) or s.name != t.name:
            return False
        if len(s.shape) != len(t.shape) + 1 or not self.match(sp.Tuple(*t.shape), sp.Tuple(*s.shape[1:]), memo):
            return False
        layer = b.indices[0]
        if layer not in self.layers:            # the layer index is a name of its own, like the others
            if layer in self.used:
                return False
            self.used.add(layer)
            self.layers.add(layer)
        if self.lifted.setdefault(t, (s, layer)) != (s, layer):
            return False
        if t not in self.examples:
            free = _placeholders(t.shape)
            self.examples[t] = (Element(t, *free), Element(s, layer, *free))
        return all(self.match(x, y, memo) for x, y in zip(a.indices, b.indices[1:]))

    def shown(self) -> tuple[tuple[sp.Basic, sp.Basic], ...]:
        return tuple(v if isinstance(v, tuple) else (k, v) for k, v in self.examples.items())


def _placeholders(shape) -> tuple[sp.Symbol, ...]:
    """Indices to show a weight's entry with: `h` on a head axis, else i, j, k, m in turn."""
    pool = iter("ijkmn")
    return tuple(sp.Symbol("h" if getattr(n, "name", "") == "H" else next(pool), integer=True) for n in shape)


def _alike(a: ProofView, b: ProofView, renaming: _Renaming, detail: Detail) -> bool:
    """Whether `b` proves `a`'s statement renamed, by the same argument or the same rules through the
    forms shown at `detail`, renamed."""
    if (a.claim.statement, a.argument, len(a.lemmas), len(a.sides), len(a.obligations)) != (
            b.claim.statement, b.argument, len(b.lemmas), len(b.sides), len(b.obligations)):
        return False
    if not all(x.use == y.use and _alike(x.view, y.view, renaming, detail) for x, y in zip(a.lemmas, b.lemmas)):
        return False
    memo: set = set()
    pairs = [(x.derivation, y.derivation) for x, y in zip(a.sides, b.sides)]
    for x, y in zip(a.obligations, b.obligations):
        if x.title != y.title or (x.statement is None) != (y.statement is None):
            return False
        if x.statement is not None and not renaming.match(x.statement, y.statement, memo):
            return False
        pairs += [(x.lhs, y.lhs), (x.rhs, y.rhs)]
    for x, y in pairs:
        if [s.rule for s in x.steps] != [s.rule for s in y.steps] or not renaming.match(x.start, y.start, memo):
            return False
        shown_x, shown_y = lines(x, detail), lines(y, detail)
        if len(shown_x) != len(shown_y) or not all(
                p.rules == q.rules and renaming.match(p.expr, q.expr, memo) for p, q in zip(shown_x, shown_y)):
            return False
    return True
