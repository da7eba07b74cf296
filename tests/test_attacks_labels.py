"""Red-team of input labels (X of X[i, j]) beside indices and sizes of the same name.

Four attacks worked. (1) In a certificate, a sum's index may be a plain symbol (no assumptions); an input's
label is one too, so an index k beside an input k was one sympy object, and the checker's renaming of bound
indices renamed the label with it: `alpha-rename` took Σ_k [4 <= T]·k[k, b] to Σ_j [4 <= T]·j[j, b], two
different inputs (false at T = 4, 0 at the checker's sizes 1..3). (2) A composition's structure could read an
input through its label, X[t, b] as a sympy Indexed, which `free_inputs` does not see: a placeholder named X
then captured it, and a lemma Entry(X) = X[t, b] proved A = X. (3) The prover had the same blind spot: `apply(lambda Y:
... IndexedBase("Y")[i, j] ...)` read its parameter Y through the label, but the lemma's placeholder was primed
to Y' (the other side reads an input Y), and the label then read that input: A = Y was proved, caught only by
the numeric cross-check. Now the checker refuses a plain symbol named like a label and a structure that reads a
label, and the prover counts labels among the names a body reads (`model_ops.read_names`): a parameter of such
a name is an input error, and a lemma's placeholder avoids them. (4) A sum over a size's name
(Σ_{T=N}^{N}) let the checker's substitution change a memory's slot count, which the semantics reads at the
claim's scope; no binder may now bind a size.
"""

from __future__ import annotations

import json

import pytest
import sympy as sp

from symcheck import Claim, Config, apply, check, from_index, index, make_sum, matrix, scalar, sizes
from symcheck.certificate import certificate
from symcheck.digest import claim_digest
from symcheck.index import Iverson, Sigma
from symcheck.memory import Memory, MemoryCell
from symcheck.replay import Rejected, replay

T, d = sizes("T d")
X, A = matrix("X", T, d), matrix("A", T, d)
t, b = index("t"), index("b")
CONFIG = Config(max_seconds=20)


@pytest.fixture(scope="module")
def plain():
    """The certificate of X = X: a frame whose claim, starts and steps a forger replaces."""
    return certificate(check(Claim("p", from_index(T, d, lambda i, j: X[i, j]), from_index(T, d, lambda i, j: X[i, j]),
                                   statement="s"), CONFIG))


def _flat(frame: dict, inputs: dict, lhs, rhs, steps) -> dict:
    cert = json.loads(json.dumps(frame))
    cert["claim"]["inputs"] = [{"name": n, "shape": [sp.srepr(x) for x in s]} for n, s in inputs.items()]
    cert["claim"]["row"], cert["claim"]["col"] = sp.srepr(t), sp.srepr(b)
    cert["lhs"] = {"start": sp.srepr(lhs), "steps": [
        {"rule": rule, "path": [], "keep": 0, "redex": sp.srepr(r), "contractum": sp.srepr(c), "side_conditions": [],
         "obligations": []} for rule, r, c in steps]}
    cert["rhs"], cert["normal_form"] = {"start": sp.srepr(rhs), "steps": []}, sp.srepr(rhs)
    cert["claim"]["digest"] = claim_digest(cert)
    return cert


def _reads(name: str, var: sp.Symbol) -> Sigma:
    """Σ_{var=1}^{d} [4 <= T]·name[var, b]: 0 at every size the checker tries."""
    return Sigma(Iverson(sp.Le(4, T)) * sp.IndexedBase(sp.Symbol(name))[var, b], var, 1, d)


@pytest.mark.parametrize("k, j, message", [
    (sp.Symbol("k"), sp.Symbol("j"), "symbol 'k' without assumptions is also the label of an input"),
    (index("k"), index("j"), "alpha-rename.*not a renaming of bound indices"),        # failed before: pinned
])
def test_a_renaming_of_an_index_does_not_rename_the_input_of_its_name(plain, k, j, message):
    lhs, rhs = _reads("k", k), _reads("j", j)
    with pytest.raises(Rejected, match=message):
        replay(_flat(plain, {"j": (d, d), "k": (d, d)}, lhs, rhs, [("alpha-rename", lhs, rhs)]))


def test_a_plain_symbol_met_before_the_label_of_its_name_is_rejected(plain):
    lhs = Sigma(sp.Symbol("k") * X.base[t, b], sp.Symbol("k"), 1, 1) + sp.IndexedBase(sp.Symbol("k"))[t, b]
    with pytest.raises(Rejected, match="symbol 'k' without assumptions is also the label of an input"):
        replay(_flat(plain, {"X": (T, d), "k": (T, d)}, lhs, lhs, []))


def test_a_structure_reading_an_input_by_its_label_is_rejected(plain):
    """apply(λX. X, A) = apply(λX. X[t, b] read as a label, A): the placeholder X took the free input's name."""
    read = sp.IndexedBase(sp.Symbol("X"))[t, b]
    lemma = _flat(plain, {"X": (T, d)}, X[t, b], read, [("entry-input", X[t, b], read)])
    assert replay(lemma).steps == 1
    shape = [sp.srepr(T), sp.srepr(d)]

    def side(entry):
        body = {"formula": {"row": sp.srepr(t), "col": sp.srepr(b), "entry": sp.srepr(entry), "rows": shape[0],
                            "cols": shape[1]}}
        return {"apply": {"placeholders": [{"name": "X", "shape": shape}], "body": body,
                          "args": [{"input": {"name": "A", "shape": shape}}]}}
    cert = {"symcheck": lemma["symcheck"], "format": lemma["format"], "kind": "composition",
            "claim": {"name": "A_is_X", "file": None, "statement": "s", "expect": "proved", "constraints": [],
                      "assumptions": [], "lhs": side(X[t, b]), "rhs": side(read)},
            "argument": [], "tree": {"by": "congruence", "args": [{"by": "identical"}], "lemma": 0},
            "lemmas": [{"title": "Lemma 1", "statement": "s", "use": "X := A", "certificate": lemma}]}
    cert["claim"]["digest"] = claim_digest(cert)
    with pytest.raises(Rejected, match="an entry formula reads an input by its label"):
        replay(json.loads(json.dumps(cert)))


def test_a_parameter_named_like_a_label_its_body_reads_is_an_input_error():
    """Before: proved by the composition (A = Y), then caught by the numeric cross-check as an internal error:
    the lemma's placeholder was primed away from the input Y, and the label Y in the body then read that input."""
    Y, raw = matrix("Y", T, d), sp.IndexedBase("Y")
    claim = Claim("c", apply(lambda Y: from_index(T, d, lambda i, j: raw[i, j]), A),
                  apply(lambda Z: from_index(T, d, lambda i, j: Y[i, j]), A), statement="s", expect="refuted")
    r = check(claim, CONFIG)
    assert r.verdict == "error" and "parameter 'Y' of <lambda> has the name of an input it also reads" in r.reason


def test_a_label_the_other_body_reads_is_avoided_by_the_lemmas_placeholder():
    """A = Y: the right body reads the input Y through its label. Before, the lemma's placeholder took the name Y,
    and its lemma (placeholder Y = label Y) identified the two; now it is Y' and the claim is refuted."""
    Y, raw = matrix("Y", T, d), sp.IndexedBase("Y")
    claim = Claim("c", apply(lambda Y, W: from_index(T, d, lambda i, j: Y[i, j]), A, Y),
                  apply(lambda Z, W: from_index(T, d, lambda i, j: raw[i, j]), A, Y), statement="s", expect="refuted")
    assert check(claim, CONFIG).verdict == "refuted"


def test_a_sum_over_a_sizes_name_does_not_reach_a_memorys_slot_count(plain):
    """Σ_{T=N}^{N} [4 <= N]·M_d[d, b] with M of T slots is M_d[d, b] with T slots, read at the claim's scope; the
    checker's substitution made it N slots (51 against 0 at T = 5, N = 4, d = 5), and accepted the step."""
    (N,) = sizes("N")
    Xd = matrix("X", d, d)

    def cell(slots):
        return Iverson(sp.Le(4, N)) * MemoryCell(Memory("M", Xd, slots), d, d, b)
    lhs, rhs = Sigma(cell(T), T, N, N), cell(N)
    cert = _flat(plain, {"X": (d, d)}, lhs, rhs, [("sum-singleton", lhs, rhs)])
    cert["claim"]["sizes"] = [sp.srepr(x) for x in (T, N, d)]
    cert["claim"]["digest"] = claim_digest(cert)
    with pytest.raises(Rejected, match="a sum, product or function binds the size T"):
        replay(cert)


# -- attacks on the prover that failed: inputs named like sizes, indices and the layer ----------------------------
k, j1 = index("k"), index("j1")
Tm, km, ellm, jm = matrix("T", T, d), matrix("k", T, d), matrix("ell", T, d), matrix("j1", T, d)
s_T = scalar("T", interval=(0, 1))


@pytest.mark.parametrize("lhs, rhs, verdict", [
    (lambda i, j: Tm[i, j], lambda i, j: T, "refuted"),                                   # an input T, the size T
    (lambda i, j: make_sum(Tm[k, j], k, 1, T), lambda i, j: T * Tm[1, j], "refuted"),
    (lambda i, j: s_T, lambda i, j: T, "refuted"),                                        # a scalar T, the size T
    (lambda i, j: s_T * T, lambda i, j: T * s_T, "proved"),
    (lambda i, j: make_sum(km[k, j], k, 1, i), lambda i, j: km[i, j] * i, "refuted"),     # an input k, an index k
    (lambda i, j: ellm[i, j], lambda i, j: 2 * ellm[i, j], "refuted"),                     # an input ell, the layer
    (lambda i, j: make_sum(jm[j1, j], j1, 1, i), lambda i, j: make_sum(jm[i, j], j1, 1, i), "refuted"),
])
def test_inputs_named_like_sizes_and_indices_keep_their_verdicts(lhs, rhs, verdict):
    r = check(Claim("c", from_index(T, d, lhs), from_index(T, d, rhs), statement="s", expect=verdict), CONFIG)
    assert r.verdict == verdict
    if verdict == "proved":
        assert replay(certificate(r)).name == "c"
