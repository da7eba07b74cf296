"""Delta-rule states written two ways are one state: proved by congruence of the recurrences.

The delta rule's state has no closed form a rule could use, so these claims are proved without one:
two recurrences with the same shape and length, equal initial values (0) and updates that agree
whenever both read the same previous state have equal states at every step (`recurrence-congruence`).

Gated DeltaNet (Yang, Kautz & Hatamizadeh 2024) is run as "forget, then delta step", the order of
fla's `naive_recurrent_gated_delta_rule`: S' = α_t S_{t-1}, S_t = S' + β_t k_t (v_t − S'ᵀ k_t)ᵀ. The paper
writes S_t = α_t (I − β_t k_t k_tᵀ) S_{t-1} + β_t k_t v_tᵀ. Both are read by o_t = S_tᵀ q_t. The state
is d_k × d_v, α_t = exp(g_t) and β_t are per-step scalar inputs. The near miss computes the error
before the forget gate. Plain DeltaNet (α = 1, Schlag et al. 2021; Yang et al. 2024) is the same pair.
The step forms' state is named S, the paper forms' P (the proofs rewrite one into the other).
"""

import sympy as sp
from sympy import exp

from symcheck import Claim, from_index, index, make_sum, matrix, sizes
from symcheck.index import Iverson
from symcheck.recurrent import recurrence, state

TITLE = "Recurrences that are the same update written twice"
ORDER = 13

T, d_k, d_v = sizes("T d_k d_v")
Q, K, V = matrix("Q", T, d_k), matrix("K", T, d_k), matrix("V", T, d_v)
G, B = matrix("G", T, 1), matrix("B", T, 1)      # log forget gates g_t (α_t = exp(g_t)) and write strengths β_t

GATED = ("Yang, Kautz & Hatamizadeh 2024, Gated Delta Networks: Improving Mamba2 with Delta Rule, eq. (10)",
         "flash-linear-attention, fla/ops/gated_delta_rule/naive.py (naive_recurrent_gated_delta_rule)")
DELTA = ("Schlag, Irie & Schmidhuber 2021, Linear Transformers Are Secretly Fast Weight Programmers, §4.2",
         "Yang et al. 2024, Parallelizing Linear Transformers with the Delta Rule over Sequence Length, eq. (1)")


def _retrieved(prev, t, b, scale=1):
    """(scale · S_{t-1})ᵀ k_t at column b: what the state currently returns for the key k_t."""
    c = index("c")
    return make_sum(scale * prev(c, b) * K[t, c], c, 1, d_k)


def _delta_step(alpha, retrieve_scale):
    """S_t[a, b] = α_t S_{t-1}[a, b] + β_t k_t[a] (v_t[b] − (retrieve_scale · S_{t-1})ᵀ k_t [b])."""
    return lambda prev, t, a, b: (alpha(t) * prev(a, b)
                                  + B[t, 1] * K[t, a] * (V[t, b] - _retrieved(prev, t, b, retrieve_scale(t))))


def _paper_form(alpha):
    """S_t[a, b] = α_t Σ_c ([a = c] − β_t k_t[a] k_t[c]) S_{t-1}[c, b] + β_t k_t[a] v_t[b]."""
    c = index("c")
    return lambda prev, t, a, b: (alpha(t) * make_sum((Iverson(sp.Eq(a, c)) - B[t, 1] * K[t, a] * K[t, c]) * prev(c, b),
                                                      c, 1, d_k)
                                  + B[t, 1] * K[t, a] * V[t, b])


def _read(rec, label):
    """o_t[b] = Σ_k S_t[k, b] q_t[k]."""
    k = index("k")
    return from_index(T, d_v, lambda t, b: make_sum(state(rec, t, k, b) * Q[t, k], k, 1, d_k), label=label)


def gate(t):
    return exp(G[t, 1])


def one(t):
    return sp.S.One


FORGET_THEN_DELTA = recurrence("S", (d_k, d_v), T, _delta_step(gate, gate))
ERROR_BEFORE_FORGET = recurrence("S", (d_k, d_v), T, _delta_step(gate, one))
GATED_PAPER = recurrence("P", (d_k, d_v), T, _paper_form(gate))

gated_delta_forget_then_step = Claim(
    "gated_delta_forget_then_step",
    lhs=_read(FORGET_THEN_DELTA, "forget, then delta step"), rhs=_read(GATED_PAPER, "gated delta rule (paper)"),
    statement="Gated DeltaNet run as S' = alpha_t S_{t-1}, S_t = S' + beta_t k_t (v_t - S'^T k_t)^T equals its paper "
              "form S_t = alpha_t (I - beta_t k_t k_t^T) S_{t-1} + beta_t k_t v_t^T, both from S_0 = 0 and read by "
              "o_t = S_t^T q_t (alpha_t = exp(g_t), beta_t per-step scalars).",
    statement_tex=r"Gated DeltaNet run as $S' = \alpha_t S_{t-1}$, $S_t = S' + \beta_t k_t (v_t - S'^{\top} "
                  r"k_t)^{\top}$ equals its paper form $S_t = \alpha_t (I - \beta_t k_t k_t^{\top}) S_{t-1} + "
                  r"\beta_t k_t v_t^{\top}$, both from $S_0 = 0$ and read by $o_t = S_t^{\top} q_t$ ($\alpha_t = "
                  r"\exp(g_t)$, $\beta_t$ per-step scalars).",
    expect="proved", cites=GATED)

gated_delta_error_before_forget = Claim(
    "gated_delta_error_before_forget",
    lhs=_read(ERROR_BEFORE_FORGET, "error before the forget gate"), rhs=_read(GATED_PAPER, "gated delta rule (paper)"),
    statement="The same with the error computed before the forget gate, S_t = alpha_t S_{t-1} + beta_t k_t "
              "(v_t - S_{t-1}^T k_t)^T (false: the retrieval then sees the state the gate has not decayed).",
    statement_tex=r"The same with the error computed before the forget gate, $S_t = \alpha_t S_{t-1} + \beta_t k_t "
                  r"(v_t - S_{t-1}^{\top} k_t)^{\top}$ (false: the retrieval then sees the state the gate has not "
                  r"decayed).",
    expect="refuted", cites=GATED)

DELTA_STEP = recurrence("S", (d_k, d_v), T, _delta_step(one, one))
DELTA_PAPER = recurrence("P", (d_k, d_v), T, _paper_form(one))

delta_rule_is_householder_update = Claim(
    "delta_rule_is_householder_update",
    lhs=_read(DELTA_STEP, "delta step"), rhs=_read(DELTA_PAPER, "delta rule (I - beta k k^T) S + beta k v^T"),
    statement="DeltaNet's update S_t = S_{t-1} + beta_t k_t (v_t - S_{t-1}^T k_t)^T equals "
              "S_t = (I - beta_t k_t k_t^T) S_{t-1} + beta_t k_t v_t^T, both from S_0 = 0 and read by o_t = S_t^T q_t.",
    statement_tex=r"DeltaNet's update $S_t = S_{t-1} + \beta_t k_t (v_t - S_{t-1}^{\top} k_t)^{\top}$ equals $S_t = "
                  r"(I - \beta_t k_t k_t^{\top}) S_{t-1} + \beta_t k_t v_t^{\top}$, both from $S_0 = 0$ and read by "
                  r"$o_t = S_t^{\top} q_t$.",
    expect="proved", cites=DELTA)
