"""Red team of d37bbc9, e86aa90 and 0c2de7b: the checker's search budgets for nests of sums (`MAX_NEST_WORK` per
α-equivalence test, `MAX_NEST_SEARCH` per certificate through the ContextVar `_SHARED` that `replay` sets with
`search_budget`) and the `uses` heuristic that orders the partners of a nest's sum.

Attacked, soundness: the `first` orders (a stable sort of range(n) by a boolean key: always a permutation, so no
partner is skipped or tried twice and every yielded order is a bijection), the `uses` memo (keyed by the subtree
and the index, a pure occurrence count: at worst a bad order, never a test), `self.counts` shared by the two sides
(the same count for the same key on either side), budgets spent (`spend` false -> `matchings` stops, `sums`
returns False; never True). Attacked, the ContextVar: `search_budget.__exit__` resets its token on every exit,
`Rejected` included; `replay -j` forks one process per file; no prover code calls `alpha_equal`; independent
certificates each get a fresh budget. Recursion in `uses`: its depth is the tree's, which the parser bounds at
`MAX_DEPTH` = 100 (and `replay` turns any exception into `Rejected`). All these attacks failed; the guards below
pin them down.

One hole, a denial of service: a unit of the budget is not a bounded amount of work. A unit is "an order tried"
or "a pair of ranges compared", but each order compares a whole body, and a comparison of terms that are not
alike falls back to `collected` -> `combination` -> `classes`, which buckets terms by `key`, and `key` gives EVERY
symbol the same hash (to be invariant under renaming). The K free symbols c1 + ... + cK of an Add are one bucket:
`classes` compares each with every representative before it, O(K^2) `eq` calls, per comparison. Measured:
- no nest at all: `alpha_equal(C + Σ_v X[v], C + Σ_w 2·X[w])`, C = c0 + ... + cK, took 0.8 s at K = 1,000,
  5.5 s at 2,000, 33 s at 5,000; `replay` of the forged one-step `alpha-rename` certificate (154 kB) took 33 s
  before its `Rejected`; quadratic, so the 2 MB an expression may have is hours;
- through nests: six alike sums whose body is C·X[v0]·X[v1]^2·...·X[v5]^6 against ...^7 (the body of every
  order tried is C·(...) against C·(...)): 2,676 units, 3 s at K = 100, 49 s at K = 400 (7.5 kB); eight such
  nests in one Add spend the test's 20,000 units (25 s at K = 100); the budget caps the units, not their cost.
The first two tests failed while the hole existed (they count `eq` calls and stop at 100·MAX_NEST_WORK). Fixed:
a symbol whose name no binder of either side binds is free everywhere and keyed by its name (c1 ... cK are K
buckets), and every pair of candidates compared (terms, factors, classes, orders, ranges) spends from the budgets.
"""

from __future__ import annotations

import pytest
import sympy as sp

from helpers import T, TooMuchWork, b, certificate_frame, count_alpha_calls, d, forged_alpha_rename
from symcheck import index, matrix, replay as replay_module, replay_alpha
from symcheck.index import Sigma
from symcheck.replay import Rejected, replay
from symcheck.replay_alpha import alpha_equal

q = matrix("X", T, d).base


@pytest.fixture
def counted(monkeypatch):
    """Counts `_Alpha.eq` calls and stops the test past 100·MAX_NEST_WORK of them (the nests2 guards' limit)."""
    return count_alpha_calls(monkeypatch, 100 * replay_alpha.MAX_NEST_WORK)


def _free(k: int) -> sp.Expr:
    return sp.Add(*(sp.Symbol(f"c{n}", integer=True) for n in range(k)))


# -- the hole: a unit of the budget may cost O(K^2) --------------------------------------------------------------

def test_one_test_over_many_free_symbols_is_not_quadratic(counted):
    """C + Σ_v X[v] against C + Σ_w 2·X[w], C a sum of 3,000 free symbols: `classes` puts all of C's terms in one
    bucket (`key` hashes every symbol alike) and compares each pair: ~K^2 `eq` calls (33 s in replay at K = 5,000)."""
    c = _free(3000)
    v, w = index("v"), index("w")
    try:
        same = alpha_equal(c + Sigma(q[v, b], v, 1, T), c + Sigma(2 * q[w, b], w, 1, T), renaming=True)
    except TooMuchWork:
        pytest.fail(f"more than {counted[0] - 1} comparisons to tell apart two sums of 3,001 terms")
    assert not same


def _nest(last: int, name: str, c: sp.Expr, n: int = 6) -> sp.Expr:
    vs = [index(f"{name}{m}") for m in range(n)]
    e = c * sp.Mul(*(q[x, b] ** (m + 1) for m, x in enumerate(vs[:-1]))) * q[vs[-1], b] ** last
    for x in vs:
        e = Sigma(e, x, 1, T)
    return e


def test_an_order_of_a_nest_costs_a_bounded_comparison(counted):
    """Six alike sums whose bodies differ (X[v5]^6 against ^7) under a common factor of 150 free symbols: 720
    orders are tried within the budget (2,676 units), but each compares C·(...) with C·(...), O(K^2) through
    `collected` and `classes` (49 s at K = 400): the budget bounds the units, not the work."""
    c = _free(150)
    try:
        same = alpha_equal(_nest(6, "v", c), _nest(7, "w", c), renaming=True)
    except TooMuchWork:
        pytest.fail(f"more than {counted[0] - 1} comparisons to tell apart two nests of six sums")
    assert not same


# -- guards: attacks that failed ---------------------------------------------------------------------------------

def test_the_partners_tried_are_a_permutation(monkeypatch):
    """`first[k]` must hold every partner once: a skipped one loses a proof, a repeated one could match two sums
    of x with one of y (a non-bijection)."""
    seen = []
    matchings = replay_alpha._Alpha.matchings

    def checked(self, bx, by, ids, left, right, first, order=()):
        for row in first:
            seen.append(sorted(row) == list(range(len(bx))))
        return matchings(self, bx, by, ids, left, right, first, order)

    monkeypatch.setattr(replay_alpha._Alpha, "matchings", checked)
    vs = [index(f"v{m}") for m in range(5)]
    body = q[vs[0], b] * q[vs[0], b] ** 2 * q[vs[3], b]          # uneven uses: the sort reorders
    x = y = body
    for v in reversed(vs):
        x = Sigma(x, v, 1, T)
    for v in vs:                                               # the reverse nesting order
        y = Sigma(y, v, 1, T)
    assert alpha_equal(x, y, renaming=True)
    assert seen and all(seen)


def test_a_spent_budget_never_accepts(monkeypatch):
    """With any budget, from none to plenty, a pair of different value is unequal (spent: refused, never True)."""
    c = sp.Integer(1)
    x, y = _nest(5, "v", c, 5), _nest(6, "w", c, 5)
    for units in (0, 1, 2, 5, 17, 60, 200, 1000):
        monkeypatch.setattr(replay_alpha, "MAX_NEST_WORK", units)
        assert not alpha_equal(x, y, renaming=True)


def _reversed_pair(n: int = 5):
    vs = [index(f"v{m}") for m in range(n)]
    ws = [index(f"w{m}") for m in range(n)]
    x = sp.Mul(*(q[v, b] ** (m + 1) for m, v in enumerate(vs)))
    y = sp.Mul(*(q[w, b] ** (m + 1) for m, w in enumerate(ws)))
    for v in reversed(vs):
        x = Sigma(x, v, 1, T)
    for w in ws:
        y = Sigma(y, w, 1, T)
    return x, y


def test_a_certificate_rejected_for_its_budget_leaves_no_budget_behind(monkeypatch):
    """A certificate whose nest search spends past `MAX_NEST_SEARCH` is rejected; the ContextVar is reset, and the
    next certificate (the same valid renaming) gets a budget of its own, not what is left of the first one's."""
    x, y = _reversed_pair()
    cert = forged_alpha_rename(certificate_frame(), x, y)
    assert replay(cert).steps == 1
    monkeypatch.setattr(replay_module, "MAX_NEST_SEARCH", 20)
    with pytest.raises(Rejected, match="budget for one certificate"):
        replay(cert)
    assert replay_alpha._SHARED.get() is None
    with replay_alpha.search_budget(10 ** 9):                      # what one replay spends
        replay(cert, _budget=[replay_module.MAX_STEPS, replay_module.MAX_TOTAL_WORK])
        spent = 10 ** 9 - replay_alpha._SHARED.get()[0]
    monkeypatch.setattr(replay_module, "MAX_NEST_SEARCH", int(2.5 * spent))
    for _ in range(3):                       # each from a fresh budget (shared, the third would be refused)
        assert replay(cert).steps == 1
    assert replay_alpha._SHARED.get() is None
    assert alpha_equal(x, y, renaming=True)                   # outside replay: no certificate budget


def test_uses_on_a_nest_as_deep_as_the_parser_allows():
    """`uses` recurses as deep as the tree; the parser bounds it (MAX_DEPTH = 100), far below Python's limit."""
    vs = [index(f"v{m}") for m in range(95)]
    x = q[vs[-1], b]
    y = q[vs[-1], b]
    for v in reversed(vs):
        x = Sigma(x, v, 1, T)
    for v in reversed(vs[:-1]):
        y = Sigma(y, v, 1, T)
    y = Sigma(y, vs[-1], 1, T)                                # the read sum moved outermost
    ws = [index(f"w{m}") for m in range(95)]
    y = y.xreplace(dict(zip(vs, ws)))
    assert alpha_equal(x, y, renaming=True)
