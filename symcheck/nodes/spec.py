"""What a node kind is, in one record: its numeric semantics, notation, binding and mutations.

Every walker of symcheck (the evaluator, the LaTeX and text printers, the binder
machinery, the mutator, the well-formedness check) asks `spec_of(node)` instead of
testing node types one by one, so a new node kind is one class and one `NodeSpec`
in its family module. A node whose type has no spec is an `UnknownNode` error,
never a silent fallback. This module is a leaf: it imports nothing else from symcheck
except the errors.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import sympy as sp

from ..errors import SymcheckError

__all__ = ["Binder", "NodeSpec", "Node", "UnknownNode", "register", "spec_of", "find_spec", "registered"]


class UnknownNode(SymcheckError):
    """A node type symcheck has no spec for: no semantics, notation or binding is known for it."""

    def __init__(self, kind: type):
        self.kind = kind
        super().__init__(f"symcheck does not know the node type {kind.__name__}")


@dataclass(frozen=True)
class Binder:
    """How a node binds: args[var] is the bound symbol (or a Tuple of them), args[body] is their scope,
    and args[lo]..args[hi] (when given) is the range the scope may assume. `commutes`: directly nested
    nodes of this kind over independent ranges may be reordered (Fubini for sums and products)."""

    var: int
    body: int
    lo: int | None = None
    hi: int | None = None
    commutes: bool = False

    def variables(self, node: sp.Basic) -> tuple[sp.Symbol, ...]:
        v = node.args[self.var]
        return tuple(v) if isinstance(v, sp.Tuple) else (v,)

    def scope(self, node: sp.Basic) -> sp.Basic:
        return node.args[self.body]

    def bounds(self, node: sp.Basic) -> tuple[sp.Expr, sp.Expr] | None:
        return None if self.lo is None else (node.args[self.lo], node.args[self.hi])

    def outside(self, node: sp.Basic) -> tuple[int, ...]:
        """Positions of the arguments the binding does not reach (the range, a name ...)."""
        return tuple(k for k in range(len(node.args)) if k not in (self.var, self.body))

    def rebuild(self, node: sp.Basic, variables, body, outside: dict[int, sp.Basic] | None = None) -> sp.Basic:
        """`node` binding `variables` over `body`, its other arguments replaced as `outside` says."""
        args = list(node.args)
        args[self.var] = sp.Tuple(*variables) if isinstance(args[self.var], sp.Tuple) else variables[0]
        args[self.body] = body
        for k, a in (outside or {}).items():
            args[k] = a
        return node.func(*args)


@dataclass(frozen=True)
class NodeSpec:
    """One node kind. `value(ev, node, env)`: its values on index grids; `matrix(ev, term)`: the array of a
    matrix-level term; `latex(printer, node, **kw)` / `text(printer, node)`: its notation (None: sympy's own
    printer, for sympy's builtin nodes only; `kw` carries `exp` when sympy prints a function raised to a
    power); `binder`: what it binds; `opaque`: its arguments are a definition (a memory's written rows), not
    subterms for rewriting, renaming or evaluation grids; `mutations(node)`: plausible single-edit
    mistakes, as (operator name, mutated node); `in_range(r, node, ctx)`: what must hold for its indices
    to be inside their shapes, checked by `wellformed.check_in_range` through its walker `r` (`within`,
    `require`, `integer`, `walk`); `time`: the position of the argument giving the time at which the node
    reads a state sequence (a memory, a recurrence), which the evaluator steps through in time order;
    `fuse(node)`: for an evaluation-only kind, `node` (a sum) as one node of this kind that computes it without
    stepping (a memory read r = M^T w over blocks of steps), or None where it does not apply; the float64
    evaluator uses it where it would otherwise step."""

    kind: type
    value: Callable | None = None
    matrix: Callable | None = None
    latex: Callable | None = None
    text: Callable | None = None
    binder: Binder | None = None
    opaque: bool = False
    mutations: Callable[[sp.Basic], list] | None = None
    in_range: Callable | None = None
    time: int | None = None
    fuse: Callable[[sp.Basic], sp.Basic | None] | None = None


_REGISTRY: dict[type, NodeSpec] = {}
_LOOKUP: dict[type, NodeSpec | None] = {}


def register(spec: NodeSpec) -> NodeSpec:
    """Add a node kind (once per type)."""
    if spec.kind in _REGISTRY:
        raise ValueError(f"{spec.kind.__name__} is registered twice")
    _REGISTRY[spec.kind] = spec
    _LOOKUP.clear()
    return spec


def find_spec(node_or_type) -> NodeSpec | None:
    """The spec of a node (or type), by its nearest registered class (Integer is a Rational); None if none."""
    kind = node_or_type if isinstance(node_or_type, type) else type(node_or_type)
    try:
        return _LOOKUP[kind]
    except KeyError:
        found = next((_REGISTRY[c] for c in kind.__mro__ if c in _REGISTRY), None)
        _LOOKUP[kind] = found
        return found


def spec_of(node_or_type) -> NodeSpec:
    """The spec of a node (or type); `UnknownNode` if its type has none."""
    spec = find_spec(node_or_type)
    if spec is None:
        raise UnknownNode(node_or_type if isinstance(node_or_type, type) else type(node_or_type))
    return spec


def registered() -> tuple[NodeSpec, ...]:
    return tuple(_REGISTRY.values())


class Node:
    """Mixin of symcheck's own node classes: their plain text (`str(node)`) is their spec's `text`."""

    __slots__ = ()

    def _sympystr(self, printer) -> str:
        return spec_of(self).text(printer, self)
