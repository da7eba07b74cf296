"""Proof appendices: checked results rendered through Jinja2 templates as LaTeX.

Only checked results are rendered: a proved claim as its derivations, a refuted
one as its counterexample, an expected-undecided one as open, with its reason. Claims that did not get their expected verdict are
not rendered at all, so an appendix never says more than was established.
Each claim file carries the hash of the result it was rendered from;
`check_current` re-renders in memory and reports any file that differs.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import jinja2
from jinja2.sandbox import SandboxedEnvironment
import sympy as sp

from . import __version__
from .budget import BudgetExceeded, interrupt_at
from .config import Config
from .errors import UsageError
from .latex import escape, latex, latex_array
from .notation import NOTATION
from .problem import pose_claim
from .result import CompositeProof, Result
from .rules import RULES
from .view import ProofView

__all__ = ["Rendered", "render", "write", "check_current", "proof_hash", "file_name"]

APPENDIX = "appendix.tex"
# A derivation longer than this, or whose typeset lines exceed TYPESET_CHARS, is summarised
# (rules used, obligations, step count) rather than typeset line by line: pages of
# layer-sized expressions (a LayerNorm inside a softmax) help no reader.
RENDER_SECONDS = 120        # the bundled appendix renders in about a second
_TEMPLATE_NAME = re.compile(r"[A-Za-z0-9_.-]+\.j2")
TYPESET_LIMIT = 300
TYPESET_CHARS = 40_000


def _environment(template_dir: str | None) -> SandboxedEnvironment:
    """LaTeX-safe delimiters (\\VAR{...}, \\BLOCK{...}); undefined variables are errors.

    Sandboxed: a template (possibly a user's, via --templates) is text, not code; Jinja2's
    sandbox refuses attribute paths such as `__class__.__mro__` that reach Python itself."""
    loaders = []
    if template_dir:
        if not Path(template_dir).is_dir():
            raise UsageError(f"--templates {template_dir}: no such directory")
        loaders.append(jinja2.FileSystemLoader(template_dir))
    loaders.append(jinja2.FunctionLoader(_package_template))
    env = SandboxedEnvironment(
        loader=jinja2.ChoiceLoader(loaders), undefined=jinja2.StrictUndefined, autoescape=False,
        block_start_string=r"\BLOCK{", block_end_string="}", variable_start_string=r"\VAR{",
        variable_end_string="}", comment_start_string=r"\#{", comment_end_string="}",
        line_comment_prefix="%#", trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["tex"] = escape
    return env


def _package_template(name: str):
    """Bundled templates: package data when installed, the checkout's templates/ otherwise.
    Only plain file names: a template's `include "/etc/passwd"` must not read the disk."""
    if not _TEMPLATE_NAME.fullmatch(name):
        return None
    try:
        root = resources.files("symcheck.templates")
    except ModuleNotFoundError:
        root = Path(__file__).resolve().parent.parent / "templates"
    try:
        return root.joinpath(name).read_text(encoding="utf-8")
    except FileNotFoundError:
        return None


def file_name(r: Result) -> str:
    return r.name.replace(".", "-") + ".tex"


def _digest(e, memo: dict) -> str:
    """A structural sha256 of a tree: deterministic across runs, linear with shared subtrees."""
    got = memo.get(e)
    if got is None:
        if not e.args:
            got = hashlib.sha256(sp.srepr(e).encode()).hexdigest()
        else:
            parts = [type(e).__name__] + [_digest(a, memo) for a in e.args]
            got = hashlib.sha256("|".join(parts).encode()).hexdigest()
        memo[e] = got
    return got


def proof_hash(r: Result) -> str:
    """sha256 of what the claim's rendering is derived from (not of the LaTeX itself)."""
    memo: dict = {}
    payload = {"name": r.name, "statement": r.claim.statement, "verdict": r.verdict, "scope": r.scope,
               "assume": [a.describe() for a in r.claim.assume]}
    if r.claim.reason:
        payload["open"] = r.claim.reason
    if r.verdict == "proved":
        payload["proof"] = _proof_payload(r.proof, memo)
    if r.counterexample is not None:
        payload["counterexample"] = r.counterexample.as_json()
    blob = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


def _proof_payload(proof, memo):
    if isinstance(proof, CompositeProof):
        return {"argument": list(proof.argument),
                "lemmas": [[lemma.title, lemma.claim.statement, lemma.use, _proof_payload(lemma.result.proof, memo)]
                           for lemma in proof.lemmas]}
    # start, result and each step's local rewrite determine the whole chain
    return {"sides": [[_digest(d.start, memo), _digest(d.result, memo)]
                      + [(s.rule, list(s.path), _digest(s.redex, memo), _digest(s.contractum, memo))
                         for s in d.steps]
                      for d in (proof.lhs, proof.rhs)],
            "obligations": [[o.title, _digest(o.lhs.result, memo), _digest(o.rhs.result, memo)]
                            for o in proof.obligations]}


def _derivation(title, d):
    return {"title": title, "start": latex(d.start),
            "steps": [{"rule": s.rule, "latex": latex(s.after)} for s in d.steps]}


def _weights_label(label: str) -> str:
    """'read weights C_dot(...)[n; 1..t] (row t, slot n)' -> 'read weights (row t, slot n)'."""
    kind = " ".join(label.split()[:2])
    return f"{kind} {label[label.rindex('('):]}" if "(" in label else kind


def _proof(v: ProofView, problem) -> dict:
    """What the template needs to typeset a proof: a derivation, a summary, or a composition."""
    if v.composite:
        return {"kind": "composite", "argument": [escape(line) for line in v.argument],
                "lemmas": [{"title": escape(lemma.title), "statement": escape(lemma.view.claim.statement),
                            "use": escape(lemma.use), "steps": lemma.view.steps,
                            "proof": _proof(lemma.view, pose_claim(lemma.view.claim))} for lemma in v.lemmas]}
    if v.steps <= TYPESET_LIMIT:
        sides = [_derivation(side.title[:1].upper() + side.title[1:], side.derivation) for side in v.sides]
        obligations = [{"title": escape(o.title), "lhs": _derivation("", o.lhs), "rhs": _derivation("", o.rhs),
                        "statement": latex(o.statement) if o.statement is not None else None}
                       for o in v.obligations]
        if _typeset_size(sides, obligations) <= TYPESET_CHARS:
            return {"kind": "derivation", "row": latex(problem.row), "col": latex(problem.col),
                    "rows": latex(problem.rows), "cols": latex(problem.cols), "chunks": _chunks(problem), "sides": sides,
                    "obligations": obligations, "explanations": _explanations(v),
                    "normal_form": latex(v.sides[0].derivation.result)}
    return {"kind": "summary", "steps": v.steps, "rules_used": v.rules_used,
            "obligation_titles": [escape(o.title) for o in v.obligations if o.holds]}


def _chunks(problem) -> dict | None:
    """The chunk and offset a chunk-by-chunk comparison ranges over, as LaTeX."""
    k = problem.chunks
    return None if k is None else {"chunk": latex(k.chunk), "offset": latex(k.offset), "size": latex(k.size),
                                   "count": latex(k.count), "row": latex(k.row)}


def _explanations(v: ProofView) -> list[str]:
    """Each rule's own words for the obligations its steps rely on (the rules' prose, not the template's)."""
    derivations = [side.derivation for side in v.sides] + [d for o in v.obligations for d in (o.lhs, o.rhs)]
    relying = sorted({s.rule for d in derivations for s in d.steps if s.obligations})
    return [RULES[n].explanation for n in relying if RULES[n].explanation]


def _typeset_size(sides, obligations) -> int:
    derivations = sides + [d for o in obligations for d in (o["lhs"], o["rhs"])]
    return sum(len(d["start"]) + sum(len(s["latex"]) for s in d["steps"]) for d in derivations)


def _context(r: Result, config: Config) -> dict:
    problem = pose_claim(r.claim)
    c = r.claim
    ctx = {
        "hash": proof_hash(r), "version": __version__, "name": r.name, "label": r.name,
        "title": escape(r.name), "statement": escape(c.statement), "cites": [escape(x) for x in c.cites],
        "assumptions": [escape(a.describe()) for a in c.assume], "verdict": r.verdict,
        "sizes": ", ".join(latex(s) for s in problem.sizes),
        "constraints": [f"{latex(lo)} \\le {latex(hi)}" for lo, hi in c.constraints],
        "lhs_label": escape(c.lhs.label), "rhs_label": escape(c.rhs.label),
        "row": latex(problem.row), "col": latex(problem.col), "rows": latex(problem.rows),
        "cols": latex(problem.cols), "digits": config.precision_digits,
    }
    v = r.view()
    if r.verdict == "proved":
        ctx["proof"] = _proof(v, problem)
    elif r.verdict == "undecided":
        ctx["open"] = escape(c.reason)
    else:
        ce = v.counterexample
        ctx["ce"] = {
            "sizes": ",\\ ".join(f"{latex(sp.Symbol(k))} = {v}" for k, v in ce.sizes.items()),
            "inputs": [(latex(sp.Symbol(k)), latex_array(v)) for k, v in ce.inputs.items()],
            "lhs": latex_array(ce.lhs), "rhs": latex_array(ce.rhs), "where": escape(ce.where),
            "max_abs_diff": "---" if ce.max_abs_diff is None else f"{ce.max_abs_diff:.6g}",
            "first": escape(ce.first_difference),
            "intermediates": [(side, escape(_weights_label(label)), latex_array(values))
                              for side, found in ce.intermediates.items() for label, values in found.items()],
        }
    return ctx


def renderable(r: Result) -> bool:
    """Only results that are established and expected are rendered (an expected `undecided` is stated as open)."""
    return r.ok and r.verdict in ("proved", "refuted", "undecided")


@dataclass(frozen=True)
class Rendered:
    files: dict[str, str]          # file name -> content, appendix included
    skipped: list[Result]          # results not rendered (unexpected verdicts, errors)


def render(results: list[Result], config: Config = Config(), template_dir: str | None = None) -> Rendered:
    """Render every renderable result; a broken (or endless) template is reported as a usage error."""
    try:
        with interrupt_at(time.monotonic() + RENDER_SECONDS):
            return _render(results, config, _environment(template_dir))
    except BudgetExceeded:
        raise UsageError(f"templates took longer than {RENDER_SECONDS} s to render (a runaway loop?)") from None
    except jinja2.TemplateError as err:
        where = f"{err.name}:{err.lineno}: " if isinstance(err, jinja2.TemplateSyntaxError) else ""
        raise UsageError(f"template error: {where}{type(err).__name__}: {err}") from None


def _render(results, config, env) -> Rendered:
    claim_t, appendix_t = env.get_template("claim.tex.j2"), env.get_template("appendix.tex.j2")
    files, shown = {}, []
    for r in results:
        if renderable(r):
            files[file_name(r)] = claim_t.render(**_context(r, config))
            shown.append(r)
    used = sorted({s.rule for r in shown if r.proof is not None and r.verdict == "proved"
                   for d in r.proof.derivations() for s in d.steps})
    files[APPENDIX] = appendix_t.render(
        version=__version__, notation=NOTATION,
        compositions=any(isinstance(r.proof, CompositeProof) for r in shown if r.verdict == "proved"),
        claims=[{"file": file_name(r)[:-4]} for r in shown],
        rules=[{"name": n, "statement": RULES[n].statement, "side_conditions": escape(RULES[n].side_conditions)} for n in used])
    return Rendered(files, [r for r in results if not renderable(r)])


def write(rendered: Rendered, out_dir: str) -> list[Path]:
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
        paths = []
        for name, content in rendered.files.items():
            p = out / name
            p.write_text(content, encoding="utf-8")
            paths.append(p)
    except OSError as err:
        raise UsageError(f"cannot write to {out_dir}: {err.strerror}") from None
    return paths


def check_current(rendered: Rendered, out_dir: str) -> list[str]:
    """Problems with `out_dir` against what would be rendered now (empty: current)."""
    out = Path(out_dir)
    if not out.is_dir():
        return [f"{out_dir}: no such directory"]
    problems = []
    for name, content in rendered.files.items():
        p = out / name
        if not p.exists():
            problems.append(f"{p}: missing")
            continue
        old = p.read_text(encoding="utf-8")
        if old == content:
            continue
        old_hash, new_hash = _hash_line(old), _hash_line(content)
        why = "the proof it was rendered from changed" if old_hash != new_hash else "edited, or templates changed"
        problems.append(f"{p}: stale ({why})")
    for p in sorted(out.glob("*.tex")):
        if p.name not in rendered.files:
            problems.append(f"{p}: stale (its claim is gone or no longer has its expected verdict)")
    return problems


def _hash_line(text: str) -> str | None:
    first = text.splitlines()[0] if text else ""
    return first.split(":", 1)[1].strip() if first.startswith("% symcheck-proof-hash:") else None
