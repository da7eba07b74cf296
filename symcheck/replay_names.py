"""What the symbols and inputs of a certificate's expressions may be, by the checker's reading.

The semantics reads a symbol by its name, so one name is one symbol throughout a certificate, and only the
claim's sizes may be declared positive (the domain makes them >= 1; any other symbol's sympy assumptions could
let its constructors fold falsely). An input's label (X of X[i, j]) is a namespace of its own: it is a plain
symbol, and no other plain symbol may share its name, since sympy would then see one object that a
substitution or a renaming of bound indices renames inside X[...] too. An input is read as declared: a scalar
with its interval, a matrix or a tensor with its shape (a rule reads the shape in the node, the semantics
draws the declared one). No sum, product or function binds a size's name: the semantics reads a memory's
slot count, computed rows' shape or a recurrence's at the claim's scope, where a substitution for the bound
name would change them.
"""

from __future__ import annotations

import sympy as sp

from .index import Prod, Sigma
from .matrix import MatInput, ScalarInput, TensorInput
from .replay_parse import Rejected, symbols

__all__ = ["Names"]


class Names:
    """The symbols, labels and inputs met so far in one certificate, and the claim's declarations."""

    def __init__(self, sizes: frozenset):
        self.sizes = sizes
        self.symbols: dict[str, sp.Symbol] = {}
        self.labels: set[sp.Symbol] = set()
        self.shapes: dict[str, tuple] = {}
        self.scalars: dict[str, ScalarInput] = {}

    def check(self, tree: sp.Basic, text: str) -> None:
        """`Rejected` unless the expression `tree` (parsed from `text`) reads its names as declared."""
        if "ScalarInput" in text:
            for s in tree.atoms(ScalarInput):
                if self.scalars.get(s.name) != s:
                    raise Rejected(f"scalar {s.name!r} is read with an interval the claim does not declare for it")
        if "Input" in text:
            for m in sorted(tree.atoms(MatInput, TensorInput), key=sp.default_sort_key):     # the message: one input
                if self.shapes.get(m.name) != tuple(m.shape):
                    raise Rejected(f"input {m.name!r} is read as a {' x '.join(map(str, m.shape))} input, which the "
                                   "claim does not declare")
        plain, labels = symbols(text)
        for s in plain:
            known = self.symbols.setdefault(s.name, s)
            if known != s:
                raise Rejected(f"two different symbols are named {s.name!r} ({sp.srepr(known)}, {sp.srepr(s)})")
            if s.is_positive and s not in self.sizes:
                raise Rejected(f"symbol {s.name!r} is declared positive but is not a size of the claim")
        for s in labels:        # an input k beside an index k: the semantics never reads one for the other
            if s != sp.Symbol(s.name):      # one plain symbol per input name: no assumption folds its entries
                raise Rejected(f"input {s.name!r} is read with assumptions ({sp.srepr(s)}), which could fold its entries")
            self.labels.add(s)
        clash = [s for s in plain if s in self.labels] + [s for s in labels if self.symbols.get(s.name) == s]
        if clash:
            raise Rejected(f"symbol {clash[0].name!r} without assumptions is also the label of an input")
        if any(s in self.sizes for s in plain):     # a binder of a size's name
            for e in tree.atoms(Sigma, Prod, sp.Lambda):
                bound = e.variables if isinstance(e, sp.Lambda) else (e.var,)
                if any(v in self.sizes for v in bound):
                    raise Rejected(f"a sum, product or function binds the size {next(v for v in bound if v in self.sizes)}")
