"""Matrix-level terms: how models are *stated* (and printed), before lowering.

Each term is an immutable sympy `Basic` with a symbolic shape checked at
construction, so a shape mismatch is reported where the user wrote it. Entries
of these terms are reached only through `Entry` and the lowering rules; entries
of input tensors of any rank are `Element`s.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from sympy.core.symbol import Str

from ..entrytex import entry_tex, word_subscript
from ..errors import ClaimError
from .guards import Iverson
from .spec import Node, NodeSpec, register

__all__ = ["MatrixTerm", "MatInput", "TensorInput", "ScalarInput", "SIDES", "Slice", "MatProd", "MatT", "MatScale", "MaskedSoftmax", "MASKS", "mask_guard",
           "Entry", "Element", "matrix", "tensor"]

MASKS = ("inclusive", "strict", "none")


def mask_guard(mask: str, i, j) -> sp.Expr:
    """[M_{ij}] for the causal masks: inclusive [j <= i], strict [j < i], none 1."""
    if mask == "inclusive":
        return Iverson(sp.Le(j, i))
    if mask == "strict":
        return Iverson(sp.Lt(j, i))
    return sp.S.One


class MatrixTerm(Node, sp.Basic):
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
        if not isinstance(ij, tuple) or len(ij) != 2:
            raise ClaimError(f"{self.name} is a matrix: an entry takes two indices, {self.name}[i, j], "
                             f"got {self.name}[{ij}]", field="entry")
        i, j = ij
        return Entry(self, i, j)


def matrix(name: str, rows, cols) -> MatInput:
    """Declare an input matrix of symbolic shape rows × cols."""
    return MatInput(name, rows, cols)


class TensorInput(Node, sp.Basic):
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
        idx = idx if isinstance(idx, tuple) else (idx,)
        if len(idx) != len(self.shape):
            raise ClaimError(f"{self.name} has {len(self.shape)} indices, got {len(idx)}", field="indices")
        return Element(self, *idx)

    def at(self, layer) -> "Slice":
        """This tensor's slice for one layer, when its first axis runs over the layers of a stack."""
        return Slice(self, layer)


SIDES = ("open", "closed", "none")     # an interval's end: excluded, included, or no bound (the value is then 0)


class ScalarInput(TensorInput):
    """A named real input of one entry with the interval it lies in (`symcheck.scalars.scalar`).

    args: (name, (1,), (lo, hi), left, right), `left`/`right` one of `SIDES`. The interval is part
    of the node, so every expression and certificate that reads the scalar carries its range."""

    def __new__(cls, name, shape, bounds, left, right):
        name = name if isinstance(name, Str) else Str(str(name))
        sides = tuple(x if isinstance(x, Str) else Str(x) for x in (left, right))
        if any(x.name not in SIDES for x in sides) or sp.Tuple(*shape) != sp.Tuple(1) or len(bounds) != 2:
            raise ClaimError(f"malformed scalar {name.name}", field="interval")
        return sp.Basic.__new__(cls, name, sp.Tuple(1), sp.Tuple(*map(sp.sympify, bounds)), *sides)

    shape = property(lambda self: (sp.S.One,))
    left = property(lambda self: self.args[3].name)
    right = property(lambda self: self.args[4].name)
    lo = property(lambda self: None if self.left == "none" else self.args[2][0])
    hi = property(lambda self: None if self.right == "none" else self.args[2][1])

    def contains(self, x) -> bool:
        """Is the number x in the interval?"""
        above = self.lo is None or (x > self.lo if self.left == "open" else x >= self.lo)
        return bool(above and (self.hi is None or (x < self.hi if self.right == "open" else x <= self.hi)))

    def describe(self) -> str:
        """The interval as inequalities, e.g. `0 < gamma <= 1`; `gamma real` without bounds."""
        lo = "" if self.lo is None else f"{self.lo} {'<' if self.left == 'open' else '<='} "
        hi = "" if self.hi is None else f" {'<' if self.right == 'open' else '<='} {self.hi}"
        return f"{lo}{self.name}{hi}" if lo or hi else f"{self.name} real"


class Slice:
    """tensor[ℓ, ...]: one layer's weights, cut from a tensor whose first axis is the layer.

    It indexes like the weight it stands for (a matrix slice also has `rows` and
    `cols`), so layer constructors take it in place of a `MatInput`/`TensorInput`.
    Not a node: it never appears in an expression, only its entries do.
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


class MatT(MatrixTerm):
    def __new__(cls, a):
        return sp.Basic.__new__(cls, a)

    rows = property(lambda self: self.args[0].cols)
    cols = property(lambda self: self.args[0].rows)


class MatScale(MatrixTerm):
    """c · A for a scalar expression c (e.g. 1/sqrt(d))."""

    def __new__(cls, c, a):
        return sp.Basic.__new__(cls, sp.sympify(c), a)

    rows = property(lambda self: self.args[1].rows)
    cols = property(lambda self: self.args[1].cols)


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


class Entry(Node, sp.Expr):
    """Entry (i, j) of a matrix-level term: the bridge from matrices to indices."""

    is_commutative = True

    def __new__(cls, term, i, j):
        return sp.Basic.__new__(cls, term, sp.sympify(i), sp.sympify(j))

    @property
    def term(self):
        return self.args[0]


class Element(Node, sp.Expr):
    """An entry X[i, j, ...] of an input tensor: a real number, an atom for the rules."""

    is_commutative = True
    is_real = True

    def __new__(cls, tensor, *indices):
        return sp.Basic.__new__(cls, tensor, *map(sp.sympify, indices))

    tensor = property(lambda self: self.args[0])
    indices = property(lambda self: self.args[1:])


# -- numeric semantics ---------------------------------------------------------------------------------
def _softmax(ev, term: MaskedSoftmax):
    a = ev.matrix(term.args[0])
    if a.dtype == float:
        return _softmax_f64(ev, a, term.mask)
    i = np.arange(1, a.shape[0] + 1)[:, None]
    j = np.arange(1, a.shape[1] + 1)[None, :]
    keep = _kept(term.mask, i, j)
    e = np.where(keep, ev.b.exp(a), ev.b.zero)
    z = e.sum(axis=1, keepdims=True)
    return np.where(keep, e * ev.b.power(z, ev.b.convert(-1)), ev.b.zero)   # masked: exactly 0


def _scaled(ev, term: MatScale):
    """c · A; a product A is computed afresh and scaled in place, not kept (a T × T score matrix is made once)."""
    c, a = ev.val(term.args[0], {}).reshape(()), term.args[1]
    if not isinstance(a, MatProd) or ("matrix", a) in ev.cache:
        return c * ev.matrix(a)
    product = _product(ev, a)
    return np.multiply(c, product, out=product)


def _product(ev, term: MatProd):
    return np.dot(ev.matrix(term.args[0]), ev.matrix(term.args[1]))


def _kept(mask: str, i, j):
    """[M_ij] as booleans on the grid of rows i and columns j (from 1)."""
    return {"inclusive": lambda: j <= i, "strict": lambda: j < i, "none": lambda: np.ones_like(j <= i)}[mask]()


SOFTMAX_ROWS = 256     # rows of a float64 softmax computed together


def _softmax_f64(ev, a, mask: str):
    """The same entries, in row blocks on a fresh zero array: a causal mask keeps about half of a T × T matrix, and
    only the columns a block can keep are exponentiated and written (the rest stays 0 without being touched);
    each row's denominator is summed over the whole row, zeros included, as on the whole matrix."""
    rows, cols = a.shape
    e = np.zeros(a.shape)
    spans = [(r0, min(r0 + SOFTMAX_ROWS, rows)) for r0 in range(0, rows, SOFTMAX_ROWS)]
    reach = lambda r1: cols if mask == "none" else min(cols, r1 if mask == "inclusive" else r1 - 1)    # noqa: E731

    def masked(r0, r1):                                         # the block's entries the mask removes: exactly 0
        if mask != "none":
            block = e[r0:r1, :reach(r1)]
            np.copyto(block, 0.0, where=~_kept(mask, np.arange(r0 + 1, r1 + 1)[:, None],
                                               np.arange(1, block.shape[1] + 1)[None, :]))
    for r0, r1 in spans:
        e[r0:r1, :reach(r1)] = ev.b.exp(a[r0:r1, :reach(r1)])
        masked(r0, r1)
    scale = ev.b.power(e.sum(axis=1, keepdims=True), ev.b.convert(-1))
    for r0, r1 in spans:
        np.multiply(e[r0:r1, :reach(r1)], scale[r0:r1], out=e[r0:r1, :reach(r1)])
        masked(r0, r1)
    return e


def _entry(ev, e: Entry, env):
    term, i, j = e.args
    return ev.gather(ev.matrix(term), [ev.idx(i, env), ev.idx(j, env)], [1, 1])


# -- notation -------------------------------------------------------------------------------------------
def _latex_scale(printer, e: MatScale) -> str:
    c = printer._print(e.args[0])
    if isinstance(e.args[0], sp.Add):
        c = rf"\left({c}\right)"
    return rf"{c}\,{printer._print(e.args[1])}"


def _latex_softmax(printer, e: MaskedSoftmax) -> str:
    inner = printer._print(e.args[0])
    if e.mask != "none":
        inner += r" + \log " + printer.macro("causalmask", e.mask)
    return printer.macro("softmax") + rf"\left({inner}\right)"


def _latex_entry(printer, e: Entry) -> str:
    if isinstance(e.term, MatInput):       # an italic scalar, as after `entry-input`: one font per object
        return entry_tex(printer, e.term.name, e.args[1:])
    term = rf"\left({printer._print(e.term)}\right)"
    return f"{term}_{{{printer._print(e.args[1])},{printer._print(e.args[2])}}}"


def _text_entry(printer, e: Entry) -> str:
    term = printer._print(e.term)
    term = term if isinstance(e.term, MatInput) else f"({term})"
    return f"{term}[{printer._print(e.args[1])},{printer._print(e.args[2])}]"


def _latex_element(printer, e: Element) -> str:
    if isinstance(e.tensor, ScalarInput):
        return printer._print(sp.Symbol(e.tensor.name))
    return entry_tex(printer, e.tensor.name, e.indices, e.tensor.shape)


def _text_element(printer, e: Element) -> str:
    if isinstance(e.tensor, ScalarInput):
        return e.tensor.name
    return f"{e.tensor.name}[{','.join(printer._print(i) for i in e.indices)}]"


def _text_softmax(printer, e: MaskedSoftmax) -> str:
    m = "" if e.mask == "none" else f" + log M_{e.mask}"
    return f"softmax({printer._print(e.args[0])}{m})"


def _mat_name(printer, e) -> str:
    word = word_subscript(e.name)          # \mat{u}^{\mathrm{prev}}, as its entries u^{\mathrm{prev}}_{t,1}
    if word is not None:
        return printer.macro("mat", printer._print(sp.Symbol(word[0]))) + rf"^{{\mathrm{{{word[1]}}}}}"
    return printer.macro("mat", printer._print(sp.Symbol(e.name)))


# -- mutations --------------------------------------------------------------------------------------------
def _entry_mutations(e: Entry) -> list:
    out = []
    if isinstance(e.term, MatT):
        out.append(("drop-transpose", Entry(e.term.args[0], e.args[1], e.args[2])))
    if e.args[1] != e.args[2]:
        out.append(("swap-indices", Entry(e.term, e.args[2], e.args[1])))
    return out


def _element_mutations(e: Element) -> list:
    if len(set(e.indices)) <= 1:
        return []
    i = next(k for k in range(1, len(e.indices)) if e.indices[k] != e.indices[0])
    swapped = list(e.indices)
    swapped[0], swapped[i] = swapped[i], swapped[0]
    return [("swap-indices", Element(e.tensor, *swapped))]


# -- entries in range (wellformed.check_in_range walks with `r`) ----------------------------------------
def _in_range_element(r, e: Element, ctx):
    r.within(e.indices, e.tensor.shape, f"entry {e}", ctx)
    for i in e.indices:
        r.walk(i, ctx)


def _in_range_entry(r, e: Entry, ctx):
    _, i, j = e.args
    r.within((i, j), (e.term.rows, e.term.cols), f"entry {e}", ctx)
    r.walk(e.term, ctx)


for _spec in (
    NodeSpec(MatInput, matrix=lambda ev, t: ev.inputs[t.name], latex=_mat_name, text=lambda p, e: e.name),
    NodeSpec(TensorInput, latex=_mat_name, text=lambda p, e: e.name),
    NodeSpec(MatProd, matrix=_product,
             latex=lambda p, e: rf"{p._print(e.args[0])}\,{p._print(e.args[1])}",
             text=lambda p, e: f"{p._print(e.args[0])}·{p._print(e.args[1])}"),
    NodeSpec(MatT, matrix=lambda ev, t: ev.matrix(t.args[0]).T, latex=lambda p, e: p.macro("tr", p._print(e.args[0])),
             text=lambda p, e: f"{p._print(e.args[0])}ᵀ"),
    NodeSpec(MatScale, matrix=_scaled,
             latex=_latex_scale, text=lambda p, e: f"({p._print(e.args[0])})·{p._print(e.args[1])}",
             mutations=lambda e: [("missing-scale", MatScale(1, e.args[1])),
                                  ("wrong-scale", MatScale(2 * e.args[0], e.args[1]))]),
    NodeSpec(MaskedSoftmax, matrix=_softmax, latex=_latex_softmax, text=_text_softmax,
             mutations=lambda e: [("mask-flip", MaskedSoftmax(e.args[0], m)) for m in MASKS if m != e.mask]),
    NodeSpec(Entry, value=_entry, latex=_latex_entry, text=_text_entry, mutations=_entry_mutations,
             in_range=_in_range_entry),
    NodeSpec(Element, value=lambda ev, e, env: ev.read_input(e.tensor.name, [ev.idx(i, env) for i in e.indices]),
             latex=_latex_element, text=_text_element,
             mutations=_element_mutations, in_range=_in_range_element),
):
    register(_spec)
