"""An L-layer Transformer is L sDNC steps with one memory each, for every depth L (SDNC-4).

Proved by induction on the depth from one lemma, the layer at an arbitrary input
matrix Y with the weights of layer ℓ (ℓ symbolic): equal inputs give equal
outputs at every layer. One memory shared by all layers is a different machine:
from the second layer on, a read also sees the other layers' keys.
"""

from symcheck import Claim, from_index, indices, make_sum, matrix, sizes, stack, tensor
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

# A stack of integer depth against a plain model: the layers are unrolled and inlined.
Y_in = matrix("Y_in", T, D)
W_lin = tensor("W_lin", 2, D, D)
i, j = indices("i j")


def linear(Y, layer):
    """One linear layer Y W_ℓ, with the weights of layer ℓ."""
    return from_index(T, D, lambda t, c: make_sum(Y[t, i] * W_lin.at(layer)[i, c], i, 1, D), label="Y W_l")


def product_of(first, second):
    return from_index(T, D, lambda t, c: make_sum(make_sum(Y_in[t, i] * W_lin[first, i, j] * W_lin[second, j, c],
                                                           j, 1, D), i, 1, D), label=f"Y (W_{first} W_{second})")


two_linear_layers_are_one = Claim(
    "two_linear_layers_are_one",
    lhs=stack(linear, Y_in, depth=2), rhs=product_of(1, 2),
    statement="Two linear layers (a stack of depth 2) equal one layer with the product weight W_1 W_2.",
    statement_tex=r"Two linear layers (a stack of depth $2$) equal one layer with the product weight $W_1 "
                  r"W_2$.",
    expect="proved", cites=("unrolling a stack of integer depth",))

two_linear_layers_in_the_wrong_order = Claim(
    "two_linear_layers_in_the_wrong_order",
    lhs=stack(linear, Y_in, depth=2), rhs=product_of(2, 1),
    statement="FALSE: two linear layers equal one layer with the weight W_2 W_1 (the layers applied in the "
              "other order).",
    statement_tex=r"Two linear layers equal one layer with the weight $W_2 W_1$ (false: that applies the "
                  r"layers in the other order).",
    expect="refuted", cites=("unrolling a stack of integer depth",))
