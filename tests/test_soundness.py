"""One regression test per fault class of the soundness review: each names the class it guards.

A false claim must never be `proved`; a true one must never be refuted; a malformed
one is an input error (exit 2), never an internal one (exit 3).
"""

from __future__ import annotations

import time


import pytest
import sympy as sp

from symcheck import Claim, Config, Iverson, apply, check, from_index, make_sum, matrix, sdnc_read, stack
from symcheck import causal_attention, tensor
from symcheck.cli import main
from symcheck.context import Context
from symcheck.crosscheck import portfolio_sizes
from symcheck.index import Log, Power, index, indices, reciprocal, size, sizes
from symcheck.memory import ContentWeight, Memory, MemoryCell
from symcheck.problem import pose
from symcheck.rules import RULES, Le
from symcheck.wellformed import build_entry

T, d, N = sizes("T d N")
V = matrix("V", T, d)
j, k = indices("j k")


def entrywise(fn):
    return from_index(T, d, fn)


def verdict(lhs, rhs, seconds=20, **kw):
    return check(Claim("c", lhs, rhs, statement="s", **kw), Config(max_seconds=seconds))


# -- 1. algebra outside the rules --------------------------------------------------------------------
def test_1_user_entries_are_built_without_sympy_cancelling():
    built = build_entry(lambda t, b: V[t, b] / V[t, b] + sp.exp(sp.log(V[t, b])), index("t"), index("b"))
    assert built.has(Power) and built.has(Log) and built != 1


@pytest.mark.parametrize("lhs, rhs", [
    (lambda t, b: V[t, b] / V[t, b], lambda t, b: 1),                                  # false at V = 0
    (lambda t, b: V[t, b] * (make_sum(1, j, 1, T) - 4) / (make_sum(1, k, 1, T) - 4),   # D·D'⁻¹, D = 0 at T = 4
     lambda t, b: V[t, b]),
    (lambda t, b: sp.exp(sp.log(V[t, b])), lambda t, b: V[t, b]),                       # false for V <= 0
    (lambda t, b: sp.sqrt(V[t, b]) ** 2, lambda t, b: V[t, b]),                         # false for V < 0
])
def test_1_cancellations_sympy_would_make_are_refuted(lhs, rhs):
    assert verdict(entrywise(lhs), entrywise(rhs)).verdict == "refuted"


def test_1_no_rule_may_leave_a_power_that_sympy_could_fold():
    from symcheck.normalize import foldable_power
    assert foldable_power(reciprocal(make_sum(V[j, 1], j, 1, T))) is None
    assert foldable_power(sp.Pow(make_sum(V[j, 1], j, 1, T), -1)) is not None


# -- 2. capture between the two sides of a composition -----------------------------------------------
def copy(M):
    return from_index(M.rows, M.cols, lambda t, b: M[t, b], label="copy")


def test_2_a_free_input_is_not_captured_by_the_other_sides_parameter():
    Y, A = matrix("Y", T, d), matrix("A", T, d)
    assert verdict(apply(lambda Y: copy(Y), A), apply(lambda Z: copy(Y), A)).verdict == "refuted"


def test_2_nor_in_a_stack():
    Y, A, L = matrix("Y", T, d), matrix("A", T, d), size("L")
    r = verdict(stack(lambda Y, layer: copy(Y), A, depth=L), stack(lambda Z, layer: copy(Y), A, depth=L))
    assert r.verdict == "refuted"


def test_2_a_size_named_like_the_layer_index_is_refused():
    ell, L = size("ell"), size("L")
    W = matrix("W", ell, d)
    layers = stack(lambda Y, layer: from_index(T, d, lambda t, b: Y[t, b] * W[1, b]), V, depth=L)
    r = verdict(layers, layers)
    assert r.verdict == "error" and r.error_kind == "input" and "layer index" in r.reason


# -- 3. out-of-range entries -------------------------------------------------------------------------
def test_3_an_entry_outside_its_shape_is_an_input_error():
    r = verdict(entrywise(lambda t, b: make_sum(V[j + 1, b], j, 1, t)),
                entrywise(lambda t, b: make_sum(V[j, b], j, 2, t + 1)))
    assert r.verdict == "error" and r.error_kind == "input" and "j + 1 <= T" in r.reason


def test_3_a_guard_beside_the_entry_keeps_it_in_range():
    r = verdict(entrywise(lambda t, b: make_sum(Iverson(sp.Le(j, T - 1)) * V[j + 1, b], j, 1, t)),
                entrywise(lambda t, b: make_sum(Iverson(sp.Le(j, T - 1)) * V[j + 1, b], j, 1, t)))
    assert r.verdict == "proved"


# -- 4. domain declarations --------------------------------------------------------------------------
@pytest.mark.parametrize("where", [((1, index("t")),), ((index("j"), T),), ((1, sp.Symbol("x")),)])
def test_4_only_sizes_may_be_constrained(where):
    r = verdict(entrywise(lambda t, b: V[t, b]), entrywise(lambda t, b: V[t, b]), where=where)
    assert r.verdict == "error" and r.error_kind == "input" and "where" in r.reason


def test_4_a_positive_symbol_cannot_be_a_bound_index():
    J = size("J")           # J >= 1 would leak into a sum that starts at 0
    r = verdict(entrywise(lambda t, b: make_sum(Iverson(sp.Le(1, J)) * V[t, b], J, 0, t)),
                entrywise(lambda t, b: make_sum(V[t, b], J, 0, t)))
    assert r.verdict == "error" and r.error_kind == "input" and "bound index J" in r.reason


# -- 5. strict inequalities with rational coefficients -----------------------------------------------
def test_5_t_below_half_T_is_not_t_plus_one_at_most_half_T():
    t = index("t")
    assert Iverson(sp.Lt(t, T / 2)) == Iverson(sp.Le(2 * t + 1, T))
    wrong = verdict(entrywise(lambda t, b: Iverson(sp.Lt(t, T / 2)) * V[t, b]),
                    entrywise(lambda t, b: Iverson(sp.Le(t + 1, T / 2)) * V[t, b]))
    assert wrong.verdict == "refuted" and wrong.counterexample.sizes["T"] % 2 == 1


def test_5_a_strict_relation_on_reals_is_kept_as_written():
    x = matrix("x", 1, 1)[1, 1]
    assert Iverson(sp.Lt(x, 1)).args[0] == sp.Lt(x, 1)


# -- 6. vacuous domains ------------------------------------------------------------------------------
def test_6_an_empty_domain_is_an_input_error_never_a_proof():
    r = verdict(causal_attention(V, V, V), sdnc_read(V, V, V, slots=T - 1))
    assert r.verdict == "error" and r.error_kind == "input" and "domain" in r.reason


def test_6_contradictory_constraints_are_named():
    r = verdict(entrywise(lambda t, b: V[t, b]), entrywise(lambda t, b: 2 * V[t, b]), where=((T + 1, d), (d, T)))
    assert r.verdict == "error" and "contradict" in r.reason


# -- 7. evaluator semantics --------------------------------------------------------------------------
def test_7_not_equal_is_not_equal():
    r = verdict(entrywise(lambda t, b: Iverson(sp.Ne(t, 1)) * V[t, b] + Iverson(sp.Eq(t, 1)) * V[t, b]),
                entrywise(lambda t, b: V[t, b]))
    assert r.verdict == "proved"


@pytest.mark.parametrize("lhs, expected", [
    (lambda t, b: Iverson(sp.Or(sp.Eq(t, 1), sp.Ne(t, 1))) * V[t, b], "proved"),
    (lambda t, b: sp.Abs(V[t, b]), "refuted"),
])
def test_7_or_and_abs_work(lhs, expected):
    assert verdict(entrywise(lhs), entrywise(lambda t, b: V[t, b])).verdict == expected


@pytest.mark.parametrize("body, needle", [
    (lambda t, b: sp.Symbol("x") * V[t, b], "symbol x"),
    (lambda t, b: sp.tan(V[t, b]), "tan"),
    (lambda t, b: sp.Symbol("z", integer=True) * V[t, b], "symbol z"),
])
def test_7_unsupported_input_is_an_input_error(body, needle):
    r = verdict(entrywise(body), entrywise(lambda t, b: V[t, b]))
    assert r.verdict == "error" and r.error_kind == "input" and needle in r.reason


# -- 8. rule side conditions that match the rule -----------------------------------------------------
def test_8_unroll_write_once_needs_tau_at_most_N():
    mem = Memory("K", V, N)
    tau, n = indices("tau n")
    ctx = Context().with_facts((0, tau), (1, n), (n, N))        # tau <= N is not known
    cell = MemoryCell(mem, tau, n, 1)
    assert RULES["unroll-write-once"](cell, ctx) == cell
    inside = ctx.with_facts((tau, N))
    assert RULES["unroll-write-once"].requires(cell, None, inside) == (Le(0, tau), Le(tau, N), Le(tau, T))


def test_8_content_addressing_does_not_capture_a_query_row_named_like_its_indices():
    Q, K = matrix("Q", T, d), Memory("K", V, N)
    for name in ("a", "c", "m", "m2"):
        row = index(name)
        weight = ContentWeight(K, T, Q, row, index("n"), 1, "cosine", T)
        out = RULES["content-addressing"](weight, Context())
        assert row in out.free_symbols, name


# -- 9. the safety net -------------------------------------------------------------------------------
def test_9_the_portfolio_reaches_size_6_unequal_sizes_and_domains_with_no_small_point():
    problem = pose(entrywise(lambda t, b: V[t, b]), entrywise(lambda t, b: V[t, b]))
    points = portfolio_sizes(problem, 0)
    assert max(max(p.values()) for p in points) == 6 and any(p["T"] != p["d"] for p in points)
    far = pose(entrywise(lambda t, b: V[t, b]), entrywise(lambda t, b: V[t, b]), where=((40, T),))
    assert all(p["T"] >= 40 for p in portfolio_sizes(far, 0)) and portfolio_sizes(far, 0)


def test_9_an_unsound_rule_is_caught_as_an_internal_error(monkeypatch):
    """Make sum-empty fire on every sum: the proof 'succeeds' and the portfolio must object."""
    from symcheck.rules import NORMALIZING, RuleSet
    broken = RULES["sum-empty"].__class__(**{**RULES["sum-empty"].__dict__,
                                            "fn": lambda e, ctx: sp.S.Zero if e.body != 0 else e,
                                            "requires": lambda r, c, ctx: ()})
    rules = tuple(broken if r.name == "sum-empty" else r for r in NORMALIZING.rules)
    monkeypatch.setattr("symcheck.normalize.NORMALIZING", RuleSet("normalizing", rules))
    r = verdict(entrywise(lambda t, b: make_sum(V[j, b], j, 1, t)), entrywise(lambda t, b: 0 * V[t, b]))
    assert r.verdict == "error" and r.error_kind == "internal" and "soundness" in r.reason


# -- 11. templates are untrusted text ----------------------------------------------------------------
def test_11_a_template_cannot_reach_python(tmp_path, capsys):
    marker = tmp_path / "ran"
    (tmp_path / "claim.tex.j2").write_text(
        r"\VAR{ ''.__class__.__mro__[1].__subclasses__() }" + f"\\VAR{{ cycler.__init__.__globals__.os.system('touch {marker}') }}")
    code = main(["render", "derivations/sdnc.py", "-k", "read_before_write", "--out", str(tmp_path / "o"),
                 "--templates", str(tmp_path)])
    assert code == 2 and not marker.exists()
    assert "template error" in capsys.readouterr().err


# -- 12. budgets -------------------------------------------------------------------------------------
def test_12_the_budget_holds_inside_long_rewriting_and_the_falsifier_still_runs():
    big = lambda t, b: (make_sum(V[j, b], j, 1, t) + make_sum(V[j, 1], j, 1, T) + V[t, b] + 3) ** 8
    start = time.monotonic()
    r = verdict(entrywise(big), entrywise(lambda t, b: big(t, b) + 1), seconds=2)
    assert time.monotonic() - start < 6
    assert r.verdict == "refuted"


def test_12_a_sum_too_large_to_evaluate_is_undecided_not_a_hang():
    start = time.monotonic()
    r = verdict(entrywise(lambda t, b: make_sum(V[t, b], j, 1, 10 ** 9)), entrywise(lambda t, b: V[t, b]), seconds=5)
    assert r.verdict == "undecided" and "cannot evaluate" in r.reason and time.monotonic() - start < 6


# -- exit codes: nothing a user writes is an internal error ------------------------------------------
@pytest.mark.parametrize("body", [
    "Iverson(sp.Ne(t, 1)) * V[t, b]", "Iverson(sp.Or(sp.Eq(t, 1), sp.Lt(t, 1))) * V[t, b]", "sp.Abs(V[t, b])",
    "sp.Symbol('x') * V[t, b]", "sp.cos(V[t, b])", "V[t + 1, b]", "V[t, b] / 0",
])
def test_no_user_input_gives_exit_3(tmp_path, body):
    f = tmp_path / "claims.py"
    f.write_text("import sympy as sp\nfrom symcheck import Claim, Iverson, from_index, matrix, sizes\n"
                 "T, d = sizes('T d')\nV = matrix('V', T, d)\n"
                 f"c = Claim('c', from_index(T, d, lambda t, b: {body}), from_index(T, d, lambda t, b: V[t, b]),"
                 " statement='s', expect='refuted')\n")
    assert main(["check", str(f), "--max-seconds", "5"]) in (0, 1, 2)


def test_tensor_entries_are_checked_too():
    W = tensor("W", T, d, 2)
    r = verdict(entrywise(lambda t, b: W[t, b, 3]), entrywise(lambda t, b: W[t, b, 1]))
    assert r.verdict == "error" and "3 <= 2" in r.reason





# -- found by attacking the fixes above --------------------------------------------------------------
def test_a_bound_index_named_like_a_size_is_refused_before_sympy_can_decide_a_guard():
    (fake_N,) = indices("N")            # an index that prints as N beside the size N
    r = verdict(entrywise(lambda t, b: make_sum(Iverson(sp.Le(fake_N, N)) * V[fake_N, b], fake_N, 1, T)),
                entrywise(lambda t, b: make_sum(V[j, b], j, 1, T)))
    assert r.verdict == "error" and r.error_kind == "input" and "named N" in r.reason


def test_a_size_named_like_the_compared_row_moves_the_row_aside():
    t_size = size("t")
    r = verdict(from_index(T, 1, lambda i, c: Iverson(sp.Le(i, t_size))), from_index(T, 1, lambda i, c: 1))
    assert r.verdict == "refuted"


@pytest.mark.parametrize("inner", ["row", "nested"])
def test_a_sum_that_rebinds_a_name_in_scope_is_renamed_apart(inner):
    s = index("t") if inner == "row" else j
    body = (lambda t, b: make_sum(Iverson(sp.Le(2, s)) * V[1, b], s, 1, T)) if inner == "row" else \
        (lambda t, b: make_sum(make_sum(Iverson(sp.Le(2, j)) * V[1, b], j, 1, T), j, 2, T))
    plain = (lambda t, b: make_sum(V[1, b], k, 1, T)) if inner == "row" else \
        (lambda t, b: make_sum(make_sum(V[1, b], k, 1, T), j, 2, T))
    assert verdict(entrywise(body), entrywise(plain)).verdict == "refuted"


def test_a_strict_rational_where_keeps_its_boundary_points():
    r = verdict(entrywise(lambda t, b: Iverson(sp.Le(2 * T + 2, N)) * V[t, b]), entrywise(lambda t, b: V[t, b]),
                where=(sp.Lt(T, N / 2),))
    assert r.verdict == "refuted" and 2 * r.counterexample.sizes["T"] + 1 == r.counterexample.sizes["N"]


@pytest.mark.parametrize("declare", [
    lambda: sp.Symbol("T", integer=True, positive=True, even=True),
])
def test_a_size_with_extra_assumptions_is_refused(declare):
    Te = declare()
    X = matrix("X", Te, 1)
    r = verdict(from_index(Te, 1, lambda t, b: sp.Mod(Te, 2) * X[t, b]), from_index(Te, 1, lambda t, b: 0 * X[t, b]))
    assert r.verdict == "error" and r.error_kind == "input" and "assumptions" in r.reason


def test_a_bound_index_with_assumptions_is_refused():
    e = sp.Symbol("e", integer=True, even=True)
    r = verdict(entrywise(lambda t, b: make_sum(sp.Mod(e, 2) * V[e, b], e, 1, T)), entrywise(lambda t, b: 0 * V[t, b]))
    assert r.verdict == "error" and r.error_kind == "input" and "bound index e" in r.reason


def test_unroll_write_once_stops_at_the_rows_written():
    from symcheck.memory import Rows
    s, a = indices("s a")
    mem = Memory("M2", Rows("R2", (s, a), Iverson(sp.Le(2, s)), (T, 1)), N)
    cell = MemoryCell(mem, T + 1, T + 1, 1)
    ctx = Context().with_facts((1, T), (T + 1, N))
    assert RULES["unroll-write-once"](cell, ctx) == cell


@pytest.mark.parametrize("shape", [T - 2, (T + 1) / 2])
def test_a_dimension_that_is_not_a_positive_integer_is_an_input_error(shape):
    X = matrix("X", shape, 1)
    r = verdict(entrywise(lambda t, b: make_sum(X[j, 1], j, 1, shape)), entrywise(lambda t, b: 0 * V[t, b]))
    assert r.verdict == "error" and r.error_kind == "input"


def test_a_scale_must_depend_on_sizes_only():
    """An index in a scale is a stray symbol: no longer captured by the compared row t (it once was), it is
    refused as neither a size nor a bound index before the scale's own check would see it."""
    r = verdict(causal_attention(V, V, V, scale=index("t")), causal_attention(V, V, V, scale=index("t") + 1))
    assert r.verdict == "error" and r.error_kind == "input" and "symbol t is neither a size" in r.reason


def test_floor_and_mod_evaluate_and_bound_indices():
    r = verdict(entrywise(lambda t, b: make_sum(V[j, b], j, 1, sp.floor(T / 2))),
                entrywise(lambda t, b: make_sum(V[j, b], j, 1, sp.floor(T / 2)) + 1))
    assert r.verdict == "refuted"
    assert verdict(entrywise(lambda t, b: Iverson(sp.Le(sp.Mod(t, 2), 0)) * V[t, b]),
                   entrywise(lambda t, b: V[t, b])).verdict == "refuted"


def test_a_proof_too_large_to_cross_check_stands_on_its_rules():
    r = verdict(entrywise(lambda t, b: make_sum(V[1, 1], j, 1, 10 ** 8) + V[t, b]),
                entrywise(lambda t, b: V[t, b] + make_sum(V[1, 1], j, 1, 10 ** 8)))
    assert r.verdict == "proved"


def test_12_posing_and_the_cross_check_stay_within_the_budget():
    many = lambda t, b: sum(make_sum(make_sum(make_sum(V[j, b] * V[k, 1] * c, index("l"), 1, T), k, 1, T), j, 1, T)
                            for c in range(1, 40))
    start = time.monotonic()
    verdict(entrywise(many), entrywise(many), seconds=3)
    assert time.monotonic() - start < 3 * 1.5 + 1


def test_11_templates_cannot_include_files_by_path(tmp_path, capsys):
    secret = tmp_path / "secret.txt"
    secret.write_text("the secret")
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "claim.tex.j2").write_text(f'\\BLOCK{{include "{secret}"}}')
    out = tmp_path / "o"
    code = main(["render", "derivations/sdnc.py", "-k", "read_before_write", "--out", str(out),
                 "--templates", str(tmp_path / "t")])
    assert code == 2
    assert not any("the secret" in p.read_text() for p in out.glob("*"))


def test_11_a_runaway_template_is_stopped(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr("symcheck.render.RENDER_SECONDS", 2)
    (tmp_path / "claim.tex.j2").write_text(r"\BLOCK{for i in range(100000)}\BLOCK{for j in range(100000)}"
                                           r"\BLOCK{endfor}\BLOCK{endfor}")
    start = time.monotonic()
    code = main(["render", "derivations/sdnc.py", "-k", "read_before_write", "--out", str(tmp_path / "o"),
                 "--templates", str(tmp_path)])
    assert code == 2 and time.monotonic() - start < 30 and "longer than" in capsys.readouterr().err


def test_a_users_index_named_like_the_position_is_not_captured():
    """Found while adding recurrences: the compared column was named b, and an entry written with its own
    sum over an index b captured it (Σ_b X[t,b] Y[c,b] became Σ_b X[t,b] Y[b,b]), so a false claim was proved.
    Entries are now built at placeholders no user name equals, then substituted capture-free."""
    T, d = sizes("T d")
    X, Y = matrix("X", T, d), matrix("Y", d, d)
    b, t = index("b"), index("t")
    by_row = from_index(T, d, lambda i, c: make_sum(X[i, b] * Y[c, b], b, 1, d))
    diagonal = from_index(T, d, lambda i, c: make_sum(X[i, b] * Y[b, b], b, 1, d))
    assert check(Claim("captured", by_row, diagonal, "false", expect="refuted")).verdict == "refuted"
    stray = from_index(T, d, lambda i, c: X[i, c] * Iverson(sp.Le(t, i)))      # t is a stray free index here
    assert check(Claim("stray", stray, from_index(T, d, lambda i, c: X[i, c]), "ill-posed")).verdict == "error"
