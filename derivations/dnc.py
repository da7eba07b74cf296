"""The full DNC reduces to the sDNC, link by link: erase-and-write, usage, allocation, the temporal links.

The seed paper's theorem is a reduction (Tang & Xie 2026): a DNC (Graves et al. 2016) with the gates
fixed (g^w = g^a = 1, free gates 0), allocation's ε = 0 and N >= T writes its t-th word into the fresh
slot t, whatever its erase vectors, so its content read over the written slots is causal attention.
Each link is a claim below, from google-deepmind/dnc's operations (`symcheck.dnc`), and the whole
chain is proved at the end. Allocation is modelled in slot order, exact for binary usage under a
stable sort (see `symcheck.dnc`); the read over the written slots is the sDNC's idealisation (a DNC
reads all N slots, where empty ones act as an attention sink: refuted below). The claims catalogue's
DNC-1 ... DNC-5 are the starting point; where they are imprecise, the statements say so.
"""

from sympy import Eq, Rational

from symcheck import Claim, Iverson, causal_attention, from_index, make_sum, matrix, sdnc_read, sizes
from symcheck.dnc import (WriteHead, allocation, allocation_weights, backward_weights, content_read, content_weighting,
                          erase_write, forward_weights, link, memory, precedence, usage, usage_after_write,
                          write_weighting)
from symcheck.index import Entry, index
from symcheck.recurrent import state

TITLE = "The full DNC reduced to the sDNC"
ORDER = 0.5

T, N, W, J = sizes("T N W J")
DNC = ("Graves et al. 2016, Hybrid computing using a neural network with dynamic external memory, Nature 538",
       "google-deepmind/dnc dnc/access.py, dnc/addressing.py")
SDNC = ("Tang & Xie 2026, arXiv:2603.19272 (the reduction to a stateless DNC)",)

# -- DNC-1: one erase-and-write step -----------------------------------------------------------------------
MP = matrix("Mp", N, W)                                       # the memory before the step, M_{t-1}
w1, w2 = matrix("w1", N, 1), matrix("w2", N, 1)               # two write heads' weightings
e1, e2 = matrix("e1", W, 1), matrix("e2", W, 1)               # their erase vectors
a1, a2 = matrix("a1", W, 1), matrix("a2", W, 1)               # their write vectors
OLD = lambda x, y: MP[x, y]                                   # noqa: E731
HEAD1 = WriteHead(lambda prev, t, i: w1[i, 1], lambda t, b: e1[b, 1], lambda t, b: a1[b, 1])
HEAD2 = WriteHead(lambda prev, t, i: w2[i, 1], lambda t, b: e2[b, 1], lambda t, b: a2[b, 1])


def _step(heads, label, **options):
    """M_t (N × W) after one step from M_{t-1} = Mp."""
    return from_index(N, W, lambda i, b: erase_write(OLD, heads, 1, i, b, **options), label=label)


erase_write_matrix_form_is_row_form = Claim(
    "erase_write_matrix_form_is_row_form",
    lhs=from_index(N, W, lambda i, b: MP[i, b] * (1 - Entry(w1 @ e1.T, i, b)) + Entry(w1 @ a1.T, i, b),
                   label="M o (E - w e^T) + w a^T"),
    rhs=_step((HEAD1,), "row form M[i,:] o (1 - w_i e) + w_i a"),
    statement="The DNC's erase-and-write in matrix form, M_{t-1} o (E - w e^T) + w a^T (E all ones), equals its row "
              "form: row i is M_{t-1}[i,:] o (1 - w_i e^T) + w_i a^T.",
    statement_tex=r"The DNC's erase-and-write in matrix form, $M_{t-1} \circ (E - w e^{\top}) + w a^{\top}$ "
                  r"with $E$ all ones, equals its row form: row $i$ is $M_{t-1}[i,:] \circ (1 - w_i "
                  r"e^{\top}) + w_i a^{\top}$.",
    expect="proved", cites=DNC + ("claims catalogue DNC-1",))

summed_erases_are_multiplied_erases = Claim(
    "summed_erases_are_multiplied_erases",
    lhs=_step((HEAD1, HEAD2), "two heads, erases summed", combine="sum"),
    rhs=_step((HEAD1, HEAD2), "two heads, erases multiplied (the code)"),
    statement="FALSE: two write heads' erases combined as 1 - sum_h w^h_i e^h equal the code's product "
              "prod_h (1 - w^h_i e^h) (two heads erasing the same slot fully give -1 instead of 0).",
    statement_tex=r"Two write heads' erases combined as $1 - \sum_h w^h_i e^h$ equal the code's product "
                  r"$\prod_h (1 - w^h_i e^h)$ (false: two heads erasing the same slot fully give $-1$, not "
                  r"$0$).",
    expect="refuted", cites=DNC + ("claims catalogue DNC-1 F1",))

add_then_erase = Claim(
    "add_then_erase",
    lhs=_step((HEAD1,), "add, then erase", order="add_first"),
    rhs=_step((HEAD1,), "erase, then add (the code)"),
    statement="FALSE: adding the write vector before erasing, (M + w a^T) o (E - w e^T), equals erasing first "
              "(the erase then removes part of the new word).",
    statement_tex=r"Adding the write vector before erasing, $(M + w a^{\top}) \circ (E - w e^{\top})$, "
                  r"equals erasing first (false: the erase then removes part of the new word).",
    expect="refuted", cites=DNC + ("claims catalogue DNC-1 F2",))

# -- DNC-2: the usage update ---------------------------------------------------------------------------------
U = matrix("u_prev", N, 1)          # u_{t-1}: the usage before this step
USAGE = ("google-deepmind/dnc dnc/addressing.py _usage_after_write", "claims catalogue DNC-2")


def _usage(entry, label):
    return from_index(N, 1, lambda i, _: entry(U[i, 1], w1[i, 1], w2[i, 1]), label=label)


usage_update_is_complement_product = Claim(
    "usage_update_is_complement_product",
    lhs=_usage(lambda u, w, _: usage_after_write(u, (w,)), "u + w - u o w"),
    rhs=_usage(lambda u, w, _: 1 - (1 - u) * (1 - w), "1 - (1 - u) o (1 - w)"),
    statement="The usage after a write, u + w - u o w, equals 1 - (1 - u) o (1 - w): a slot is free after the step "
              "only if it was free and not written.",
    statement_tex=r"The usage after a write, $u + w - u \circ w$, equals $1 - (1 - u) \circ (1 - w)$: a slot "
                  r"is free after the step only if it was free and not written.",
    expect="proved", cites=DNC + USAGE)

usage_update_is_code_form = Claim(
    "usage_update_is_code_form",
    lhs=_usage(lambda u, w, _: usage_after_write(u, (w,)), "u + w - u o w"),
    rhs=_usage(lambda u, w, _: u + (1 - u) * w, "u + (1 - u) o w (the code)"),
    statement="The usage after a write, u + w - u o w, equals the code's form u + (1 - u) o w.",
    statement_tex=r"The usage after a write, $u + w - u \circ w$, equals the code's form $u + (1 - u) \circ "
                  r"w$.",
    expect="proved", cites=DNC + USAGE)

heads_update_usage_one_after_another = Claim(
    "heads_update_usage_one_after_another",
    lhs=_usage(lambda u, x, y: usage_after_write(usage_after_write(u, (x,)), (y,)), "head 1's update, then head 2's"),
    rhs=_usage(lambda u, x, y: usage_after_write(u, (x, y)), "one update by w = 1 - (1 - w^1) o (1 - w^2)"),
    statement="Two write heads' usage updates applied one after the other equal one update by the aggregate write "
              "1 - prod_h (1 - w^h), the code's `write_weights` aggregation.",
    statement_tex=r"Two write heads' usage updates applied one after the other equal one update by the "
                  r"aggregate write $1 - \prod_h (1 - w^h)$, the code's aggregation of the write weights.",
    expect="proved", cites=DNC + USAGE)

usage_aggregates_heads_by_sum = Claim(
    "usage_aggregates_heads_by_sum",
    lhs=_usage(lambda u, x, y: u + (x + y) - u * (x + y), "update by the sum w^1 + w^2"),
    rhs=_usage(lambda u, x, y: usage_after_write(u, (x, y)), "update by 1 - (1 - w^1) o (1 - w^2)"),
    statement="FALSE: aggregating two heads' writes by w^1 + w^2 in the usage update equals 1 - prod_h (1 - w^h) "
              "(w^1 = w^2 = 1 on a free slot gives usage 2, not 1).",
    statement_tex=r"Aggregating two heads' writes by $w^1 + w^2$ in the usage update equals aggregating by "
                  r"$1 - \prod_h (1 - w^h)$ (false: $w^1 = w^2 = 1$ on a free slot gives usage $2$, not "
                  r"$1$).",
    expect="refuted", cites=DNC + USAGE + ("claims catalogue DNC-2 F",))

# -- DNC-3: allocation from binary usage -----------------------------------------------------------------------
ONE_HOT = lambda t, i: Iverson(Eq(i, t))                      # noqa: E731  slot t: w_t = e_t
PREFIX_USED = lambda t: (lambda k: Iverson(k <= t - 1))       # noqa: E731  slots 1..t-1 used, the rest free
ALLOCATION = ("google-deepmind/dnc dnc/addressing.py _allocation", "claims catalogue DNC-3")

allocation_is_first_free_slot = Claim(
    "allocation_is_first_free_slot",
    lhs=from_index(T, N, lambda t, i: allocation(PREFIX_USED(t), i), label="allocation a[i], slots 1..t-1 used"),
    rhs=from_index(T, N, ONE_HOT, label="e_t, the first free slot"),
    statement="With binary usage, slots 1..t-1 used and the rest free, and eps = 0, the allocation "
              "a[i] = (1 - u_i) prod_{k<i} u_k is one-hot at the first free slot t.",
    statement_tex=r"With binary usage, slots $1, \ldots, t-1$ used and the rest free, and $\epsilon = 0$, "
                  r"the allocation $a[i] = (1 - u_i) \prod_{k<i} u_k$ is one-hot at the first free slot $t$.",
    expect="proved", where=((T, N),), cites=DNC + ALLOCATION)

allocation_with_epsilon_is_one_hot = Claim(
    "allocation_with_epsilon_is_one_hot",
    lhs=from_index(T, N, lambda t, i: allocation(PREFIX_USED(t), i, eps=Rational(1, 2)),
                   label="allocation with eps = 1/2"),
    rhs=from_index(T, N, ONE_HOT, label="e_t, the first free slot"),
    statement="FALSE: with eps > 0 (here 1/2, for a visible gap; the code's 1e-6 fails the same way) the allocation "
              "from binary usage is still one-hot: the first free slot gets 1 - eps, the next (1 - eps) eps.",
    statement_tex=r"With $\epsilon > 0$ (here $\epsilon = 1/2$, for a visible gap; the code's $10^{-6}$ "
                  r"fails the same way) the allocation from binary usage is still one-hot (false: the first "
                  r"free slot gets $1 - \epsilon$, the next $(1 - \epsilon)\,\epsilon$).",
    expect="refuted", where=((T, N),), cites=DNC + ALLOCATION + ("claims catalogue DNC-3 F1",))

# -- DNC-4: a one-hot write to an empty row is a write-once write -------------------------------------------
EMPTY_ROW = lambda x, y: (1 - Iverson(Eq(x, J))) * MP[x, y]   # noqa: E731  row J of M_{t-1} is empty
TO_J = WriteHead(lambda prev, t, i: Iverson(Eq(i, J)), lambda t, b: e1[b, 1], lambda t, b: a1[b, 1])

one_hot_write_to_empty_row_is_write_once = Claim(
    "one_hot_write_to_empty_row_is_write_once",
    lhs=from_index(N, W, lambda i, b: erase_write(EMPTY_ROW, (TO_J,), 1, i, b),
                   label="erase-and-write with w = e_J into an empty row J"),
    rhs=from_index(N, W, lambda i, b: EMPTY_ROW(i, b) + Iverson(Eq(i, J)) * a1[b, 1], label="M_{t-1} + e_J a^T"),
    statement="A one-hot write w = e_J into an empty row J, with any erase vector e, is the write-once write "
              "M_{t-1} + e_J a^T: the other rows keep their weight 0, and row J has nothing to erase.",
    statement_tex=r"A one-hot write $w = e_J$ into an empty row $J$, with any erase vector $e$, is the "
                  r"write-once write $M_{t-1} + e_J a^{\top}$: the other rows keep their weight $0$, and row "
                  r"$J$ has nothing to erase.",
    expect="proved", where=((J, N),), cites=DNC + ("claims catalogue DNC-4",))

# -- DNC-5: sequential one-hot writes make the link matrix a shift -------------------------------------------------
WR = matrix("Wr", T, N)                                       # the previous read weightings w^r_{t-1}, row t
LINKS = ("google-deepmind/dnc dnc/addressing.py _link, _precedence_weights, directional_read_weights",
         "claims catalogue DNC-5")
PRECEDENCE = precedence(ONE_HOT, slots=N, steps=T, closed_form=lambda t, i, _: Iverson(Eq(i, t)))
LINK = link(ONE_HOT, PRECEDENCE, slots=N, steps=T,
            closed_form=lambda t, i, j: Iverson(Eq(i, j + 1)) * Iverson(i <= t))     # Σ_{s=2}^{t} e_s e_{s-1}ᵀ
READ_BEFORE = lambda t, j: WR[t, j]                           # noqa: E731
SHIFTED_FORWARD = from_index(T, N, lambda t, i: Iverson(2 <= i) * Iverson(i <= t) * WR[t, i - 1],
                             label="w^r_{t-1} moved one slot forward (slots 2..t)")

forward_read_is_shift = Claim(
    "forward_read_is_shift",
    lhs=from_index(T, N, forward_weights(LINK, READ_BEFORE), label="f_t = L_t w^r_{t-1}"),
    rhs=SHIFTED_FORWARD,
    statement="After one-hot writes to slots 1..t in order (N >= T), the precedence is p_t = e_t and the link "
              "matrix is the shift L_t = sum_{s=2}^{t} e_s e_{s-1}^T (both by induction), so the forward read "
              "weights f_t = L_t w^r_{t-1} move the previous read weighting one slot forward.",
    statement_tex=r"After one-hot writes to slots $1, \ldots, t$ in order ($N \ge T$), the precedence is "
                  r"$p_t = e_t$ and the link matrix is the shift $L_t = \sum_{s=2}^{t} e_s e_{s-1}^{\top}$ "
                  r"(both by induction), so the forward read weights $f_t = L_t w^r_{t-1}$ move the previous "
                  r"read weighting one slot forward.",
    expect="proved", where=((T, N),), cites=DNC + LINKS)

backward_read_is_shift = Claim(
    "backward_read_is_shift",
    lhs=from_index(T, N, backward_weights(LINK, READ_BEFORE), label="b_t = L_t^T w^r_{t-1}"),
    rhs=from_index(T, N, lambda t, i: Iverson(i + 1 <= t) * WR[t, i + 1],
                   label="w^r_{t-1} moved one slot back (slots 1..t-1)"),
    statement="Under the same writes the backward read weights b_t = L_t^T w^r_{t-1} move the previous read "
              "weighting one slot back.",
    statement_tex=r"Under the same writes the backward read weights $b_t = L_t^{\top} w^r_{t-1}$ move the "
                  r"previous read weighting one slot back.",
    expect="proved", where=((T, N),), cites=DNC + LINKS)

forward_read_with_transposed_link = Claim(
    "forward_read_with_transposed_link",
    lhs=from_index(T, N, backward_weights(LINK, READ_BEFORE), label="L_t^T w^r_{t-1}"),
    rhs=SHIFTED_FORWARD,
    statement="FALSE: forward read weights computed with L_t^T in place of L_t move the read weighting forward "
              "(L^T moves it back).",
    statement_tex=r"Forward read weights computed with $L_t^{\top}$ in place of $L_t$ move the read "
                  r"weighting forward (false: $L_t^{\top}$ moves it back).",
    expect="refuted", where=((T, N),), cites=DNC + LINKS + ("claims catalogue DNC-5 F1",))

j = index("j")
link_rows_sum_to_one = Claim(
    "link_rows_sum_to_one",
    lhs=from_index(T, N, lambda t, i: make_sum(state(LINK, t, i, j), j, 1, N), label="sum_j L_t[i, j]"),
    rhs=from_index(T, N, lambda t, i: 1, label="1"),
    statement="FALSE: the link matrix is (doubly) stochastic, every row of L_t summing to 1 (after sequential "
              "writes row 1 is zero, and so is every row at t = 1).",
    statement_tex=r"The link matrix is (doubly) stochastic: every row of $L_t$ sums to $1$ (false: after "
                  r"sequential writes row $1$ is zero, and so is every row at $t = 1$).",
    expect="refuted", where=((T, N),), cites=DNC + LINKS + ("claims catalogue DNC-5 F2",))

# -- the whole chain -------------------------------------------------------------------------------------------
KR, E, A = matrix("Kr", T, W), matrix("E", T, W), matrix("A", T, W)    # read keys, erase and write vectors
KW = matrix("Kw", T, W)                                                # write keys (content-based writing)
USED = usage(slots=N, steps=T, closed_form=lambda t, i, _: Iverson(i <= t - 1))    # u_t: slots 1..t-1 used


def dnc_memory(weight, closed_form=None):
    """M_t written by one head with weighting `weight`, erase vectors E and write vectors A."""
    return memory((WriteHead(weight, lambda t, b: E[t, b], lambda t, b: A[t, b]),), slots=N, width=W, steps=T,
                  closed_form=closed_form)


IDEAL = write_weighting(allocation_weights(USED), content_weighting(KW, slots=N, width=W), write_gate=1,
                        allocation_gate=1)
FULL_DNC = dnc_memory(IDEAL, closed_form=lambda t, i, b: Iverson(i <= t) * A[i, b])
ATTENTION = causal_attention(KR, A, A, scale=1)

dnc_is_causal_attention = Claim(
    "dnc_is_causal_attention",
    lhs=content_read(FULL_DNC, KR, label="idealised DNC: content read of M_t over the written slots"),
    rhs=ATTENTION,
    statement="The DNC with g^w = g^a = 1, free gates 0, eps = 0 and N >= T, whose usage starts at 0 and whose "
              "write weighting is its allocation from usage, writes word t to slot t whatever its erase vectors "
              "(usage u_t = [i <= t - 1] and M_t = sum_{s<=t} e_s a_s^T, both by induction); its content read over "
              "the written slots is causal softmax attention with the written words as keys and values.",
    statement_tex=r"The DNC with $g^w = g^a = 1$, free gates $0$, $\epsilon = 0$ and $N \ge T$, whose usage "
                  r"starts at $0$ and whose write weighting is its allocation from usage, writes word $t$ to "
                  r"slot $t$ whatever its erase vectors (usage $u_t = [i \le t - 1]$ and $M_t = \sum_{s \le "
                  r"t} e_s a_s^{\top}$, both by induction); its content read over the written slots is "
                  r"causal softmax attention with the written words as keys and values.",
    expect="proved", where=((T, N),), cites=DNC + SDNC + ("claims catalogue DNC-1 ... DNC-4, SDNC-1",))

content_writing_is_write_once = Claim(
    "content_writing_is_write_once",
    lhs=content_read(dnc_memory(write_weighting(allocation_weights(USED), content_weighting(KW, slots=N, width=W),
                                                allocation_gate=0)),
                     KR, label="DNC writing by content (g^a = 0), read over the written slots"),
    rhs=ATTENTION,
    statement="FALSE: a DNC that writes by content (g^a = 0) is write-once, its content read causal attention "
              "(the content weighting is a softmax over all slots: every row gets a share of every word).",
    statement_tex=r"A DNC that writes by content ($g^a = 0$) is write-once, its content read causal "
                  r"attention (false: the content weighting is a softmax over all slots, and every row gets "
                  r"a share of every word).",
    expect="refuted", where=((T, N),), cites=DNC + ("claims catalogue DNC-4 F1",))

dnc_read_over_all_slots = Claim(
    "dnc_read_over_all_slots",
    lhs=content_read(FULL_DNC, KR, slots=lambda t: N, label="idealised DNC: content read of all N slots"),
    rhs=ATTENTION,
    statement="FALSE: the idealised DNC's content read over all N slots, as the DNC reads, is causal attention "
              "(the N - t empty slots score 0 and act as an attention sink).",
    statement_tex=r"The idealised DNC's content read over all $N$ slots, as the DNC reads, is causal "
                  r"attention (false: the $N - t$ empty slots score $0$ and act as an attention sink).",
    expect="refuted", where=((T, N),), cites=DNC + ("claims catalogue DNC-7",))

dnc_reduces_to_sdnc_to_attention = Claim(
    "dnc_reduces_to_sdnc_to_attention",
    lhs=content_read(FULL_DNC, KR, label="idealised DNC: content read of M_t over the written slots"),
    via=(sdnc_read(KR, A, A, slots=N, similarity="dot", strength=1),),
    rhs=ATTENTION,
    statement="The reduction as a chain: the idealised DNC (as in dnc_is_causal_attention) equals the stateless DNC "
              "that writes a_t to the fresh slot t of its key and value memories (Lemma 1), which equals causal "
              "attention (Lemma 2).",
    statement_tex=r"The reduction as a chain: the idealised DNC (as above) equals the stateless DNC that writes "
                  r"$a_t$ to the fresh slot $t$ of its key and value memories (Lemma 1), which equals causal "
                  r"attention (Lemma 2).",
    expect="proved", where=((T, N),), cites=DNC + SDNC + ("claims catalogue DNC-4, SDNC-1",))
