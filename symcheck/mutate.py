"""Single-edit mutants of true claims: the near misses a proof tool must never prove.

Each operator makes one small, plausible mistake at one position of one side
(a dropped transpose, swapped indices, a strict instead of an inclusive mask,
a missing or extra 1/√d, a wrong normaliser, an off-by-one range, a read
before the write ...). Mutants are taken at several stages of a side's
derivation (its definition, two intermediate forms, its normal form), since
every stage is an equal expression and each exposes different positions.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from .binders import subst
from .claim import Claim
from .index import Element, Entry, Iverson, Power, Sigma, reciprocal
from .matrix import MASKS, MaskedSoftmax, MatScale, MatT
from .memory import ContentWeight, MemoryCell
from .models import from_index
from .replay import replace_at

__all__ = ["Mutant", "OPERATORS", "mutations", "mutants"]


def _masks(e):
    if isinstance(e, MaskedSoftmax):
        return [("mask-flip", MaskedSoftmax(e.args[0], m)) for m in MASKS if m != e.mask]
    return []


def _transpose(e):
    if isinstance(e, Entry) and isinstance(e.term, MatT):
        return [("drop-transpose", Entry(e.term.args[0], e.args[1], e.args[2]))]
    return []


def _swap(e):
    if isinstance(e, sp.Indexed) and len(e.indices) == 2 and e.indices[0] != e.indices[1]:
        return [("swap-indices", e.base[e.indices[1], e.indices[0]])]
    if isinstance(e, Entry) and e.args[1] != e.args[2]:
        return [("swap-indices", Entry(e.term, e.args[2], e.args[1]))]
    if isinstance(e, Element) and len(set(e.indices)) > 1:
        i = next(k for k in range(1, len(e.indices)) if e.indices[k] != e.indices[0])
        swapped = list(e.indices)
        swapped[0], swapped[i] = swapped[i], swapped[0]
        return [("swap-indices", Element(e.tensor, *swapped))]
    if isinstance(e, MemoryCell) and e.slot != e.cols[0]:
        return [("swap-indices", MemoryCell(e.mem, e.time, e.cols[0], e.slot, *e.cols[1:]))]
    return []


def _guards(e):
    if isinstance(e, Iverson) and isinstance(e.args[0], sp.LessThan):
        lo, hi = e.args[0].lhs, e.args[0].rhs
        return [("strict-vs-inclusive", Iverson(sp.Le(lo, hi - 1))), ("strict-vs-inclusive", Iverson(sp.Le(lo, hi + 1))),
                ("drop-guard", sp.S.One)]
    if isinstance(e, Iverson):
        return [("drop-guard", sp.S.One)]
    return []


def _scales(e):
    out = []
    if isinstance(e, sp.Pow) and e.exp == sp.Rational(-1, 2) and isinstance(e.base, sp.Symbol):
        out += [("missing-scale", sp.S.One), ("wrong-scale", e.base ** -1)]
    if isinstance(e, MatScale):
        out += [("missing-scale", MatScale(1, e.args[1])), ("wrong-scale", MatScale(2 * e.args[0], e.args[1]))]
    if isinstance(e, ContentWeight):
        a = list(e.args)
        out += [("missing-scale", ContentWeight(*a[:5], 1, *a[6:])),
                ("wrong-scale", ContentWeight(*a[:5], 2 * e.strength, *a[6:]))]
    if isinstance(e, sp.exp):
        sizes = sorted((s for s in e.free_symbols if isinstance(s, sp.Symbol) and s.is_positive), key=lambda s: s.name)
        if sizes:
            out.append(("extra-scale", sp.exp(e.args[0] / sp.sqrt(sizes[0]))))
        out.append(("sign", sp.exp(-e.args[0])))
    return out


def _normaliser(e):
    if isinstance(e, (sp.Pow, Power)) and e.args[1] == -1 and isinstance(e.args[0], Sigma):
        s = e.args[0]
        return [("drop-normaliser", sp.S.One), ("wrong-normaliser", reciprocal(Sigma(s.body, s.var, s.lo, s.hi + 1)))]
    return []


def _ranges(e):
    if isinstance(e, Sigma):
        return [("off-by-one", Sigma(e.body, e.var, e.lo, e.hi + 1)), ("off-by-one", Sigma(e.body, e.var, e.lo, e.hi - 1)),
                ("off-by-one", Sigma(e.body, e.var, e.lo + 1, e.hi))]
    if isinstance(e, MemoryCell):
        return [("read-before-write", MemoryCell(e.mem, e.time - 1, e.slot, *e.cols))]
    if isinstance(e, ContentWeight):
        a = list(e.args)
        return [("read-before-write", ContentWeight(a[0], e.time - 1, *a[2:])),
                ("off-by-one", ContentWeight(*a[:7], e.hi + 1)),
                ("similarity", ContentWeight(*a[:6], "cosine" if e.similarity == "dot" else "dot", a[7]))]
    return []


OPERATORS = (_masks, _transpose, _swap, _guards, _scales, _normaliser, _ranges)


def mutations(expr: sp.Basic) -> list[tuple[str, tuple[int, ...], sp.Basic]]:
    """Every (operator, position, mutated expression), duplicates and no-ops removed."""
    out, seen = [], {expr}

    def walk(e, path):
        for op in OPERATORS:
            for name, new in op(e):
                try:
                    mutated = replace_at(expr, path, new)
                except (TypeError, ValueError):
                    continue
                if mutated not in seen:
                    seen.add(mutated)
                    out.append((name, path, mutated))
        for k, a in enumerate(e.args):
            if isinstance(a, sp.Basic) and a.args:
                walk(a, path + (k,))

    walk(expr, ())
    return out


@dataclass(frozen=True)
class Mutant:
    claim: Claim
    operator: str
    stage: str


def mutants(claim: Claim, derivations: dict, row, col, rows, cols) -> list[Mutant]:
    """Mutants of `claim`: one side replaced by a mutated stage of its own derivation.

    `derivations` maps 'lhs'/'rhs' to that side's Derivation. A mutant keeps the claim's whole domain
    (its models' constraints too: the mutated side is a bare index expression)."""
    out = []
    for side, d in derivations.items():
        other = claim.rhs if side == "lhs" else claim.lhs
        forms = [d.start] + [s.after for s in d.steps]
        stages = {"definition": forms[0], "early": forms[len(forms) // 3], "late": forms[2 * len(forms) // 3],
                  "normal form": forms[-1]}
        for stage, expr in stages.items():
            for k, (op, path, mutated) in enumerate(mutations(expr)):
                model = from_index(rows, cols, lambda i, j, m=mutated: subst(m, {row: i, col: j}),
                                   label=f"{side} with {op} at {stage}")
                name = f"{claim.name}__{side}_{stage.replace(' ', '_')}_{k}"
                lhs, rhs = (model, other) if side == "lhs" else (other, model)
                m = Claim(name, lhs, rhs, f"mutant of {claim.qualname}: {op} in the {stage} of the {side}",
                          expect="refuted", assume=claim.assume, where=claim.constraints, module=claim.module,
                          file=claim.file)
                out.append(Mutant(m, op, stage))
    return out
