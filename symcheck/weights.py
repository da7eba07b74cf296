"""What a counterexample shows besides the two outputs: the weights each side used.

An attention side has softmax weights; an sDNC side has content read weights
over memory slots. Seeing both, for the same inputs, usually says *why* the
outputs differ (a sink slot soaking up mass, a missing diagonal, a different
temperature). Values are float64 on the counterexample's own inputs.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from sympy import default_sort_key

from .counterexample import as_lists
from .domain import value_at
from .evaluate import evaluate
from .index import Entry, Iverson, index
from .matrix import MaskedSoftmax
from .memory import ContentWeight
from .textform import text

__all__ = ["intermediates"]


def _softmax_weights(term: MaskedSoftmax, sizes, inputs):
    i, j = index("i_w"), index("j_w")
    rows, cols = value_at(term.rows, sizes), value_at(term.cols, sizes)
    return evaluate(Entry(term, i, j), {i: rows, j: cols}, sizes, inputs)


def _read_weights(cw: ContentWeight, row: sp.Symbol, rows: int, sizes, inputs):
    slot = cw.slot if isinstance(cw.slot, sp.Symbol) else None
    if slot is None or not set(cw.row.free_symbols) <= {row}:
        return None
    weights = cw * Iverson(sp.Le(slot, cw.hi))            # outside the address domain: 0
    return evaluate(weights, {row: rows, slot: value_at(cw.mem.slots, sizes)}, sizes, inputs)


def intermediates(problem, sizes: dict[str, int], inputs: dict[str, np.ndarray]) -> dict[str, dict[str, list]]:
    """{side: {label: matrix}} of the attention and read weights each side computes."""
    if problem.composite:
        return {}                 # stages are evaluated one by one; no single expression to inspect
    rows = value_at(problem.rows, sizes)
    out = {}
    for side, expr in (("lhs", problem.lhs), ("rhs", problem.rhs)):
        found = {}
        for term in sorted(expr.atoms(MaskedSoftmax), key=default_sort_key):
            found[f"attention weights {text(term)} (row t, column j)"] = as_lists(_softmax_weights(term, sizes, inputs))
        for cw in sorted(expr.atoms(ContentWeight), key=default_sort_key):
            w = _read_weights(cw, problem.row, rows, sizes, inputs)
            if w is not None:
                found[f"read weights {text(cw)} (row t, slot n)"] = as_lists(w)
        out[side] = found
    return out
