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
from symcheck.certificate import certificate
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
        return [{"rule": rule, "path": list(path), "redex": R(redex), "contractum": R(contractum)}
                for rule, path, redex, contractum in raw]
    cert = {"format": 3, "claim": {
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
    cert["lhs"].update(start=R(e), steps=[{"rule": "alpha-rename", "path": [], "redex": R(e),
                                           "contractum": R(e.xreplace({j: k}))}])


@pytest.mark.parametrize("edit,message", [
    (lambda c: c["lhs"].update(start=deep(150)), "nested deeper than 100"),
    (lambda c: c["claim"].update(sizes=[R(size(f"n{k}")) for k in range(25)]), "at most 16 sizes"),
    (lambda c: c["claim"].update(rows=R(sp.Integer(10 ** 9))), "a dimension of 1000000000"),
    (lambda c: c["claim"]["inputs"][0].update(shape=[R(T), R(sp.Integer(10 ** 6))]), "a dimension of 1000000"),
    (lambda c: renamed(c, Sigma(V[j, b], j, 1, 10 ** 12)), "a sum of 1000000000000 terms"),
    (lambda c: c.update(lemmas="x", kind="composition"), "malformed certificate"),
    (lambda c: c["lhs"].update(steps=[{"rule": 1, "path": "x", "redex": [], "contractum": {}}]), "malformed"),
    (lambda c: c.update(format=2), "certificate format 2: this checker reads format 3 only"),
])
def test_hostile_certificates_are_rejected_quickly(edit, message):
    cert = flat(V[t, b], V[t, b])
    edit(cert)
    cert["claim"]["digest"] = claim_digest(cert) if isinstance(cert.get("lemmas", []), list) else "x"
    assert message in rejected(cert)


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
    there = {"rule": "alpha-rename", "path": [], "redex": R(sj), "contractum": R(sk)}
    back = {"rule": "alpha-rename", "path": [], "redex": R(sk), "contractum": R(sj)}
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
