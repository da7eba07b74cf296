"""Red-team of names a recurrence's machinery uses itself: the numeric loop's step symbol and the update's own
parameters (t_step, a_row, b_col). Both attacks worked: an index of the update named `_step` was the numeric
loop's step symbol, so a true claim was refuted (or its proof failed the cross-check); an index named `t_step`
was the update's own step parameter, so its sum captured the step and a claim false as written was proved."""

from __future__ import annotations

import pytest
import sympy as sp

from symcheck import Claim, Config, Iverson, check, from_index, index, make_sum, matrix, sizes
from symcheck.recurrent import recurrence, state

T, d = sizes("T d")
X = matrix("X", T, T)
j = index("j")
CONFIG = Config(max_seconds=30)


def _running_sum(name: str):
    """S_t[1, b] = S_{t-1}[1, b] + Σ_s X[t, s]·[s = b], the sum's index named `name`: S_t[1, b] = Σ_{j<=t} X[j, b]."""
    s = index(name)
    return recurrence("S", (1, T), T, lambda prev, t, a, b: prev(a, b) + make_sum(X[t, s] * Iverson(sp.Eq(s, b)), s, 1, T))


def _claim(name: str, rhs, expect: str) -> Claim:
    rec = _running_sum(name)
    return Claim("c", from_index(T, T, lambda t, b: state(rec, t, 1, b)), from_index(T, T, rhs), statement="s",
                 expect=expect)


@pytest.mark.parametrize("name", ["s", "_step", "t_step", "a_row", "b_col"])
def test_an_index_of_the_update_named_like_the_machinerys_own_keeps_its_meaning(name):
    assert check(_claim(name, lambda t, b: make_sum(X[j, b], j, 1, t), "proved"), CONFIG).verdict == "proved"


@pytest.mark.parametrize("name", ["s", "_step", "t_step", "a_row", "b_col"])
def test_the_claim_an_index_named_like_a_parameter_would_have_made_is_refuted(name):
    """Σ_{t_step} X[t_step, t_step]·[t_step = b] = X[b, b] is what a captured sum would add at every step."""
    claim = _claim(name, lambda t, b: make_sum(X[b, b] + 0 * X[j, b], j, 1, t), "refuted")
    assert check(claim, CONFIG).verdict == "refuted"


def test_a_true_claim_is_not_refuted_when_no_proof_is_found():
    """With no step to spend the numeric search decides: it must evaluate the update's own index as itself."""
    claim = _claim("_step", lambda t, b: make_sum(X[j, b], j, 1, t), "proved")
    assert check(claim, Config(max_seconds=30, max_steps=1)).verdict == "undecided"
