"""Every bundled derivation file: each claim gets exactly the verdict it declares."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from symcheck.falsify import compare
from symcheck.loader import load

ROOT = Path(__file__).resolve().parent.parent
CLAIMS = load([str(ROOT / "derivations")])


@pytest.fixture(scope="module")
def results(library_results):
    return library_results


def test_the_library_is_not_empty():
    assert len(CLAIMS) >= 7


@pytest.mark.parametrize("claim", CLAIMS, ids=lambda c: c.qualname)
def test_declared_verdict(claim, results):
    r = results[claim.qualname]
    assert r.verdict == claim.expect and r.ok, r.reason
    if r.verdict == "proved":
        assert r.scope == "symbolic" and r.proof.proved and r.steps > 0
    if r.verdict == "refuted":
        ce = r.counterexample
        lhs, rhs = np.array(ce.lhs, dtype=float), np.array(ce.rhs, dtype=float)
        assert compare(lhs, rhs, 1e-9).any(), "the reported values must differ"


def test_main_claim_is_proved_with_induction_obligations(results):
    r = results["sdnc.causal_attention_is_sdnc"]
    titles = [o.title for o in r.proof.obligations]
    assert any("Induction base" in x for x in titles) and any("Induction step" in x for x in titles)
    assert all(o.holds for o in r.proof.obligations)
    used = {s.rule for s in r.proof.rhs.steps}
    assert {"content-addressing", "unroll-write-once", "fresh-slot-allocation", "sum-delta"} <= used


@pytest.mark.parametrize("name,sizes", [
    ("sdnc.read_before_write", {"T": 1}),                 # t = 1 reads an empty memory
    ("sdnc.softmax_over_all_slots", {"T": 1, "N": 2}),    # one empty slot is a sink
    ("sdnc.key_strength_one", {"d": 2, "T": 2}),           # d = 1 makes 1/sqrt(d) = 1
    ("sdnc.cosine_without_unit_norm", {"T": 2}),
])
def test_counterexamples_are_minimal(name, sizes, results):
    ce = results[name].counterexample
    for k, v in sizes.items():
        assert ce.sizes[k] == v, ce.sizes


def test_counterexamples_explain_with_the_weights_each_side_used(results):
    ce = results["sdnc.softmax_over_all_slots"].counterexample
    assert ce.first_difference == "entry (t=1, b=1)"
    (attention,) = ce.intermediates["lhs"].values()
    (read,) = ce.intermediates["rhs"].values()
    assert attention == [[1.0]]                 # attention puts all mass on the written slot
    (written, empty), = read                     # the empty slot soaks up some of it (a sink)
    assert empty > 0 and abs(written + empty - 1) < 1e-9
    assert all(isinstance(v, int) for row in ce.inputs["V"] for v in row)   # small integers


def test_counterexamples_show_a_visible_gap(results):
    """Among small-integer inputs the falsifier keeps one whose difference a reader sees (>= 0.1 relative)."""
    for r in results.values():
        if r.verdict == "refuted" and r.counterexample.max_abs_diff is not None:
            lhs, rhs = (np.array(v, dtype=float) for v in (r.counterexample.lhs, r.counterexample.rhs))
            rel = np.abs(lhs - rhs) / (1 + np.maximum(np.abs(lhs), np.abs(rhs)))
            assert np.nanmax(rel) >= 0.1, r.name
