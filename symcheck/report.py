"""Results for people and machines: table rows, JSON (`--json`: one object per claim and a summary),
JUnit XML, and `show`: the terminal back-end of a proof view (the trace or the counterexample of one claim)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from . import __version__
from .config import Config
from .loader import LoadFailure
from .result import VERDICTS, Result
from .phases import Detail
from .present import Composition, Define, Display, Form, Identical, Phase, Presentation, present
from .textform import text

__all__ = ["header", "row", "summary", "summary_line", "as_json", "as_junit", "show"]


def header(width: int = 48) -> str:
    return f"{'claim':<{width}} {'verdict':<9} {'scope':<9} {'time':>7}  result"


_COLOURS = {"ok": "32", "EXPECTED": "1;31"}          # green, bold red (ANSI SGR)


def _paint(text: str, code: str | None) -> str:
    return f"\033[{code}m{text}\033[0m" if code else text


def row(r: Result, width: int = 48, cached: bool = False, colour: bool = False) -> str:
    scope = r.scope or "-"
    mark = "ok" if r.ok else f"EXPECTED {r.claim.expect}"
    if colour:
        mark = _paint(mark, _COLOURS["ok" if r.ok else "EXPECTED"])
    line = f"{r.name:<{width}} {r.verdict:<9} {scope:<9} {r.seconds:6.2f}s  {mark}" + ("  (cached)" if cached else "")
    return line + (f"\n    open: {r.claim.reason}" if r.claim.expect == "undecided" else "")


def summary(results: list[Result], failures: tuple[LoadFailure, ...] | list = ()) -> dict:
    out = {v: sum(r.verdict == v for r in results) for v in VERDICTS}
    out["passed"] = sum(r.ok for r in results)
    out["failed"] = len(results) - out["passed"]
    out["files_not_loaded"] = len(failures)
    return out


def summary_line(results: list[Result], failures: tuple[LoadFailure, ...] | list = (),
                 seconds: float | None = None) -> str:
    s = summary(results, failures)
    counts = ", ".join(f"{s[v]} {v}" for v in VERDICTS if s[v])
    line = f"{s['passed']} passed, {s['failed']} failed" + (f" ({counts})" if counts else "")
    if failures:
        line += f"; {len(failures)} file{'s' if len(failures) > 1 else ''} not loaded"
    return line + (f" in {seconds:.1f}s" if seconds is not None else "")


def claim_json(r: Result) -> dict:
    return {
        "name": r.name, "file": r.claim.file, "statement": r.claim.statement,
        "verdict": r.verdict, "expected": r.claim.expect, "expected_reason": r.claim.reason or None, "ok": r.ok,
        "scope": r.scope, "sizes": r.sizes, "seconds": round(r.seconds, 4), "steps": r.steps,
        "counterexample": r.counterexample.as_json() if r.counterexample else None,
        "reason": r.reason, "cites": list(r.claim.cites),
        "assumptions": [a.describe() for a in r.claim.assume], "trials": r.trials, "error_kind": r.error_kind,
    }


def as_json(results: list[Result], config: Config, failures: tuple[LoadFailure, ...] | list = ()) -> str:
    doc = {"symcheck": __version__, "config": config.as_dict(),
           "claims": [claim_json(r) for r in results],
           "files_not_loaded": [{"file": f.file, "message": f.message} for f in failures],
           "summary": summary(results, failures)}
    return json.dumps(doc, indent=2, allow_nan=False)


def as_junit(results: list[Result], failures: tuple[LoadFailure, ...] | list = ()) -> str:
    s = summary(results, failures)
    suite = ET.Element("testsuite", name="symcheck", tests=str(len(results) + len(failures)),
                       failures=str(s["failed"] - s["error"]), errors=str(s["error"] + len(failures)),
                       time=f"{sum(r.seconds for r in results):.3f}")
    for f in failures:
        case = ET.SubElement(suite, "testcase", classname="files", name=f.file, time="0", file=f.file)
        ET.SubElement(case, "error", message=f.message)
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


def _display(d: Display) -> list[str]:
    """A display's rows as text: each form once, then [the rule and side conditions] (`full`) or
    [the phase: its rules]; a form that prints as the one before is not printed again (a reordering
    the text does not show), though the phase that led to it is."""
    lines = ["", f"{d.title}:"] if d.title else []
    shown, why = None, None
    for r in d.rows:
        if isinstance(r, Phase):
            why = f"{r.label}: {', '.join(r.rules)}"
        elif isinstance(r, Form):
            t = " = ".join(text(side) for side in r.sides)
            if r.rule is not None:
                why = r.rule + (f"; if {', '.join(r.conditions)}" if r.conditions else "")
            if shown is None:
                lines.append(f"    {t}")
            elif t != shown:
                lines.append(f"  = {t}")
            if why is not None:
                lines.append(f"        [{why}]")
            shown, why = t, None
        elif isinstance(r, Define):
            lines.append(f"    where {text(r.part)} = {text(r.body)}")
        else:
            lines.append(f"    (from here on as the {r.title.lower()})")
    return lines


def _proof_lines(p: Presentation, proved: bool) -> list[str]:
    if isinstance(p, Composition):
        lines = ["", "proof by composition:"] + [f"  {line}" for line in p.argument]
        for lemma in p.lemmas:
            lines += ["", f"{lemma.title} ({lemma.verdict}, {lemma.steps} steps; used with {lemma.use}): "
                          f"{lemma.statement}"]
            if lemma.same_as is not None:
                renamed = ", ".join(f"{text(a)} ↦ {text(b)}" for a, b in lemma.same_as.renaming)
                lines.append(f"  proved as {lemma.same_as.title} of {lemma.same_as.claim}"
                             + (f", renamed by {renamed}" if renamed else ""))
            elif lemma.proof is not None:
                lines += [f"  {line}" for line in _proof_lines(lemma.proof, lemma.verdict == "proved") if line]
        return lines
    if isinstance(p, Identical):
        return ["", "both sides are the same expression"]
    lines = [line for side in p.sides for line in _display(side)]
    if p.obligations:
        lines += ["", "obligations:"]
        for o in p.obligations:
            lines.append(f"  {o.title}:")
            if o.statement is not None:
                lines += [f"  {line}" for line in _display(o.statement)]
            if o.like is not None:
                lines.append(f"    likewise, identical to {o.like} up to renaming")
            for d in (o.lhs, o.rhs):
                lines += [f"  {line}" for line in _display(d)] if d is not None else []
    if proved:
        tail = text(p.normal_form.rows[0].sides[0]) if p.normal_form is not None else "both derivations end in the same form"
        lines += ["", f"normal forms meet: {tail}"]
    return lines


def show(r: Result, config: Config, detail: Detail = "full") -> str:
    """The proof trace (at `detail`) or the counterexample of one claim, for a terminal (`symcheck show`)."""
    v, c = r.view(), r.claim
    lines = [v.heading, f"  {c.statement}"]
    if c.cites:
        lines.append(f"  sources: {'; '.join(c.cites)}")
    if c.assume:
        lines.append(f"  assuming: {'; '.join(a.describe() for a in c.assume)}")
    if c.expect == "undecided":
        lines.append(f"  open: {c.reason}")
    lines.append(f"  lhs: {c.lhs.label}    rhs: {c.rhs.label}")
    lines.append(f"  config: seed={config.seed} max_steps={config.max_steps} max_seconds={config.max_seconds}")
    lines += _counterexample_lines(v)                  # a refuted claim: the counterexample first
    if v.composite or v.sides:
        lines += _proof_lines(present(v, detail, name=v.name), v.verdict == "proved")
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
