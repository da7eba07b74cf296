"""The replay checker's own entailment: do integer facts lo <= hi imply a condition?

Written for the checker and sharing nothing with the prover's `affine.py`, so that one
bug cannot hide in both. Terms are linear forms over integer atoms (integer symbols and
products of them). To show facts ⊢ a <= b, add the negation a - b >= 1 (a strict integer
inequality, tightened) and derive a contradiction by Fourier–Motzkin elimination over
the rationals: rational infeasibility implies integer infeasibility. After scaling to
integer coefficients, every derived inequality Σ c·x <= k is divided by the gcd g of
its coefficients and k rounded down to a multiple (a Chvátal–Gomory cut), which is sound
because every atom is integer-valued. The answer is never wrong; it may be "cannot show"
(then the step is rejected), in particular when elimination grows past its limit.
"""

from __future__ import annotations

import math
from fractions import Fraction
from functools import lru_cache

import sympy as sp
from sympy.logic.boolalg import BooleanFalse, BooleanTrue

__all__ = ["proves", "refutes", "entails", "linear", "MAX_CONSTRAINTS"]

MAX_CONSTRAINTS = 4_000        # inequalities alive during one elimination

# An inequality Σ c_k x_k + const <= 0 with integer coefficients: (((atom, c), ...) sorted, const).
Ineq = tuple[tuple[tuple[sp.Basic, int], ...], int]


def _integer_atom(e) -> bool:
    if isinstance(e, sp.Symbol):
        return e.is_integer is True
    if isinstance(e, sp.Pow):
        return _integer_atom(e.base) and e.exp.is_Integer and e.exp > 0
    if isinstance(e, sp.Mul):
        return all(_integer_atom(f) for f in e.args)
    return False


def linear(e: sp.Basic) -> tuple[dict, Fraction] | None:
    """e as (atom -> rational coefficient, constant), or None if e is not linear in integer atoms."""
    if e.is_Rational:
        return {}, Fraction(int(e.p), int(e.q))
    if isinstance(e, sp.Add):
        coeffs: dict = {}
        const = Fraction(0)
        for a in e.args:
            part = linear(a)
            if part is None:
                return None
            for k, c in part[0].items():
                coeffs[k] = coeffs.get(k, 0) + c
            const += part[1]
        return {k: c for k, c in coeffs.items() if c != 0}, const
    if isinstance(e, sp.Mul):
        number, rest = e.as_coeff_Mul()
        if number != 1 and number.is_Rational:
            part = linear(rest)
            if part is None:
                return None
            c = Fraction(int(number.p), int(number.q))
            return {k: v * c for k, v in part[0].items()}, part[1] * c
    if _integer_atom(e):
        return {e: Fraction(1)}, Fraction(0)
    return None


def _ineq(coeffs: dict, const: Fraction) -> Ineq | None:
    """Σ coeffs·x + const <= 0 scaled to integers and tightened; None when it is trivially true."""
    scale = math.lcm(const.denominator, *(c.denominator for c in coeffs.values()))
    ints = {k: int(c * scale) for k, c in coeffs.items() if c != 0}
    k0 = int(const * scale)
    if ints:
        g = math.gcd(*ints.values())
        ints = {k: c // g for k, c in ints.items()}
        k0 = -((-k0) // g)                      # Σ (c/g) x <= floor(-k0/g)  ⇔  ... + ceil(k0/g) <= 0
    elif k0 <= 0:
        return None
    return tuple(sorted(ints.items(), key=lambda kv: sp.default_sort_key(kv[0]))), k0


def _le(lo: sp.Basic, hi: sp.Basic, strict: bool = False) -> Ineq | None | bool:
    """lo <= hi (lo < hi if strict) as a tightened integer inequality; None if it always holds,
    False if it is not linear. A strict one is scaled to integer coefficients first, then
    e < 0 becomes e + 1 <= 0."""
    form = linear(lo - hi)
    if form is None:                    # a product of sums, c·(C − 1): linear once multiplied out
        form = linear(sp.expand(lo - hi))
    if form is None:
        return False
    coeffs, const = form
    if strict:
        scale = math.lcm(const.denominator, *(c.denominator for c in coeffs.values()))
        coeffs, const = {k: c * scale for k, c in coeffs.items()}, const * scale + 1
    return _ineq(coeffs, const)


def _infeasible(system: list[Ineq]) -> bool:
    rows = set(system)
    while True:
        if any(not c and k > 0 for c, k in rows):
            return True
        atoms = {a for c, _ in rows for a, _ in c}
        if not atoms:
            return False
        counts = {a: [0, 0] for a in atoms}
        for c, _ in rows:
            for a, v in c:
                counts[a][v < 0] += 1
        var = min(atoms, key=lambda a: (counts[a][0] * counts[a][1], sp.default_sort_key(a)))
        pos, neg, keep = [], [], set()
        for row in rows:
            v = dict(row[0]).get(var, 0)
            if v > 0:
                pos.append(row)
            elif v < 0:
                neg.append(row)
            else:
                keep.add(row)
        for p in pos:
            for n in neg:
                a, b = dict(p[0])[var], -dict(n[0])[var]
                coeffs: dict = {}
                for atom, c in p[0]:
                    coeffs[atom] = coeffs.get(atom, 0) + b * c
                for atom, c in n[0]:
                    coeffs[atom] = coeffs.get(atom, 0) + a * c
                coeffs.pop(var, None)
                new = _ineq({k: Fraction(c) for k, c in coeffs.items() if c}, Fraction(b * p[1] + a * n[1]))
                if new is not None:
                    keep.add(new)
            if len(keep) > MAX_CONSTRAINTS:
                return False
        rows = keep


@lru_cache(maxsize=65536)
def entails(facts: tuple[tuple[sp.Basic, sp.Basic], ...], lo: sp.Basic, hi: sp.Basic, strict: bool = False) -> bool:
    """facts (pairs a <= b) imply lo <= hi (lo < hi if strict), for all integer values of the atoms;
    where a product of atoms occurs, also with the products of pairs of facts (`_product_facts`)."""
    negation = _le(hi, lo, strict=not strict)      # ¬(lo <= hi) is hi < lo; ¬(lo < hi) is hi <= lo
    if negation is False or negation is None:      # not linear, or the negation always holds
        return False
    system = [negation]
    for a, b in facts:
        f = _le(a, b)
        if f is not False and f is not None:
            system.append(f)
    if _infeasible(system):
        return True
    extra = _product_facts(facts, sp.expand(hi - lo))
    return bool(extra) and _infeasible(system + extra)


def _degree_two(e: sp.Basic) -> set:
    """The products of two or more symbols among e's terms."""
    return {t for t in sp.Add.make_args(sp.expand(e)) for t in [t.as_coeff_Mul()[1]]
            if sum(int(x.as_base_exp()[1]) for x in sp.Mul.make_args(t) if x.free_symbols) >= 2}


def _product_facts(facts, goal: sp.Basic, limit: int = 400) -> list[Ineq]:
    """(b − a)(d − c) >= 0 for two facts a <= b, c <= d that are linear in symbols, kept when every
    product of symbols it has occurs in the goal or the facts: sound (a product of two nonnegative
    numbers is nonnegative), and what ties an atom such as c·C to c and C."""
    wanted = _degree_two(goal)
    for a, b in facts:
        wanted |= _degree_two(b - a)
    if not wanted:
        return []
    plain = [sp.expand(b - a) for a, b in facts if not _degree_two(b - a) and linear(sp.expand(b - a)) is not None]
    out: list[Ineq] = []
    for n, f in enumerate(plain):
        for g in plain[n:]:
            p = sp.expand(f * g)
            if _degree_two(p) <= wanted and (ineq := _le(-p, sp.S.Zero)) not in (None, False):
                out.append(ineq)
                if len(out) >= limit:
                    return out
    return out


def _atoms_integer(*es) -> bool:
    return all(s.is_integer is True for e in es for s in e.free_symbols)


def proves(facts: tuple, cond: sp.Basic) -> bool:
    """facts ⊢ cond, cond a relation (<=, <, >=, >, =, ≠) or And / Or / Not of relations."""
    if isinstance(cond, BooleanTrue):
        return True
    if isinstance(cond, BooleanFalse):
        return False
    if isinstance(cond, sp.And):
        return all(proves(facts, c) for c in cond.args)
    if isinstance(cond, sp.Or):
        return any(proves(facts, c) for c in cond.args)
    if isinstance(cond, sp.Not):
        return refutes(facts, cond.args[0])
    if not isinstance(cond, sp.Rel) or not _atoms_integer(cond.lhs, cond.rhs):
        return False
    a, b = cond.lhs, cond.rhs
    if isinstance(cond, sp.LessThan):
        return entails(facts, a, b)
    if isinstance(cond, sp.GreaterThan):
        return entails(facts, b, a)
    if isinstance(cond, sp.StrictLessThan):
        return entails(facts, a, b, strict=True)
    if isinstance(cond, sp.StrictGreaterThan):
        return entails(facts, b, a, strict=True)
    if isinstance(cond, sp.Equality):
        return entails(facts, a, b) and entails(facts, b, a)
    if isinstance(cond, sp.Unequality):
        return entails(facts, a, b, strict=True) or entails(facts, b, a, strict=True)
    return False


_NEGATION = {sp.LessThan: sp.StrictGreaterThan, sp.StrictLessThan: sp.GreaterThan,
             sp.GreaterThan: sp.StrictLessThan, sp.StrictGreaterThan: sp.LessThan,
             sp.Equality: sp.Unequality, sp.Unequality: sp.Equality}


def refutes(facts: tuple, cond: sp.Basic) -> bool:
    """facts ⊢ ¬cond."""
    if isinstance(cond, BooleanTrue):
        return False
    if isinstance(cond, BooleanFalse):
        return True
    if isinstance(cond, sp.And):
        return any(refutes(facts, c) for c in cond.args)
    if isinstance(cond, sp.Or):
        return all(refutes(facts, c) for c in cond.args)
    if isinstance(cond, sp.Not):
        return proves(facts, cond.args[0])
    negation = _NEGATION.get(type(cond))
    if negation is None:
        return False
    return proves(facts, negation(cond.lhs, cond.rhs, evaluate=False))
