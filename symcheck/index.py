"""The index-level vocabulary: integer index symbols, Iverson brackets, sums.

Expressions at this level are ordinary sympy trees plus symcheck's own nodes
(`symcheck.nodes`: each node kind's class and semantics live in its family module).
Semantics that matter for soundness are fixed there, once:

* `Sigma(f, j, lo, hi)` means f(lo) + ... + f(hi) and is **0 when hi < lo**.
* `Iverson(P)` is 1 if the integer condition P holds, else 0, in one canonical form.
* Indices and sizes are integer symbols; sizes are >= 1.
"""

from __future__ import annotations

import sympy as sp

from .nodes.arithmetic import Log, Power, Relu, power, reciprocal, total_power
from .nodes.guards import Iverson
from .nodes.matrices import Element, Entry
from .nodes.sums import Prod, Sigma, is_sum, make_sum, sum_parts

__all__ = [
    "Iverson", "Relu", "Entry", "Element", "index", "indices", "size", "sizes",
    "Sigma", "Prod", "make_sum", "sum_parts", "is_sum", "Power", "Log", "power", "reciprocal", "total_power",
]


def size(name: str) -> sp.Symbol:
    """A symbolic size (sequence length, width, heads ...): a positive integer."""
    return sp.Symbol(name, integer=True, positive=True)


def sizes(names: str) -> tuple[sp.Symbol, ...]:
    return tuple(size(n) for n in names.split())


def index(name: str) -> sp.Symbol:
    """An index symbol (positions, slots, coordinates): an integer."""
    return sp.Symbol(name, integer=True)


def indices(names: str) -> tuple[sp.Symbol, ...]:
    return tuple(index(n) for n in names.split())
