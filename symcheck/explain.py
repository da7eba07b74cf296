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

from .evaluate import evaluate
from .index import Entry, Iverson, index
from .matrix import MaskedSoftmax
from .memory import ContentWeight
from .textform import text

__all__ = ["intermediates"]


def _concrete(expr, sizes) -> int:
    return int(sp.sympify(expr).subs({sp.Symbol(k, integer=True, positive=True): v for k, v in sizes.items()}))


def _tolist(a: np.ndarray) -> list:
    return [[None if not np.isfinite(v) else float(v) for v in row] for row in np.asarray(a, float)]


def _softmax_weights(term: MaskedSoftmax, sizes, inputs):
    i, j = index("i_w"), index("j_w")
    rows, cols = _concrete(term.rows, sizes), _concrete(term.cols, sizes)
    return evaluate(Entry(term, i, j), {i: rows, j: cols}, sizes, inputs)


def _read_weights(cw: ContentWeight, row: sp.Symbol, rows: int, sizes, inputs):
    slot = cw.slot if isinstance(cw.slot, sp.Symbol) else None
    if slot is None or not set(cw.row.free_symbols) <= {row}:
        return None
    weights = cw * Iverson(sp.Le(slot, cw.hi))            # outside the address domain: 0
    return evaluate(weights, {row: rows, slot: _concrete(cw.mem.slots, sizes)}, sizes, inputs)


def intermediates(problem, sizes: dict[str, int], inputs: dict[str, np.ndarray]) -> dict[str, dict[str, list]]:
    """{side: {label: matrix}} of the attention and read weights each side computes."""
    if problem.composite:
        return {}                 # stages are evaluated one by one; no single expression to inspect
    rows = _concrete(problem.rows, sizes)
    out = {}
    for side, expr in (("lhs", problem.lhs), ("rhs", problem.rhs)):
        found = {}
        for term in sorted(expr.atoms(MaskedSoftmax), key=default_sort_key):
            found[f"attention weights {text(term)} (row t, column j)"] = _tolist(_softmax_weights(term, sizes, inputs))
        for cw in sorted(expr.atoms(ContentWeight), key=default_sort_key):
            w = _read_weights(cw, problem.row, rows, sizes, inputs)
            if w is not None:
                found[f"read weights {text(cw)} (row t, slot n)"] = _tolist(w)
        out[side] = found
    return out
