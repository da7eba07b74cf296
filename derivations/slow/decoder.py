"""An encoder–decoder (decoder) layer is an sDNC step with distinct read-from and write-to memories.

Slow (about a minute, ~10,000 rewrite steps), so it lives outside the default
library: `symcheck check derivations/slow`. The decoder writes and reads its own
growing memory (self-attention), and reads an encoder memory of S slots that
was written in full before decoding (cross-attention); LayerNorms, W_O, the
residuals and the FFN are the stateless controller and its post-map.
"""

from symcheck import Claim, matrix, sizes, tensor
from symcheck.layer import CrossWeights, LayerWeights, sdnc_decoder_layer, transformer_decoder_layer

T, S, D, H, d_h, F, N = sizes("T S D H d_h F N")
X, M = matrix("X", T, D), matrix("M", S, D)
W = LayerWeights(WQ=tensor("W_Q", D, H, d_h), WK=tensor("W_K", D, H, d_h), WV=tensor("W_V", D, H, d_h),
                 WO=tensor("W_O", H, d_h, D), W1=matrix("W_1", D, F), W2=matrix("W_2", F, D),
                 g1=tensor("g_1", D), g2=tensor("g_2", D))
C = CrossWeights(CQ=tensor("C_Q", D, H, d_h), CK=tensor("C_K", D, H, d_h), CV=tensor("C_V", D, H, d_h),
                 CO=tensor("C_O", H, d_h, D), g3=tensor("g_3", D))

pre_ln_decoder_layer_is_sdnc_step = Claim(
    "pre_ln_decoder_layer_is_sdnc_step",
    lhs=transformer_decoder_layer(X, M, W, C, norm_first=True),
    rhs=sdnc_decoder_layer(X, M, W, C, slots=N, norm_first=True),
    statement="A pre-LN decoder layer (causal self-attention, cross-attention to the encoder output M, FFN) "
              "equals an sDNC step that writes to and reads its own memory and reads a separate encoder memory "
              "written in full before decoding.",
    expect="proved", cites=("Tang & Xie 2026, arXiv:2603.19272 (cross-attention extension)",
                            "claims catalogue SDNC-3, SDNC-4"))
