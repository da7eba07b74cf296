"""From a claim to a concrete decision problem: entry expressions, domain, inputs.

Both sides are compared entrywise at a symbolic position (t, b) with
1 <= t <= rows and 1 <= b <= cols; equality there, for symbolic sizes, is
equality of the matrices for every size in the domain.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from .claim import Claim
from .compose import evaluate_composite, leaf_inputs
from .context import Context
from .errors import ClaimError
from .evaluate import FLOAT64, evaluate
from .binders import fresh, rename_apart, subst
from .domain import Domain, require_points
from .index import Sigma, index, size
from .matrix import MatScale
from .memory import ContentWeight, FeedbackRead, Memory
from .wellformed import NameClash, check_in_range, safe_tree
from .matrix import MatInput, TensorInput

__all__ = ["Problem", "pose", "pose_composite", "position", "entry_formula"]


@dataclass(frozen=True)
class Problem:
    claim: Claim
    lhs: sp.Expr
    rhs: sp.Expr
    row: sp.Symbol
    col: sp.Symbol
    rows: sp.Expr
    cols: sp.Expr
    sizes: tuple[sp.Symbol, ...]
    inputs: tuple[MatInput | TensorInput, ...]
    context: Context | None      # None for a composite claim: it has no entry expressions
    domain: Domain | None = None    # sizes and constraints, shown nonempty when posed

    @property
    def composite(self) -> bool:
        return self.context is None

    def values(self, sizes: dict[str, int], inputs: dict, backend=FLOAT64):
        """Both sides' output matrices at concrete sizes."""
        if self.composite:
            return (evaluate_composite(self.claim.lhs, sizes, inputs, backend),
                    evaluate_composite(self.claim.rhs, sizes, inputs, backend))
        env = {s: sizes[s.name] for s in self.sizes}
        free = {self.row: int(sp.sympify(self.rows).subs(env)), self.col: int(sp.sympify(self.cols).subs(env))}
        return (evaluate(self.lhs, free, sizes, inputs, backend),
                evaluate(self.rhs, free, sizes, inputs, backend))


def _size_symbols(*exprs) -> set[sp.Symbol]:
    """The sizes among the *free* symbols: positive integer symbols (declared with `sizes`).
    A bound index is not a size, whatever its assumptions."""
    out = set()
    for e in exprs:
        out |= {s for s in sp.sympify(e).free_symbols if isinstance(s, sp.Symbol) and s.is_positive and s.is_integer}
    return out


def _check_domain(claim: Claim, sizes: set, free_ok: set, *sides) -> None:
    """`where` constrains declared sizes only; an entry mentions no symbol that is neither a size,
    the compared position, nor bound by a sum; bound indices carry no sign assumption."""
    names = {s.name for s in sizes}
    for lo, hi in claim.where:
        for s in sp.sympify(hi - lo).free_symbols:
            if s.name not in names:
                raise ClaimError(f"where= constrains {s.name}, which is not a size of this claim (sizes: "
                                 f"{', '.join(sorted(names)) or 'none'}); only sizes may be constrained",
                                 claim=claim.qualname, field="where")
    for field, side in sides:
        labels = {base.label for base in side.atoms(sp.IndexedBase)}      # X in X[i, j]: a name, not a value
        for s in side.free_symbols:
            if isinstance(s, sp.Symbol) and s not in sizes and s not in free_ok and s not in labels:
                raise ClaimError(f"symbol {s.name} is neither a size (declare it with sizes()) nor an index bound "
                                 "by a sum", claim=claim.qualname, field=field)
        for sigma in side.atoms(Sigma):
            if sigma.var.is_nonnegative is not None or sigma.var in sizes:
                raise ClaimError(f"the bound index {sigma.var.name} is a size or has a sign assumption; declare bound "
                                 "indices with indices() (their range is the sum's)", claim=claim.qualname, field=field)


def _shape(m) -> str:
    return "x".join(str(s) for s in m.shape)


def _same_shape(claim: Claim):
    lhs, rhs = claim.lhs, claim.rhs
    for what, a, b in (("rows", lhs.rows, rhs.rows), ("columns", lhs.cols, rhs.cols)):
        if sp.expand(a - b) != 0:
            raise ClaimError(f"the two sides have different {what}: lhs {lhs.rows}x{lhs.cols}, "
                             f"rhs {rhs.rows}x{rhs.cols}", claim=claim.qualname, field="shape")


def _merge_inputs(claim: Claim, found) -> dict[str, MatInput | TensorInput]:
    inputs: dict[str, MatInput | TensorInput] = {}
    for m in sorted(found, key=lambda m: m.name):
        if m.name in inputs and inputs[m.name].shape != m.shape:
            raise ClaimError(f"input {m.name} is used with two shapes: {_shape(inputs[m.name])} and {_shape(m)}",
                             claim=claim.qualname, field="inputs")
        inputs[m.name] = m
    return inputs


def pose_composite(claim: Claim) -> Problem:
    """The numeric problem of a claim between compositions (stacks, applied models):
    sizes and inputs for the falsifier; proofs go through `composition`."""
    _same_shape(claim)
    found = list(leaf_inputs(claim.lhs).values()) + list(leaf_inputs(claim.rhs).values())
    inputs = _merge_inputs(claim, found)
    sizes = _size_symbols(claim.lhs.rows, claim.lhs.cols, *(e for m in inputs.values() for e in m.shape),
                          *(e for pair in claim.lhs.constraints + claim.rhs.constraints for e in pair))
    # the parts' entries are not posed here; a declared size the claim constrains may be one of theirs
    sizes |= _size_symbols(*(e for pair in claim.where for e in pair))
    _check_domain(claim, sizes, set())
    ordered = tuple(sorted(sizes, key=lambda s: s.name))
    domain = Domain(ordered, tuple(claim.constraints) + ((1, claim.lhs.rows), (1, claim.lhs.cols)))
    require_points(domain, claim.qualname)
    return Problem(claim, None, None, index("t"), index("b"), claim.lhs.rows, claim.lhs.cols,
                   ordered, tuple(inputs.values()), None, domain)


def _side_entry(claim: Claim, field: str, model, row, col) -> sp.Expr:
    """One side's entry (row, col), made safe (`wellformed.safe_tree`); errors name the side."""
    try:
        return _built_entry(model, field, row, col)
    except NameClash:
        raise
    except ClaimError as err:
        inner = f" ({err.field})" if err.field not in (None, field, "entry") else ""
        raise ClaimError(err.detail, claim=claim.qualname, field=field + inner) from None


def _placeholders() -> tuple[sp.Dummy, sp.Dummy]:
    """A row and a column no name of the user's can equal: an entry built at them captures nothing."""
    return sp.Dummy("row\u2020", integer=True), sp.Dummy("col\u2020", integer=True)


def _built_entry(model, field: str, row, col) -> sp.Expr:
    """The entry at (row, col), built at placeholders and then substituted capture-free: a user's own
    bound index named like the position (a sum over b beside the column b) is renamed, not captured."""
    r, c = _placeholders()
    return subst(safe_tree(sp.sympify(model.entry(r, c)), field), {r: row, c: col})


def position(model, avoid: frozenset[str] = frozenset()) -> tuple[sp.Symbol, sp.Symbol]:
    """The symbolic position (row, col) at which a model's entries are compared."""
    taken = set(avoid) | {s.name for e in (model.rows, model.cols) for s in sp.sympify(e).atoms(sp.Symbol)}
    row = fresh(taken, "t" if "t" not in taken else "i_row")
    return row, fresh(taken | {row.name}, "b" if "b" not in taken else "i_col")


def _check_symbols(claim: Claim, sizes: set, row, col, sides) -> None:
    """One symbol per name, sizes and bound indices exactly as `sizes()`/`indices()` declare them
    (an extra assumption such as even=True lets sympy fold Mod(T, 2)). The entailment engine and
    the rules identify symbols by name."""
    by_name: dict[str, set] = {}
    for _, side in sides:
        for s in side.atoms(sp.Symbol):
            by_name.setdefault(s.name, set()).add(s)
    for name, group in sorted(by_name.items()):
        if len(group) > 1:
            raise ClaimError(f"two different symbols are named {name} (e.g. a size and an index); give them "
                             "different names", claim=claim.qualname, field="lhs")
    for s in sizes:
        if s != size(s.name):
            raise ClaimError(f"size {s.name} carries assumptions beyond a positive integer "
                             f"({', '.join(k for k, v in s.assumptions0.items() if v)}); declare it with sizes()",
                             claim=claim.qualname, field="sizes")
    for field, side in sides:
        _check_binders(claim, field, side)


def _check_binders(claim: Claim, field: str, side) -> None:
    """Bound indices exactly as `indices()` declares them: an assumption such as nonzero=True
    would let sympy decide [j = 0] for every j of the range."""
    for sigma in side.atoms(Sigma):
        v = sigma.var
        if v != index(v.name):
            raise ClaimError(f"the bound index {v.name} carries assumptions; declare bound indices with indices() "
                             "(their range is the sum's)", claim=claim.qualname, field=field)


def _check_shapes(claim: Claim, ctx: Context, sizes: set, lhs, inputs, sides) -> None:
    """Every dimension an integer >= 1 throughout the domain, and every matrix-level scalar (a
    scale, a key strength) a function of the sizes alone: the numeric semantics needs both."""
    memories = {m for _, side in sides for m in side.atoms(Memory)}
    dims = [("the output", x) for x in (lhs.rows, lhs.cols)]
    dims += [(f"input {m.name}", x) for m in inputs for x in m.shape]
    dims += [(f"memory {m.name}", m.slots) for m in memories]
    for what, x in dims:
        x = sp.sympify(x)
        if x.is_integer is not True or not ctx.proves_le(1, x):
            raise ClaimError(f"{what} has a dimension {x} that is not an integer >= 1 throughout the domain",
                             claim=claim.qualname, field="shape")
    for field, side in sides:
        scalars = [t.args[0] for t in side.atoms(MatScale)] + [w.strength for w in side.atoms(ContentWeight)]
        scalars += [r.strength for r in side.atoms(FeedbackRead)]
        for c in scalars:
            stray = {s for s in sp.sympify(c).free_symbols if s not in sizes}
            if stray:
                raise ClaimError(f"the scale or key strength {c} mentions {', '.join(sorted(map(str, stray)))}: "
                                 "it must depend on sizes only", claim=claim.qualname, field=field)


def entry_formula(model, field: str = "lhs") -> tuple[sp.Symbol, sp.Symbol, sp.Expr]:
    """(row, col, entry) of a model, built as `pose` builds a side, without posing a claim: a
    description of a part (a certificate's structure), checked where it is used."""
    row, col = position(model)
    return row, col, _apart(_built_entry(model, field, row, col), row, col)


def _apart(side: sp.Expr, row, col) -> sp.Expr:
    """The side with no sum rebinding a name in scope (`binders.rename_apart`)."""
    return rename_apart(side, {s.name for s in side.free_symbols} | {row.name, col.name})


def _entries(claim: Claim):
    """(row, col, lhs entry, rhs entry) at a position whose names no symbol of the claim has (a size
    of the user's may be named t, a stray index b): both entries are built at placeholders first."""
    r, c = _placeholders()
    try:
        built = [_side_entry(claim, f, m, r, c) for f, m in (("lhs", claim.lhs), ("rhs", claim.rhs))]
    except NameClash as clash:
        raise ClaimError(clash.detail, claim=claim.qualname, field=clash.field) from None
    taken = frozenset(s.name for e in built for s in e.atoms(sp.Symbol) if s not in (r, c))
    row, col = position(claim.lhs, taken)
    left, right = (subst(e, {r: row, c: col}) for e in built)
    return row, col, left, right


def pose(claim: Claim) -> Problem:
    """Build the entrywise problem; raises ClaimError for shape or input mismatches."""
    lhs, rhs = claim.lhs, claim.rhs
    _same_shape(claim)
    row, col, left, right = _entries(claim)
    inputs = _merge_inputs(claim, left.atoms(MatInput, TensorInput) | right.atoms(MatInput, TensorInput))
    model_constraints = lhs.constraints + rhs.constraints
    sizes = _size_symbols(lhs.rows, lhs.cols, *(e for m in inputs.values() for e in m.shape),
                          *(e for pair in model_constraints for e in pair), left, right)
    sizes |= _size_symbols(*(e for pair in claim.where for e in pair))    # a declared size, even if unused
    _check_domain(claim, sizes, {row, col}, ("lhs", left), ("rhs", right))
    _check_symbols(claim, sizes, row, col, (("lhs", left), ("rhs", right)))
    left, right = _apart(left, row, col), _apart(right, row, col)
    facts = [(1, s) for s in sizes] + [(1, row), (row, lhs.rows), (1, col), (col, lhs.cols)]
    facts += list(claim.constraints)
    for a in claim.assume:
        if a.name not in inputs:
            raise ClaimError(f"assumption names input {a.name!r}, which neither side uses",
                             claim=claim.qualname, field="assume")
    reserved = frozenset({s.name for e in (left, right) for s in e.free_symbols if isinstance(s, sp.Symbol)}
                         | {s.name for s in sizes} | {row.name, col.name})
    ctx = Context(assumptions=frozenset(claim.assume), reserved=reserved).with_facts(*facts)
    ordered = tuple(sorted(sizes, key=lambda s: s.name))
    domain = Domain(ordered, tuple(claim.constraints) + ((1, lhs.rows), (1, lhs.cols)))
    require_points(domain, claim.qualname)
    _check_shapes(claim, ctx, sizes, lhs, inputs.values(), (("lhs", left), ("rhs", right)))
    for field, side in (("lhs", left), ("rhs", right)):
        try:
            check_in_range(side, ctx, field)
        except ClaimError as err:
            raise ClaimError(str(err), claim=claim.qualname) from None
    return Problem(claim, left, right, row, col, lhs.rows, lhs.cols, ordered, tuple(inputs.values()), ctx, domain)
