"""Notebooks: the appendix's paper presentation, bounded in size."""

from __future__ import annotations

from symcheck.notebook import NOTEBOOK_CHARS, view_latex


def test_the_inlined_layer_is_shown_whole_within_the_bound(library_results):
    r = library_results["layer.pre_ln_layer_is_sdnc_step_by_normalization"]
    out = r._repr_latex_()                  # 16.7 MB at filing time, 79 KB before the parts
    assert len(out) < NOTEBOOK_CHARS // 2 and "more lines" not in out
    assert out.startswith("$$\\begin{aligned}") and out.endswith("\\end{aligned}$$") and "\\mathcal{A}_{1}" in out


def test_a_proof_past_the_bound_says_how_much_is_left_out_and_where(library_results):
    r = library_results["layer.pre_ln_layer_is_sdnc_step_by_normalization"]
    out = view_latex(r.view(), limit=3000)
    assert len(out) < 3000 + 200 and out.endswith("\\end{aligned}$$")
    assert "more lines: see symcheck show layer.pre_ln_layer_is_sdnc_step_by_normalization --detail paper" in out


def test_notebook_shows_macros_expanded(library_results):
    out = library_results["sdnc.causal_attention_is_sdnc"]._repr_latex_()
    assert "unroll-write-once" in out and "\\iverson" not in out and "from here on as the left side" in out
