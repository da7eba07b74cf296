"""Stacks of layers: L Transformer layers against L sDNC steps, with one memory per layer or
one memory shared by all of them.

With one memory per layer, the sDNC stack is a `Stack` and is proved by induction
on the depth from the one-layer lemma. A memory shared by all layers is a genuine
recurrence (layer ℓ at token t reads what the other layers wrote at earlier
tokens, and those writes depend on earlier reads), so it is given by a numeric
simulation: it can be refuted, never proved.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import sympy as sp

from .compose import stack
from .domain import value_at
from .errors import ClaimError
from .evaluate import evaluate
from .ir import LAYER, Simulated, Stack
from .model_ops import evaluate_model
from .index import index, size
from .matrix import MatInput, Slice, matrix, tensor
from .layer import (CrossWeights, LayerWeights, sdnc_decoder_layer, sdnc_layer, sdnc_token_step,
                    transformer_decoder_layer, transformer_layer)

__all__ = ["stacked_weights", "stacked_cross_weights", "transformer_stack", "sdnc_stack", "sdnc_shared_memory_stack",
           "decoder_stack", "sdnc_decoder_stack"]

WeightsOf = Callable[[sp.Expr], LayerWeights]


def stacked_weights(depth, D, H, d_h, F, *, prefix: str = "W", gain: str = "g") -> WeightsOf:
    """Per-layer weights ℓ -> LayerWeights, cut from tensors whose first axis is the layer (L × ...)."""
    shapes = LayerWeights.shapes(D, H, d_h, F, prefix=prefix, gain=gain)
    stacked = [tensor(name, depth, *shape) for name, shape in shapes.items()]
    return lambda layer: LayerWeights(*(t.at(layer) for t in stacked))


def stacked_cross_weights(depth, D, H, d_h) -> Callable[[sp.Expr], CrossWeights]:
    """Per-layer cross-attention weights ℓ -> CrossWeights (C_Q ... C_O and the gain g_3, layer axis first)."""
    stacked = [tensor(f"C_{k}", depth, D, H, d_h) for k in "QKV"] + [tensor("C_O", depth, H, d_h, D),
                                                                      tensor("g_3", depth, D)]
    return lambda layer: CrossWeights(*(t.at(layer) for t in stacked))


def transformer_stack(X: MatInput, weights: WeightsOf, *, depth, norm_first: bool = True,
                      causal: bool = True) -> Stack:
    """`depth` Transformer layers (causal, or encoder layers over all tokens); layer ℓ has weights `weights(ℓ)`."""
    return stack(lambda Y, layer: transformer_layer(Y, weights(layer), norm_first=norm_first, causal=causal), X,
                 depth=depth, label=f"{depth}-layer Transformer {'' if causal else 'encoder '}"
                                    f"({'pre' if norm_first else 'post'}-LN)")


def sdnc_stack(X: MatInput, weights: WeightsOf, *, depth, slots, norm_first: bool = True, causal: bool = True) -> Stack:
    """`depth` sDNC steps, each writing to and reading its own memory (after all writes if not causal)."""
    return stack(lambda Y, layer: sdnc_layer(Y, weights(layer), slots=slots, norm_first=norm_first, causal=causal),
                 X, depth=depth, label=f"{depth} sDNC steps, one memory each")


def decoder_stack(Y: MatInput, M, weights: WeightsOf, cross: Callable, *, depth, norm_first: bool = True) -> Stack:
    """`depth` decoder layers, every one cross-attending to the same encoder output M."""
    return stack(lambda Z, layer: transformer_decoder_layer(Z, M, weights(layer), cross(layer), norm_first=norm_first),
                 Y, depth=depth, label=f"{depth}-layer Transformer decoder ({'pre' if norm_first else 'post'}-LN)")


def sdnc_decoder_stack(Y: MatInput, M, weights: WeightsOf, cross: Callable, *, depth, slots,
                       norm_first: bool = True) -> Stack:
    """`depth` sDNC decoder steps, each with its own write-to memory, all reading the encoder memory of M."""
    return stack(lambda Z, layer: sdnc_decoder_layer(Z, M, weights(layer), cross(layer), slots=slots,
                                                     norm_first=norm_first),
                 Y, depth=depth, label=f"{depth} sDNC decoder steps, one write-to memory each")


def sdnc_shared_memory_stack(X: MatInput, weights: WeightsOf, *, depth, slots, norm_first: bool = True) -> Simulated:
    """`depth` sDNC layers on one memory: token by token, layer ℓ writes its (k, v) to the next
    fresh slot and reads every slot written so far, by any layer (needs depth·T <= slots)."""
    if not isinstance(X, MatInput):
        raise ClaimError("the shared-memory stack takes an input matrix", field="X")
    w = weights(LAYER)
    D, H, dh, _ = w.sizes
    n = size("n_written")
    x = matrix("x_t", 1, D)
    keys, values = tensor("K_written", n, H, dh), tensor("V_written", n, H, dh)
    k, v, step = sdnc_token_step(x, w, keys, values, slots=slots, norm_first=norm_first)
    h, a = index("h_w"), index("a_w")
    k, v = k(h, a), v(h, a)
    weight_inputs = tuple(dict.fromkeys(f.tensor for f in vars(w).values() if isinstance(f, Slice)))

    def simulate(sizes, inputs, backend):
        T, L, Hn, dhn = (value_at(e, sizes) for e in (X.rows, depth, H, dh))
        layers = [backend.convert(inputs[X.name])] + [None] * L
        for layer in range(1, L + 1):
            layers[layer] = np.empty_like(layers[0])
        K = V = np.empty((0, Hn, dhn), dtype=layers[0].dtype)
        for t in range(T):
            for layer in range(1, L + 1):
                at = {**sizes, LAYER.name: layer, n.name: K.shape[0] + 1}
                row = {**inputs, x.name: layers[layer - 1][t:t + 1]}
                K = np.concatenate([K, evaluate(k, {h: Hn, a: dhn}, at, row, backend)[None]])
                V = np.concatenate([V, evaluate(v, {h: Hn, a: dhn}, at, row, backend)[None]])
                layers[layer][t] = evaluate_model(step, at, {**row, keys.name: K, values.name: V}, backend)[0]
        return layers[L]

    return Simulated(f"{depth} sDNC steps sharing one memory", X.rows, X.cols,
                     ((1, depth), (depth * X.rows, slots)), simulate=simulate, inputs=(X, *weight_inputs))
