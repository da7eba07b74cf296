"""What a rule may assume at a position: facts about indices, and the claim's assumptions.

A `Context` is immutable. Entering the body of Σ_{j=lo}^{hi} adds lo <= j <= hi;
the claim contributes its size domain (sizes >= 1, 1 <= t <= T, N >= T ...),
named assumptions (unit-norm rows) and its recurrences (a congruence rewrites the
state of one into the state of another). Rules ask it questions; it answers only
what it can prove.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import sympy as sp

from .affine import Fact, entails_nonneg, grown, nonneg

__all__ = ["Context", "UnitRows", "atom_like"]


# The integer symbols an abstracted atom (a Mod, a floor, a monomial) stands over, by its name: a
# binder that rebinds one of them invalidates every fact about the atom.
_ATOM_SYMBOLS: dict[str, frozenset[str]] = {}


def atom_like(name: str) -> bool:
    """Could a user's symbol named `name` pass for an abstracted atom? Facts are keyed by name, so a size
    named <A*B> would be the monomial A·B (a fact about one is a fact about the other), and a symbol named
    a*b beside c would make <a*b*c> name two monomials. Claims may not use these characters."""
    return "<" in name or "*" in name


def _atom(name: str, over) -> sp.Symbol:
    _ATOM_SYMBOLS.setdefault(name, frozenset(s.name for s in over))
    return sp.Symbol(name, integer=True)


def monomial_name(factors) -> str:
    """The atom that stands for a product of integer symbols, named by its sorted factors (`<C*c>`), so
    a monomial read off an expression and one formed by multiplying two facts are the same atom."""
    return "<" + "*".join(sorted(factors)) + ">"


def _factor_names(term: sp.Expr) -> list[str] | None:
    """The integer symbols of a monomial with multiplicity (x**2 -> [x, x]), or None for anything else."""
    names: list[str] = []
    for f in sp.Mul.make_args(term):
        base, exp = f.as_base_exp()
        if not (isinstance(base, sp.Symbol) and base.is_integer and exp.is_Integer and exp > 0):
            return None
        names += [base.name] * int(exp)
    return names


def _linearized(expr: sp.Expr) -> sp.Expr:
    """expr with each product of two or more integer symbols replaced by its monomial atom. Sound for
    entailment: an integer point gives every atom the (integer) value of its monomial, so facts about
    the atoms hold there; treating them as independent only loses what links them (see `_products`)."""
    expr = sp.expand(expr)
    out = sp.S.Zero
    for term, c in expr.as_coefficients_dict().items():
        names = _factor_names(term) if term != 1 else None
        if names is not None and len(names) >= 2:
            term = _atom(monomial_name(names), term.free_symbols)
        out += c * term
    return out


def _abstracted(pairs):
    """`pairs` with each Mod(x, G) and floor(p/q) replaced by an integer symbol named after it,
    and the facts that bound it: 0 <= m <= G - 1 (x and G integers, G > 0: Mod(1, 3/2) = 1 > 1/2), and
    q·v <= p <= q·v + q - 1 (q a positive integer); then each monomial of two or more integer
    symbols replaced by its atom (`_linearized`). Fourier–Motzkin knows none of these."""
    pairs = [(sp.sympify(lo), sp.sympify(hi)) for lo, hi in pairs]
    atoms = set()
    for lo, hi in pairs:
        atoms |= lo.atoms(sp.Mod, sp.floor) | hi.atoms(sp.Mod, sp.floor)
    repl, extra = {}, []
    for a in sorted(atoms, key=sp.default_sort_key):
        v = _atom(f"<{sp.srepr(a)}>", a.free_symbols)
        if isinstance(a, sp.Mod) and a.args[1].is_positive is True and all(x.is_integer is True for x in a.args):
            repl[a] = v
            extra += [(0, v), (v, a.args[1] - 1)]
        elif isinstance(a, sp.floor):
            coeffs = sp.expand(a.args[0]).as_coefficients_dict().values()
            if all(c.is_Rational for c in coeffs):
                q = math.lcm(*(int(c.q) for c in coeffs))
                p = sp.expand(q * a.args[0])
                repl[a] = v
                extra += [(q * v, p), (p, q * v + q - 1)]
    return [(_linearized(sp.sympify(lo).xreplace(repl)), _linearized(sp.sympify(hi).xreplace(repl)))
            for lo, hi in (*pairs, *extra)]


def quotient_split(expr: sp.floor) -> tuple[sp.Expr, sp.Expr, sp.Expr] | None:
    """(q, r, C) with floor's argument = (C·q + r)/C: C an integer that sympy knows is positive, q the
    terms of the numerator that C divides as polynomials (integer-valued, perhaps 0), r the rest; None otherwise."""
    num, den = sp.fraction(sp.together(expr.args[0]))
    if den == 1 or den.is_integer is not True or den.is_positive is not True:
        return None
    q = sp.S.Zero
    for term in sp.Add.make_args(sp.expand(num)):
        part = sp.cancel(term / den)
        if sp.fraction(part)[1] == 1:
            q += part
    if q.is_integer is not True:
        return None
    return q, sp.expand(num - den * q), den


def _mentions(name: str, names: set[str]) -> bool:
    """Does a fact's variable `name` stand over one of `names`: is it one, or an atom made over one, through
    the atoms it is made of (a monomial C·⌊(t − 1)/C⌋ stands over C and t, not only over the floor's atom)?
    An atom this process did not make (a context from elsewhere) is taken to mention every name: forgetting
    a fact is always sound."""
    if name in names:
        return True
    over = _ATOM_SYMBOLS.get(name)
    if over is None:
        return name.startswith("<")
    return any(_mentions(s, names) for s in over if s != name)


@lru_cache(maxsize=20_000)
def _symbols_under(facts: frozenset[Fact]) -> frozenset[str] | None:
    """Every name the facts' variables stand over (`_mentions`: themselves, and through atoms the symbols they
    are made of), once per set of facts: a binder of none of them keeps every fact. None if an atom is not this
    process's (it mentions every name)."""
    out: set[str] = set()
    todo = [k for f in facts for k, _ in f[0]]
    while todo:
        name = todo.pop()
        if name in out:
            continue
        out.add(name)
        over = _ATOM_SYMBOLS.get(name)
        if over is None and name.startswith("<"):
            return None
        todo += over or ()
    return frozenset(out)


def _monomials(form: Fact) -> set[str]:
    return {k for k in _monomial_names(form) if k in _ATOM_SYMBOLS}


@lru_cache(maxsize=50_000)
def _monomial_names(form: Fact) -> tuple[str, ...]:
    """The names in `form` shaped like a monomial atom's, once per fact: the facts of a context recur in every
    context below it, and most have none."""
    return tuple(k for k, _ in form[0] if k.startswith("<") and "*" in k)


def _product(f: Fact, g: Fact) -> Fact:
    """f·g for two affine forms, its degree-2 terms as monomial atoms: f, g >= 0 imply f·g >= 0."""
    terms: dict[str, int] = {}
    (fi, fc), (gi, gc) = f, g
    for k, c in fi:
        terms[k] = terms.get(k, 0) + c * gc
    for k, c in gi:
        terms[k] = terms.get(k, 0) + c * fc
    for k, c in fi:
        for m, d in gi:
            name = monomial_name((k, m))
            _ATOM_SYMBOLS.setdefault(name, frozenset((k, m)))
            terms[name] = terms.get(name, 0) + c * d
    return tuple(sorted((k, v) for k, v in terms.items() if v != 0)), fc * gc


@lru_cache(maxsize=20_000)
def _monomials_of(facts: frozenset[Fact]) -> frozenset[str]:
    """The monomial atoms the facts mention: asked at every failed entailment, so once per set of facts."""
    return frozenset(m for f in facts for m in _monomial_names(f) if m in _ATOM_SYMBOLS)


@lru_cache(maxsize=20_000)
def _linear_facts(facts: frozenset[Fact]) -> tuple[Fact, ...]:
    """The facts without a monomial atom, in a fixed order (by their text), once per set of facts."""
    return tuple(sorted((f for f in facts if not any(k.startswith("<") for k, _ in f[0])), key=str))


@lru_cache(maxsize=20_000)
def _with_products(facts: frozenset[Fact], goal_monomials: frozenset[str]) -> frozenset[Fact] | None:
    """The facts and their `_products` for a goal that mentions `goal_monomials`, or None if there are none.
    Once per set of facts and monomials: the entailment engine asks it at every goal the facts do not
    entail alone, and the same object each time keeps the queries on it memoised."""
    products = _products(facts, goal_monomials)
    return facts | products if products else None


def _products(facts: frozenset[Fact], goal_monomials: frozenset[str], limit: int = 400) -> frozenset[Fact]:
    """Products of two linear facts whose degree-2 terms are monomials the goal or the facts mention
    (McCormick-style: (c - 1)·(C - 1) >= 0 gives c·C >= c + C - 1). Each is implied by the facts, so
    adding them is sound; they are what links a monomial atom to its factors."""
    wanted = goal_monomials | _monomials_of(facts)
    if not wanted:
        return frozenset()
    factors = {n for m in wanted for n in _ATOM_SYMBOLS[m]}
    linear = [f for f in _linear_facts(facts) if any(k in factors for k, _ in f[0])]
    out = set()
    for n, f in enumerate(linear):
        for g in linear[n:]:
            p = _product(f, g)
            if _monomials(p) <= wanted:
                out.add(p)
                if len(out) >= limit:
                    return frozenset(out)
    return frozenset(out)


@dataclass(frozen=True)
class UnitRows:
    """Assumption: every row of input matrix `name` (with `cols` columns) has Euclidean norm 1."""

    name: str
    cols: sp.Expr

    def describe(self) -> str:
        return f"every row of {self.name} has norm 1"


@dataclass(frozen=True)
class Context:
    facts: frozenset[Fact] = frozenset()
    assumptions: frozenset = frozenset()
    reserved: frozenset[str] = frozenset()      # names that bound indices must avoid
    binders: tuple[str, ...] = ()               # enclosing bound indices, outermost first
    recurrences: frozenset = frozenset()        # the claim's recurrences (`Recurrence`), for congruence
    domain: tuple = ()                          # the claim's size constraints (lo, hi): true at every position

    def __hash__(self) -> int:
        """Computed once: the normalizer keys its memos by (subtree, context), at every node of every step."""
        try:
            return self._hash
        except AttributeError:
            h = hash((self.facts, self.assumptions, self.reserved, self.binders, self.recurrences, self.domain))
            object.__setattr__(self, "_hash", h)
            return h

    def __reduce__(self):
        """Pickled by its fields alone: the cached hash depends on the process (string hashing is salted)."""
        return Context, (self.facts, self.assumptions, self.reserved, self.binders, self.recurrences, self.domain)

    def with_facts(self, *pairs: tuple[sp.Expr, sp.Expr]) -> "Context":
        """Add facts lo <= hi (non-affine pairs are ignored: knowing less is sound). A Mod or
        floor in a pair stands for an integer with its defining bounds (`integer_atoms`). Nothing new
        known: this very context (an equal copy would be compared fact by fact in every memo)."""
        forms = [(nonneg(lo, hi), (lo, hi)) for lo, hi in pairs]
        new = {f for f, _ in forms if f is not None}
        hard = [self._floors_known(pair) for f, pair in forms if f is None]
        if hard:
            new |= {f for lo, hi in _abstracted(hard) if (f := nonneg(lo, hi)) is not None}
        if new <= self.facts:
            return self
        facts = self.facts | new
        grown(facts, self.facts, frozenset(new - self.facts))
        return Context(facts, self.assumptions, self.reserved, self.binders, self.recurrences, self.domain)

    def with_recurrences(self, recurrences) -> "Context":
        """The claim's recurrences are `recurrences` (those a congruence may rewrite a state into)."""
        return Context(self.facts, self.assumptions, self.reserved, self.binders, frozenset(recurrences), self.domain)

    @lru_cache(maxsize=50_000)
    def enter_sum(self, var: sp.Symbol, lo, hi) -> "Context":
        """The body's context of a range binder (a sum, a product): lo <= var <= hi, and nothing
        more about var (a binder that rebinds a name shadows it, so facts about the outer one do
        not hold for it). A bound is read outside the binder: one that mentions var's name means the outer
        var, and gives no fact about this one (in Σ_{t=T−t+1}^{T}, T − t + 1 <= t is not known of the inner t).
        Memoised: a step rebuilds every sum above its redex, with the same ranges."""
        inner = self.enter_binder((var,))
        ctx = Context(inner.facts, self.assumptions, self.reserved, self.binders, self.recurrences, self.domain)
        ctx = ctx.with_facts(*(pair for pair, bound in (((lo, var), lo), ((var, hi), hi))
                               if all(s.name != var.name for s in sp.sympify(bound).free_symbols)))
        return Context(ctx.facts, ctx.assumptions, ctx.reserved, inner.binders, self.recurrences, self.domain)

    def enter_binder(self, variables: tuple[sp.Symbol, ...]) -> "Context":
        """The scope of a binder of `variables` without a range (a function of them): no facts about them."""
        names = {v.name for v in variables}
        outer = self.facts
        over = _symbols_under(outer)
        if (over is None or not over.isdisjoint(names)) and any(_mentions(k, names) for f in outer for k, _ in f[0]):
            outer = frozenset(f for f in outer if not any(_mentions(k, names) for k, _ in f[0]))
        return Context(outer, self.assumptions, self.reserved, self.binders + tuple(v.name for v in variables),
                       self.recurrences, self.domain)

    def proves_le(self, lo, hi) -> bool:
        """Do the facts imply lo <= hi? Memoised (`_proves_le`): rules ask the same question of the same
        context at every attempt on a node, and a normal subtree is asked again in each step's context."""
        return _proves_le(self, lo, hi)

    def _entails_le(self, lo, hi) -> bool:
        form, facts = nonneg(lo, hi), self.facts
        if form is None:
            lo, hi = self._floors_known((lo, hi))
            form = nonneg(lo, hi)
        if form is None:
            (lo, hi), *extra = _abstracted(((sp.sympify(lo), sp.sympify(hi)),))
            form = nonneg(lo, hi)
            if form is None:
                return False
            facts = self.with_facts(*extra).facts if extra else facts
        if entails_nonneg(facts, form):
            return True
        extended = _with_products(facts, frozenset(_monomials(form)))
        return extended is not None and entails_nonneg(extended, form)

    def _floors_known(self, pair: tuple) -> tuple:
        """The pair with each floor the facts determine (`_quotient`) replaced by its value."""
        lo, hi = map(sp.sympify, pair)
        floors = lo.atoms(sp.floor) | hi.atoms(sp.floor)
        known = {f: q for f in floors if (q := self._quotient(f)) is not None}
        return (lo.xreplace(known), hi.xreplace(known)) if known else (lo, hi)

    def _quotient(self, f: sp.floor) -> sp.Expr | None:
        """q when the facts show floor((C·q + r)/C) = q, i.e. 0 <= r <= C − 1 (the chunk of a position)."""
        split = quotient_split(f)
        if split is None:
            return None
        q, r, den = split
        return q if self.proves_le(0, r) and self.proves_le(r, den - 1) else None

    def assuming(self, cond: sp.Basic) -> "Context":
        """The context where an integer condition a <= b or a = b also holds (others add nothing)."""
        if isinstance(cond, sp.LessThan):
            return self.with_facts((cond.lhs, cond.rhs))
        if isinstance(cond, sp.Equality):
            return self.with_facts((cond.lhs, cond.rhs), (cond.rhs, cond.lhs))
        return self

    def refutes(self, cond: sp.Basic) -> bool:
        """Do the facts show the integer condition a <= b or a = b false?"""
        if isinstance(cond, sp.LessThan):
            return self.proves_lt(cond.rhs, cond.lhs)
        if isinstance(cond, sp.Equality):
            return self.proves_lt(cond.lhs, cond.rhs) or self.proves_lt(cond.rhs, cond.lhs)
        return False

    def proves_lt(self, lo, hi) -> bool:
        return _proves_lt(self, lo, hi)

    def nonempty(self, lo, hi) -> bool:
        """Is the integer range lo..hi provably nonempty?"""
        return self.proves_le(lo, hi)

    def avoid(self, expr: sp.Basic) -> set[str]:
        """Names a fresh bound index at this position must not take."""
        return set(self.reserved) | set(self.binders) | {s.name for s in expr.atoms(sp.Symbol)}

    def assumes(self, assumption) -> bool:
        return assumption in self.assumptions


@lru_cache(maxsize=200_000)
def _proves_le(ctx: Context, lo, hi) -> bool:
    return ctx._entails_le(lo, hi)


@lru_cache(maxsize=200_000)
def _proves_lt(ctx: Context, lo, hi) -> bool:
    return _proves_le(ctx, _successor(lo), hi)


@lru_cache(maxsize=65_536)
def _successor(lo) -> sp.Expr:
    """lo + 1, built once per bound rather than once per context it is compared in."""
    return sp.sympify(lo) + 1
