"""Single-edit mutants of true claims: the near misses a proof tool must never prove.

Each operator makes one small, plausible mistake at one position of one side
(a dropped transpose, swapped indices, a strict instead of an inclusive mask,
a missing or extra 1/√d, a wrong normaliser, an off-by-one range, a read
before the write ...). The operators of each node kind are its spec's
`mutations` (`symcheck.nodes`); this module only walks. Mutants are taken at
several stages of a side's derivation (its definition, two intermediate forms,
its normal form), since every stage is an equal expression and each exposes
different positions.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from .binders import subst
from .claim import Claim
from .models import from_index
from .nodes import spec_of
from .replay import replace_at

__all__ = ["Mutant", "mutations", "mutants"]


def mutations(expr: sp.Basic) -> list[tuple[str, tuple[int, ...], sp.Basic]]:
    """Every (operator, position, mutated expression), duplicates and no-ops removed."""
    out, seen = [], {expr}

    def walk(e, path):
        operators = spec_of(e).mutations
        for name, new in operators(e) if operators else ():
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
