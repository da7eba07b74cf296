"""Red-team of sdnc_read's slot maps, erase and read domains, and of sizes named like engine indices: attacks
that failed, kept so that they keep failing (a write outside 1..N is lost, and the prover knows it)."""

from __future__ import annotations

import pytest

from symcheck import Claim, Config, Iverson, causal_attention, check, from_index, matrix, sdnc_read, sizes, stack

T, d, N = sizes("T d N")
Q, K, V = matrix("Q", T, d), matrix("K", T, d), matrix("V", T, d)
CONFIG = Config(max_seconds=30)


@pytest.mark.parametrize("rhs, where, verdict", [
    (sdnc_read(Q, K, V, slots=N, slot=lambda t: t + 1), ((T, N),), "refuted"),       # at T = N slot T + 1 is lost
    (sdnc_read(Q, K, V, slots=N, slot=lambda t: t + 1), ((T + 1, N),), "proved"),
    (sdnc_read(Q, K, V, slots=N, domain=lambda t, n: n <= N), ((T, N),), "refuted"),  # empty slots: a sink
])
def test_a_slot_map_or_domain_near_the_memorys_end_keeps_its_verdict(rhs, where, verdict):
    claim = Claim("c", causal_attention(Q, K, V), rhs, where=where, statement="s", expect=verdict)
    assert check(claim, CONFIG).verdict == verdict


def test_a_size_named_like_the_layer_index_is_an_input_error():
    L, ell = sizes("L ell")
    X = matrix("X", T, d)
    gated = lambda Y, layer: from_index(T, d, lambda t, b: Y[t, b] * Iverson(ell <= layer))     # noqa: E731
    keep = lambda Y, layer: from_index(T, d, lambda t, b: Y[t, b])                             # noqa: E731
    r = check(Claim("c", stack(gated, X, depth=L), stack(keep, X, depth=L), statement="s", expect="refuted"), CONFIG)
    assert r.verdict == "error" and "a size named ell, the name of the layer index of a stack" in r.reason
