"""Prose with ASCII formulas: the formulas in math mode, the words escaped."""

import pytest

from symcheck.textmath import prose


@pytest.mark.parametrize("text, expected", [
    ("1 <= s <= N: slot s exists", r"$1 \le s \le N$: slot $s$ exists"),
    ("C a positive integer, 0 <= r <= C - 1 provable", r"$C$ a positive integer, $0 \le r \le C - 1$ provable"),
    ("l - 1 <= m and m <= h provable", r"$l - 1 \le m$ and $m \le h$ provable"),
    ("exp(log 0) = 0: weight 0", r"$\exp(\log 0) = 0$: weight $0$"),
    ("0 <= τ <= N; by induction on τ = 1..N", r"$0 \le \tau  \le N$; by induction on $\tau  = 1, \dots, N$"),
    ("an identity (R_a^T R_b = R_{b-a} entrywise)", r"an identity ($R_a^{\top} R_b = R_{b-a}$ entrywise)"),
    ("the factor f_h is the body at j = h exactly", r"the factor $f_h$ is the body at $j = h$ exactly"),
    ("for every Y. Used with Y := X.", r"for every $Y$. Used with $Y := X$."),
    ("a and b integer-affine", r"a and $b$ integer-affine"),
    ("every row of Q has norm 1", r"every row of $Q$ has norm $1$"),
    ("gated state S_t^T q_t", r"gated state $S_t^{\top} q_t$"),
    ("provable sum-delta's 100% & x^", r"provable sum-delta's 100\% \& x\textasciicircum{}"),
])
def test_prose_typesets_formulas_as_mathematics(text, expected):
    assert prose(text) == expected
