"""The pytest plugin: claims of derivation files as test items, nothing else collected."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

GOOD = '''
from symcheck import Claim, from_index, index, make_sum, matrix, sizes
T, d = sizes("T d")
V = matrix("V", T, d)
j = index("j")
prefix = lambda shift: from_index(T, d, lambda t, b: make_sum(V[j, b], j, 1, t - shift))
same = Claim("same", lhs=prefix(0), rhs=prefix(0), statement="a prefix sum is itself")
off_by_one = Claim("off_by_one", lhs=prefix(0), rhs=prefix(1), statement="the strict prefix sum")
known_false = Claim("known_false", lhs=prefix(0), rhs=prefix(1), statement="kept as a near miss", expect="refuted")
'''


@pytest.fixture
def library(pytester: pytest.Pytester):
    pytester.makepyfile(**{"derivations/prefix": GOOD, "tests/test_plain": "def test_plain():\n    assert True\n"})
    return pytester


def test_each_claim_is_an_item_and_a_false_one_fails_with_its_counterexample(library):
    result = library.runpytest("derivations", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(["*prefix.off_by_one*", "*counterexample (confirmed with mpmath):*", "*sizes: T=1*"])


def test_k_selects_claims_by_name(library):
    library.runpytest("derivations", "-k", "same", "-p", "no:cacheprovider").assert_outcomes(passed=1, deselected=2)


def test_ordinary_test_runs_collect_no_claims(library):
    library.runpytest("tests", "-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_the_option_collects_a_directory(library):
    result = library.runpytest("tests", "--symcheck", "derivations", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=3, failed=1)


def test_a_broken_file_is_one_collection_error_and_the_rest_still_run(library):
    library.makepyfile(**{"derivations/broken": "from symcheck import Claim\nx = Claim(\n"})
    library.makepyfile(**{"derivations/raises": "from symcheck import Claim\nbad = Claim('bad', lhs=1, rhs=2, statement='s')\n"})
    result = library.runpytest("derivations", "--continue-on-collection-errors", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, failed=1, errors=2)
    result.stdout.fnmatch_lines(["*raises.py:2*lhs must be a Model*"])


def test_junit_names_each_claim(library):
    library.runpytest("derivations", "--junitxml=out.xml", "-p", "no:cacheprovider")
    xml = (library.path / "out.xml").read_text()
    assert 'name="same"' in xml and 'name="off_by_one"' in xml and "<failure" in xml


def test_a_rerun_reads_decided_claims_from_the_proof_cache(library, monkeypatch):
    run = ("derivations", "--symcheck-cache-dir", "proofs", "-p", "no:cacheprovider")
    library.runpytest(*run).assert_outcomes(passed=2, failed=1)
    assert len(list((library.path / "proofs").glob("*.summary"))) == 3

    def unexpected(*args, **kwargs):
        raise AssertionError("a cached claim was checked again")
    monkeypatch.setattr("symcheck.pytest_plugin.check", unexpected)
    result = library.runpytest(*run)
    result.assert_outcomes(passed=2, failed=1)          # the refutation is shown from the cache too
    result.stdout.fnmatch_lines(["*prefix.off_by_one*", "*counterexample (confirmed with mpmath):*"])


def test_no_cache_checks_again_and_writes_nothing(library):
    library.runpytest("derivations", "--symcheck-no-cache", "--symcheck-cache-dir", "proofs",
                      "-p", "no:cacheprovider").assert_outcomes(passed=2, failed=1)
    assert not (library.path / "proofs").exists()
