"""An L-layer Transformer is L sDNC steps with one memory each, for every depth L (SDNC-4).

Proved by induction on the depth from one lemma, the layer at an arbitrary input
matrix Y with the weights of layer ℓ (ℓ symbolic): equal inputs give equal
outputs at every layer. One memory shared by all layers is a different machine:
from the second layer on, a read also sees the other layers' keys.
"""

from symcheck import Claim, matrix, sizes
from symcheck.stacks import sdnc_shared_memory_stack, sdnc_stack, stacked_weights, transformer_stack

TITLE = "Stacks of layers"
ORDER = 5

T, D, H, d_h, F, N, L = sizes("T D H d_h F N L")
X = matrix("X", T, D)
W = stacked_weights(L, D, H, d_h, F)
SOURCES = ("Tang & Xie 2026, arXiv:2603.19272 (claim 4, stacks)", "claims catalogue SDNC-4")

pre_ln_stack_is_sdnc_stack = Claim(
    "pre_ln_stack_is_sdnc_stack",
    lhs=transformer_stack(X, W, depth=L), rhs=sdnc_stack(X, W, depth=L, slots=N),
    statement="A stack of L causal pre-LN Transformer layers equals L sDNC steps, layer ℓ with its own key and "
              "value memories, for every depth L.",
    statement_tex=r"A stack of $L$ causal pre-LN Transformer layers equals $L$ sDNC steps, layer $\ell$ with its own "
                  r"key and value memories, for every depth $L$.",
    expect="proved", cites=SOURCES)

post_ln_stack_is_sdnc_stack = Claim(
    "post_ln_stack_is_sdnc_stack",
    lhs=transformer_stack(X, W, depth=L, norm_first=False), rhs=sdnc_stack(X, W, depth=L, slots=N, norm_first=False),
    statement="The same for L post-LN layers.",
    expect="proved", cites=SOURCES)

shared_memory_stack_is_not_transformer_stack = Claim(
    "shared_memory_stack_is_not_transformer_stack",
    lhs=transformer_stack(X, W, depth=L), rhs=sdnc_shared_memory_stack(X, W, depth=L, slots=N),
    statement="Refuted: L sDNC layers that write to and read from one memory shared by all layers (token by "
              "token, every read sees every slot written so far) do not compute the L-layer Transformer.",
    expect="refuted", cites=SOURCES)
