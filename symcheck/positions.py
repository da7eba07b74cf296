"""Positions: rotary embeddings (RoPE) and relative score biases, as models.

A rotation R_a turns coordinate pair i of a vector by the angle a·θ_i (θ: P × 1, one frequency per
pair, any real values). Which columns form pair i is the *pairing*: `interleaved` (2i − 1, 2i), as
RoFormer and rotary-embedding-torch, or `half` (i, i + P), as the `rotate_half` of GPT-NeoX and
transformers. RoPE rotates query t by R_t and key j by R_j before the dot product; since
R_tᵀ R_j = R_{j−t}, the score depends on t − j only (`angle-addition` proves it entrywise).
"""

from __future__ import annotations

from typing import Callable

import sympy as sp

from .compose import apply
from .errors import ClaimError
from .heads import default_scale, softmax_read
from .index import Iverson, index, make_sum
from .ir import Applied, Formula
from .matrix import MatInput
from .models import causal_attention, from_index, sdnc_read

__all__ = ["PAIRINGS", "pair_columns", "rotated", "rope_attention", "sdnc_rope_read", "rope_scores",
           "relative_scores", "biased_attention"]

PAIRINGS = ("interleaved", "half")


def pair_columns(pairing: str, pairs, i) -> tuple[sp.Expr, sp.Expr]:
    """The two columns of coordinate pair i (1 <= i <= pairs)."""
    if pairing not in PAIRINGS:
        raise ClaimError(f"unknown pairing {pairing!r}; expected one of {', '.join(PAIRINGS)}", field="pairing")
    return (2 * i - 1, 2 * i) if pairing == "interleaved" else (i, i + pairs)


def _turn(x1, x2, angle) -> tuple[sp.Expr, sp.Expr]:
    """(x1, x2) rotated by `angle`: (x1 cos − x2 sin, x1 sin + x2 cos)."""
    return x1 * sp.cos(angle) - x2 * sp.sin(angle), x1 * sp.sin(angle) + x2 * sp.cos(angle)


def _check(X: MatInput, theta: MatInput):
    if sp.expand(X.cols - 2 * theta.rows) != 0 or theta.cols != 1:
        raise ClaimError(f"a rotation needs P x 1 frequencies for 2P columns: {X.name} has {X.cols} columns, "
                         f"{theta.name} is {theta.rows}x{theta.cols}", field="shape")


def rotated(X: MatInput, theta: MatInput, pairing: str = "interleaved", shift=0) -> Formula:
    """Row t of X rotated by R_{t + shift}, column by column: column c is in pair i exactly when it is one of
    `pair_columns(pairing, P, i)`, so the entry is Σ_i [c = first] (first coordinate) + [c = second] (second)."""
    _check(X, theta)
    P = theta.rows

    def entry(t, c):
        i = index("i")
        c1, c2 = pair_columns(pairing, P, i)
        r1, r2 = _turn(X[t, c1], X[t, c2], (t + shift) * theta[i, 1])
        return make_sum(Iverson(sp.Eq(c, c1)) * r1 + Iverson(sp.Eq(c, c2)) * r2, i, 1, P)

    return from_index(X.rows, X.cols, entry, label=f"{X.name} rotated by R_t ({pairing} pairs)")


def rope_attention(Q: MatInput, K: MatInput, V: MatInput, theta: MatInput, pairing: str = "interleaved", *,
                   scale=None) -> Applied:
    """Causal attention on rotated queries and keys, softmax((R_t q_t)·(R_j k_j) · scale) V, as RoPE is
    implemented: rotate, then attend."""
    scale = default_scale(Q.cols, scale)
    return apply(lambda Qr, Kr: causal_attention(Qr, Kr, V, scale=scale), rotated(Q, theta, pairing),
                 rotated(K, theta, pairing), label=f"RoPE attention ({pairing} pairs)")


def sdnc_rope_read(Q: MatInput, K: MatInput, V: MatInput, theta: MatInput, pairing: str = "interleaved", *,
                   slots, strength=None) -> Applied:
    """An sDNC that writes the rotated key R_j k_j to fresh slot j and reads with the rotated query R_t q_t."""
    strength = default_scale(Q.cols, strength)
    return apply(lambda Qr, Kr: sdnc_read(Qr, Kr, V, slots=slots, strength=strength), rotated(Q, theta, pairing),
                 rotated(K, theta, pairing), label=f"sDNC read of rotated keys ({pairing} pairs)")


def _pairs(Q, K, theta, pairing, body: Callable) -> Callable:
    _check(Q, theta)
    _check(K, theta)
    P = theta.rows

    def entry(t, j):
        i = index("i")
        c1, c2 = pair_columns(pairing, P, i)
        return make_sum(body(t, j, Q[t, c1], Q[t, c2], K[j, c1], K[j, c2], theta[i, 1]), i, 1, P)

    return entry


def rope_scores(Q: MatInput, K: MatInput, theta: MatInput, pairing: str = "interleaved", shift=0) -> Formula:
    """S[t, j] = (R_{t+s} q_t)·(R_{j+s} k_j), pair by pair: the RoPE scores with every position moved by s."""
    def body(t, j, q1, q2, k1, k2, th):
        (a1, a2), (b1, b2) = _turn(q1, q2, (t + shift) * th), _turn(k1, k2, (j + shift) * th)
        return a1 * b1 + a2 * b2
    return from_index(Q.rows, K.rows, _pairs(Q, K, theta, pairing, body),
                      label=f"RoPE scores (R_t q_t).(R_j k_j) ({pairing} pairs)")


def relative_scores(Q: MatInput, K: MatInput, theta: MatInput, pairing: str = "interleaved") -> Formula:
    """S[t, j] = q_t · (R_{j−t} k_j): the score as a function of the query, the key and the offset j − t."""
    def body(t, j, q1, q2, k1, k2, th):
        b1, b2 = _turn(k1, k2, (j - t) * th)
        return q1 * b1 + q2 * b2
    return from_index(Q.rows, K.rows, _pairs(Q, K, theta, pairing, body),
                      label=f"relative scores q_t.(R_(j-t) k_j) ({pairing} pairs)")


def biased_attention(Q: MatInput, K: MatInput, V: MatInput, bias: Callable, *, scale=None,
                     label: str = "attention with a score bias") -> Formula:
    """Causal attention whose score for query t and key j is scale · q_t·k_j + bias(t, j) (T5's relative
    bias is bias(t, j) = b[t − j + 1], an entry of a T × 1 input)."""
    scale = default_scale(Q.cols, scale)

    def entry(t, b):
        a = index("a")
        score = lambda j: scale * make_sum(Q[t, a] * K[j, a], a, 1, Q.cols) + bias(t, j)   # noqa: E731
        return softmax_read(score, lambda j: V[j, b], 1, t)

    return from_index(Q.rows, V.cols, entry, label=label)
