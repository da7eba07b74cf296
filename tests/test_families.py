"""Claim families: title, sentence and order read from a derivation file's syntax tree."""

from __future__ import annotations

import math

from symcheck.families import Family, family_of


def test_title_order_and_sentence_come_from_the_file(tmp_path):
    f = tmp_path / "my_claims.py"
    f.write_text('"""Attention is a memory read.\n\nMore prose.\n"""\nTITLE = "Attention"\nORDER = 0\nX = 1\n')
    assert family_of("my_claims", str(f)) == Family("my_claims", "Attention", "Attention is a memory read.", 0.0)


def test_defaults_without_title_order_or_file(tmp_path):
    f = tmp_path / "linear_attention.py"
    f.write_text('ORDER = "first"\nTITLE = f"{1}"\n')          # not literals of the right type: ignored
    assert family_of("linear_attention", str(f)) == Family("linear_attention", "Linear attention", "", math.inf)
    assert family_of("m", "") == Family("m", "M", "", math.inf)
    assert family_of("", str(tmp_path / "missing.py")).title == "Claims"
