"""Hostile and forged certificates: never run code, rejected quickly, bound to their claim,
side conditions re-proved by the checker, placeholders renamed without capture."""

from __future__ import annotations

import copy
import json
import time
from pathlib import Path

import pytest
import sympy as sp

import symcheck.replay as replay_module
from symcheck import Claim, apply, check, from_index, matrix, size
from symcheck.certificate import FORMAT, certificate
from symcheck.cli import main
from symcheck.digest import claim_digest
from symcheck.index import Iverson, Power, Sigma, index
from symcheck.replay import Rejected, parse, replay
from symcheck.replay_entail import entails, proves, refutes

T, N, d = size("T"), size("N"), size("d")
t, b, j = index("t"), index("b"), index("j")
V = sp.IndexedBase("V")
k = index("k")


def R(x) -> str:
    return sp.srepr(sp.Integer(x) if isinstance(x, int) else x)


def flat(lhs, rhs, lhs_steps=(), rhs_steps=(), sizes=(T, d), constraints=(), name="forged.claim"):
    """A hand-made flat certificate of lhs ≡ rhs over V (T x d), entry (t, b), with its digest."""
    def steps(raw):
        return [{"rule": rule, "path": list(path), "keep": 0, "redex": R(redex), "contractum": R(contractum)}
                for rule, path, redex, contractum in raw]
    cert = {"format": FORMAT, "claim": {
        "name": name, "sizes": [R(s) for s in sizes], "constraints": [[R(lo), R(hi)] for lo, hi in constraints],
        "row": R(t), "col": R(b), "rows": R(T), "cols": R(d),
        "inputs": [{"name": "V", "shape": [R(T), R(d)]}], "assumptions": []},
        "lhs": {"start": R(lhs), "steps": steps(lhs_steps)}, "rhs": {"start": R(rhs), "steps": steps(rhs_steps)},
        "normal_form": R(rhs), "obligations": []}
    cert["claim"]["digest"] = claim_digest(cert)
    return cert


def rejected(cert, seconds=3.0) -> str:
    start = time.monotonic()
    with pytest.raises(Rejected) as info:
        replay(cert)
    assert time.monotonic() - start < seconds
    return str(info.value)


# -- 1. replay never executes code ------------------------------------------------------------------------
def payloads(marker: Path) -> list[str]:
    code = f"__import__('pathlib').Path({str(marker)!r}).touch()"
    return [
        f"Tuple({code!r})", f"Symbol({code!r}, integer={code!r})", f"Integer({code!r})", f"Rational({code!r}, 2)",
        "Rational('1/2')", f"Float({code!r})", f"Str({code!r})", f"Add(Str({code!r}), Integer(1))",
        f"MatInput(Str('V'), {code!r}, Integer(1))", f"Indexed(IndexedBase({code!r}), Integer(1))",
        f"Sigma({code!r}, Symbol('j'), Integer(1), Integer(2))", f"Iverson({code!r})", f"exp({code!r})",
        f"Pow(Symbol('x'), {code!r})", f"Lambda({code!r}, Integer(1))", code, f"Symbol('x').__class__({code!r})",
        "(lambda: 1)()", f"__builtins__.eval({code!r})", "Symbol.__init__", "__import__('os')",
        f"Symbol('x', **{{'a': {code}}})", f"[{code}]", f"{{{code!r}: 1}}", f"Symbol(x:={code})",
        f"Integer({'9' * 50})", "Integer(10**100)", "Pow(Integer(2), Integer(100000))",
        "Symbol('x', __class__=True)", "Symbol('x', integer=1)", "Add()", "Str('V')",
    ]


def test_no_payload_runs_or_parses(tmp_path):
    marker = tmp_path / "pwned"
    for text in payloads(marker):
        with pytest.raises(Rejected, match="^malformed expression: "):
            parse(text)
        with pytest.raises(Rejected):
            replay(flat(V[t, b], V[t, b]) | {"normal_form": text})
        cert = flat(V[t, b], V[t, b])
        cert["lhs"]["start"] = text
        cert["claim"]["digest"] = claim_digest(cert)
        with pytest.raises(Rejected):
            replay(cert)
    assert not marker.exists()


@pytest.mark.parametrize("text,message", [
    ("Tuple('1')", "argument 1 of Tuple must be expr, got str"),
    ("Integer('1')", "argument 1 of Integer must be int, got str"),
    ("Float('1.5')", "Float is not allowed in a certificate"),
    ("Symbol('x').__class__", "Attribute is not allowed in a certificate"),
    ("Integer(" + "9" * 41 + ")", "an integer of more than 40 digits"),
    ("Pow(Symbol('x'), Integer(65))", "a numeric exponent must be a rational of size at most 64"),
    ("Rational(1, 0)", "a rational with denominator 0"),
    ("Str('V')", "a Str where a scalar expression belongs"),
])
def test_hostile_expressions_are_named(text, message):
    with pytest.raises(Rejected, match=f"^malformed expression: {message}"):
        parse(text)


def test_an_honest_tree_round_trips():
    e = Sigma(Iverson(sp.Le(j, t)) * Power(V[j, b], sp.Rational(-1, 2)) + sp.exp(sp.Ne(j, t).lhs), j, 1, T)
    assert parse(R(e)) == e


# -- 2. bounded work ------------------------------------------------------------------------------------
def deep(n):
    return "Add(" * n + "Integer(1)" + ", Integer(1))" * n


def renamed(cert, e):
    """A first step that the checker must evaluate: e renamed (j -> k), which no shape check stops."""
    cert["lhs"].update(start=R(e), steps=[{"rule": "alpha-rename", "path": [], "keep": 0, "redex": R(e),
                                           "contractum": R(e.xreplace({j: k}))}])


@pytest.mark.parametrize("edit,message", [
    (lambda c: c["lhs"].update(start=deep(150)), "nested deeper than 100"),
    (lambda c: c["claim"].update(sizes=[R(size(f"n{k}")) for k in range(25)]), "at most 16 sizes"),
    (lambda c: c["claim"].update(rows=R(sp.Integer(10 ** 9))), "a dimension of 1000000000"),
    (lambda c: c["claim"]["inputs"][0].update(shape=[R(T), R(sp.Integer(10 ** 6))]), "a dimension of 1000000"),
    (lambda c: renamed(c, Sigma(V[j, b], j, 1, 10 ** 12)), "a sum of 1000000000000 terms"),
    (lambda c: c.update(lemmas="x", kind="composition"), "malformed certificate"),
    (lambda c: c["lhs"].update(steps=[{"rule": 1, "path": "x", "redex": [], "contractum": {}}]), "malformed"),
    (lambda c: c.update(format=3), "certificate format 3: this checker reads format 4 only"),
])
def test_hostile_certificates_are_rejected_quickly(edit, message):
    cert = flat(V[t, b], V[t, b])
    edit(cert)
    cert["claim"]["digest"] = claim_digest(cert) if isinstance(cert.get("lemmas", []), list) else "x"
    assert message in rejected(cert)


@pytest.mark.parametrize("keep, path, message", [
    (1, [0], "keep 1 is not a number of levels"),           # the first step has no levels before it
    (-1, [0], "keep -1 is not a number of levels"),
    ("0", [0], "keep '0' is not a number of levels"),
    (0, [7], "position [7] does not exist"),
    (0, [0.0], "position [0.0] does not exist"),
])
def test_hostile_positions_are_rejected(keep, path, message):
    """A step's position: `keep` counts levels the step before stood in, and the path must exist."""
    e = Sigma(V[j, b], j, 1, T) + V[t, b]
    cert = flat(e, e)
    cert["lhs"]["steps"] = [{"rule": "alpha-rename", "path": path, "keep": keep, "redex": R(e), "contractum": R(e)}]
    cert["claim"]["digest"] = claim_digest(cert)
    assert message in rejected(cert)


def test_a_kept_level_must_be_the_one_the_path_goes_through():
    """Two steps inside Σ + V: the second keeps the first one's level but names another argument there."""
    s, s2 = Sigma(V[j, b], j, 1, T), Sigma(V[k, b], k, 1, T)
    e = s + V[t, b]
    at = list(e.args).index(s)
    steps = [{"rule": "alpha-rename", "path": [at], "keep": 0, "redex": R(s), "contractum": R(s2)},
             {"rule": "alpha-rename", "path": [1 - at], "keep": 1, "redex": R(V[t, b]), "contractum": R(V[t, b])}]
    cert = flat(e, e)
    cert["lhs"]["steps"] = steps
    cert["claim"]["digest"] = claim_digest(cert)
    assert "does not continue the levels it keeps" in rejected(cert)


def test_the_evaluation_budget_of_a_step(monkeypatch):
    """8·10^9 terms in nested sums of 2,000 each: stopped by the budget (tested at 50,000 evaluations; the
    real limit, 600,000, is twice the library's largest step and takes a few seconds to reach)."""
    import symcheck.replay_semantics as semantics
    monkeypatch.setattr(semantics, "MAX_WORK", 50_000)
    cert = flat(V[t, b], V[t, b])
    renamed(cert, Sigma(Sigma(Sigma(V[j, b], k, 1, 2000), b, 1, 2000), j, 1, 2000))
    cert["claim"]["digest"] = claim_digest(cert)
    assert "lhs, step 1 (alpha-rename): more than 50000 evaluations in one step" in rejected(cert, seconds=1.5)


def test_many_sizes_are_sampled_not_enumerated():
    sizes = [size(f"n{k}") for k in range(16)]
    cert = flat(V[t, b], V[t, b], sizes=(T, d, *sizes[2:]), constraints=[(s, 2) for s in sizes[2:]])
    start = time.monotonic()
    assert replay(cert).instantiations == 3 and time.monotonic() - start < 3


def test_the_step_budget(monkeypatch):
    sj, sk = Sigma(V[j, b], j, 1, T), Sigma(V[k, b], k, 1, T)
    there = {"rule": "alpha-rename", "path": [], "keep": 0, "redex": R(sj), "contractum": R(sk)}
    back = {"rule": "alpha-rename", "path": [], "keep": 0, "redex": R(sk), "contractum": R(sj)}
    cert = flat(sj, sj)
    cert["lhs"]["steps"] = [there, back, there, back]
    assert replay(copy.deepcopy(cert)).steps == 4
    monkeypatch.setattr(replay_module, "MAX_STEPS", 3)
    assert "lhs, step 4 (alpha-rename): more than 3 steps" in rejected(cert)
    monkeypatch.setattr(replay_module, "MAX_STEPS", 100)
    monkeypatch.setattr(replay_module, "MAX_TOTAL_WORK", 20)
    assert "more than 20 evaluations in one certificate" in rejected(cert)


def test_files_json_and_exit_codes(tmp_path, monkeypatch, capsys):
    nested = tmp_path / "nested.json"
    nested.write_text("[" * 100_000 + "]" * 100_000)
    garbage = tmp_path / "garbage.json"
    garbage.write_bytes(b"\xff\xfe{")
    big = tmp_path / "big.json"
    big.write_text(json.dumps(flat(V[t, b], V[t, b])) + " " * 5000)
    monkeypatch.setattr(replay_module, "MAX_FILE", 4000)
    for f in (nested, garbage, big):
        assert main(["replay", str(f)]) == 1
    out = capsys.readouterr().out
    assert "larger than the checker's limit" in out and out.count("REJECTED") == 3
    assert main(["replay", str(tmp_path / "missing.json")]) == 2


# -- 3. binding ------------------------------------------------------------------------------------------
def test_a_relabelled_certificate_is_caught(tmp_path, capsys):
    from symcheck.loader import load
    root = Path(__file__).resolve().parent.parent / "derivations" / "sdnc.py"
    claims = {c.qualname: c for c in load([str(root)])}
    honest = certificate(check(claims["sdnc.causal_attention_is_sdnc"]))
    relabelled = copy.deepcopy(honest)
    relabelled["claim"]["name"] = "sdnc.read_before_write"
    assert "digest does not match" in rejected(relabelled)
    relabelled["claim"]["digest"] = claim_digest(relabelled)      # a forger can recompute the digest ...
    assert replay(relabelled).name == "sdnc.read_before_write"     # ... and prove the claim it states,
    for name, cert in (("honest", honest), ("relabelled", relabelled)):
        (tmp_path / f"{name}.json").write_text(json.dumps(cert))
    assert main(["replay", str(tmp_path / "honest.json"), "--against", str(root)]) == 0
    assert main(["replay", str(tmp_path / "relabelled.json"), "--against", str(root)]) == 1  # not the file's
    stranger = dict(relabelled, claim={**relabelled["claim"], "name": "sdnc.nowhere"})
    (tmp_path / "stranger.json").write_text(json.dumps(stranger))
    assert main(["replay", str(tmp_path / "stranger.json"), "--against", str(root)]) == 1
    out = capsys.readouterr().out
    assert "is not a certificate of the claim sdnc.read_before_write in" in out
    assert "names claim 'sdnc.nowhere', which is not in" in out
    every = ["replay", str(tmp_path), "--against", str(root)]      # honest, relabelled, stranger
    assert main(every) == 1
    serial = capsys.readouterr().out
    assert main([*every, "-j", "2"]) == 1                            # forked workers: the same lines, in file order
    assert capsys.readouterr().out == serial and serial.endswith("1 valid, 2 rejected\n")


# -- 4. side conditions re-proved by the checker's own entailment --------------------------------------
def test_a_forged_decision_is_rejected():
    """[T <= 3]·V = V agrees numerically at sizes 1..3; only the entailment sees it is not proved."""
    guard = Iverson(sp.Le(T, 3))
    cert = flat(guard * V[t, b], V[t, b], lhs_steps=[("iverson-decide", [list((guard * V[t, b]).args).index(guard)],
                                                      guard, sp.S.One)])
    assert "lhs, step 1 (iverson-decide): the checker cannot show that T <= 3 holds here" in rejected(cert)
    honest = Iverson(sp.Le(t, T))
    ok = flat(honest * V[t, b], V[t, b], lhs_steps=[("iverson-decide", [list((honest * V[t, b]).args).index(honest)],
                                                     honest, sp.S.One)])
    assert replay(ok).steps == 1


def test_a_forged_empty_sum_is_rejected():
    """Σ_{j=4}^{T} V[j, b] is empty at sizes 1..3 but not for T >= 4."""
    s = Sigma(V[j, b], j, 4, T)
    assert "the range is not provably empty" in rejected(flat(s, sp.S.Zero, lhs_steps=[("sum-empty", [], s, 0)]))


def test_a_widening_guard_to_range_is_rejected():
    s = Sigma(Iverson(sp.Le(j, T)) * V[j, b], j, 1, t)
    wide = Sigma(V[j, b], j, 1, T)
    msg = rejected(flat(s, wide, lhs_steps=[("sum-guard-to-range", [], s, wide)]))
    assert "the new bound does not lie inside the old range" in msg
    narrow = Sigma(Iverson(sp.Le(j, t)) * V[j, b], j, 1, T)
    ok = Sigma(V[j, b], j, 1, t)
    assert replay(flat(narrow, ok, lhs_steps=[("sum-guard-to-range", [], narrow, ok)])).steps == 1
    off = Sigma(V[j, b], j, 1, t - 1)                               # the guard says j <= t, not j <= t - 1
    assert "is not the new bound" in rejected(flat(narrow, off, lhs_steps=[("sum-guard-to-range", [], narrow, off)]))


@pytest.mark.parametrize("cond,facts,expected", [
    (sp.Le(j, t), [(1, j), (j, t)], (True, False)),
    (sp.Lt(j, t), [(1, j), (j, t - 1)], (True, False)),
    (sp.Ne(j, t), [(1, j), (j, t - 1)], (True, False)),
    (sp.Ne(j, t), [(j, t), (t, j)], (False, True)),
    (sp.Eq(j, t), [(j, t), (t, j)], (True, False)),
    (sp.Ge(T, 4), [(1, T)], (False, False)),
    (sp.Gt(2 * j, 2 * t - 1), [(t, j)], (True, False)),          # 2j > 2t - 1 from j >= t
    (sp.Le(2 * j, 2 * t - 1), [(j, t)], (False, False)),         # not for j = t
    (sp.And(sp.Le(1, j), sp.Not(sp.Lt(t, j))), [(1, j), (j, t)], (True, False)),
    (sp.Or(sp.Lt(j, 1), sp.Gt(j, T)), [(1, j), (j, T)], (False, True)),
])
def test_entailment(cond, facts, expected):
    facts = tuple((sp.Integer(a) if isinstance(a, int) else a, sp.Integer(c) if isinstance(c, int) else c)
                  for a, c in facts)
    assert (proves(facts, cond), refutes(facts, cond)) == expected


def test_entailment_needs_integer_symbols():
    x, y = sp.Symbol("x"), sp.Symbol("y")
    assert entails(((x, y),), x, y) is False or x.is_integer      # a real symbol gives nothing to tighten
    assert proves(((x, y),), sp.Lt(x, y + 1)) is False


# -- 5. capture in the composition check ------------------------------------------------------------------
def test_a_captured_free_input_is_caught():
    """apply(λY. copy(Y), A) ≡ apply(λZ. copy(Y), A) with a free input Y is false; a certificate that
    proves it by congruence from copy(Y) ≡ copy(Y) must not replay."""
    A, Y, Z = matrix("A", T, d), matrix("Y", T, d), matrix("Z", T, d)

    def copy_of(Y):
        return from_index(T, d, lambda i, c: Y[i, c])
    honest = certificate(check(Claim("same", apply(copy_of, A), apply(copy_of, A), statement="s")))
    lemma = copy.deepcopy(honest["lemmas"][0]["certificate"])
    left = honest["claim"]["lhs"]["apply"]["placeholders"][0]["name"]
    forged = copy.deepcopy(honest)
    rhs = forged["claim"]["rhs"]["apply"]
    rhs["placeholders"][0]["name"] = "Z"          # λZ. copy(Y): the body keeps the left placeholder's name, now free
    assert left == "Y" and Y.name == "Y" and Z.name == "Z"
    forged["lemmas"][0]["certificate"] = lemma
    forged["claim"]["digest"] = claim_digest(forged)
    assert replay(honest).lemmas >= 1
    assert "its lhs is not the entry formula the argument needs here" in rejected(forged, seconds=30)


# -- 6. what is checked is exactly what is written ----------------------------------------------------------
XT = "Indexed(IndexedBase(Symbol('V')), Symbol('t', integer=True), Symbol('b', integer=True))"


def written(lhs: str, rhs: str, sizes=(R(T), R(d))) -> dict:
    """A zero-step certificate whose starts are the given texts, as a forger writes it (digest recomputed)."""
    cert = flat(V[t, b], V[t, b])
    cert["claim"]["sizes"] = list(sizes)
    cert["lhs"]["start"], cert["rhs"]["start"], cert["normal_form"] = lhs, rhs, rhs
    cert["claim"]["digest"] = claim_digest(cert)
    return cert


@pytest.mark.parametrize("lhs,rhs,message", [
    # x·x⁻¹ = 1 (false at x = 0), exp(log x) = x (false at x = -1), (√x)² = x (false at x < 0): sympy would fold them
    (f"Mul({XT}, Pow({XT}, Integer(-1)))", "Integer(1)", "a sympy Pow whose exponent is not a natural number"),
    (f"exp(log({XT}))", XT, "log is not allowed in a certificate"),
    (f"Pow(Pow({XT}, Rational(1, 2)), Integer(2))", XT, "a sympy Pow whose exponent is not a natural number"),
    # texts that sympy's constructors rewrite: what would be checked is not what is written
    (f"Add({XT}, {XT})", f"Mul(Integer(2), {XT})", "the expression is not in symcheck's construction form"),
    ("exp(Integer(0))", "Integer(1)", "the expression is not in symcheck's construction form"),
    ("Iverson(LessThan(Symbol('t', integer=True), Symbol('t', integer=True, positive=True)))", "Integer(1)",
     "the expression is not in symcheck's construction form"),
    (f"Mul({XT}, Power({XT}, Integer(-1)), Power({XT}, Integer(-1)))", "Integer(1)",
     "the expression is not in symcheck's construction form"),
])
def test_folded_starts_are_rejected(lhs, rhs, message):
    assert message in rejected(written(lhs, rhs))


def test_symbols_are_one_per_name_and_only_sizes_positive():
    # the row t and a size t: the semantics reads symbols by name
    collided = written(f"Mul({XT}, Iverson(LessThan({R(t)}, Symbol('t', integer=True, positive=True))))", XT,
                       sizes=(R(T), R(d), "Symbol('t', integer=True, positive=True)"))
    assert "two different symbols are named 't'" in rejected(collided)
    jp = sp.Symbol("j", integer=True, positive=True)              # sympy would take j > 0 although j runs from 0
    assert "symbol 'j' is declared positive but is not a size" in rejected(written(R(Sigma(V[jp, b], jp, 0, T)), XT))
    assert "a symbol is integer=True, integer=True with positive=True, or plain" in \
        rejected(written(f"Mul({XT}, Symbol('x', real=True))", XT))
    assert replay(written(R(V[t, b] * Power(V[t, b], -1)), R(V[t, b] * Power(V[t, b], -1)))).steps == 0


# -- 7. every rule is checked exactly ------------------------------------------------------------------------
def one_step(claim, rule):
    """A certificate of `claim` (posed from a file the way `--against` re-poses it) whose lhs goes to the rhs
    in one root step by `rule`, as `attacks/forge_against.py` writes it."""
    from symcheck.certificate import _flat_claim
    from symcheck.problem import pose_claim
    p = pose_claim(claim)
    cert = {"symcheck": "0.1.0", "format": FORMAT,
            "claim": {"name": claim.qualname, "file": claim.file, "statement": claim.statement, "expect": "proved",
                      **_flat_claim(claim, p)},
            "lhs": {"start": R(p.lhs), "steps": [{"rule": rule, "path": [], "keep": 0, "redex": R(p.lhs),
                                                  "contractum": R(p.rhs),
                                                  "side_conditions": "", "obligations": []}]},
            "rhs": {"start": R(p.rhs), "steps": []}, "normal_form": R(p.rhs), "obligations": [], "rules": {}}
    cert["claim"]["digest"] = claim_digest(cert)
    return cert


X1, Y1 = matrix("X", T, 1), matrix("Y", T, 1)
LOOSE = {   # false claims that differ only at sizes >= 4 (attacks/against/loose.py)
    "sum-delta": Claim("delta_forged", expect="refuted", statement="X[1,1] = X[1,1] + [T >= 4]",
                       lhs=from_index(T, 1, lambda t, b: Sigma(Iverson(sp.Eq(j, 1)) * X1[j, 1], j, 1, T)),
                       rhs=from_index(T, 1, lambda t, b: X1[1, 1] + Iverson(4 <= T))),
    "alpha-rename": Claim(
        "rename_forged", expect="refuted", statement="(Y_1+..+Y_min(T,3)) Σ X = (X_1+..+X_min(T,3)) Σ Y",
        lhs=from_index(T, 1, lambda t, b: Sigma(Sigma(Iverson(j <= 3) * X1[k, 1] * Y1[j, 1], k, 1, T), j, 1, T)),
        rhs=from_index(T, 1, lambda t, b: Sigma(Sigma(Iverson(j <= 3) * X1[j, 1] * Y1[k, 1], k, 1, T), j, 1, T))),
    "distribute": Claim("distribute_forged", expect="refuted", statement="X (1 + [T = 17]) = X + X [T >= 4]",
                        lhs=from_index(T, 1, lambda t, b: X1[t, 1] * (1 + Iverson(sp.Eq(T, 17)))),
                        rhs=from_index(T, 1, lambda t, b: X1[t, 1] + X1[t, 1] * Iverson(4 <= T))),
}


@pytest.mark.parametrize("rule,message", [
    ("sum-delta", "not Σ_j Σ_a [j = e] f = [l <= e][e <= h] Σ_a f[j := e]"),
    ("alpha-rename", "not a renaming of bound indices"),
    ("distribute", "not c·(a + b + …) = c·a + c·b + … for a sum factor"),
])
def test_one_step_forgeries_of_false_claims_are_rejected(rule, message):
    claim = LOOSE[rule]
    assert check(claim).verdict == "refuted"
    assert f"lhs, step 1 ({rule}): {message}" in rejected(one_step(claim, rule))


def step(rule, redex, contractum, lhs=None):
    lhs = redex if lhs is None else lhs
    return flat(lhs, contractum, lhs_steps=[(rule, [], redex, contractum)])


x1, x2 = V[t, b], V[1, b]
E1 = sp.exp(x1) * sp.exp(x2)


@pytest.mark.parametrize("rule,redex,contractum,message", [
    ("expand-power", (x1 + x2) ** 2, x1 ** 2 + x2 ** 2, "not the multinomial expansion of the power"),
    ("expand-power", (x1 + x2) ** 2, x1 ** 2 + x2 ** 2 + 2 * x1 * x2 * Iverson(sp.Le(4, T)),
     "not the multinomial expansion of the power"),
    ("exp-merge", E1, sp.exp(x1 + 2 * x2), "not the product with its exponentials merged into one"),
    ("distribute", x1 * (x2 + 1), x1 * x2 + x2, "not c·(a + b + …) = c·a + c·b + … for a sum factor"),
    ("sum-delta", Sigma(Iverson(sp.Eq(2 * j, t)) * V[j, b], j, 1, T), Iverson(sp.Le(1, t)) * Iverson(sp.Le(t, T)) * x1,
     "not Σ_j Σ_a [j = e] f"),                                     # coefficient 2 on j: no integer point
    ("sum-delta", Sigma(Iverson(sp.Eq(j, t)) * V[j, b], j, 1, T), Iverson(sp.Le(t, T)) * x1, "not Σ_j Σ_a [j = e] f"),
    ("alpha-rename", Sigma(V[j, t], j, 1, T), Sigma(V[t, t], t, 1, T), "not a renaming of bound indices"),
    ("alpha-rename", Sigma(Sigma(V[j, k], k, 1, j), j, 1, T), Sigma(Sigma(V[j, k], j, 1, T), k, 1, j),
     "not a renaming of bound indices"),                           # the ranges are not independent
])
def test_exact_rules_reject_wrong_contracta(rule, redex, contractum, message):
    assert f"lhs, step 1 ({rule}): {message}" in rejected(step(rule, redex, contractum))


@pytest.mark.parametrize("rule,redex,contractum", [
    ("expand-power", (x1 + x2) ** 2, x1 ** 2 + 2 * x1 * x2 + x2 ** 2),
    ("exp-merge", E1 * x1, x1 * sp.exp(x1 + x2)),
    ("distribute", x1 * (x2 + 1), x1 * x2 + x1),
    ("sum-delta", Sigma(Iverson(sp.Eq(j, t)) * V[j, b], j, 1, T), Iverson(sp.Le(1, t)) * Iverson(sp.Le(t, T)) * x1),
    ("sum-delta", Sigma(Sigma(Iverson(sp.Eq(j + 1, t)) * V[j, k], k, 1, d), j, 1, T),
     Iverson(sp.Le(2, t)) * Iverson(sp.Le(t, T + 1)) * Sigma(V[t - 1, k], k, 1, d)),
    ("alpha-rename", Sigma(V[j, b], j, 1, T), Sigma(V[k, b], k, 1, T)),
    ("alpha-rename", Sigma(Sigma(V[j, k], k, 1, d), j, 1, T), Sigma(Sigma(V[k, j], k, 1, T), j, 1, d)),   # Fubini
    ("alpha-rename", Sigma(V[j, b], j, 1, T) + Sigma(V[k, b], k, 1, T), 2 * Sigma(V[k, b], k, 1, T)),  # collected
])
def test_exact_rules_accept_what_the_rule_does(rule, redex, contractum):
    cert = step(rule, redex, contractum)
    assert replay(cert).steps == 1


@pytest.mark.parametrize("x,y,plain,renaming", [
    (Sigma(V[j, k], j, 1, T), Sigma(V[k, j], k, 1, T), False, False),     # a free k is never a bound one
    (Sigma(Sigma(V[j, k], k, 1, T), j, 1, T), Sigma(Sigma(V[k, j], j, 1, T), k, 1, T), True, True),
    (Sigma(Sigma(V[j, k], k, 1, T), j, 1, T), Sigma(Sigma(V[j, k], j, 1, T), k, 1, T), False, True),   # Fubini
    (Sigma(Sigma(V[j, k], k, 1, d), j, 1, T), Sigma(Sigma(V[j, k], j, 1, T), k, 1, T), False, False),  # ranges
    (Sigma(V[j, b] * V[j, t], j, 1, T), Sigma(V[k, t] * V[k, b], k, 1, T), True, True),   # products as multisets
    (Sigma(Sigma(V[j, j], j, 1, d), j, 1, T), Sigma(Sigma(V[k, k], k, 1, d), j, 1, T), True, True),   # shadowing
    (Sigma(Sigma(V[j, j], j, 1, d), j, 1, T), Sigma(Sigma(V[j, j], k, 1, d), j, 1, T), False, False),
    (Sigma(V[j, b], j, 1, T) * Sigma(V[k, b], k, 1, T), Sigma(V[j, b], j, 1, T) ** 2, False, True),
    (Sigma(V[j, b], j, 1, T) * Sigma(V[k, b], k, 1, d), Sigma(V[j, b], j, 1, T) ** 2, False, False),
])
def test_alpha_equivalence(x, y, plain, renaming):
    from symcheck.replay_alpha import alpha_equal
    assert (alpha_equal(x, y), alpha_equal(x, y, renaming=True)) == (plain, renaming)


def test_a_forged_content_weighting_is_rejected():
    """The old shape check accepted any contractum with an exp and a sum; the checker recomputes the formula."""
    from symcheck.loader import load
    root = Path(__file__).resolve().parent.parent
    claim = next(c for c in load([str(root / "derivations" / "sdnc.py")]) if c.name == "causal_attention_is_sdnc")
    honest = certificate(check(claim))
    where = next((side, k) for side in ("lhs", "rhs") for k, s in enumerate(honest[side]["steps"])
                 if s["rule"] == "content-addressing")
    forged = copy.deepcopy(honest)
    s = forged[where[0]]["steps"][where[1]]
    num = parse(s["contractum"]).as_independent(Power)[0]         # drop the normalising sum
    s["contractum"] = R(num)
    assert f"{where[0]}, step {where[1] + 1} (content-addressing): not the content weighting's formula" in \
        rejected(forged, seconds=60)
    assert replay(honest).steps > 0


# -- 8. domains without small points -----------------------------------------------------------------------
def test_a_domain_with_no_small_point_is_searched_further():
    X = matrix("X", T, 1)
    claim = Claim("far", statement="Σ_j [j = t] X_j = X_t for T >= 5", where=(T >= 5,),
                  lhs=from_index(T, 1, lambda t, b: Sigma(Iverson(sp.Eq(j, t)) * X[j, 1], j, 1, T)),
                  rhs=from_index(T, 1, lambda t, b: X[t, 1]))
    result = check(claim)
    assert result.verdict == "proved"
    assert replay(certificate(result)).steps > 0
    empty = flat(V[t, b], V[t, b], constraints=[(sp.Integer(100), T)])
    assert "no concrete sizes satisfy the claim's constraints (none in 1..3, none among 20000 random points " \
           "with sizes up to 64)" in rejected(empty, seconds=20)
