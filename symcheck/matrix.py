"""Matrix-level terms: how models are *stated* (and printed), before lowering.

The classes and their semantics live in `symcheck.nodes.matrices`; this is their public module.
"""

from __future__ import annotations

from .nodes.matrices import (MASKS, SIDES, MaskedSoftmax, MatInput, MatProd, MatrixTerm, MatScale, MatT, ScalarInput,
                             Slice, TensorInput, mask_guard, matrix, tensor)

__all__ = ["MatrixTerm", "MatInput", "TensorInput", "ScalarInput", "SIDES", "Slice", "MatProd", "MatT", "MatScale",
           "MaskedSoftmax", "MASKS",
           "mask_guard", "matrix", "tensor"]
