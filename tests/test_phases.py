"""Presentations of one trace: paper lines are forms the trace passes through; full is every step."""

from __future__ import annotations

import pytest
import sympy as sp

from symcheck.phases import DETAILS, lines, phase_of, same_up_to_renaming
from symcheck.proof import Derivation, DischargedObligation, Step

a, b, c, x, y = sp.symbols("a b c x y")


def trace(start, *steps) -> Derivation:
    out, before = [], start
    for rule, after in steps:
        out.append(Step(rule, before, after, before, after))
        before = after
    return Derivation(start, tuple(out))


D = trace(a, ("entry-matmul", b), ("entry-input", c), ("sum-guard-to-range", x),
          ("entry-matmul", y), ("sum-guard-to-range", a + y), ("alpha-rename", a + y))


def test_full_is_every_step_with_its_rule():
    assert [(line.expr, line.label) for line in lines(D, "full")] == [
        (b, "entry-matmul"), (c, "entry-input"), (x, "sum-guard-to-range"), (y, "entry-matmul"),
        (a + y, "sum-guard-to-range"), (a + y, "alpha-rename")]


def test_paper_is_one_line_per_round_of_phases():
    # bookkeeping (entry-input, alpha-rename) joins its neighbour; a phase that recurs starts a new line
    assert [(line.expr, line.label, line.rules) for line in lines(D, "paper")] == [
        (x, "unfold the definitions, move the guard into the range",
         ("entry-matmul", "entry-input", "sum-guard-to-range")),
        (a + y, "unfold the definitions, move the guard into the range",
         ("entry-matmul", "sum-guard-to-range", "alpha-rename"))]


@pytest.mark.parametrize("detail", DETAILS)
def test_every_level_shows_forms_of_the_trace_ending_in_the_normal_form(detail):
    forms = [s.after for s in D.steps]
    shown = [line.expr for line in lines(D, detail)]
    assert shown[-1] == D.result and all(e in forms for e in shown)
    assert [forms.index(e) for e in shown] == sorted(forms.index(e) for e in shown)


def test_a_round_that_ends_where_it_started_is_dropped():
    assert lines(trace(a, ("alpha-rename", a)), "paper") == ()
    assert lines(trace(a), "paper") == lines(trace(a), "sketch") == ()


def test_unknown_rule_is_a_phase_named_by_it():
    assert phase_of("no-such-rule") == "no-such-rule" and phase_of("iverson-decide") == "decide the guards"


def test_unknown_detail_is_an_error():
    with pytest.raises(ValueError, match="detail must be one of paper, full, sketch"):
        lines(D, "brief")


def test_obligations_identical_up_to_renaming():
    def ob(m, k=1):
        return DischargedObligation("t", trace(m + k, ("distribute", m * k)), trace(m * k))
    assert same_up_to_renaming(ob(a), ob(b))
    assert not same_up_to_renaming(ob(a), ob(a, 2))                    # numbers are not renamed
    assert not same_up_to_renaming(ob(a), DischargedObligation("t", trace(a + 1, ("expand-power", a)), trace(a)))


def test_paper_merges_many_rounds_into_a_few_lines():
    from symcheck.phases import PAPER_LINES
    rounds = [step for k in range(10) for step in (("entry-matmul", x + k), ("iverson-decide", y + k))]
    shown = lines(trace(a, *rounds), "paper")
    assert len(shown) == PAPER_LINES and shown[-1].expr == y + 9
    assert shown[0].phases == ("unfold the definitions", "decide the guards")
