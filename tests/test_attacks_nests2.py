"""Red team of f942b75: the checker's α-equivalence reorders whole nests of sums (`_Alpha.matchings`), each sum
of y above a range not yet matched read as an unknown of its own (`-self.fresh()`), the search capped at
`MAX_ORDERS` orders and (then) `MAX_RANGE_TESTS` range comparisons per nest.

Attacked: `matchings` with `classes` / `collected` / `multiset` (like terms of a range that read an unmatched
sum, nests inside the ranges of nests inside ranges, the unknowns of a nest inside a range), ids shared by the
left and right environments (`fresh` is one counter; `classes` compares within one side under one environment),
the fast path `left == right and x == y`, `n = min(len(bx), len(by))` with shadowing, Prod nests, the caps, the
`key` buckets, powers collected by `collected` (x^a·x^b: the parser only lets natural exponents or bases sympy
knows positive through), and forged one-step `alpha-rename` certificates whose two sides differ only at T >= 4
(the replay's numeric instantiations use sizes up to 3). Random differential testing: about 150,000 mutated
nests (adjacent sums swapped with their ranges kept, binders renamed with capture, like terms split and
collected, occurrences renamed, canonical renaming), values compared exactly by an independent evaluator at
T = 1..5: the checker accepted no pair of different value and renaming kept every value.

No soundness hole found. One hole, a denial of service: the caps bound ONE nest, not a nest inside a nest.
`sums` tries up to MAX_ORDERS = 720 orders of a nest, and each order compares the body, which may be another
nest of alike ranges that again tries its 720 orders (and so on): the work is 720^levels. Two levels of six
alike sums whose innermost bodies differ (X[b5]^6 against X[b5]^7) took 70 s in `alpha_equal` and 100 s in
`replay` of a forged one-step certificate (the step's check runs before the numeric one); three levels of four
took 1.1 s (24^3), so three levels of six (720 times two levels) are about 14 hours. A certificate of a few kilobytes hangs the checker, which the
module promises to turn into a quick `Rejected`. `MAX_RANGE_TESTS` was per call of `sums`, and body comparisons
were not counted at all. Fixed: one budget for the whole test (`MAX_NEST_WORK`: every order tried and every pair
of ranges compared, in every nest, spends from it; spent, the nests are unequal). The first test failed before.

The other tests are guards that pass: attacks that failed and pin down a real risk.
"""

from __future__ import annotations

import random

import pytest
import sympy as sp

from helpers import T, TooMuchWork, b, count_alpha_calls, d, exact_value
from symcheck import Claim, Config, check, from_index, index, matrix
from symcheck import replay_alpha
from symcheck.binders import canonical_names
from symcheck.certificate import certificate
from symcheck.index import Iverson, Prod, Sigma
from symcheck.replay import Rejected, replay
from symcheck.replay_alpha import alpha_equal
from test_attacks_nests import A, B, _forged, _value

X = matrix("X", T, d)
q = X.base
a, s, u, v, w, z, c = (index(n) for n in "asuvwzc")
RESERVED = {"t", "b", "T", "d", "N"}


def _values(e) -> list:
    return [float(_value(e, {T: sp.Integer(n), b: sp.Integer(1)})) for n in (1, 2, 3, 4, 5)]


# -- the hole: nests inside nests multiply the capped work ---------------------------------------------------

def _tower(levels: int, n: int, last: int) -> sp.Expr:
    """`levels` nests of n alike sums (Σ and Π alternating, so that each is a nest of its own), each the body of
    the one above; the innermost body X[v0]·X[v1]^2·...·X[v_{n-1}]^last. Every order of every nest fits."""
    body = None
    for level in reversed(range(levels)):
        vs = [index(f"v{level}_{i}") for i in range(n)]
        e = body if body is not None else \
            sp.Mul(*(q[x, b] ** (i + 1) for i, x in enumerate(vs[:-1]))) * q[vs[-1], b] ** last
        for x in vs:
            e = (Sigma if level % 2 == 0 else Prod)(e, x, 1, T)
        body = e
    return body


def test_a_nest_of_nests_is_told_apart_in_bounded_work(monkeypatch):
    """Three levels of six alike sums, the innermost bodies unequal: every one of the 720 orders of a nest is
    tried, and each compares the body, the next nest, whose 720 orders are all tried: 720^3 comparisons of the
    innermost bodies (hours). The checker must refuse (or decide) within one budget for the whole test; a pair
    that does match is still found."""
    limit = 100 * replay_alpha.MAX_NEST_WORK
    calls = count_alpha_calls(monkeypatch, limit)
    assert alpha_equal(_tower(3, 6, 6), _tower(3, 6, 6), renaming=True)
    calls[0] = 0
    try:
        same = alpha_equal(_tower(3, 6, 6), _tower(3, 6, 7), renaming=True)
    except TooMuchWork:
        pytest.fail(f"more than {limit} comparisons to tell apart two nests of nests of 18 sums")
    assert not same


# -- guards: attacks that failed -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def frame():
    """The certificate of X = X: a frame whose starts and steps a forger replaces."""
    return certificate(check(Claim("p", from_index(T, d, lambda r, col: X[r, col]),
                                   from_index(T, d, lambda r, col: X[r, col]), statement="s"), Config(max_seconds=30)))


# The previous hole one level down: s is sum 1 of its nest (c above it), and the nests of the range's two terms
# have an outer sum z first, so that w, unmatched above v's range, is also the second sum of its nest. With the
# sentinel -1 - q both read -2 and A4 - B4 cancelled (the checker of e1719c9 accepts this pair).
A4 = Sigma(Sigma(Sigma(Iverson(sp.Le(u, 4)), v, 1, 1), u, 4, s), z, 1, 1)     # [s >= 4]
B4 = Sigma(Sigma(Sigma(Iverson(sp.Le(v, 4)), v, 4, w), w, 1, 1), z, 1, 1)     # 0
LEFT4 = Sigma(Sigma(Sigma(q[a, b], s, 1, T), a, 1, T - 1), c, 1, 1)
RIGHT4 = Sigma(Sigma(Sigma(q[a, b], a, 1, T - 1 + A4 - B4), s, 1, T), c, 1, 1)

# The previous hole in a nest of products (Π_a Π_s (X[a] + 2)): Prod nests are reordered alike (old: accepted).
PLEFT = Prod(Prod(q[a, b] + 2, s, 1, T), a, 1, T - 1)
PRIGHT = Prod(Prod(q[a, b] + 2, a, 1, T - 1 + A - B), s, 1, T)

# A nest inside a sum inside the range: the unknowns stay apart two binders down.
DEEP = Sigma(Sigma(q[a, b], a, 1, T - 1 + Sigma(A - B, z, 1, 1)), s, 1, T)
DEEP_LEFT = Sigma(Sigma(q[a, b], s, 1, T), a, 1, T - 1)


@pytest.mark.parametrize("left, right", [(LEFT4, RIGHT4), (PLEFT, PRIGHT), (DEEP_LEFT, DEEP)],
                         ids=["nest-in-range-one-level-down", "products", "range-of-a-sum-in-a-range"])
def test_unknowns_of_nests_inside_ranges_stay_apart(frame, left, right):
    """Equal at T <= 3 (what replay instantiates), different from T = 4 on: never a renaming."""
    lv, rv = _values(left), _values(right)
    assert all(abs(x - y) < 1e-9 for x, y in zip(lv[:3], rv[:3])) and abs(lv[3] - rv[3]) > 1e-6
    assert not alpha_equal(left, right, renaming=True) and not alpha_equal(right, left, renaming=True)
    with pytest.raises(Rejected, match="not a renaming"):
        replay(_forged(frame, left, right))
    assert canonical_names(left, RESERVED) != canonical_names(right, RESERVED)


# -- a small differential test: what the checker accepts as a renaming has one value -------------------------

NAMES = [index(n) for n in "jklm"]
Y = sp.IndexedBase("Y")
ROW = [2, -1, 3, 0, -2, 1, 1, -3, 2, 0, -1, 3]


def _exact(e, env: dict):
    """Exact values: Y[i] = ROW[i mod 12] + i (defined at every integer)."""
    return exact_value(e, env, lambda x, at: sp.Integer(ROW[at[0] % 12] + at[0]))


def _random_tree(rng, depth: int, scope: list) -> sp.Expr:
    choice = rng.randrange(7 if depth else 3)
    if choice == 0:
        return Y[rng.choice(scope)]
    if choice == 1:
        return sp.Integer(rng.randint(1, 2))
    if choice == 2:
        x, y = rng.choice(scope), rng.choice([*scope, T, sp.Integer(2)])
        return Iverson(sp.Le(x, y)) if x != y else sp.Integer(1)
    if choice in (3, 4):
        left, right = _random_tree(rng, depth - 1, scope), _random_tree(rng, depth - 1, scope)
        return left + right if choice == 3 else left * right
    var = rng.choice(NAMES)
    hi = rng.choice([T, *scope])
    if depth > 1 and rng.random() < 0.2:          # a nest inside the range, reading the indices in scope
        x = rng.choice(NAMES)
        hi = hi + Sigma(Sigma(Iverson(sp.Le(x, rng.choice([*scope, x]))), x, 1, rng.choice(scope)), z, 1, 1) - 1
    body = _random_tree(rng, depth - 1, [y for y in scope if y != var] + [var])
    return (Sigma if rng.random() < 0.8 else Prod)(body, var, rng.choice([sp.Integer(1), *scope]), hi)


def _at(e, path):
    for k in path:
        e = e.args[k]
    return e


def _put(e, path, new):
    if not path:
        return new
    args = list(e.args)
    args[path[0]] = _put(args[path[0]], path[1:], new)
    return e.func(*args)


def _paths(e, path=()):
    yield path
    for k, x in enumerate(e.args):
        yield from _paths(x, (*path, k))


def _mutated(rng, e):
    """Swap two directly nested sums keeping their ranges, rename a binder (capture allowed), split a sum
    into like terms, or rename one occurrence."""
    ranges = [p for p in _paths(e) if isinstance(_at(e, p), (Sigma, Prod))]
    if not ranges:
        return e
    p = rng.choice(ranges)
    x = _at(e, p)
    kind = rng.randrange(4)
    if kind == 0 and type(x.body) is type(x):
        i = x.body
        return _put(e, p, x.func(x.func(i.body, x.var, x.lo, x.hi), i.var, i.lo, i.hi))
    if kind in (0, 1):
        new = rng.choice(NAMES)
        return _put(e, p, x.func(x.body.xreplace({x.var: new}), new, x.lo, x.hi))
    if kind == 2:
        new = index("n")
        return _put(e, p, 2 * x - x.func(x.body.xreplace({x.var: new}), new, x.lo, x.hi))
    symbols = [r for r in _paths(e) if isinstance(_at(e, r), sp.Symbol) and _at(e, r) != T]
    return _put(e, rng.choice(symbols), rng.choice(NAMES)) if symbols else e


def test_what_the_checker_accepts_as_a_renaming_has_one_value():
    rng = random.Random(11)
    accepted = 0
    for _ in range(400):
        x = _random_tree(rng, 4, [index("t")])
        y = x
        for _ in range(rng.randint(1, 3)):
            y = _mutated(rng, y)
        if rng.random() < 0.3:
            y = canonical_names(y, RESERVED)
        if y == x or not alpha_equal(x, y, renaming=True):
            continue
        accepted += 1
        for n in (1, 2, 4):
            for row in (1, n):
                env = {T: sp.Integer(n), index("t"): sp.Integer(row)}
                try:
                    vx = _exact(x, env)
                except KeyError:            # a free name no binder gives a value: so does y
                    continue
                assert vx == _exact(y, env), (x, y)
    assert accepted > 50
