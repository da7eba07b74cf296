"""Capture-avoiding substitution and canonical bound names."""

from __future__ import annotations

import sympy as sp
from hypothesis import given, settings, strategies as st

from helpers import index_expression
from symcheck.binders import _LEVELS, alpha_key, canonical_names, subst
from symcheck.index import index, make_sum, size
from symcheck.nodes.spec import spec_of
from symcheck.rebuild import rebuild

T, d = size("T"), size("d")
t, j, k, a = (index(x) for x in "tjka")
q, kk = sp.IndexedBase("Q"), sp.IndexedBase("K")


def test_substitution_does_not_capture():
    e = make_sum(q[t, j], j, 1, t)
    out = subst(e, {t: j})
    (inner,) = [s for s in out.atoms(sp.Indexed)]
    bound = out.var
    assert bound != j and inner.indices == (j, bound) and out.hi == j


def test_alpha_equivalent_sums_get_identical_names():
    e1 = make_sum(sp.exp(make_sum(q[t, a] * kk[j, a], a, 1, d)), j, 1, t)
    e2 = make_sum(sp.exp(make_sum(q[t, k] * kk[a, k], k, 1, d)), a, 1, t)
    assert canonical_names(e1, {"t"}) == canonical_names(e2, {"t"})


def test_dependent_ranges_keep_their_order():
    e = make_sum(make_sum(q[j, k], k, 1, j), j, 1, t)
    out = canonical_names(e, {"t"})
    assert out.hi == t and out.body.hi == out.var


def test_alpha_key_is_equal_exactly_for_renamed_bound_indices():
    inner = lambda v: make_sum(q[t, v] * kk[v, a], v, 1, d)      # noqa: E731
    assert alpha_key(make_sum(inner(k), j, 1, t)) == alpha_key(make_sum(inner(j), k, 1, t))
    assert alpha_key(inner(k)) != alpha_key(make_sum(q[t, k] * kk[k, k], k, 1, d))     # a free index is not bound
    assert alpha_key(make_sum(q[j, a], j, 1, t)) != alpha_key(make_sum(q[j, a], k, 1, t))


def test_a_long_chain_of_sums_with_one_key_is_tried_in_at_most_24_orders():
    """Forty matrix products nest over eighty sums whose links all look alike: 80! orders. They are made one at a
    time and only the first 24 tried (listing them all first ran out of memory), in the order they were listed."""
    from symcheck.binders import _orders
    orders = _orders([0] * 30)
    assert len(orders) == 24 and orders[0] == tuple(range(30)) and orders[1] == (*range(28), 29, 28)
    assert _orders([1, 0, 1]) == [(1, 0, 2), (1, 2, 0)]


def test_deeper_than_the_named_pool_of_indices():
    """Eighty nested sums (deeper than POOL and j1..j63): every level gets its own canonical name."""
    vs = [index(f"v{n}") for n in range(80)]
    e = q[vs[0], vs[-1]]
    for n, v in enumerate(reversed(vs)):
        e = make_sum(e, v, 1, T if n % 2 else t)
    out = canonical_names(e, {"t", "T"})
    names = set()
    while hasattr(out, "var"):
        names.add(out.var.name)
        out = out.body
    assert len(names) == 80 and "j68" in names and not names & {"t", "T"}     # 12 of POOL, then j1..j68


def test_an_inner_index_that_shadows_a_chain_index_orders_the_chain_as_one_that_does_not():
    """Σ_j Σ_k Q[j,k]·Σ_k K[k,k] and the same with the inner k named m are α-equivalent: one canonical form,
    although the shadowing k, read naively, would count as a mention of the chain's k (the inner sums use
    the chain's j only)."""
    m = index("m")
    for body in (lambda i, x, y: q[x, y] * make_sum(kk[i, i], i, 1, d),
                 lambda i, x, y: q[y, x] * make_sum(kk[i, x], i, 1, d),
                 lambda i, x, y: q[x, y] + make_sum(kk[i, x] * q[i, i], i, 1, d)):
        shadowing = make_sum(make_sum(body(k, j, k), k, 1, d), j, 1, d)
        apart = make_sum(make_sum(body(m, j, k), k, 1, d), j, 1, d)
        assert canonical_names(shadowing, {"t"}) == canonical_names(apart, {"t"})


def substituting_alpha_key(e: sp.Basic, depth: int = 0) -> sp.Basic:
    """The definition `alpha_key` implements in one pass: at each binder, substitute its level placeholder for
    its variable in the scope, then go on below it."""
    if not e.args:
        return e
    spec = spec_of(e)
    if spec.opaque:
        return e
    b = spec.binder
    if b is None:
        return rebuild(e, [substituting_alpha_key(a, depth) for a in e.args])
    variables = b.variables(e)
    names = _LEVELS[depth:depth + len(variables)]
    body = substituting_alpha_key(subst(b.scope(e), dict(zip(variables, names))), depth + len(variables))
    return b.rebuild(e, names, body, {k: substituting_alpha_key(e.args[k], depth) for k in b.outside(e)})


@settings(max_examples=80)
@given(st.data())
def test_alpha_key_is_its_substituting_definition(data):
    e = index_expression(data, 4, [t])
    assert alpha_key(e) == substituting_alpha_key(e)
    for sub in sp.preorder_traversal(e):
        assert alpha_key(sub) == substituting_alpha_key(sub)


def test_alpha_key_of_a_shadowing_binder_is_its_substituting_definition():
    shadowing = make_sum(q[j, a] * make_sum(kk[j, a] * make_sum(q[j, j], j, 1, t), j, 1, j), j, 1, t)
    assert alpha_key(shadowing) == substituting_alpha_key(shadowing)
    m = index("m")
    apart = make_sum(q[k, a] * make_sum(kk[m, a] * make_sum(q[j, j], j, 1, t), m, 1, k), k, 1, t)
    assert alpha_key(shadowing) == alpha_key(apart)
