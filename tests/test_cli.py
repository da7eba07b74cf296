"""The command line: exit codes, one-line errors, JSON and JUnit, show, files anywhere."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from symcheck.cli import main

ROOT = Path(__file__).resolve().parent.parent
DERIVATIONS = str(ROOT / "derivations")
SDNC = str(ROOT / "derivations" / "sdnc.py")       # fast: the CLI tests need not re-prove the layers

HEADER = "from symcheck import Claim, causal_attention, matrix, sdnc_read, sizes\n" \
         "T, d, N = sizes('T d N')\nQ, K, V = matrix('Q', T, d), matrix('K', T, d), matrix('V', T, d)\n"


def write(tmp_path, name, body):
    p = tmp_path / name
    p.write_text(HEADER + body)
    return str(p)


def run(argv, capsys):
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_check_bundled_library_passes(capsys):
    code, out, err = run(["check", SDNC], capsys)
    assert code == 0
    last = out.strip().splitlines()[-1]
    assert re.fullmatch(r"\d+ passed, 0 failed \(\d+ proved, \d+ refuted\) in [\d.]+s", last)
    assert "sdnc.causal_attention_is_sdnc" in out and "proved" in out


def test_json_follows_the_contract(tmp_path, capsys):
    target = tmp_path / "r.json"
    code, _, _ = run(["check", SDNC, "--json", str(target)], capsys)
    doc = json.loads(target.read_text())
    assert code == 0 and set(doc) >= {"symcheck", "claims", "summary"}
    fields = {"name", "file", "statement", "verdict", "expected", "ok", "scope", "sizes", "seconds",
              "steps", "counterexample", "reason"}
    for c in doc["claims"]:
        assert fields <= set(c)
    main_claim = next(c for c in doc["claims"] if c["name"] == "sdnc.causal_attention_is_sdnc")
    assert main_claim["verdict"] == "proved" and main_claim["scope"] == "symbolic"
    refuted = [c for c in doc["claims"] if c["verdict"] == "refuted"]
    assert refuted and all(set(c["counterexample"]) >= {"sizes", "inputs", "lhs", "rhs", "max_abs_diff", "where"}
                           for c in refuted)
    assert doc["summary"]["failed"] == 0


def test_json_to_stdout_is_pure_json(capsys):
    code, out, err = run(["check", DERIVATIONS, "-k", "key_strength_one", "--json", "-"], capsys)
    doc = json.loads(out)
    assert code == 0 and [c["name"] for c in doc["claims"]] == ["sdnc.key_strength_one"]
    assert "1 passed, 0 failed" in err


def test_junit(tmp_path, capsys):
    target = tmp_path / "j.xml"
    run(["check", SDNC, "--junit", str(target)], capsys)
    suite = ET.parse(target).getroot()
    assert suite.tag == "testsuite" and int(suite.get("tests")) >= 7 and suite.get("failures") == "0"


def test_k_glob_and_no_match(capsys):
    code, out, _ = run(["check", DERIVATIONS, "-k", "sdnc.*cosine*"], capsys)
    assert code == 0 and "2 passed, 0 failed" in out
    code, _, err = run(["check", DERIVATIONS, "-k", "nothing-like-this"], capsys)
    assert code == 2 and "no claims" in err


def test_unexpected_verdict_exits_1(tmp_path, capsys):
    f = write(tmp_path, "wrong_expectation.py",
              "c = Claim('c', causal_attention(Q, K, V), sdnc_read(Q, K, V, slots=N, strength=1), 'x')\n")
    code, out, _ = run(["check", f], capsys)
    assert code == 1 and out.strip().splitlines()[-1].startswith("0 passed, 1 failed") and "EXPECTED proved" in out


def test_an_expected_undecided_claim_prints_its_reason(tmp_path, capsys):
    f = write(tmp_path, "open_claim.py",
              "from symcheck import from_index, make_sum, index\n"
              "c = Claim('c', from_index(T, d, lambda t, b: make_sum(1, index('j'), 1, t)), from_index(T, d, "
              "lambda t, b: t), 'x', expect='undecided', reason='no rule evaluates a constant sum')\n")
    target = tmp_path / "r.json"
    code, out, _ = run(["check", f, "--json", str(target)], capsys)
    assert code == 0 and "undecided" in out and "    open: no rule evaluates a constant sum\n" in out
    (c,) = json.loads(target.read_text())["claims"]
    assert (c["expected"], c["expected_reason"], c["ok"]) == ("undecided", "no rule evaluates a constant sum", True)


@pytest.mark.parametrize("body,needle", [
    ("raise RuntimeError('boom')\n", r"raises\.py:4: RuntimeError: boom"),
    ("M = matrix('M', T, d + 1)\nc = causal_attention(Q, K, M @ M)\n", r"raises\.py:5: .*field shape"),
    ("c = Claim('c', causal_attention(Q, K, V), sdnc_read(Q, K, V, slots=N, similarity='euclid'), 'x')\n",
     r"raises\.py:4: .*field similarity: unknown similarity 'euclid'"),
    ("c = Claim('c', causal_attention(Q, K, V), sdnc_read(Q, K, V, slots=N), 'x', expect='maybe')\n",
     r"raises\.py:4: claim c, field expect"),
])
def test_bad_claim_files_give_one_line_and_exit_2(tmp_path, capsys, body, needle):
    f = write(tmp_path, "raises.py", body)
    code, out, err = run(["check", f], capsys)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and re.search(needle, lines[0]), err
    assert "Traceback" not in err


def test_shape_mismatch_between_sides_names_file_and_claim(tmp_path, capsys):
    f = write(tmp_path, "mismatch.py", "W = matrix('W', T, d + 1)\n"
                                       "c = Claim('c', causal_attention(Q, K, V), causal_attention(Q, K, W), 'x')\n")
    code, out, err = run(["check", f], capsys)
    assert code == 2
    assert re.search(r"mismatch\.py: mismatch\.c: claim mismatch\.c, field shape: the two sides have different "
                     r"columns", err)


@pytest.mark.parametrize("argv,needle", [
    (["check", "/no/such/path.py"], "/no/such/path.py: no such file or directory"),
    (["check", "--frobnicate"], "unrecognized arguments: --frobnicate"),
    (["check", DERIVATIONS, "--max-steps", "0"], "must be positive"),
    (["show", "sdnc.nope", DERIVATIONS], "no claim named 'sdnc.nope'"),
    (["explode"], "invalid choice"),
])
def test_usage_errors_exit_2_with_one_line(capsys, argv, needle):
    code, out, err = run(argv, capsys)
    assert code == 2 and needle in err and len(err.strip().splitlines()) == 1


def test_show_proof_and_counterexample(capsys):
    code, out, _ = run(["show", "sdnc.causal_attention_is_sdnc", DERIVATIONS], capsys)
    assert code == 0
    assert "[unroll-write-once; if 0 <= t, t <= N, t <= T]" in out and "Induction step" in out
    assert "normal forms meet" in out and "\nleft-hand side:\n" in out
    code, out, _ = run(["show", "sdnc.read_before_write", DERIVATIONS], capsys)
    assert code == 0 and "counterexample (confirmed with mpmath)" in out and "sizes: N=1, T=1" in out
    assert out.index("counterexample (confirmed") < out.index("left-hand side:")    # the evidence first


def test_show_prints_no_step_that_prints_as_the_line_before(capsys):
    code, out, _ = run(["show", "sdnc.causal_attention_is_sdnc", DERIVATIONS], capsys)
    assert code == 0
    for side in ("left-hand side:", "right-hand side:"):
        block = out[out.index(side):].split("\n\n")[0].splitlines()
        forms = [line.strip().removeprefix("= ") for line in block[1:] if not line.strip().startswith("[")]
        assert len(forms) > 2 and all(a != b for a, b in zip(forms, forms[1:]))     # V[k,b] lowered prints alike


@pytest.mark.parametrize("name", ["b", "k", "tau"])
def test_an_input_named_like_an_index_is_proved_and_its_certificate_replays(tmp_path, capsys, name):
    """Before, the prover proved such a claim and the checker rejected its certificate (two symbols named b);
    then posing refused the name. Now both accept it (tests/test_input_names.py has the cases)."""
    f = write(tmp_path, "named.py", f"from sympy import sqrt\nX = matrix('{name}', T, d)\n"
              "c = Claim('c', causal_attention(Q, K, X), sdnc_read(Q, K, X, slots=N, strength=1/sqrt(d)), 'x',"
              " where=((T, N),))\n")
    certs = tmp_path / "certs"
    code, out, err = run(["check", f, "--no-cache", "--certificates", str(certs)], capsys)
    assert code == 0 and "proved" in out, err
    code, out, err = run(["replay", str(certs)], capsys)
    assert code == 0 and "1 valid, 0 rejected" in out, out + err


def readme_file(tmp_path, name: str):
    """The README's code block introduced by "Save this as `name`", written to a directory outside the repo."""
    readme = (ROOT / "README.md").read_text()
    block = re.search(rf"Save this as\s+`{re.escape(name)}`:\s+```python\n(.*?)```", readme, re.S).group(1)
    f = tmp_path / name
    f.write_text(block)
    return str(f)


def test_readme_example_works_outside_the_repository(tmp_path, capsys):
    code, out, _ = run(["check", readme_file(tmp_path, "my_claims.py")], capsys)
    assert code == 0 and "2 passed, 0 failed" in out
    assert re.search(r"my_claims.half_strength\s+refuted", out)
    assert re.search(r"my_claims.hand_written_attention\s+proved\s+symbolic", out)


def test_readme_composition_example_is_proved_by_induction(tmp_path, capsys):
    f = readme_file(tmp_path, "stack_claims.py")
    code, out, _ = run(["check", f], capsys)
    assert code == 0 and re.search(r"stack_claims.stack_is_sdnc\s+proved\s+symbolic", out)
    code, out, _ = run(["show", "stack_claims.stack_is_sdnc", f], capsys)
    assert code == 0 and "Induction on ℓ = 0..L" in out and "Lemma 1.1 (proved" in out


def test_module_entry_point_has_no_traceback():
    proc = subprocess.run([sys.executable, "-m", "symcheck", "check", "missing.py"], capture_output=True,
                          text=True, cwd=ROOT)
    assert proc.returncode == 2 and proc.stderr.strip() == "symcheck: error: missing.py: no such file or directory"


BROKEN = "x = 1 / 0\n"
TRUE_AND_FALSE = ("ok = Claim('ok', lhs=causal_attention(Q, K, V), rhs=causal_attention(Q, K, V), statement='s')\n"
                  "near = Claim('near', lhs=causal_attention(Q, K, V), rhs=causal_attention(Q, K, K), statement='s', "
                  "expect='refuted')\n")


def test_a_file_that_does_not_load_is_one_error_row_and_the_run_goes_on(tmp_path, capsys):
    write(tmp_path, "good.py", TRUE_AND_FALSE)
    (tmp_path / "broken.py").write_text(BROKEN)
    code, out, err = run(["check", str(tmp_path), "--json", str(tmp_path / "r.json"), "--junit",
                          str(tmp_path / "r.xml"), "--no-cache"], capsys)
    assert code == 2 and "broken.py:1: ZeroDivisionError" in err and "good.near" in out
    doc = json.loads((tmp_path / "r.json").read_text())
    assert [c["name"] for c in doc["claims"]] == ["good.ok", "good.near"] and len(doc["files_not_loaded"]) == 1
    suite = ET.parse(tmp_path / "r.xml").getroot()
    assert suite.get("errors") == "1" and suite.get("tests") == "3"


def test_parallel_and_cached_runs_print_what_a_serial_run_prints(tmp_path, capsys):
    write(tmp_path, "good.py", TRUE_AND_FALSE)
    rows = {}
    for jobs, cache in (("1", "--no-cache"), ("2", "--no-cache"), ("2", None), ("1", None)):
        argv = ["check", str(tmp_path), "-j", jobs] + ([cache] if cache else ["--cache-dir", str(tmp_path / "c")])
        code, out, _ = run(argv, capsys)
        assert code == 0
        rows[(jobs, cache)] = [re.sub(r"\s+[\d.]+s\s+", " ", line).replace("  (cached)", "")
                               for line in out.splitlines()[1:-1]]
    assert len({tuple(r) for r in rows.values()}) == 1
    assert "(cached)" in out                  # the last run read both claims from the cache


def test_the_cache_sees_an_edited_file(tmp_path, capsys):
    path = write(tmp_path, "good.py", TRUE_AND_FALSE)
    run(["check", path, "--cache-dir", str(tmp_path / "c")], capsys)
    Path(path).write_text(Path(path).read_text().replace("causal_attention(Q, K, K)", "causal_attention(Q, K, V)"))
    code, out, _ = run(["check", path, "--cache-dir", str(tmp_path / "c")], capsys)
    assert code == 1 and "good.near" in out and "(cached)" not in out.split("good.near")[1].splitlines()[0]


def test_a_progress_bar_only_on_a_terminal(tmp_path, capsys):
    """Piped: plain rows. On a terminal (a pseudo-terminal with a size): a bar below the rows, cleared at the end."""
    import fcntl
    import pty
    import struct
    import termios
    write(tmp_path, "good.py", TRUE_AND_FALSE)
    code, out, _ = run(["check", str(tmp_path), "--no-cache", "-j", "1"], capsys)
    assert code == 0 and "claim/s" not in out and "%|" not in out
    pid, fd = pty.fork()
    if pid == 0:                                                    # the child: a terminal 100 columns wide
        fcntl.ioctl(1, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
        os.execv(sys.executable, [sys.executable, "-m", "symcheck", "check", str(tmp_path), "--no-cache", "-j", "1"])
    shown = b""
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    os.waitpid(pid, 0)
    text = shown.decode()
    assert "0/2" in text and "claim/s" in text and "good.near" in text
    assert "2 passed, 0 failed" in text.rstrip().splitlines()[-1]        # the bar is gone before the summary


def test_list_names_the_claims_without_checking(tmp_path, capsys):
    write(tmp_path, "good.py", TRUE_AND_FALSE)
    code, out, _ = run(["list", str(tmp_path)], capsys)
    assert code == 0 and "good.ok" in out and "refuted" in out and out.strip().endswith("2 claims")


def test_k_is_exact_or_a_glob(capsys):
    code, out, _ = run(["list", DERIVATIONS, "-k", "sdnc"], capsys)
    names = [line.split()[0] for line in out.splitlines()[:-1]]
    assert names and all(n.startswith("sdnc.") for n in names)
    code, out, _ = run(["list", DERIVATIONS, "-k", "*_is_sdnc*"], capsys)
    assert any(not line.startswith("sdnc.") for line in out.splitlines()[:-1])


def test_a_result_asserts_its_expected_verdict(tmp_path):
    from symcheck import check_all, load
    claims = load(write(tmp_path, "good.py", TRUE_AND_FALSE))
    results = check_all(claims, jobs=2)
    assert all(results) and "good.near: refuted" in repr(results[1])


@pytest.mark.parametrize("name, verdict", [("window_variant.py", "proved"), ("projected_variant.py", "proved"),
                                           ("sinks_variant.py", "refuted")])
def test_readme_variants_check_as_the_readme_says(tmp_path, capsys, name, verdict):
    code, out, _ = run(["check", readme_file(tmp_path, name)], capsys)
    assert code == 0 and "1 passed, 0 failed" in out and re.search(rf"\s{verdict}\s", out)


MISTAKES = {
    "sympy.Sum(V[j, b], (j, 1, t))": "use make_sum(f, j, lo, hi), not sympy.Sum",
    "V[t]": ":7: V is a matrix: an entry takes two indices",
    "sum(V[t, a] for a in range(1, d + 1))": ":7: TypeError: 'Add' object cannot be interpreted as an integer (a sum over",
}


@pytest.mark.parametrize("entry, message", MISTAKES.items())
def test_a_mistake_in_an_entry_function_is_an_input_error_with_its_line(tmp_path, capsys, entry, message):
    f = tmp_path / "mistake.py"
    f.write_text("import sympy\nfrom symcheck import Claim, from_index, index, matrix, sizes\n"
                 "T, d = sizes('T d')\nV = matrix('V', T, d)\nj = index('j')\n\n"
                 f"wrong = Claim('wrong', lhs=from_index(T, d, lambda t, b: {entry}),\n"
                 "              rhs=from_index(T, d, lambda t, b: V[t, b]), statement='x')\n")
    code, _, err = run(["check", str(f)], capsys)
    assert code == 2 and "mistake.wrong" in err and message in err and "internal error" not in err
