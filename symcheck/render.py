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
from .display import plain_names
from .families import family_of
from .latex import escape, latex, latex_array
from .notation import CONSTANTS, GLOSSARY, NOTATION, macro
from .phases import DETAILS, Detail
from .present import Composition, Identical, LemmaShown, Presentation, present
from .problem import pose_claim
from .result import CompositeProof, Result
from .rules import RULES
from .textmath import prose
from .typeset import display, rows

__all__ = ["Rendered", "render", "write", "check_current", "proof_hash", "file_name"]

APPENDIX = "appendix.tex"
STY = "symcheck.sty"
RENDER_SECONDS = 120        # the bundled appendix renders in a few seconds
_TEMPLATE_NAME = re.compile(r"[A-Za-z0-9_.-]+\.j2")
FORMAL_CHARS = 1500         # a statement whose sides print longer than this is stated in words only


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
    """Bundled templates: the checkout's templates/ next to this package when there is one (an editable
    install may map package data to another checkout), else package data.
    Only plain file names: a template's `include "/etc/passwd"` must not read the disk."""
    if not _TEMPLATE_NAME.fullmatch(name):
        return None
    root = Path(__file__).resolve().parent.parent / "templates"
    if not root.is_dir():
        root = resources.files("symcheck.templates")
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
    if r.claim.statement_tex is not None:
        payload["statement_tex"] = r.claim.statement_tex
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


def _weights_label(label: str) -> str:
    """'read weights C_dot(...)[n; 1..t] (row t, slot n)' -> 'read weights (row t, slot n)'."""
    kind = " ".join(label.split()[:2])
    return f"{kind} {label[label.rindex('('):]}" if "(" in label else kind


def _proof(p: Presentation) -> dict:
    """What the template needs to typeset a presentation: a derivation or a composition."""
    if isinstance(p, Composition):
        return {"kind": "composite", "argument": [prose(line) for line in p.argument],
                "lemmas": [_lemma(lemma) for lemma in p.lemmas]}
    if isinstance(p, Identical):
        return {"kind": "identical"}
    problem = p.problem
    return {"kind": "derivation", "row": latex(problem.row), "col": latex(problem.col),
            "row_range": _range(problem.row, problem.rows), "col_range": _range(problem.col, problem.cols),
            "chunks": _chunks(problem), "sides": [display(side) for side in p.sides],
            "obligations": [{"title": prose(o.title), "like": prose(o.like) if o.like else None,
                             "statement": rows(o.statement) if o.statement is not None else None,
                             "lhs": display(o.lhs) if o.lhs is not None else None,
                             "rhs": display(o.rhs) if o.rhs is not None else None} for o in p.obligations],
            "explanations": list(p.explanations),
            "normal_form": rows(p.normal_form) if p.normal_form is not None else None}


def _lemma(lemma: LemmaShown) -> dict:
    entry = {"title": escape(lemma.title), "statement": prose(lemma.statement), "use": prose(lemma.use),
             "label": lemma.label, "same_as": None}
    if lemma.same_as is not None:
        ref = lemma.same_as
        entry["same_as"] = {"label": ref.label, "title": escape(ref.title), "claim": ref.claim,
                            "renaming": [f"${latex(a)} \\mapsto {latex(b)}$" for a, b in ref.renaming]}
    else:
        entry["proof"] = _proof(lemma.proof)
    return entry


def _chunks(problem) -> dict | None:
    """The chunk and offset a chunk-by-chunk comparison ranges over, as LaTeX."""
    k = problem.chunks
    return None if k is None else {"chunk_range": _range(k.chunk, k.count), "offset_range": _range(k.offset, k.size),
                                   "row": latex(k.row)}


def _range(index, upper) -> str:
    """`1 \\le t \\le T` as LaTeX; `b = 1` when the range has one element (not `1 \\le b \\le 1`)."""
    if upper == 1:
        return f"{latex(index)} = 1"
    return f"1 \\le {latex(index)} \\le {latex(upper)}"


def _statement(c) -> str:
    """The claim's statement as its author typeset it (`statement_tex`), else its text with its formulas set."""
    return c.statement_tex if c.statement_tex is not None else prose(c.statement)


def _formal(r: Result, problem) -> dict | None:
    """The claim as an equation between its sides' entries, when it has one short enough to read."""
    if problem.lhs is None or problem.chunks is not None:
        return None
    lhs, rhs = latex(plain_names(problem.lhs)), latex(plain_names(problem.rhs))
    if len(lhs) + len(rhs) > FORMAL_CHARS:
        return None
    return {"lhs": lhs, "rhs": rhs, "relation": "=" if r.verdict == "proved" else r"\overset{?}{=}"}


def _constraints(c, sizes) -> list[str]:
    """The size constraints a reader needs: not `T <= T`, nor `1 <= T` for a size (all are at least 1)."""
    shown = []
    for lo, hi in c.constraints:
        gap = sp.expand(hi - lo)
        if not ((gap.is_number and gap >= 0) or (lo == 1 and hi in sizes)):
            shown.append(f"${latex(lo)} \\le {latex(hi)}$")
    return shown


def _context(r: Result, config: Config, detail: Detail, seen: dict) -> dict:
    problem = pose_claim(r.claim)
    c = r.claim
    ctx = {
        "hash": proof_hash(r), "version": __version__, "name": r.name, "label": r.name,
        "title": escape(c.name.replace("_", " ")), "statement": _statement(c), "cites": [escape(x) for x in c.cites],
        "assumptions": [prose(a.describe()) for a in c.assume], "verdict": r.verdict,
        "sizes": ", ".join(f"${latex(s)}$" for s in problem.sizes), "constraints": _constraints(c, set(problem.sizes)),
        "lhs_label": prose(c.lhs.label), "rhs_label": prose(c.rhs.label), "formal": _formal(r, problem),
        "row_range": _range(problem.row, problem.rows), "col_range": _range(problem.col, problem.cols),
        "digits": config.precision_digits,
    }
    v = r.view()
    if r.verdict == "proved":
        ctx["proof"] = _proof(present(v, detail, seen, r.name))
    elif r.verdict == "undecided":
        ctx["open"] = escape(c.reason)
    else:
        ce = v.counterexample
        ctx["ce"] = {
            "sizes": ", ".join(f"${latex(sp.Symbol(k))} = {v}$" for k, v in ce.sizes.items()),
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


_DETAIL_SENTENCES = {
    "paper": r"one displayed line per phase of the rewriting (naming the phase and its rules); "
             r"\texttt{symcheck render --detail full} typesets every rule application.",
    "full": "in full: every rule application on a line of its own, tagged with its rule.",
    "sketch": r"as a sketch: the unfolded form and the normal form of each side; "
              r"\texttt{symcheck render --detail full} typesets every rule application.",
}


def render(results: list[Result], config: Config = Config(), template_dir: str | None = None,
           detail: Detail = "paper") -> Rendered:
    """Render every renderable result at `detail` (a view of the same proofs: the certificates do not
    depend on it); a broken (or endless) template is reported as a usage error."""
    if detail not in DETAILS:
        raise UsageError(f"--detail must be one of {', '.join(DETAILS)}, got {detail!r}")
    try:
        with interrupt_at(time.monotonic() + RENDER_SECONDS):
            return _render(results, config, _environment(template_dir), detail)
    except BudgetExceeded:
        raise UsageError(f"templates took longer than {RENDER_SECONDS} s to render (a runaway loop?)") from None
    except jinja2.TemplateError as err:
        where = f"{err.name}:{err.lineno}: " if isinstance(err, jinja2.TemplateSyntaxError) else ""
        raise UsageError(f"template error: {where}{type(err).__name__}: {err}") from None


def _render(results, config, env, detail) -> Rendered:
    claim_t, appendix_t = env.get_template("claim.tex.j2"), env.get_template("appendix.tex.j2")
    families = {}
    for r in results:
        if r.claim.module not in families:
            families[r.claim.module] = family_of(r.claim.module, r.claim.file)
    shown = sorted((r for r in results if renderable(r)), key=lambda r: families[r.claim.module].order)
    seen: dict = {}
    files = {file_name(r): claim_t.render(**_context(r, config, detail, seen)) for r in shown}
    used = sorted({s.rule for r in shown if r.proof is not None and r.verdict == "proved"
                   for d in r.proof.derivations() for s in d.steps})
    sections = []
    for f in families.values():
        proved = [file_name(r)[:-4] for r in shown if r.verdict == "proved" and r.claim.module == f.module]
        if proved:
            sections.append({"module": f.module, "title": f.title, "sentence": f.sentence, "claims": proved,
                             "order": f.order})
    files[APPENDIX] = appendix_t.render(
        version=__version__, detail_sentence=_DETAIL_SENTENCES[detail],
        notation=_glossary(files.values()),
        compositions=any(isinstance(r.proof, CompositeProof) for r in shown if r.verdict == "proved"),
        families=sorted(sections, key=lambda f: f["order"]),
        open=[file_name(r)[:-4] for r in shown if r.verdict == "undecided"],
        near_misses=[file_name(r)[:-4] for r in shown if r.verdict == "refuted"],
        rules=[{"name": n, "statement": RULES[n].statement, "side_conditions": prose(RULES[n].side_conditions)}
               for n in used])
    files[STY] = env.get_template("symcheck.sty.j2").render(version=__version__, notation=NOTATION)
    return Rendered(files, [r for r in results if not renderable(r)])


def _glossary(claims) -> list[dict]:
    """Every notation macro, then the named constants and the models' symbols the claims show."""
    text = "\n".join(claims)
    rows = [{"symbol": macro(n.name, *n.example), "meaning": n.meaning} for n in NOTATION]
    rows += [{"symbol": c.symbol, "meaning": c.meaning} for c in CONSTANTS if c.symbol in text]
    return rows + [{"symbol": g.symbol, "meaning": g.meaning} for g in GLOSSARY if re.search(g.shown_by, text)]


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
