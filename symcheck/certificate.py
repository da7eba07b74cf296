"""Certificates: a proved claim as flat, replayable JSON (in the style of egg explanations).

A certificate holds everything an independent checker needs and nothing it has
to trust: the claim's sizes and constraints (with the digest of the posed claim),
both derivations step by step (rule, position, redex, contractum, side conditions:
position-local; the position is a path through the enclosing nodes as they stood, and
`keep` says how many of the previous step's levels are still standing, so the checker
rebuilds the others exactly when the normalizer did), the
induction obligations with their own derivations and constraints (JSON key
"domain"), and the normal form; a composition holds its argument and each lemma's
certificate instead. Expressions are sympy `srepr` strings, an exact serialisation
that `replay` parses safely.
"""

from __future__ import annotations

import json
from pathlib import Path

import sympy as sp

from . import __version__
from .claim import Claim
from .ir import LAYER, Applied, Formula, Operand, Simulated, Stack, unknown_kind
from .matrix import MatInput, ScalarInput
from .digest import claim_digest
from .errors import ClaimError, UsageError
from .problem import entry_formula, pose_claim
from .result import CompositeProof, Result
from .rules import RULES

__all__ = ["FORMAT", "STEP_LIMIT", "certificate", "write_certificates", "posed_digest"]

FORMAT = 4          # 4: steps at a focus (path and keep); 3: the claim carries the digest of what it poses
# A step is position-local (rule, path, keep, redex, contractum): the checker rebuilds each whole
# expression from the start, so a certificate grows with the rewrites, not with the
# expression size times the step count (format 1 stored both; a post-LN layer was ~30 MB).
STEP_LIMIT = 20_000


def _derivation(d) -> dict:
    return {"start": sp.srepr(d.start), "steps": [
        {"rule": s.rule, "path": list(s.path), "keep": keep, "redex": sp.srepr(s.redex),
         "contractum": sp.srepr(s.contractum), "side_conditions": RULES[s.rule].side_conditions,
         "obligations": list(s.obligations)}
        for s, keep in zip(d.steps, kept_levels(d.steps))]}


def kept_levels(steps) -> list[int]:
    """For each step, how many levels of the previous step's focus still stand (the same `Focus` objects: the
    rewriting did not leave them in between); the first step keeps none."""
    out, before = [], ()
    for s in steps:
        levels = s.focus.levels() if s.focus is not None else ()
        keep = 0
        while keep < min(len(levels), len(before)) and levels[keep] is before[keep]:
            keep += 1
        out.append(keep)
        before = levels
    return out


def certificate(r: Result) -> dict:
    """The certificate of a proved result."""
    if r.verdict != "proved" or r.proof is None:
        raise ValueError(f"{r.name} is not proved; only proofs have certificates")
    if isinstance(r.proof, CompositeProof):
        return _composition(r)
    c = r.claim
    used = sorted({s.rule for d in (r.proof.lhs, r.proof.rhs) for s in d.steps}
                  | {s.rule for o in r.proof.obligations for d in (o.lhs, o.rhs) for s in d.steps})
    cert = {
        "symcheck": __version__, "format": FORMAT,
        "claim": {"name": r.name, "file": c.file, "statement": c.statement, "expect": c.expect,
                  **_flat_claim(c, pose_claim(c))},
        "lhs": _derivation(r.proof.lhs),
        "rhs": _derivation(r.proof.rhs),
        "normal_form": sp.srepr(r.proof.lhs.result),
        "obligations": [{"title": o.title, "statement": sp.srepr(o.statement) if o.statement is not None else None,
                         "domain": [[sp.srepr(sp.sympify(lo)), sp.srepr(sp.sympify(hi))] for lo, hi in o.constraints],
                         "lhs": _derivation(o.lhs), "rhs": _derivation(o.rhs)} for o in r.proof.obligations],
        "rules": {n: {"statement": RULES[n].statement, "side_conditions": RULES[n].side_conditions} for n in used},
    }
    cert["claim"]["digest"] = claim_digest(cert)
    return cert


def _flat_claim(c: Claim, problem) -> dict:
    """The posed claim of a proof by normalization: its domain, position, inputs and assumptions."""
    return {
        "sizes": [sp.srepr(s) for s in problem.sizes],
        "constraints": _constraints(c),
        "row": sp.srepr(problem.row), "col": sp.srepr(problem.col),
        "rows": sp.srepr(problem.rows), "cols": sp.srepr(problem.cols),
        "inputs": [_input(m) for m in problem.inputs],
        "assumptions": _assumptions(c),
        **({} if problem.chunks is None else {"chunks": {
            k: sp.srepr(getattr(problem.chunks, k)) for k in ("chunk", "offset", "size", "count")}}),
    }


def _constraints(c: Claim) -> list:
    return [[sp.srepr(sp.sympify(lo)), sp.srepr(sp.sympify(hi))] for lo, hi in c.constraints]


def _composition_claim(c: Claim) -> dict:
    return {"constraints": _constraints(c), "assumptions": _assumptions(c),
            "lhs": structure(c.lhs), "rhs": structure(c.rhs)}


def posed_digest(claim: Claim, kind: str) -> str:
    """The digest a certificate of `kind` ("flat" or "composition") for `claim` must carry:
    the claim re-posed from its derivation file, digested as `certificate` does."""
    if kind == "composition":
        return claim_digest({"kind": "composition", "claim": {"name": claim.qualname, **_composition_claim(claim)}})
    problem = pose_claim(claim, method="normalization")     # a flat proof compares the inlined entries
    if problem.composite:
        raise ClaimError("a stack or a simulation has no entry formula for a flat certificate to compare",
                         claim=claim.qualname)
    return claim_digest({"claim": {"name": claim.qualname, **_flat_claim(claim, problem)},
                         "lhs": {"start": sp.srepr(problem.lhs)}, "rhs": {"start": sp.srepr(problem.rhs)}})


def _composition(r: Result) -> dict:
    """The claim as a structure (inputs, entry formulas, apply and stack nodes), the argument as a
    tree over it, and each lemma's own certificate: a checker can re-check all three."""
    c = r.claim
    cert = {"symcheck": __version__, "format": FORMAT, "kind": "composition",
            "claim": {"name": r.name, "file": c.file, "statement": c.statement, "expect": c.expect,
                      **_composition_claim(c)},
            "argument": list(r.proof.argument), "tree": _with_via(r.proof.tree, c),
            "lemmas": [{"title": lemma.title, "statement": lemma.claim.statement, "use": lemma.use,
                        "certificate": certificate(lemma.result)} for lemma in r.proof.lemmas]}
    cert["claim"]["digest"] = claim_digest(cert)
    return cert


def _with_via(tree: dict, c: Claim) -> dict:
    """A chain's intermediate models, as structures, where the checker walks the links between them."""
    return {**tree, "via": [structure(m) for m in c.via]} if tree.get("by") == "chain" else tree


def _assumptions(c) -> list[dict]:
    return [{"kind": "unit_rows", "input": a.name, "cols": sp.srepr(a.cols)} for a in c.assume]


def _input(m) -> dict:
    """An input's name and shape; a scalar's also its interval [left, lo, hi, right] (a hypothesis of the claim:
    the checker draws the scalar inside it and binds every occurrence to it)."""
    shape = {"name": m.name, "shape": [sp.srepr(sp.sympify(x)) for x in m.shape]}
    if isinstance(m, ScalarInput):
        shape["interval"] = [m.left, sp.srepr(m.args[2][0]), sp.srepr(m.args[2][1]), m.right]
    return shape


def structure(m: Operand) -> dict:
    """A model as data: an input; an entry formula (what a lemma's derivation starts from) with its shape,
    which the checker compares with the lemma's (a lemma over fewer rows proves nothing of the last); or
    an apply / a stack of such. Placeholders are bound by their apply or stack node. A
    simulation is never part of a proof, so it has no structure."""
    match m:
        case MatInput():
            return {"input": _input(m)}
        case Formula():
            row, col, entry = entry_formula(m)
            return {"formula": {"row": sp.srepr(row), "col": sp.srepr(col), "entry": sp.srepr(entry),
                                "rows": sp.srepr(sp.sympify(m.rows)), "cols": sp.srepr(sp.sympify(m.cols))}}
        case Applied():
            return {"apply": {"placeholders": [_input(p) for p in m.placeholders], "body": structure(m.inner),
                              "args": [structure(a) for a in m.args]}}
        case Stack():
            return {"stack": {"placeholder": _input(m.placeholder), "layer": sp.srepr(LAYER),
                              "depth": sp.srepr(m.depth), "start": structure(m.start), "step": structure(m.inner)}}
        case Simulated():
            raise ClaimError(f"{m.label} is a simulation: no proof, hence no certificate, states it", field="entry")
        case _:
            unknown_kind(m, "structure")


def _inlined(tree: dict) -> bool:
    parts = tree.get("args", []) + tree.get("links", []) + ([tree["start"]] if "start" in tree else [])
    return tree.get("inlined", False) or any(_inlined(t) for t in parts)


def uncertifiable(r: Result) -> str | None:
    """Why a proved result gets no certificate, or None if it gets one."""
    if isinstance(r.proof, CompositeProof):
        if _inlined(r.proof.tree):
            return "a lemma about an inlined composition (the checker compares lemmas with entry formulas only)"
        for lemma in r.proof.lemmas:
            why = uncertifiable(lemma.result)
            if why is not None:
                return f"{lemma.title}: {why}"
        return None
    if r.proof.steps > STEP_LIMIT:
        return f"{r.proof.steps} steps, more than the format's limit of {STEP_LIMIT}"
    return None


def write_certificates(results: list[Result], out_dir: str) -> tuple[list[Path], list[tuple[Result, str]]]:
    """Write certificates of proved results; returns (written paths, [(result, why not certified)])."""
    out = Path(out_dir)
    paths, skipped = [], []
    try:
        out.mkdir(parents=True, exist_ok=True)
        for r in results:
            why = uncertifiable(r) if r.verdict == "proved" else None
            if why is not None:
                skipped.append((r, why))
            elif r.verdict == "proved":
                p = out / f"{r.name}.json"
                p.write_text(json.dumps(certificate(r), indent=1) + "\n")
                paths.append(p)
    except OSError as err:
        raise UsageError(f"cannot write certificates to {out_dir}: {err.strerror}") from None
    return paths, skipped
