"""What each rule may do, by the checker's own table: the rewrite's shape and its side conditions.

A step names a rule; this table, never the certificate's text, says what that rule needs.
Every rule's contractum is recomputed exactly (here, or in `replay_exact` for deltas, ring
identities, content addressing and renaming, `replay_ranges` for ranges, `replay_softmax` for the
softmax shift, compared modulo α where the prover picks
fresh names); every side condition (a decided guard, an empty or nonempty range, a bound
inside a range, a slot that exists) is re-proved from the facts at the redex by the
checker's own entailment (`replay_entail`). The numeric agreement check that follows
every step is a second line of defence.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp

from .index import Element, Entry, Iverson, Power, Relu, Sigma
from .matrix import MaskedSoftmax, MatInput, MatProd, MatScale, MatT, ScalarInput, TensorInput
from .memory import Memory, MemoryCell, Rows, WriteWeight
from .replay_alpha import RANGES
from .replay_entail import entails, proves, refutes
from .replay_exact import EXACT
from .replay_guards import GUARD_RULES
from .replay_parse import Rejected
from .replay_ranges import RANGE_RULES
from .replay_congruence import recurrence_congruence
from .replay_recurrence import recurrence_closed_form
from .replay_softmax import SOFTMAX_RULES
from .replay_trig import TRIG_RULES

__all__ = ["SHAPES", "Site", "check_step", "facts_at", "facts_within", "substitute", "canonical", "closed_form",
           "expected_obligations"]


@dataclass(frozen=True)
class Site:
    """What holds where a rule fires: integer facts (pairs lo <= hi), the claim's unit-norm
    assumptions, input shapes, the memories and recurrences whose induction obligations are certified, and
    the pairs of recurrences (source, target) whose equal initial values and updates are certified."""

    facts: tuple = ()
    assumed: frozenset = frozenset()
    shapes: dict = field(default_factory=dict)
    unrolled: frozenset = frozenset()
    congruent: frozenset = frozenset()

    def le(self, lo, hi) -> bool:
        return entails(self.facts, _tree(lo), _tree(hi))

    def lt(self, lo, hi) -> bool:
        return entails(self.facts, _tree(lo), _tree(hi), strict=True)


def _tree(x):
    """An int the checker wrote (1, 0) as a tree; trees pass through. Never text."""
    return sp.Integer(x) if type(x) is int else x


# -- binders ----------------------------------------------------------------------------------------------
def substitute(e, mapping: dict):
    """e with free occurrences of symbols replaced at once; sums, products and computed rows bind their own.
    Rejected rather than capture: a value's symbol bound inside e."""
    mapping = {k: v for k, v in mapping.items() if k != v}
    if not mapping:
        return e
    if e in mapping:
        return mapping[e]
    if not e.args:
        return e
    if isinstance(e, (*RANGES, sp.Lambda)):
        bound = {e.var} if isinstance(e, RANGES) else set(e.variables)
        inner = {k: v for k, v in mapping.items() if k not in bound}
        body = e.body if isinstance(e, RANGES) else e.expr
        if inner and any(bound & v.free_symbols for v in inner.values()) \
                and inner.keys() & body.free_symbols:
            raise Rejected("a substitution would capture a bound index")
        if isinstance(e, RANGES):
            return e.func(substitute(body, inner), e.var, substitute(e.lo, mapping), substitute(e.hi, mapping))
        return sp.Lambda(e.variables, substitute(body, inner))
    return e.func(*(substitute(a, mapping) for a in e.args))


_CANON = [sp.Dummy(f"b{k}", integer=True) for k in range(128)]


def canonical(e, depth: int = 0):
    """e with bound indices renamed by binder depth (to dummies no certificate can name):
    equal exactly for alpha-equivalent trees."""
    if not e.args:
        return e
    if isinstance(e, RANGES):
        if depth >= len(_CANON):
            raise Rejected("sums nested too deeply")
        body = canonical(substitute(e.body, {e.var: _CANON[depth]}), depth + 1)
        return e.func(body, _CANON[depth], canonical(e.lo, depth), canonical(e.hi, depth))
    return e.func(*(canonical(a, depth) for a in e.args))


def facts_at(expr, path, facts: tuple) -> tuple:
    """The facts at `path`: `facts`, plus what each level the path enters adds (`facts_within`)."""
    facts = list(facts)
    for k in path:
        facts = facts_within(expr, k, facts)
        expr = expr.args[k]
    return tuple(facts)


def facts_within(expr, k: int, facts: list) -> list:
    """The facts inside `expr`'s argument k: `facts`, plus lo <= j <= hi if it is the body of a sum or
    product, and P for each bracket [P] (an inequality or an equation) beside it in a product: where P fails
    that product is 0 whatever the factor is. A binder forgets what was known about the name it rebinds; a bound
    that mentions the index means the outer one (its range is read outside), so it says nothing of this one."""
    facts = list(facts)
    if isinstance(expr, sp.Mul):
        for i, f in enumerate(expr.args):
            cond = f.args[0] if i != k and isinstance(f, Iverson) else None
            if isinstance(cond, (sp.LessThan, sp.Equality)):
                facts.append((cond.lhs, cond.rhs))
            if isinstance(cond, sp.Equality):
                facts.append((cond.rhs, cond.lhs))
    if isinstance(expr, RANGES) and k == 0:
        facts = [f for f in facts if expr.var not in (f[0].free_symbols | f[1].free_symbols)]
        facts += [pair for pair, bound in (((expr.lo, expr.var), expr.lo), ((expr.var, expr.hi), expr.hi))
                  if expr.var not in bound.free_symbols]
    elif isinstance(expr, sp.Lambda) and k == 1:
        bound = set(expr.variables)
        facts = [f for f in facts if not bound & (f[0].free_symbols | f[1].free_symbols)]
    return facts


# -- the memory's closed form and its induction obligations ------------------------------------------------
def _row_entry(mem: Memory, step, cols):
    written = mem.written
    if isinstance(written, MatInput):
        return Entry(written, step, *cols)
    if isinstance(written, TensorInput):
        return Element(written, step, *cols)
    return substitute(written.body, dict(zip(written.variables, (step, *cols))))


def closed_form(mem: Memory, time, slot, cols, var: sp.Symbol):
    """Σ_{var=1}^{τ} w_var[n] x_var[cols]: the memory after τ writes."""
    return Sigma(WriteWeight(mem, var, slot) * _row_entry(mem, var, cols), var, 1, time)


# the prover's fresh-name pool (binders.POOL), restated: the checker names the free variables of an obligation itself
_POOL = ("j", "k", "l", "m", "n", "p", "q", "r", "s", "u", "w", "z")


def expected_obligations(mem: Memory) -> dict:
    """The induction base and step that justify unrolling `mem`: kind -> (domain, lhs, rhs), as
    the prover names them (τ, n, c or c1, c2, ..., each the first name free in the memory, its inputs included)."""
    taken = {x.name for x in mem.atoms(sp.Symbol)} | {m.name for m in mem.atoms(MatInput, TensorInput)}

    def ix(prefer: str) -> sp.Symbol:
        name = next(x for x in (prefer, *_POOL, *(f"j{k}" for k in range(1, len(taken) + 2))) if x not in taken)
        taken.add(name)
        return sp.Symbol(name, integer=True)
    width = mem.written.shape[1:]
    tau, n = ix("tau"), ix("n")
    cs = (ix("c"),) if len(width) == 1 else tuple(ix(f"c{k}") for k in range(1, len(width) + 1))
    s = sp.Symbol("s", integer=True)       # bound: compared modulo α
    facts = [(sp.S.One, n), (n, mem.slots)] + [f for c, w in zip(cs, width) for f in ((sp.S.One, c), (c, w))]
    written = WriteWeight(mem, tau, n) * _row_entry(mem, tau, cs)
    return {
        "base": (frozenset(facts), closed_form(mem, 0, n, cs, s), sp.S.Zero),
        "step": (frozenset(facts + [(sp.S.One, tau), (tau, mem.slots)]), closed_form(mem, tau, n, cs, s),
                 closed_form(mem, tau - 1, n, cs, s) + written),
    }


# -- the rules --------------------------------------------------------------------------------------------
def _factors(e):
    return list(e.args) if isinstance(e, sp.Mul) else [e]


def _entry_of(r, cls) -> bool:
    return isinstance(r, Entry) and isinstance(r.term, cls)


def _need(ok: bool, why: str) -> str | None:
    return None if ok else why


def _matmul(r, c, site):
    if not _entry_of(r, MatProd) or not isinstance(c, Sigma) or c.var in r.free_symbols:
        return "not a fresh sum over the inner dimension"
    a, b = r.term.args
    _, i, j = r.args
    return _need(c.lo == 1 and c.hi == a.cols and c.body == Entry(a, i, c.var) * Entry(b, c.var, j),
                 "not the entries' sum of products")


def _mask(mask, i, j):
    return Iverson(sp.Le(j, i)) if mask == "inclusive" else Iverson(sp.Lt(j, i)) if mask == "strict" else sp.S.One


def _softmax(r, c, site):
    if not _entry_of(r, MaskedSoftmax):
        return "not a masked softmax entry"
    a, mask = r.term.args[0], r.term.mask
    _, i, j = r.args
    sums = [f for f in _factors(c) if isinstance(f, (sp.Pow, Power)) and isinstance(f.args[0], Sigma)]
    if len(sums) != 1 or sums[0].args[0].var in r.free_symbols:
        return "not one normalising sum over a fresh index"
    k = sums[0].args[0].var
    z = Sigma(_mask(mask, i, k) * sp.exp(Entry(a, i, k)), k, 1, a.cols)
    head = _mask(mask, i, j) * sp.exp(Entry(a, i, j))
    if c not in (head * sp.Pow(z, -1), head * Power(z, -1)):
        return "not [mask]·exp(a_ij)·(Σ_k [mask]·exp(a_ik))^{-1}"
    return _need(site.le(1, i) and site.le(i, a.rows) and site.le(1, j) and site.le(j, a.cols),
                 "the entry is not provably inside the matrix (outside it, an entry is 0)")


def _decide(r, c, site):
    if not isinstance(r, Iverson) or c not in (0, 1):
        return "not a bracket decided to 0 or 1"
    cond = r.args[0]
    return _need(proves(site.facts, cond) if c == 1 else refutes(site.facts, cond),
                 f"the checker cannot show that {cond} {'holds' if c == 1 else 'fails'} here")


def _exclusive(r, c, site):
    """[P]·[Q]·f = 0 when the facts and P (an inequality or equation, as facts) refute Q."""
    if not isinstance(r, sp.Mul) or c != 0:
        return "not a product rewritten to 0"
    brackets = [f.args[0] for f in r.args if isinstance(f, Iverson)]
    for p in brackets:
        if isinstance(p, (sp.LessThan, sp.Equality)):
            given = ((p.lhs, p.rhs),) if isinstance(p, sp.LessThan) else ((p.lhs, p.rhs), (p.rhs, p.lhs))
            if any(q is not p and refutes(site.facts + given, q) for q in brackets):
                return None
    return "no bracket of the product refutes another"


def _fresh_slot(r, c, site):
    if not isinstance(r, WriteWeight) or c != Iverson(sp.Eq(r.slot, r.step)):
        return "not the one-hot [n = s]"
    return _need(site.le(1, r.step) and site.le(r.step, r.mem.slots), "the step is not provably a slot 1..N")


def _unroll(r, c, site):
    if not isinstance(r, MemoryCell) or not isinstance(c, Sigma) or c.var in r.free_symbols:
        return "not a sum over a fresh step"
    if canonical(c) != canonical(closed_form(r.mem, r.time, r.slot, r.cols, c.var)):
        return "not the memory's closed form Σ_{s=1}^{τ} w_s[n] x_s"
    if r.mem not in site.unrolled:
        return f"memory {r.mem.name} has no certified induction base and step"
    if not (site.le(0, r.time) and site.le(r.time, r.mem.slots)):
        return "the time is not provably within 0..N"
    if isinstance(r.mem.written, Rows):       # computed rows are zero only by the memory's padding
        rows, width = r.mem.written.shape[0], r.mem.written.shape[1:]
        if not site.le(r.time, rows) or not all(site.le(1, x) and site.le(x, w) for x, w in zip(r.cols, width)):
            return "computed rows: the time or column is not provably inside the rows written"
    return None


def _sum_empty(r, c, site):
    if not isinstance(r, Sigma) or r.body == 0 or c != 0:
        return "not an empty sum (of a nonzero body) rewritten to 0"
    return _need(site.lt(r.hi, r.lo), "the range is not provably empty")


def _peel(r, c, site):
    if not isinstance(r, Sigma):
        return "not a sum"
    expected = Sigma(r.body, r.var, r.lo, r.hi - 1) + substitute(r.body, {r.var: r.hi})
    if c != expected:
        return "not Σ_{lo}^{hi-1} f + f(hi)"
    return _need(site.le(r.lo, r.hi), "the range is not provably nonempty")


def _guard_to_range(r, c, site):
    """Σ_{j=l}^{h} Σ_a [g(j)] f = Σ_{j=l}^{u} Σ_a f when, for integers, g(j) ⇔ j <= u and u <= h
    (or g(j) ⇔ j >= v and l <= v)."""
    if not isinstance(r, Sigma) or not isinstance(c, Sigma) or r.var != c.var:
        return "not a sum whose range changes"
    if (r.lo == c.lo) == (r.hi == c.hi):
        return "exactly one bound must change"
    chain, a, b = [], r.body, c.body
    while isinstance(a, Sigma) and isinstance(b, Sigma) and (a.var, a.lo, a.hi) == (b.var, b.lo, b.hi):
        chain.append(a.var)
        a, b = a.body, b.body
    guards = [f for f in _factors(a) if isinstance(f, Iverson) and sp.Mul(*(g for g in _factors(a) if g is not f)) == b]
    if len(guards) != 1 or guards[0].free_symbols & set(chain):
        return "the contractum is not the redex without one guard on the summation index"
    cond, j = guards[0].args[0], r.var
    if not isinstance(cond, (sp.LessThan, sp.GreaterThan)) or any(not x.is_integer for x in cond.free_symbols):
        return "the guard is not an inequality a <= b over integers"
    inside = facts_at(r, [0], site.facts)
    as_fact = (cond.lhs, cond.rhs) if isinstance(cond, sp.LessThan) else (cond.rhs, cond.lhs)
    if r.hi != c.hi:
        u, bound = c.hi, (j, c.hi)
        ok = site.le(u, r.hi)
    else:
        u, bound = c.lo, (c.lo, j)
        ok = site.le(r.lo, u)
    if not ok:
        return "the new bound does not lie inside the old range"
    if not (proves(inside + (bound,), cond) and entails(inside + (as_fact,), *bound)):
        return f"the guard {cond} is not the new bound {u} on {j}"
    return None


def _unit_norm(r, c, site):
    if not (isinstance(r, Sigma) and c == 1 and r.lo == 1 and isinstance(r.body, sp.Pow) and r.body.args[1] == 2
            and isinstance(r.body.args[0], sp.Indexed)):
        return "not Σ_{a=1}^{d} X[r, a]^2 rewritten to 1"
    atom = r.body.args[0]
    name = str(atom.base.label)
    if len(atom.indices) != 2 or atom.indices[1] != r.var or r.var in atom.indices[0].free_symbols:
        return "not a sum over one row's columns"
    if (name, r.hi) not in site.assumed:
        return f"the claim does not assume unit rows of {name} over {r.hi} columns"
    rows = site.shapes.get(name, (None,))[0]
    return _need(rows is not None and site.le(1, atom.indices[0]) and site.le(atom.indices[0], rows),
                 "the row is not provably a row of the input (outside it, a row is 0)")


def _factor_in(r, c, site):
    """c·Σ_j f = Σ_j c·f into any one sum of the product (the prover picks one whose cofactor it
    knows to be defined; under the total semantics every choice is sound), j fresh for c."""
    if not isinstance(r, sp.Mul) or not isinstance(c, Sigma):
        return "not a product with a sum"
    for k, s in enumerate(r.args):
        if not isinstance(s, Sigma) or (c.lo, c.hi) != (s.lo, s.hi):
            continue
        others = sp.Mul(*(f for m, f in enumerate(r.args) if m != k))
        if c.var in others.free_symbols or (c.var != s.var and c.var in set(sp.preorder_traversal(s.body))):
            continue
        if c.body == others * substitute(s.body, {s.var: c.var}):
            return None
    return "not the other factors moved into one sum, over an index fresh for them"


def _relu_scale(r, c, site):
    """c·relu(x)·rest = relu(c·x)·rest: c the product of every factor that is a scalar whose interval starts at
    a bound >= 0 (read off the node, which the checker bound to the claim's declared interval), into one relu."""
    if not isinstance(r, sp.Mul):
        return "not a product"
    moved = [a for a in r.args if isinstance(a, Element) and isinstance(a.tensor, ScalarInput)
             and a.tensor.left != "none" and a.tensor.args[2][0] >= 0]
    if not moved:
        return "no factor is a scalar whose interval shows it >= 0"
    for relu in (a for a in r.args if isinstance(a, Relu)):
        rest = [a for a in r.args if a is not relu and a not in moved]
        if c == sp.Mul(*rest) * Relu(sp.Mul(*moved) * relu.args[0]):
            return None
    return "not the nonnegative scalars moved into one relu of the product"


def _shape(ok):
    return lambda r, c, site: None if ok(r, c, site) else "this rewrite is not what the rule does"


SHAPES = {
    "entry-input": _shape(lambda r, c, s: _entry_of(r, MatInput) and c == r.term.base[r.args[1], r.args[2]]),
    "entry-transpose": _shape(lambda r, c, s: _entry_of(r, MatT) and c == Entry(r.term.args[0], r.args[2], r.args[1])),
    "entry-scale": _shape(lambda r, c, s: _entry_of(r, MatScale)
                          and c == r.term.args[0] * Entry(r.term.args[1], *r.args[1:])),
    "entry-matmul": _matmul,
    "entry-masked-softmax": _softmax,
    "fresh-slot-allocation": _fresh_slot,
    "unroll-write-once": _unroll,
    "recurrence-closed-form": recurrence_closed_form,
    "recurrence-congruence": recurrence_congruence,
    "iverson-decide": _decide,
    "iverson-exclusive": _exclusive,
    "iverson-idempotent": _shape(lambda r, c, s: isinstance(r, sp.Pow) and isinstance(r.base, Iverson)
                                 and r.exp.is_Integer and r.exp >= 1 and c == r.base),
    "sum-empty": _sum_empty,
    "sum-zero": _shape(lambda r, c, s: isinstance(r, Sigma) and r.body == 0 and c == 0),
    "sum-singleton": _shape(lambda r, c, s: isinstance(r, Sigma) and r.lo == r.hi
                            and c == substitute(r.body, {r.var: r.lo})),
    "sum-split-add": _shape(lambda r, c, s: isinstance(r, Sigma) and isinstance(r.body, sp.Add)
                            and c == sp.Add(*(Sigma(t, r.var, r.lo, r.hi) for t in r.body.args))),
    "sum-guard-to-range": _guard_to_range,
    "sum-factor-in": _factor_in,
    "sum-peel-last": _peel,
    "unit-norm": _unit_norm,
    "relu-scale": _relu_scale,
    **EXACT,
    **RANGE_RULES,
    **SOFTMAX_RULES,
    **TRIG_RULES,
    **GUARD_RULES,
}


def check_step(rule: str, redex, contractum, site: Site) -> str | None:
    """None if `rule` may rewrite `redex` to `contractum` at `site`, else why not."""
    shape = SHAPES.get(rule)
    if shape is None:
        return "unknown rule"
    return shape(redex, contractum, site)
