"""Results for people and machines: table rows, JSON (DESIGN §4), JUnit XML, traces."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from . import __version__
from .claim import Result
from .composition import CompositeProof
from .config import Config
from .textform import text

__all__ = ["row", "summary", "summary_line", "as_json", "as_junit", "explain"]


def row(r: Result, width: int = 48) -> str:
    scope = r.scope or "-"
    mark = "ok" if r.ok else f"EXPECTED {r.claim.expect}"
    return f"{r.name:<{width}} {r.verdict:<9} {scope:<9} {r.seconds:6.2f}s  {mark}"


def summary(results: list[Result]) -> dict:
    out = {v: sum(r.verdict == v for r in results) for v in ("proved", "refuted", "undecided", "error")}
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


def _proof_lines(r: Result) -> list[str]:
    p = r.proof
    if isinstance(p, CompositeProof):
        lines = ["", "proof by composition:"] + [f"  {line}" for line in p.argument]
        for lemma in p.lemmas:
            lines += ["", f"{lemma.title} ({lemma.result.verdict}, {lemma.result.steps} steps; used with "
                          f"{lemma.use}): {lemma.claim.statement}"]
            lines += [f"  {line}" for line in _proof_lines(lemma.result) if line] if lemma.result.proof else []
        return lines
    lines = []
    for side, d in (("lhs", p.lhs), ("rhs", p.rhs)):
        lines += ["", f"{side}:", f"    {text(d.start)}"]
        lines += [f"  = {text(s.after)}\n        [{s.rule}]" for s in d.steps]
    if p.obligations:
        lines += ["", "obligations:"]
        for o in p.obligations:
            meaning = f" ({text(o.statement)})" if o.statement is not None else ""
            lines.append(f"  {o.title}{meaning}: {'holds' if o.holds else 'FAILS'}")
            lines.append(f"    {text(o.lhs.start)}  ->  {text(o.lhs.result)}   "
                         f"[{', '.join(s.rule for s in o.lhs.steps)}]")
            lines.append(f"    {text(o.rhs.start)}  ->  {text(o.rhs.result)}   "
                         f"[{', '.join(s.rule for s in o.rhs.steps)}]")
    if r.verdict == "proved":
        lines += ["", f"normal forms meet: {text(p.lhs.result)}"]
    return lines


def explain(r: Result, config: Config) -> str:
    """The proof trace or the counterexample of one claim, for a terminal."""
    c = r.claim
    lines = [f"{r.name}: {r.verdict}" + (f" ({r.scope})" if r.scope else "") + f", expected {c.expect}",
             f"  {c.statement}"]
    if c.cites:
        lines.append(f"  sources: {'; '.join(c.cites)}")
    if c.assume:
        lines.append(f"  assuming: {'; '.join(a.describe() for a in c.assume)}")
    lines.append(f"  lhs: {c.lhs.label}    rhs: {c.rhs.label}")
    lines.append(f"  config: seed={config.seed} max_steps={config.max_steps} max_seconds={config.max_seconds}")
    if r.proof is not None:
        lines += _proof_lines(r)
    if r.counterexample is not None:
        ce = r.counterexample
        lines += ["", "counterexample (confirmed with mpmath):",
                  f"  sizes: {', '.join(f'{k}={v}' for k, v in ce.sizes.items())}"]
        lines += [f"  {k} = {v}" for k, v in ce.inputs.items()]
        lines += [f"  lhs = {ce.lhs}", f"  rhs = {ce.rhs}", f"  {ce.where}; max |lhs - rhs| = {ce.max_abs_diff}",
                  f"  first difference: {ce.first_difference}"]
        for side, found in ce.intermediates.items():
            for label, values in found.items():
                lines.append(f"  {side} {label}:")
                lines += [f"      {[_short(v) for v in row]}" for row in values]
    if r.reason:
        lines += ["", f"reason: {r.reason}"]
    return "\n".join(lines)
