"""The decoder layers again, each proved by one normalization of the whole inlined layer.

`derivations/encoder_decoder.py` proves them by composition in about a second;
here no lemma is used, which takes minutes (~10,000 rewrite steps for pre-LN):
`symcheck check derivations/slow --max-seconds 600`.
"""

from symcheck import Claim, matrix, sizes
from symcheck.layer import CrossWeights, LayerWeights, sdnc_decoder_layer, transformer_decoder_layer

T, S, D, H, d_h, F, N = sizes("T S D H d_h F N")
X, M = matrix("X", T, D), matrix("M", S, D)
W = LayerWeights.declare(D, H, d_h, F)
C = CrossWeights.declare(D, H, d_h)

pre_ln_decoder_layer_by_normalization = Claim(
    "pre_ln_decoder_layer_by_normalization",
    lhs=transformer_decoder_layer(X, M, W, C, norm_first=True),
    rhs=sdnc_decoder_layer(X, M, W, C, slots=N, norm_first=True),
    statement="A pre-LN decoder layer equals an sDNC step with its own memory and a separate encoder memory, "
              "proved without lemmas.",
    expect="proved", method="normalization",
    cites=("Tang & Xie 2026, arXiv:2603.19272 (cross-attention extension)", "claims catalogue SDNC-3, SDNC-4"))
