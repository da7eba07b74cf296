"""Chains (`Claim(via=...)`): lhs ≡ m_1 ≡ ... ≡ rhs link by link, by transitivity; never a proof with a false link."""

from __future__ import annotations

import copy

import pytest
from sympy import sqrt

from symcheck import Claim, ClaimError, Config, causal_attention, check, matrix, sdnc_read
from symcheck.certificate import certificate, structure
from symcheck.portable import pack, unpack
from symcheck.replay import Rejected, replay
from symcheck.result import CompositeProof

from helpers import N, T, K, Q, V, d

ATTENTION = causal_attention(Q, K, V)
SDNC = sdnc_read(Q, K, V, slots=N, similarity="dot", strength=1 / sqrt(d))
BEFORE = sdnc_read(Q, K, V, slots=N, read="before_write")           # reads the previous step's memory: not attention
CONFIG = Config(max_seconds=30)


def chain(*via, rhs=ATTENTION, name="c"):
    return Claim(name, ATTENTION, rhs, statement="s", via=via, where=((T, N),))


@pytest.fixture(scope="module")
def proved():
    claim = chain(SDNC)
    result = check(claim, CONFIG)
    assert result.verdict == "proved" and isinstance(result.proof, CompositeProof)
    return claim, result


def test_a_chain_is_proved_link_by_link_and_its_certificate_replays(proved):
    claim, result = proved
    assert [lemma.title for lemma in result.proof.lemmas] == ["Lemma 1", "Lemma 2"]
    assert "by transitivity" in result.proof.argument[-1]
    assert replay(certificate(result)).lemmas == 2
    back = unpack(pack(result), claim)                   # the cache and -j workers rebuild its lemmas
    assert certificate(back) == certificate(result)


def test_a_false_link_is_never_a_proof_even_when_the_ends_are_equal():
    r = check(chain(BEFORE), CONFIG)
    assert r.verdict == "undecided" and "Lemma 1" in r.reason


def test_a_false_chain_is_refuted_by_its_ends():
    r = check(chain(SDNC, rhs=causal_attention(Q, K, K)), CONFIG)
    assert r.verdict == "refuted"


@pytest.mark.parametrize("edit, message", [
    (lambda tree: tree["via"].__setitem__(0, structure(BEFORE)), "not the entry formula"),
    (lambda tree: tree["links"].pop(), "one link more"),
    (lambda tree: tree.__setitem__("via", []), "one link more"),
    (lambda tree: tree.__setitem__("links", [tree["links"][0], tree["links"][0]]), "cannot"),
])
def test_a_tampered_chain_is_rejected(proved, edit, message):
    cert = copy.deepcopy(certificate(proved[1]))
    edit(cert["tree"])
    with pytest.raises(Rejected, match=message):
        replay(cert)


def test_via_takes_models_of_the_claim_shape():
    with pytest.raises(ClaimError, match="via takes models"):
        chain("sdnc")
    r = check(chain(causal_attention(Q, K, matrix("W", T, 2 * d))), CONFIG)
    assert r.verdict == "error" and r.error_kind == "input" and "field via: lhs and via[0] have different columns" in r.reason


def test_via_with_one_normalization_of_the_whole_claim_is_an_input_error():
    """The two ask for different proofs; before, via was silently ignored."""
    with pytest.raises(ClaimError, match="field via: via states a chain .* give one of them"):
        Claim("c", ATTENTION, ATTENTION, statement="s", via=(SDNC,), method="normalization")
