"""'Did you mean ...?' on a derivation file's misspelled keyword arguments, names and imports."""

from __future__ import annotations

import pytest

from symcheck.cli import main

HEADER = ("from symcheck import Claim, causal_attention, matrix, sdnc_read, sizes\n"
          "T, d, N = sizes('T d N')\nQ, K, V = matrix('Q', T, d), matrix('K', T, d), matrix('V', T, d)\n")

CASES = {
    "sdnc_read(Q, K, V, slots=N, strenght=2)":
        "typo.py:5: claim typo.c: TypeError: sdnc_read() got an unexpected keyword argument 'strenght' "
        "(did you mean `strength=`?)",
    "causal_attention(Q, K, V, windw=2)":
        "typo.py:5: claim typo.c: TypeError: causal_attention() got an unexpected keyword argument 'windw' "
        "(did you mean `window=`?)",
    "sdnc_reed(Q, K, V, slots=N)":
        "typo.py:5: claim typo.c: NameError: name 'sdnc_reed' is not defined (did you mean `sdnc_read`?)",
    "cross_atention(Q, K, V)":
        "typo.py:5: claim typo.c: NameError: name 'cross_atention' is not defined (did you mean `cross_attention`? "
        "import it: from symcheck import cross_attention)",
    "sdnc_read(Q, K, V, slots=N, flavour=2)":
        "typo.py:5: claim typo.c: TypeError: sdnc_read() got an unexpected keyword argument 'flavour'\n",
}


@pytest.mark.parametrize("rhs, message", CASES.items())
def test_a_misspelling_is_an_input_error_with_a_suggestion(tmp_path, capsys, rhs, message):
    f = tmp_path / "typo.py"
    f.write_text(HEADER + f"c = Claim('c', lhs=causal_attention(Q, K, V),\n          rhs={rhs}, statement='s')\n")
    code = main(["check", str(f)])
    err = capsys.readouterr().err
    assert code == 2 and message in err and "internal error" not in err


def test_a_misspelled_import_names_the_name_meant(tmp_path, capsys):
    f = tmp_path / "typo.py"
    f.write_text("from symcheck import Claim, sdnc_reed\n")
    assert main(["check", str(f)]) == 2
    err = capsys.readouterr().err
    assert "typo.py:1: ImportError: cannot import name 'sdnc_reed' from 'symcheck'" in err
    assert err.rstrip().endswith("(did you mean `sdnc_read`?)")
    f.write_text("import symcheck\nx = symcheck.causal_atention\n")
    assert main(["check", str(f)]) == 2
    assert "(did you mean `causal_attention`?)" in capsys.readouterr().err


def test_a_misspelled_claim_field_names_the_field(tmp_path, capsys):
    f = tmp_path / "typo.py"
    f.write_text(HEADER + "c = Claim('c', lhs=causal_attention(Q, K, V), rhs=causal_attention(Q, K, V), "
                          "statment='s')\n")
    assert main(["check", str(f)]) == 2
    assert "claim typo.c: TypeError: Claim.__init__() got an unexpected keyword argument 'statment' " \
           "(did you mean `statement=`?)" in capsys.readouterr().err
