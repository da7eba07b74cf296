"""Models built from models: a model applied to computed inputs, and stacks of layers.

A Transformer stack or an encoder–decoder is a composition, and its equivalence
to an sDNC composition follows from the layers' own equivalences by congruence
(equals substituted for equals) and, for a stack of symbolic depth L, by
induction on the depth. These constructors keep that structure visible, so the
composition prover (`composition.py`) proves each building block once, for an
arbitrary input matrix, instead of normalizing one expression that grows
multiplicatively with every layer. Their numeric semantics (`model_ops.evaluate_model`)
is stage by stage: each stage's output is the next stage's input matrix.
"""

from __future__ import annotations

import dataclasses
import inspect
from typing import Callable

import sympy as sp

from .errors import ClaimError
from .index import size
from .ir import LAYER, Applied, Formula, Model, Operand, Stack, joint_constraints
from .matrix import MatInput
from .model_ops import Computed, read_names

__all__ = ["apply", "stack", "unroll", "check_bindings"]


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


def apply(fn: Callable, *args: Operand | Computed, label: str | None = None) -> Applied:
    """fn applied to the outputs of other models (or to inputs): e.g. a decoder layer
    whose encoder memory M is an encoder layer's output, `apply(lambda M: decoder(X, M), encoder)`."""
    args = tuple(a.model if isinstance(a, Computed) else a for a in args)   # inlined inside another apply
    for a in args:
        if not isinstance(a, (Model, MatInput)):
            raise ClaimError(f"apply takes models or input matrices, got {type(a).__name__}", field="args")
    placeholders = _placeholders(fn, args)
    inner = _model(fn(*placeholders), getattr(fn, "__name__", "fn"))
    return Applied(label or inner.label, inner.rows, inner.cols,
                   joint_constraints(inner, *(a for a in args if isinstance(a, Model))),
                   fn=fn, args=args, placeholders=placeholders, inner=inner)


def stack(step: Callable, start: Operand | Computed, *, depth, label: str | None = None) -> Stack:
    """`depth` layers: Y_0 = start, Y_ℓ = step(Y_{ℓ-1}, ℓ). Per-layer weights come from
    tensors with a leading layer axis, e.g. `W_Q.at(l)`."""
    start = start.model if isinstance(start, Computed) else start
    if not isinstance(start, (Model, MatInput)):
        raise ClaimError(f"a stack starts from a model or an input matrix, got {type(start).__name__}",
                         field="start")
    (placeholder,) = _placeholders(step, (start,), skip=1)
    inner = _model(step(placeholder, LAYER), getattr(step, "__name__", "step"))
    for what, a, b in (("rows", inner.rows, start.rows), ("columns", inner.cols, start.cols)):
        if sp.expand(a - b) != 0:
            raise ClaimError(f"a layer must keep its input's shape: it maps {start.rows}x{start.cols} "
                             f"to {inner.rows}x{inner.cols} ({what} differ)", field="step")
    depth = sp.sympify(depth)
    constraints = tuple(c for c in inner.constraints if LAYER not in sp.Tuple(*c).free_symbols)
    constraints += start.constraints if isinstance(start, Model) else ()
    return Stack(label or f"{depth} x {inner.label}", start.rows, start.cols,
                 tuple(dict.fromkeys(constraints + ((1, depth),))),
                 step=step, start=start, depth=depth, placeholder=placeholder, inner=inner)


def unroll(model: Operand) -> Operand:
    """Every stack of integer depth in `model` (itself, or what it applies or starts from) as nested applications
    of its step, layer 1 innermost: a plain model against a stack is then proved by inlining the layers. A stack
    of symbolic depth stays a stack; its proof is by induction on the depth, against another stack."""
    match model:
        case Stack() if isinstance(model.depth, sp.Integer) and model.depth >= 1:
            y = unroll(model.start)
            for layer in map(sp.Integer, range(1, int(model.depth) + 1)):
                inner = model.step(model.placeholder, layer)
                y = Applied(f"{model.label}, layer {layer}", inner.rows, inner.cols,
                            joint_constraints(inner, *([y] if isinstance(y, Model) else [])),
                            fn=lambda Y, layer=layer: model.step(Y, layer), args=(y,),
                            placeholders=(model.placeholder,), inner=inner)
            return y
        case Stack():
            return dataclasses.replace(model, start=unroll(model.start))
        case Applied():
            return dataclasses.replace(model, args=tuple(unroll(a) for a in model.args))
        case _:
            return model


def check_bindings(model: Operand, seen: set[int] | None = None) -> None:
    """The binding checks of every apply and stack in `model`: a parameter named like an input its body
    also reads, a size named like the layer index. They are what makes `leaf_inputs` and the composition
    lemmas mean what they say, so posing a claim runs them (`problem.pose`); building a model does not,
    since they evaluate whole entry formulas and a library load (or a cached re-check) should not pay
    for that. An apply met only inside an entry formula is inlined there, where no name is bound apart."""
    seen = set() if seen is None else seen
    if id(model) in seen:
        return
    seen.add(id(model))
    match model:
        case Applied():
            _check_capture(model.fn, model.placeholders)
            parts = (model.inner, *model.args)
        case Stack():
            _check_capture(model.step, (model.placeholder,), LAYER)
            _check_layer_name(model.step, model.placeholder, model.start)
            parts = (model.inner, model.start)
        case _:
            parts = ()
    for part in parts:
        check_bindings(part, seen)


def _check_capture(fn, placeholders, *extra):
    """A parameter named like an input the body also reads would make the two indistinguishable."""
    probes = tuple(MatInput(f"{p.name}__probe", p.rows, p.cols) for p in placeholders)
    body = fn(*probes, *extra)
    clash = read_names(body) & {p.name for p in placeholders}
    if clash:
        raise ClaimError(f"parameter {sorted(clash)[0]!r} of {getattr(fn, '__name__', 'fn')} has the name of an "
                         "input it also reads; rename the parameter", field="fn")


def _check_layer_name(step, placeholder, start):
    """The layer index is the symbol `ell`: a size of the user's with that name would be captured."""
    probe = _model(step(placeholder, size("ell\u2020probe")), "step")
    for what, m in (("layer", probe), ("start", start)):
        if isinstance(m, Formula):
            row, col = sp.Dummy("i\u2020", integer=True), sp.Dummy("j\u2020", integer=True)
            used = sp.Tuple(m.rows, m.cols, m.entry(row, col), *(x for c in m.constraints for x in c)).free_symbols
            if LAYER in used:
                raise ClaimError(f"the {what} uses a size named {LAYER.name}, the name of the layer index of a "
                                 "stack; rename that size", field="step")

