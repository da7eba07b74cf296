"""A lemma proved before up to a renaming is referred to, with the renaming; never a different one."""

from __future__ import annotations

import sympy as sp

from symcheck.latex import latex
from symcheck.render import render
from symcheck.sameness import Reference, reference


def _lemma(result, *path: int):
    v = result.view()
    for k in path:
        v = v.lemmas[k].view
    return v


def test_a_stacked_layer_lemma_is_the_layer_lemma_with_weights_at_layer_ell(library_results):
    one = _lemma(library_results["layer.pre_ln_layer_is_sdnc_step"], 0)
    stacked = _lemma(library_results["stacks.pre_ln_stack_is_sdnc_stack"], 0, 0)
    seen = {"paper": [(one, Reference("here", "Lemma 1", "layer.pre_ln_layer_is_sdnc_step"))]}
    ref = reference(stacked, seen, "paper")
    assert ref is not None and ref.claim == "layer.pre_ln_layer_is_sdnc_step"
    shown = {latex(a): latex(b) for a, b in ref.renaming}
    assert shown[r"(W_{O,h})_{i,j}"] == r"(W_{O,h}^{(\ell)})_{i,j}" and shown[r"(g_{1})_{i}"] == r"(g_{1}^{(\ell)})_{i}"
    assert all(isinstance(a, sp.Basic) and a != b for a, b in ref.renaming)


def test_a_different_lemma_is_not_referred_to(library_results):
    pre = _lemma(library_results["layer.pre_ln_layer_is_sdnc_step"], 0)
    post = _lemma(library_results["layer.post_ln_layer_is_sdnc_step"], 0)
    seen = {"paper": [(pre, Reference("here", "Lemma 1", "layer.pre_ln_layer_is_sdnc_step"))]}
    assert reference(post, seen, "paper") is None
    assert reference(pre, {"sketch": seen["paper"]}, "paper") is None      # a detail of its own


def test_the_appendix_refers_to_the_earlier_lemma_with_the_renaming_and_full_detail_does_not(library_results):
    results = [library_results[n] for n in ("layer.pre_ln_layer_is_sdnc_step", "stacks.pre_ln_stack_is_sdnc_stack")]
    tex = render(results).files["stacks-pre_ln_stack_is_sdnc_stack.tex"]
    assert (r"Proved as Lemma 1 in the proof of Theorem~\ref{symcheck:layer.pre_ln_layer_is_sdnc_step} "
            r"(page~\pageref{symcheck:layer.pre_ln_layer_is_sdnc_step:lemma-1}): the same derivation, renamed by "
            in tex) and r"$(W_{O,h})_{i,j} \mapsto (W_{O,h}^{(\ell)})_{i,j}$" in tex
    assert "Proved as" not in render(results, detail="full").files["stacks-pre_ln_stack_is_sdnc_stack.tex"]
