"""The replay checker's own α-equivalence and capture-avoiding substitution.

Sums and products over ranges (`RANGES`) and computed rows (`Lambda`) bind. Two trees are α-equivalent when a bijection
between their binders, respecting scope, makes them identical: a bound occurrence on one
side must refer to the binder matched with the one its counterpart refers to, and a free
symbol equals only itself, never a bound one. Add and Mul arguments are matched as
multisets (sympy orders them by names, so a renaming may reorder them). With `renaming`
(what `alpha-rename` may do), directly nested sums (or products) may also be permuted (Fubini)
where each range, read under the sums enclosing it on its own side, is its partner's (a search
with a budget: past it, unequal), and terms that renaming made identical may be collected as
sympy's constructors collect them (Σ_i f + Σ_j f = 2·Σ_j f, x^a·x^b = x^(a+b) for the merges
sympy makes: natural exponents, positive bases, exp); nothing else.
"""

from __future__ import annotations

from collections import defaultdict
from functools import lru_cache
from contextvars import ContextVar
from itertools import islice

import sympy as sp

from .index import Prod, Sigma
from .replay_parse import Rejected

__all__ = ["alpha_equal", "subst", "search_budget", "RANGES", "MAX_ORDERS", "MAX_NEST_WORK"]

RANGES = (Sigma, Prod)  # the nodes binding one index over lo..hi: (body, var, lo, hi)

MAX_ORDERS = 720       # orders of one block of independent nested sums tried (those whose ranges fit)
MAX_NEST_WORK = 20_000  # candidates compared in one test (orders, ranges, terms, factors): past it, unequal

# The same units over every test while a certificate is checked (`search_budget`): a rule that tests each term of a
# sum would otherwise spend a test's budget once per term.
_SHARED: ContextVar[list[int] | None] = ContextVar("nest_work", default=None)


class search_budget:
    """While active (`with search_budget(units):`), every α-equivalence test also spends from one budget of
    `units`; spent, `Rejected`."""

    def __init__(self, units: int):
        self.units = units

    def __enter__(self) -> None:
        self.token = _SHARED.set([self.units])

    def __exit__(self, *exc) -> None:
        _SHARED.reset(self.token)


def alpha_equal(x: sp.Basic, y: sp.Basic, renaming: bool = False) -> bool:
    """x and y are equal up to renaming bound indices (and, with `renaming`, what sympy's constructors do
    after a renaming: reordered independent nested sums, like terms collected). A test whose search spends its
    budget says unequal."""
    test = _Alpha(renaming, _bound_names(x) | _bound_names(y))
    try:
        return test.eq(x, y, {}, {})
    except _Spent:
        return False


class _Spent(Exception):
    """The search of one test has spent its budget."""


@lru_cache(maxsize=100_000)
def _bound_names(e: sp.Basic) -> frozenset[str]:
    """The names some binder in `e` binds: a symbol of any other name is free wherever it occurs. Per subtree (a
    layer's trees share most of theirs)."""
    own = {e.var.name} if isinstance(e, RANGES) else {v.name for v in e.variables} if isinstance(e, sp.Lambda) else ()
    return frozenset(own).union(*map(_bound_names, e.args))


def _block(e) -> list:
    """Every directly nested sum (or product) of e's kind: the links `sums` may match in another order."""
    run: list = []
    node = e
    while type(node) is type(e):
        run.append(node)
        node = node.body
    return run


class _Alpha:
    def __init__(self, renaming: bool, bound: set[str] = frozenset()):
        self.renaming, self.bound = renaming, bound
        self.work = MAX_NEST_WORK     # one budget for the whole test: a nest in a nest's body or range multiplies
        self.keys: dict = {}
        self.counts: dict = {}
        self.ids = 0

    def key(self, e) -> int:
        """A hash invariant under renaming bound indices, reordering Add/Mul arguments and nested sums:
        it only buckets candidates; `eq` decides."""
        k = self.keys.get(e)
        if k is not None:
            return k
        if isinstance(e, sp.Symbol):     # a name no binder binds is free everywhere: equal only to itself
            k = hash("symbol") if e.name in self.bound else hash(("free", e.name))
        elif isinstance(e, sp.IndexedBase):
            k = hash(("IndexedBase", str(e.label)))
        elif isinstance(e, RANGES):
            ranges, node = [], e
            while type(node) is type(e):
                ranges.append(hash((self.key(node.lo), self.key(node.hi))))
                node = node.body
            k = hash((type(e).__name__, tuple(sorted(ranges)), self.key(node)))
        elif isinstance(e, (sp.Add, sp.Mul)):
            k = hash((type(e).__name__, tuple(sorted(self.key(a) for a in e.args))))
        elif not e.args:
            k = hash(e)
        else:
            k = hash((type(e).__name__, tuple(self.key(a) for a in e.args)))
        self.keys[e] = k
        return k

    def fresh(self) -> int:
        self.ids += 1
        return self.ids

    def eq(self, x, y, left: dict, right: dict) -> bool:
        if left == right and hash(x) == hash(y) and x == y:
            return True                    # same tree, same binders in scope
        if isinstance(x, sp.Symbol) or isinstance(y, sp.Symbol):
            if not (isinstance(x, sp.Symbol) and isinstance(y, sp.Symbol)):
                return False
            bx, by = left.get(x), right.get(y)
            return x == y if bx is None and by is None else bx == by
        if type(x) is not type(y):
            return self.renaming and self.collected(x, y, left, right)
        if isinstance(x, (sp.Add, sp.Mul)):
            return self.multiset(x.args, y.args, left, right) or (self.renaming and self.collected(x, y, left, right))
        if len(x.args) != len(y.args):
            return False
        if not x.args:
            return x == y
        if isinstance(x, RANGES):
            return self.sums(x, y, left, right)
        if isinstance(x, sp.Lambda):
            if len(x.variables) != len(y.variables):
                return False
            left, right = dict(left), dict(right)
            for u, v in zip(x.variables, y.variables):
                left[u] = right[v] = self.fresh()
            return self.eq(x.expr, y.expr, left, right)
        return all(self.eq(a, b, left, right) for a, b in zip(x.args, y.args))

    def sums(self, x, y, left: dict, right: dict) -> bool:
        if self.renaming:
            bx, by = _block(x), _block(y)
            n = min(len(bx), len(by))
            if n >= 2:
                inner_x, inner_y = _after(x, n), _after(y, n)
                ids = [self.fresh() for _ in range(n)]
                # partners read alike by the body first: only the order of the search, each matching is checked
                uses_x = [self.uses(inner_x, s.var) for s in bx[:n]]
                uses_y = [self.uses(inner_y, s.var) for s in by[:n]]
                first = [sorted(range(n), key=lambda p: uses_y[p] != uses_x[k]) for k in range(n)]
                for order in islice(self.matchings(bx[:n], by[:n], ids, left, right, first), MAX_ORDERS):
                    self.spend()
                    inv = {order[k]: ids[k] for k in range(n)}     # sum k of x is sum order[k] of y
                    lx, ry = dict(left), dict(right)
                    for k in range(n):                   # in nesting order: an inner binder shadows
                        lx[bx[k].var] = ids[k]
                        ry[by[k].var] = inv[k]
                    if self.eq(inner_x, inner_y, lx, ry):
                        return True
                return False
        if not (self.eq(x.lo, y.lo, left, right) and self.eq(x.hi, y.hi, left, right)):
            return False
        left, right = dict(left), dict(right)
        left[x.var] = right[y.var] = self.fresh()
        return self.eq(x.body, y.body, left, right)

    def spend(self) -> None:
        """One unit of the search (an order of a nest, a pair of ranges, a pair of candidate terms or factors);
        `_Spent` once the test's budget is spent (the test says unequal: a checker may refuse a step, never accept
        one it has not checked), `Rejected` once the certificate's is."""
        self.work -= 1
        shared = _SHARED.get()
        if shared is not None:
            shared[0] -= 1
            if shared[0] < 0:
                raise Rejected("the search for matching terms and sums ran out of its budget for one certificate")
        if self.work < 0:
            raise _Spent

    def uses(self, e: sp.Basic, var: sp.Symbol) -> int:
        """How often `var` occurs in `e` (bound or free): a hint that orders the search, never a test."""
        key = (e, var)
        hit = self.counts.get(key)
        if hit is None:
            hit = int(e == var) + sum(self.uses(a, var) for a in e.args)
            self.counts[key] = hit
        return hit

    def charged(self) -> bool:
        """`spend`, for a condition: a pair of candidates about to be compared."""
        self.spend()
        return True

    def matchings(self, bx: list, by: list, ids: list, left: dict, right: dict, first: list,
                  order: tuple = ()):
        """Bijections k -> order[k] between two nests, depth first, under which each range of x is its partner's,
        each read where it stands: under the sums above it on its own side, sum i of x as ids[i] and a sum of y as
        the id of the x sum it is matched with. A sum of y above the partner and not yet matched is unknown (a
        range reading it matches nothing: that sum would have to come first), never the free name it shares, nor
        another unknown (each gets an id of its own: a nest inside the range has unknowns too, and two terms of
        one range are compared as like terms). Partners of sum k of x are tried in the order `first[k]`. Each pair
        of ranges compared spends a unit of the test's budget (a nest of n alike ranges and one odd one has (n-1)!
        partial matchings)."""
        k = len(order)
        if k == len(bx):
            yield order
            return
        lx = dict(left)
        for i in range(k):                              # in nesting order: an inner sum shadows
            lx[bx[i].var] = ids[i]
        matched = {p: ids[i] for i, p in enumerate(order)}
        for p in first[k]:
            if p in matched:
                continue
            self.spend()
            ry = dict(right)
            for q in range(p):
                ry[by[q].var] = matched[q] if q in matched else -self.fresh()   # ids are positive: equals none
            if self.eq(bx[k].lo, by[p].lo, lx, ry) and self.eq(bx[k].hi, by[p].hi, lx, ry):
                yield from self.matchings(bx, by, ids, left, right, first, (*order, p))

    def multiset(self, xs, ys, left: dict, right: dict) -> bool:
        if len(xs) != len(ys):
            return False
        if all(self.eq(a, b, left, right) for a, b in zip(xs, ys)):
            return True
        buckets = defaultdict(list)
        for k, b in enumerate(ys):
            buckets[self.key(b)].append(k)
        used: set[int] = set()
        for a in xs:
            for k in buckets.get(self.key(a), ()):
                if k not in used and self.charged() and self.eq(a, ys[k], left, right):
                    used.add(k)
                    break
            else:
                return False
        return True

    def collected(self, x, y, left: dict, right: dict) -> bool:
        """Renaming makes α-equivalent terms identical, and sympy then collects them (Σ_i f + Σ_j f is
        2·Σ_j f; Σ_i f · Σ_j f is (Σ_j f)²): compare sums as linear combinations, and products as
        powers, of α-classes."""
        if isinstance(x, sp.Add) or isinstance(y, sp.Add):
            return self.combination(_summands([x]), _summands([y]), left, right)
        if not isinstance(x, (sp.Mul, sp.Pow, sp.exp)) and not isinstance(y, (sp.Mul, sp.Pow, sp.exp)):
            return False
        cx, fx = _powers(x.args if isinstance(x, sp.Mul) else [x])
        cy, fy = _powers(y.args if isinstance(y, sp.Mul) else [y])
        if cx != cy:
            return False
        gx, gy = self.classes(fx, left), self.classes(fy, right)
        if len(gx) != len(gy):
            return False
        used: set[int] = set()
        for base, exps in gx:
            for k, (other, others) in enumerate(gy):
                if k not in used and self.charged() and self.eq(base, other, left, right) \
                        and self.combination(_summands(exps), _summands(others), left, right):
                    used.add(k)
                    break
            else:
                return False
        return True

    def combination(self, xs: list, ys: list, left: dict, right: dict) -> bool:
        """Σ c·t = Σ c'·t' with like terms (α-equivalent within a side) collected and zeros dropped."""
        gx = [(t, sum(cs)) for t, cs in self.classes([(t, c) for c, t in xs], left) if sum(cs) != 0]
        gy = [(t, sum(cs)) for t, cs in self.classes([(t, c) for c, t in ys], right) if sum(cs) != 0]
        if len(gx) != len(gy):
            return False
        used: set[int] = set()
        for term, coef in gx:
            for k, (other, c) in enumerate(gy):
                if k not in used and c == coef and self.charged() and self.eq(term, other, left, right):
                    used.add(k)
                    break
            else:
                return False
        return True

    def classes(self, pairs: list, env: dict) -> list:
        """(representative, [values]) per α-class of the pairs' first components, within one side."""
        out: list = []
        buckets = defaultdict(list)
        for term, value in pairs:
            for k in buckets[self.key(term)]:
                if self.charged() and self.eq(term, out[k][0], env, env):
                    out[k][1].append(value)
                    break
            else:
                buckets[self.key(term)].append(len(out))
                out.append((term, [value]))
        return out


def _summands(terms) -> list:
    """(rational coefficient, term) for each summand, nested sums flattened."""
    out = []
    for t in terms:
        if isinstance(t, sp.Add):
            out += _summands(t.args)
        else:
            out.append(t.as_coeff_Mul())
    return out


def _powers(factors) -> tuple:
    """The numeric coefficient of a product and its other factors as (base, exponent): x^a·x^b = x^(a+b)
    where sympy's constructors merge them (natural exponents, positive bases, exp)."""
    coef, out = sp.S.One, []
    for f in factors:
        if f.is_Number:
            coef *= f
        else:
            out.append(f.as_base_exp())
    return coef, out


def _after(e, n: int) -> sp.Basic:
    for _ in range(n):
        e = e.body
    return e


def subst(e: sp.Basic, mapping: dict) -> sp.Basic:
    """e with free occurrences of symbols replaced at once; a binder that would capture a value's
    symbol is renamed to a fresh dummy (compare the result modulo α)."""
    mapping = {k: v for k, v in mapping.items() if k != v}
    return _subst(e, mapping) if mapping else e


def _subst(e, m):
    if isinstance(e, sp.Symbol):
        return m.get(e, e)
    if not e.args:
        return e
    if isinstance(e, RANGES):
        lo, hi = _subst(e.lo, m), _subst(e.hi, m)
        inner = {k: v for k, v in m.items() if k != e.var}
        body, var = e.body, e.var
        if inner and any(var in v.free_symbols for v in inner.values()):
            var = sp.Dummy(var.name, integer=True)
            body = _subst(body, {e.var: var})
        body = _subst(body, inner) if inner else body
        if body is e.body and var is e.var and lo is e.lo and hi is e.hi:
            return e
        return e.func(body, var, lo, hi)
    if isinstance(e, sp.Lambda):
        inner = {k: v for k, v in m.items() if k not in e.variables}
        if not inner:
            return e
        incoming = set().union(*(v.free_symbols for v in inner.values()))
        renamed = {v: sp.Dummy(v.name, integer=True) for v in e.variables if v in incoming}
        body = _subst(e.expr, renamed) if renamed else e.expr
        return sp.Lambda(tuple(renamed.get(v, v) for v in e.variables), _subst(body, inner))
    args = [_subst(a, m) for a in e.args]
    if all(a is b for a, b in zip(args, e.args)):
        return e
    return e.func(*args)
