"""The model IR: one closed family of frozen model kinds.

A model is a rows × cols matrix-valued function of input matrices, of one of four
kinds: a `Formula` (its entry (i, j) as an index expression), an `Applied` model
(a function of models applied to their outputs), a `Stack` of layers, or a
`Simulated` model (a recurrence given only by a numeric simulation). Every
operation on models (`model_ops`, `problem.pose`, `certificate.structure`,
`composition`) is one `match` over these kinds ending in `unknown_kind`, so a new
kind is added here and in those matches, nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Never, NoReturn

import sympy as sp

from .index import size
from .matrix import MatInput, TensorInput

__all__ = ["Formula", "Applied", "Stack", "Simulated", "Model", "Operand", "Constraints", "LAYER",
           "joint_constraints", "unknown_kind"]

Constraints = tuple[tuple[sp.Expr, sp.Expr], ...]     # pairs (lo, hi): lo <= hi

LAYER = size("ell")     # the layer index ℓ that a stack passes to its step


@dataclass(frozen=True)
class Formula:
    """rows × cols symbolic output; `entry(i, j)` is its index-level definition."""

    label: str
    rows: sp.Expr
    cols: sp.Expr
    entry: Callable[[sp.Symbol, sp.Symbol], sp.Expr]
    constraints: Constraints = ()


@dataclass(frozen=True)
class Applied:
    """`fn(*args)`: fn builds a model from input matrices; args are models or inputs.

    `inner` is fn at the `placeholders` (one input per parameter, named after it):
    the side of the lemma that a composition proof needs. Its entry formula, where
    one is needed, inlines the arguments (`model_ops.entry_of`)."""

    label: str
    rows: sp.Expr
    cols: sp.Expr
    constraints: Constraints
    fn: Callable[..., Model]
    args: tuple[Operand, ...]
    placeholders: tuple[MatInput, ...]
    inner: Model


@dataclass(frozen=True)
class Stack:
    """`depth` applications of `step(Y, ℓ)` (ℓ = 1..depth) to `start`; depth may be symbolic.

    `inner` is the step at `placeholder` and ℓ = `LAYER`. A stack has no entry
    formula: it is proved by induction on the depth and evaluated layer by layer
    at concrete depths."""

    label: str
    rows: sp.Expr
    cols: sp.Expr
    constraints: Constraints
    step: Callable[[MatInput, sp.Expr], Model]
    start: Operand
    depth: sp.Expr
    placeholder: MatInput
    inner: Model


@dataclass(frozen=True)
class Simulated:
    """A model given by a numeric simulation only (a genuine recurrence, e.g. a memory shared
    by all layers): it can be refuted, never proved. `simulate(sizes, inputs, backend)` is its
    output matrix; `inputs` are the inputs it reads."""

    label: str
    rows: sp.Expr
    cols: sp.Expr
    constraints: Constraints
    simulate: Callable
    inputs: tuple[MatInput | TensorInput, ...]


Model = Formula | Applied | Stack | Simulated      # also an `isinstance` target
Operand = Model | MatInput                          # what models are applied to and stacked on


def joint_constraints(*models: Model, where: Constraints = ()) -> Constraints:
    """The size constraints of models (and of a claim's `where`), each once, in order."""
    return tuple(dict.fromkeys(tuple(c for m in models for c in m.constraints) + tuple(where)))


def unknown_kind(model: Never, operation: str) -> NoReturn:
    """The fallback of every `match` over the kinds: anything else is a bug in symcheck."""
    raise TypeError(f"internal error: {operation} got {type(model).__name__}, which is no model kind")
