"""One presentation, three back-ends: the terminal, the notebook and the appendix say the same."""

from __future__ import annotations

import re

import pytest

from symcheck.config import Config
from symcheck.present import Composition, Define, Joins, present, phases_of
from symcheck.render import render
from symcheck.report import show

CLAIMS = ["sdnc.causal_attention_is_sdnc", "layer.pre_ln_layer_is_sdnc_step"]


def _defined(p) -> list[int]:
    """The numbers of the parts the presentation defines, in order."""
    if isinstance(p, Composition):
        return [n for lemma in p.lemmas if lemma.proof is not None for n in _defined(lemma.proof)]
    displays = [*getattr(p, "sides", ()), *(d for o in getattr(p, "obligations", ())
                                           for d in (o.statement, o.lhs, o.rhs) if d is not None)]
    return [r.part.number for d in displays for r in d.rows if isinstance(r, Define)]


@pytest.mark.parametrize("name", CLAIMS)
def test_terminal_notebook_and_appendix_show_the_same_phases_rules_and_parts(library_results, name):
    r = library_results[name]
    p = present(r.view(), "paper", name=r.name)
    phases = [(label, list(rules)) for label, rules in phases_of(p)]
    assert phases
    terminal = show(r, Config(), "paper")
    notebook = r._repr_latex_()
    tex = render([r]).files[r.name.replace(".", "-") + ".tex"]
    assert [(label, rules.split(", ")) for label, rules in re.findall(r"^ +\[([^:\]]+): ([^\]]*)\]$", terminal, re.M)] \
        == phases
    assert [(label, rules.split(", ")) for label, rules in re.findall(r"\\text\{([^}(]+) \(([^)]*)\)\}", notebook)] \
        == phases
    assert [(label, re.findall(r"\\rulename\{([^}]*)\}", rules))
            for label, rules in re.findall(r"\\symphase\{([^}]*)\}\{(.*)\}$", tex, re.M)] == phases
    parts = _defined(p)
    assert [int(n) for n in re.findall(r"where A(\d+)\(", terminal)] == parts
    assert [int(n) for n in re.findall(r"\\text\{where\}\\ \\mathcal\{A\}_\{(\d+)\}", notebook)] == parts
    assert _defined_in_tex(tex) == parts


def _defined_in_tex(tex: str) -> list[int]:
    """The parts defined under the \\symwhere rows of a claim file."""
    out, where = [], False
    for line in tex.splitlines():
        where = "\\symwhere" in line or (where and "intertext" not in line and "align" not in line)
        found = re.match(r" *&\\symfit\{\\mathcal\{A\}_\{(\d+)\}", line)
        if where and found:
            out.append(int(found.group(1)))
    return out


def test_the_layer_lemma_is_cut_into_named_parts(library_results):
    p = present(library_results["layer.pre_ln_layer_is_sdnc_step"].view(), "paper")
    assert _defined(p)


def test_a_right_side_that_reaches_a_form_of_the_left_goes_on_as_there(library_results):
    p = present(library_results["sdnc.causal_attention_is_sdnc"].view(), "paper")
    step = next(o for o in p.obligations if o.title == "Induction step for memory V")
    assert step.rhs.rows[-1] == Joins("Left side") and len(step.rhs.rows) < len(step.lhs.rows)
    base = next(o for o in p.obligations if o.title == "Induction base for memory V")
    assert base.rhs is None and base.lhs.title == "Left side, down to the right side"
