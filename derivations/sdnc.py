"""A causal Transformer attention head is a stateless DNC read head — and its near misses.

Claim SDNC-1 of Tang & Xie (2026), in the reconstructed form of the claims
catalogue (§1.3): keys and values are written once, to fresh slots, into two
memories with a tied address; the read key q_t addresses them by content with
key strength β = 1/√d. Preconditions P1–P3 of the catalogue are exactly where
the false variants below depart from the theorem.
"""

from sympy import sqrt

from symcheck import Claim, causal_attention, dnc_feedback_read, matrix, sdnc_read, sizes, unit_rows

TITLE = "Causal attention is a stateless DNC"
ORDER = 0

T, d, d_v, N = sizes("T d d_v N")
Q, K, V = matrix("Q", T, d), matrix("K", T, d), matrix("V", T, d_v)

SOURCES = ("Tang & Xie 2026, arXiv:2603.19272 (abstract, claims 1-3)",
           "Graves et al. 2016, Nature 538 (DNC content addressing and write)")

attention = causal_attention(Q, K, V, scale=1 / sqrt(d), mask="inclusive")

causal_attention_is_sdnc = Claim(
    "causal_attention_is_sdnc",
    lhs=attention,
    rhs=sdnc_read(Q, K, V, slots=N, similarity="dot", strength=1 / sqrt(d),
                  read="after_write", domain="written"),
    statement="Causal softmax attention equals an sDNC read head: write k_t, v_t to fresh slot t, "
              "then read by dot-product content addressing with key strength 1/sqrt(d) over the written slots.",
    statement_tex=r"Causal softmax attention equals an sDNC read head: write $k_t, v_t$ to fresh slot $t$, then read "
                  r"by dot-product content addressing with key strength $\beta = 1/\sqrt{d}$ over the written slots.",
    expect="proved", cites=SOURCES)

cosine_unit_norm_is_attention = Claim(
    "cosine_unit_norm_is_attention",
    lhs=attention,
    rhs=sdnc_read(Q, K, V, slots=N, similarity="cosine", strength=1 / sqrt(d)),
    assume=(unit_rows(Q), unit_rows(K)),
    statement="With unit-norm queries and keys, cosine content addressing (the DNC's own similarity) "
              "equals scaled dot-product attention on the same inputs.",
    expect="proved", cites=SOURCES + ("claims catalogue DNC-6b (QK-norm attention)",))

strict_attention_is_read_before_write = Claim(
    "strict_attention_is_read_before_write",
    lhs=causal_attention(Q, K, V, scale=1 / sqrt(d), mask="strict"),
    rhs=sdnc_read(Q, K, V, slots=N, read="before_write"),
    statement="Reading before writing is attention with the strict mask j < t "
              "(at t = 1 both are the zero row: an empty memory, a fully masked softmax).",
    statement_tex=r"Reading before writing is attention with the strict mask $j < t$ (at $t = 1$ both are the zero "
                  r"row: an empty memory, a fully masked softmax).",
    expect="proved", cites=("claims catalogue SDNC-1 F2",))

read_before_write = Claim(
    "read_before_write",
    lhs=attention,
    rhs=sdnc_read(Q, K, V, slots=N, read="before_write"),
    statement="FALSE: an sDNC that reads before it writes equals causal (inclusive) attention.",
    expect="refuted", cites=("claims catalogue SDNC-1 F2, precondition P3",))

cosine_without_unit_norm = Claim(
    "cosine_without_unit_norm",
    lhs=attention,
    rhs=sdnc_read(Q, K, V, slots=N, similarity="cosine", strength=1 / sqrt(d)),
    statement="FALSE: cosine content addressing equals dot-product attention without a norm assumption.",
    expect="refuted", cites=("claims catalogue DNC-6 F1/F2, precondition P1",))

softmax_over_all_slots = Claim(
    "softmax_over_all_slots",
    lhs=attention,
    rhs=sdnc_read(Q, K, V, slots=N, domain="all"),
    statement="FALSE: reading over all N slots, empty ones included, equals attention over the written prefix "
              "(empty slots have similarity 0 and act as an attention sink).",
    expect="refuted", cites=("claims catalogue DNC-7, SDNC-1 F1, precondition P2",))

key_strength_one = Claim(
    "key_strength_one",
    lhs=attention,
    rhs=sdnc_read(Q, K, V, slots=N, strength=1),
    statement="FALSE: key strength beta = 1 in place of 1/sqrt(d) gives the same read.",
    statement_tex=r"FALSE: key strength $\beta = 1$ in place of $1/\sqrt{d}$ gives the same read.",
    expect="refuted", cites=("claims catalogue DNC-6 F2, precondition P1",))

controller_feeds_back_read = Claim(
    "controller_feeds_back_read",
    lhs=attention,
    rhs=dnc_feedback_read(Q, K, V, matrix("U", d_v, d)),
    statement="FALSE: a DNC whose controller receives the previous read r_(t-1) (read key q_t + r_(t-1) U) "
              "equals causal attention: a Transformer layer has no such recurrence.",
    statement_tex=r"FALSE: a DNC whose controller receives the previous read $r_{t-1}$ (read key $q_t + r_{t-1} U$) "
                  r"equals causal attention: a Transformer layer has no such recurrence.",
    expect="refuted", cites=("claims catalogue SDNC-4 false variant, precondition P6 (dnc.py feeds r_(t-1) back)",))
