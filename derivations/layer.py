"""The full layer is an sDNC step with a stateless controller (claims catalogue SDNC-4).

LayerNorm, the projections, W_O, the residual and the ReLU FFN act on position
t alone: they are the controller x_t -> (q_t, k_t, v_t) and its post-map. The
memories receive the computed k_t and v_t at fresh slot t; H read heads with
zero-padded keys read them. Pre-LN and post-LN (PyTorch's norm_first) both hold.
Both are proved by composition (self-attention block, then FFN block); the
pre-LN layer is proved a second time by one normalization of the inlined layer,
which does not rely on the composition argument.
"""

from symcheck import Claim, matrix, sizes
from symcheck.layer import LayerWeights, sdnc_layer, transformer_layer

TITLE = "A Transformer layer is one sDNC step"
ORDER = 3

T, D, H, d_h, F, N = sizes("T D H d_h F N")
X = matrix("X", T, D)
W = LayerWeights.declare(D, H, d_h, F)
SOURCES = ("Tang & Xie 2026, arXiv:2603.19272 (claims 1-4)", "claims catalogue SDNC-1, SDNC-4")

pre_ln_layer_is_sdnc_step = Claim(
    "pre_ln_layer_is_sdnc_step",
    lhs=transformer_layer(X, W, norm_first=True), rhs=sdnc_layer(X, W, slots=N, norm_first=True),
    statement="A causal pre-LN Transformer layer (LayerNorm, H-head self-attention, W_O, residual, ReLU FFN) "
              "equals one sDNC step whose stateless controller computes q_t, k_t, v_t from x_t, writes k_t, v_t "
              "to fresh slot t and reads with H heads.",
    statement_tex=r"A causal pre-LN Transformer layer (LayerNorm, $H$-head self-attention, $W_O$, residual, ReLU "
                  r"FFN) equals one sDNC step whose stateless controller computes $q_t, k_t, v_t$ from $x_t$, writes "
                  r"$k_t, v_t$ to fresh slot $t$ and reads with $H$ heads.",
    expect="proved", cites=SOURCES)

post_ln_layer_is_sdnc_step = Claim(
    "post_ln_layer_is_sdnc_step",
    lhs=transformer_layer(X, W, norm_first=False), rhs=sdnc_layer(X, W, slots=N, norm_first=False),
    statement="The same for a post-LN layer (LayerNorm after each residual).",
    expect="proved", cites=SOURCES)

pre_ln_layer_is_sdnc_step_by_normalization = Claim(
    "pre_ln_layer_is_sdnc_step_by_normalization",
    lhs=transformer_layer(X, W, norm_first=True), rhs=sdnc_layer(X, W, slots=N, norm_first=True),
    statement="The pre-LN layer claim again, proved by normalizing the whole inlined layer (no lemmas).",
    expect="proved", cites=SOURCES, method="normalization")
