"""Rendering: appendices compile with pdflatex, stale files are caught, templates override."""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from symcheck import Claim, causal_attention, check, matrix, sdnc_read, sizes
from symcheck.cli import main
from symcheck.render import check_current, render, write

ROOT = Path(__file__).resolve().parent.parent
PDFLATEX = shutil.which("pdflatex")
needs_pdflatex = pytest.mark.skipif(PDFLATEX is None, reason="pdflatex is not installed (CI installs "
                                    "texlive-latex-base and texlive-latex-recommended)")

T, d, N = sizes("T d N")
Q, K, V = matrix("Q", T, d), matrix("K", T, d), matrix("V", T, d)
NASTY = "Odd_name 100% & #1 {x} $y$ a\\b x^2 ~ — β ≤ 1"


@pytest.fixture(scope="module")
def library(library_results):
    return list(library_results.values())


@pytest.fixture(scope="module")
def rendered_library(library):
    return render(library)


@pytest.fixture(scope="module")
def small(library):
    """Without the layer claims, whose rendering alone takes seconds."""
    return [r for r in library if r.claim.module != "layer"]


@pytest.fixture(scope="module")
def nasty():
    claim = Claim("odd_name", causal_attention(Q, K, V), sdnc_read(Q, K, V, slots=N), NASTY,
                  cites=(NASTY,), module="my_mod")
    false = Claim("odd_false", causal_attention(Q, K, V), sdnc_read(Q, K, V, slots=N, strength=1), NASTY,
                  expect="refuted", module="my_mod")
    return [check(claim), check(false)]


def compile_pdf(directory: Path) -> subprocess.CompletedProcess:
    return subprocess.run([PDFLATEX, "-interaction=nonstopmode", "-halt-on-error", "appendix.tex"],
                          cwd=directory, capture_output=True, text=True, timeout=180)


def overfull(log: str) -> list[float]:
    """The widths (pt) by which boxes stick out, from a pdflatex log: a paper cannot have any."""
    return [w for w in map(float, re.findall(r"Overfull \\hbox \((\d+(?:\.\d+)?)pt too wide\)", log)) if w > 1.0]


def compile_tex(directory: Path, name: str) -> str:
    proc = subprocess.run([PDFLATEX, "-interaction=nonstopmode", "-halt-on-error", name], cwd=directory,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:]
    return (directory / name.replace(".tex", ".log")).read_text(errors="replace")


PAPER = r"""\documentclass[%s]{article}
\usepackage{amsmath}
\usepackage{symcheck}
\begin{document}
Theorem~\ref{symcheck:sdnc.causal_attention_is_sdnc} and its near miss~\ref{symcheck:sdnc.read_before_write}.
\input{sdnc-causal_attention_is_sdnc}
\input{sdnc-read_before_write}
\end{document}
"""


@needs_pdflatex
@pytest.mark.parametrize("columns", ["onecolumn", "twocolumn"])
def test_a_claim_inputs_into_a_plain_article_without_overfull_boxes(tmp_path, rendered_library, columns):
    write(rendered_library, str(tmp_path))
    (tmp_path / "paper.tex").write_text(PAPER % columns)
    compile_tex(tmp_path, "paper.tex")
    log = compile_tex(tmp_path, "paper.tex")          # twice: \ref resolves on the second run
    assert overfull(log) == [] and "undefined" not in log.lower()


@needs_pdflatex
@pytest.mark.parametrize("columns", ["onecolumn", "twocolumn"])
def test_a_sketch_inputs_into_a_plain_article_without_overfull_boxes(tmp_path, library, columns):
    sdnc = [r for r in library if r.claim.module == "sdnc"]
    write(render(sdnc, detail="sketch"), str(tmp_path))
    (tmp_path / "paper.tex").write_text(PAPER % columns)
    compile_tex(tmp_path, "paper.tex")
    log = compile_tex(tmp_path, "paper.tex")
    assert overfull(log) == [] and "undefined" not in log.lower()


@needs_pdflatex
def test_appendix_has_no_overfull_boxes(tmp_path, rendered_library):
    write(rendered_library, str(tmp_path))
    assert overfull(compile_tex(tmp_path, "appendix.tex")) == []


def test_overfull_boxes_are_read_from_the_log():
    log = "Overfull \\hbox (0.5pt too wide) in paragraph\nOverfull \\hbox (152.3pt too wide) detected at line 4\n"
    assert overfull(log) == [152.3]


@needs_pdflatex
def test_library_and_escaped_text_compile(tmp_path, rendered_library, nasty):
    write(rendered_library, str(tmp_path))
    write(render(nasty), str(tmp_path / "nasty"))
    proc = compile_pdf(tmp_path / "nasty")
    assert proc.returncode == 0, proc.stdout[-3000:]
    proc = compile_pdf(tmp_path)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert (tmp_path / "appendix.pdf").stat().st_size > 10_000
    assert not re.search(r"^! ", proc.stdout, re.M)


def test_full_detail_is_every_step_on_one_line_with_its_rule(library):
    r = next(x for x in library if x.name == "sdnc.causal_attention_is_sdnc")
    main_tex = render([r], detail="full").files["sdnc-causal_attention_is_sdnc.tex"]
    step_lines = [l for l in main_tex.splitlines() if l.strip().startswith("&=")]
    n_steps = len(r.proof.lhs.steps) + len(r.proof.rhs.steps) + sum(
        len(o.lhs.steps) + len(o.rhs.steps) for o in r.proof.obligations)
    assert len(step_lines) == n_steps
    assert all(re.search(r"\\tag\*\{\\rulename\{[a-z-]+\}\}(\\\\)?$", l) for l in step_lines)
    assert "The normal forms meet" in main_tex and "Induction base for memory $K$" in main_tex


def test_obligations_are_explained_in_their_rule_s_own_words(nasty, monkeypatch):
    from symcheck.rules import RULES
    unroll = RULES["unroll-write-once"]
    tex = render(nasty).files["my_mod-odd_name.tex"]
    assert "\\emph{Induction obligations.} " + unroll.explanation + "\n" in tex
    monkeypatch.setitem(RULES, unroll.name, dataclasses.replace(unroll, explanation="Told by the rule."))
    assert "\\emph{Induction obligations.} Told by the rule.\n" in render(nasty).files["my_mod-odd_name.tex"]


def test_refuted_claim_is_a_near_miss_with_its_counterexample(rendered_library):
    tex = rendered_library.files["sdnc-read_before_write.tex"]
    assert r"\begin{nearmiss}[\symname{read before write}]\label{symcheck:sdnc.read_before_write}" in tex
    assert r"\begin{proof}[Counterexample]" in tex and r"\symfit{K = \begin{bmatrix}" in tex
    assert r"the left side is \symfit{" in tex and r"and the right side is \symfit{" in tex


def test_a_claim_is_a_labelled_theorem_with_a_proof(rendered_library):
    tex = rendered_library.files["sdnc-causal_attention_is_sdnc.tex"]
    assert r"\label{symcheck:sdnc.causal_attention_is_sdnc}" in tex and tex.count(r"\begin{proof}") == 1
    assert r"\begin{theorem}[\symname{causal attention is sdnc}]" in tex and r"\newtheorem{theorem}" in rendered_library.files["symcheck.sty"]
    assert "Likewise, identical to Induction base for memory $V$ up to renaming." in tex


def test_appendix_orders_families_and_groups_near_misses(rendered_library):
    tex = rendered_library.files["appendix.tex"]
    order = [m.group(1) for m in re.finditer(r"\\input\{([^}]*)\}", tex)]
    near = order.index("sdnc-read_before_write")
    assert order.index("sdnc-causal_attention_is_sdnc") < near and "too long" not in "".join(rendered_library.files.values())
    assert r"\section{Near misses}" in tex and order.index("stacks-post_ln_stack_is_sdnc_stack") < near


def test_free_text_is_escaped(nasty):
    tex = render(nasty).files["my_mod-odd_name.tex"]
    assert r"Odd\_name 100\% \& \#1 \{x\} \$y\$ a\textbackslash{}b x\textasciicircum{}2 \textasciitilde{}" in tex


def test_only_expected_verdicts_are_rendered():
    wrong = Claim("wrong", causal_attention(Q, K, V), sdnc_read(Q, K, V, slots=N, strength=1), "x", module="m")
    out = render([check(wrong)])
    assert list(out.files) == ["appendix.tex", "symcheck.sty"] and [r.name for r in out.skipped] == ["m.wrong"]


def test_check_detects_stale_edited_missing_and_orphan_files(tmp_path, small):
    library = small
    rendered = render(library)
    write(rendered, str(tmp_path))
    assert check_current(rendered, str(tmp_path)) == []
    main_file = tmp_path / "sdnc-causal_attention_is_sdnc.tex"
    main_file.write_text(main_file.read_text() + "% edit\n")
    assert any("edited" in p for p in check_current(rendered, str(tmp_path)))
    # the same claim with another statement: the proof it was rendered from changed
    changed = [dataclasses.replace(r, claim=dataclasses.replace(r.claim, statement="new")) if
               r.name == "sdnc.causal_attention_is_sdnc" else r for r in library]
    write(rendered, str(tmp_path))
    assert any("proof it was rendered from changed" in p for p in check_current(render(changed), str(tmp_path)))
    (tmp_path / "sdnc-key_strength_one.tex").unlink()
    (tmp_path / "sdnc-gone.tex").write_text("% old\n")
    problems = check_current(rendered, str(tmp_path))
    assert any("sdnc-key_strength_one.tex: missing" in p for p in problems)
    assert any("sdnc-gone.tex: stale" in p for p in problems)


def test_claim_no_longer_proved_makes_its_file_stale(tmp_path, small):
    library = small
    write(render(library), str(tmp_path))
    broken = [dataclasses.replace(r, verdict="undecided") if r.name == "sdnc.causal_attention_is_sdnc" else r
              for r in library]
    problems = check_current(render(broken), str(tmp_path))
    assert any("sdnc-causal_attention_is_sdnc.tex: stale (its claim is gone" in p for p in problems)


def test_bundled_output_is_current(rendered_library):
    assert check_current(rendered_library, str(ROOT / "output")) == []


def test_long_proofs_are_typeset_by_phase_and_in_full(library):
    r = next(x for x in library if x.name == "layer.post_ln_layer_is_sdnc_step")
    paper = render([r]).files["layer-post_ln_layer_is_sdnc_step.tex"]
    assert r"\symphase{" in paper and "&=" in paper and r"\tag*" not in paper
    full = render([r], detail="full").files["layer-post_ln_layer_is_sdnc_step.tex"]
    assert full.count(r"\tag*{\rulename{") == r.proof.steps


def test_cli_render_and_template_override(tmp_path, capsys):
    out_dir = tmp_path / "out"
    assert main(["render", str(ROOT / "derivations"), "--out", str(out_dir), "-k", "key_strength_one"]) == 0
    assert (out_dir / "sdnc-key_strength_one.tex").exists() and (out_dir / "appendix.tex").exists()
    templates = tmp_path / "tpl"
    templates.mkdir()
    (templates / "claim.tex.j2").write_text("% symcheck-proof-hash: \\VAR{hash}\nCUSTOM \\VAR{title}\n")
    assert main(["render", str(ROOT / "derivations"), "--out", str(out_dir), "-k", "key_strength_one",
                 "--templates", str(templates)]) == 0
    assert "CUSTOM key strength one" in (out_dir / "sdnc-key_strength_one.tex").read_text()
    (templates / "claim.tex.j2").write_text("\\VAR{no_such_variable}\n")
    capsys.readouterr()
    assert main(["render", str(ROOT / "derivations"), "--out", str(out_dir), "-k", "key_strength_one",
                 "--templates", str(templates)]) == 2
    assert "'no_such_variable' is undefined" in capsys.readouterr().err


def test_every_symbol_the_claims_use_is_in_the_notation_table(rendered_library):
    from symcheck.notation import NOTATION
    from symcheck.texcheck import COMMANDS
    files = rendered_library.files
    claims = "\n".join(line for n, t in files.items() if n not in ("appendix.tex", "symcheck.sty")
                       for line in t.splitlines() if not line.startswith("%"))
    table = files["appendix.tex"].split(r"\paragraph{Notation.}")[1]
    used = set(re.findall(r"\\([A-Za-z]+)", claims))
    ours = {n.name for n in NOTATION}
    layout = {"begin", "end", "label", "ref", "pageref", "par", "noindent", "smallskip", "medskip", "small", "item",
              "raggedright", "intertext", "shortintertext", "tag", "symfit", "symphase", "symname", "symstatement", "symwhere", "symjoins",
              "textbf", "allowbreak", "displaystyle", "frac", "sqrt", "leq", "geq", "right", "left", "mathbf", "ell",
              "S"}
    assert used - ours - COMMANDS - layout == set()
    for name in used & ours:
        assert re.search(r"\\item\[\$\\" + name + r"\b", table), name
    for symbol, row in [(r"\varepsilon", r"\item[$\varepsilon$] LayerNorm's"), (r"(g_{1})", r"\item[$g_{1},\ g_{2}"),
                        (r"^{(\ell)}", r"\item[$X^{(\ell)}$]"), (r"\mathcal{A}_{", r"\item[$\mathcal{A}_{k}(i, j)$]")]:
        assert symbol in claims and row in table, symbol
    assert "1}{100000}" not in claims and r"W_{O}}_{h" not in claims and "b_{h}" not in claims and "c_{1}" not in claims


def test_no_displayed_formula_is_longer_than_a_line_at_paper_detail(rendered_library):
    from symcheck.display import LINE_CHARS
    rows = [m for t in rendered_library.files.values() for m in re.findall(r"^ *&(?:= )?\\symfit\{(.*)\}", t, re.M)]
    longest = max(map(len, rows))
    assert longest < 2 * LINE_CHARS      # the inlined layer's forms printed 20,000 characters on one line
