"""From a claim to a concrete decision problem: entry expressions, domain, inputs.

Both sides are compared entrywise at a symbolic position (t, b) with
1 <= t <= rows and 1 <= b <= cols; equality there, for symbolic sizes, is
equality of the matrices for every size in the domain. A claim between
compositions (stacks, simulations, applications proved part by part) is posed
without entry expressions: its sizes and inputs, for the falsifier.
`pose` takes the two models and what the claim adds (its name, size
constraints, assumptions, method); `pose_claim` reads them off a `Claim`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sympy as sp

from .claim import Claim
from .compose import check_bindings, unroll
from .context import Context, UnitRows, atom_like
from .errors import ClaimError
from .evaluate import FLOAT64, evaluate
from .binders import fresh, input_names, rebind, rename_apart, subst, symbol_names
from .domain import Domain, require_points, value_at
from .index import Sigma, index, size
from .ir import Applied, Constraints, Model, Simulated, Stack, joint_constraints
from .matrix import MatScale
from .memory import ContentWeight, FeedbackRead, Memory
from .nodes.recurrence import Recurrence
from .model_ops import entry_of, entry_symbols, evaluate_model, leaf_inputs
from .wellformed import NameClash, check_in_range, safe_tree
from .matrix import MatInput, ScalarInput, TensorInput

__all__ = ["Problem", "Chunks", "pose", "pose_claim", "position", "entry_formula"]


@dataclass(frozen=True)
class Chunks:
    """Rows compared as t = (chunk − 1)·size + offset with 1 <= chunk <= count and 1 <= offset <= size.
    Division with remainder makes this a one-to-one map onto the rows 1..count·size, so equality at
    every (chunk, offset) is equality at every row: the scheme a chunkwise form is proved under."""

    chunk: sp.Symbol
    offset: sp.Symbol
    size: sp.Expr
    count: sp.Expr

    @property
    def row(self) -> sp.Expr:
        return (self.chunk - 1) * self.size + self.offset

    @property
    def facts(self) -> Constraints:
        return ((1, self.chunk), (self.chunk, self.count), (1, self.offset), (self.offset, self.size))

    def at(self, row: int, sizes: dict[str, int]) -> dict[str, int]:
        """The (chunk, offset) of a concrete row."""
        size = value_at(self.size, sizes)
        return {self.chunk.name: (row - 1) // size + 1, self.offset.name: (row - 1) % size + 1}


@dataclass(frozen=True)
class Problem:
    """A posed claim: both models and the assumptions on their inputs, its sizes, inputs and
    domain; posed entrywise, also both sides' entries at (row, col) and the facts they hold under."""

    models: tuple[Model, Model]
    assume: tuple[UnitRows, ...]
    lhs: sp.Expr | None          # None for a composite claim: it has no entry expressions
    rhs: sp.Expr | None
    row: sp.Symbol
    col: sp.Symbol
    rows: sp.Expr
    cols: sp.Expr
    sizes: tuple[sp.Symbol, ...]
    inputs: tuple[MatInput | TensorInput, ...]
    context: Context | None      # None for a composite claim
    domain: Domain | None = None    # sizes and constraints, shown nonempty when posed
    chunks: Chunks | None = None    # rows compared chunk by chunk: the sides are in (chunk, offset, col)

    @property
    def composite(self) -> bool:
        return self.context is None

    def values(self, sizes: dict[str, int], inputs: dict, backend=FLOAT64):
        """Both sides' output matrices at concrete sizes."""
        if self.composite:
            return tuple(evaluate_model(m, sizes, inputs, backend) for m in self.models)
        rows, cols = value_at(self.rows, sizes), value_at(self.cols, sizes)
        if self.chunks is None:
            free = {self.row: rows, self.col: cols}
        else:
            k = self.chunks
            free = {k.chunk: value_at(k.count, sizes), k.offset: value_at(k.size, sizes), self.col: cols}
        return tuple(np.reshape(evaluate(side, free, sizes, inputs, backend), (rows, cols))
                     for side in (self.lhs, self.rhs))

    def point(self, row: int, col: int, sizes: dict[str, int]) -> dict[str, int]:
        """The free indices' values at the entry (row, col) of the output."""
        if self.chunks is None:
            return {self.row.name: row, self.col.name: col}
        return {**self.chunks.at(row, sizes), self.col.name: col}


def _size_symbols(*exprs) -> set[sp.Symbol]:
    """The sizes among the *free* symbols: positive integer symbols (declared with `sizes`).
    A bound index is not a size, whatever its assumptions."""
    out = set()
    for e in exprs:
        out |= {s for s in sp.sympify(e).free_symbols if isinstance(s, sp.Symbol) and s.is_positive and s.is_integer}
    return out


def _check_domain(name: str, where: Constraints, sizes: set, free_ok: set, *sides) -> None:
    """`where` constrains declared sizes only; an entry mentions no symbol that is neither a size,
    the compared position, nor bound by a sum; bound indices carry no sign assumption."""
    names = {s.name for s in sizes}
    for lo, hi in where:
        for s in sp.sympify(hi - lo).free_symbols:
            if s.name not in names:
                raise ClaimError(f"where= constrains {s.name}, which is not a size of this claim (sizes: "
                                 f"{', '.join(sorted(names)) or 'none'}); only sizes may be constrained",
                                 claim=name, field="where")
    for field, side in sides:
        labels = {base.label for base in side.atoms(sp.IndexedBase)}      # X in X[i, j]: a name, not a value
        for s in side.free_symbols:
            if isinstance(s, sp.Symbol) and s not in sizes and s not in free_ok and s not in labels:
                raise ClaimError(f"symbol {s.name} is neither a size (declare it with sizes()) nor an index bound "
                                 "by a sum", claim=name, field=field)
        for sigma in side.atoms(Sigma):
            if sigma.var.is_nonnegative is not None or sigma.var in sizes:
                raise ClaimError(f"the bound index {sigma.var.name} is a size or has a sign assumption; declare bound "
                                 "indices with indices() (their range is the sum's)", claim=name, field=field)


def _shape(m) -> str:
    return "x".join(str(s) for s in m.shape)


def _same_shape(name: str, lhs: Model, rhs: Model, other: str = "rhs"):
    for what, a, b in (("rows", lhs.rows, rhs.rows), ("columns", lhs.cols, rhs.cols)):
        if sp.expand(a - b) != 0:
            pair = "the two sides" if other == "rhs" else f"lhs and {other}"
            raise ClaimError(f"{pair} have different {what}: lhs {lhs.rows}x{lhs.cols}, {other} {rhs.rows}x{rhs.cols}",
                             claim=name, field="shape" if other == "rhs" else "via")


def _merge_inputs(name: str, found) -> dict[str, MatInput | TensorInput]:
    inputs: dict[str, MatInput | TensorInput] = {}
    for m in sorted(found, key=lambda m: m.name):
        if m.name in inputs and inputs[m.name].shape != m.shape:
            raise ClaimError(f"input {m.name} is used with two shapes: {_shape(inputs[m.name])} and {_shape(m)}",
                             claim=name, field="inputs")
        if m.name in inputs and inputs[m.name] != m:
            raise ClaimError(f"input {m.name} is declared twice, differently (e.g. a scalar with two intervals, or "
                             "a scalar and a tensor); give them different names", claim=name, field="inputs")
        inputs[m.name] = m
    return inputs


def _side_entry(name: str, field: str, model: Model, row, col) -> sp.Expr:
    """One side's entry (row, col), made safe (`wellformed.safe_tree`); errors name the side."""
    try:
        return _built_entry(model, field, row, col)
    except NameClash:
        raise
    except ClaimError as err:
        inner = f" ({err.field})" if err.field not in (None, field, "entry") else ""
        raise ClaimError(err.detail, claim=name, field=field + inner) from None


def _placeholders() -> tuple[sp.Dummy, sp.Dummy]:
    """A row and a column no name of the user's can equal: an entry built at them captures nothing."""
    return sp.Dummy("row\u2020", integer=True), sp.Dummy("col\u2020", integer=True)


def _built_entry(model, field: str, row, col) -> sp.Expr:
    """The entry at (row, col), built at placeholders and then substituted capture-free: a user's own
    bound index named like the position (a sum over b beside the column b) is renamed, not captured."""
    r, c = _placeholders()
    built = safe_tree(sp.sympify(entry_of(model, r, c)), field)
    used = symbol_names(built) | {row.name, col.name}

    def rebound(v: sp.Symbol, scope) -> sp.Symbol | None:
        """A sum that binds the row or column itself (Σ_{t=t}^{T}) binds an ordinary fresh index instead."""
        if v not in (r, c):
            return None
        new = fresh(used, "j")
        used.add(new.name)
        return new

    return subst(rebind(built, rebound), {r: row, c: col})


def position(model: Model, avoid: frozenset[str] = frozenset()) -> tuple[sp.Symbol, sp.Symbol]:
    """The symbolic position (row, col) at which a model's entries are compared."""
    taken = set(avoid) | {s.name for e in (model.rows, model.cols) for s in sp.sympify(e).atoms(sp.Symbol)}
    row = fresh(taken, "t" if "t" not in taken else "i_row")
    return row, fresh(taken | {row.name}, "b" if "b" not in taken else "i_col")


def _check_symbols(name: str, sizes: set, row, col, sides) -> None:
    """One symbol per name, sizes and bound indices exactly as `sizes()`/`indices()` declare them
    (an extra assumption such as even=True lets sympy fold Mod(T, 2)). The entailment engine and
    the rules identify symbols by name."""
    by_name: dict[str, set] = {}
    for _, side in sides:
        for s in side.atoms(sp.Symbol):
            by_name.setdefault(s.name, set()).add(s)
    for symbol, group in sorted(by_name.items()):
        if len(group) > 1:
            raise ClaimError(f"two different symbols are named {symbol} (e.g. a size and an index); give them "
                             "different names", claim=name, field="lhs")
    for symbol in sorted(set(by_name) | {s.name for s in sizes}):
        if atom_like(symbol):
            raise ClaimError(f"the symbol name {symbol!r} contains '<' or '*', which symcheck reserves for the "
                             "atoms of its entailment (a product such as <A*B>); rename it", claim=name,
                             field="sizes" if symbol in {s.name for s in sizes} else "lhs")
    for s in sizes:
        if s != size(s.name):
            raise ClaimError(f"size {s.name} carries assumptions beyond a positive integer "
                             f"({', '.join(k for k, v in s.assumptions0.items() if v)}); declare it with sizes()",
                             claim=name, field="sizes")
    for field, side in sides:
        _check_binders(name, field, side)


def _check_binders(name: str, field: str, side) -> None:
    """Bound indices exactly as `indices()` declares them: an assumption such as nonzero=True
    would let sympy decide [j = 0] for every j of the range."""
    for sigma in side.atoms(Sigma):
        v = sigma.var
        if v != index(v.name):
            raise ClaimError(f"the bound index {v.name} carries assumptions; declare bound indices with indices() "
                             "(their range is the sum's)", claim=name, field=field)


def _check_shapes(name: str, ctx: Context, sizes: set, lhs, inputs, sides) -> None:
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
                             claim=name, field="shape")
    for field, side in sides:
        scalars = [t.args[0] for t in side.atoms(MatScale)] + [w.strength for w in side.atoms(ContentWeight)]
        scalars += [r.strength for r in side.atoms(FeedbackRead)]
        for c in scalars:
            stray = {s for s in sp.sympify(c).free_symbols if s not in sizes}
            if stray:
                raise ClaimError(f"the scale or key strength {c} mentions {', '.join(sorted(map(str, stray)))}: "
                                 "it must depend on sizes only", claim=name, field=field)


def entry_formula(model: Model, field: str = "lhs") -> tuple[sp.Symbol, sp.Symbol, sp.Expr]:
    """(row, col, entry) of a model, built as `pose` builds a side, without posing a claim: a
    description of a part (a certificate's structure), checked where it is used."""
    row, col = position(model)
    return row, col, _apart(_built_entry(model, field, row, col), row, col)


def _apart(side: sp.Expr, row, col, inputs=()) -> sp.Expr:
    """The side with no sum rebinding a name in scope (`binders.rename_apart`): a free symbol, the position,
    or the name of an input, its own or one of `inputs` (a sum over k beside an input k would print alike)."""
    scope = {s.name for s in side.free_symbols} | {row.name, col.name} | input_names(side) | set(inputs)
    return rename_apart(side, scope)


def _entries(name: str, lhs: Model, rhs: Model, declared: frozenset[str]):
    """(row, col, lhs entry, rhs entry) at a position whose names no symbol of the claim has (a size
    of the user's may be named t, a stray index b, and `declared` names the symbols of its constraints:
    a size t that only `where` mentions must not become the row): both entries are built at placeholders first."""
    r, c = _placeholders()
    try:
        built = [_side_entry(name, f, m, r, c) for f, m in (("lhs", lhs), ("rhs", rhs))]
    except NameClash as clash:
        raise ClaimError(clash.detail, claim=name, field=clash.field) from None
    taken = frozenset(s.name for e in built for s in e.atoms(sp.Symbol) if s not in (r, c)) | declared
    taken |= {n for e in built for n in input_names(e)}      # an input named t keeps its name: the row is i_row
    row, col = position(lhs, taken)
    left, right = (subst(e, {r: row, c: col}) for e in built)
    return row, col, left, right


def pose_claim(claim: Claim, method: str | None = None) -> Problem:
    """The problem `claim` poses (`pose` on its sides, name, constraints and assumptions), by its
    own method unless `method` says otherwise."""
    return pose(claim.lhs, claim.rhs, name=claim.qualname, where=claim.where, assume=claim.assume,
                method=method or claim.method, chunk_size=claim.chunk_size, via=claim.via)


def pose(lhs: Model, rhs: Model, *, name: str = "", where: Constraints = (), assume: tuple[UnitRows, ...] = (),
         method: str = "auto", chunk_size=None, via: tuple[Model, ...] = ()) -> Problem:
    """The problem of lhs ≡ rhs under `where` (pairs (lo, hi): lo <= hi) and `assume`; raises
    ClaimError for shape or input mismatches. Stacks and simulations have no entry formula, and
    two applications are proved part by part unless `method` asks for one normalization of the
    inlined whole: those are posed as compositions, everything else entrywise; a stack of integer
    depth is unrolled first (`compose.unroll`) unless the other side is a stack too; `chunk_size`
    poses the rows chunk by chunk (`Chunks`); a chain `via` intermediate models is a composition."""
    _same_shape(name, lhs, rhs)
    for k, model in enumerate(via):
        _same_shape(name, lhs, model, f"via[{k}]")
    if method == "normalization" or not (isinstance(lhs, Stack) and isinstance(rhs, Stack)):
        lhs, rhs = unroll(lhs), unroll(rhs)       # two stacks are proved by induction, anything else by inlining
    for side in (lhs, rhs):
        try:
            check_bindings(side)
        except ClaimError as err:
            raise ClaimError(err.detail, claim=err.claim or name, field=err.field) from None
    where = tuple((sp.sympify(lo), sp.sympify(hi)) for lo, hi in where)
    if _by_composition(lhs, rhs, method) or (via and method == "auto"):
        if chunk_size is not None:
            raise ClaimError("chunk_size compares entry formulas: a composite claim has none",
                             claim=name, field="chunk_size")
        return _pose_composite(name, lhs, rhs, where, tuple(assume))
    return _pose_entrywise(name, lhs, rhs, where, tuple(assume), chunk_size)


def _by_composition(lhs: Model, rhs: Model, method: str) -> bool:
    match lhs, rhs:
        case (Stack() | Simulated(), _) | (_, Stack() | Simulated()):
            return True
        case Applied(), Applied():
            return method == "auto"
        case _:
            return False


def _pose_composite(name: str, lhs: Model, rhs: Model, where: Constraints, assume) -> Problem:
    """Sizes and inputs for the falsifier; proofs go through `composition`."""
    inputs = _merge_inputs(name, list(leaf_inputs(lhs).values()) + list(leaf_inputs(rhs).values()))
    sizes = _size_symbols(lhs.rows, lhs.cols, *(e for m in inputs.values() for e in m.shape),
                          *(e for pair in lhs.constraints + rhs.constraints for e in pair),
                          *entry_symbols(lhs), *entry_symbols(rhs))      # a window W used only in a stack's step
    # the parts' entries are not posed here; a declared size the claim constrains may be one of theirs
    sizes |= _size_symbols(*(e for pair in where for e in pair))
    _check_domain(name, where, sizes, set())
    ordered = tuple(sorted(sizes, key=lambda s: s.name))
    domain = Domain(ordered, joint_constraints(lhs, rhs, where=where) + ((1, lhs.rows), (1, lhs.cols)))
    require_points(domain, name)
    return Problem((lhs, rhs), assume, None, None, index("t"), index("b"), lhs.rows, lhs.cols,
                   ordered, tuple(inputs.values()), None, domain)


def _chunked(name: str, chunk_size, rows: sp.Expr, row: sp.Symbol, sides, declared: frozenset[str]) -> Chunks:
    """The chunk and offset symbols (fresh, also for the names `declared` by the constraints) for
    rows = count · chunk_size; errors name the claim."""
    try:
        size_expr = sp.sympify(chunk_size, strict=True)         # no text: a string is not parsed
    except sp.SympifyError:
        size_expr = None
    if not isinstance(size_expr, sp.Expr) or size_expr.is_integer is not True or size_expr.is_positive is not True \
            or any(s != size(s.name) for s in size_expr.free_symbols):
        raise ClaimError(f"chunk_size must be a positive integer expression of sizes, got {chunk_size!r}",
                         claim=name, field="chunk_size")
    count = sp.cancel(rows / size_expr)
    if sp.fraction(count)[1] != 1 or count.is_integer is not True:
        raise ClaimError(f"the rows {rows} are not a multiple of chunk_size {size_expr}: write them as "
                         f"(number of chunks)*{size_expr}", claim=name, field="chunk_size")
    taken = {s.name for e in (*sides, rows, size_expr) for s in e.atoms(sp.Symbol)} | {row.name} | declared
    chunk = fresh(taken, "c")
    return Chunks(chunk, fresh(taken | {chunk.name}, "i"), size_expr, count)


def _pose_entrywise(name: str, lhs: Model, rhs: Model, where: Constraints, assume, chunk_size=None) -> Problem:
    """Both sides' entries at one symbolic position, in the context of the claim's facts."""
    constraints = joint_constraints(lhs, rhs, where=where)
    declared = frozenset(s.name for pair in constraints for e in pair for s in sp.sympify(e).atoms(sp.Symbol))
    row, col, left, right = _entries(name, lhs, rhs, declared)
    chunks = None if chunk_size is None else _chunked(name, chunk_size, lhs.rows, row, (left, right), declared)
    if chunks is not None:
        left, right = (subst(e, {row: chunks.row}) for e in (left, right))
    position_facts = chunks.facts if chunks is not None else ((1, row), (row, lhs.rows))
    free_position = {chunks.chunk, chunks.offset} if chunks is not None else {row}
    inputs = _merge_inputs(name, left.atoms(MatInput, TensorInput) | right.atoms(MatInput, TensorInput))
    model_constraints = lhs.constraints + rhs.constraints
    sizes = _size_symbols(lhs.rows, lhs.cols, *(e for m in inputs.values() for e in m.shape),
                          *(e for pair in model_constraints for e in pair), left, right)
    sizes |= _size_symbols(*(e for pair in where for e in pair))    # a declared size, even if unused
    _check_domain(name, where, sizes, free_position | {col}, ("lhs", left), ("rhs", right))
    _check_symbols(name, sizes, row, col, (("lhs", left), ("rhs", right)))
    left, right = _apart(left, row, col, inputs), _apart(right, row, col, inputs)
    facts = [(1, s) for s in sizes] + [*position_facts, (1, col), (col, lhs.cols)]
    facts += list(constraints)
    for a in assume:
        if a.name not in inputs:
            raise ClaimError(f"assumption names input {a.name!r}, which neither side uses",
                             claim=name, field="assume")
    reserved = frozenset({s.name for e in (left, right) for s in e.free_symbols if isinstance(s, sp.Symbol)}
                         | {s.name for s in sizes} | {row.name, col.name} | {s.name for s in free_position}
                         | set(inputs))      # no fresh index takes an input's name
    recurrences = frozenset(left.atoms(Recurrence) | right.atoms(Recurrence))
    scalars = frozenset(m for m in inputs.values() if isinstance(m, ScalarInput))     # their intervals: hypotheses
    ctx = Context(assumptions=frozenset(assume) | scalars, reserved=reserved, recurrences=recurrences,
                  domain=tuple(constraints)).with_facts(*facts)
    ordered = tuple(sorted(sizes, key=lambda s: s.name))
    domain = Domain(ordered, constraints + ((1, lhs.rows), (1, lhs.cols)))
    require_points(domain, name)
    _check_shapes(name, ctx, sizes, lhs, inputs.values(), (("lhs", left), ("rhs", right)))
    if chunks is not None and not ctx.proves_le(1, chunks.count):
        raise ClaimError(f"the number of chunks {chunks.count} is not >= 1 throughout the domain",
                         claim=name, field="chunk_size")
    for field, side in (("lhs", left), ("rhs", right)):
        try:
            check_in_range(side, ctx, field)
        except ClaimError as err:
            raise ClaimError(str(err), claim=name) from None
    return Problem((lhs, rhs), assume, left, right, row, col, lhs.rows, lhs.cols, ordered, tuple(inputs.values()),
                   ctx, domain, chunks)
