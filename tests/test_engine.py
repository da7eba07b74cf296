"""Verdicts are never optimistic: undecided when stuck, error when malformed."""

from __future__ import annotations

import pytest
import sympy as sp

from symcheck import Claim, ClaimError, Config, check, from_index, indices, make_sum, matrix, sizes, causal_attention

T, d = sizes("T d")
Q, K, V = matrix("Q", T, d), matrix("K", T, d), matrix("V", T, d)


def test_true_but_unprovable_claim_is_undecided_not_refuted():
    # Σ_{j=1}^{t} 1 = t is true, but no rule evaluates a constant sum: the honest answer is undecided.
    def count(t, b):
        (j,) = indices("j")
        return make_sum(1, j, 1, t)
    claim = Claim("count", from_index(T, d, count), from_index(T, d, lambda t, b: t), "x")
    r = check(claim, Config(max_size=3))
    assert r.verdict == "undecided"
    assert "normal forms differ" in r.reason and "no counterexample" in r.reason


def _count_claim(**kw) -> Claim:
    (j,) = indices("j")
    return Claim("count", from_index(T, d, lambda t, b: make_sum(1, j, 1, t)), from_index(T, d, lambda t, b: t),
                 "x", **kw)


def test_an_expected_undecided_claim_passes_only_when_undecided_and_numerically_checked():
    r = check(_count_claim(expect="undecided", reason="no rule evaluates a constant sum"), Config(max_size=3))
    assert r.verdict == "undecided" and r.trials > 0 and r.ok
    unchecked = check(_count_claim(expect="undecided", reason="r"), Config(max_size=3, max_trials=0))
    assert unchecked.verdict == "undecided" and unchecked.trials == 0 and not unchecked.ok
    false = Claim("f", causal_attention(Q, K, V), causal_attention(Q, K, V, scale=1), "x", expect="undecided",
                  reason="r")
    assert check(false, Config(max_size=2)).verdict == "refuted" and not check(false, Config(max_size=2)).ok


@pytest.mark.parametrize("kw", [{"expect": "undecided"}, {"expect": "proved", "reason": "why"},
                                {"expect": "undecided", "reason": ""}])
def test_reason_goes_with_expect_undecided_and_only_with_it(kw):
    with pytest.raises(ClaimError, match=r"claim count, field reason: reason= is required with expect='undecided'"):
        _count_claim(**kw)


def test_budget_exhaustion_is_undecided_with_reason():
    from symcheck import sdnc_read
    claim = Claim("main", causal_attention(Q, K, V), sdnc_read(Q, K, V, slots=sizes("N")[0]), "x")
    r = check(claim, Config(max_steps=5, max_size=2))
    assert r.verdict == "undecided" and "step budget" in r.reason


def test_shape_mismatch_is_an_error_naming_the_claim_and_field():
    Vw = matrix("W", T, d + 1)
    claim = Claim("wrong", causal_attention(Q, K, V), causal_attention(Q, K, Vw), "x")
    r = check(claim)
    assert r.verdict == "error"
    assert "claim wrong" in r.reason and "field shape" in r.reason


def test_a_false_claim_with_a_tiny_budget_is_never_proved():
    claim = Claim("f", causal_attention(Q, K, V), causal_attention(Q, K, V, scale=1), "x", expect="refuted")
    for steps in (1, 10, 100):
        assert check(claim, Config(max_steps=steps)).verdict in ("refuted", "undecided")


def test_results_reproduce_with_the_same_seed():
    claim = Claim("f", causal_attention(Q, K, V), causal_attention(Q, K, V, scale=1), "x", expect="refuted")
    a, b = check(claim, Config(seed=4)), check(claim, Config(seed=4))
    assert a.counterexample == b.counterexample


def test_time_budget_ends_a_huge_claim_as_undecided():
    from symcheck.index import Entry
    chain = Q
    # a hundred-fold product: the normalizer took a 40-fold one to its normal form in 2.5 s (session 12), within
    # its 3.6 s share, so the budget was not what ended it; its time grows about as the square of the length
    for _ in range(100):
        chain = chain @ K.T @ Q
    huge = from_index(T, d, lambda t, b: Entry(chain @ K.T @ V, t, b))
    claim = Claim("huge", huge, from_index(T, d, lambda t, b: V[t, b]), "x")
    # 6 s, not 1: the falsifier's share (40%) is wall time, and on a loaded machine (several test runs
    # sharing 2 cores) a 0.4 s or 1.2 s share was not always enough CPU to evaluate the 40-fold product
    r = check(claim, Config(max_seconds=6.0, max_size=2))
    assert r.seconds < 15 and "time budget exhausted" in r.reason
    assert r.verdict == "refuted"          # the falsifier keeps its share of the budget


def test_the_alarm_fires_again_when_its_first_exception_is_swallowed():
    """A garbage-collection hook ignores exceptions: the first BudgetExceeded may be lost there."""
    import time
    import pytest
    from symcheck.budget import BudgetExceeded, interrupt_at
    start = time.monotonic()
    with pytest.raises(BudgetExceeded):
        with interrupt_at(start + 0.05):
            try:
                while time.monotonic() - start < 5:
                    pass
            except BudgetExceeded:
                pass                                  # lost, as inside a callback whose errors are ignored
            while time.monotonic() - start < 5:
                pass
    assert time.monotonic() - start < 1


def test_an_alarm_lost_in_a_finalizer_is_not_reported_as_an_ignored_exception():
    import gc
    import sys
    import time
    import weakref
    import pytest
    from symcheck.budget import BudgetExceeded, interrupt_at

    class Slow:
        pass

    reported = []
    hook, sys.unraisablehook = sys.unraisablehook, reported.append
    try:
        with pytest.raises(BudgetExceeded):
            with interrupt_at(time.monotonic() + 0.05):
                obj = Slow()
                weakref.finalize(obj, lambda: time.sleep(0.2))          # the alarm fires inside it, and is lost
                del obj
                gc.collect()
                while True:
                    pass
    finally:
        sys.unraisablehook = hook
    assert reported == []


def test_a_looping_rule_set_hits_the_step_budget():
    import pytest
    from symcheck.context import Context
    from symcheck.normalize import BudgetExceeded, Normalizer
    from symcheck.rules.base import Rule
    x, y = indices("x y")
    there = Rule("there", "e^x = e^y", sp.exp, lambda e, c: sp.exp(y) if e == sp.exp(x) else e)
    back = Rule("back", "e^y = e^x", sp.exp, lambda e, c: sp.exp(x) if e == sp.exp(y) else e)
    with pytest.raises(BudgetExceeded, match="step budget of 50"):
        Normalizer(rules=(there, back), max_steps=50).derive(sp.exp(x), Context())
