"""Cross-attention is an sDNC with distinct read-from and write-to memories (SDNC-3).

The encoder writes its S keys and values, in full, to a read-from memory before
decoding; decoder step t reads it with no mask. (The decoder's own causal
self-attention writes to and reads its own growing memory: sdnc.py.)
"""

from sympy import sqrt

from symcheck import Claim, cross_attention, matrix, sdnc_read, sizes, tensor
from symcheck import multihead_attention, sdnc_multihead_read

TITLE = "Cross-attention reads a separate memory"
ORDER = 2

T, S, d, d_v, N = sizes("T S d d_v N")
Q, K, V = matrix("Q", T, d), matrix("K", S, d), matrix("V", S, d_v)
SOURCES = ("Tang & Xie 2026, arXiv:2603.19272 (cross-attention extension)", "claims catalogue SDNC-3")

attention = cross_attention(Q, K, V, scale=1 / sqrt(d))

cross_attention_reads_encoder_memory = Claim(
    "cross_attention_reads_encoder_memory", lhs=attention,
    rhs=sdnc_read(Q, K, V, slots=N, read="after_all_writes", strength=1 / sqrt(d)),
    statement="Cross-attention equals an sDNC read from an encoder memory of S slots written in full "
              "before decoding, addressed by the decoder's query with no mask.",
    statement_tex=r"Cross-attention equals an sDNC read from an encoder memory of $S$ slots written in full before "
                  r"decoding, addressed by the decoder's query with no mask.",
    expect="proved", cites=SOURCES)

causal_mask_over_encoder_slots = Claim(
    "causal_mask_over_encoder_slots", lhs=attention,
    rhs=cross_attention(Q, K, V, scale=1 / sqrt(d), mask="inclusive"),
    statement="FALSE: cross-attention equals cross-attention with a causal mask j <= t over encoder slots.",
    statement_tex=r"FALSE: cross-attention equals cross-attention with a causal mask $j \le t$ over encoder slots.",
    expect="refuted", cites=("claims catalogue SDNC-3 F2",))

H, d_h, D = sizes("H d_h D")
Qh, Kh, Vh, W_O = tensor("Q", T, H, d_h), tensor("K", S, H, d_h), tensor("V", S, H, d_v), tensor("W_O", H, d_v, D)

multihead_cross_attention_reads_encoder_memory = Claim(
    "multihead_cross_attention_reads_encoder_memory", lhs=multihead_attention(Qh, Kh, Vh, W_O, mask="none"),
    rhs=sdnc_multihead_read(Qh, Kh, Vh, W_O, slots=N, read="after_all_writes"),
    statement="Multi-head cross-attention equals H read heads on one block-padded encoder memory "
              "written in full before decoding.",
    expect="proved", cites=SOURCES)

multihead_read_from_memory_grows = Claim(
    "multihead_read_from_memory_grows", lhs=multihead_attention(Qh, Kh, Vh, W_O, mask="none"),
    rhs=sdnc_multihead_read(Qh, Kh, Vh, W_O, slots=N, read="after_write"),
    statement="FALSE: the read-from memory grows with the decoder step (step t reads encoder slots 1..t).",
    expect="refuted", cites=("claims catalogue SDNC-3 F1",))
