"""Matrix-level terms: how models are *stated* (and printed), before lowering.

The classes and their semantics live in `symcheck.nodes.matrices`; this is their public module.
"""

from __future__ import annotations

from .nodes.matrices import (MASKS, MaskedSoftmax, MatInput, MatProd, MatrixTerm, MatScale, MatT, Slice,
                             TensorInput, mask_guard, matrix, tensor)

__all__ = ["MatrixTerm", "MatInput", "TensorInput", "Slice", "MatProd", "MatT", "MatScale", "MaskedSoftmax", "MASKS",
           "mask_guard", "matrix", "tensor"]
