"""Models built from models: a model applied to computed inputs, and stacks of layers.

A Transformer stack or an encoder–decoder is a composition, and its equivalence
to an sDNC composition follows from the layers' own equivalences by congruence
(equals substituted for equals) and, for a stack of symbolic depth L, by
induction on the depth. These constructors keep that structure visible, so the
composition prover (`composition.py`) proves each building block once, for an
arbitrary input matrix, instead of normalizing one expression that grows
multiplicatively with every layer. Their numeric semantics (`evaluate_composite`)
is stage by stage: each stage's output is the next stage's input matrix.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Callable

import sympy as sp

from .binders import subst
from .domain import value_at
from .errors import ClaimError
from .evaluate import FLOAT64, Backend, evaluate_model
from .index import size
from .matrix import MatInput, TensorInput
from .models import Model

__all__ = ["Applied", "Stack", "Simulated", "LAYER", "apply", "stack", "is_composite", "evaluate_composite",
           "parts", "leaf_inputs"]

LAYER = size("ell")     # the layer index ℓ that a stack passes to its step


class Computed:
    """A model's output in the place of an input matrix: `rows`, `cols` and [i, j] like a `MatInput`."""

    def __init__(self, model: Model):
        self.model = model

    rows = property(lambda self: self.model.rows)
    cols = property(lambda self: self.model.cols)
    name = property(lambda self: self.model.label)

    def __getitem__(self, ij):
        """Entry (i, j), built at fresh indices and then substituted without capture: i and j are
        often the caller's bound indices, and the model's own sums may bind the same names."""
        row, col = sp.Dummy("row\u2020", integer=True), sp.Dummy("col\u2020", integer=True)
        return subst(self.model.entry(row, col), {row: ij[0], col: ij[1]})

    def _matrix_level(self, *_):
        raise ClaimError(f"{self.name} is a computed matrix: it cannot be inlined into a matrix-level term "
                         "(products, transposes, softmax); compose by lemma instead (method='auto')", field="fn")

    T = property(_matrix_level)
    __matmul__ = __rmatmul__ = _matrix_level


@dataclass(frozen=True)
class Applied(Model):
    """`fn(*args)`: fn builds a model from input matrices; args are models or inputs.

    `inner` is fn at the placeholder inputs (one per parameter, named after it):
    the side of the lemma that a composition proof needs. `entry` inlines the
    arguments, so an `Applied` is also an ordinary model."""

    fn: Callable = None
    args: tuple = ()
    placeholders: tuple = ()
    inner: Model = None


@dataclass(frozen=True)
class Stack(Model):
    """`depth` applications of `step(Y, ℓ)` (ℓ = 1..depth) to `start`; depth may be symbolic.

    A stack of symbolic depth has no entry formula; it is proved by induction on
    the depth and evaluated layer by layer at concrete depths."""

    step: Callable = None
    start: object = None
    depth: sp.Expr = None
    placeholder: MatInput = None
    inner: Model = None


@dataclass(frozen=True)
class Simulated(Model):
    """A model given by a numeric simulation only (a genuine recurrence, e.g. a memory shared
    by all layers): it can be refuted, never proved. `simulate(sizes, inputs, backend)`."""

    simulate: Callable = None
    inputs: tuple = ()


def is_composite(model) -> bool:
    return isinstance(model, (Applied, Stack, Simulated))


def _as_input(x):
    return x if isinstance(x, MatInput) else Computed(x)


def _placeholders(fn, args, skip: int = 0) -> tuple[MatInput, ...]:
    params = list(inspect.signature(fn).parameters)
    if len(params) < len(args) + skip:
        raise ClaimError(f"{getattr(fn, '__name__', 'fn')} takes {len(params)} arguments, "
                         f"but {len(args) + skip} were given", field="args")
    return tuple(MatInput(p, a.rows, a.cols) for p, a in zip(params, args))


def _model(out, who: str) -> Model:
    if not isinstance(out, Model):
        raise ClaimError(f"{who} must return a Model, got {type(out).__name__}", field="fn")
    return out


def apply(fn: Callable, *args, label: str | None = None) -> Applied:
    """fn applied to the outputs of other models (or to inputs): e.g. a decoder layer
    whose encoder memory M is an encoder layer's output, `apply(lambda M: decoder(X, M), encoder)`."""
    args = tuple(a.model if isinstance(a, Computed) else a for a in args)   # inlined inside another apply
    for a in args:
        if not isinstance(a, (Model, MatInput)):
            raise ClaimError(f"apply takes models or input matrices, got {type(a).__name__}", field="args")
    placeholders = _placeholders(fn, args)
    inner = _model(fn(*placeholders), getattr(fn, "__name__", "fn"))
    _check_capture(fn, placeholders)
    constraints = inner.constraints + tuple(c for a in args if isinstance(a, Model) for c in a.constraints)
    return Applied(label or inner.label, inner.rows, inner.cols,
                   lambda i, j: fn(*map(_as_input, args)).entry(i, j), tuple(dict.fromkeys(constraints)),
                   fn=fn, args=tuple(args), placeholders=placeholders, inner=inner)


def _no_entry(i, j):
    raise ClaimError("a stack of symbolic depth has no entry formula; it is proved by induction on the depth",
                     field="depth")


def stack(step: Callable, start, *, depth, label: str | None = None) -> Stack:
    """`depth` layers: Y_0 = start, Y_ℓ = step(Y_{ℓ-1}, ℓ). Per-layer weights come from
    tensors with a leading layer axis, e.g. `W_Q.at(l)`."""
    start = start.model if isinstance(start, Computed) else start
    if not isinstance(start, (Model, MatInput)):
        raise ClaimError(f"a stack starts from a model or an input matrix, got {type(start).__name__}",
                         field="start")
    (placeholder,) = _placeholders(step, (start,), skip=1)
    inner = _model(step(placeholder, LAYER), getattr(step, "__name__", "step"))
    _check_capture(step, (placeholder,), LAYER)
    _check_layer_name(step, placeholder, start)
    for what, a, b in (("rows", inner.rows, start.rows), ("columns", inner.cols, start.cols)):
        if sp.expand(a - b) != 0:
            raise ClaimError(f"a layer must keep its input's shape: it maps {start.rows}x{start.cols} "
                             f"to {inner.rows}x{inner.cols} ({what} differ)", field="step")
    depth = sp.sympify(depth)
    constraints = tuple(c for c in inner.constraints if LAYER not in sp.Tuple(*c).free_symbols)
    constraints += start.constraints if isinstance(start, Model) else ()
    return Stack(label or f"{depth} x {inner.label}", start.rows, start.cols, _no_entry,
                 tuple(dict.fromkeys(constraints + ((1, depth),))),
                 step=step, start=start, depth=depth, placeholder=placeholder, inner=inner)


def parts(model) -> tuple:
    """The models and inputs a composite is built from, and the bodies (at placeholders) it applies."""
    if isinstance(model, Applied):
        return (*model.args, model.inner)
    if isinstance(model, Stack):
        return (model.start, model.inner)
    return ()


def leaf_inputs(model) -> dict[str, MatInput | TensorInput]:
    """Every input a (possibly composite) model reads, by name; placeholders are not inputs."""
    if isinstance(model, MatInput):
        return {model.name: model}
    if isinstance(model, Simulated):
        return {m.name: m for m in model.inputs}
    if not is_composite(model):
        return {m.name: m for m in _entry_atoms(model)}
    own = {p.name for p in (model.placeholders if isinstance(model, Applied) else (model.placeholder,))}
    found = {k: v for k, v in leaf_inputs(model.inner).items() if k not in own}
    for p in parts(model)[:-1]:
        found.update(leaf_inputs(p))
    return found


def _entry_atoms(model: Model) -> set:
    row, col = sp.Dummy("i\u2020", integer=True), sp.Dummy("j\u2020", integer=True)
    return model.entry(row, col).atoms(MatInput, TensorInput)


def _check_capture(fn, placeholders, *extra):
    """A parameter named like an input the body also reads would make the two indistinguishable."""
    probes = tuple(MatInput(f"{p.name}__probe", p.rows, p.cols) for p in placeholders)
    body = fn(*probes, *extra)
    if not is_composite(body):
        clash = {m.name for m in _entry_atoms(body)} & {p.name for p in placeholders}
    else:
        clash = set(leaf_inputs(body)) & {p.name for p in placeholders}
    if clash:
        raise ClaimError(f"parameter {sorted(clash)[0]!r} of {getattr(fn, '__name__', 'fn')} has the name of an "
                         "input it also reads; rename the parameter", field="fn")


def _check_layer_name(step, placeholder, start):
    """The layer index is the symbol `ell`: a size of the user's with that name would be captured."""
    probe = _model(step(placeholder, size("ell\u2020probe")), "step")
    for what, m in (("layer", probe), ("start", start)):
        if isinstance(m, Model) and not is_composite(m):
            row, col = sp.Dummy("i\u2020", integer=True), sp.Dummy("j\u2020", integer=True)
            used = sp.Tuple(m.rows, m.cols, m.entry(row, col), *(x for c in m.constraints for x in c)).free_symbols
            if LAYER in used:
                raise ClaimError(f"the {what} uses a size named {LAYER.name}, the name of the layer index of a "
                                 "stack; rename that size", field="step")


def evaluate_composite(model, sizes: dict[str, int], inputs: dict, backend: Backend = FLOAT64):
    """The output matrix at concrete sizes, stage by stage (placeholders bound to stage outputs)."""
    if isinstance(model, MatInput):
        return backend.convert(inputs[model.name])
    if isinstance(model, Simulated):
        return model.simulate(sizes, inputs, backend)
    if isinstance(model, Applied):
        bound = {p.name: evaluate_composite(a, sizes, inputs, backend)
                 for p, a in zip(model.placeholders, model.args)}
        return evaluate_composite(model.inner, sizes, {**inputs, **bound}, backend)
    if isinstance(model, Stack):
        y = evaluate_composite(model.start, sizes, inputs, backend)
        for layer in range(1, value_at(model.depth, sizes) + 1):
            y = evaluate_composite(model.inner, {**sizes, LAYER.name: layer}, {**inputs, model.placeholder.name: y},
                                   backend)
        return y
    return evaluate_model(model, sizes, inputs, backend)
