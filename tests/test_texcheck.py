"""A claim's statement_tex is refused at declaration unless it compiles wherever the claim goes."""

import re
from pathlib import Path

import pytest

from symcheck import Claim, causal_attention, matrix, sdnc_read, sizes
from symcheck.errors import ClaimError
from symcheck.loader import load
from symcheck.texcheck import check_statement_tex

ROOT = Path(__file__).resolve().parent.parent
T, d, N = sizes("T d N")
Q, K, V = matrix("Q", T, d), matrix("K", T, d), matrix("V", T, d)


def test_a_statement_with_inline_mathematics_and_symcheck_macros_is_accepted():
    check_statement_tex(r"Attention with $\beta = 1/\sqrt{d}$ reads $\memcell{V}{t}{n,b}$ (\emph{written} slots).", "c")


@pytest.mark.parametrize("tex, why", [
    ("", "must be a nonempty string of LaTeX"),
    ("$x", r"leaves math mode open \(an odd number of \$\)"),
    ("{x", "leaves a brace open"),
    ("x}", "closes a brace it never opened"),
    (r"$$x$$", "must be inline text"),
    ("50% of it", "must be inline text"),
    ("write k_t to slot t", "puts _ or \\^ outside math mode"),
    (r"\input{/etc/passwd}", r"uses \\input, which is neither a symcheck macro nor a common LaTeX command"),
    (r"\def\x{1}", r"uses \\def, which is neither"),
    (r"$\memcell{V}{t}$", r"gives \\memcell fewer than the 3 argument\(s\) it takes"),
    (r"\@tempa", r"uses \\@"),
])
def test_bad_statement_tex_is_refused_with_the_reason(tex, why):
    with pytest.raises(ClaimError, match=r"^claim c, field statement_tex: statement_tex " + why):
        check_statement_tex(tex, "c")


def test_a_claim_checks_its_statement_tex_where_it_is_declared():
    with pytest.raises(ClaimError, match=re.escape("claim odd, field statement_tex: statement_tex leaves")):
        Claim("odd", causal_attention(Q, K, V), sdnc_read(Q, K, V, slots=N), "text", statement_tex="$x")
    claim = Claim("fine", causal_attention(Q, K, V), sdnc_read(Q, K, V, slots=N), "text", statement_tex="$x$")
    assert claim.statement_tex == "$x$"


ASCII_MATH = re.compile(r"sqrt\(|<=|>=|\^T|sum_|\b[A-Za-z]_[A-Za-z0-9{(]|\b(beta|alpha|phi|sigma)\b")


def test_every_bundled_statement_with_a_formula_is_typeset_by_its_author():
    plain = [c.qualname for c in load([str(ROOT / "derivations")])
             if c.statement_tex is None and ASCII_MATH.search(c.statement)]
    assert plain == []
