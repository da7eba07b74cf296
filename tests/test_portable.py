"""Results across processes and through the cache: the same proof, claims re-attached, stale blobs refused."""

from __future__ import annotations

import dataclasses
import json
import pickle

import pytest
import sympy as sp

from symcheck import Claim, Config, apply, check, from_index, make_sum, matrix, size, stack, tensor
from symcheck import Iverson
from symcheck.cache import ProofCache
from symcheck.certificate import certificate
from symcheck.index import index
from symcheck.portable import Packed, Stale, pack, unpack
from symcheck.report import show
from symcheck.result import CompositeProof
from symcheck.runner import check_all

from helpers import T, d

L = size("L")
X = matrix("X", T, d)
W = tensor("W", L, d)
j = index("j")
CONFIG = Config(max_seconds=30)


def running_sum(Y, layer):
    return from_index(Y.rows, Y.cols, lambda i, c: W.at(layer)[c] * make_sum(Y[j, c], j, 1, i), label="running sum")


def masked_sum(Y, layer):
    return from_index(Y.rows, Y.cols, lambda i, c: W.at(layer)[c] * make_sum(Iverson(sp.Le(j, i)) * Y[j, c], j, 1, T),
                      label="masked sum")


def nested_claim(name="nested"):
    """A stack whose start is an application: an induction resting on a congruence, two lemmas."""
    start = lambda f: apply(lambda Y: f(Y, 1), X)
    claim = Claim(name, stack(running_sum, start(running_sum), depth=L), stack(masked_sum, start(masked_sum), depth=L),
                  statement="s")
    return dataclasses.replace(claim, source_digest=f"text of {name}")     # as if loaded: only those are cached


@pytest.fixture(scope="module")
def proved():
    claim = nested_claim()
    result = check(claim, CONFIG)
    assert result.verdict == "proved" and isinstance(result.proof, CompositeProof)
    return claim, result


def test_a_composite_result_does_not_pickle_with_its_claims_but_travels_packed(proved):
    claim, result = proved
    with pytest.raises((pickle.PicklingError, TypeError, AttributeError)):
        pickle.dumps(dataclasses.replace(result, claim=None))          # the lemmas' claims hold closures
    back = unpack(pack(result), claim)
    assert back.claim is claim and back.verdict == "proved" and back.steps == result.steps
    assert [lemma.claim.qualname for lemma in back.proof.lemmas] == [x.claim.qualname for x in result.proof.lemmas]
    assert show(back, CONFIG, "full") == show(result, CONFIG, "full")
    assert json.dumps(certificate(back), sort_keys=True) == json.dumps(certificate(result), sort_keys=True)


def test_a_summary_alone_has_the_verdict_and_no_proof(proved):
    claim, result = proved
    back = unpack(pack(result), claim, proof=False)
    assert (back.verdict, back.steps, back.proof) == (result.verdict, result.steps, None)


def test_a_proof_packed_for_another_composition_is_stale(proved):
    _, result = proved
    other = Claim("nested", stack(running_sum, X, depth=L), stack(masked_sum, X, depth=L), statement="s")
    with pytest.raises(Stale):
        unpack(pack(result), other)
    with pytest.raises(Stale):
        unpack(Packed(b"not a pickle", None), other)


def test_unevaluated_statements_come_back_unevaluated():
    """sympy's own unpickling evaluates: Eq(0, 0, evaluate=False) would come back as True."""
    packed = pickle.dumps(sp.Eq(0, 0, evaluate=False))
    assert pickle.loads(packed) is sp.true
    from symcheck.portable import _loads
    assert isinstance(_loads(packed), sp.Equality)


def test_the_cache_returns_the_composite_proof_and_ignores_a_damaged_entry(proved, tmp_path):
    claim, result = proved
    cache = ProofCache(tmp_path)
    cache.put(result, CONFIG)
    assert show(cache.get(claim, CONFIG), CONFIG, "full") == show(result, CONFIG, "full")
    assert cache.get(claim, CONFIG, proof=False).proof is None
    (summary,) = tmp_path.glob("*.summary")
    summary.write_bytes(summary.read_bytes()[:20])
    assert cache.get(claim, CONFIG) is None


def test_parallel_results_of_composite_claims_come_back_whole_and_are_cached(tmp_path):
    claims = [nested_claim("a"), nested_claim("b")]
    cache = ProofCache(tmp_path)
    results = check_all(claims, CONFIG, jobs=2, cache=cache)
    assert [r.verdict for r in results] == ["proved", "proved"]
    assert all(r.claim is c and isinstance(r.proof, CompositeProof) for r, c in zip(results, claims))
    assert len(list(tmp_path.glob("*.summary"))) == 2                 # the workers stored them
    hits = []
    again = check_all(claims, CONFIG, jobs=2, cache=cache, proofs=False, on_result=lambda r, hit: hits.append(hit))
    assert hits == [True, True] and [r.proof for r in again] == [None, None]
