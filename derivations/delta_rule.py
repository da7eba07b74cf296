"""The delta rule: DeltaNet and gated DeltaNet against their WY / UT form, and the DNC's erase-and-write memory.

DeltaNet (Schlag, Irie & Schmidhuber 2021; claims catalogue §3.2), in fla's orientation
(state d_k × d_v, S_0 = 0):  S_t = S_{t-1} + k_t (β_t (v_t − S_{t-1}ᵀ k_t))ᵀ,  o_t = S_tᵀ q_t.
Its WY / UT form (Yang et al. 2024; catalogue DN-4) is S_t = Σ_{j<=t} k_j u_jᵀ with the
pseudo-values U = (I + tril(diag(β) K Kᵀ, −1))⁻¹ diag(β) V: the rows u_t of U (T × d_v) are
a forward substitution, u_t = β_t (v_t − Σ_{j<t} (k_t·k_j) u_j), so o_t = Σ_{j<=t} (q_t·k_j) u_j.
The solve needs no new node: it is a recurrence whose T × d_v state gets row t at step t and
reads rows j < t. The proof is an induction on t for S's claimed closed form S_t = Σ_{s<=t} k_s u_sᵀ
(read from U_t) in which the step unfolds U_t once, U_t = F_U(U_{t-1}, t): then both sides read U_{t-1}. Gated DeltaNet (Yang, Kautz & Hatamizadeh 2025; catalogue GDN-1) first
decays the state by α_t = exp(g_t), then takes the delta step; its WY form carries the decay
exp(Σ_{r=j+1}^{t} g_r) into both the solve and the read.

The DNC (Graves et al. 2016; catalogue §1.1, DNC-1, DNC-4) erases, then writes:
M_t = M_{t-1} ∘ (E − w_t e_tᵀ) + w_t a_tᵀ (N slots × W, E all ones), the form of
google-deepmind/dnc `access.py` `_erase_and_write` with one write head.
"""

from sympy import Eq, exp

from symcheck import Claim, Iverson, causal_attention, from_index, index, make_sum, matrix, sizes
from symcheck.dnc import content_read
from symcheck.index import reciprocal
from symcheck.recurrent import recurrence, state

TITLE = "The delta rule and the DNC's erase-and-write memory"
ORDER = 12

T, d_k, d_v = sizes("T d_k d_v")

Q, K, V = matrix("Q", T, d_k), matrix("K", T, d_k), matrix("V", T, d_v)
BETA = matrix("beta", T, 1)       # writing strengths β_t (a scalar per step and head, as fla's `beta` [B, H, T])
G = matrix("G", T, 1)             # gated DeltaNet's log-decays g_t: α_t = exp(g_t)

DELTANET = ("Schlag, Irie & Schmidhuber 2021, Linear Transformers Are Secretly Fast Weight Programmers",
            "Yang et al. 2024, Parallelizing Linear Transformers with the Delta Rule over Sequence Length (UT / WY)",
            "fla-org/flash-linear-attention fla/ops/delta_rule/naive.py", "claims catalogue DN-4")
GATED = ("Yang, Kautz & Hatamizadeh 2025, Gated Delta Networks",
         "fla-org/flash-linear-attention fla/ops/gated_delta_rule/naive.py", "claims catalogue GDN-1, GDN-2")

def _dot(X, i, Y, j):
    """x_i · y_j over the key width."""
    c = index("c")
    return make_sum(X[i, c] * Y[j, c], c, 1, d_k)


def _decay(lo, hi):
    """exp(Σ_{r=lo}^{hi} g_r): the decay from step lo to step hi (1 on an empty range)."""
    r = index("r")
    return exp(make_sum(G[r, 1], r, lo, hi))


def _no_decay(lo, hi):
    return 1


def pseudo_values(decay=_no_decay):
    """U (T × d_v) by forward substitution: at step t row t becomes u_t = β_t (v_t − Σ_{j<t} (k_t·k_j) γ_{j+1..t} u_j),
    the other rows stay. Row j < t of U_{t-1} is u_j, so U_t holds u_1..u_t."""
    def update(prev, t, a, b):
        j = index("j")
        u = BETA[t, 1] * (V[t, b] - make_sum(_dot(K, t, K, j) * decay(j + 1, t) * prev(j, b), j, 1, t - 1))
        return (1 - Iverson(Eq(a, t))) * prev(a, b) + Iverson(Eq(a, t)) * u
    return recurrence("U", (T, d_v), T, update)


def delta_state(decay=_no_decay, alpha=lambda t: 1):
    """S_t = α_t S_{t-1} + β_t k_t (v_t − α_t S_{t-1}ᵀ k_t)ᵀ (d_k × d_v), with its WY closed form as a hint:
    S_t = Σ_{s<=t} γ_{s+1..t} k_s u_sᵀ. The hint is only a claim: the induction must prove it."""
    U = pseudo_values(decay)

    def update(prev, t, a, b):
        c = index("c")
        read = make_sum(prev(c, b) * K[t, c], c, 1, d_k)
        return alpha(t) * prev(a, b) + K[t, a] * BETA[t, 1] * (V[t, b] - alpha(t) * read)

    s = index("s")
    return recurrence("S", (d_k, d_v), T, update,
                      closed_form=lambda t, a, b: make_sum(decay(s + 1, t) * K[s, a] * state(U, t, s, b), s, 1, t))


def _read(S, label):
    """o_t = S_tᵀ q_t."""
    c = index("c")
    return from_index(T, d_v, lambda t, b: make_sum(state(S, t, c, b) * Q[t, c], c, 1, d_k), label=label)


def _wy(decay=_no_decay, solve_decay=None, label="WY form"):
    """o_t = Σ_{j<=t} (q_t·k_j) γ_{j+1..t} u_j, with u from the forward substitution (decayed by `solve_decay`)."""
    U = pseudo_values(decay if solve_decay is None else solve_decay)
    j = index("j")
    return from_index(T, d_v, lambda t, b: make_sum(_dot(Q, t, K, j) * decay(j + 1, t) * state(U, t, j, b), j, 1, t),
                      label=label)


def _beta_weighted_linear_attention():
    """o_t = Σ_{j<=t} (q_t·k_j) β_j v_j: U = diag(β) V, the solve left out."""
    j = index("j")
    return from_index(T, d_v, lambda t, b: make_sum(_dot(Q, t, K, j) * BETA[j, 1] * V[j, b], j, 1, t),
                      label="linear attention with beta-weighted values")


deltanet = _read(delta_state(), "DeltaNet S_t^T q_t")
gated_deltanet = _read(delta_state(_decay, lambda t: exp(G[t, 1])), "gated DeltaNet S_t^T q_t")

deltanet_is_wy_form = Claim(
    "deltanet_is_wy_form",
    lhs=deltanet, rhs=_wy(label="WY form with pseudo-values U"),
    statement="DeltaNet S_t = S_{t-1} + k_t (beta_t (v_t - S_{t-1}^T k_t))^T from S_0 = 0, read by o_t = S_t^T q_t, "
              "equals its WY / UT form o_t = sum_{j<=t} (q_t.k_j) u_j with U = (I + tril(diag(beta) K K^T, -1))^{-1} "
              "diag(beta) V, i.e. u_t = beta_t (v_t - sum_{j<t} (k_t.k_j) u_j).",
    statement_tex=r"DeltaNet $S_t = S_{t-1} + k_t \bigl(\beta_t (v_t - S_{t-1}^{\top} k_t)\bigr)^{\top}$ from $S_0 = "
                  r"0$, read by $o_t = S_t^{\top} q_t$, equals its WY (UT) form $o_t = \sum_{j \le t} (q_t \cdot "
                  r"k_j)\, u_j$ with $U = \bigl(I + \operatorname{tril}(\operatorname{diag}(\beta) K K^{\top}, "
                  r"-1)\bigr)^{-1} \operatorname{diag}(\beta) V$, that is $u_t = \beta_t \bigl(v_t - \sum_{j<t} (k_t "
                  r"\cdot k_j)\, u_j\bigr)$.",
    expect="proved", cites=DELTANET)

deltanet_without_inverse = Claim(
    "deltanet_without_inverse",
    lhs=deltanet, rhs=_beta_weighted_linear_attention(),
    statement="DeltaNet equals the WY form with U = diag(beta) V, the triangular solve left out (false: that is "
              "linear attention with beta-weighted values).",
    statement_tex=r"DeltaNet equals the WY form with $U = \operatorname{diag}(\beta) V$, the triangular solve left "
                  r"out (false: that is linear attention with $\beta$-weighted values).",
    expect="refuted", cites=DELTANET + ("claims catalogue DN-4 F1",))

gated_deltanet_is_wy_form = Claim(
    "gated_deltanet_is_wy_form",
    lhs=gated_deltanet, rhs=_wy(_decay, label="decayed WY form"),
    statement="Gated DeltaNet S_t = a_t S_{t-1} + beta_t k_t (v_t - a_t S_{t-1}^T k_t)^T with a_t = exp(g_t), "
              "read by o_t = S_t^T q_t, equals o_t = sum_{j<=t} (q_t.k_j) exp(sum_{r=j+1}^{t} g_r) u_j with "
              "u_t = beta_t (v_t - sum_{j<t} (k_t.k_j) exp(sum_{r=j+1}^{t} g_r) u_j).",
    statement_tex=r"Gated DeltaNet $S_t = a_t S_{t-1} + \beta_t k_t (v_t - a_t S_{t-1}^{\top} k_t)^{\top}$ with $a_t "
                  r"= \exp(g_t)$, read by $o_t = S_t^{\top} q_t$, equals $o_t = \sum_{j \le t} (q_t \cdot k_j) "
                  r"\exp\bigl(\sum_{r=j+1}^{t} g_r\bigr) u_j$ with $u_t = \beta_t \bigl(v_t - \sum_{j<t} (k_t \cdot "
                  r"k_j) \exp\bigl(\sum_{r=j+1}^{t} g_r\bigr) u_j\bigr)$.",
    expect="proved", cites=GATED)

gated_wy_without_decay_in_solve = Claim(
    "gated_wy_without_decay_in_solve",
    lhs=gated_deltanet, rhs=_wy(_decay, solve_decay=_no_decay, label="WY form decayed in the read only"),
    statement="Gated DeltaNet equals the decayed read of the undecayed pseudo-values, u_t = beta_t (v_t - "
              "sum_{j<t} (k_t.k_j) u_j) (false: the decay belongs inside the solve too).",
    statement_tex=r"Gated DeltaNet equals the decayed read of the undecayed pseudo-values $u_t = \beta_t \bigl(v_t - "
                  r"\sum_{j<t} (k_t \cdot k_j)\, u_j\bigr)$ (false: the decay belongs inside the solve too).",
    expect="refuted", cites=GATED)


# -- elementwise φ = exp is not softmax attention (catalogue LA-1 F1) -------------------------------------------
def _exp_feature_linear_attention():
    """y_t = Σ_{j<=t} (exp(q_t)·exp(k_j)) v_j / Σ_{j<=t} exp(q_t)·exp(k_j), φ = exp elementwise."""
    j, c = index("j"), index("c")
    score = lambda t, j: make_sum(exp(Q[t, c]) * exp(K[j, c]), c, 1, d_k)      # noqa: E731
    return from_index(T, d_v, lambda t, b: make_sum(score(t, j) * V[j, b], j, 1, t)
                      * reciprocal(make_sum(score(t, j), j, 1, t)), label="normalized linear attention, phi = exp")


exp_features_are_softmax_attention = Claim(
    "exp_features_are_softmax_attention",
    lhs=_exp_feature_linear_attention(), rhs=causal_attention(Q, K, V, scale=1),
    statement="Normalized causal linear attention with the elementwise feature map phi = exp equals causal softmax "
              "attention softmax(Q K^T + log M) V (false: exp(q).exp(k) = sum_c exp(q_c + k_c), not exp(q.k)).",
    statement_tex=r"Normalized causal linear attention with the elementwise feature map $\phi = \exp$ equals causal "
                  r"softmax attention $\operatorname{softmax}(Q K^{\top} + \log M) V$ (false: $\exp(q) \cdot \exp(k) "
                  r"= \sum_c \exp(q_c + k_c)$, not $\exp(q \cdot k)$).",
    expect="refuted", cites=("Katharopoulos et al. 2020, Transformers are RNNs", "claims catalogue LA-1 F1"))


# -- the DNC's erase-and-write memory ----------------------------------------------------------------------------
N, W = sizes("N W")
WW = matrix("Ww", T, N)           # write weightings w_t (row t), given per step (allocation and content mixed)
E = matrix("E", T, W)             # erase vectors e_t
A = matrix("A", T, W)             # write vectors a_t
WR = matrix("Wr", T, N)           # read weightings w^r_t, given per step
KR = matrix("Kr", T, W)           # read keys k^r_t
DNC = ("Graves et al. 2016, Hybrid computing using a neural network with dynamic external memory, Nature 538",
       "google-deepmind/dnc dnc/access.py _erase_and_write (one write head)")


def dnc_memory(weight=lambda t, i: WW[t, i], erase=True, closed_form=None):
    """M_t[i, b] = M_{t-1}[i, b] (1 − w_t[i] e_t[b]) + w_t[i] a_t[b] (N × W, M_0 = 0); `erase=False` is the write
    with e_t = 0, M_t = M_{t-1} + w_t a_tᵀ, whose closed form symcheck derives."""
    keep = (lambda t, i, b: 1 - weight(t, i) * E[t, b]) if erase else (lambda t, i, b: 1)
    return recurrence("M", (N, W), T, lambda prev, t, i, b: prev(i, b) * keep(t, i, b) + weight(t, i) * A[t, b],
                      closed_form=closed_form)


def _weighted_read(M, label):
    """r_t = M_tᵀ w^r_t: the read by a given read weighting."""
    i = index("i")
    return from_index(T, W, lambda t, b: make_sum(WR[t, i] * state(M, t, i, b), i, 1, N), label=label)


def _fast_weight_read():
    """r_t = Σ_{j<=t} (w^r_t · w_j) a_j: fast weights with the write weightings as keys, the read weighting as query."""
    j, i = index("j"), index("i")
    return from_index(T, W, lambda t, b: make_sum(make_sum(WR[t, i] * WW[j, i], i, 1, N) * A[j, b], j, 1, t),
                      label="fast-weight read sum_{j<=t} (w^r_t . w_j) a_j")


erase_free_write_is_fast_weights = Claim(
    "erase_free_write_is_fast_weights",
    lhs=_weighted_read(dnc_memory(erase=False), "DNC memory with e = 0, read by M_t^T w^r_t"),
    rhs=_fast_weight_read(),
    statement="The DNC write with a zero erase vector, M_t = M_{t-1} + w_t a_t^T from M_0 = 0, read by a given "
              "weighting r_t = M_t^T w^r_t, is the additive fast-weight memory: r_t = sum_{j<=t} (w^r_t . w_j) a_j.",
    statement_tex=r"The DNC write with a zero erase vector, $M_t = M_{t-1} + w_t a_t^{\top}$ from $M_0 = 0$, read by "
                  r"a given weighting $r_t = M_t^{\top} w^r_t$, is the additive fast-weight memory $r_t = \sum_{j "
                  r"\le t} (w^r_t \cdot w_j)\, a_j$.",
    expect="proved", cites=DNC + ("claims catalogue DNC-1, LA-2",))

erase_write_is_fast_weights = Claim(
    "erase_write_is_fast_weights",
    lhs=_weighted_read(dnc_memory(), "DNC erase-and-write memory, read by M_t^T w^r_t"),
    rhs=_fast_weight_read(),
    statement="The DNC write with an erase vector, M_t = M_{t-1} o (E - w_t e_t^T) + w_t a_t^T, read by a given "
              "weighting, equals the additive fast-weight memory (false: the erase removes part of earlier writes).",
    statement_tex=r"The DNC write with an erase vector, $M_t = M_{t-1} \circ (E - w_t e_t^{\top}) + w_t a_t^{\top}$, "
                  r"read by a given weighting, equals the additive fast-weight memory (false: the erase removes part "
                  r"of earlier writes).",
    expect="refuted", cites=DNC + ("claims catalogue DNC-4 F2",))


# w_t = e_t: step t allocates slot t; the claimed closed form (rows 1..t hold a_1..a_t) is proved by induction
FRESH_SLOTS = dnc_memory(weight=lambda t, i: Iverson(Eq(i, t)), closed_form=lambda t, i, b: Iverson(i <= t) * A[i, b])

fresh_slot_writes_ignore_erase = Claim(
    "fresh_slot_writes_ignore_erase",
    lhs=content_read(FRESH_SLOTS, KR), rhs=causal_attention(KR, A, A, scale=1),
    statement="With one-hot writes to fresh slots (w_t = e_t, N >= T), the DNC erase-and-write memory holds a_1..a_t "
              "whatever the erase vectors, so its dot-product content read over the written slots is causal "
              "softmax attention with the written words as keys and values.",
    statement_tex=r"With one-hot writes to fresh slots ($w_t = e_t$, $N \ge T$), the DNC erase-and-write memory "
                  r"holds $a_1, \ldots, a_t$ whatever the erase vectors, so its dot-product content read over the "
                  r"written slots is causal softmax attention with the written words as keys and values.",
    expect="proved", where=((T, N),), cites=DNC + ("claims catalogue DNC-4, SDNC-1",))

soft_writes_are_write_once = Claim(
    "soft_writes_are_write_once",
    lhs=content_read(dnc_memory(), KR, slots=lambda t: N), rhs=causal_attention(KR, A, A, scale=1),
    statement="The content read of the N slots of a memory written with given (soft) weightings and erase vectors "
              "equals causal attention over the written words (false: soft writes spread and erase, DNC-4 F1).",
    expect="refuted", cites=DNC + ("claims catalogue DNC-4 F1",))
