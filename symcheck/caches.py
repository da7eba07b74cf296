"""Transformers as multi-state RNNs (Oren et al. 2024): a decoder's KV cache as a recurrent state.

The cache is a write-once state of T rows: row t is written at step t (S_t = S_{t-1} + e_t x_tᵀ),
so at step t it holds the t rows written so far, one "single state" each. A compression policy
keeps some of them: `keep_t[n]` (a T × 1 state) is 1 for a row still in the cache after step t.
A read is attention with query q_t over the kept rows, so evicting a row is zeroing its weight and
renormalizing (MSR-2). With FIFO eviction at most W rows are kept (a bounded multi-state RNN);
with `sinks` the first s rows are never evicted (StreamingLLM). Every policy here is a
`recurrence` with its closed form, proved by induction when a claim uses it. TOVA's policy
depends on the attention weights themselves, so it is a simulation (`Simulated`): refutable only.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from .domain import value_at
from .errors import ClaimError
from .heads import default_scale, softmax_read
from .index import Iverson, index, make_sum, size
from .ir import Formula, Simulated
from .matrix import MatInput
from .nodes.recurrence import Recurrence
from .recurrent import recurrence, state

__all__ = ["kv_cache", "fifo_policy", "cache_read", "multi_state_attention", "tova_attention"]


def kv_cache(X: MatInput, name: str | None = None) -> Recurrence:
    """The cache of X's rows: S_t[n, b] = S_{t-1}[n, b] + [n = t] X[t, b] from S_0 = 0 (T rows), with the
    closed form Σ_{r<=t} [n = r] X[r, b] (the one symcheck derives for an additive update, stated here
    with an index no size of the user's is named after)."""
    r = index("r_written")
    return recurrence(name or f"{X.name}_cache", (X.rows, X.cols), X.rows,
                      lambda prev, t, n, b: prev(n, b) + Iverson(sp.Eq(n, t)) * X[t, b],
                      closed_form=lambda t, n, b: make_sum(Iverson(sp.Eq(n, r)) * X[r, b], r, 1, t))


def fifo_policy(steps, window, sinks=None) -> Recurrence:
    """keep_t[n] = [n = t] + keep_{t-1}[n]·[n kept at t]: row t enters, and row t − W leaves at step t
    (first in, first out), unless it is one of the first `sinks` rows, which are never evicted."""
    s = index("r_kept")

    def kept(t, n):
        band = sp.Ge(n, t - sp.sympify(window) + 1)
        return Iverson(band if sinks is None else sp.Or(sp.Le(n, sp.sympify(sinks)), band))

    return recurrence("keep", (steps, 1), steps, lambda prev, t, n, c: Iverson(sp.Eq(n, t)) + kept(t, n) * prev(n, c),
                      closed_form=lambda t, n, c: make_sum(Iverson(sp.Eq(n, s)) * kept(t, s), s, 1, t))


def cache_read(Q: MatInput, keys: Recurrence, values: Recurrence, *, keep: Recurrence | None = None,
               scale=None, label: str = "multi-state RNN read") -> Formula:
    """y_t = Σ_{n<=t} keep_t[n] e^{s_tn} V_t[n] / Σ_{n<=t} keep_t[n] e^{s_tn}, s_tn = scale·q_t·K_t[n]:
    attention with query q_t over the rows the cache holds after step t."""
    width, scale = keys.shape[1], default_scale(keys.shape[1], scale)

    def entry(t, b):
        a = index("a_key")
        score = lambda n: scale * make_sum(Q[t, a] * state(keys, t, n, a), a, 1, width)     # noqa: E731
        guard = (lambda n: state(keep, t, n, 1)) if keep is not None else (lambda n: sp.S.One)
        return softmax_read(score, lambda n: state(values, t, n, b), 1, t, guard)

    return Formula(label, Q.rows, values.shape[1], entry)


def multi_state_attention(Q: MatInput, K: MatInput, V: MatInput, *, window=None, sinks=None, scale=None) -> Formula:
    """A decoder's attention layer as a multi-state RNN: an unbounded KV cache, or with `window=W` a
    FIFO cache of W rows (plus the first `sinks` rows, never evicted)."""
    if sinks is not None and window is None:
        raise ClaimError("sinks= are kept beside a window: give window= too", field="sinks")
    keep = fifo_policy(K.rows, window, sinks) if window is not None else None
    what = ("unbounded KV cache" if window is None else f"FIFO cache of {window} rows"
            + ("" if sinks is None else f" and {sinks} sinks"))
    return cache_read(Q, kv_cache(K), kv_cache(V), keep=keep, scale=scale, label=f"multi-state RNN, {what}")


def tova_attention(Q: MatInput, K: MatInput, V: MatInput, *, cache, scale=None) -> Simulated:
    """TOVA (Oren et al. 2024, released code): at step t append (k_t, v_t), attend with q_t over the
    cache, then, if it holds more than `cache` rows, evict the row of lowest attention weight (the
    new row included). The policy reads the weights, so it is given by a simulation."""
    beta = default_scale(K.cols, scale)

    def simulate(sizes, inputs, backend):
        T, W = value_at(Q.rows, sizes), value_at(cache, sizes)
        b = backend.convert(sp.N(beta.subs({size(k): v for k, v in sizes.items()}), 60))
        q, k, v = (backend.convert(inputs[m.name]) for m in (Q, K, V))
        out, kept = [], []
        for t in range(T):
            kept.append(t)
            weights = backend.exp(b * (k[kept] @ q[t]))
            out.append(weights @ v[kept] / weights.sum())
            if len(kept) > W:                            # after the read: the new row may be evicted too
                kept.pop(int(np.argmin(weights)))
        return np.array(out)

    return Simulated(f"TOVA cache of {cache} rows", Q.rows, V.cols, ((1, cache),), simulate=simulate, inputs=(Q, K, V))
