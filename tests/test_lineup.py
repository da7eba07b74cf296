"""Lining sums up: a sum read backwards or from an offset meets the same sum from 1, and only when needed."""

from __future__ import annotations

import pytest

from helpers import K, N, Q, V, T, b, t, world_context
from symcheck import Config, causal_attention, sdnc_read
from symcheck.engine import attempt_proof
from symcheck.index import Sigma, index
from symcheck.lineup import _mostly_descending, line_up
from symcheck.normalize import Normalizer
from symcheck.problem import pose

j = index("j")
v, k, q = V.base, K.base, Q.base          # input entries as the normal form has them (`entry-input`)


@pytest.mark.parametrize("s, reverse", [
    (Sigma(v[T + 1 - j, b], j, 1, t), True),
    (Sigma(v[j, b], j, 1, t), False),
    (Sigma(v[T + 1 - j, b] * k[j, b], j, 1, t), False),           # one each way: left as it is
    (Sigma(v[T + 1 - j, b] * k[t - j, b] * q[j, b], j, 1, t), True),
])
def test_a_sum_is_reversed_when_its_index_mostly_descends(s, reverse):
    assert _mostly_descending(s) is reverse


def test_a_reversed_offset_sum_lines_up_with_the_sum_from_one():
    norm, ctx = Normalizer(), world_context()
    backwards = norm.derive(Sigma(v[T + 1 - j, b], j, T + 1 - t, T), ctx)
    lined = line_up(norm, backwards, ctx)
    assert lined.result == norm.derive(Sigma(v[j, b], j, 1, t), ctx).result
    assert {"sum-shift", "sum-reverse"} <= {s.rule for s in lined.steps}


def test_a_lined_up_sum_is_left_alone():
    norm, ctx = Normalizer(), world_context()
    d = norm.derive(Sigma(v[j, b], j, 1, t), ctx)
    assert line_up(norm, d, ctx) is d


def test_the_reversed_slot_map_is_proved_only_by_lining_up():
    problem = pose(causal_attention(Q, K, V), sdnc_read(Q, K, V, slots=N, slot=lambda t: T + 1 - t), where=((T, N),))
    proof = attempt_proof(problem, Config())
    assert proof.proved
    assert "sum-reverse" in {s.rule for s in proof.rhs.steps}


def test_a_proof_without_lining_up_keeps_its_trace():
    problem = pose(causal_attention(Q, K, V), sdnc_read(Q, K, V, slots=N))
    proof = attempt_proof(problem, Config())
    assert proof.proved and not {"sum-shift", "sum-reverse"} & {s.rule for d in (proof.lhs, proof.rhs) for s in d.steps}


def test_lining_up_never_makes_unequal_sides_equal():
    problem = pose(causal_attention(Q, K, V), sdnc_read(Q, K, V, slots=N, slot=lambda t: T + 1 - t, domain="all"),
                   where=((T, N),))
    assert not attempt_proof(problem, Config()).proved     # refuted in sdnc_variants.reversed_slots_read_all
