"""Mutants: enough of them, of every kind, and never proved when false (sampled here;
the full run is benchmarks/mutation.py)."""

from __future__ import annotations

import collections
from pathlib import Path

import pytest

from symcheck import Config, check
from symcheck.mutate import mutants
from symcheck.oracle import numerically_equal
from symcheck.problem import pose_claim
from symcheck.proof import Proof

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def population(library_results):
    out = []
    for r in library_results.values():
        if r.claim.expect == "proved" and r.claim.module not in ("layer", "stacks", "encoder_decoder") \
                and isinstance(r.proof, Proof):                             # a proof by composition has no traces
            p = pose_claim(r.claim)
            out += mutants(r.claim, {"lhs": r.proof.lhs, "rhs": r.proof.rhs}, p.row, p.col, p.rows, p.cols)
    return out


def test_at_least_300_mutants_of_every_kind(population):
    assert len(population) >= 300
    kinds = collections.Counter(m.operator for m in population)
    for op in ("drop-transpose", "swap-indices", "strict-vs-inclusive", "missing-scale", "extra-scale",
               "wrong-normaliser", "off-by-one", "read-before-write", "mask-flip"):
        assert kinds[op] > 0, op
    assert len({(m.claim.lhs.entry, m.claim.rhs.entry) for m in population}) == len(population)


def test_a_sample_of_mutants_is_never_proved_unless_equivalent(population):
    for m in population[::60]:
        r = check(m.claim, Config(max_seconds=5))
        if r.verdict == "proved":
            assert numerically_equal(m.claim), m.claim.statement
