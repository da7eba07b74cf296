"""Red-team of the proof cache: a stale entry must never be served for a claim that changed.

Two attacks worked. The key digested the derivation file as it was on disk when the result was
*stored*: a file edited while a run checked it (loaded before, stored after) put the old claim's
verdict under the new text's key, and the next run printed `proved` for the edited, false claim. And
a claim built in Python (no file) was keyed by its name alone: a second, different claim of that name
got the first one's verdict. Now the key digests the text the loader ran, and a claim without one is
not cached.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from symcheck import Claim, Config, from_index, load, matrix, sizes
from symcheck.cache import ProofCache
from symcheck.runner import check_all

T, d = sizes("T d")
X = matrix("X", T, d)
CONFIG = Config(max_seconds=20)

CLAIM = '''from symcheck import Claim, from_index, matrix, sizes
T, d = sizes("T d")
X = matrix("X", T, d)
shift = Claim("shift", lhs=from_index(T, d, lambda t, b: X[t, b] + 1), rhs=from_index(T, d, lambda t, b: X[t, b] + {}),
              statement="s")
'''


def _verdicts(claims, cache):
    return [r.verdict for r in check_all(claims, CONFIG, cache=cache)]


def test_a_file_edited_during_a_run_does_not_get_the_old_texts_verdict(tmp_path):
    path, cache = tmp_path / "edited.py", ProofCache(tmp_path / "cache")
    path.write_text(CLAIM.format(1))
    loaded = load(str(path))
    path.write_text(CLAIM.format(2))                   # saved while the run checks the old text
    assert _verdicts(loaded, cache) == ["proved"]
    assert _verdicts(load(str(path)), cache) == ["refuted"]
    assert _verdicts(load(str(path)), cache) == ["refuted"]


def test_the_loader_digests_the_text_it_ran(tmp_path):
    path = tmp_path / "one.py"
    path.write_text(CLAIM.format(1))
    (first,) = load(str(path))
    path.write_text(CLAIM.format(1) + "# a comment\n")
    (second,) = load(str(path))
    assert first.source_digest and first.source_digest != second.source_digest


def _python_claim(shift):
    return Claim("shift", from_index(T, d, lambda t, b: X[t, b] + 1), from_index(T, d, lambda t, b: X[t, b] + shift),
                 statement="s")


def test_two_claims_of_one_name_built_in_python_are_not_served_from_the_cache(tmp_path):
    cache = ProofCache(tmp_path)
    assert _verdicts([_python_claim(1)], cache) == ["proved"]
    assert _verdicts([_python_claim(2)], cache) == ["refuted"]
    assert not list(Path(tmp_path).glob("*.summary"))


def test_an_unchanged_file_is_still_served_from_the_cache(tmp_path):
    path, cache = tmp_path / "same.py", ProofCache(tmp_path / "cache")
    path.write_text(CLAIM.format(1))
    hits = []
    for _ in range(2):
        check_all(load(str(path)), CONFIG, cache=cache, on_result=lambda r, hit: hits.append(hit))
    assert hits == [False, True]


def test_a_claim_renamed_in_place_does_not_reuse_the_entry(tmp_path):
    path, cache = tmp_path / "named.py", ProofCache(tmp_path / "cache")
    path.write_text(CLAIM.format(1))
    (claim,) = load(str(path))
    assert _verdicts([claim], cache) == ["proved"]
    other = dataclasses.replace(claim, expect="refuted")            # the key has the expected verdict
    assert cache.get(other, CONFIG) is None
