"""What every model kind answers: its entry formula, the inputs it reads, its value.

Each operation is one `match` over the kinds of `ir.Model`, so adding a kind means
adding one case to each (and `unknown_kind` names any case that was forgotten).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import sympy as sp

from .binders import subst
from .domain import value_at
from .errors import ClaimError
from .evaluate import FLOAT64, Backend, evaluate
from .ir import LAYER, Applied, Formula, Model, Operand, Simulated, Stack, unknown_kind
from .matrix import MatInput, TensorInput

__all__ = ["Computed", "entry_of", "leaf_inputs", "read_names", "entry_symbols", "evaluate_model"]


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
        return subst(entry_of(self.model, row, col), {row: ij[0], col: ij[1]})

    def _matrix_level(self, *_):
        raise ClaimError(f"{self.name} is a computed matrix: it cannot be inlined into a matrix-level term "
                         "(products, transposes, softmax); compose by lemma instead (method='auto')", field="fn")

    T = property(_matrix_level)
    __matmul__ = __rmatmul__ = _matrix_level


def _as_input(x: Operand) -> MatInput | Computed:
    return x if isinstance(x, MatInput) else Computed(x)


def entry_of(model: Model, i: sp.Symbol, j: sp.Symbol) -> sp.Expr:
    """Entry (i, j) as one index expression: an application is inlined (its function called
    on its arguments' entries); a stack or a simulation has none, which is the user's error."""
    match model:
        case Formula():
            return model.entry(i, j)
        case Applied():
            return entry_of(model.fn(*map(_as_input, model.args)), i, j)
        case Stack():
            raise ClaimError("a stack of symbolic depth has no entry formula; it is proved by induction on the "
                             "depth", field="depth")
        case Simulated():
            raise ClaimError(f"{model.label} is a recurrence given by a simulation, with no entry formula",
                             field="entry")
        case _:
            unknown_kind(model, "entry_of")


def leaf_inputs(model: Operand) -> dict[str, MatInput | TensorInput]:
    """Every input a model reads, by name; the placeholders it binds are not inputs."""
    match model:
        case MatInput():
            return {model.name: model}
        case Formula():
            row, col = sp.Dummy("i\u2020", integer=True), sp.Dummy("j\u2020", integer=True)
            return {m.name: m for m in model.entry(row, col).atoms(MatInput, TensorInput)}
        case Applied():
            return _bound_apart(model.inner, model.placeholders, model.args)
        case Stack():
            return _bound_apart(model.inner, (model.placeholder,), (model.start,))
        case Simulated():
            return {m.name: m for m in model.inputs}
        case _:
            unknown_kind(model, "leaf_inputs")


def read_names(model: Operand) -> set[str]:
    """The names of the inputs a model reads, as `leaf_inputs` (one build of each entry), and of those its entry
    formulas read through a sympy IndexedBase (X of X[i, j]) rather than an input node: a parameter of an apply or
    a stack named like one would take the read over, and a lemma's placeholder must avoid them all."""
    match model:
        case MatInput():
            return {model.name}
        case Formula():
            row, col = sp.Dummy("i\u2020", integer=True), sp.Dummy("j\u2020", integer=True)
            atoms = model.entry(row, col).atoms(MatInput, TensorInput, sp.IndexedBase)
            return {str(m.label) if isinstance(m, sp.IndexedBase) else m.name for m in atoms}
        case Applied():
            return (read_names(model.inner) - {p.name for p in model.placeholders}).union(*map(read_names, model.args))
        case Stack():
            return (read_names(model.inner) - {model.placeholder.name}) | read_names(model.start)
        case Simulated():
            return {m.name for m in model.inputs}
        case _:
            unknown_kind(model, "read_names")


def entry_symbols(model: Operand) -> set[sp.Symbol]:
    """The free symbols of every entry formula inside `model` (a stack's step and an apply's body included),
    without the layer index a stack binds: where a size used only inside a composition (a window W in a
    stack's step) is found."""
    match model:
        case MatInput() | Simulated():
            return set()
        case Formula():
            row, col, expr = _formula_entry(model)
            return set(expr.free_symbols) - {row, col}
        case Applied():
            return entry_symbols(model.inner).union(*map(entry_symbols, model.args))
        case Stack():
            return (entry_symbols(model.inner) - {LAYER}) | entry_symbols(model.start)
        case _:
            unknown_kind(model, "entry_symbols")


def _bound_apart(body: Model, placeholders: tuple[MatInput, ...], given: tuple[Operand, ...]):
    """The inputs of a body outside its placeholders, and those of what the placeholders are given."""
    own = {p.name for p in placeholders}
    found = {k: v for k, v in leaf_inputs(body).items() if k not in own}
    for operand in given:
        found.update(leaf_inputs(operand))
    return found


def evaluate_model(model: Operand, sizes: dict[str, int], inputs: dict, backend: Backend = FLOAT64) -> np.ndarray:
    """The output matrix at concrete sizes: a formula on whole index grids, a composition stage by
    stage (placeholders bound to stage outputs), a stack layer by layer, a simulation by itself."""
    match model:
        case MatInput():
            return backend.convert(inputs[model.name])
        case Formula():
            row, col, expr = _formula_entry(model)
            rows, cols = (value_at(x, sizes) for x in (model.rows, model.cols))
            return evaluate(expr, {row: rows, col: cols}, sizes, inputs, backend)
        case Applied():
            bound = {p.name: evaluate_model(a, sizes, inputs, backend) for p, a in zip(model.placeholders, model.args)}
            return evaluate_model(model.inner, sizes, {**inputs, **bound}, backend)
        case Stack():
            y = evaluate_model(model.start, sizes, inputs, backend)
            for layer in range(1, value_at(model.depth, sizes) + 1):
                y = evaluate_model(model.inner, {**sizes, LAYER.name: layer}, {**inputs, model.placeholder.name: y},
                                   backend)
            return y
        case Simulated():
            return model.simulate(sizes, inputs, backend)
        case _:
            unknown_kind(model, "evaluate_model")


@lru_cache(maxsize=256)
def _formula_entry(model: Formula):
    """A formula's entry, built once: a falsifier evaluates the same model hundreds of times."""
    row, col = sp.Dummy("row\u2020", integer=True), sp.Dummy("col\u2020", integer=True)   # no user name equals them
    return row, col, model.entry(row, col)
