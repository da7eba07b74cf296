"""Fuzzing the verdicts (issue 9): random well-formed claims and an independent brute-force oracle.

`generate(seed, n)` draws claims from a grammar over the index IR: sums with affine
bounds, nested sums, guards of every relation kind (strict ones with rational
coefficients too), products, divisions (`/` and `reciprocal`) by expressions that can
be zero, exp/Log, Abs, Relu, entries in and out of range, and `where=` domains
(some contradictory, some without a small point). Each claim is either equal by
construction (a known identity applied to random parts) or a subtly false variant of
one. A claim is kept as *source text* (`FuzzClaim.lhs`, `.rhs`: Python expressions in
`t`, `b`) so that a failure prints as a few lines anyone can paste and run.

The oracle evaluates claims under the total semantics, with its own code (nothing
from `evaluate.py` or `replay_semantics.py`): exact rationals (`Fraction`) wherever
the value is rational, mpmath only for exp and log; a value that a rounding error
could flip (a power or log of a number within 1e-40 of 0) makes the draw
*indeterminate* and it is skipped. It evaluates two things:

* the trees the entry functions build (what symcheck is shown), and
* the claim as written (the generator's own syntax tree), which exposes folds made
  while the trees were built (sympy's x/x -> 1, a constructor that rewrites a guard).

`run_claim` checks one claim with `symcheck.engine.check` and judges the verdict:
every `proved` is brute-forced at every size assignment with sizes in 1..5 (capped),
several input draws each (small integers with zeros and negatives, positives, quarters);
every `refuted` has its counterexample re-evaluated and its claim brute-forced.
"""

from __future__ import annotations

import itertools
import math
import random
import time
from dataclasses import dataclass, field
from fractions import Fraction

import mpmath
import sympy as sp

from .claim import Claim
from .config import Config
from .index import Element, Entry, Iverson, Log, Power, Relu, Sigma, index, indices, make_sum, power, reciprocal, \
    sizes as make_sizes
from .matrix import matrix
from .models import from_index

__all__ = ["Aff", "FuzzClaim", "Outcome", "generate", "run_claim", "brute_force", "Oracle", "summarize",
           "reproducer", "Indeterminate", "PROBLEMS", "INFORMATIVE"]

DIGITS = 60
EPS = mpmath.mpf(10) ** -40
MATRICES = {"X": ("T", "d"), "V": ("T", "d"), "Y": ("T", "T"), "W": ("N", "d")}


class Indeterminate(Exception):
    """A value that rounding could change (a log or non-integer power of a number near 0)."""


class Undefined(Exception):
    """sympy's constructors produced nan or an infinity (0/0^2 -> nan): the built claim is not the written one."""


class Unsupported(Exception):
    """A node the oracle does not know: a gap in the oracle, reported, never a verdict."""


# --------------------------------------------------------------------------------------
# Values: Fraction when exact, mpmath.mpf otherwise. The total semantics lives here.

def _mp(v):
    return mpmath.mpf(v.numerator) / v.denominator if isinstance(v, Fraction) else v


def _both_exact(a, b) -> bool:
    return isinstance(a, Fraction) and isinstance(b, Fraction)


def v_add(a, b):
    return a + b if _both_exact(a, b) else _mp(a) + _mp(b)


def v_mul(a, b):
    if (isinstance(a, Fraction) and a == 0) or (isinstance(b, Fraction) and b == 0):
        return Fraction(0)
    return a * b if _both_exact(a, b) else _mp(a) * _mp(b)


def v_sign(a) -> int:
    if isinstance(a, Fraction):
        return (a > 0) - (a < 0)
    if abs(a) < EPS:
        raise Indeterminate(f"sign of {mpmath.nstr(a, 5)}")
    return 1 if a > 0 else -1


def v_exp(a):
    return Fraction(1) if isinstance(a, Fraction) and a == 0 else mpmath.exp(_mp(a))


def v_log(a):
    """log a for a > 0, else 0."""
    if v_sign(a) <= 0:
        return Fraction(0)
    return Fraction(0) if isinstance(a, Fraction) and a == 1 else mpmath.log(_mp(a))


def _exact_root(x: Fraction, q: int):
    def iroot(n):
        r = round(n ** (1.0 / q))
        for c in (r - 1, r, r + 1):
            if c >= 0 and c ** q == n:
                return c
        return None
    num, den = iroot(x.numerator), iroot(x.denominator)
    return None if num is None or den is None else Fraction(num, den)


def v_pow(a, e):
    """a^e: ordinary for natural e; else 0 at a = 0, and 0 for a < 0 unless e is an integer."""
    e_int = isinstance(e, Fraction) and e.denominator == 1
    if e_int and e >= 0:
        return a ** int(e) if isinstance(a, Fraction) else _mp(a) ** int(e)
    s = v_sign(a)
    if s == 0 or (s < 0 and not e_int):
        return Fraction(0)
    if e_int:
        return a ** int(e) if isinstance(a, Fraction) else _mp(a) ** int(e)
    if isinstance(a, Fraction) and isinstance(e, Fraction):
        root = _exact_root(a, e.denominator)
        if root is not None:
            return root ** e.numerator
    return _mp(a) ** _mp(e)


def v_cmp(a, b) -> int:
    if _both_exact(a, b):
        return (a > b) - (a < b)
    return v_sign(_mp(a) - _mp(b))


def same(a, b) -> bool:
    if _both_exact(a, b):
        return a == b
    x, y = _mp(a), _mp(b)
    return abs(x - y) <= mpmath.mpf(10) ** -30 * (1 + max(abs(x), abs(y)))


RELATIONS = {"le": lambda c: c <= 0, "lt": lambda c: c < 0, "ge": lambda c: c >= 0, "gt": lambda c: c > 0,
             "eq": lambda c: c == 0, "ne": lambda c: c != 0}


# --------------------------------------------------------------------------------------
# Affine index expressions (bounds, guard sides, entry positions).

@dataclass(frozen=True)
class Aff:
    coef: tuple[tuple[str, Fraction], ...] = ()
    const: Fraction = Fraction(0)

    @staticmethod
    def of(x) -> "Aff":
        if isinstance(x, Aff):
            return x
        if isinstance(x, str):
            return Aff(((x, Fraction(1)),))
        return Aff((), Fraction(x))

    def _combine(self, other, sign):
        other = Aff.of(other)
        d = dict(self.coef)
        for k, c in other.coef:
            d[k] = d.get(k, Fraction(0)) + sign * c
        return Aff(tuple(sorted((k, c) for k, c in d.items() if c != 0)), self.const + sign * other.const)

    def __add__(self, other):
        return self._combine(other, 1)

    __radd__ = __add__

    def __sub__(self, other):
        return self._combine(other, -1)

    def __rsub__(self, other):
        return Aff.of(other)._combine(self, -1)

    def __mul__(self, k):
        k = Fraction(k)
        return Aff(tuple((n, c * k) for n, c in self.coef if c * k != 0), self.const * k)

    __rmul__ = __mul__

    def __neg__(self):
        return self * -1

    def names(self) -> set[str]:
        return {k for k, _ in self.coef}

    def subst(self, name: str, by: "Aff") -> "Aff":
        c = dict(self.coef).get(name)
        if c is None:
            return self
        return Aff(tuple(x for x in self.coef if x[0] != name), self.const) + by * c

    def integral(self) -> bool:
        return self.const.denominator == 1 and all(c.denominator == 1 for _, c in self.coef)

    def value(self, env) -> Fraction:
        return self.const + sum((c * env[k] for k, c in self.coef), Fraction(0))

    def src(self) -> str:
        parts = []
        for k, c in self.coef:
            mag = abs(c)
            term = k if mag == 1 else (f"{mag.numerator}*{k}" if mag.denominator == 1 else
                                       (f"{k}/{mag.denominator}" if mag.numerator == 1 else
                                        f"{mag.numerator}*{k}/{mag.denominator}"))
            parts.append(("-" if c < 0 else "+", term))
        if self.const or not parts:
            c = self.const
            lit = str(abs(c.numerator)) if c.denominator == 1 else f"sp.Rational({abs(c.numerator)}, {c.denominator})"
            parts.append(("-" if c < 0 else "+", lit))
        out = ("-" if parts[0][0] == "-" else "") + parts[0][1]
        for s, term in parts[1:]:
            out += f" {s} {term}"
        return out


# --------------------------------------------------------------------------------------
# The written syntax: tuples. Values:
#   ("n", Fraction) ("i", Aff) ("e", M, Aff, Aff) ("+", a, b, ...) ("*", a, b, ...) ("/", a, b)
#   ("rec", a) ("pow", a, Fraction) ("sq", a, int) ("exp", a) ("log", a) ("abs", a) ("relu", a)
#   ("sum", var, Aff lo, Aff hi, body) ("g", cond)
# Conditions: ("rel", op, value, value) ("and", c, d) ("or", c, d) ("not", c)

def _num_src(c: Fraction) -> str:
    return f"sp.Integer({c.numerator})" if c.denominator == 1 else f"sp.Rational({c.numerator}, {c.denominator})"


_REL_SRC = {"le": "sp.Le", "lt": "sp.Lt", "ge": "sp.Ge", "gt": "sp.Gt", "eq": "sp.Eq", "ne": "sp.Ne"}
_FN_SRC = {"rec": "reciprocal", "exp": "sp.exp", "log": "Log", "abs": "sp.Abs", "relu": "Relu"}


def src(node) -> str:
    tag = node[0]
    if tag == "n":
        return _num_src(node[1])
    if tag == "i":
        aff = node[1]
        if not aff.coef:
            return _num_src(aff.const)
        return aff.src() if len(aff.coef) == 1 and not aff.const and aff.coef[0][1] == 1 else f"({aff.src()})"
    if tag == "e":
        return f"{node[1]}[{node[2].src()}, {node[3].src()}]"
    if tag in ("+", "*"):
        return "(" + f" {tag} ".join(src(a) for a in node[1:]) + ")"
    if tag == "/":
        return f"({src(node[1])} / {src(node[2])})"
    if tag in _FN_SRC:
        return f"{_FN_SRC[tag]}({src(node[1])})"
    if tag == "pow":
        return f"power({src(node[1])}, {_num_src(node[2])})"
    if tag == "sq":
        return f"({src(node[1])})**{node[2]}"
    if tag == "sum":
        _, var, lo, hi, body = node
        return f"make_sum({src(body)}, {var}, {lo.src()}, {hi.src()})"
    if tag == "g":
        return f"Iverson({cond_src(node[1])})"
    raise ValueError(f"not a fuzz node: {node!r}")


def cond_src(c) -> str:
    tag = c[0]
    if tag == "rel":
        return f"{_REL_SRC[c[1]]}({src(c[2])}, {src(c[3])})"
    if tag in ("and", "or"):
        return f"sp.{tag.capitalize()}({cond_src(c[1])}, {cond_src(c[2])})"
    return f"sp.Not({cond_src(c[1])})"


def names_in(node) -> set[str]:
    """Every symbol name the written node mentions (sizes, free and bound indices)."""
    out = set()
    for x in node if isinstance(node, tuple) else ():
        if isinstance(x, Aff):
            out |= x.names()
        elif isinstance(x, tuple):
            out |= names_in(x)
        elif isinstance(x, str) and len(x) == 1 and x.islower():
            out.add(x)
    return out


def _cmp_rel(op, a, b) -> int:
    return int(RELATIONS[op](v_cmp(a, b)))


def compile_written(node):
    """A closure env -> value for a written node (the semantics of the claim as written)."""
    tag = node[0]
    if tag == "n":
        c = node[1]
        return lambda env: c
    if tag == "i":
        aff = node[1]
        return lambda env: aff.value(env)
    if tag == "e":
        name, r, c = node[1], node[2], node[3]
        return lambda env: env["@"][name](r.value(env), c.value(env))
    if tag in ("+", "*"):
        return _folded([compile_written(a) for a in node[1:]], v_add if tag == "+" else v_mul)
    if tag == "/":
        a, b = compile_written(node[1]), compile_written(node[2])
        return lambda env: v_mul(a(env), v_pow(b(env), Fraction(-1)))
    unary = {"rec": lambda v: v_pow(v, Fraction(-1)), "exp": v_exp, "log": v_log, "abs": abs,
             "relu": lambda v: v if v_sign(v) > 0 else Fraction(0)}
    if tag in unary:
        f, a = unary[tag], compile_written(node[1])
        return lambda env: f(a(env))
    if tag in ("pow", "sq"):
        a, e = compile_written(node[1]), Fraction(node[2])
        return lambda env: v_pow(a(env), e)
    if tag == "sum":
        _, var, lo, hi, body = node
        return _sum_closure(var, lambda env: lo.value(env), lambda env: hi.value(env), compile_written(body),
                            (names_in(body) - {var}) | lo.names() | hi.names())
    if tag == "g":
        c = compile_cond(node[1])
        return lambda env: Fraction(int(c(env)))
    raise Unsupported(f"written node {tag!r}")


def compile_cond(c):
    tag = c[0]
    if tag == "rel":
        op, a, b = c[1], compile_written(c[2]), compile_written(c[3])
        return lambda env: RELATIONS[op](v_cmp(a(env), b(env)))
    if tag in ("and", "or"):
        x, y = compile_cond(c[1]), compile_cond(c[2])
        return (lambda env: x(env) and y(env)) if tag == "and" else (lambda env: x(env) or y(env))
    x = compile_cond(c[1])
    return lambda env: not x(env)


def _sum_closure(var, lo, hi, body, free=()):
    """Σ over the integers in [lo, hi]; memoised per values of the sum's free names (env["#"]).
    `free` must include the names in lo and hi, even the one bound here (Σ_{j=1}^{j} reads the outer j)."""
    free = tuple(sorted(free))

    def total(env):
        key = (id(total), tuple(env.get(n) for n in free))
        cache = env.get("#")
        if cache is not None and key in cache:
            return cache[key]
        first, last = math.ceil(lo(env)), math.floor(hi(env))
        saved = env.get(var)
        out = Fraction(0)
        for j in range(first, last + 1):
            env[var] = Fraction(j)
            out = v_add(out, body(env))
        if saved is None:
            env.pop(var, None)
        else:
            env[var] = saved
        if cache is not None:
            cache[key] = out
        return out
    return total


# --------------------------------------------------------------------------------------
# The built trees: the same semantics over symcheck's sympy nodes.

_SP_REL = {sp.LessThan: "le", sp.StrictLessThan: "lt", sp.GreaterThan: "ge", sp.StrictGreaterThan: "gt",
           sp.Equality: "eq", sp.Unequality: "ne"}


def compile_tree(e):
    """A closure env -> value for a sympy tree built by an entry function."""
    if e.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
        raise Undefined(f"sympy built {e}")
    if isinstance(e, sp.Rational):
        c = Fraction(int(e.p), int(e.q))
        return lambda env: c
    if isinstance(e, (sp.Float, sp.NumberSymbol)):
        c = mpmath.mpf(str(sp.N(e, DIGITS + 10)))
        return lambda env: c
    if isinstance(e, sp.Symbol):
        name = e.name
        return lambda env: env[name]
    if isinstance(e, (sp.Add, sp.Mul)):
        return _fold_tree(e)
    if isinstance(e, (sp.Pow, Power)):
        a, x = compile_tree(e.args[0]), compile_tree(e.args[1])
        return lambda env: v_pow(a(env), x(env))
    unary = {sp.exp: v_exp, Log: v_log, sp.log: v_log, sp.Abs: abs,
             Relu: lambda v: v if v_sign(v) > 0 else Fraction(0),
             sp.re: lambda v: v, sp.conjugate: lambda v: v, sp.im: lambda v: Fraction(0),   # inputs are real
             sp.sign: lambda v: Fraction(v_sign(v))}
    for cls, f in unary.items():
        if isinstance(e, cls):
            a = compile_tree(e.args[0])
            return lambda env, f=f: f(a(env))
    if isinstance(e, Iverson):
        c = compile_tree_cond(e.args[0])
        return lambda env: Fraction(int(c(env)))
    if isinstance(e, Sigma):
        body, var, lo, hi = e.args
        return _sum_closure(var.name, compile_tree(lo), compile_tree(hi), compile_tree(body),
                            {s.name for s in e.free_symbols})
    if isinstance(e, Entry):
        from .matrix import MatInput
        if not isinstance(e.term, MatInput):
            raise Unsupported(f"entry of a {type(e.term).__name__}")
        name, r, c = e.term.name, compile_tree(e.args[1]), compile_tree(e.args[2])
        return lambda env: env["@"][name](r(env), c(env))
    if isinstance(e, (Element, sp.Indexed)):
        name = e.tensor.name if isinstance(e, Element) else str(e.base.label)
        idx = [compile_tree(i) for i in e.indices]
        if len(idx) != 2:
            raise Unsupported(f"tensor entry with {len(idx)} indices")
        return lambda env: env["@"][name](idx[0](env), idx[1](env))
    raise Unsupported(f"tree node {type(e).__name__}")


def _fold_tree(e):
    return _folded([compile_tree(a) for a in e.args], v_add if isinstance(e, sp.Add) else v_mul)


def _folded(parts: list, op):
    """The value of parts[0] op parts[1] op ..., left to right (the oracle's own n-ary + and ·)."""
    def fold(env):
        out = parts[0](env)
        for p in parts[1:]:
            out = op(out, p(env))
        return out
    return fold


def compile_tree_cond(c):
    if c is sp.true or c is sp.false:
        truth = bool(c)
        return lambda env: truth
    for cls, op in _SP_REL.items():
        if isinstance(c, cls):
            a, b = compile_tree(c.lhs), compile_tree(c.rhs)
            return lambda env, op=op: RELATIONS[op](v_cmp(a(env), b(env)))
    if isinstance(c, (sp.And, sp.Or)):
        parts = [compile_tree_cond(a) for a in c.args]
        return (lambda env: all(p(env) for p in parts)) if isinstance(c, sp.And) else \
            (lambda env: any(p(env) for p in parts))
    if isinstance(c, sp.Not):
        x = compile_tree_cond(c.args[0])
        return lambda env: not x(env)
    raise Unsupported(f"condition {type(c).__name__}")


# --------------------------------------------------------------------------------------
# Claims: written syntax, the source text of both sides, and the symcheck Claim built from it.

T_, D_, N_ = make_sizes("T d N")
BOUND = ("j", "k", "l", "m")
NAMESPACE = {"sp": sp, "make_sum": make_sum, "Iverson": Iverson, "Log": Log, "Relu": Relu, "power": power,
             "reciprocal": reciprocal, "T": T_, "d": D_, "N": N_,
             **{m: matrix(m, *(dict(T=T_, d=D_, N=N_)[s] for s in shape)) for m, shape in MATRICES.items()},
             **dict(zip(BOUND, indices(" ".join(BOUND))))}
PRELUDE = """import sympy as sp
from symcheck import Claim, from_index, indices, make_sum, matrix, sizes
from symcheck.config import Config
from symcheck.engine import check
from symcheck.index import Iverson, Log, Relu, power, reciprocal
T, d, N = sizes("T d N")
X, V, Y, W = matrix("X", T, d), matrix("V", T, d), matrix("Y", T, T), matrix("W", N, d)
j, k, l, m = indices("j k l m")"""


def matrices_in(node) -> set[str]:
    if not isinstance(node, tuple):
        return set()
    out = {node[1]} if node and node[0] == "e" else set()
    for x in node[1:]:
        out |= matrices_in(x)
    return out


@dataclass(frozen=True)
class FuzzClaim:
    """One generated claim: `lhs ≡ rhs` (T × d, entries at (t, b)) over the sizes in `where`'s domain."""

    name: str
    family: str
    lhs: tuple
    rhs: tuple
    where: tuple = ()             # conditions over sizes (written syntax)
    intended: bool = True         # equal by construction (a label; the oracle decides)
    note: str = ""                # the identity or the mutation applied

    @property
    def lhs_src(self) -> str:
        return src(self.lhs)

    @property
    def rhs_src(self) -> str:
        return src(self.rhs)

    @property
    def where_src(self) -> str:
        return "(" + "".join(cond_src(c) + ", " for c in self.where) + ")"

    @property
    def size_names(self) -> tuple[str, ...]:
        used = names_in(self.lhs) | names_in(self.rhs) | set().union(*(names_in(c) for c in self.where))
        used |= {s for mat in matrices_in(self.lhs) | matrices_in(self.rhs) for s in MATRICES[mat]}
        return tuple(s for s in ("T", "d", "N") if s in used or s in ("T", "d"))

    @property
    def uses_slash(self) -> bool:
        return "/ " in self.lhs_src + self.rhs_src

    def entry_functions(self):
        code = [compile(f"sp.S({s})", f"<{self.name}.{side}>", "eval")
                for side, s in (("lhs", self.lhs_src), ("rhs", self.rhs_src))]
        return tuple((lambda t, b, c=c: eval(c, {**NAMESPACE, "t": t, "b": b})) for c in code)

    def build(self) -> Claim:
        lhs, rhs = self.entry_functions()
        where = eval(compile(self.where_src, f"<{self.name}.where>", "eval"), dict(NAMESPACE))
        return Claim(self.name, lhs=from_index(T_, D_, lhs), rhs=from_index(T_, D_, rhs),
                     statement=f"fuzz ({self.family}): {self.note}", expect="proved" if self.intended else "refuted",
                     where=where)


def reproducer(fc: FuzzClaim, config: Config | None = None) -> str:
    """A few lines of Python that rebuild and check the claim."""
    cfg = f"Config(max_seconds={config.max_seconds}, max_steps={config.max_steps})" if config else "Config()"
    where = f",\n              where={fc.where_src}" if fc.where else ""
    return (f"{PRELUDE}\n"
            f"claim = Claim(\"{fc.name}\",\n"
            f"              lhs=from_index(T, d, lambda t, b: {fc.lhs_src}),\n"
            f"              rhs=from_index(T, d, lambda t, b: {fc.rhs_src}),\n"
            f"              statement=\"{fc.note}\"{where})\n"
            f"print(check(claim, {cfg}).verdict)")


# --------------------------------------------------------------------------------------
# The oracle: every size assignment in the domain, several input draws, every entry.

DRAWS = {
    "ints": lambda r: Fraction(r.choice((-2, -1, 0, 0, 1, 2))),
    "sparse": lambda r: Fraction(r.choice((0, 0, 0, 1, -1))),
    "positive": lambda r: Fraction(r.choice((1, 2, 3))),
    "quarters": lambda r: Fraction(r.randint(-8, 8), 4),
}


@dataclass(frozen=True)
class Disagreement:
    level: str                    # "tree": the built sides differ; "written": only the claim as written does
    sizes: dict
    draw: str
    inputs: dict                  # {name: rows of values as strings}
    position: tuple[int, int]     # (t, b)
    lhs: str
    rhs: str

    def describe(self) -> str:
        return (f"[{self.level}] sizes {self.sizes}, entry (t, b) = {self.position}: lhs {self.lhs} != rhs {self.rhs}"
                f"; inputs ({self.draw}) {self.inputs}")


@dataclass
class Verdict:
    """What the oracle saw: assignments and draws checked, and the first disagreement per level."""

    assignments: int = 0
    draws: int = 0
    indeterminate: int = 0
    empty_domain: bool = False
    extended: bool = False        # no point with sizes <= max_size: checked at sizes up to 8
    found: dict = field(default_factory=dict)

    timed_out: bool = False

    @property
    def false(self) -> bool:
        """The claim as written is false (the truth that counts)."""
        return "written" in self.found

    @property
    def tree_false(self) -> bool:
        """The trees the entry functions built differ in value."""
        return "tree" in self.found


def _lookup(rows: int, cols: int, data):
    def get(i, j):
        if not (isinstance(i, Fraction) and isinstance(j, Fraction)):
            raise Indeterminate("an index that is not rational")
        if i.denominator != 1 or j.denominator != 1 or not (1 <= i <= rows and 1 <= j <= cols):
            return Fraction(0)
        return data[int(i) - 1][int(j) - 1]
    return get


def domain(fc: FuzzClaim, max_size: int) -> list[dict]:
    names = fc.size_names
    conds = [compile_cond(c) for c in fc.where]
    out = []
    for values in itertools.product(range(1, max_size + 1), repeat=len(names)):
        env = {n: Fraction(v) for n, v in zip(names, values)}
        if all(c(env) for c in conds):
            out.append(dict(zip(names, values)))
    out.sort(key=lambda a: (sum(a.values()), tuple(a.values())))
    return out


def _capped(points: list[dict], cap: int) -> list[dict]:
    if len(points) <= cap:
        return points
    head = points[: cap // 2]
    rest = points[cap // 2:]
    step = len(rest) / (cap - len(head))
    return head + [rest[int(k * step)] for k in range(cap - len(head) - 1)] + [points[-1]]


class Oracle:
    """Brute force for one claim: compiled once, evaluated at many points."""

    def __init__(self, fc: FuzzClaim):
        self.fc = fc
        t, b = index("t"), index("b")
        lhs_fn, rhs_fn = fc.entry_functions()
        self.tree = (compile_tree(lhs_fn(t, b)), compile_tree(rhs_fn(t, b)))
        self.written = (compile_written(fc.lhs), compile_written(fc.rhs))

    def values(self, sizes: dict, inputs: dict, level: str = "tree"):
        """{(t, b): (lhs, rhs)} at concrete sizes and inputs ({name: rows})."""
        env = {n: Fraction(v) for n, v in sizes.items()}
        full = {"T": 1, "d": 1, "N": 1} | dict(sizes)
        lookups = {}
        for name, (r, c) in MATRICES.items():
            data = inputs.get(name, [[Fraction(0)] * full[c] for _ in range(full[r])])
            lookups[name] = _lookup(len(data), len(data[0]) if data else 0, data)
        env["@"], env["#"] = lookups, {}
        lhs, rhs = self.tree if level == "tree" else self.written
        out = {}
        with mpmath.workdps(DIGITS):
            for t in range(1, sizes["T"] + 1):
                for b in range(1, sizes["d"] + 1):
                    env["t"], env["b"] = Fraction(t), Fraction(b)
                    out[(t, b)] = (lhs(env), rhs(env))
        return out

    def check(self, max_size: int = 5, cap: int = 40, draws: tuple[str, ...] = tuple(DRAWS),
              seed: int = 0, deadline: float | None = None) -> Verdict:
        verdict = Verdict()
        points = domain(self.fc, max_size)
        if not points:
            points = domain(self.fc, 8)
            verdict.extended = True
            verdict.empty_domain = not points
        used = matrices_in(self.fc.lhs) | matrices_in(self.fc.rhs)
        for sizes in _capped(points, cap):
            verdict.assignments += 1
            for kind in draws:
                if deadline is not None and time.monotonic() > deadline:
                    verdict.timed_out = True
                    return verdict
                rng = random.Random(f"{seed}:{self.fc.name}:{sorted(sizes.items())}:{kind}")
                inputs = {}
                for name in sorted(used):
                    r, c = (sizes[s] for s in MATRICES[name])
                    inputs[name] = [[DRAWS[kind](rng) for _ in range(c)] for _ in range(r)]
                verdict.draws += 1
                for level in ("tree", "written"):
                    if level in verdict.found:
                        continue
                    try:
                        vals = self.values(sizes, inputs, level)
                    except Indeterminate:
                        verdict.indeterminate += 1
                        continue
                    for pos, (a, b) in vals.items():
                        if not same(a, b):
                            shown = {n: [[str(x) for x in row] for row in rows] for n, rows in inputs.items()}
                            verdict.found[level] = Disagreement(level, dict(sizes), kind, shown, pos,
                                                                _show(a), _show(b))
                            break
                if len(verdict.found) == 2:
                    return verdict
        return verdict


def _show(v) -> str:
    return str(v) if isinstance(v, Fraction) else mpmath.nstr(v, 12)


def brute_force(fc: FuzzClaim, **kw) -> Verdict:
    return Oracle(fc).check(**kw)


# --------------------------------------------------------------------------------------
# The generator.

def _n(c) -> tuple:
    return ("n", Fraction(c))


def _i(a) -> tuple:
    return ("i", Aff.of(a))


def _g(op, a, b) -> tuple:
    return ("g", ("rel", op, a if isinstance(a, tuple) else _i(a), b if isinstance(b, tuple) else _i(b)))


def _add(*xs) -> tuple:
    return ("+", *xs)


def _mul(*xs) -> tuple:
    return ("*", *xs)


def _sum(var, lo, hi, body) -> tuple:
    return ("sum", var, Aff.of(lo), Aff.of(hi), body)


def subst(node, var: str, by: Aff):
    """Replace the index `var` by the affine expression `by` in a written node (binders are fresh)."""
    if isinstance(node, Aff):
        return node.subst(var, by)
    if not isinstance(node, tuple):
        return node
    if node and node[0] == "sum" and node[1] == var:
        return ("sum", var, subst(node[2], var, by), subst(node[3], var, by), node[4])
    return tuple(subst(x, var, by) for x in node)


def rename(node, old: str, new: str):
    """Rename every occurrence of the index `old`, bound or free (capture included, on purpose)."""
    if isinstance(node, Aff):
        return node.subst(old, Aff.of(new))
    if not isinstance(node, tuple):
        return node
    return tuple(new if (x == old and node[0] == "sum" and k == 1) else rename(x, old, new)
                 for k, x in enumerate(node))


NEGATE = {"le": "gt", "lt": "ge", "ge": "lt", "gt": "le", "eq": "ne", "ne": "eq"}
FLIP = {"le": "ge", "lt": "gt", "ge": "le", "gt": "lt", "eq": "eq", "ne": "ne"}


class _Gen:
    def __init__(self, rng: random.Random):
        self.r = rng
        self.free_vars = list(BOUND)

    # -- small pieces -------------------------------------------------------------------
    def pick(self, *xs):
        return self.r.choice(xs)

    def chance(self, p: float) -> bool:
        return self.r.random() < p

    def fresh(self) -> str:
        return self.free_vars.pop(0) if self.free_vars else "m"

    def const(self) -> tuple:
        return _n(self.pick(1, 2, -1, Fraction(1, 2), 3, Fraction(-3, 2)))

    def scalar(self, p: Aff, depth: int = 1) -> tuple:
        """A value free of bound indices (it may mention t, b, p and sizes)."""
        M = self.pick("X", "V")
        options = [
            lambda: ("e", M, p, Aff.of("b")),
            lambda: ("e", M, p, Aff.of("b")),
            lambda: _add(("e", M, p, Aff.of("b")), self.const()),
            lambda: self.const(),
            lambda: _i(self.pick(p, Aff.of("T"), p + 1, Aff.of("T") - p)),
            lambda: ("exp", ("e", M, p, Aff.of("b"))),
            lambda: _mul(("e", "X", p, Aff.of("b")), ("e", "V", p, Aff.of("b"))),
            lambda: ("e", "Y", Aff.of("t"), p),
            lambda: ("e", M, p + 1, Aff.of("b")),
        ]
        if depth > 0:
            options.append(lambda: self.closed_sum(p, depth - 1))
            options.append(lambda: (self.pick("abs", "relu"), self.scalar(p, 0)))
        return self.r.choice(options)()

    def closed_sum(self, p: Aff, depth: int) -> tuple:
        j = self.fresh()
        lo, hi = self.bounds(p)
        return _sum(j, lo, hi, self.body(Aff.of(j), p, depth))

    def bounds(self, p: Aff):
        lo = self.pick(1, 1, 1, 0, 2, p, p - 1, p + 1)
        hi = self.pick("T", "T", p, p, p - 1, p + 1, Aff.of("T") - 1, Aff.of("T") - 2, Aff.of("T") + 1, 3)
        return Aff.of(lo), Aff.of(hi)

    def body(self, i: Aff, p: Aff, depth: int = 1) -> tuple:
        """A value that depends on the index i (and maybe on p, t, b)."""
        M = self.pick("X", "V")
        b = Aff.of("b")
        options = [
            lambda: ("e", M, i, b),
            lambda: ("e", M, i, b),
            lambda: _add(("e", M, i, b), self.const()),
            lambda: _mul(("e", "X", i, b), ("e", "V", p, b)),
            lambda: ("e", "Y", p, i),
            lambda: _i(i),
            lambda: ("exp", ("e", M, i, b)),
            lambda: ("e", M, i + 1, b),
            lambda: (self.pick("relu", "abs"), _add(("e", M, i, b), ("e", "V", p, b))),
            lambda: _mul(_g(self.pick("le", "lt"), i, p), ("e", M, i, b)),
            lambda: self.const(),
        ]
        if depth > 0:
            def nested():
                k = self.fresh()
                return _sum(k, 1, self.pick(i, "T", i - 1), _mul(("e", "Y", i, Aff.of(k)), ("e", M, Aff.of(k), b)))
            options.append(nested)
        return self.r.choice(options)()

    # -- guards --------------------------------------------------------------------------
    def relation(self, x: Aff):
        """(op, lhs, rhs): a relation between x and a size or position, coefficients maybe rational."""
        a = Fraction(self.pick(1, 1, 2, 3))
        y = Aff.of(self.pick("T", "T", "t", "N")) if x.names() != {"t"} else Aff.of(self.pick("T", "N"))
        c = Fraction(self.pick(1, 1, 1, Fraction(1, 2), Fraction(2, 3), 2))
        e = Fraction(self.pick(0, 0, 1, -1, Fraction(1, 2)))
        return self.pick("le", "lt", "ge", "gt", "eq", "ne", "lt", "le"), x * a, y * c + e

    def transform(self, rel):
        """A relation equivalent to rel over the integers, or a subtly different one, and a note."""
        op, lhs, rhs = rel
        integral = (rhs - lhs).integral()
        moves = ["scale", "move", "flip", "tighten", "loosen", "half", "wrong-strict", "round"]
        kind = self.pick(*moves)
        if kind == "scale":
            k = Fraction(self.pick(2, 3, Fraction(1, 2), -1, -2))
            return ((op if k > 0 else FLIP[op]), lhs * k, rhs * k), True, f"scale by {k}"
        if kind == "move":
            return (op, lhs - rhs, Aff.of(0)), True, "move to one side"
        if kind == "flip":
            return (FLIP[op], rhs, lhs), True, "swap sides"
        if kind == "tighten" and op in ("lt", "gt"):
            new = ("le", lhs, rhs - 1) if op == "lt" else ("ge", lhs, rhs + 1)
            return new, integral, "strict -> non-strict by 1"
        if kind == "loosen" and op in ("le", "ge"):
            new = ("lt", lhs, rhs + 1) if op == "le" else ("gt", lhs, rhs - 1)
            return new, integral, "non-strict -> strict by 1"
        if kind == "half" and op in ("lt", "gt"):
            new = ("le", lhs, rhs - Fraction(1, 2)) if op == "lt" else ("ge", lhs, rhs + Fraction(1, 2))
            return new, integral, "strict -> non-strict by 1/2"
        if kind == "wrong-strict" and op in ("le", "lt", "ge", "gt"):
            swap = {"le": "lt", "lt": "le", "ge": "gt", "gt": "ge"}
            return (swap[op], lhs, rhs), False, "strict <-> non-strict"
        if kind == "round" and not rhs.integral():
            return (op, lhs, rhs + self.pick(Fraction(1, 2), Fraction(-1, 2))), False, "shift a rational bound by 1/2"
        return (NEGATE[op], lhs, rhs), None, "negate"

    def guard_pair(self, x: Aff):
        """([P], [P']) with P' from one or two transformations of P; the second element may be 1 - [¬P]."""
        rel = self.relation(x)
        new, ok, note = self.transform(rel)
        if ok is None:                                   # a negation: compare with the complement
            return ("g", ("rel", rel[0], _i(rel[1]), _i(rel[2]))), \
                _add(_n(1), _mul(_n(-1), ("g", ("rel", new[0], _i(new[1]), _i(new[2]))))), True, "[P] = 1 - [not P]"
        if self.chance(0.3):
            new, ok2, note2 = self.transform(new)
            if ok2 is None:
                return ("g", ("rel", rel[0], _i(rel[1]), _i(rel[2]))), \
                    _add(_n(1), _mul(_n(-1), ("g", ("rel", new[0], _i(new[1]), _i(new[2]))))), ok, \
                    f"{note}; [P] = 1 - [not P]"
            ok, note = ok and ok2, f"{note}; {note2}"
        return ("g", ("rel", rel[0], _i(rel[1]), _i(rel[2]))), ("g", ("rel", new[0], _i(new[1]), _i(new[2]))), \
            ok, note

    # -- families: (lhs, rhs, equal by construction?, note) at position p ------------------
    def fam_guard_range(self, p: Aff):
        j = self.fresh()
        J = Aff.of(j)
        f = self.body(J, p)
        q = self.pick(p, p, p + 1, p - 1, Aff.of("T") - 1, Aff.of(2))
        T = Aff.of("T")
        op = self.pick("le", "lt", "ge", "gt")
        right = {"le": (1, q), "lt": (1, q - 1), "ge": (q, T), "gt": (q + 1, T)}[op]
        ok, note = True, f"[j {op} q] as a range"
        if self.chance(0.45):
            lo, hi = right
            right = self.pick((lo, hi - 1), (lo, hi + 1), (lo + 1, hi), (Aff.of(lo) - 1, hi))
            ok, note = False, note + ", off by one"
        if self.chance(0.25):                                # a fact on the bound index instead
            r2 = self.pick("le", "lt")
            lhs = _sum(j, 1, p, _mul(_g(r2, J, self.pick(T, T - 1, T + 1)), f))
            return lhs, _sum(j, 1, p, f), None, "drop a guard the range implies"
        return _sum(j, 1, T, _mul(_g(op, J, q), f)), _sum(j, right[0], right[1], f), ok, note

    def fam_rational_guard(self, p: Aff):
        j = self.fresh()
        J = Aff.of(j)
        if self.chance(0.5):
            g1, g2, ok, note = self.guard_pair(J)
            f = self.body(J, p)
            lo, hi = self.pick((1, "T"), (1, p), (0, Aff.of("T") + 1))
            return _sum(j, lo, hi, _mul(g1, f)), _sum(j, lo, hi, _mul(g2, f)), ok, note
        self.free_vars.insert(0, j)
        g1, g2, ok, note = self.guard_pair(p)
        f = self.scalar(p)
        return _mul(g1, f), _mul(g2, f), ok, note

    def fam_peel(self, p: Aff):
        j = self.fresh()
        f = self.body(Aff.of(j), p)
        lo, hi = self.bounds(p)
        if self.chance(0.5):
            rhs = _add(_sum(j, lo, hi - 1, f), subst(f, j, hi))
            note = "peel the last term"
        else:
            rhs = _add(subst(f, j, lo), _sum(j, lo + 1, hi, f))
            note = "peel the first term"
        if self.chance(0.2):
            rhs = _add(_sum(j, lo, hi - 1, f), subst(f, j, hi + 1))
            note = "peel the wrong term"
        return _sum(j, lo, hi, f), rhs, None, note

    def fam_split(self, p: Aff):
        j = self.fresh()
        f = self.body(Aff.of(j), p)
        lo, hi = self.bounds(p)
        m = self.pick(p, p - 1, Aff.of(2), Aff.of("T") - 1, lo, hi)
        second = self.pick(m + 1, m + 1, m + 1, m, m + 2)
        return _sum(j, lo, hi, f), _add(_sum(j, lo, m, f), _sum(j, second, hi, f)), second == m + 1, \
            f"split at {m.src()}, second part from {second.src()}"

    def g2(self, J: Aff, K: Aff, p: Aff) -> tuple:
        b = Aff.of("b")
        return self.pick(
            ("e", "Y", J, K), _mul(("e", "X", J, b), ("e", "V", K, b)), ("e", "X", K, b),
            _mul(_g(self.pick("le", "lt"), K * 2, J + 1), ("e", "X", J, b)),
            ("exp", _add(("e", "X", J, b), _mul(_n(-1), ("e", "V", K, b)))), _i(K), _mul(_i(J), ("e", "Y", K, p)))

    def fam_fubini(self, p: Aff):
        j, k = self.fresh(), self.fresh()
        J, K = Aff.of(j), Aff.of(k)
        g = self.g2(J, K, p)
        q = self.pick(p, Aff.of("T"), p + 1)
        shape = self.pick("independent", "triangle", "strict-triangle", "guard")
        if shape == "independent":
            (a1, b1), (a2, b2) = self.bounds(p), self.bounds(p)
            return _sum(j, a1, b1, _sum(k, a2, b2, g)), _sum(k, a2, b2, _sum(j, a1, b1, g)), True, "Fubini"
        if shape == "triangle":
            lhs = _sum(j, 1, q, _sum(k, 1, J, g))
            start = self.pick(K, K, K + 1, Aff.of(1))
            return lhs, _sum(k, 1, q, _sum(j, start, q, g)), start == K, f"triangle, inner from {start.src()}"
        if shape == "strict-triangle":
            lhs = _sum(j, 1, q, _sum(k, 1, J - 1, g))
            start = self.pick(K + 1, K + 1, K)
            return lhs, _sum(k, 1, q, _sum(j, start, q, g)), start == K + 1, f"strict triangle, from {start.src()}"
        op = self.pick("le", "le", "lt")
        return _sum(j, 1, q, _sum(k, 1, J, g)), _sum(j, 1, q, _sum(k, 1, q, _mul(_g(op, K, J), g))), op == "le", \
            f"triangle as a guard [k {op} j]"

    def fam_rename(self, p: Aff):
        j, k = self.fresh(), self.fresh()
        J, K = Aff.of(j), Aff.of(k)
        lhs = _sum(j, 1, self.pick(p, "T"), _mul(self.body(J, p, 0), _sum(k, 1, J, self.g2(J, K, p))))
        if self.chance(0.6):
            new = self.fresh()
            return lhs, rename(lhs, j, new), True, f"rename {j} -> {new}"
        return lhs, rename(lhs, k, j), False, f"rename {k} -> {j} (captures)"

    def fam_delta(self, p: Aff):
        j = self.fresh()
        J = Aff.of(j)
        f = self.body(J, p)
        e = self.pick(p, p, p + 1, p - 1, Aff.of("T"), Aff.of(2), Aff.of(0))
        lo, hi = self.bounds(p)
        guard = self.pick(_g("eq", J, e), _g("eq", e, J), _mul(_g("le", J, e), _g("ge", J, e)), _g("eq", J * 2, e * 2))
        lhs = _sum(j, lo, hi, _mul(guard, f))
        form = self.pick("full", "full", "bare", "lower", "upper")
        parts = {"full": [_g("le", lo, e), _g("le", e, hi)], "bare": [], "lower": [_g("le", lo, e)],
                 "upper": [_g("le", e, hi)]}[form]
        return lhs, _mul(*parts, subst(f, j, e)) if parts else subst(f, j, e), form == "full", f"delta at {e.src()}, {form}"

    def fam_factor(self, p: Aff):
        j = self.fresh()
        J = Aff.of(j)
        f = self.body(J, p)
        c = self.scalar(p)
        lo, hi = self.bounds(p)
        kind = self.pick("mul", "mul", "reciprocal", "slash", "bound-index", "product-of-sums")
        if kind == "mul":
            return _mul(c, _sum(j, lo, hi, f)), _sum(j, lo, hi, _mul(c, f)), True, "factor in"
        if kind == "reciprocal":
            return _mul(_sum(j, lo, hi, f), ("rec", c)), _sum(j, lo, hi, _mul(f, ("rec", c))), True, "factor 1/c in"
        if kind == "slash":
            return ("/", _sum(j, lo, hi, f), c), _sum(j, lo, hi, ("/", f, c)), True, "factor /c in"
        if kind == "bound-index":
            return _mul(c, _sum(j, lo, hi, f)), _sum(j, lo, hi, _mul(subst(c, "t", J), f)), False, \
                "factor in, renaming t to the bound index"
        g = self.body(J, p, 0)
        return _sum(j, lo, hi, _mul(f, g)), _mul(_sum(j, lo, hi, f), _sum(j, lo, hi, g)), False, "product of sums"

    def fam_cond_split(self, p: Aff):
        f = self.scalar(p)
        rel = self.relation(p)
        P = ("rel", rel[0], _i(rel[1]), _i(rel[2]))
        kind = self.pick("not", "complement", "near", "and", "or", "or-wrong", "ne")
        if kind == "not":
            return f, _add(_mul(f, ("g", P)), _mul(f, ("g", ("not", P)))), True, "f = f[P] + f[not P]"
        if kind in ("complement", "near"):
            op = NEGATE[rel[0]] if kind == "complement" else self.pick(*sorted(set(NEGATE) - {NEGATE[rel[0]]}))
            Q = ("rel", op, _i(rel[1]), _i(rel[2]))
            return f, _add(_mul(f, ("g", P)), _mul(f, ("g", Q))), kind == "complement", f"f = f[P] + f[{op}]"
        rel2 = self.relation(p)
        Q = ("rel", rel2[0], _i(rel2[1]), _i(rel2[2]))
        if kind == "and":
            return _mul(f, ("g", P)), _add(_mul(f, ("g", ("and", P, Q))), _mul(f, ("g", ("and", P, ("not", Q))))), \
                True, "[P] = [P and Q] + [P and not Q]"
        if kind == "or":
            return ("g", ("or", P, Q)), _add(("g", P), ("g", Q), _mul(_n(-1), ("g", P), ("g", Q))), True, \
                "[P or Q] = [P] + [Q] - [P][Q]"
        if kind == "or-wrong":
            return ("g", ("or", P, Q)), _add(("g", P), ("g", Q)), False, "[P or Q] = [P] + [Q]"
        a, b = _i(rel[1]), _i(rel[2])
        return ("g", ("rel", "ne", a, b)), self.pick(
            _add(_n(1), _mul(_n(-1), ("g", ("rel", "eq", a, b)))),
            _add(("g", ("rel", "lt", a, b)), ("g", ("rel", "gt", a, b))),
            ("g", ("rel", "lt", a, b))), None, "[a != b] rewritten"

    def positive(self, p: Aff) -> tuple:
        """A value that is provably positive (x/x = 1 is sound for it)."""
        j = self.fresh()
        b = Aff.of("b")
        return self.pick(
            ("exp", ("e", "X", p, b)), _i("T"), _i(Aff.of("T") + p), _n(2),
            _sum(j, 1, p, ("exp", ("e", "X", Aff.of(j), b))),
            _add(("sq", ("e", "X", p, b), 2), _n(1)), _add(("abs", ("e", "V", p, b)), _n(1)),
            _sum(j, 1, "T", _g("le", Aff.of(j), p)))

    def maybe_zero(self, p: Aff) -> tuple:
        """A value that is zero somewhere (at an exact input zero, a size, a position)."""
        j = self.fresh()
        b = Aff.of("b")
        x = ("e", "X", p, b)
        return self.pick(
            x, _add(x, _mul(_n(-1), ("e", "V", p, b))), _add(x, _mul(_n(-1), x)),
            _sum(j, 1, p - 1, ("exp", ("e", "X", Aff.of(j), b))), _add(_sum(j, 1, "T", _n(1)), _n(-4)),
            _add(_g("le", p, 2), _g("ge", p, 4)), ("relu", x), ("abs", x), _i(p - 2), ("log", ("e", "V", p, b)),
            _add(("exp", x), _n(-1)), _sum(j, 1, p, ("e", "V", Aff.of(j), b)))

    def fam_cancel(self, p: Aff):
        pos = self.chance(0.4)
        x = self.positive(p) if pos else self.maybe_zero(p)
        y = self.maybe_zero(p)
        f = self.scalar(p)
        kind = self.pick("recip", "recip", "slash", "one", "double", "product", "sqrt-square", "sqrt-relu",
                         "square-sqrt", "over-square", "softmax")
        if kind == "recip":
            return _mul(f, x, ("rec", x)), f, pos, "f x (1/x) = f"
        if kind == "slash":
            return ("/", _mul(f, x), x), f, pos, "(f x) / x = f"
        if kind == "one":
            return _mul(x, ("rec", x)), _n(1), pos, "x (1/x) = 1"
        if kind == "double":
            return ("rec", ("rec", x)), x, True, "1/(1/x) = x"
        if kind == "product":
            return ("rec", _mul(x, y)), _mul(("rec", x), ("rec", y)), True, "1/(xy) = (1/x)(1/y)"
        if kind == "sqrt-square":
            return _mul(("pow", x, Fraction(1, 2)), ("pow", x, Fraction(1, 2))), x, pos, "sqrt(x)^2 = x"
        if kind == "sqrt-relu":
            return ("sq", ("pow", x, Fraction(1, 2)), 2), ("relu", x), True, "sqrt(x)^2 = relu(x)"
        if kind == "square-sqrt":
            return ("pow", ("sq", x, 2), Fraction(1, 2)), self.pick(("abs", x), x), None, "sqrt(x^2) = |x|"
        if kind == "over-square":
            return ("/", x, ("sq", x, 2)), ("rec", x), True, "x / x^2 = 1/x"
        j, k = self.fresh(), self.fresh()
        lo, hi = self.pick((1, p), (1, p - 1), (1, "T"), (p, "T"), (2, p))

        def w(v):
            return ("exp", ("e", "X", Aff.of(v), Aff.of("b")))
        return _sum(j, lo, hi, _mul(w(j), ("rec", _sum(k, lo, hi, w(k))))), _n(1), None, \
            f"softmax weights over {Aff.of(lo).src()}..{Aff.of(hi).src()} sum to 1"

    def fam_explog(self, p: Aff):
        b = Aff.of("b")
        v = self.pick(("e", "V", p, b), _add(("e", "V", p, b), ("e", "X", p, b)), self.closed_sum(p, 0),
                      _i(p - 2), ("abs", ("e", "V", p, b)), _add(("e", "V", p, b), _n(1)))
        w = self.pick(("e", "X", p, b), ("exp", ("e", "X", p, b)), _i("T"))
        a, c = ("e", "X", p, b), ("e", "V", p, b)
        cases = [
            (("exp", ("log", v)), v, False, "exp(log v) = v"),
            (("exp", ("log", ("exp", v))), ("exp", v), True, "exp(log(exp v)) = exp v"),
            (("log", ("exp", v)), v, True, "log(exp v) = v"),
            (("log", _mul(v, w)), _add(("log", v), ("log", w)), False, "log(vw) = log v + log w"),
            (("log", _mul(("exp", a), ("exp", c))), _add(a, c), True, "log(e^a e^c) = a + c"),
            (("log", ("sq", v, 2)), _mul(_n(2), ("log", ("abs", v))), True, "log(v^2) = 2 log|v|"),
            (("log", ("sq", v, 2)), _mul(_n(2), ("log", v)), False, "log(v^2) = 2 log v"),
            (("exp", ("log", ("abs", v))), ("abs", v), False, "exp(log|v|) = |v|"),
            (("log", ("rec", v)), _mul(_n(-1), ("log", v)), True, "log(1/v) = -log v"),
            (("log", ("pow", v, Fraction(1, 2))), _mul(_n(Fraction(1, 2)), ("log", v)), True, "log sqrt v = log v / 2"),
            (_mul(("exp", ("log", v)), ("log", v)), _mul(v, ("log", v)), True, "exp(log v) log v = v log v"),
        ]
        return self.r.choice(cases)

    def fam_absrelu(self, p: Aff):
        b = Aff.of("b")
        x = self.pick(("e", "X", p, b), _add(("e", "X", p, b), ("e", "V", p, b)), self.closed_sum(p, 0), _i(p - 2))
        y = self.pick(("e", "V", p, b), _i(Aff.of("T") - 3), ("exp", ("e", "V", p, b)))

        def neg(e):
            return _mul(_n(-1), e)
        c = Fraction(self.pick(2, Fraction(1, 2), -1, -2))
        cases = [
            (_add(("relu", x), ("relu", neg(x))), ("abs", x), True, "relu x + relu(-x) = |x|"),
            (_add(("relu", x), neg(("relu", neg(x)))), x, True, "relu x - relu(-x) = x"),
            (("sq", ("abs", x), 2), ("sq", x, 2), True, "|x|^2 = x^2"),
            (("abs", _mul(x, y)), _mul(("abs", x), ("abs", y)), True, "|xy| = |x||y|"),
            (_mul(("relu", x), ("relu", neg(x))), _n(0), True, "relu x relu(-x) = 0"),
            (("abs", x), x, False, "|x| = x"),
            (("relu", ("abs", x)), ("abs", x), True, "relu|x| = |x|"),
            (("sq", ("relu", x), 2), _mul(x, ("relu", x)), True, "relu(x)^2 = x relu x"),
            (("abs", _add(x, y)), _add(("abs", x), ("abs", y)), False, "|x + y| = |x| + |y|"),
            (("relu", _mul(_n(c), x)), _mul(_n(c), ("relu", x)), c > 0, f"relu({c} x) = {c} relu x"),
            (("relu", x), _mul(x, ("g", ("rel", "gt", x, _n(0)))), True, "relu x = x [x > 0] (a real guard)"),
            (_mul(x, ("g", ("rel", "gt", x, _n(0)))), _mul(x, ("g", ("rel", "ge", x, _n(1)))), False,
             "[x > 0] = [x >= 1] for a real x"),
        ]
        return self.r.choice(cases)

    def fam_range(self, p: Aff):
        j = self.fresh()
        J, b, T = Aff.of(j), Aff.of("b"), Aff.of("T")
        M = self.pick("X", "V")
        f = self.pick(("e", M, J, b), _add(("e", M, J, b), self.const()), ("e", "Y", p, J), ("e", "W", J, b))
        cases = [
            (_sum(j, 1, T + 1, f), _sum(j, 1, T, f), "sum to T+1 = sum to T"),
            (_sum(j, 0, T, f), _sum(j, 1, T, f), "sum from 0 = sum from 1"),
            (_sum(j, 1, p + 1, f), _add(_sum(j, 1, p, f), subst(f, j, p + 1)), "extend to p+1"),
            (("e", M, p + 1, b), _mul(_g("lt", p, T), ("e", M, p + 1, b)), "V[p+1] = [p < T] V[p+1]"),
            (("e", M, p + 1, b), _mul(_g("le", p, T - 2), ("e", M, p + 1, b)), "V[p+1] = [p <= T-2] V[p+1]"),
            (_sum(j, 1, "N", _mul(_g("le", J, T), f)), _sum(j, 1, T, f), "sum to N with [j <= T] = sum to T"),
            (("e", M, p - 1, b), _mul(_g("ge", p, 2), ("e", M, p - 1, b)), "V[p-1] = [p >= 2] V[p-1]"),
        ]
        lhs, rhs, note = self.r.choice(cases)
        return lhs, rhs, None, note

    def fam_count(self, p: Aff):
        j = self.fresh()
        J, T = Aff.of(j), Aff.of("T")
        lo, hi = self.bounds(p)
        c = self.const()
        cases = [
            (_sum(j, lo, hi, _n(1)), _i(hi - lo + 1), None, "count a range"),
            (_sum(j, 1, T, _g("le", J, p)), _i(p), True, "count [j <= p]"),
            (_sum(j, 1, T, _g("lt", J, p)), _i(p - 1), True, "count [j < p]"),
            (_sum(j, 1, T, c), _mul(c, _i(T)), True, "sum of a constant"),
            (_sum(j, 1, p, _i(J)), _mul(_n(Fraction(1, 2)), _i(p), _i(p + 1)), True, "Gauss"),
            (_sum(j, 1, T, _g("lt", J * 2, T)), _i(T * Fraction(1, 2) - Fraction(1, 2)), False, "count [2j < T]"),
        ]
        return self.r.choice(cases)

    def fam_distribute(self, p: Aff):
        a, c, e = self.scalar(p, 0), self.scalar(p, 0), self.scalar(p)
        j = self.fresh()
        f, g = self.body(Aff.of(j), p, 0), self.body(Aff.of(j), p, 0)
        lo, hi = self.bounds(p)
        cases = [
            (_mul(_add(a, c), e), _add(_mul(a, e), _mul(c, e)), True, "distribute"),
            (("sq", _add(a, c), 2), _add(("sq", a, 2), _mul(_n(2), a, c), ("sq", c, 2)), True, "binomial"),
            (("sq", _add(a, c), 2), _add(("sq", a, 2), ("sq", c, 2)), False, "freshman's binomial"),
            (_sum(j, lo, hi, _add(f, g)), _add(_sum(j, lo, hi, f), _sum(j, lo, hi, g)), True, "split a sum of sums"),
            (("exp", _add(a, c)), _mul(("exp", a), ("exp", c)), True, "exp of a sum"),
            (("exp", _mul(a, c)), _mul(("exp", a), ("exp", c)), False, "exp of a product"),
        ]
        return self.r.choice(cases)

    def fam_domain(self, p: Aff):
        """A guard that restates the claim's own size constraint, maybe transformed."""
        T, N = Aff.of("T"), Aff.of("N")
        rel = (self.pick("le", "lt", "ge", "gt"), T * Fraction(self.pick(1, 2)),
               N * Fraction(self.pick(1, Fraction(1, 2), Fraction(2, 3))) + Fraction(self.pick(0, 1, -1)))
        new, ok, note = self.transform(rel)
        self.where_override = (("rel", rel[0], _i(rel[1]), _i(rel[2])),)
        f = self.scalar(p)
        return _mul(("g", ("rel", new[0], _i(new[1]), _i(new[2]))), f), f, ok is not False, f"where P: [P'] = 1, {note}"

    # -- a whole claim ------------------------------------------------------------------
    FAMILIES = {"guard_range": 3, "rational_guard": 4, "peel": 2, "split": 2, "fubini": 3, "rename": 1, "delta": 3,
                "factor": 2, "cond_split": 3, "cancel": 4, "explog": 2, "absrelu": 2, "range": 2, "count": 2,
                "distribute": 1, "domain": 2}

    def where(self) -> tuple:
        T, N, d = Aff.of("T"), Aff.of("N"), Aff.of("d")

        def rel(op, a, b):
            return ("rel", op, _i(a), _i(b))
        return self.pick(
            (rel("le", T, N),), (rel("ge", T, 4),), (rel("le", d, 2),), (rel("lt", T, N * Fraction(1, 2)),),
            (rel("le", T * 2, N * 3),), (rel("le", T, N), rel("le", N, T - 1)), (rel("lt", T, 2), rel("ge", T, 3)),
            (rel("ge", T, 7),), (rel("gt", N * Fraction(1, 2), T), rel("le", N, T * 2)), (rel("ge", T, N + 1),))

    def claim(self, name: str) -> FuzzClaim:
        self.where_override = None
        fam = self.r.choices(list(self.FAMILIES), weights=list(self.FAMILIES.values()))[0]
        wrap = fam != "domain" and self.chance(0.2)
        k = self.fresh() if wrap else None
        p = Aff.of(k) if wrap else Aff.of("t")
        lhs, rhs, ok, note = getattr(self, f"fam_{fam}")(p)
        if wrap:
            lo, hi = self.pick((1, "T"), (1, "T"), (1, "t"), (0, "T"), (1, Aff.of("T") + 1), (2, "T"), (1, "N"))
            w = self.pick(_n(1), ("e", "Y", Aff.of("t"), p), ("e", "X", p, Aff.of("b")), _g("le", p, "t"))
            lhs, rhs = _sum(k, lo, hi, _mul(w, lhs)), _sum(k, lo, hi, _mul(w, rhs))
            note += f"; under a sum over {k} = {Aff.of(lo).src()}..{Aff.of(hi).src()}"
        if self.chance(0.12):
            g, h = self.scalar(Aff.of("t"), 0), self.scalar(Aff.of("t"), 0)
            lhs, rhs = _add(_mul(g, lhs), h), _add(_mul(g, rhs), h)
            note += "; times g plus h on both sides"
        where = self.where_override if self.where_override is not None else (self.where() if self.chance(0.25) else ())
        return FuzzClaim(name, fam, lhs, rhs, where, ok is not False, note)


def generate(seed: int, n: int, start: int = 0) -> list[FuzzClaim]:
    """Claims number start..start+n-1 of the stream `seed` (each from its own generator: deterministic)."""
    return [_Gen(random.Random(f"fuzz:{seed}:{i}")).claim(f"fuzz_{seed}_{i}") for i in range(start, start + n)]


# --------------------------------------------------------------------------------------
# Checking a claim and judging the verdict.

PROBLEMS = ("false proof", "false proof (as written)", "vacuous proof", "wrong refutation", "bad counterexample",
            "oracle gap")
INFORMATIVE = ("sympy fold", "tree differs", "latent false proof")     # a constructor changed the claim; the verdict is not wrong for it


@dataclass
class Outcome:
    claim: FuzzClaim
    verdict: str                  # proved / refuted / undecided / error / crash (an exception from check)
    seconds: float
    reason: str = ""
    truth: str = "unknown"        # "true" / "false" at the sizes the oracle tried, or "unknown"
    problem: str | None = None    # one of PROBLEMS or INFORMATIVE, or None
    detail: str = ""
    oracle: Verdict | None = None


def _counterexample_reproduces(oracle: Oracle, ce, level: str) -> bool:
    sizes = {k: int(v) for k, v in ce.sizes.items()}
    if any(n not in sizes for n in oracle.fc.size_names):
        return True                 # symcheck did not treat a name as a size: cannot replay, no judgement
    inputs = {}
    for name, rows in ce.inputs.items():
        if name not in MATRICES:
            continue
        rows = rows if isinstance(rows, list) else [[rows]]
        inputs[name] = [[Fraction(float(x)) for x in row] for row in rows]
    try:
        return any(not same(a, b) for a, b in oracle.values(sizes, inputs, level).values())
    except (Indeterminate, ValueError, OverflowError):
        return True                 # cannot tell: give the verdict the benefit of the doubt


def _normal_forms_meet(claim: Claim, config: Config) -> bool:
    """Would the normalizer alone prove the claim? (The verdict was error/crash: e.g. the numeric
    cross-check could not evaluate a node.)"""
    from .engine import attempt_proof
    from .problem import pose_claim
    try:
        return attempt_proof(pose_claim(claim), config, time.monotonic() + config.max_seconds).proved
    except Exception:                        # noqa: BLE001  (no proof, whatever the reason)
        return False


def _truth(v: Verdict) -> str:
    return "false" if v.false else ("unknown" if v.empty_domain or v.timed_out else "true")


def run_claim(fc: FuzzClaim, config: Config, *, max_size: int = 5, cap: int = 40, light: bool = True,
              oracle_seconds: float = 60.0) -> Outcome:
    """Check `fc` with symcheck and judge the verdict with the oracle (the claim as written is the truth)."""
    from .engine import check
    start = time.monotonic()
    try:
        claim = fc.build()
    except Exception as err:                 # noqa: BLE001  (a rejected claim is an `error` verdict)
        return Outcome(fc, "error", time.monotonic() - start, f"{type(err).__name__}: {err}")
    try:
        res = check(claim, config)
        verdict, reason = res.verdict, res.reason or ""
    except Exception as err:                 # noqa: BLE001  (an exception from check is a finding)
        res, verdict, reason = None, "crash", f"{type(err).__name__}: {err}"
    out = Outcome(fc, verdict, time.monotonic() - start, reason)
    try:
        oracle = Oracle(fc)
        deadline = time.monotonic() + oracle_seconds
        if verdict == "proved":
            v = out.oracle = oracle.check(max_size, cap, deadline=deadline)
            out.truth = _truth(v)
            if v.empty_domain:
                out.problem, out.detail = "vacuous proof", "proved on an empty domain (no sizes up to 8)"
            elif v.false and v.tree_false:
                out.problem, out.detail = "false proof", v.found["written"].describe()
            elif v.false:
                out.problem = "sympy fold" if fc.uses_slash else "false proof (as written)"
                out.detail = v.found["written"].describe() + " (the built trees agree: a constructor changed the claim)"
            elif v.tree_false:
                out.problem = "tree differs"
                out.detail = v.found["tree"].describe() + " (the claim as written holds: a constructor changed it)"
        elif verdict == "refuted":
            ce = res.counterexample
            if _counterexample_reproduces(oracle, ce, "written"):
                out.truth = "false"
            else:
                v = out.oracle = oracle.check(max_size, cap, deadline=deadline)
                out.truth = _truth(v)
                out.problem = "bad counterexample" if v.false else "wrong refutation"
                tree = " (it does on the built trees)" if _counterexample_reproduces(oracle, ce, "tree") else ""
                out.detail = f"counterexample at sizes {ce.sizes} does not reproduce{tree}: {ce.where}"
        elif light:
            v = out.oracle = oracle.check(min(max_size, 4), 12, draws=("ints", "quarters"), deadline=deadline)
            out.truth = _truth(v)
            if v.false and verdict in ("error", "crash") and _normal_forms_meet(claim, config):
                out.problem = "latent false proof"
                out.detail = v.found["written"].describe() + f" (the normal forms meet; the verdict was {verdict}: {reason})"
    except Undefined as err:
        out.problem, out.detail = "sympy fold", str(err)
    except Exception as err:                 # noqa: BLE001  (a gap in the oracle is reported, not fatal)
        out.problem, out.detail = "oracle gap", f"{type(err).__name__}: {err}"
    return out


def summarize(outcomes: list[Outcome]) -> dict:
    """Counts of verdicts, of verdicts by truth, and of problems."""
    from collections import Counter
    verdicts = Counter(o.verdict for o in outcomes)
    by_truth = Counter((o.truth, o.verdict) for o in outcomes)
    problems = Counter(o.problem for o in outcomes if o.problem)
    true_total = sum(n for (t, _), n in by_truth.items() if t == "true")
    return {"claims": len(outcomes), "verdicts": dict(verdicts), "by_truth": {f"{t}/{v}": n for (t, v), n in
                                                                              sorted(by_truth.items())},
            "problems": dict(problems), "true": true_total, "true_proved": by_truth[("true", "proved")],
            "false_proofs": problems["false proof"] + problems["false proof (as written)"],
            "vacuous_proofs": problems["vacuous proof"], "wrong_refutations": problems["wrong refutation"]}
