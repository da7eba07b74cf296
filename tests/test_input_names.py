"""An input may take any name, also one the engine gives indices (k, j, n, s, tau, t, b, c1 ...).

Before, posing refused such names (a conservative list of 30), because the prover then proved claims whose
certificates the checker rejected: an input k beside a bound index k met the checker as two symbols named k.
Now the prover's fresh indices, obligation variables and the position avoid the claim's input names, and the
checker reads an input's label (k of k[i, j]) in a namespace of its own. Each case here is proved and
replayed, or refuted, under every such name.
"""

from __future__ import annotations

import json

import pytest
from sympy import sqrt

from symcheck import (Claim, Config, causal_attention, check, from_index, index, make_sum, matrix, scalar, sdnc_read,
                      sizes)
from symcheck.certificate import certificate
from symcheck.index import Relu
from symcheck.recurrent import recurrence, state
from symcheck.replay import Rejected, replay

T, d, N = sizes("T d N")
Q, K = matrix("Q", T, d), matrix("K", T, d)
W1, W2 = matrix("W1", d, d), matrix("W2", d, d)
CONFIG = Config(max_seconds=30)

# the positions, the rules' preferred fresh names, the obligation variables, the model constructors' bound names
ENGINE_NAMES = ("t", "b", "i_row", "i_col", "c", "i", "tau", "n", "s", "a", "j", "k", "l", "m", "h", "g", "u", "e",
                "r", "p", "q", "w", "z", "c1", "j2", "a_key", "b_h", "t_step", "r_written")


def attention_is_sdnc(name: str) -> Claim:
    """Memory obligations (τ, n, c) and content addressing (a, m) next to an input of that name."""
    X = matrix(name, T, d)
    return Claim("c", causal_attention(Q, K, X), sdnc_read(Q, K, X, slots=N, strength=1 / sqrt(d)),
                 statement="s", where=((T, N),))


def fast_weights(name: str, read_before_update: bool = False) -> Claim:
    """Recurrence obligations (t, a, b) and the user's own bound indices j, k next to an input of that name."""
    X = matrix(name, T, d)
    W = recurrence("W", (d, d), T, lambda prev, t, a, b: prev(a, b) + X[t, a] * K[t, b])
    j, k = index("j"), index("k")
    lag = 1 if read_before_update else 0
    read = from_index(T, d, lambda t, c: make_sum(state(W, t - lag, c, k) * Q[t, k], k, 1, d), label="read")
    attention = from_index(T, d, lambda t, c: make_sum(make_sum(Q[t, k] * K[j, k], k, 1, d) * X[j, c], j, 1, t),
                           label="linear attention")
    return Claim("c", read, attention, statement="s")


@pytest.mark.parametrize("name", ENGINE_NAMES)
def test_attention_is_sdnc_is_proved_and_replayed_whatever_the_value_input_is_named(name):
    result = check(attention_is_sdnc(name), CONFIG)
    assert result.verdict == "proved", (result.verdict, result.reason)
    assert replay(certificate(result)).steps > 0


@pytest.mark.parametrize("name", ("t", "b", "k", "j", "a", "s", "tau", "c1"))
def test_fast_weights_are_proved_and_replayed_whatever_the_value_input_is_named(name):
    result = check(fast_weights(name), CONFIG)
    assert result.verdict == "proved", (result.verdict, result.reason)
    assert replay(certificate(result)).steps > 0


@pytest.mark.parametrize("name", ("t", "k", "a", "tau"))
def test_a_false_claim_with_such_a_name_is_refuted(name):
    assert check(fast_weights(name, read_before_update=True), CONFIG).verdict == "refuted"


def scaled_relu_ffn(gamma, inside: bool):
    """W2 relu(gamma W1 x_t) or gamma W2 relu(W1 x_t), summing over the user's own i, m."""
    i, m = index("i"), index("m")
    pre = lambda t: make_sum(W1[i, m] * K[t, m], m, 1, d)                                   # noqa: E731
    unit = (lambda t: Relu(gamma * pre(t))) if inside else (lambda t: gamma * Relu(pre(t)))   # noqa: E731
    return from_index(T, d, lambda t, c: make_sum(W2[c, i] * unit(t), i, 1, d), label="ffn")


@pytest.mark.parametrize("name", ("i", "m", "t"))
def test_a_scalar_named_like_an_index_folds_in_for_its_interval_only(name):
    inside = Claim("c", scaled_relu_ffn(scalar(name, interval=(0, 1)), False),
                   scaled_relu_ffn(scalar(name, interval=(0, 1)), True), statement="s")
    result = check(inside, CONFIG)
    assert result.verdict == "proved" and replay(certificate(result)).steps > 0
    any_sign = Claim("c", scaled_relu_ffn(scalar(name), False), scaled_relu_ffn(scalar(name), True), statement="s")
    assert check(any_sign, CONFIG).verdict == "refuted"


def test_a_certificate_whose_input_carries_assumptions_is_rejected():
    """An input label read with assumptions (integer=True) could let sympy fold its entries (the parser refuses positive=True outright)."""
    text = json.dumps(certificate(check(attention_is_sdnc("k"), CONFIG)))
    tampered = text.replace("IndexedBase(Symbol('k'))", "IndexedBase(Symbol('k', integer=True))")
    assert tampered != text
    with pytest.raises(Rejected, match="input 'k' is read with assumptions"):
        replay(json.loads(tampered))
