"""sDNC read options a reviewer reaches for — slot maps, read domains, erase — and `concat` of rows.

The sDNC of `sdnc.py` writes step t to the fresh slot t and reads the written slots. Here the
slot a step writes (`slot=`), the slots a read may address (`domain=`) and whether a write
clears its slot first (`erase=`) vary; each option has a variant that is still causal
attention and a near miss that is not. The memory is written at the index level
(M_τ[n] = Σ_{s≤τ} [σ(s) = n] k_s), so the sum and guard rules prove affine slot maps.
"""

from sympy import sqrt

from symcheck import Claim, causal_attention, concat, matrix, sdnc_read, sizes

TITLE = "sDNC read options and concatenated rows"
ORDER = 6

T, d, d_v, d_w, e, N, W = sizes("T d d_v d_w e N W")
Q, K, V = matrix("Q", T, d), matrix("K", T, d), matrix("V", T, d_v)
attention = causal_attention(Q, K, V, scale=1 / sqrt(d))

SOURCES = ("Graves et al. 2016, Nature 538 (DNC write weighting, erase vector, content read)",
           "claims catalogue SDNC-1 (fresh-slot writes), DNC-7 (empty slots)")

reversed_slots_are_attention = Claim(
    "reversed_slots_are_attention",
    lhs=attention, rhs=sdnc_read(Q, K, V, slots=N, slot=lambda t: T + 1 - t), where=((T, N),),
    statement="An sDNC that writes step t to slot T + 1 - t (the memory filled from the end) and reads the "
              "written slots equals causal attention: the content read is invariant under permuting the slots.",
    expect="proved", cites=SOURCES)

reversed_slots_read_all = Claim(
    "reversed_slots_read_all",
    lhs=attention, rhs=sdnc_read(Q, K, V, slots=N, slot=lambda t: T + 1 - t, domain="all"), where=((T, N),),
    statement="FALSE: with the slot map T + 1 - t, reading all N slots equals causal attention (the slots "
              "not yet written hold zero keys and act as an attention sink, as in DNC-7).",
    expect="refuted", cites=SOURCES)

offset_slots_are_attention = Claim(
    "offset_slots_are_attention",
    lhs=attention, rhs=sdnc_read(Q, K, V, slots=N, slot=lambda t: t + 1), where=((T + 1, N),),
    statement="An sDNC that keeps slot 1 free and writes step t to slot t + 1 (N >= T + 1 slots) equals "
              "causal attention.",
    statement_tex=r"An sDNC that keeps slot $1$ free and writes step $t$ to slot $t + 1$ ($N \ge T + 1$ "
                  r"slots) equals causal attention.",
    expect="proved", cites=SOURCES)

offset_slots_overflow = Claim(
    "offset_slots_overflow",
    lhs=attention, rhs=sdnc_read(Q, K, V, slots=N, slot=lambda t: t + 1), where=((T, N),),
    statement="FALSE: the same with only N >= T slots (at N = T the last write falls outside the memory "
              "and is lost).",
    statement_tex=r"The same with only $N \ge T$ slots (false: at $N = T$ the last write falls outside the "
                  r"memory and is lost).",
    expect="refuted", cites=SOURCES)

window_domain_is_window_attention = Claim(
    "window_domain_is_window_attention",
    lhs=causal_attention(Q, K, V, scale=1 / sqrt(d), window=W),
    rhs=sdnc_read(Q, K, V, slots=N, domain=lambda t, n: (t - W < n) & (n <= t)),
    statement="An sDNC whose read at step t may address only the slots t - W < n <= t equals sliding-window "
              "attention over W keys.",
    statement_tex=r"An sDNC whose read at step $t$ may address only the slots $t - W < n \le t$ equals "
                  r"sliding-window attention over $W$ keys.",
    expect="proved", cites=SOURCES + ("Beltagy et al. 2020, arXiv:2004.05150 (sliding-window attention)",))

window_domain_off_by_one = Claim(
    "window_domain_off_by_one",
    lhs=causal_attention(Q, K, V, scale=1 / sqrt(d), window=W),
    rhs=sdnc_read(Q, K, V, slots=N, domain=lambda t, n: (t - W <= n) & (n <= t)),
    statement="FALSE: the read domain t - W <= n <= t (W + 1 slots) equals attention over a window of W keys.",
    statement_tex=r"The read domain $t - W \le n \le t$ ($W + 1$ slots) equals attention over a window of "
                  r"$W$ keys (false: one slot too many).",
    expect="refuted", cites=SOURCES)

erase_is_idle_on_fresh_slots = Claim(
    "erase_is_idle_on_fresh_slots",
    lhs=attention, rhs=sdnc_read(Q, K, V, slots=N, slot=lambda t: T + 1 - t, erase=True), where=((T, N),),
    statement="Erasing a slot before writing it changes nothing when every slot is written once "
              "(here slot T + 1 - t): the sDNC with erase still equals causal attention.",
    expect="proved", cites=SOURCES)

ring_buffer_without_erase = Claim(
    "ring_buffer_without_erase",
    lhs=causal_attention(Q, K, V, scale=1 / sqrt(d), window=W),
    rhs=sdnc_read(Q, K, V, slots=W, slot=lambda t: (t - 1) % W + 1),
    statement="FALSE: an sDNC of W slots written as a ring buffer (step t to slot (t - 1) mod W + 1) without "
              "erase equals window attention: a reused slot holds the sum of the keys written to it.",
    expect="refuted", cites=SOURCES)

V_1, V_2 = matrix("V_1", T, d_v), matrix("V_2", T, d_w)

values_side_by_side = Claim(
    "values_side_by_side",
    lhs=causal_attention(Q, K, concat(V_1, V_2, axis="cols")),
    rhs=concat(causal_attention(Q, K, V_1), causal_attention(Q, K, V_2), axis="cols"),
    statement="Attention over values [V_1 | V_2] side by side is the two reads side by side: the weights "
              "depend on the keys only.",
    statement_tex=r"Attention over the values $[V_1 \mid V_2]$ side by side is the two reads side by side: "
                  r"the weights depend on the keys only.",
    expect="proved", cites=("Vaswani et al. 2017 (multi-head attention concatenates heads)",))

Q_1, K_1, Q_2, K_2 = matrix("Q_1", T, d), matrix("K_1", T, d), matrix("Q_2", T, e), matrix("K_2", T, e)

one_wide_head_is_two_heads = Claim(
    "one_wide_head_is_two_heads",
    lhs=causal_attention(concat(Q_1, Q_2, axis="cols"), concat(K_1, K_2, axis="cols"), concat(V_1, V_2, axis="cols")),
    rhs=concat(causal_attention(Q_1, K_1, V_1), causal_attention(Q_2, K_2, V_2), axis="cols"),
    statement="FALSE: one head over concatenated queries, keys and values equals two heads side by side "
              "(one softmax of the summed scores is not two softmaxes).",
    expect="refuted", cites=("Vaswani et al. 2017 (multi-head attention)",))
