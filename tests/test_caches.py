"""The cache models and the attention variants: options checked as they are built, values by simulation."""

from __future__ import annotations

import numpy as np
import pytest

from symcheck import ClaimError, causal_attention, matrix, sizes
from symcheck.caches import multi_state_attention, tova_attention
from symcheck.model_ops import evaluate_model

T, d, W = sizes("T d W")
Q, K, V = matrix("Q", T, d), matrix("K", T, d), matrix("V", T, d)


@pytest.mark.parametrize("build, message", [
    (lambda: causal_attention(Q, K, V, sinks=2), "sinks= keeps the first keys beside a window"),
    (lambda: multi_state_attention(Q, K, V, sinks=2), "sinks= are kept beside a window"),
    (lambda: causal_attention(Q, K, 3), "rows must be an input matrix or a model, got int"),
])
def test_malformed_variants_are_claim_errors(build, message):
    with pytest.raises(ClaimError, match=message):
        build()


def _inputs(seed=0, n=6):
    rng = np.random.default_rng(seed)
    return {name: rng.normal(size=(n, 2)) for name in "QKV"}


def test_a_window_of_one_key_reads_the_tokens_own_value():
    out = evaluate_model(causal_attention(Q, K, V, window=1), {"T": 6, "d": 2, "W": 1}, _inputs())
    np.testing.assert_allclose(out, _inputs()["V"])


def test_tova_keeps_the_rows_the_current_query_weighs_most():
    """A cache of one row keeps, after step 1, row 1; at step 2 it attends over rows 1 and 2 (TOVA order)."""
    x = _inputs()
    full = evaluate_model(causal_attention(Q, K, V), {"T": 6, "d": 2}, x)
    tova = evaluate_model(tova_attention(Q, K, V, cache=W), {"T": 6, "d": 2, "W": 1}, x)
    np.testing.assert_allclose(tova[:2], full[:2])
    assert np.abs(tova[2:] - full[2:]).max() > 1e-3
