"""Encoder, decoder and encoder–decoder layers as sDNC steps with separate memories (SDNC-3, SDNC-4).

The encoder layer attends to all S source tokens: an sDNC that writes every
token before the first read. The decoder layer writes and reads its own growing
memory (causal self-attention) and reads the encoder's memory, written in full
before decoding (cross-attention). The encoder–decoder layer is their
composition: the encoder layer's output is the matrix the decoder's
cross-attention reads, and the proof composes the two layers' lemmas.
"""

from symcheck import Claim, apply, matrix, sizes
from symcheck.layer import (CrossWeights, LayerWeights, sdnc_decoder_layer, sdnc_layer, transformer_decoder_layer,
                            transformer_layer)
from symcheck.stacks import (decoder_stack, sdnc_decoder_stack, sdnc_stack, stacked_cross_weights, stacked_weights,
                             transformer_stack)

TITLE = "Encoder-decoder Transformers"
ORDER = 4

T, S, D, H, d_h, F, N = sizes("T S D H d_h F N")
X, Y, M = matrix("X", S, D), matrix("Y", T, D), matrix("M", S, D)
E = LayerWeights.declare(D, H, d_h, F, prefix="E", gain="e")      # encoder
W = LayerWeights.declare(D, H, d_h, F)                            # decoder
C = CrossWeights.declare(D, H, d_h)
SOURCES = ("Tang & Xie 2026, arXiv:2603.19272 (cross-attention extension)", "claims catalogue SDNC-3, SDNC-4")

encoder_layer_is_sdnc_full_write = Claim(
    "encoder_layer_is_sdnc_full_write",
    lhs=transformer_layer(X, E, causal=False), rhs=sdnc_layer(X, E, slots=N, causal=False),
    statement="An encoder layer (self-attention over all S tokens, pre-LN) equals an sDNC step that writes every "
              "token's key and value before the first read.",
    expect="proved", cites=SOURCES)

encoder_layer_is_not_causal_sdnc = Claim(
    "encoder_layer_is_not_causal_sdnc",
    lhs=transformer_layer(X, E, causal=False), rhs=sdnc_layer(X, E, slots=N),
    statement="Refuted: an sDNC that reads after each write (a causal sDNC) is not an encoder layer, which "
              "attends to later tokens too.",
    expect="refuted", cites=SOURCES)

pre_ln_decoder_layer_is_sdnc_step = Claim(
    "pre_ln_decoder_layer_is_sdnc_step",
    lhs=transformer_decoder_layer(Y, M, W, C, norm_first=True),
    rhs=sdnc_decoder_layer(Y, M, W, C, slots=N, norm_first=True),
    statement="A pre-LN decoder layer (causal self-attention, cross-attention to the encoder output M, FFN) "
              "equals an sDNC step that writes to and reads its own memory and reads a separate encoder memory "
              "written in full before decoding.",
    expect="proved", cites=SOURCES)

post_ln_decoder_layer_is_sdnc_step = Claim(
    "post_ln_decoder_layer_is_sdnc_step",
    lhs=transformer_decoder_layer(Y, M, W, C, norm_first=False),
    rhs=sdnc_decoder_layer(Y, M, W, C, slots=N, norm_first=False),
    statement="The same for a post-LN decoder layer (LayerNorm after each residual).",
    expect="proved", cites=SOURCES)

encoder_decoder_is_sdnc_pair = Claim(
    "encoder_decoder_is_sdnc_pair",
    lhs=apply(lambda M: transformer_decoder_layer(Y, M, W, C), transformer_layer(X, E, causal=False),
              label="encoder–decoder layer (pre-LN)"),
    rhs=apply(lambda M: sdnc_decoder_layer(Y, M, W, C, slots=N), sdnc_layer(X, E, slots=N, causal=False),
              label="encoder sDNC writing the memory a decoder sDNC reads"),
    statement="An encoder–decoder layer (the encoder layer's output is the decoder's cross-attention input) equals "
              "an encoder sDNC whose output fills the read-from memory of a decoder sDNC with its own write-to "
              "memory.",
    expect="proved", cites=SOURCES)

decoder_memory_is_not_the_encoder_input = Claim(
    "decoder_memory_is_not_the_encoder_input",
    lhs=apply(lambda M: transformer_decoder_layer(Y, M, W, C), transformer_layer(X, E, causal=False),
              label="encoder–decoder layer (pre-LN)"),
    rhs=sdnc_decoder_layer(Y, X, W, C, slots=N),
    statement="Refuted: a decoder sDNC whose read-from memory holds the encoder's input (the source tokens) instead "
              "of the encoder layer's output.",
    expect="refuted", cites=SOURCES)

# The whole encoder–decoder Transformer: L_e encoder layers, then L_d decoder layers that all read the
# encoder's final output. Both depths are symbolic; the proof composes the two stacks' induction proofs.
L_e, L_d = sizes("L_e L_d")
E_l = stacked_weights(L_e, D, H, d_h, F, prefix="E", gain="e")
W_l, C_l = stacked_weights(L_d, D, H, d_h, F), stacked_cross_weights(L_d, D, H, d_h)

encoder_decoder_transformer_is_sdnc_stacks = Claim(
    "encoder_decoder_transformer_is_sdnc_stacks",
    lhs=apply(lambda M: decoder_stack(Y, M, W_l, C_l, depth=L_d), transformer_stack(X, E_l, depth=L_e, causal=False),
              label="encoder–decoder Transformer (L_e + L_d pre-LN layers)"),
    rhs=apply(lambda M: sdnc_decoder_stack(Y, M, W_l, C_l, depth=L_d, slots=N),
              sdnc_stack(X, E_l, depth=L_e, slots=N, causal=False),
              label="L_e encoder sDNCs, then L_d decoder sDNCs reading the last encoder output's memory"),
    statement="An encoder–decoder Transformer with L_e encoder and L_d decoder layers equals L_e encoder sDNCs "
              "(each writing its whole input before reading) followed by L_d decoder sDNCs, each with its own "
              "write-to memory and all reading one encoder memory filled from the encoder's output, for all depths.",
    statement_tex=r"An encoder--decoder Transformer with $L_e$ encoder and $L_d$ decoder layers equals $L_e$ encoder "
                  r"sDNCs (each writing its whole input before reading) followed by $L_d$ decoder sDNCs, each with "
                  r"its own write-to memory and all reading one encoder memory filled from the encoder's output, for "
                  r"all depths.",
    expect="proved", cites=SOURCES)
