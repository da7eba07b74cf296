"""The independent checker: replay a certificate without trusting the prover.

It imports nothing from the normalizer, the rules, the evaluator or the
canonicalizer; it shares only the node classes (the vocabulary). For every
step it checks, exactly:

1. the chain: the step starts where the previous one ended;
2. locality: `after` is `before` with the redex at `path` replaced by the
   contractum, and the redex really sits at `path`;
3. the rule's shape: the named rule can produce this contractum from this
   redex (so a swapped rule name is caught), exactly where a rule is simple
   enough to recompute;

and numerically, by its own scalar mpmath interpreter (a second, independent
semantics), that `before` and `after` agree at several concrete sizes,
including size 1 and unequal sizes, with random inputs. Both derivations must
end in the certified normal form, and every step that relies on induction
obligations must find them certified and holding.
"""

from __future__ import annotations

import ast
import itertools
import json
import random
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import mpmath
import sympy as sp
from sympy.core.symbol import Str

from .index import Element, Entry, Iverson, Relu, Sigma
from .matrix import MaskedSoftmax, MatInput, MatProd, MatScale, MatT, TensorInput
from .memory import ContentWeight, Memory, MemoryCell, Rows, WriteWeight

__all__ = ["Rejected", "Verdict", "replay", "replay_file", "parse", "scalar_value"]

DIGITS = 30


class Rejected(Exception):
    """The certificate is invalid; the message says where and why."""


@dataclass(frozen=True)
class Verdict:
    name: str
    steps: int
    instantiations: int


# -- safe parsing of srepr ----------------------------------------------------------------------------
_CONSTRUCTORS = {c.__name__: c for c in (
    sp.Symbol, sp.Integer, sp.Rational, sp.Float, sp.Add, sp.Mul, sp.Pow, sp.exp, sp.log, sp.Indexed,
    sp.IndexedBase, sp.LessThan, sp.Equality, sp.Tuple, Str, Sigma, Iverson, Entry, MatInput, MatProd, MatT,
    MatScale, MaskedSoftmax, Memory, MemoryCell, WriteWeight, ContentWeight, Element, TensorInput, sp.Mod,
    sp.floor, Relu, sp.Lambda, Rows)}
_CONSTANTS = {"E": sp.E, "pi": sp.pi, "oo": sp.oo, "zoo": sp.zoo, "nan": sp.nan}


@lru_cache(maxsize=8192)
def parse(text: str) -> sp.Basic:
    """srepr text back to a tree: only whitelisted constructors and literals, never `eval`."""
    try:
        return _build(ast.parse(text, mode="eval").body)
    except (SyntaxError, ValueError, TypeError, RecursionError) as err:
        raise Rejected(f"malformed expression: {err}") from None


def _build(node):
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, str, bool)):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant):
        return -node.operand.value
    if isinstance(node, ast.Name) and node.id in _CONSTANTS:
        return _CONSTANTS[node.id]
    if isinstance(node, ast.Tuple):
        return tuple(_build(e) for e in node.elts)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _CONSTRUCTORS:
        args = [_build(a) for a in node.args]
        kwargs = {k.arg: _build(k.value) for k in node.keywords}
        if any(not isinstance(v, (bool, int, str)) for v in kwargs.values()):
            raise ValueError("keyword values must be literals")
        return _CONSTRUCTORS[node.func.id](*args, **kwargs)
    raise ValueError(f"not allowed in a certificate: {ast.dump(node)[:80]}")


# -- an independent scalar semantics (mpmath; None = undefined) -----------------------------------------
class _World:
    """Sizes, inputs and caches for one numeric instantiation."""

    def __init__(self, sizes: dict[str, int], inputs: dict[str, list[list]]):
        self.sizes, self.inputs = sizes, inputs
        self.cache: dict = {}

    def integer(self, e, env) -> int:
        v = self.value(e, env)
        if v is None or v != int(v):
            raise Rejected(f"index expression {e} is not an integer here")
        return int(v)

    def value(self, e, env):
        if e.is_Number:
            return mpmath.mpf(sp.Rational(e).p) / sp.Rational(e).q if e.is_Rational else mpmath.mpf(float(e))
        if isinstance(e, sp.Symbol):
            if e.name in env:
                return mpmath.mpf(env[e.name])
            if e.name in self.sizes:
                return mpmath.mpf(self.sizes[e.name])
            raise Rejected(f"free symbol {e.name} has no value")
        handler = _HANDLERS.get(type(e))
        if handler is None:
            raise Rejected(f"the checker has no semantics for {type(e).__name__}")
        return handler(self, e, env)


def _add(w, e, env):
    vals = [w.value(a, env) for a in e.args]
    return None if any(v is None for v in vals) else mpmath.fsum(vals)


def _mul(w, e, env):
    vals = [w.value(a, env) for a in e.args]
    if any(v is not None and v == 0 for v in vals):
        return mpmath.mpf(0)                    # strongly zero
    if any(v is None for v in vals):
        return None
    return mpmath.fprod(vals)


def _pow(w, e, env):
    base, ex = w.value(e.args[0], env), w.value(e.args[1], env)
    if base is None or ex is None:
        return None
    if ex == int(ex) and ex >= 0:
        return base ** int(ex)
    if base == 0 or (base < 0 and ex != int(ex)):
        return None
    return base ** ex


def _exp(w, e, env):
    v = w.value(e.args[0], env)
    return None if v is None else mpmath.exp(v)


def _relu(w, e, env):
    v = w.value(e.args[0], env)
    return None if v is None else max(v, mpmath.mpf(0))


def _log(w, e, env):
    v = w.value(e.args[0], env)
    return None if v is None or v <= 0 else mpmath.log(v)


def _lookup(table, *idx):
    for k in idx:
        if not isinstance(table, list) or not 0 <= k < len(table):
            return None
        table = table[k]
    return table


def _indexed(w, e, env):
    name = str(e.base.label)
    if name not in w.inputs:
        raise Rejected(f"no input named {name}")
    return _lookup(w.inputs[name], *(w.integer(i, env) - 1 for i in e.indices))


def _iverson(w, e, env):
    cond = e.args[0]
    a, b = w.value(cond.lhs, env), w.value(cond.rhs, env)
    holds = a <= b if isinstance(cond, sp.LessThan) else a == b
    return mpmath.mpf(1 if holds else 0)


def _sigma(w, e, env):
    body, var, lo, hi = e.args
    total = mpmath.mpf(0)
    for k in range(w.integer(lo, env), w.integer(hi, env) + 1):
        v = w.value(body, {**env, var.name: k})
        if v is None:
            return None
        total += v
    return total


def _matrix(w, term):
    key = ("matrix", term)
    if key in w.cache:
        return w.cache[key]
    if isinstance(term, MatInput):
        out = w.inputs[term.name]
    elif isinstance(term, MatT):
        a = _matrix(w, term.args[0])
        out = [list(col) for col in zip(*a)] if a else []
    elif isinstance(term, MatProd):
        a, b = _matrix(w, term.args[0]), _matrix(w, term.args[1])
        out = [[_dot(row, col) for col in zip(*b)] for row in a]
    elif isinstance(term, MatScale):
        c = w.value(term.args[0], {})
        out = [[None if c is None or x is None else c * x for x in row] for row in _matrix(w, term.args[1])]
    elif isinstance(term, MaskedSoftmax):
        out = [_softmax_row(i, row, term.mask) for i, row in enumerate(_matrix(w, term.args[0]), start=1)]
    else:
        raise Rejected(f"the checker has no semantics for matrix term {type(term).__name__}")
    w.cache[key] = out
    return out


def _dot(u, v):
    terms = list(zip(u, v))
    if any(a is None or b is None for a, b in terms):
        return None
    return mpmath.fsum(a * b for a, b in terms)


def _softmax_row(i, row, mask):
    keep = [mask == "none" or (j <= i if mask == "inclusive" else j < i) for j in range(1, len(row) + 1)]
    if any(k and x is None for k, x in zip(keep, row)):
        return [None] * len(row)
    ex = [mpmath.exp(x) if k else mpmath.mpf(0) for k, x in zip(keep, row)]
    z = mpmath.fsum(ex)
    return [ex_j / z if k else mpmath.mpf(0) for k, ex_j in zip(keep, ex)]


def _entry(w, e, env):
    return _lookup(_matrix(w, e.term), w.integer(e.args[1], env) - 1, w.integer(e.args[2], env) - 1)


def _history(w, mem):
    """The write-once memory after 0, 1, ..., T writes (slot s receives row s)."""
    key = ("memory", mem)
    if key not in w.cache:
        rows = w.inputs[mem.written.name]
        slots = w.integer(mem.slots, {})
        zero = _zero_like(rows[0]) if rows else []
        states = [[zero for _ in range(slots)]]
        for s, row in enumerate(rows, start=1):
            nxt = list(states[-1])
            if s > slots:
                nxt = None
            else:
                nxt[s - 1] = _plus(nxt[s - 1], row)
            states.append(nxt)
        w.cache[key] = states
    return w.cache[key]


def _zero_like(x):
    return [_zero_like(v) for v in x] if isinstance(x, list) else mpmath.mpf(0)


def _plus(a, b):
    return [_plus(x, y) for x, y in zip(a, b)] if isinstance(a, list) else a + b


def _memory_cell(w, e, env):
    states = _history(w, e.mem)
    tau = w.integer(e.time, env)
    if not 0 <= tau < len(states) or states[tau] is None:
        return None
    return _lookup(states[tau], *(w.integer(x, env) - 1 for x in (e.slot, *e.cols)))


def _element(w, e, env):
    if e.tensor.name not in w.inputs:
        raise Rejected(f"no input named {e.tensor.name}")
    return _lookup(w.inputs[e.tensor.name], *(w.integer(i, env) - 1 for i in e.indices))


def _write_weight(w, e, env):
    s, n = w.integer(e.step, env), w.integer(e.slot, env)
    return mpmath.mpf(1 if n == s else 0) if 1 <= s <= w.integer(e.mem.slots, {}) else None


def _content_weight(w, e, env):
    states = _history(w, e.mem)
    tau, hi, n = w.integer(e.time, env), w.integer(e.hi, env), w.integer(e.slot, env)
    q = _lookup(w.inputs[e.query.name], w.integer(e.row, env) - 1)
    if not 0 <= tau < len(states) or states[tau] is None or q is None or hi < 1 or hi > len(states[tau]):
        return None
    beta = w.value(e.strength, {})
    memory = states[tau]

    def sim(m):
        d = mpmath.fsum(a * b for a, b in zip(q, m))
        if e.similarity == "dot" or d == 0:
            return d
        return d / (mpmath.sqrt(mpmath.fsum(a * a for a in q)) * mpmath.sqrt(mpmath.fsum(b * b for b in m)))

    if not 1 <= n <= len(memory):
        return None
    z = mpmath.fsum(mpmath.exp(beta * sim(memory[m])) for m in range(hi))
    return mpmath.exp(beta * sim(memory[n - 1])) / z


def _mp(x):
    return [_mp(v) for v in x] if isinstance(x, list) else mpmath.mpf(x)


def scalar_value(expr, sizes: dict[str, int], inputs: dict[str, list[list]], env: dict[str, int]):
    """The checker's own value of `expr` (an mpmath number, or None where undefined)."""
    with mpmath.workdps(DIGITS):
        world = _World(sizes, {k: _mp(v) for k, v in inputs.items()})
        return world.value(expr, env)


_HANDLERS = {
    sp.Add: _add, sp.Mul: _mul, sp.Pow: _pow, sp.exp: _exp, sp.log: _log, Relu: _relu, sp.Indexed: _indexed,
    Iverson: _iverson, Sigma: _sigma, Entry: _entry, Element: _element, MemoryCell: _memory_cell,
    WriteWeight: _write_weight,
    ContentWeight: _content_weight,
}


# -- what each rule may do (exact where the rule is simple enough to recompute) -------------------------
def _factors(e):
    return list(e.args) if isinstance(e, sp.Mul) else [e]


def _iversons(e):
    return [f for f in _factors(e) if isinstance(f, Iverson)]


def _entry_of(cls):
    return lambda r: isinstance(r, Entry) and isinstance(r.term, cls)


def _matmul_ok(r, c):
    a, b = r.term.args
    _, i, j = r.args
    return isinstance(c, Sigma) and c.lo == 1 and c.hi == a.cols and c.body == Entry(a, i, c.var) * Entry(b, c.var, j)


def _guard_to_range_ok(r, c):
    return (isinstance(r, Sigma) and isinstance(c, Sigma) and r.var == c.var
            and len(_iversons(c.body)) == len(_iversons(r.body)) - 1 and (r.lo == c.lo) != (r.hi == c.hi))


def _split_add_ok(r, c):
    return isinstance(r, Sigma) and isinstance(r.body, sp.Add) and c == sp.Add(
        *(Sigma(t, r.var, r.lo, r.hi) for t in r.body.args))


def _singleton_ok(r, c):
    return isinstance(r, Sigma) and r.lo == r.hi and c == r.body.xreplace({r.var: r.lo})


def _peel_ok(r, c):
    return isinstance(r, Sigma) and c == Sigma(r.body, r.var, r.lo, r.hi - 1) + r.body.xreplace({r.var: r.hi})


def _unroll_ok(r, c):
    return (isinstance(r, MemoryCell) and isinstance(c, Sigma) and c.lo == 1 and c.hi == r.time
            and c.body.has(WriteWeight(r.mem, c.var, r.slot)))


def _delta_ok(r, c):
    if not isinstance(r, Sigma) or r.var in c.free_symbols:
        return False
    node = r.body
    while True:
        if any(isinstance(f.args[0], sp.Equality) and r.var in f.free_symbols for f in _iversons(node)):
            return True
        if not isinstance(node, Sigma):
            return False
        node = node.body


def _unit_norm_ok(r, c, assumed):
    return (isinstance(r, Sigma) and c == 1 and r.lo == 1 and isinstance(r.body, sp.Pow) and r.body.args[1] == 2
            and isinstance(r.body.args[0], sp.Indexed) and (str(r.body.args[0].base.label), r.hi) in assumed)


_HOLE = sp.Symbol("_bound", integer=True)


def _erased(e):
    """`e` with every bound index replaced by one placeholder and directly nested sums
    put in a fixed order: equal for trees that differ only in bound names and in the
    order of nested sums (what alpha-rename may change)."""
    if isinstance(e, Sigma):
        chain, body = [], e
        while isinstance(body, Sigma):
            chain.append(body)
            body = body.body
        bound = {s.var: _HOLE for s in chain}
        limits = sorted(((_erased(s.lo.xreplace(bound)), _erased(s.hi.xreplace(bound))) for s in chain),
                        key=sp.default_sort_key)
        out = _erased(body.xreplace(bound))
        for lo, hi in reversed(limits):
            out = Sigma(out, _HOLE, lo, hi)
        return out
    if not e.args:
        return e
    return e.func(*[_erased(a) for a in e.args])


SHAPES = {
    "entry-input": lambda r, c, a: _entry_of(MatInput)(r) and c == r.term.base[r.args[1], r.args[2]],
    "entry-transpose": lambda r, c, a: _entry_of(MatT)(r) and c == Entry(r.term.args[0], r.args[2], r.args[1]),
    "entry-scale": lambda r, c, a: _entry_of(MatScale)(r) and c == r.term.args[0] * Entry(r.term.args[1], *r.args[1:]),
    "entry-matmul": lambda r, c, a: _entry_of(MatProd)(r) and _matmul_ok(r, c),
    "entry-masked-softmax": lambda r, c, a: _entry_of(MaskedSoftmax)(r) and c.has(sp.exp) and c.has(Sigma),
    "content-addressing": lambda r, c, a: isinstance(r, ContentWeight) and c.has(sp.exp) and c.has(Sigma),
    "fresh-slot-allocation": lambda r, c, a: isinstance(r, WriteWeight) and c == Iverson(sp.Eq(r.slot, r.step)),
    "unroll-write-once": lambda r, c, a: _unroll_ok(r, c),
    "iverson-decide": lambda r, c, a: isinstance(r, Iverson) and c in (0, 1),
    "iverson-idempotent": lambda r, c, a: isinstance(r, sp.Pow) and isinstance(r.base, Iverson) and c == r.base,
    "sum-empty": lambda r, c, a: isinstance(r, Sigma) and r.body != 0 and c == 0,
    "sum-zero": lambda r, c, a: isinstance(r, Sigma) and r.body == 0 and c == 0,
    "sum-singleton": lambda r, c, a: _singleton_ok(r, c),
    "sum-split-add": lambda r, c, a: _split_add_ok(r, c),
    "sum-guard-to-range": lambda r, c, a: _guard_to_range_ok(r, c),
    "sum-delta": lambda r, c, a: _delta_ok(r, c),
    "sum-factor-in": lambda r, c, a: isinstance(r, sp.Mul) and any(isinstance(f, Sigma) for f in r.args)
    and isinstance(c, Sigma),
    "sum-peel-last": lambda r, c, a: _peel_ok(r, c),
    "distribute": lambda r, c, a: isinstance(r, sp.Mul) and any(isinstance(f, sp.Add) for f in r.args)
    and isinstance(c, sp.Add),
    "expand-power": lambda r, c, a: isinstance(r, sp.Pow) and isinstance(r.base, sp.Add) and isinstance(c, sp.Add),
    "exp-merge": lambda r, c, a: isinstance(r, sp.Mul) and sum(isinstance(f, sp.exp) for f in r.args) >= 2
    and sum(isinstance(f, sp.exp) for f in _factors(c)) == 1,
    "unit-norm": _unit_norm_ok,
    "alpha-rename": lambda r, c, a: r != c and _erased(r) == _erased(c),
}


# -- replay -------------------------------------------------------------------------------------------
def _at(expr, path):
    for k in path:
        if not isinstance(k, int) or not 0 <= k < len(expr.args):
            raise Rejected(f"position {path} does not exist")
        expr = expr.args[k]
    return expr


def _replace_at(expr, path, new):
    if not path:
        return new
    args = list(expr.args)
    args[path[0]] = _replace_at(args[path[0]], path[1:], new)
    return expr.func(*args)


class _Checker:
    def __init__(self, cert: dict, seed: int, memo: dict | None):
        self.cert = cert
        claim = cert["claim"]
        self.sizes = [parse(s) for s in claim["sizes"]]
        self.constraints = [(parse(lo), parse(hi)) for lo, hi in claim["constraints"]]
        self.row, self.col = parse(claim["row"]), parse(claim["col"])
        self.rows, self.cols = parse(claim["rows"]), parse(claim["cols"])
        self.inputs = [(i["name"], tuple(parse(x) for x in i["shape"])) for i in claim["inputs"]]
        self.assumed = {(a["input"], parse(a["cols"])) for a in claim["assumptions"] if a["kind"] == "unit_rows"}
        self.seed = seed
        self.rng = random.Random(seed)
        self.worlds = self._worlds()
        self.values: dict = {} if memo is None else memo
        self.point_cache: dict = {}
        self.steps = 0

    def _worlds(self) -> list[_World]:
        """Concrete sizes including all-ones and unequal ones, each with random inputs."""
        names = [s.name for s in self.sizes]
        valid = [dict(zip(names, v)) for v in itertools.product(range(1, 4), repeat=len(names))
                 if all(sp.sympify(lo).subs(dict(zip(self.sizes, v))) <= sp.sympify(hi).subs(dict(zip(self.sizes, v)))
                        for lo, hi in self.constraints)]
        if not valid:
            raise Rejected("no concrete sizes satisfy the claim's constraints")
        chosen = [valid[0], max(valid, key=lambda s: len(set(s.values()))), self.rng.choice(valid)]
        return [_World(s, self._inputs(s)) for s in chosen]

    def _inputs(self, sizes):
        out = {}
        for name, shape in self.inputs:
            dims = [int(sp.sympify(x).subs({s: sizes[s.name] for s in self.sizes})) for x in shape]
            m = self._random(dims)
            if len(shape) == 2 and (name, shape[1]) in self.assumed:
                c = dims[1]
                m = [[x / mpmath.sqrt(mpmath.fsum(y * y for y in row)) if any(row) else mpmath.mpf(1) / mpmath.sqrt(c)
                      for x in row] for row in m]
            out[name] = m
        return out

    def _random(self, dims):
        if not dims:
            return mpmath.mpf(self.rng.randint(-8, 8)) / 4
        return [self._random(dims[1:]) for _ in range(dims[0])]

    def _points(self, world, domain):
        """Assignments of the free indices: every entry, or samples of an obligation's domain."""
        key = (id(world), None if domain is None else tuple(domain))
        if key not in self.point_cache:
            self.point_cache[key] = self._choose_points(world, domain)
        return self.point_cache[key]

    def _choose_points(self, world, domain):
        if domain is None:
            rows = int(sp.sympify(self.rows).subs({s: world.sizes[s.name] for s in self.sizes}))
            cols = int(sp.sympify(self.cols).subs({s: world.sizes[s.name] for s in self.sizes}))
            return [{self.row.name: i, self.col.name: j} for i in range(1, rows + 1) for j in range(1, cols + 1)]
        free = sorted({s.name for lo, hi in domain for s in (lo.free_symbols | hi.free_symbols)} - set(world.sizes))
        points = []
        for values in itertools.product(range(0, 5), repeat=len(free)):
            env = dict(zip(free, values))
            if all(world.value(lo, env) <= world.value(hi, env) for lo, hi in domain):
                points.append(env)
        return self.rng.sample(points, min(4, len(points)))

    def _numbers(self, expr, world, points):
        key = (expr, tuple(sorted(world.sizes.items())), self.seed,
               tuple(tuple(sorted(p.items())) for p in points))
        if key not in self.values:
            self.values[key] = [world.value(expr, p) for p in points]
        return self.values[key]

    def _agree(self, before, after, where, domain):
        for world in self.worlds:
            points = self._points(world, domain)
            for p, a, b in zip(points, self._numbers(before, world, points), self._numbers(after, world, points)):
                if (a is None) != (b is None) or (a is not None and abs(a - b) > mpmath.mpf(10) ** (-20) * (1 + abs(a) + abs(b))):
                    raise Rejected(f"{where}: before and after differ at sizes {world.sizes}, indices {p}: {a} vs {b}")

    def derivation(self, d: dict, label: str, domain=None) -> sp.Basic:
        current = parse(d["start"])
        for k, step in enumerate(d["steps"], start=1):
            where = f"{label}, step {k} ({step.get('rule')})"
            before, after = parse(step["before"]), parse(step["after"])
            redex, contractum = parse(step["redex"]), parse(step["contractum"])
            if before != current:
                raise Rejected(f"{where}: does not start where the previous step ended")
            path = step["path"]
            if _at(before, path) != redex:
                raise Rejected(f"{where}: the redex is not at the recorded position")
            if _replace_at(before, path, contractum) != after:
                raise Rejected(f"{where}: after is not before with the redex rewritten")
            shape = SHAPES.get(step["rule"])
            if shape is None:
                raise Rejected(f"{where}: unknown rule")
            if not shape(redex, contractum, self.assumed):
                raise Rejected(f"{where}: this rewrite is not what rule {step['rule']} does")
            for title in step.get("obligations", []):
                if title not in self.held:
                    raise Rejected(f"{where}: relies on obligation {title!r}, which is not certified as holding")
            if step["rule"] == "unroll-write-once" and not step.get("obligations"):
                raise Rejected(f"{where}: an unrolled memory needs its induction obligations")
            self._agree(before, after, where, domain)
            current = after
            self.steps += 1
        return current

    def run(self) -> Verdict:
        self.held = set()
        for ob in self.cert["obligations"]:
            domain = [(parse(lo), parse(hi)) for lo, hi in ob["domain"]]
            left = self.derivation(ob["lhs"], f"obligation {ob['title']!r}, left", domain)
            right = self.derivation(ob["rhs"], f"obligation {ob['title']!r}, right", domain)
            if left != right:
                raise Rejected(f"obligation {ob['title']!r}: the two sides end in different forms")
            self.held.add(ob["title"])
        lhs = self.derivation(self.cert["lhs"], "lhs")
        rhs = self.derivation(self.cert["rhs"], "rhs")
        nf = parse(self.cert["normal_form"])
        if lhs != nf or rhs != nf:
            side = "lhs" if lhs != nf else "rhs"
            raise Rejected(f"{side}: the derivation does not end in the certified normal form")
        return Verdict(self.cert["claim"]["name"], self.steps, len(self.worlds))


def replay(cert: dict, seed: int = 0, memo: dict | None = None) -> Verdict:
    """Validate a certificate (a dict); raises `Rejected` with the failing step.

    `memo` may be shared between replays of certificates of the same claim (tests
    replay many corrupted copies); values are keyed by expression, sizes and seed."""
    try:
        if cert.get("format") != 1:
            raise Rejected(f"unknown certificate format {cert.get('format')!r}")
        with mpmath.workdps(DIGITS):
            return _Checker(cert, seed, memo).run()
    except (KeyError, TypeError, AttributeError, IndexError) as err:
        raise Rejected(f"malformed certificate: {type(err).__name__}: {err}") from None


def replay_file(path: str, seed: int = 0) -> Verdict:
    try:
        cert = json.loads(Path(path).read_text())
    except OSError as err:
        raise Rejected(f"cannot read: {err.strerror}") from None
    except json.JSONDecodeError as err:
        raise Rejected(f"not JSON: {err}") from None
    if not isinstance(cert, dict):
        raise Rejected("not a certificate object")
    return replay(cert, seed)
