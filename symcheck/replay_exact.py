"""Rules whose contractum the checker recomputes itself: deltas, ring identities, content addressing,
renaming.

Each check is exact: the checker builds what the rule produces from the redex with its own
code (re-derived from the rule's statement, sharing nothing with the prover's rules) and
compares it with the certified contractum, modulo α-equivalence where the prover picks
fresh bound names (`replay_alpha`). `expand-power` compares as polynomials in the atoms,
expanded by the checker's own multinomial arithmetic. The numeric check that follows
every step is a second line of defence, not the first.
"""

from __future__ import annotations

from fractions import Fraction

import sympy as sp

from .index import Entry, Iverson, Power, Sigma
from .memory import ContentWeight, MemoryCell
from .replay_alpha import alpha_equal, subst
from .replay_entail import linear

__all__ = ["EXACT", "delta_point", "polynomial", "checker_power", "MAX_MONOMIALS"]

MAX_MONOMIALS = 20_000       # terms of one polynomial the checker expands (the library's largest: a few hundred)
MAX_POWER = 8                # exponent of an expanded power (the prover's limit)


def _factors(e):
    return list(e.args) if isinstance(e, sp.Mul) else [e]


# -- sum-delta ----------------------------------------------------------------------------------------------
def delta_point(guard, var: sp.Symbol):
    """e if `guard` is [a = b] with a - b affine over integer atoms, coefficient ±1 on `var`, integer
    coefficients and constant, and e (the one value of var where it holds) free of var; else None."""
    if not isinstance(guard, Iverson) or not isinstance(guard.args[0], sp.Equality):
        return None
    cond = guard.args[0]
    form = linear(cond.rhs - cond.lhs)
    if form is None:
        return None
    coeffs, const = form
    c = coeffs.get(var)
    if c not in (1, -1) or const.denominator != 1 or any(v.denominator != 1 for v in coeffs.values()):
        return None
    # c·var + Σ a·x + const = 0  ⇔  var = -(Σ a·x + const)/c
    e = sp.Add(*(sp.Integer(-int(a / c)) * x for x, a in coeffs.items() if x != var), sp.Integer(-int(const / c)))
    return None if var in e.free_symbols else e


def _sum_delta(r, c, site):
    """Σ_{j=l}^{h} Σ_a [j = e] f = [l <= e][e <= h] Σ_a f[j := e], with zero or more directly nested sums Σ_a
    whose ranges do not mention j (and which do not rebind j), e free of j and of the a's."""
    if not isinstance(r, Sigma):
        return "not a sum"
    j, chain, node = r.var, [], r.body
    while True:
        inner = {s.var for s in chain}
        factors = _factors(node)
        for k, f in enumerate(factors):
            e = delta_point(f, j)
            if e is None or e.free_symbols & inner:
                continue
            body = subst(sp.Mul(*(factors[:k] + factors[k + 1:])), {j: e})
            for s in reversed(chain):
                body = Sigma(body, s.var, s.lo, s.hi)
            if alpha_equal(Iverson(sp.Le(r.lo, e)) * Iverson(sp.Le(e, r.hi)) * body, c):
                return None
        if not isinstance(node, Sigma) or node.var == j or j in (node.lo.free_symbols | node.hi.free_symbols):
            break
        chain.append(node)
        node = node.body
    return ("not Σ_j Σ_a [j = e] f = [l <= e][e <= h] Σ_a f[j := e] for a guard [j = e] (e integer, "
            "coefficient ±1 on j, free of j and of the inner indices)")


# -- ring identities ----------------------------------------------------------------------------------------
def _distribute(r, c, site):
    """c·(a + b + …) = c·a + c·b + … for one sum factor of the product."""
    if not isinstance(r, sp.Mul):
        return "not a product"
    for k, a in enumerate(r.args):
        if isinstance(a, sp.Add):
            rest = sp.Mul(*(r.args[:k] + r.args[k + 1:]))
            if c == sp.Add(*(rest * term for term in a.args)):
                return None
    return "not c·(a + b + …) = c·a + c·b + … for a sum factor of the product"


def _exp_merge(r, c, site):
    """e^a · e^b · … · rest = rest · e^(a + b + …), all exponentials of the product merged."""
    exps = [f for f in r.args if isinstance(f, sp.exp)] if isinstance(r, sp.Mul) else []
    if len(exps) < 2:
        return "not a product of two or more exponentials"
    rest = [f for f in r.args if not isinstance(f, sp.exp)]
    if c != sp.Mul(*rest) * sp.exp(sp.Add(*(f.args[0] for f in exps))):
        return "not the product with its exponentials merged into one"
    return None


def polynomial(e) -> dict:
    """e expanded as a polynomial over its atoms (anything but a rational number, a sum, a product or a
    natural power): monomial (frozenset of (atom, degree)) -> rational coefficient, zeros dropped."""
    if e.is_Rational:
        return {frozenset(): Fraction(int(e.p), int(e.q))} if e != 0 else {}
    if isinstance(e, sp.Add):
        out: dict = {}
        for a in e.args:
            for mono, coef in polynomial(a).items():
                out[mono] = out.get(mono, 0) + coef
        return _bounded({m: v for m, v in out.items() if v != 0})
    if isinstance(e, sp.Mul):
        out = {frozenset(): Fraction(1)}
        for a in e.args:
            out = _times(out, polynomial(a))
        return out
    if isinstance(e, sp.Pow) and e.exp.is_Integer and 0 <= e.exp <= MAX_POWER:
        out, base = {frozenset(): Fraction(1)}, polynomial(e.base)
        for _ in range(int(e.exp)):
            out = _times(out, base)
        return out
    return {frozenset({(e, 1)}): Fraction(1)}


def _times(p: dict, q: dict) -> dict:
    out: dict = {}
    for m1, c1 in p.items():
        for m2, c2 in q.items():
            degrees = dict(m1)
            for atom, k in m2:
                degrees[atom] = degrees.get(atom, 0) + k
            mono = frozenset(degrees.items())
            out[mono] = out.get(mono, 0) + c1 * c2
    return _bounded({m: v for m, v in out.items() if v != 0})


def _bounded(p: dict) -> dict:
    if len(p) > MAX_MONOMIALS:
        raise _TooLarge
    return p


class _TooLarge(Exception):
    """A polynomial of more than MAX_MONOMIALS terms: the checker does not expand it."""


def _expand_power(r, c, site):
    """(a + b + …)^n = its multinomial expansion, n = 2..8: the contractum is a sum equal to the redex
    as a polynomial in the atoms."""
    if not (isinstance(r, sp.Pow) and isinstance(r.base, sp.Add) and r.exp.is_Integer and 2 <= r.exp <= MAX_POWER
            and isinstance(c, sp.Add)):
        return "not a sum raised to a natural power 2..8, rewritten to a sum"
    try:
        same = polynomial(r) == polynomial(c)
    except _TooLarge:
        return f"an expansion of more than {MAX_MONOMIALS} terms, beyond the checker's limit"
    return None if same else "not the multinomial expansion of the power"


# -- content addressing -------------------------------------------------------------------------------------
def checker_power(base, ex):
    """base^ex as symcheck builds it: sympy's Pow only for a natural exponent or a base known positive."""
    ex = sp.sympify(ex)
    return sp.Pow(base, ex) if (ex.is_Integer and ex >= 0) or base.is_positive is True else Power(base, ex)


def _similarity(r: ContentWeight, slot, a: sp.Symbol):
    (width,) = r.mem.width
    q, m = Entry(r.query, r.row, a), MemoryCell(r.mem, r.time, slot, a)
    dot = Sigma(q * m, a, 1, width)
    if r.similarity == "dot":
        return dot
    half = sp.Rational(-1, 2)
    return dot * checker_power(Sigma(q ** 2, a, 1, width), half) * checker_power(Sigma(m ** 2, a, 1, width), half)


def _content(r, c, site):
    """C(M_τ, q_r, β)[n] = exp(β sim(q_r, M_τ[n])) · (Σ_{m=1}^{hi} exp(β sim(q_r, M_τ[m])))^{-1}, sim the dot
    product or the cosine dot·(Σ q²)^{-1/2}·(Σ m²)^{-1/2}, over a fresh coordinate a and slot m."""
    if not isinstance(r, ContentWeight) or len(r.mem.width) != 1:
        return "not a content weighting over a matrix memory"
    a, m = sp.Dummy("a", integer=True), sp.Dummy("m", integer=True)
    num = sp.exp(r.strength * _similarity(r, r.slot, a))
    den = Sigma(sp.exp(r.strength * _similarity(r, m, a)), m, 1, r.hi)
    return None if alpha_equal(num * checker_power(den, -1), c) else "not the content weighting's formula"


def _alpha_rename(r, c, site):
    if r == c:
        return "renames nothing"
    return None if alpha_equal(r, c, renaming=True) else \
        "not a renaming of bound indices (nor a reordering of independent nested sums)"


EXACT = {
    "sum-delta": _sum_delta,
    "distribute": _distribute,
    "exp-merge": _exp_merge,
    "expand-power": _expand_power,
    "content-addressing": _content,
    "alpha-rename": _alpha_rename,
}
