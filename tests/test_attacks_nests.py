"""Red team of e1719c9: canonical renaming and the checker's α-equivalence reorder a whole nest of sums.

Attacked: `binders.canonical_names` (`_chain`, `_orders`, `_canon_memo`) and `replay_alpha._Alpha.matchings`
with shadowed names (a link named like the free t, like an outer sum's index, two links with one name), ranges
that read links placed later, products against sums, nests of unequal length (n = min), empty ranges, ranges
reading links through a bracket or a floor, sums inside ranges, nests deeper than the twelve pool names, and
random nests (thousands, values compared by an independent evaluator).

One hole, in the checker. `_Alpha.matchings` reads a y sum above a range that is not matched yet as the
sentinel `-1 - q`, q its place in its nest. The sentinel is not unique: a nest inside that range gives its own
unmatched sum q the same number. `_Alpha.classes` compares two terms of the y range under one environment (y's),
so a term reading the outer unmatched sum (Σ_{u=2}^{s} ..., s above the range) is α-equal to a term reading its
own first sum (Σ_{w=1}^{1} Σ_{v=2}^{w} ...), the two cancel, and a range that depends on a sum placed above it
is matched with one that does not: Σ_{a=1}^{T-1} Σ_{s=1}^{T} X[a] "equals" Σ_{s=1}^{T} Σ_{a=1}^{T-1+[s≥2]} X[a].
`replay` accepted the one-step `alpha-rename` certificate. The parent commit rejected the pair (its block stopped
at the dependent range). Fixed: each unmatched sum gets an id of its own (`-self.fresh()`); the two tests of the
hole failed before the fix.

Also found: with no matching, the depth-first search over n alike ranges and one odd one visits (n-1)! partial
matchings (ten sums took 45 s, a hostile certificate could hang the checker); the search now stops after
`MAX_NEST_WORK` comparisons of ranges and orders and calls the nests unequal (`tests/test_nests.py`). And renaming was
not idempotent on about 7% of nests of 12 to 16 links, where more than 24 orders of alike links tie (only the
first 24 are tried): a proof could be lost, never a false one made. Alike links past 24 orders are now told apart
by the links they meet (`binders._refined`, `tests/test_nests.py`).

The canonical renaming kept every value and never gave two trees of different value one form; the other
attacks on the checker failed. Those that pin down a real risk stay here as guards.
"""

from __future__ import annotations


import numpy as np
import pytest
import sympy as sp

from helpers import T, b, certificate_frame, d, exact_value, forged_alpha_rename, same, t
from symcheck import Claim, Config, check, from_index, index, matrix
from symcheck.binders import canonical_names
from symcheck.evaluate import evaluate
from symcheck.index import Iverson, Prod, Sigma
from symcheck.replay import Rejected, replay
from symcheck.replay_alpha import alpha_equal

X = matrix("X", T, d)
q = X.base
a, s, u, v, w, j, k, m = (index(n) for n in "asuvwjkm")
RESERVED = {"t", "b", "T", "d", "N"}
CONFIG = Config(max_seconds=30)
ROWS = np.random.default_rng(7).standard_normal((8, 2))


def _value(e, env: dict):
    """Exact values, X[i, c] read from ROWS (1-based)."""
    return exact_value(e, env, lambda x, at: sp.Float(ROWS[at[0] - 1, at[1] - 1]))


def _values(e) -> list:
    return [_value(e, {T: sp.Integer(n), t: sp.Integer(min(2, n)), b: sp.Integer(1)}) for n in (2, 3, 4, 5)]


def _close(x: list, y: list) -> bool:
    return all(abs(float(p) - float(r)) < 1e-9 for p, r in zip(x, y))


# -- the hole: a sentinel shared by two nests --------------------------------------------------------------

A = Sigma(Sigma(Iverson(sp.Le(u, 4)), v, 1, 1), u, 4, s)     # [s >= 4]: reads s, the sum above the range
B = Sigma(Sigma(Iverson(sp.Le(v, 4)), v, 4, w), w, 1, 1)     # 0: its inner range reads its own first sum
LEFT = Sigma(Sigma(q[a, b], s, 1, T), a, 1, T - 1)
RIGHT = Sigma(Sigma(q[a, b], a, 1, T - 1 + A - B), s, 1, T)  # a up to T − 1 + [s >= 4]: X[T] more when T >= 4


def test_the_pair_differs():
    assert [_value(A, {s: sp.Integer(n)}) for n in (1, 3, 4, 5)] == [0, 0, 1, 1]
    assert _value(B, {}) == 0
    at = {T: sp.Integer(4), b: sp.Integer(1)}
    assert abs(float(_value(RIGHT, at) - _value(LEFT, at) - _value(q[4, 1], {}))) < 1e-12


def test_a_term_that_reads_an_unmatched_sum_is_not_alike_a_term_that_reads_its_own():
    """Matching a with a, s of RIGHT is unmatched above a's range; B's w, unmatched above B's inner range, must
    not read as the same unknown (both were -1), or A − B cancels and a's range "is" T − 1."""
    assert not alpha_equal(LEFT, RIGHT, renaming=True)


@pytest.fixture(scope="module")
def frame():
    return certificate_frame()


_forged = forged_alpha_rename


def test_the_checker_rejects_the_forged_reordering(frame):
    """The pair differs only where T >= 4: the replay's numeric instantiations (sizes up to 3) do not see it."""
    with pytest.raises(Rejected, match="not a renaming"):
        replay(_forged(frame, LEFT, RIGHT))


def test_renaming_keeps_the_pair_apart_and_its_values():
    for e in (LEFT, RIGHT):
        assert _close(_values(canonical_names(e, RESERVED)), _values(e))
    assert canonical_names(LEFT, RESERVED) != canonical_names(RIGHT, RESERVED)


# -- guards: attacks that failed ---------------------------------------------------------------------------

def _claim(f):
    return from_index(T, d, f)


# Σ_j X[j]·Σ_{a=1}^{j} Σ_{j=1}^{T} X[a]X[j]: a's range reads the OUTER j, the inner sum shadows it
def _outer(r, c):
    return Sigma(X[j, c] * Sigma(Sigma(X[a, c] * X[j, c], j, 1, T), a, 1, j), j, 1, r)


def _captured(r, c):      # the inner j moved above a: a's range now reads it
    return Sigma(X[j, c] * Sigma(Sigma(X[a, c] * X[j, c], a, 1, j), j, 1, T), j, 1, r)


def _apart(r, c):         # the same move with the inner index renamed: a's range still reads the outer j
    return Sigma(X[j, c] * Sigma(Sigma(X[a, c] * X[m, c], a, 1, j), m, 1, T), j, 1, r)


def test_a_link_named_like_an_outer_sums_index_moves_only_renamed():
    assert not alpha_equal(_outer(t, b), _captured(t, b), renaming=True)
    assert alpha_equal(_outer(t, b), _apart(t, b), renaming=True)
    assert canonical_names(_outer(t, b), RESERVED) != canonical_names(_captured(t, b), RESERVED)
    assert canonical_names(_outer(t, b), RESERVED) == canonical_names(_apart(t, b), RESERVED)
    assert check(Claim("captured", _claim(_outer), _claim(_captured), statement="s"), CONFIG).verdict == "refuted"
    assert check(Claim("apart", _claim(_outer), _claim(_apart), statement="s"), CONFIG).verdict == "proved"


INPUTS = {"X": ROWS[:4]}


def _eval(e, rows: int = 4, row: int = 3) -> np.ndarray:
    return evaluate(e, {t: row, b: 2}, {"T": rows, "d": 2, "N": 3}, INPUTS)


@pytest.mark.parametrize("wrap", [
    lambda x: sp.floor((x + 1) / 2),          # through a floor
    lambda x: Iverson(sp.Le(x, 2)) + 1,       # through a bracket
])
def test_a_link_named_like_the_free_row_read_through_a_floor_or_a_bracket(wrap):
    """Σ_{a=1}^{f(t)} Σ_{t=1}^{T} (a's range reads the free t) against Σ_{t=1}^{T} Σ_{a=1}^{f(t)} (reads the sum)."""
    body = q[a, b] * q[t, b]
    x = Sigma(Sigma(body, t, 1, T), a, 1, wrap(t))
    y = Sigma(Sigma(body, a, 1, wrap(t)), t, 1, T)
    assert not _close(_values(x), _values(y))
    assert not alpha_equal(x, y, renaming=True) and not alpha_equal(y, x, renaming=True)
    assert canonical_names(x, RESERVED) != canonical_names(y, RESERVED)
    for e in (x, y):
        assert _close(_values(canonical_names(e, RESERVED)), _values(e))


def test_products_reorder_like_sums_and_never_trade_places_with_them():
    f = q[a, b] * q[k, b] + Iverson(sp.Le(k, a))
    x = Prod(Prod(Prod(f, k, 1, a), j, 1, t), a, 1, T)           # k's range reads a
    y = Prod(Prod(Prod(f, k, 1, a), a, 1, T), j, 1, t)           # j moved out: the same set of tuples
    wrong = Prod(Prod(Prod(f, k, 1, a), a, 1, T), j, 1, a)       # j's range reads a free a
    assert same(_eval(x), _eval(y)) and alpha_equal(x, y, renaming=True)
    assert canonical_names(x, RESERVED) == canonical_names(y, RESERVED)
    assert not alpha_equal(x, wrong, renaming=True)
    mixed_x = Sigma(Prod(q[a, b] + q[k, b], k, 1, a), a, 1, T)
    mixed_y = Prod(Sigma(q[a, b] + q[k, b], a, 1, T), k, 1, a)
    assert not alpha_equal(mixed_x, mixed_y, renaming=True)


def test_two_links_of_one_name_keep_their_readers():
    """Σ_{j=1}^{T} Σ_{j=1}^{j} Σ_{k=1}^{j} X[j]X[k]: k's range reads the inner j, the body too."""
    x = Sigma(Sigma(Sigma(q[j, b] * q[k, b], k, 1, j), j, 1, j), j, 1, T)
    ok = Sigma(Sigma(Sigma(q[m, b] * q[k, b], k, 1, m), m, 1, j), j, 1, T)
    outer = Sigma(Sigma(Sigma(q[m, b] * q[k, b], k, 1, j), m, 1, j), j, 1, T)    # k reads the outer j
    assert alpha_equal(x, ok, renaming=True) and not alpha_equal(x, outer, renaming=True)
    assert not same(_eval(x), _eval(outer))
    assert canonical_names(x, RESERVED) == canonical_names(ok, RESERVED) != canonical_names(outer, RESERVED)


def test_empty_ranges_over_an_enclosing_index():
    """Σ_{j=1}^{t} Σ_{k=j+1}^{t} Σ_{l=1}^{T}: empty at j = t; l may move out, k may not."""
    lk = index("l")
    f = q[j, b] * q[k, b] * q[lk, b]
    x = Sigma(Sigma(Sigma(f, lk, 1, T), k, j + 1, t), j, 1, t)
    y = Sigma(Sigma(Sigma(f, k, j + 1, t), j, 1, t), lk, 1, T)
    wrong = Sigma(Sigma(Sigma(f, lk, 1, T), j, 1, t), k, j + 1, t)
    for row in (1, 2, 3):
        assert same(_eval(x, row=row), _eval(y, row=row))
        assert same(_eval(canonical_names(x, RESERVED), row=row), _eval(x, row=row))
    assert alpha_equal(x, y, renaming=True) and not alpha_equal(x, wrong, renaming=True)


def test_a_nest_deeper_than_the_pool_keeps_its_value_and_the_reserved_names():
    """Fourteen links reading each other, named j, k and j1 .. j3 (j1 also reserved), renamed past the twelve pool
    names (j1 skipped)."""
    names = [index(n) for n in ("j", "k", "j1", "j2", "j3")]
    links, scope = [], []
    rng = np.random.default_rng(3)
    for n in range(14):
        var = names[n % len(names)]
        hi = scope[int(rng.integers(len(scope)))] if scope and n % 3 else sp.Integer(1 + n % 2)
        links.append((var, sp.Integer(1), hi))
        scope = [x for x in scope if x != var] + [var]
    e = q[scope[-1], b] * q[scope[0], b] + scope[1]
    for var, lo, hi in reversed(links):
        e = Sigma(e, var, lo, hi)
    reserved = RESERVED | {"j1"}
    out = canonical_names(e, reserved)
    bound = set()
    node = out
    while isinstance(node, Sigma):
        bound.add(node.var.name)
        node = node.body
    assert len(bound) == 14 and not bound & reserved
    assert _close(_values(out), _values(e))
    assert alpha_equal(e, out, renaming=True)


def test_a_range_with_a_nest_inside_is_renamed_soundly():
    """Sums in a range that reads the links above (the checker's sentinel case), renamed and compared by value."""
    inner = Sigma(Sigma(Iverson(sp.Le(u, w)), u, 1, j), w, 1, k)
    e = Sigma(Sigma(Sigma(q[a, b] * q[j, b], a, 1, T - 1 + inner - Sigma(Sigma(1, w, 1, j), u, 1, 1)), k, 1, 2), j, 1, T)
    out = canonical_names(e, RESERVED)
    assert _close(_values(out), _values(e))
    assert alpha_equal(e, out, renaming=True)
