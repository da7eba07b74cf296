"""The checker's own table for the rotation rules: angle addition and cos² + sin² = 1.

Written from the rules' statements, sharing no code with `rules/trig.py`: the contractum is
recomputed here and compared exactly. Neither rule has a side condition (both are identities of
real numbers), so nothing is re-proved from the facts.
"""

from __future__ import annotations

import sympy as sp

__all__ = ["TRIG_RULES"]


def _angle_addition(r, c, site):
    """cos(a + b) → cos a cos b − sin a sin b and sin(a + b) → sin a cos b + cos a sin b, for a the first
    term of the argument and b the others."""
    if not isinstance(r, (sp.cos, sp.sin)) or not isinstance(r.args[0], sp.Add):
        return "not a cos or sin of a sum"
    first = r.args[0].args[0]
    others = sp.Add(*r.args[0].args[1:])
    ca, sa, cb, sb = sp.cos(first), sp.sin(first), sp.cos(others), sp.sin(others)
    expected = ca * cb - sa * sb if isinstance(r, sp.cos) else sa * cb + ca * sb
    return None if c == expected else "not the addition theorem split at the argument's first term"


def _pythagorean(r, c, site):
    """Σ + m cos² x + m sin² x → Σ + m: two terms of the sum, equal but for cos² x against sin² x."""
    if not isinstance(r, sp.Add):
        return "not a sum"
    for u in r.args:
        for v in r.args:
            for f in sp.Mul.make_args(u):
                if not (isinstance(f, sp.Pow) and f.exp == 2 and isinstance(f.base, sp.cos)):
                    continue
                m = sp.Mul(*(g for g in sp.Mul.make_args(u) if g != f))
                if v == m * sp.sin(f.base.args[0]) ** 2 and c == sp.Add(*(w for w in r.args if w not in (u, v))) + m:
                    return None
    return "not m cos^2 x + m sin^2 x replaced by m"


TRIG_RULES = {"angle-addition": _angle_addition, "pythagorean": _pythagorean}
