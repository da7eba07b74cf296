"""rebuild(node, args) is node.func(*args), tree for tree; the fast path is taken where the arguments stay canonical."""

import random

import pytest
import sympy as sp

from symcheck.nodes.arithmetic import power
from symcheck.nodes.guards import Iverson
from symcheck.nodes.sums import Sigma
from symcheck.rebuild import _assoc, rebuild

x, y, z, i, j, n = sp.symbols("x y z i j n")
X = sp.IndexedBase("X")
S = Sigma(X[i, j], j, 1, n)


def _tree(e):
    """e as nested tuples, arguments in their stored order (srepr prints a sum's terms sorted)."""
    return (type(e).__name__, *map(_tree, e.args)) if e.args else e


def _same(node, args):
    fast, slow = rebuild(node, args), node.func(*args)
    assert sp.srepr(fast) == sp.srepr(slow) and _tree(fast) == _tree(slow)
    return fast


@pytest.mark.parametrize("node, k, new, fast", [
    (x * y, 1, z, True),                                 # a new factor sorted into place
    (2 * x * y, 2, S, True),                             # the coefficient stays first
    (x * sp.exp(y), 0, S, True),                         # a power beside a plain factor
    (x * sp.exp(y), 1, sp.exp(z), True),                 # a new power with a new base
    (x * y, 1, x, False),                                # x·x: one base, sympy makes x²
    (x * y, 1, x**2, False),                             # x·x²: one base
    (x * sp.exp(y), 0, sp.exp(z), False),                # exp(y)·exp(z): sympy merges them
    (x * y, 1, 3, False),                                # a number out of place
    (x * y, 1, y * z, False),                            # a nested product is flattened
    (2 * x, 1, y + z, False),                            # 2·(y + z): sympy distributes
    (x * y, 1, sp.sqrt(2), False),                       # a number base: sympy gathers numeric powers
    (x * y, 1, sp.I, False),                             # I² = -1
    (x * y, 1, Iverson(sp.Le(i, j)), True),
    (x * y, 1, power(y + z, sp.Rational(-1, 2)), True),  # symcheck's opaque power is a plain factor
    (x + y, 1, z, True),                                 # a new term sorted into place
    (1 + x + y, 2, S, True),                             # the constant term stays first
    (x + y, 1, 3 * z, True),                             # a term with its coefficient
    (x + y, 1, 2 * x, False),                            # x + 2x: one term, sympy makes 3x
    (x + y, 1, y + z, False),                            # a nested sum is flattened
    (x + y, 1, 5, False),                                # a number out of place
    (x + y, 1, sp.S.Zero, False),
    (x * y, 1, sp.S.Zero, False),
])
def test_rebuild_is_the_constructor(node, k, new, fast):
    args = list(node.args)
    args[k] = new
    _same(node, args)
    assert (_assoc(type(node), tuple(args)) is not None) is fast


def test_other_nodes_use_their_constructor():
    node = Sigma(x, j, 1, n)
    assert rebuild(node, [y, j, 1, n]) == Sigma(y, j, 1, n)
    assert rebuild(sp.exp(x), [y]) == sp.exp(y)


def _random_expr(rng: random.Random, depth: int) -> sp.Expr:
    leaves = [x, y, z, X[i, j], X[j, i], S, sp.Integer(2), sp.Rational(1, 3), sp.S.NegativeOne]
    if depth == 0 or rng.random() < 0.3:
        return rng.choice(leaves)
    kind = rng.choice(["add", "mul", "exp", "pow", "power"])
    if kind == "exp":
        return sp.exp(_random_expr(rng, depth - 1))
    if kind == "pow":
        return _random_expr(rng, depth - 1) ** rng.choice([2, 3, -1])
    if kind == "power":
        return power(_random_expr(rng, depth - 1), sp.Rational(-1, 2))
    parts = [_random_expr(rng, depth - 1) for _ in range(rng.randint(2, 4))]
    return sp.Add(*parts) if kind == "add" else sp.Mul(*parts)


def test_random_replacements_match_the_constructor():
    """Seeded random sums and products, one argument replaced by a random expression: the same tree."""
    rng = random.Random(16)
    tried = fast = 0
    while tried < 400:
        node = _random_expr(rng, 3)
        if not isinstance(node, (sp.Add, sp.Mul)):
            continue
        args = list(node.args)
        args[rng.randrange(len(args))] = _random_expr(rng, 2)
        _same(node, args)
        tried += 1
        fast += _assoc(type(node), tuple(args)) is not None
    assert fast > 100          # the fast path is exercised, not only the fallback


def test_successive_versions_match_the_constructor():
    """Successive versions of a wide sum or product, one argument replaced at a time (the normalizer's pattern):
    the same tree as the constructor's, arguments in the same order, every time."""
    rng = random.Random(18)
    for kind in (sp.Add, sp.Mul):
        node = kind(*(_random_expr(rng, 2) for _ in range(12)))
        for _ in range(150):
            if not isinstance(node, kind):
                node = kind(*(_random_expr(rng, 2) for _ in range(12)))
                continue
            args = list(node.args)
            args[rng.randrange(len(args))] = _random_expr(rng, 2)
            node = _same(node, args)


def test_a_node_built_unevaluated_out_of_order_is_rebuilt_in_order():
    """Arguments left out of sympy's order (built under evaluate(False)) are sorted, not trusted."""
    for kind in (sp.Add, sp.Mul):
        with sp.evaluate(False):
            node = kind(z, X[i, j], y, x)
        assert node.args == (z, X[i, j], y, x)
        _same(node, [*node.args[:3], S])


@pytest.mark.parametrize("arg, fast", [
    (x * y, True),                                       # a product of plain factors: exp(x·y) as it is
    (-x * S / 3, True),                                  # with a rational coefficient and a sum
    (x * sp.exp(y) * power(y + z, sp.Rational(-1, 2)), True),
    (x * sp.log(y), False),                              # exp(x·log y) = y^x: evaluated
    (sp.pi * sp.I * x, False),                           # a multiple of iπ: evaluated
    (sp.Rational(1, 2) * sp.pi * sp.I, False),           # exp(iπ/2) = i
    (x * sp.Float(2.5), False),                          # a float: not looked into, the constructor decides
    (sp.oo * x, False),
    (x + y, False),                                      # a sum: exp splits off terms like log(2)
    (S, False),                                          # not a product: the constructor asks whether it is 0
])
def test_an_exponential_of_a_plain_product_is_not_evaluated_again(arg, fast):
    """exp(arg) rebuilt is exp(arg) by its constructor, tree for tree; the unevaluated node is built only for a
    product whose factors hold nothing exp.eval acts on (logarithms, iπ, infinities, floats)."""
    from symcheck.rebuild import _exp_stays
    _same(sp.exp(x), [arg])
    assert _exp_stays(arg) is fast


def test_random_exponentials_match_the_constructor():
    rng = random.Random(17)
    for _ in range(300):
        arg = sp.Mul(*(_random_expr(rng, 2) for _ in range(rng.randint(2, 3))))
        _same(sp.exp(x), [arg * rng.choice([1, sp.log(y), sp.pi * sp.I, sp.Rational(1, 2)])])
