"""Red-team of the names symcheck's own machinery gives the arguments of a user's function: the numeric loop's
step symbol, a recurrence update's parameters (t_step, a_row, b_col) and the softmax's indices (j, k) a score
bias is called at. Each attack worked: an index of the update named `_step` was the loop's step symbol (a true
claim refuted, or its proof failed the cross-check); an index named `t_step` was the update's step parameter, so
its sum captured the step and a claim false as written was proved; a bias summing over an index named k was
called at the softmax's k and its sum captured it (an input error, or a different claim for a square input)."""

from __future__ import annotations

import pytest
import sympy as sp

from symcheck import Claim, Config, Iverson, causal_attention, check, from_index, index, make_sum, matrix, sizes
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


@pytest.mark.parametrize("name", ["j", "k"])
def test_a_bias_summing_over_an_index_named_like_the_softmaxs_is_the_bias_written(name):
    """b_tj = Σ_m B[j, m] with m named j or k is the same bias as with m named m: the softmax calls it at its own j
    and k, which the user's sum must not bind."""
    Q, K, V, B = (matrix(x, T, d) for x in "QKVB")

    def bias(m):
        return lambda t, j: make_sum(B[j, m], m, 1, d)
    claim = Claim("c", causal_attention(Q, K, V, bias=bias(index(name))), causal_attention(Q, K, V, bias=bias(index("m"))),
                  statement="s")
    assert check(claim, CONFIG).verdict == "proved"


@pytest.mark.parametrize("name", ["s", "u", "n", "t"])
def test_a_slot_map_or_domain_summing_over_an_index_named_like_its_argument_is_the_map_written(name):
    """σ(t) = Σ_m [m = t]·m is the identity on 1..T whatever the sum's index is called; the memory calls σ at its
    own s and u, and a domain at t and n, which the user's sum must not bind (captured, σ(s) would be Σ_s s)."""
    from symcheck import sdnc_read
    from symcheck.model_ops import evaluate_model
    import numpy as np
    Q, K, V = (matrix(x, T, d) for x in "QKV")
    m = index(name)
    slot = lambda t: make_sum(Iverson(sp.Eq(m, t)) * m, m, 1, T)                                   # noqa: E731
    domain = lambda t, n: make_sum(Iverson(sp.Eq(m, n)), m, 1, t) > 0                              # noqa: E731
    rng = np.random.default_rng(0)
    inputs = {x: rng.standard_normal((4, 3)) for x in "QKV"}
    env = {"T": 4, "d": 3, "d_v": 3, "N": 4}
    plain = evaluate_model(sdnc_read(Q, K, V, slots=T), env, inputs)
    for model in (sdnc_read(Q, K, V, slots=T, slot=slot), sdnc_read(Q, K, V, slots=T, domain=domain)):
        assert np.allclose(evaluate_model(model, env, inputs), plain)
