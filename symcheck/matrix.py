"""Matrix-level terms: how models are *stated* (and printed), before lowering.

Each term is an immutable sympy `Basic` with a symbolic shape checked at
construction, so a shape mismatch is reported where the user wrote it. Entries
of these terms are reached only through `index.Entry` and the lowering rules.
"""

from __future__ import annotations

import sympy as sp
from sympy.core.symbol import Str

from .errors import ClaimError

__all__ = ["MatrixTerm", "MatInput", "TensorInput", "Slice", "MatProd", "MatT", "MatScale", "MaskedSoftmax", "MASKS",
           "matrix", "tensor"]

MASKS = ("inclusive", "strict", "none")


class MatrixTerm(sp.Basic):
    """Base of matrix-level terms; `rows`/`cols` are symbolic sizes."""

    rows: sp.Expr
    cols: sp.Expr

    def __matmul__(self, other):
        return MatProd(self, other)

    @property
    def T(self):
        return MatT(self)


def _same(a, b) -> bool:
    return a == b or sp.expand(sp.sympify(a) - sp.sympify(b)) == 0


class MatInput(MatrixTerm):
    """An input matrix with a name and a symbolic shape; X[i, j] is an index atom."""

    def __new__(cls, name, rows, cols):
        name = name if isinstance(name, Str) else Str(str(name))
        return sp.Basic.__new__(cls, name, sp.sympify(rows), sp.sympify(cols))

    @property
    def name(self) -> str:
        return self.args[0].name

    rows = property(lambda self: self.args[1])
    cols = property(lambda self: self.args[2])
    shape = property(lambda self: (self.args[1], self.args[2]))

    @property
    def base(self) -> sp.IndexedBase:
        return sp.IndexedBase(self.name)

    def __getitem__(self, ij):
        """X[i, j] as an index-level entry (lowered to an atom by `entry-input`)."""
        from .index import Entry
        i, j = ij
        return Entry(self, i, j)

    def _sympystr(self, printer):
        return self.name


def matrix(name: str, rows, cols) -> MatInput:
    """Declare an input matrix of symbolic shape rows × cols."""
    return MatInput(name, rows, cols)


class TensorInput(sp.Basic):
    """An input tensor of any rank (e.g. per-head queries T × H × d_h); X[i, h, a] is an entry."""

    def __new__(cls, name, *shape):
        name = name if isinstance(name, Str) else Str(str(name))
        if len(shape) == 1 and isinstance(shape[0], sp.Tuple):     # rebuilt from .args
            shape = tuple(shape[0])
        if len(shape) < 1:
            raise ClaimError(f"tensor {name.name} needs at least one dimension", field="shape")
        return sp.Basic.__new__(cls, name, sp.Tuple(*map(sp.sympify, shape)))

    name = property(lambda self: self.args[0].name)
    shape = property(lambda self: tuple(self.args[1]))

    def __getitem__(self, idx):
        from .index import Element
        idx = idx if isinstance(idx, tuple) else (idx,)
        if len(idx) != len(self.shape):
            raise ClaimError(f"{self.name} has {len(self.shape)} indices, got {len(idx)}", field="indices")
        return Element(self, *idx)

    def at(self, layer) -> "Slice":
        """This tensor's slice for one layer, when its first axis runs over the layers of a stack."""
        return Slice(self, layer)

    def _sympystr(self, printer):
        return self.name


class Slice:
    """tensor[ℓ, ...]: one layer's weights, cut from a tensor whose first axis is the layer.

    It indexes like the weight it stands for (a matrix slice also has `rows` and
    `cols`), so layer constructors take it in place of a `MatInput`/`TensorInput`.
    """

    def __init__(self, tensor: TensorInput, layer):
        if len(tensor.shape) < 2:
            raise ClaimError(f"{tensor.name} has no axis left after the layer axis", field="shape")
        self.tensor, self.layer = tensor, sp.sympify(layer)

    name = property(lambda self: self.tensor.name)
    shape = property(lambda self: self.tensor.shape[1:])
    rows = property(lambda self: self.shape[0])
    cols = property(lambda self: self.shape[1])

    def __getitem__(self, idx):
        return self.tensor[(self.layer, *(idx if isinstance(idx, tuple) else (idx,)))]

    def __repr__(self):
        return f"{self.name}[{self.layer}]"


def tensor(name: str, *shape) -> TensorInput:
    """Declare an input tensor of symbolic shape, e.g. tensor("Q", T, H, d_h)."""
    return TensorInput(name, *shape)


class MatProd(MatrixTerm):
    def __new__(cls, a, b):
        if not _same(a.cols, b.rows):
            raise ClaimError(f"shape mismatch in product: {a} is {a.rows}x{a.cols}, {b} is {b.rows}x{b.cols}",
                             field="shape")
        return sp.Basic.__new__(cls, a, b)

    rows = property(lambda self: self.args[0].rows)
    cols = property(lambda self: self.args[1].cols)

    def _sympystr(self, printer):
        return f"{printer._print(self.args[0])}·{printer._print(self.args[1])}"


class MatT(MatrixTerm):
    def __new__(cls, a):
        return sp.Basic.__new__(cls, a)

    rows = property(lambda self: self.args[0].cols)
    cols = property(lambda self: self.args[0].rows)

    def _sympystr(self, printer):
        return f"{printer._print(self.args[0])}ᵀ"


class MatScale(MatrixTerm):
    """c · A for a scalar expression c (e.g. 1/sqrt(d))."""

    def __new__(cls, c, a):
        return sp.Basic.__new__(cls, sp.sympify(c), a)

    rows = property(lambda self: self.args[1].rows)
    cols = property(lambda self: self.args[1].cols)

    def _sympystr(self, printer):
        return f"({printer._print(self.args[0])})·{printer._print(self.args[1])}"


class MaskedSoftmax(MatrixTerm):
    """Row-wise softmax of A + log M, M the causal mask `inclusive` ([j<=i]), `strict` ([j<i]) or `none`."""

    def __new__(cls, a, mask="none"):
        mask = mask.name if isinstance(mask, Str) else mask
        if mask not in MASKS:
            raise ClaimError(f"unknown mask {mask!r}; expected one of {', '.join(MASKS)}", field="mask")
        return sp.Basic.__new__(cls, a, Str(mask))

    rows = property(lambda self: self.args[0].rows)
    cols = property(lambda self: self.args[0].cols)

    @property
    def mask(self) -> str:
        return self.args[1].name

    def _sympystr(self, printer):
        m = "" if self.mask == "none" else f" + log M_{self.mask}"
        return f"softmax({printer._print(self.args[0])}{m})"
