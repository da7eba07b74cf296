"""`concat`: models (or input matrices) side by side, as one model's rows or columns.

`concat(A, B)` puts B's rows under A's: what a reader attends to when a memory is made of two
parts (learned prefix rows, then the sequence; or two encoders' outputs). `concat(A, B,
axis="cols")` puts B's columns beside A's: [A | B], the concatenated heads of a multi-head
layer or a feature map widened by a second one. Entry (i, j) of the row concatenation is
[i <= r_A]·A[i, j] + [r_A + 1 <= i]·B[i − r_A, j]: brackets, so the sum and guard rules see the parts.
"""

from __future__ import annotations

import sympy as sp

from .errors import ClaimError
from .index import Iverson
from .ir import Formula, Model, joint_constraints
from .matrix import MatInput
from .models import rows_of

__all__ = ["concat", "AXES"]

AXES = ("rows", "cols")


def concat(*parts: Model | MatInput, axis: str = "rows") -> Formula:
    """The parts' rows one after the other (axis="rows"), or their columns side by side (axis="cols")."""
    if axis not in AXES:
        raise ClaimError(f"unknown axis {axis!r}; expected one of {', '.join(AXES)}", field="axis")
    if len(parts) < 2:
        raise ClaimError(f"concat takes at least two parts, got {len(parts)}", field="parts")
    entries = [rows_of(p, f"part {k + 1}") for k, p in enumerate(parts)]
    along = [p.rows if axis == "rows" else p.cols for p in parts]
    across = [p.cols if axis == "rows" else p.rows for p in parts]
    for k, width in enumerate(across[1:], start=2):
        if sp.expand(sp.sympify(width) - across[0]) != 0:
            other = "columns" if axis == "rows" else "rows"
            raise ClaimError(f"part {k} has {width} {other} but part 1 has {across[0]}: concatenated "
                             f"{axis} need the same number of {other}", field="parts")
    offsets = [sum(along[:k], sp.S.Zero) for k in range(len(parts))]

    def entry(i, j):
        out = sp.S.Zero
        for part, off, n in zip(entries, offsets, along):
            at = i if axis == "rows" else j
            inside = Iverson(sp.Le(off + 1, at)) * Iverson(sp.Le(at, off + n)) if off != 0 else Iverson(sp.Le(at, n))
            out += inside * (part(i - off, j) if axis == "rows" else part(i, j - off))
        return out

    models = [p for p in parts if isinstance(p, Model)]
    label = "concat of " + ", ".join(p.name if isinstance(p, MatInput) else p.label for p in parts) + f" ({axis})"
    rows = sum(along, sp.S.Zero) if axis == "rows" else parts[0].rows
    cols = parts[0].cols if axis == "rows" else sum(along, sp.S.Zero)
    return Formula(label, rows, cols, entry, joint_constraints(*models))
