"""symcheck's Transformer is the Transformer people run: both sides of the claims, evaluated
by symcheck's own vectorised evaluator at realistic sizes, against PyTorch in float64.

Every sDNC side runs at T = 1024 steps (S = 768 encoder rows): its memories are simulated step by step,
read in blocks of steps. The attention sides of layers and stacks (and the inlined layer) are compared at
SHORT = 64 rows (S = 48) with a reference of their own: evaluated as attention, they are the slow part.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from sympy import sqrt

torch = pytest.importorskip("torch", reason="the PyTorch oracle needs torch==2.13.0 (the test extra)")
F = torch.nn.functional

from symcheck import (cross_attention, causal_attention, gqa_attention, matrix, mqa_attention,  # noqa: E402
                      multihead_attention, sdnc_gqa_read, sdnc_mqa_read, sdnc_multihead_read, sdnc_read, sizes,
                      tensor)
from symcheck.model_ops import evaluate_model  # noqa: E402

from helpers import inlined  # noqa: E402

TOL = 1e-10                       # float64; both computations are exact up to rounding
T, S, d, H, D = 1024, 768, 32, 4, 32   # the sDNC at the lengths people run
SHORT, SHORT_SOURCE = 64, 48      # the attention sides of layers and stacks, whose evaluation is the slow part
dh = D // H
Ts, Ss, ds, dvs, Ns, Hs, dhs, Ds, Gs, Rs = sizes("T S d d_v N H d_h D G R")


@pytest.fixture(autouse=True)
def seeded():
    torch.manual_seed(0)


def close(ours, theirs):
    theirs = theirs.detach().numpy() if hasattr(theirs, "detach") else theirs
    assert ours.shape == theirs.shape
    np.testing.assert_allclose(ours, theirs, rtol=TOL, atol=TOL)


def randn(*shape):
    return torch.randn(*shape, dtype=torch.float64)


def test_causal_attention_and_sdnc_match_sdpa():
    q, k, v = randn(T, d), randn(T, d), randn(T, d)
    ref = F.scaled_dot_product_attention(q[None], k[None], v[None], is_causal=True)[0]
    Q, K, V = matrix("Q", Ts, ds), matrix("K", Ts, ds), matrix("V", Ts, dvs)
    inputs = {"Q": q.numpy(), "K": k.numpy(), "V": v.numpy()}
    env = {"T": T, "d": d, "d_v": d, "N": T}
    close(evaluate_model(causal_attention(Q, K, V), env, inputs), ref)
    close(evaluate_model(sdnc_read(Q, K, V, slots=Ns, strength=1 / sqrt(ds)), env, inputs), ref)


def test_cross_attention_and_encoder_memory_match_sdpa():
    q, k, v = randn(T, d), randn(S, d), randn(S, d)
    ref = F.scaled_dot_product_attention(q[None], k[None], v[None])[0]
    Q, K, V = matrix("Q", Ts, ds), matrix("K", Ss, ds), matrix("V", Ss, dvs)
    inputs = {"Q": q.numpy(), "K": k.numpy(), "V": v.numpy()}
    env = {"T": T, "S": S, "d": d, "d_v": d, "N": S}
    close(evaluate_model(cross_attention(Q, K, V), env, inputs), ref)
    close(evaluate_model(sdnc_read(Q, K, V, slots=Ns, read="after_all_writes"), env, inputs), ref)


def heads_of(mha, x_q, x_kv):
    """Per-head Q, K, V (step, head, width) and W_O (head, width, out) of an nn.MultiheadAttention."""
    w = mha.in_proj_weight.detach().numpy()
    q = (x_q @ w[:D].T).reshape(len(x_q), H, dh)
    k = (x_kv @ w[D:2 * D].T).reshape(len(x_kv), H, dh)
    v = (x_kv @ w[2 * D:].T).reshape(len(x_kv), H, dh)
    wo = mha.out_proj.weight.detach().numpy().reshape(D, H, dh).transpose(1, 2, 0)
    return {"Q": q, "K": k, "V": v, "W_O": wo}


@pytest.mark.parametrize("kind", ["self", "cross"])
def test_multihead_attention_and_read_heads_match_nn_multiheadattention(kind):
    mha = torch.nn.MultiheadAttention(D, H, bias=False, batch_first=True, dtype=torch.float64)
    x = randn(1, T, D)
    src = x if kind == "self" else randn(1, S, D)
    mask = torch.triu(torch.ones(T, T, dtype=torch.bool), 1) if kind == "self" else None
    ref, _ = mha(x, src, src, attn_mask=mask, need_weights=False)
    rows = Ts if kind == "self" else Ss
    Q, K, V = tensor("Q", Ts, Hs, dhs), tensor("K", rows, Hs, dhs), tensor("V", rows, Hs, dvs)
    WO = tensor("W_O", Hs, dvs, Ds)
    inputs = heads_of(mha, x[0].numpy(), src[0].numpy())
    env = {"T": T, "S": S, "H": H, "d_h": dh, "d_v": dh, "D": D, "N": T if kind == "self" else S}
    if kind == "self":
        models = (multihead_attention(Q, K, V, WO), sdnc_multihead_read(Q, K, V, WO, slots=Ns))
    else:
        models = (multihead_attention(Q, K, V, WO, mask="none"),
                  sdnc_multihead_read(Q, K, V, WO, slots=Ns, read="after_all_writes"))
    for model in models:
        close(evaluate_model(model, env, inputs), ref[0])


@pytest.mark.parametrize("groups", [1, 2])
def test_grouped_and_multi_query_attention_match_sdpa_with_gqa(groups):
    reps = H // groups
    q, k, v = randn(1, H, T, dh), randn(1, groups, T, dh), randn(1, groups, T, dh)
    wo = np.random.default_rng(0).standard_normal((H, dh, D))
    heads = F.scaled_dot_product_attention(q, k, v, is_causal=True, enable_gqa=True)[0].numpy()  # (H, T, dh)
    ref = np.einsum("htb,hbc->tc", heads, wo)
    env = {"T": T, "G": groups, "R": reps, "H": H, "d_h": dh, "d_v": dh, "D": D, "N": T}
    if groups == 1:                                   # multi-query: one shared K and V
        Q, K, V, WO = tensor("Q", Ts, Hs, dhs), matrix("K", Ts, dhs), matrix("V", Ts, dvs), tensor("W_O", Hs, dvs, Ds)
        inputs = {"Q": q[0].numpy().transpose(1, 0, 2), "K": k[0, 0].numpy(), "V": v[0, 0].numpy(), "W_O": wo}
        models = (mqa_attention(Q, K, V, WO), sdnc_mqa_read(Q, K, V, WO, slots=Ns))
    else:                                             # head h = g·R + i (0-based) uses KV group g
        Q, K = tensor("Q", Ts, Gs, Rs, dhs), tensor("K", Ts, Gs, dhs)
        V, WO = tensor("V", Ts, Gs, dvs), tensor("W_O", Gs, Rs, dvs, Ds)
        inputs = {"Q": q[0].numpy().transpose(1, 0, 2).reshape(T, groups, reps, dh),
                  "K": k[0].numpy().transpose(1, 0, 2), "V": v[0].numpy().transpose(1, 0, 2),
                  "W_O": wo.reshape(groups, reps, dh, D)}
        models = (gqa_attention(Q, K, V, WO), sdnc_gqa_read(Q, K, V, WO, slots=Ns))
    for model in models:
        close(evaluate_model(model, env, inputs), ref)


def test_the_tiled_head_map_is_not_what_pytorch_does():
    groups, reps = 2, H // 2
    q, k, v = randn(1, H, T, dh), randn(1, groups, T, dh), randn(1, groups, T, dh)
    wo = np.random.default_rng(1).standard_normal((H, dh, D))
    heads = F.scaled_dot_product_attention(q, k, v, is_causal=True, enable_gqa=True)[0].numpy()
    ref = np.einsum("htb,hbc->tc", heads, wo)
    Q, K = tensor("Q", Ts, Gs, Rs, dhs), tensor("K", Ts, Gs, dhs)
    V, WO = tensor("V", Ts, Gs, dvs), tensor("W_O", Gs, Rs, dvs, Ds)
    inputs = {"Q": q[0].numpy().transpose(1, 0, 2).reshape(T, groups, reps, dh),
              "K": k[0].numpy().transpose(1, 0, 2), "V": v[0].numpy().transpose(1, 0, 2),
              "W_O": wo.reshape(groups, reps, dh, D)}
    env = {"T": T, "G": groups, "R": reps, "d_h": dh, "d_v": dh, "D": D, "N": T}
    tiled = evaluate_model(sdnc_gqa_read(Q, K, V, WO, slots=Ns, head_map="tile"), env, inputs)
    assert np.abs(tiled - ref).max() > 1e-3


FFN_WIDTH = 64
LN_OPTIONS = pytest.mark.parametrize("norm_first", [True, False], ids=["pre-LN", "post-LN"])


def torch_layer(kind, norm_first):
    """A float64 PyTorch layer without biases or dropout, with LayerNorm gains away from 1 (so that they matter)."""
    layer = kind(D, H, dim_feedforward=FFN_WIDTH, dropout=0.0, batch_first=True, norm_first=norm_first, bias=False,
                 dtype=torch.float64)
    with torch.no_grad():
        for name, norm in layer.named_children():
            if name.startswith("norm"):
                norm.weight.uniform_(0.5, 1.5)
    return layer.eval()


def per_head(m):
    return m.T.reshape(D, H, dh)


def out_map(mha):
    return mha.out_proj.weight.detach().numpy().reshape(D, H, dh).transpose(1, 2, 0)


def layer_inputs(layer, prefix="W", gain="g"):
    """symcheck's inputs for one encoder or decoder layer's self-attention, FFN and first two LayerNorms."""
    w = layer.self_attn.in_proj_weight.detach().numpy()
    return {f"{prefix}_Q": per_head(w[:D]), f"{prefix}_K": per_head(w[D:2 * D]), f"{prefix}_V": per_head(w[2 * D:]),
            f"{prefix}_O": out_map(layer.self_attn), f"{prefix}_1": layer.linear1.weight.detach().numpy().T,
            f"{prefix}_2": layer.linear2.weight.detach().numpy().T,
            f"{gain}_1": layer.norm1.weight.detach().numpy(), f"{gain}_2": layer.norm2.weight.detach().numpy()}


def cross_inputs(layer):
    w = layer.multihead_attn.in_proj_weight.detach().numpy()
    return {"C_Q": per_head(w[:D]), "C_K": per_head(w[D:2 * D]), "C_V": per_head(w[2 * D:]),
            "C_O": out_map(layer.multihead_attn), "g_3": layer.norm3.weight.detach().numpy()}


def causal_mask(n):
    return torch.nn.Transformer.generate_square_subsequent_mask(n, dtype=torch.float64)


def layer_weights(layer, **names):
    from symcheck.layer import LayerWeights
    return dataclasses.replace(LayerWeights.declare(Ds, Hs, dhs, sizes("F")[0], **names), eps=layer.norm1.eps)


@LN_OPTIONS
@pytest.mark.parametrize("causal", [True, False], ids=["causal", "all-tokens"])
def test_layer_and_sdnc_step_match_transformer_encoder_layer(norm_first, causal):
    from symcheck.layer import sdnc_layer, transformer_layer
    layer = torch_layer(torch.nn.TransformerEncoderLayer, norm_first)
    run = lambda x: layer(x, src_mask=causal_mask(x.shape[1]), is_causal=True)[0] if causal else layer(x)[0]  # noqa: E731
    X, W = matrix("X", Ts, Ds), layer_weights(layer)
    data = lambda x: ({"T": x.shape[1], "D": D, "H": H, "d_h": dh, "F": FFN_WIDTH, "N": x.shape[1]},   # noqa: E731
                      {"X": x[0].numpy(), **layer_inputs(layer)})
    x = randn(1, T, D)
    close(evaluate_model(sdnc_layer(X, W, slots=Ns, norm_first=norm_first, causal=causal), *data(x)), run(x))
    x = x[:, :SHORT]
    for model in (transformer_layer(X, W, norm_first=norm_first, causal=causal),
                  inlined(transformer_layer(X, W, norm_first=norm_first, causal=causal))):
        close(evaluate_model(model, *data(x)), run(x))


@LN_OPTIONS
def test_decoder_layer_and_sdnc_step_match_transformer_decoder_layer(norm_first):
    from symcheck.layer import CrossWeights, sdnc_decoder_layer, transformer_decoder_layer
    layer = torch_layer(torch.nn.TransformerDecoderLayer, norm_first)
    run = lambda x, m: layer(x, m, tgt_mask=causal_mask(x.shape[1]), tgt_is_causal=True)[0]   # noqa: E731
    X, M, W, C = matrix("X", Ts, Ds), matrix("M", Ss, Ds), layer_weights(layer), CrossWeights.declare(Ds, Hs, dhs)
    data = lambda x, m: (two_lengths(x, m), {"X": x[0].numpy(), "M": m[0].numpy(), **layer_inputs(layer),  # noqa: E731
                                             **cross_inputs(layer)})
    x, memory = randn(1, T, D), randn(1, S, D)
    close(evaluate_model(sdnc_decoder_layer(X, M, W, C, slots=Ns, norm_first=norm_first), *data(x, memory)),
          run(x, memory))
    x, memory = x[:, :SHORT], memory[:, :SHORT_SOURCE]
    close(evaluate_model(transformer_decoder_layer(X, M, W, C, norm_first=norm_first), *data(x, memory)),
          run(x, memory))


def two_lengths(target, source, **more):
    """The sizes of a decoder over `target` reading `source` ([1, rows, D] each): both memories in N slots."""
    T_, S_ = target.shape[1], source.shape[1]
    return {"T": T_, "S": S_, "D": D, "H": H, "d_h": dh, "F": FFN_WIDTH, "N": T_ + S_, **more}


@LN_OPTIONS
def test_stacks_match_transformer_encoder(norm_first):
    """L = 2 layers with different weights: nn.TransformerEncoder against both stacks, layer by layer."""
    from symcheck.stacks import sdnc_shared_memory_stack, sdnc_stack, stacked_weights, transformer_stack
    depth = 2
    encoder = perturbed(torch.nn.TransformerEncoder(torch_layer(torch.nn.TransformerEncoderLayer, norm_first), depth,
                                                    enable_nested_tensor=False))
    run = lambda x: encoder(x, mask=causal_mask(x.shape[1]), is_causal=True)[0]      # noqa: E731
    Ls = sizes("L")[0]
    X, W = matrix("X", Ts, Ds), stacked_weights(Ls, Ds, Hs, dhs, sizes("F")[0])
    data = lambda x: ({"T": x.shape[1], "D": D, "H": H, "d_h": dh, "F": FFN_WIDTH, "N": depth * x.shape[1],  # noqa: E731
                       "L": depth}, {"X": x[0].numpy(), **stacked([layer_inputs(layer) for layer in encoder.layers])})
    x = randn(1, T, D)
    close(evaluate_model(sdnc_stack(X, W, depth=Ls, slots=Ns, norm_first=norm_first), *data(x)), run(x))
    x = x[:, :SHORT]
    close(evaluate_model(transformer_stack(X, W, depth=Ls, norm_first=norm_first), *data(x)), run(x))
    x = x[:, :8]                                # a simulation token by token; 8 rows tell the machines apart
    shared = evaluate_model(sdnc_shared_memory_stack(X, W, depth=Ls, slots=Ns, norm_first=norm_first), *data(x))
    assert np.abs(shared - run(x).detach().numpy()).max() > 1e-3          # one shared memory is another machine


def test_encoder_decoder_composition_matches_pytorch():
    """The encoder layer's output is the decoder's memory: PyTorch's two layers chained, against both sides."""
    from symcheck import apply
    from symcheck.layer import CrossWeights, sdnc_decoder_layer, sdnc_layer, transformer_decoder_layer, transformer_layer
    enc, dec = torch_layer(torch.nn.TransformerEncoderLayer, True), torch_layer(torch.nn.TransformerDecoderLayer, True)
    run = lambda src, tgt: dec(tgt, enc(src), tgt_mask=causal_mask(tgt.shape[1]), tgt_is_causal=True)[0]   # noqa: E731
    X, Y = matrix("X", Ss, Ds), matrix("Y", Ts, Ds)
    E, W, C = layer_weights(enc, prefix="E", gain="e"), layer_weights(dec), CrossWeights.declare(Ds, Hs, dhs)
    data = lambda src, tgt: (two_lengths(tgt, src), {"X": src[0].numpy(), "Y": tgt[0].numpy(),    # noqa: E731
                                                     **layer_inputs(enc, "E", "e"), **layer_inputs(dec),
                                                     **cross_inputs(dec)})
    src, tgt = randn(1, S, D), randn(1, T, D)
    rhs = apply(lambda M: sdnc_decoder_layer(Y, M, W, C, slots=Ns), sdnc_layer(X, E, slots=Ns, causal=False))
    close(evaluate_model(rhs, *data(src, tgt)), run(src, tgt))
    src, tgt = src[:, :SHORT_SOURCE], tgt[:, :SHORT]
    lhs = apply(lambda M: transformer_decoder_layer(Y, M, W, C), transformer_layer(X, E, causal=False))
    close(evaluate_model(lhs, *data(src, tgt)), run(src, tgt))


def perturbed(stack_module):
    """nn.Transformer{Encoder,Decoder} clone their layer: give layer 2 its own weights."""
    with torch.no_grad():
        for p in stack_module.layers[1].parameters():
            p.copy_(p + 0.1 * torch.randn_like(p))
    return stack_module


def stacked(per_layer):
    return {k: np.stack([p[k] for p in per_layer]) for k in per_layer[0]}


def test_encoder_decoder_stacks_match_pytorch():
    """2 encoder layers (over all tokens), then 2 decoder layers reading the last encoder output."""
    from symcheck import apply
    from symcheck.stacks import (decoder_stack, sdnc_decoder_stack, sdnc_stack, stacked_cross_weights,
                                 stacked_weights, transformer_stack)
    encoder = perturbed(torch.nn.TransformerEncoder(torch_layer(torch.nn.TransformerEncoderLayer, True), 2,
                                                    enable_nested_tensor=False))
    decoder = perturbed(torch.nn.TransformerDecoder(torch_layer(torch.nn.TransformerDecoderLayer, True), 2))
    run = lambda src, tgt: decoder(tgt, encoder(src), tgt_mask=causal_mask(tgt.shape[1]), tgt_is_causal=True)[0]  # noqa: E731
    Le, Ld, Fs = sizes("L_e L_d F")
    X, Y = matrix("X", Ss, Ds), matrix("Y", Ts, Ds)
    E = stacked_weights(Le, Ds, Hs, dhs, Fs, prefix="E", gain="e")
    W, C = stacked_weights(Ld, Ds, Hs, dhs, Fs), stacked_cross_weights(Ld, Ds, Hs, dhs)
    weights = {**stacked([layer_inputs(x, "E", "e") for x in encoder.layers]),
               **stacked([{**layer_inputs(x), **cross_inputs(x)} for x in decoder.layers])}
    data = lambda src, tgt: (two_lengths(tgt, src, L_e=2, L_d=2),                        # noqa: E731
                             {"X": src[0].numpy(), "Y": tgt[0].numpy(), **weights})
    src, tgt = randn(1, S, D), randn(1, T, D)
    rhs = apply(lambda M: sdnc_decoder_stack(Y, M, W, C, depth=Ld, slots=Ns),
                sdnc_stack(X, E, depth=Le, slots=Ns, causal=False))
    close(evaluate_model(rhs, *data(src, tgt)), run(src, tgt))
    src, tgt = src[:, :SHORT_SOURCE], tgt[:, :SHORT]
    lhs = apply(lambda M: decoder_stack(Y, M, W, C, depth=Ld), transformer_stack(X, E, depth=Le, causal=False))
    close(evaluate_model(lhs, *data(src, tgt)), run(src, tgt))
