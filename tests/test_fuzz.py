"""Issue 9: random claims, and a brute-force oracle that must agree with every `proved` and `refuted`.

The long run is `python benchmarks/fuzz.py --claims N --seed S`.
"""

from fractions import Fraction

import mpmath
import pytest

from symcheck.config import Config
from symcheck.fuzz import (DIGITS, PROBLEMS, Aff, FuzzClaim, Indeterminate, compile_written, generate, reproducer,
                           run_claim, summarize)

SEED, CLAIMS = 0, 100
CONFIG = Config(max_seconds=2.0, max_steps=2000)

t, T, j = Aff.of("t"), Aff.of("T"), Aff.of("j")
x = ("e", "X", t, Aff.of("b"))


def _value(node, X=((0,),), **sizes):
    env = {"T": Fraction(len(X)), "d": Fraction(len(X[0])), "t": Fraction(1), "b": Fraction(1)}
    env |= {k: Fraction(v) for k, v in sizes.items()}
    rows, cols = len(X), len(X[0])
    data = [[Fraction(v) for v in row] for row in X]
    env["@"] = {"X": lambda i, k: data[int(i) - 1][int(k) - 1]
                if i.denominator == 1 and k.denominator == 1 and 1 <= i <= rows and 1 <= k <= cols else Fraction(0)}
    with mpmath.workdps(DIGITS):
        return compile_written(node)(env)


@pytest.mark.parametrize("node, X, expected", [
    (("rec", x), ((0,),), 0),                                          # 1/0 = 0
    (("rec", x), ((-2,),), Fraction(-1, 2)),
    (("/", ("n", Fraction(3)), x), ((0,),), 0),
    (("pow", x, Fraction(1, 2)), ((-4,),), 0),                         # a root of a negative number is 0
    (("pow", x, Fraction(1, 2)), ((4,),), 2),
    (("pow", x, Fraction(-2)), ((-2,),), Fraction(1, 4)),              # integer powers of negatives are ordinary
    (("pow", x, Fraction(-1, 3)), ((0,),), 0),
    (("log", x), ((-3,),), 0),
    (("log", x), ((0,),), 0),
    (("log", x), ((1,),), 0),
    (("exp", ("log", x)), ((0,),), 1),                                 # exp(log 0) = exp 0
    (("relu", x), ((-3,),), 0),
    (("abs", x), ((-3,),), 3),
    (("e", "X", t + 1, Aff.of("b")), ((5,),), 0),                      # outside the shape: 0
    (("e", "X", t - 1, Aff.of("b")), ((5,),), 0),
    (("sum", "j", Aff.of(2), Aff.of(1), ("rec", ("n", Fraction(0)))), ((5,),), 0),    # empty range
    (("sum", "j", Aff.of(1), T, ("e", "X", j, Aff.of("b"))), ((1,), (2,), (3,)), 6),
    (("sum", "j", Aff.of(1), T, ("sum", "j", Aff.of(1), j, ("i", j))), ((0,), (0,)), 4),   # shadowed: 1 + (1 + 2)
    (("g", ("rel", "lt", ("i", j * 0 + t), ("i", T * Fraction(1, 2)))), ((0,), (0,), (0,)), 1),   # 1 < 3/2
    (("g", ("rel", "le", ("i", t), ("i", T * Fraction(1, 2) - 1))), ((0,), (0,), (0,)), 0),      # 1 <= 1/2
    (("g", ("not", ("rel", "ne", ("i", t), ("n", Fraction(1))))), ((0,),), 1),
    (("g", ("or", ("rel", "gt", ("i", t), ("i", T)), ("rel", "eq", ("i", t), ("i", T)))), ((0,),), 1),
])
def test_oracle_semantics(node, X, expected):
    assert _value(node, X) == expected


def test_oracle_refuses_values_that_rounding_could_flip():
    near_zero = ("+", ("exp", ("log", ("n", Fraction(3)))), ("n", Fraction(-3)))    # 3.000...01 - 3
    with pytest.raises(Indeterminate):
        _value(("rec", near_zero))


def test_generation_is_deterministic():
    a, b = generate(7, 30), generate(7, 30)
    assert [(c.lhs_src, c.rhs_src, c.where_src) for c in a] == [(c.lhs_src, c.rhs_src, c.where_src) for c in b]
    assert generate(7, 5, start=25) == a[25:]
    assert len({c.family for c in generate(7, 200)}) >= 15


def test_reproducer_rebuilds_the_claim():
    fc = generate(3, 1)[0]
    ns = {}
    exec(reproducer(fc).replace("print(check(claim, Config()).verdict)", ""), ns)
    built = fc.build()
    t_, b_ = ns["indices"]("t b")
    assert ns["claim"].lhs.entry(t_, b_) == built.lhs.entry(t_, b_)
    assert ns["claim"].rhs.entry(t_, b_) == built.rhs.entry(t_, b_)


def test_a_false_proof_is_caught():
    """The oracle's own check: a claim that is false at T = 4 only (x/x with x = T - 4)."""
    four = ("i", T - 4)
    fc = FuzzClaim("fuzz_probe", "probe", ("*", four, ("rec", four)), ("n", Fraction(1)))
    from symcheck.fuzz import brute_force
    v = brute_force(fc)
    assert v.false and v.tree_false and v.found["written"].sizes["T"] == 4


def test_fuzz_verdicts():
    """No false claim proved, no true claim refuted, every counterexample real."""
    outcomes = [run_claim(fc, CONFIG, light=False) for fc in generate(SEED, CLAIMS)]
    bad = [o for o in outcomes if o.problem in PROBLEMS]
    summary = summarize(outcomes)
    assert summary["verdicts"].get("proved", 0) >= CLAIMS // 5, summary       # the run exercises the prover
    report = "\n\n".join(f"{o.claim.name}: {o.problem}: {o.detail}\n{reproducer(o.claim, CONFIG)}" for o in bad)
    if bad:
        pytest.fail(f"{len(bad)} unsound verdicts ({summary['problems']}):\n{report}", pytrace=False)
