"""Multi-head attention is parallel read heads (claims catalogue §1.3 SDNC-2, §6 GQA).

The number of heads is a symbol H (or G groups of R heads): every claim holds
for all head counts at once. MHA needs one memory whose rows concatenate all
heads' keys, read with zero-padded keys under the dot product; MQA needs one
shared memory; GQA one memory per KV group under the repeat-interleave map.
"""

from symcheck import Claim, matrix, sizes, tensor
from symcheck import (gqa_attention, mqa_attention, multihead_attention, sdnc_gqa_read, sdnc_mqa_read,
                      sdnc_multihead_read)

TITLE = "Multi-head, multi-query and grouped-query attention as read heads"
ORDER = 1

T, H, d_h, d_v, D, N, G, R = sizes("T H d_h d_v D N G R")
Q, K, V, W_O = tensor("Q", T, H, d_h), tensor("K", T, H, d_h), tensor("V", T, H, d_v), tensor("W_O", H, d_v, D)
SOURCES = ("Tang & Xie 2026, arXiv:2603.19272 (claim 4)", "claims catalogue SDNC-2")

mha = multihead_attention(Q, K, V, W_O)

mha_is_parallel_read_heads = Claim(
    "mha_is_parallel_read_heads", lhs=mha, rhs=sdnc_multihead_read(Q, K, V, W_O, slots=N),
    statement="Causal multi-head attention with H heads equals H sDNC read heads on one memory with "
              "block-concatenated keys and values, read with zero-padded keys under the dot product; "
              "W_O combines block h of head h's read vector.",
    statement_tex=r"Causal multi-head attention with $H$ heads equals $H$ sDNC read heads on one memory with "
                  r"block-concatenated keys and values, read with zero-padded keys under the dot product; $W_O$ "
                  r"combines block $h$ of head $h$'s read vector.",
    expect="proved", cites=SOURCES)

cosine_breaks_block_padding = Claim(
    "cosine_breaks_block_padding", lhs=mha, rhs=sdnc_multihead_read(Q, K, V, W_O, slots=N, similarity="cosine"),
    statement="FALSE: the same construction with cosine addressing (the norm mixes all heads' key blocks).",
    expect="refuted", cites=("claims catalogue SDNC-2 F1",))

heads_share_one_value_block = Claim(
    "heads_share_one_value_block", lhs=mha,
    rhs=sdnc_multihead_read(Q, K, V, W_O, slots=N, select="first_block"),
    statement="FALSE: H heads reading one value memory of width d_h (every head combines block 1).",
    statement_tex=r"FALSE: $H$ heads reading one value memory of width $d_h$ (every head combines block $1$).",
    expect="refuted", cites=("claims catalogue SDNC-2 F2",))

Qm, Km, Vm, W_Om = tensor("Q", T, H, d_h), matrix("K", T, d_h), matrix("V", T, d_v), tensor("W_O", H, d_v, D)

mqa_is_read_heads_on_one_memory = Claim(
    "mqa_is_read_heads_on_one_memory", lhs=mqa_attention(Qm, Km, Vm, W_Om),
    rhs=sdnc_mqa_read(Qm, Km, Vm, W_Om, slots=N),
    statement="Multi-query attention equals H read heads with different read keys on one shared memory.",
    expect="proved", cites=SOURCES)

Qg, Kg = tensor("Q", T, G, R, d_h), tensor("K", T, G, d_h)
Vg, W_Og = tensor("V", T, G, d_v), tensor("W_O", G, R, d_v, D)
gqa = gqa_attention(Qg, Kg, Vg, W_Og)

gqa_is_one_memory_per_group = Claim(
    "gqa_is_one_memory_per_group", lhs=gqa, rhs=sdnc_gqa_read(Qg, Kg, Vg, W_Og, slots=N),
    statement="Grouped-query attention (G groups of R heads, repeat-interleave) equals one memory per "
              "KV group, read by that group's R heads.",
    expect="proved", cites=SOURCES + ("claims catalogue §6 (GQA)",))

gqa_tiled_head_map = Claim(
    "gqa_tiled_head_map", lhs=gqa, rhs=sdnc_gqa_read(Qg, Kg, Vg, W_Og, slots=N, head_map="tile"),
    statement="FALSE: the tile map (head h reads group h mod G) in place of repeat-interleave.",
    expect="refuted", cites=("claims catalogue §6 (GQA)",))
