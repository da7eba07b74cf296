"""Red-team of the chunkwise machinery: bilinear facts, floor-quotient, sum-concat, sum-blocks,
iverson-exclusive, claims posed chunk by chunk and their certificates.

The first section holds the attacks that worked (a false claim proved, or exit 3 for a user's input), each
with the fix it guards; the rest are the most instructive attacks that failed, kept so that they keep failing.
"""

from __future__ import annotations

import copy
import json

import pytest
import sympy as sp
from hypothesis import given, settings, strategies as st
from sympy import IndexedBase

from symcheck import Claim, Config, Iverson, check, from_index, make_sum, matrix
from symcheck.certificate import certificate
from symcheck.chunked import chunk_of, chunk_start
from symcheck.context import Context
from symcheck.digest import claim_digest
from symcheck.evaluate import evaluate
from symcheck.index import Sigma, index, size, sizes
from symcheck.normalize import Normalizer
from symcheck.replay import Rejected, replay
from symcheck.replay_rules import Site, check_step
from symcheck.rules import RULES

N, C, d, T = sizes("N C d T")
j, s, u = index("j"), index("s"), index("u")
X = matrix("X", N * C, d)
W = matrix("W", T, d)


def verdict(lhs, rhs, **kw):
    return check(Claim("c", lhs, rhs, statement="s", **kw), Config(max_seconds=20))


def rows(fn, n=N * C):
    return from_index(n, d, fn)


def placed(M, r, t, b):
    """M[r, b] with the guards 1 <= r <= t that let the in-range check place r."""
    return M[r, b] * Iverson(sp.Le(1, r)) * Iverson(sp.Le(r, t))


PREFIX = rows(lambda t, b: make_sum(X[j, b], j, 1, t))


# -- attacks that worked, and their fixes ---------------------------------------------------------------------
def test_a_size_named_like_a_monomial_atom_is_an_input_error():
    """Facts are keyed by name and A·B is the atom <A*B>: a size named <A*B> with <A*B> <= 1 let the prover
    decide [j <= 37] for j <= A·B, proving a claim false at A = 38 (the checker rejected the certificate)."""
    A, B, P = size("A"), size("B"), size("<A*B>")
    Y = matrix("Y", A * B, 1)
    lhs = from_index(A * B, 1, lambda t, b: make_sum(Y[j, b], j, 1, A * B))
    rhs = from_index(A * B, 1, lambda t, b: make_sum(Y[j, b] * Iverson(sp.Le(j, 37)), j, 1, A * B))
    r = check(Claim("c", lhs, rhs, statement="s", where=((P, 1),)), Config(max_seconds=20))
    assert r.verdict == "error" and r.error_kind == "input" and "'<A*B>'" in r.reason


def test_a_symbol_named_with_a_star_is_an_input_error():
    """<a*b*c> would name both a·b·c and (a*b)·c."""
    ab = size("a*b")
    Y = matrix("Y", ab, 1)
    r = verdict(from_index(ab, 1, lambda t, b: Y[t, b]), from_index(ab, 1, lambda t, b: Y[t, b]))
    assert r.verdict == "error" and r.error_kind == "input" and "'a*b'" in r.reason


def test_mod_by_a_rational_is_an_input_error_not_a_proof():
    """Mod(t, 3/2) was abstracted as an integer in 0..1/2, i.e. 0: [Mod(t, 3/2) <= 1/2] was proved 1, false at
    t = 1 (the cross-check then crashed, exit 3). Mod and floor now take integer operands only."""
    t = index("t")
    assert not Context().with_facts((1, t)).proves_le(sp.Mod(t, sp.Rational(3, 2)), sp.Rational(1, 2))
    r = verdict(from_index(T, d, lambda t, b: W[t, b] * Iverson(sp.Le(sp.Mod(t, sp.Rational(3, 2)), sp.Rational(1, 2)))),
                from_index(T, d, lambda t, b: W[t, b]))
    assert r.verdict == "error" and r.error_kind == "input" and "Mod(t, 3/2)" in r.reason


@pytest.mark.parametrize("entry", [lambda t, b: sp.floor(W[t, b]),
                                   lambda t, b: W[t, b] * Iverson(sp.Le(sp.Mod(W[t, b], 1), 0))],
                         ids=["floor", "Mod"])
def test_floor_and_mod_of_an_input_are_input_errors_not_internal_ones(entry):
    r = verdict(from_index(T, d, entry), from_index(T, d, lambda t, b: W[t, b]))
    assert r.verdict == "error" and r.error_kind == "input" and "is not an integer" in r.reason


@pytest.mark.parametrize("start", [lambda t: 2 * C * sp.floor((t - 1) / (2 * C)),
                                   lambda t: C * sp.floor((t - 1) / C + sp.Rational(1, 3))],
                         ids=["over 2C", "plus 1/3"])
def test_a_floor_of_any_quotient_evaluates(start):
    """The evaluator read floor(p/q) only as p·(1/q) or with rational coefficients: (t − 1)/(2C) was exit 3."""
    lhs = rows(lambda t, b: make_sum(placed(X, j, t, b), j, 1, start(t)) + make_sum(placed(X, j, t, b), j, start(t) + 2, t))
    assert verdict(lhs, PREFIX, chunk_size=C).verdict == "refuted"


@pytest.mark.parametrize("bound, expected", [(1, "refuted"), (37, "undecided")])
@pytest.mark.parametrize("chunked", [False, True], ids=["row t", "chunk c"])
def test_a_size_only_where_mentions_is_not_taken_for_the_position(chunked, bound, expected):
    """The row (t) and the chunk (c) were named avoiding the sides' symbols only: a size t or c that only `where`
    mentions became the position itself, where=(t <= 1) confined the comparison to row 1, and [j <= 37·C]
    was decided beside j <= t: proved, though false from row 37·C + 1 on (beyond the cross-check's sizes)."""
    taken = size("c" if chunked else "t")
    lhs = rows(lambda t, b: make_sum(X[j, b], j, 1, t))
    rhs = rows(lambda t, b: make_sum(X[j, b] * Iverson(sp.Le(j, bound * C)), j, 1, t))
    r = verdict(lhs, rhs, where=((taken, 1),), **({"chunk_size": C} if chunked else {}))
    assert r.verdict == expected


@pytest.mark.parametrize("chunk", [[C], "C", True, sp.Symbol("C"), -C], ids=["list", "text", "bool", "not a size", "negative"])
def test_a_chunk_size_that_is_not_a_size_expression_is_an_input_error(chunk):
    """A list was exit 3 (AttributeError); a string was parsed as sympy text."""
    r = verdict(PREFIX, PREFIX, chunk_size=chunk)
    assert r.verdict == "error" and r.error_kind == "input" and r.reason.endswith(f"got {chunk!r}")


# -- attacks that failed: false chunkwise claims ------------------------------------------------------------------
def _blocks(lo, hi, last):
    """Σ_{u=1}^{last} Σ_{s=lo(u)}^{hi(u)} x_s + the own chunk up to t."""
    return rows(lambda t, b: make_sum(make_sum(placed(X, s, t, b), s, lo(u), hi(u)), u, 1, last(t))
                + make_sum(X[j, b], j, chunk_start(t, C) + 1, t))


FALSE_CHUNKWISE = {
    "chunk size 1, one term skipped": (rows(lambda t, b: make_sum(X[j, b], j, 1, chunk_start(t, 1))
                                            + make_sum(X[j, b], j, chunk_start(t, 1) + 2, t)), 1),
    "one chunk, its start skipped": (from_index(T, d, lambda t, b: make_sum(placed(W, j, t, b), j, chunk_start(t, T) + 2, t)), T),
    "blocks with a gap": (_blocks(lambda u: (u - 1) * C + 1, lambda u: u * C - 1, lambda t: chunk_of(t, C) - 1), C),
    "blocks overlapping": (_blocks(lambda u: (u - 1) * C + 1, lambda u: u * C + 1, lambda t: chunk_of(t, C) - 1), C),
    "blocks up to the own chunk": (_blocks(lambda u: (u - 1) * C + 1, lambda u: u * C, lambda t: chunk_of(t, C)), C),
    "a block body that reads u": (rows(lambda t, b: make_sum(make_sum(placed(X, s, t, b) * u, s, (u - 1) * C + 1, u * C),
                                                             u, 1, chunk_of(t, C) - 1)
                                       + make_sum(X[j, b], j, chunk_start(t, C) + 1, t)), C),
}


@pytest.mark.parametrize("name", FALSE_CHUNKWISE)
def test_a_false_chunkwise_form_is_refuted(name):
    lhs, chunk = FALSE_CHUNKWISE[name]
    rhs = PREFIX if lhs.rows == N * C else from_index(T, d, lambda t, b: make_sum(W[j, b], j, 1, t))
    assert verdict(lhs, rhs, chunk_size=chunk).verdict == "refuted"


def test_sum_concat_does_not_join_bodies_that_differ_by_a_captured_index():
    """Σ_{j<=start} Σ_k X[j,k] + Σ_{start<j<=t} Σ_k X[k,k]: the second inner sum binds the k it reads."""
    k = index("k")
    lhs = rows(lambda t, b: make_sum(make_sum(X[j, k], k, 1, d), j, 1, chunk_start(t, C))
               + make_sum(make_sum(X[k, k] * Iverson(sp.Le(k, N * C)), k, 1, d), j, chunk_start(t, C) + 1, t) + 0 * X[t, b])
    rhs = rows(lambda t, b: make_sum(make_sum(X[j, k], k, 1, d), j, 1, t) + 0 * X[t, b])
    assert verdict(lhs, rhs, chunk_size=C, where=((d, N * C),)).verdict == "refuted"


# -- attacks that failed: the prover's rules on small concrete ranges -------------------------------------------------
def _fired(name: str, expr, *facts):
    step = Normalizer(rules=(RULES[name],)).rewrite_once(expr, Context().with_facts(*facts))
    return None if step is None else step.after


@settings(max_examples=80, deadline=None)
@given(st.integers(-3, 3), st.integers(-3, 3), st.integers(-2, 2), st.integers(-1, 3), st.integers(-1, 3))
def test_sum_blocks_fires_only_for_a_tiling_and_keeps_the_value(slope, start, extra, lo, hi):
    """Σ_{u=lo}^{hi} Σ_{s=slope·u+start}^{(slope)·u+start+width-1} s² for any slope, width = slope + extra (a gap or an
    overlap when extra != 0, backwards blocks when the width is negative): the value is kept wherever it fires."""
    width = slope + extra
    expr = Sigma(Sigma(s ** 2 + 1, s, slope * u + start, slope * u + start + width - 1), u, lo, hi)
    after = _fired("sum-blocks", expr)
    assert (after is not None) == (extra == 0 and width >= 0)
    if after is not None:
        assert evaluate(after, {}, {}, {}) == evaluate(expr, {}, {}, {})


@settings(max_examples=80, deadline=None)
@given(st.integers(-2, 2), st.integers(-3, 3), st.integers(-2, 2), st.integers(-3, 3), st.booleans())
def test_iverson_exclusive_zeroes_only_brackets_that_never_hold_together(a, p, b, q, equation):
    """[a·i <= p]·[q <= b·i] (or [a·i = p]) for 1 <= i <= 4: rewritten to 0 only if no i satisfies both."""
    first = sp.Eq(a * i, p) if equation else sp.Le(a * i, p)
    expr = Xb[i] * Iverson(first) * Iverson(sp.Le(q, b * i))
    if not isinstance(expr, sp.Mul) or len([f for f in expr.args if isinstance(f, Iverson)]) < 2:
        return                                       # sympy decided a bracket on construction
    if _fired("iverson-exclusive", expr, (1, i), (i, 4)) == 0:
        assert not any(bool(first.subs(i, v)) and q <= b * v for v in range(1, 5))


# -- attacks that failed: false steps handed to the checker --------------------------------------------------------
c, i, k, t = index("c"), index("i"), index("k"), index("t")
Xb = IndexedBase("X")
WORLD = Site(tuple((sp.S.One, x) for x in (N, C, d, c, i)) + ((c, N), (i, C)))
FALSE_STEPS = {
    "floor: remainder i reaches C": ("floor-quotient", sp.floor((c * C + i) / C), c),
    "floor: remainder 2i - 2 may pass C - 1": ("floor-quotient", sp.floor((c * C + 2 * i - 2) / C), c),
    "floor: a quotient that is not an integer": ("floor-quotient", sp.floor((c * C + i - 1) / (2 * C)), c / 2),
    "blocks: width C - d may be negative": ("sum-blocks", Sigma(Sigma(Xb[s], s, (u - 1) * (C - d) + 1, u * (C - d)), u, 1, c),
                                            Sigma(Xb[s], s, 1, c * (C - d))),
    "blocks: quadratic starts": ("sum-blocks", Sigma(Sigma(Xb[s], s, u * u, u * u + 2 * u), u, 1, c),
                                 Sigma(Xb[s], s, 1, c * c + 2 * c)),
    "concat: m past h": ("sum-concat", Sigma(Xb[j], j, 1, N) + Sigma(Xb[k], k, N + 1, c), Sigma(Xb[j], j, 1, c)),
    "concat: Fubini over a dependent range": ("sum-concat", Sigma(Sigma(Xb[j, k], j, 1, k), k, 1, d)
                                              + Sigma(Sigma(Xb[j, k], k, 1, d), j, k + 1, N),
                                              Sigma(Sigma(Xb[j, k], k, 1, d), j, 1, N)),
    "exclusive: t = c·C satisfies both": ("iverson-exclusive", Xb[t] * Iverson(sp.Le(c * C, t)) * Iverson(sp.Le(t, c * C)), 0),
    "exclusive: real conditions, no tightening": ("iverson-exclusive",
                                                  Xb[t] * Iverson(sp.Le(2 * Xb[t], 1)) * Iverson(sp.Le(1, Xb[t])), 0),
}


@pytest.mark.parametrize("name", FALSE_STEPS)
def test_the_checker_rejects_a_false_step(name):
    rule, redex, contractum = FALSE_STEPS[name]
    assert check_step(rule, redex, sp.sympify(contractum), WORLD) is not None


# -- attacks that failed: tampered chunked certificates --------------------------------------------------------------
@pytest.fixture(scope="module")
def chunked_certificate():
    lhs = rows(lambda t, b: make_sum(X[j, b], j, 1, chunk_start(t, C)) + make_sum(X[j, b], j, chunk_start(t, C) + 1, t))
    return certificate(verdict(lhs, PREFIX, chunk_size=C))


def _chunks(**edit):
    return lambda cert: cert["claim"]["chunks"].update({k: sp.srepr(v) for k, v in edit.items()})


TAMPERED = {
    "size and count swapped": (_chunks(size=N, count=C), "remainder"),
    "one chunk of all rows": (_chunks(size=N * C, count=sp.Integer(1)), "remainder"),
    "chunk and offset swapped": (_chunks(chunk=i, offset=c), "remainder"),
    "the chunk is the column": (_chunks(chunk=index("b")), "two new integer indices"),
    "a positive chunk": (_chunks(chunk=sp.Symbol("c", integer=True, positive=True)), "declared positive"),
    "half as many chunks of twice the size": (_chunks(size=2 * C, count=N / 2), ">= 1"),
    "the chunks removed": (lambda cert: cert["claim"].pop("chunks"), "no value"),
}


@pytest.mark.parametrize("name", TAMPERED)
def test_a_tampered_chunked_certificate_is_rejected_even_with_its_digest_redone(chunked_certificate, name):
    edit, why = TAMPERED[name]
    cert = copy.deepcopy(json.loads(json.dumps(chunked_certificate)))
    edit(cert)
    cert["claim"]["digest"] = claim_digest(cert)
    with pytest.raises(Rejected, match=why):
        replay(cert)
