"""Results for people and machines: table rows, JSON (`--json`: one object per claim and a summary),
JUnit XML, and `show`: the terminal back-end of a proof view (the trace or the counterexample of one claim)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from . import __version__
from .config import Config
from .result import VERDICTS, Result
from .textform import text
from .view import ProofView, Side

__all__ = ["row", "summary", "summary_line", "as_json", "as_junit", "show"]


def row(r: Result, width: int = 48) -> str:
    scope = r.scope or "-"
    mark = "ok" if r.ok else f"EXPECTED {r.claim.expect}"
    return f"{r.name:<{width}} {r.verdict:<9} {scope:<9} {r.seconds:6.2f}s  {mark}"


def summary(results: list[Result]) -> dict:
    out = {v: sum(r.verdict == v for r in results) for v in VERDICTS}
    out["passed"] = sum(r.ok for r in results)
    out["failed"] = len(results) - out["passed"]
    return out


def summary_line(results: list[Result]) -> str:
    s = summary(results)
    return f"{s['passed']} passed, {s['failed']} failed"


def claim_json(r: Result) -> dict:
    return {
        "name": r.name, "file": r.claim.file, "statement": r.claim.statement,
        "verdict": r.verdict, "expected": r.claim.expect, "ok": r.ok,
        "scope": r.scope, "sizes": r.sizes, "seconds": round(r.seconds, 4), "steps": r.steps,
        "counterexample": r.counterexample.as_json() if r.counterexample else None,
        "reason": r.reason, "cites": list(r.claim.cites),
        "assumptions": [a.describe() for a in r.claim.assume], "trials": r.trials, "error_kind": r.error_kind,
    }


def as_json(results: list[Result], config: Config) -> str:
    doc = {"symcheck": __version__, "config": config.as_dict(),
           "claims": [claim_json(r) for r in results], "summary": summary(results)}
    return json.dumps(doc, indent=2, allow_nan=False)


def as_junit(results: list[Result]) -> str:
    s = summary(results)
    suite = ET.Element("testsuite", name="symcheck", tests=str(len(results)), failures=str(s["failed"] - s["error"]),
                       errors=str(s["error"]), time=f"{sum(r.seconds for r in results):.3f}")
    for r in results:
        case = ET.SubElement(suite, "testcase", classname=r.claim.module or "claims", name=r.claim.name,
                             time=f"{r.seconds:.3f}", file=r.claim.file)
        if r.verdict == "error":
            ET.SubElement(case, "error", message=r.reason or "error")
        elif not r.ok:
            ET.SubElement(case, "failure", message=f"expected {r.claim.expect}, got {r.verdict}").text = r.reason or ""
    return ET.tostring(suite, encoding="unicode")


def _short(v):
    return "undef" if v is None else round(v, 4)


def _trace(side: Side) -> list[str]:
    """The start, then each step's result with its rule and the side conditions proved for it."""
    lines = ["", f"{side.title}:", f"    {text(side.derivation.start)}"]
    for s in side.derivation.steps:
        conditions = f"; if {', '.join(c.text() for c in s.conditions)}" if s.conditions else ""
        lines.append(f"  = {text(s.after)}\n        [{s.rule}{conditions}]")
    return lines


def _proof_lines(v: ProofView) -> list[str]:
    if v.composite:
        lines = ["", "proof by composition:"] + [f"  {line}" for line in v.argument]
        for lemma in v.lemmas:
            lines += ["", f"{lemma.title} ({lemma.view.verdict}, {lemma.view.steps} steps; used with "
                          f"{lemma.use}): {lemma.view.claim.statement}"]
            lines += [f"  {line}" for line in _proof_lines(lemma.view) if line]
        return lines
    lines = [line for side in v.sides for line in _trace(side)]
    if v.obligations:
        lines += ["", "obligations:"]
        for o in v.obligations:
            meaning = f" ({text(o.statement)})" if o.statement is not None else ""
            lines.append(f"  {o.title}{meaning}: {'holds' if o.holds else 'FAILS'}")
            lines.append(f"    {text(o.lhs.start)}  ->  {text(o.lhs.result)}   "
                         f"[{', '.join(s.rule for s in o.lhs.steps)}]")
            lines.append(f"    {text(o.rhs.start)}  ->  {text(o.rhs.result)}   "
                         f"[{', '.join(s.rule for s in o.rhs.steps)}]")
    if v.verdict == "proved" and v.sides:
        lines += ["", f"normal forms meet: {text(v.sides[0].derivation.result)}"]
    return lines


def show(r: Result, config: Config) -> str:
    """The proof trace or the counterexample of one claim, for a terminal (`symcheck show`)."""
    v, c = r.view(), r.claim
    lines = [v.heading, f"  {c.statement}"]
    if c.cites:
        lines.append(f"  sources: {'; '.join(c.cites)}")
    if c.assume:
        lines.append(f"  assuming: {'; '.join(a.describe() for a in c.assume)}")
    lines.append(f"  lhs: {c.lhs.label}    rhs: {c.rhs.label}")
    lines.append(f"  config: seed={config.seed} max_steps={config.max_steps} max_seconds={config.max_seconds}")
    lines += _counterexample_lines(v) + _proof_lines(v)     # a refuted claim: the counterexample first
    if v.reason:
        lines += ["", f"reason: {v.reason}"]
    return "\n".join(lines)


def _counterexample_lines(v) -> list[str]:
    lines = []
    if v.counterexample is not None:
        ce = v.counterexample
        lines += ["", "counterexample (confirmed with mpmath):",
                  f"  sizes: {', '.join(f'{k}={n}' for k, n in ce.sizes.items())}"]
        lines += [f"  {k} = {x}" for k, x in ce.inputs.items()]
        lines += [f"  lhs = {ce.lhs}", f"  rhs = {ce.rhs}", f"  {ce.where}; max |lhs - rhs| = {ce.max_abs_diff}",
                  f"  first difference: {ce.first_difference}"]
        for side, found in ce.intermediates.items():
            for label, values in found.items():
                lines.append(f"  {side} {label}:")
                lines += [f"      {[_short(x) for x in row]}" for row in values]
    return lines
