"""The independent checker accepts every bundled proof and rejects every single-edit corruption."""

from __future__ import annotations

import copy
import re
import subprocess
import sys
from pathlib import Path

import pytest
import sympy as sp

from symcheck import Iverson, check
from symcheck.certificate import certificate
from symcheck.loader import load
from symcheck.digest import claim_digest
from symcheck.replay import SHAPES, Rejected, parse, replay
from symcheck.replay_rules import Site
from symcheck.rules import RULES

ROOT = Path(__file__).resolve().parent.parent
CERTIFIABLE = ["sdnc.py", "heads.py", "cross_attention.py"]      # layer-sized lemmas take minutes to replay
PROVED = [c for c in load([str(ROOT / "derivations" / f) for f in CERTIFIABLE]) if c.expect == "proved"]
MEMO: dict = {}


@pytest.fixture(scope="module")
def cert():
    return certificate(check(next(c for c in PROVED if c.name == "causal_attention_is_sdnc")))


def derivations(cert):
    """(label, derivation dict) for every derivation in a certificate."""
    out = [("lhs", cert["lhs"]), ("rhs", cert["rhs"])]
    out += [(f"obligation {k} {name}", ob[name]) for k, ob in enumerate(cert["obligations"]) for name in ("lhs", "rhs")]
    return out


def locate(cert, label, k):
    return dict(derivations(cert))[label]["steps"][k]


def rejected(cert) -> str:
    with pytest.raises(Rejected) as info:
        replay(cert, memo=MEMO)
    return str(info.value)


def test_the_checker_imports_nothing_from_the_prover():
    checker = ("replay.py", "replay_semantics.py", "replay_parse.py", "replay_entail.py", "replay_rules.py",
               "replay_compose.py", "replay_alpha.py", "replay_ranges.py", "replay_recurrence.py", "replay_congruence.py",
               "replay_positions.py", "replay_softmax.py", "replay_scalars.py", "replay_names.py", "digest.py")
    sources = [(ROOT / "symcheck" / f).read_text() for f in checker]
    for source in sources:
        for module in ("normalize", "rules ", "rules.", "evaluate", "binders", "affine", "engine",
                       "context", "falsify", "problem", "certificate", "claim ", "compose ", "composition"):
            assert f"from .{module}" not in source and f"import {module}" not in source
        assert "sympify(" not in source and "eval(" not in source.replace(".eval(", "")
        assert len(source.splitlines()) < 400


def test_every_rule_has_a_shape_check():
    assert set(SHAPES) == set(RULES)


@pytest.mark.parametrize("claim", PROVED, ids=lambda c: c.qualname)
def test_bundled_proofs_replay(claim):
    v = replay(certificate(check(claim)))
    assert v.steps > 0 and v.instantiations == 3


def test_replay_in_a_fresh_process(tmp_path):
    from symcheck.cli import main
    assert main(["check", *(str(ROOT / "derivations" / f) for f in CERTIFIABLE),
                 "--certificates", str(tmp_path)]) == 0
    proc = subprocess.run([sys.executable, "-m", "symcheck", "replay", str(tmp_path)], capture_output=True,
                          text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"{len(PROVED)} valid, 0 rejected" in proc.stdout


def all_steps(cert):
    return [(label, k) for label, d in derivations(cert) for k in range(len(d["steps"]))]


def test_dropped_steps_are_rejected(cert):
    for label, k in all_steps(cert):
        bad = copy.deepcopy(cert)
        del dict(derivations(bad))[label]["steps"][k]
        msg = rejected(bad)
        assert "step" in msg or "normal form" in msg or "different forms" in msg, (label, k, msg)


def _edit(text: str) -> str:
    """One small edit of an expression: shift the first integer index symbol by one."""
    e = parse(text)
    syms = sorted((s for s in e.free_symbols if isinstance(s, sp.Symbol) and s.is_integer), key=lambda s: s.name)
    if syms:
        return sp.srepr(e.xreplace({syms[0]: syms[0] + 1}))
    return sp.srepr(e + 1)


def test_changed_steps_are_rejected(cert):
    for label, k in all_steps(cert):
        bad = copy.deepcopy(cert)
        step = locate(bad, label, k)
        step["contractum"] = _edit(step["contractum"])
        msg = rejected(bad)
        at = re.search(r"step (\d+) ", msg)      # at the edited step, or where the edit first shows
        assert (at and int(at.group(1)) >= k + 1) or "normal form" in msg or "different forms" in msg, \
            (label, k, msg)


def test_moved_positions_are_rejected(cert):
    for label, k in all_steps(cert):
        bad = copy.deepcopy(cert)
        step = locate(bad, label, k)
        step["path"] = step["path"][:-1] if step["path"] else [0]
        assert "step" in rejected(bad)


def test_swapped_rule_names_are_rejected(cert):
    swaps = 0
    for label, d in derivations(cert):
        for step in d["steps"]:
            redex, contractum = parse(step["redex"]), parse(step["contractum"])
            for other in RULES:
                if other != step["rule"]:
                    assert SHAPES[other](redex, contractum, Site()) is not None, (step["rule"], other)
                    swaps += 1
    assert swaps > 1000
    bad = copy.deepcopy(cert)
    bad["rhs"]["steps"][3]["rule"] = "sum-delta"
    assert rejected(bad).startswith("rhs, step 4 (sum-delta): ")


def test_edited_final_form_is_rejected(cert):
    bad = copy.deepcopy(cert)
    bad["normal_form"] = _edit(bad["normal_form"])
    assert "normal form" in rejected(bad)


def test_a_wrong_value_is_caught_exactly_and_numerically(cert, monkeypatch):
    # swap the roles of two bound indices in the last (alpha-rename) step: chain and position checks
    # cannot see it; the checker's alpha-equivalence does, and so, as a second line of defence, do the values
    bad = copy.deepcopy(cert)
    step = bad["lhs"]["steps"][-1]
    assert step["path"] == []                     # the step rewrites the whole expression
    j, k = sp.Symbol("j", integer=True), sp.Symbol("k", integer=True)
    K = sp.IndexedBase("K")
    wrong = parse(step["contractum"]).xreplace({K[j, k]: K[k, j]})
    assert wrong != parse(step["contractum"])
    step["contractum"] = sp.srepr(wrong)
    assert "lhs, step 18 (alpha-rename): not a renaming of bound indices" in rejected(bad)
    import symcheck.replay as replay_module
    monkeypatch.setattr(replay_module, "check_step", lambda *args: None)
    assert "lhs, step 18 (alpha-rename): before and after differ" in rejected(bad)


@pytest.mark.parametrize("text", ["__import__('os').system('true')", "Symbol('x').__class__", "eval('1')",
                                  "Symbol(open)"])
def test_certificates_cannot_run_code(text):
    with pytest.raises(Rejected, match="malformed expression"):
        parse(text)


def test_unreadable_and_malformed_files(tmp_path, capsys):
    from symcheck.cli import main
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    assert main(["replay", str(bad)]) == 1
    assert "not JSON" in capsys.readouterr().out
    assert main(["replay", str(tmp_path / "missing.json")]) == 2


def test_a_certificate_is_skipped_exactly_when_some_derivation_exceeds_the_limit(library_results, tmp_path,
                                                                                  monkeypatch):
    """At the real limit every bundled proof is certified; at a lower one the long proofs, and only those,
    are skipped with the reason (a lemma's excess names the lemma)."""
    import symcheck.certificate as certificates
    from symcheck.result import CompositeProof

    def longest(proof):
        if isinstance(proof, CompositeProof):
            return max(longest(lemma.result.proof) for lemma in proof.lemmas)
        return proof.steps

    layer = [r for r in library_results.values() if r.claim.module in ("layer", "stacks") and r.verdict == "proved"]
    assert all(longest(r.proof) <= certificates.STEP_LIMIT for r in layer)
    monkeypatch.setattr(certificates, "STEP_LIMIT", 400)
    written, skipped = certificates.write_certificates(layer, str(tmp_path))
    too_long = {r.name for r in layer if longest(r.proof) > 400}
    assert {r.name for r, _ in skipped} == too_long != set()
    assert {p.stem for p in written} == {r.name for r in layer} - too_long != set()
    assert all(why.endswith("limit of 400") for _, why in skipped)
    assert any(why.startswith("Lemma 1: ") for _, why in skipped)


def _stack_claim():
    from symcheck import Claim, Iverson, from_index, make_sum, matrix, size, stack, tensor
    from symcheck.index import index
    T, d, L = size("T"), size("d"), size("L")
    X, W, j = matrix("X", T, d), tensor("W", L, d), index("j")
    running = lambda Y, layer: from_index(T, d, lambda i, c: W.at(layer)[c] * make_sum(Y[j, c], j, 1, i))  # noqa: E731
    masked = lambda Y, layer: from_index(  # noqa: E731
        T, d, lambda i, c: W.at(layer)[c] * make_sum(Iverson(sp.Le(j, i)) * Y[j, c], j, 1, T))
    return Claim("stacked_sums", stack(running, X, depth=L), stack(masked, X, depth=L), statement="s")


def test_a_composition_certificate_replays_its_lemmas():
    cert = certificate(check(_stack_claim()))
    assert cert["kind"] == "composition" and len(cert["lemmas"]) == 1
    heard = []
    v = replay(cert, progress=heard.append)
    assert v.lemmas == 1 and "and the composition argument over the claim's structure" in v.describe()
    assert heard == [f"stacked_sums: Lemma 1 valid ({v.steps} steps)"]
    broken = copy.deepcopy(cert)
    broken["lemmas"][0]["certificate"]["rhs"]["steps"].pop()
    assert rejected(broken).startswith("Lemma 1: ")
    assert rejected({**cert, "lemmas": []}) == "a composition without lemmas proves nothing"


@pytest.fixture(scope="module")
def nested_cert():
    """A stack whose layer is an apply: the argument is induction, then congruence, two lemmas deep."""
    from symcheck import Claim, apply, stack
    base = _stack_claim()
    lhs = stack(lambda Y, layer: apply(lambda Z: base.lhs.step(Z, layer), Y), base.lhs.start, depth=base.lhs.depth)
    rhs = stack(lambda Y, layer: apply(lambda Z: base.rhs.step(Z, layer), Y), base.rhs.start, depth=base.rhs.depth)
    return certificate(check(Claim("nested", lhs, rhs, statement="s")))


def redigest(cert):
    """An edited certificate with its digests recomputed, so that the check under test is reached."""
    for lemma in cert.get("lemmas", []):
        redigest(lemma["certificate"])
    cert["claim"]["digest"] = claim_digest(cert)
    return cert


def _corrupt(cert, edit):
    out = copy.deepcopy(cert)
    edit(out)
    return redigest(out)


def _unrestricted(c):
    inner = c["lemmas"][0]["certificate"]
    inner["claim"]["constraints"] = [p for p in inner["claim"]["constraints"] if "ell" not in p[0]]


@pytest.mark.parametrize("edit,message", [
    (lambda c: c["tree"].update(by="identical"), "calls two different models identical"),
    (lambda c: c["tree"].update(by="congruence", args=[]), "not applications of the same arity"),
    (lambda c: c["tree"].update(by="magic"), "unknown step 'magic'"),
    (lambda c: c["claim"]["rhs"]["stack"].update(depth="Integer(2)"), "different depths"),
    (_unrestricted, "not restricted to layers 1..depth"),
    (lambda c: c["lemmas"].append(copy.deepcopy(c["lemmas"][0])), "lemmas the argument does not use"),
    (lambda c: c["tree"].update(lemma=5), "uses lemma 5 where it cannot"),
    (lambda c: c["lemmas"][0]["certificate"]["claim"]["assumptions"].append(
        {"kind": "unit_rows", "input": "Y", "cols": "Symbol('d', integer=True, positive=True)"}),
     "assumes what the claim does not, or something of a placeholder"),
    (lambda c: c["lemmas"][0]["certificate"]["claim"].update(
        lhs=c["lemmas"][0]["certificate"]["claim"]["rhs"]), "its claim is not the one the argument needs here"),
    (lambda c: c["claim"]["lhs"]["stack"]["step"]["apply"]["body"]["formula"].update(entry="Integer(0)"),
     "not the one the argument needs here"),
])
def test_a_corrupted_composition_argument_is_rejected(nested_cert, edit, message):
    assert replay(nested_cert).lemmas == 1 and nested_cert["lemmas"][0]["certificate"]["kind"] == "composition"
    assert message in rejected(_corrupt(nested_cert, edit))



def test_computed_memory_rows_have_the_same_value_in_both_semantics():
    """The checker simulates memories written with computed rows (`Rows`) on its own."""
    import numpy as np
    from symcheck.evaluate import evaluate
    from symcheck.index import index, size
    from symcheck.matrix import matrix
    from symcheck.memory import Memory, MemoryCell, Rows
    from symcheck.replay_semantics import scalar_value
    T, d, N = size("T"), size("d"), size("N")
    X = matrix("X", T, d)
    s, a, n, b = index("s"), index("a"), index("n"), index("b")
    mem = Memory("K", Rows("k", (s, a), 2 * X[s, a] + s, (T, d)), N)
    cell = MemoryCell(mem, T - 1, n, b)
    sizes = {"T": 3, "d": 2, "N": 4}
    x = [[1, -2], [3, 5], [0, 7]]
    ours = evaluate(cell, {n: 4, b: 2}, sizes, {"X": np.array(x, dtype=float)})
    theirs = [[float(scalar_value(cell, sizes, {"X": x}, {"n": i, "b": k})) for k in (1, 2)] for i in range(1, 5)]
    assert np.array_equal(ours, np.array(theirs)) and theirs[1] == [8.0, 12.0] and theirs[2] == [0.0, 0.0]


def test_a_layer_proved_by_composition_replays(library_results):
    """Computed memory rows, LayerNorm and W_O: the self-attention block lemma re-checked independently."""
    r = library_results["layer.pre_ln_layer_is_sdnc_step"]
    v = replay(certificate(r))
    assert v.lemmas == 2 and v.steps == r.steps > 300          # the attention lemma: 357 steps


def test_a_lemma_about_an_inlined_composition_gets_no_certificate(tmp_path):
    """The checker matches lemmas with entry formulas; an inlined apply has none it could trust."""
    from symcheck import Claim, apply, from_index, make_sum, matrix, size
    from symcheck.certificate import write_certificates
    from symcheck.index import index
    T, d = size("T"), size("d")
    X, j = matrix("X", T, d), index("j")
    running = lambda Y: from_index(T, d, lambda i, c: make_sum(Y[j, c], j, 1, i))          # noqa: E731
    masked = lambda Y: from_index(T, d, lambda i, c: make_sum(Iverson(sp.Le(j, i)) * Y[j, c], j, 1, T))  # noqa: E731
    r = check(Claim("mixed", apply(running, apply(running, X)), apply(masked, masked(X)), statement="s"))
    assert r.verdict == "proved" and r.proof.tree["args"][0]["inlined"]
    written, skipped = write_certificates([r], str(tmp_path))
    assert written == [] and skipped[0][1].startswith("a lemma about an inlined composition")


def test_the_checker_knows_the_brackets_beside_a_factor():
    """Its own copy of the prover's sibling-guard facts: [j = t]·exp(j) gives j <= t and t <= j inside the exp."""
    import sympy as sp
    from symcheck.index import index
    from symcheck.replay_rules import facts_at
    j, t = index("j"), index("t")
    product = Iverson(sp.Eq(j, t)) * sp.exp(j)
    k = next(k for k, a in enumerate(product.args) if isinstance(a, sp.exp))
    assert set(facts_at(product, (k,), ())) == {(j, t), (t, j)}
    assert facts_at(product, (1 - k,), ()) == ()
