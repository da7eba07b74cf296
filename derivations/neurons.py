"""An MLP neuron is a masked attention head of internal dimension 1 (SiLU exactly, ReLU only in a limit).

Huben & Morris 2023 (claims catalogue MLP-1): token t's head attends to two slots only, a start slot
(BOS, slot 0) and its own slot t, through a custom mask. Keys have dimension 1: the start slot's key is 0
and every token's is the constant feature 1; the query is λ·a_t with a_t = w·x_t the neuron's
pre-activation. So the logits are 0 (start) and λ a_t (own), the values 0 and a_t, and the head reads

    a_t e^{λ a_t} / (1 + e^{λ a_t}) = a_t σ(λ a_t),

which at λ = 1 is the SiLU neuron a_t σ(a_t) exactly (the two-slot softmax is the sigmoid: `softmax-shift`).
An FFN W₂ silu(W₁ x_t) is one such head per hidden unit, summed through W₂'s columns. The ReLU neuron is
only the limit λ → ∞: no finite inverse temperature λ gives it. Without the start slot the softmax
has one slot, weight 1, and the head is linear.
"""

import sympy as sp
from sympy import exp

from symcheck import Claim, Iverson, from_index, index, make_sum, matrix, scalar, sizes
from symcheck.heads import softmax_read
from symcheck.index import Entry, Relu, reciprocal

TITLE = "MLP neurons as attention heads"
ORDER = 16

T, d, d_ff, d_out, beta = sizes("T d d_ff d_out beta")     # beta: an inverse temperature, any positive integer
X = matrix("X", T, d)                 # the tokens x_t, one per row
w = matrix("w", d, 1)                 # one neuron's input weights
W1, W2 = matrix("W1", d_ff, d), matrix("W2", d_out, d_ff)
SOURCES = ("Huben & Morris 2023, Attention-Only Transformers and Implementing MLPs with Attention Heads",
           "claims catalogue MLP-1")


def _silu(a):
    """a σ(a) = a / (1 + e^{-a})."""
    return a * reciprocal(1 + exp(-a))


def _head(t, pre, *, inverse_temperature=1, start_slot=True):
    """Token t's head over slots n = 0..t (0 the start slot, n >= 1 token n) under the mask {start, own}: key
    k_n = [n >= 1], query inverse_temperature·pre(t), value v_n = [n >= 1]·pre(n). The mask is [n = 0] + [n = t]
    (disjoint brackets: t >= 1), or [n = t] alone without the start slot."""
    key = lambda n: Iverson(sp.Le(1, n))                                                    # noqa: E731
    mask = (lambda n: Iverson(sp.Eq(n, 0)) + Iverson(sp.Eq(n, t))) if start_slot else (lambda n: Iverson(sp.Eq(n, t)))
    return softmax_read(lambda n: inverse_temperature * pre(t) * key(n), lambda n: key(n) * pre(n), 0, t, mask)


def _neuron_pre(n):
    """a_n = w · x_n."""
    c = index("c")
    return make_sum(w[c, 1] * X[n, c], c, 1, d)


def _neuron(activation, label):
    return from_index(T, 1, lambda t, b: activation(_neuron_pre(t)), label=label)


def _neuron_head(**options):
    return from_index(T, 1, lambda t, b: _head(t, _neuron_pre, **options), label="attention head over {start, own}")


silu_neuron_is_attention_head = Claim(
    "silu_neuron_is_attention_head",
    lhs=_neuron(_silu, "SiLU neuron a sigma(a)"), rhs=_neuron_head(),
    statement="A SiLU neuron a_t sigma(a_t), a_t = w.x_t, equals a causal attention head of internal dimension 1 "
              "over two slots: a start slot with logit 0 and value 0, and the token's own slot with logit a_t and "
              "value a_t.",
    statement_tex=r"A SiLU neuron $a_t \sigma(a_t)$, $a_t = w \cdot x_t$, equals a causal attention head of internal "
                  r"dimension $1$ over two slots: a start slot with logit $0$ and value $0$, and the token's own "
                  r"slot with logit $a_t$ and value $a_t$.",
    expect="proved", cites=SOURCES)

relu_neuron_is_attention_head = Claim(
    "relu_neuron_is_attention_head",
    lhs=_neuron(Relu, "ReLU neuron relu(a)"), rhs=_neuron_head(inverse_temperature=beta),
    statement="A ReLU neuron relu(a_t) equals the same head with logit beta a_t at any finite inverse temperature "
              "beta (false: it is a_t sigma(beta a_t), and relu is only its limit as beta grows).",
    statement_tex=r"A ReLU neuron $\operatorname{relu}(a_t)$ equals the same head with logit $\beta a_t$ at any "
                  r"finite inverse temperature $\beta$ (false: it is $a_t \sigma(\beta a_t)$, and relu is only its "
                  r"limit as $\beta$ grows).",
    expect="refuted", cites=SOURCES + ("claims catalogue MLP-1 F1",))

neuron_without_start_slot = Claim(
    "neuron_without_start_slot",
    lhs=_neuron(_silu, "SiLU neuron a sigma(a)"), rhs=_neuron_head(start_slot=False),
    statement="The SiLU neuron equals the head without the start slot, over the token's own slot alone (false: a "
              "softmax over one slot has weight 1, and the head is linear, a_t).",
    statement_tex=r"The SiLU neuron equals the head without the start slot, over the token's own slot alone (false: "
                  r"a softmax over one slot has weight $1$, and the head is linear, $a_t$).",
    expect="refuted", cites=SOURCES + ("claims catalogue MLP-1 F3",))


def _hidden(i):
    """Hidden unit i's pre-activation at token n: (W₁ x_n)_i."""
    def pre(n):
        m = index("m")
        return make_sum(W1[i, m] * X[n, m], m, 1, d)
    return pre


def _ffn():
    """y_t = W₂ silu(W₁ x_t), in matrix form: y_t[c] = Σ_i W₂[c, i] silu((W₁ Xᵀ)[i, t])."""
    i = index("i")
    return from_index(T, d_out, lambda t, c: make_sum(W2[c, i] * _silu(Entry(W1 @ X.T, i, t)), i, 1, d_ff),
                      label="FFN W2 silu(W1 x_t)")


def _sum_of_heads():
    """y_t[c] = Σ_{i=1}^{d_ff} W₂[c, i] head_i(t): hidden unit i's head, its output scaled by column i of W₂."""
    i = index("i")
    return from_index(T, d_out, lambda t, c: make_sum(W2[c, i] * _head(t, _hidden(i)), i, 1, d_ff),
                      label="sum of d_ff two-slot heads")


ffn_is_sum_of_attention_heads = Claim(
    "ffn_is_sum_of_attention_heads",
    lhs=_ffn(), rhs=_sum_of_heads(),
    statement="A SiLU FFN y_t = W_2 silu(W_1 x_t) equals a sum of d_ff two-slot attention heads of internal "
              "dimension 1, head i with query (W_1 x_t)_i and output column i of W_2.",
    statement_tex=r"A SiLU FFN $y_t = W_2 \operatorname{silu}(W_1 x_t)$ equals a sum of $d_{\mathrm{ff}}$ two-slot attention "
                  r"heads of internal dimension $1$, head $i$ with query $(W_1 x_t)_i$ and output column $i$ of "
                  r"$W_2$.",
    expect="proved", cites=SOURCES)


# A reviewer's rescaling: an output scale gamma of a ReLU FFN folded into its first layer. ReLU is positively
# homogeneous, relu(gamma a) = gamma relu(a), for gamma >= 0 only (rule `relu-scale`, which reads gamma's interval).
gamma = scalar("gamma", interval=(0, 1))
any_gamma = scalar("gamma")


def _relu_ffn(scale, inside):
    """y_t = scale · W₂ relu(W₁ x_t), or W₂ relu(scale · W₁ x_t) with `inside`."""
    i, m = index("i"), index("m")
    pre = lambda t: make_sum(W1[i, m] * X[t, m], m, 1, d)                                  # noqa: E731
    unit = (lambda t: Relu(scale * pre(t))) if inside else (lambda t: scale * Relu(pre(t)))  # noqa: E731
    where = "W2 relu(gamma W1 x_t)" if inside else "gamma W2 relu(W1 x_t)"
    return from_index(T, d_out, lambda t, c: make_sum(W2[c, i] * unit(t), i, 1, d_ff), label=where)


relu_ffn_scale_folds_in = Claim(
    "relu_ffn_scale_folds_in",
    lhs=_relu_ffn(gamma, inside=False), rhs=_relu_ffn(gamma, inside=True),
    statement="An output scale 0 < gamma < 1 of a ReLU FFN folds into its first layer: "
              "gamma W_2 relu(W_1 x_t) = W_2 relu(gamma W_1 x_t).",
    statement_tex=r"An output scale $0 < \gamma < 1$ of a ReLU FFN folds into its first layer: $\gamma W_2 "
                  r"\operatorname{relu}(W_1 x_t) = W_2 \operatorname{relu}(\gamma W_1 x_t)$.",
    expect="proved")

relu_ffn_scale_of_any_sign = Claim(
    "relu_ffn_scale_of_any_sign",
    lhs=_relu_ffn(any_gamma, inside=False), rhs=_relu_ffn(any_gamma, inside=True),
    statement="The same for a scale gamma of any sign (false: relu(gamma a) = 0 for gamma < 0 < a).",
    statement_tex=r"The same for a scale $\gamma$ of any sign (false: $\operatorname{relu}(\gamma a) = 0$ "
                  r"for $\gamma < 0 < a$).",
    expect="refuted")
