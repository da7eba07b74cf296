"""Transformers are multi-state RNNs: the KV cache as a recurrent state, bounded by a policy.

Claims MSR-1, MSR-3 and MSR-4 of the claims catalogue (§2; Oren et al. 2024). A causal
attention layer is a multi-state RNN whose state after step t is the cache of the t key and
value rows written so far (S_t = S_{t-1} + e_t k_tᵀ, a T-row write-once state); the read is
attention with q_t over the state. A policy keeps some rows (keep_t[n] = 1): FIFO eviction
of row t − W at step t bounds the cache to W rows and gives sliding-window attention; with
the first s rows never evicted it gives StreamingLLM's sink-plus-band mask. The closed forms
of the cache and of the policy are proved by induction on t. TOVA evicts by the current
query's attention weights: a cache of W < T rows is not full attention.
"""

from symcheck import Claim, causal_attention, matrix, sizes
from symcheck.caches import multi_state_attention, tova_attention

T, d, d_v, W, s = sizes("T d d_v W s")
Q, K, V = matrix("Q", T, d), matrix("K", T, d), matrix("V", T, d_v)

SOURCES = ("Oren, Hassid, Yarden, Adi & Schwartz 2024, Transformers are Multi-State RNNs, arXiv:2401.06104",
           "claims catalogue MSR-1")
WINDOW = ("claims catalogue MSR-2 and MSR-3 (FIFO eviction = sliding-window attention)",
          "flash-linear-attention fla/ops/attn/naive.py naive_parallel_attn: keys in [t - W + 1, t]")
SINKS = ("Xiao et al. 2024, Efficient Streaming Language Models with Attention Sinks (StreamingLLM), arXiv:2309.17453",
         "claims catalogue MSR-4")

attention = causal_attention(Q, K, V)

attention_is_unbounded_multi_state_rnn = Claim(
    "attention_is_unbounded_multi_state_rnn",
    lhs=attention, rhs=multi_state_attention(Q, K, V),
    statement="Causal attention equals a multi-state RNN whose state after step t is the cache of the t rows "
              "written so far (K_t = K_{t-1} + e_t k_t^T, V_t likewise, one row per step), read by "
              "y_t = sum_{n<=t} softmax_n(q_t . K_t[n] / sqrt(d)) V_t[n].",
    statement_tex=r"Causal attention equals a multi-state RNN whose state after step $t$ is the cache of the $t$ "
                  r"rows written so far ($K_t = K_{t-1} + e_t k_t^{\top}$, $V_t$ likewise, one row per step), read "
                  r"by $y_t = \sum_{n \le t} \operatorname{softmax}_n\bigl(q_t \cdot K_t[n] / \sqrt{d}\bigr) "
                  r"V_t[n]$.",
    expect="proved", cites=SOURCES)

window_is_fifo_cache = Claim(
    "window_is_fifo_cache",
    lhs=causal_attention(Q, K, V, window=W), rhs=multi_state_attention(Q, K, V, window=W),
    statement="Sliding-window attention (keys j with t - W < j <= t) equals the bounded multi-state RNN whose "
              "FIFO policy evicts row t - W at step t (keep_t[n] = [n = t] + [n >= t - W + 1] keep_{t-1}[n], at most "
              "W rows kept), read by attention over the kept rows.",
    statement_tex=r"Sliding-window attention (keys $j$ with $t - W < j \le t$) equals the bounded multi-state RNN "
                  r"whose FIFO policy evicts row $t - W$ at step $t$ ($\mathrm{keep}_t[n] = [n = t] + [n \ge t - W + "
                  r"1]\, \mathrm{keep}_{t-1}[n]$, at most $W$ rows kept), read by attention over the kept rows.",
    expect="proved", cites=SOURCES + WINDOW)

full_cache_is_attention = Claim(
    "full_cache_is_attention",
    lhs=attention, rhs=multi_state_attention(Q, K, V, window=W), where=((T, W),),
    statement="A FIFO cache of W >= T rows never evicts: it equals full causal attention.",
    statement_tex=r"A FIFO cache of $W \ge T$ rows never evicts: it equals full causal attention.",
    expect="proved", cites=SOURCES + WINDOW)

sinks_are_sink_band_mask = Claim(
    "sinks_are_sink_band_mask",
    lhs=multi_state_attention(Q, K, V, window=W, sinks=s), rhs=causal_attention(Q, K, V, window=W, sinks=s),
    statement="A FIFO cache of W rows that never evicts the first s rows (StreamingLLM's attention sinks) equals "
              "attention with the sink-plus-band mask [j <= t][j <= s or t - W < j].",
    statement_tex=r"A FIFO cache of $W$ rows that never evicts the first $s$ rows (StreamingLLM's attention sinks) "
                  r"equals attention with the sink-plus-band mask $[j \le t]\,[j \le s \lor t - W < j]$.",
    expect="proved", cites=SINKS)

window_off_by_one = Claim(
    "window_off_by_one",
    lhs=causal_attention(Q, K, V, window=W + 1), rhs=multi_state_attention(Q, K, V, window=W),
    statement="FALSE: a FIFO cache of W rows equals sliding-window attention over W + 1 keys (the TOVA-order "
              "off-by-one: attending before eviction sees W + 1 rows).",
    expect="refuted", cites=WINDOW + ("ml-explore/mlx-lm PR #390 (a window of 128 attending to 129 elements)",))

tova_is_not_full_attention = Claim(
    "tova_is_not_full_attention",
    lhs=attention, rhs=tova_attention(Q, K, V, cache=W), where=((W + 1, T),),
    statement="FALSE: a TOVA cache of W < T rows (append, attend, then evict the row with the lowest weight of "
              "the current query) equals full causal attention.",
    expect="refuted", cites=SOURCES + ("claims catalogue MSR-6, TOVA step order (schwartz-lab-NLP/TOVA)",))
