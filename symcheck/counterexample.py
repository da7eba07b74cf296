"""A refutation's evidence: concrete sizes and inputs at which the two sides differ.

Its own module (not result.py) so that the proof view can hold one without depending on
results: results depend on the view, for their notebook display.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["Counterexample", "as_lists"]


def as_lists(a) -> list:
    """An array as nested lists of any depth for a counterexample: None where undefined (not
    finite), an int where the value is an exact integer, else the float."""
    return _clean(np.asarray(a, dtype=float).tolist())


def _clean(v):
    if isinstance(v, list):
        return [_clean(x) for x in v]
    if not np.isfinite(v):
        return None
    return int(v) if float(v).is_integer() else v


@dataclass(frozen=True)
class Counterexample:
    """Values are nested lists (None where a side is undefined), confirmed in high precision."""

    sizes: dict[str, int]
    inputs: dict[str, list]
    lhs: list
    rhs: list
    max_abs_diff: float | None       # over entries where both sides are defined
    where: str
    first_difference: str = ""       # the first differing entry in row-major order
    intermediates: dict = field(default_factory=dict)   # {side: {label: matrix}}: weights each side used

    def as_json(self) -> dict:
        return {"sizes": self.sizes, "inputs": self.inputs, "lhs": self.lhs, "rhs": self.rhs,
                "max_abs_diff": self.max_abs_diff, "where": self.where,
                "first_difference": self.first_difference, "intermediates": self.intermediates}
