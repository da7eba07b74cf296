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

import itertools
import json
import random
from dataclasses import dataclass
from pathlib import Path

import mpmath
import sympy as sp

from .index import Entry, Iverson, Sigma
from .matrix import MaskedSoftmax, MatInput, MatProd, MatScale, MatT
from .memory import ContentWeight, MemoryCell, WriteWeight
from .replay_semantics import DIGITS, Rejected, World, parse, scalar_value

__all__ = ["Rejected", "Verdict", "replay", "replay_file", "parse", "scalar_value", "replace_at"]

@dataclass(frozen=True)
class Verdict:
    name: str
    steps: int
    instantiations: int
    lemmas: int = 0           # > 0: a composition: its argument and its lemmas were re-checked

    def describe(self) -> str:
        what = f"{self.steps} steps re-checked at {self.instantiations} size instantiations"
        if self.lemmas:
            what += f", in {self.lemmas} lemmas, and the composition argument over the claim's structure"
        return what


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


def _put(e, var, value):
    """e[var := value] at free occurrences only: sums and a memory's computed rows bind their own indices."""
    if e == var:
        return value
    if not e.args:
        return e
    if isinstance(e, Sigma) and e.var == var:
        return Sigma(e.body, e.var, _put(e.lo, var, value), _put(e.hi, var, value))
    if isinstance(e, sp.Lambda) and var in e.variables:
        return e
    return e.func(*(_put(a, var, value) for a in e.args))


def _singleton_ok(r, c):
    return isinstance(r, Sigma) and r.lo == r.hi and c == _put(r.body, r.var, r.lo)


def _peel_ok(r, c):
    return isinstance(r, Sigma) and c == Sigma(r.body, r.var, r.lo, r.hi - 1) + _put(r.body, r.var, r.hi)


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


def replace_at(expr, path, new):
    """`expr` with the subterm at `path` (argument indices) replaced by `new`, rebuilt upwards."""
    if not path:
        return new
    args = list(expr.args)
    args[path[0]] = replace_at(args[path[0]], path[1:], new)
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

    def _worlds(self) -> list[World]:
        """Concrete sizes including all-ones and unequal ones, each with random inputs."""
        names = [s.name for s in self.sizes]
        valid = [dict(zip(names, v)) for v in itertools.product(range(1, 4), repeat=len(names))
                 if all(sp.sympify(lo).subs(dict(zip(self.sizes, v))) <= sp.sympify(hi).subs(dict(zip(self.sizes, v)))
                        for lo, hi in self.constraints)]
        if not valid:
            raise Rejected("no concrete sizes satisfy the claim's constraints")
        chosen = [valid[0], max(valid, key=lambda s: len(set(s.values()))), self.rng.choice(valid)]
        return [World(s, self._inputs(s)) for s in chosen]

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
            redex, contractum = parse(step["redex"]), parse(step["contractum"])
            before, path = current, step["path"]
            try:
                found = _at(before, path)
            except Rejected as err:
                raise Rejected(f"{where}: {err}") from None
            if found != redex:
                raise Rejected(f"{where}: the redex is not at the recorded position")
            after = replace_at(before, path, contractum)       # each step starts where the last one ended
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


def replay(cert: dict, seed: int = 0, memo: dict | None = None, progress=None) -> Verdict:
    """Validate a certificate (a dict); raises `Rejected` with the failing step.

    `memo` may be shared between replays of certificates of the same claim (tests
    replay many corrupted copies); values are keyed by expression, sizes and seed.
    `progress(line)` hears about each lemma of a composition as it is done (they take minutes)."""
    try:
        if cert.get("format") != 2:
            raise Rejected(f"unknown certificate format {cert.get('format')!r} (this checker reads format 2)")
        if cert.get("kind") == "composition":
            return _replay_lemmas(cert, seed, progress)
        with mpmath.workdps(DIGITS):
            return _Checker(cert, seed, memo).run()
    except (KeyError, TypeError, AttributeError, IndexError) as err:
        raise Rejected(f"malformed certificate: {type(err).__name__}: {err}") from None


# -- proofs by composition: the argument over the claim's structure, then each lemma -------------------
def _rename(node: dict, names: dict) -> dict:
    """The structure with free placeholders renamed (old name -> new); binders shadow."""
    if not names:
        return node
    if "input" in node:
        return {"input": {**node["input"], "name": names.get(node["input"]["name"], node["input"]["name"])}}
    if "formula" in node:
        f = node["formula"]
        entry = parse(f["entry"])
        swap = {m: MatInput(names[m.name], m.rows, m.cols) for m in entry.atoms(MatInput) if m.name in names}
        return {"formula": {**f, "entry": sp.srepr(entry.xreplace(swap))}}
    if "apply" in node:
        a = node["apply"]
        inner = {k: v for k, v in names.items() if k not in {p["name"] for p in a["placeholders"]}}
        return {"apply": {**a, "body": _rename(a["body"], inner), "args": [_rename(x, names) for x in a["args"]]}}
    st = node["stack"]
    inner = {k: v for k, v in names.items() if k != st["placeholder"]["name"]}
    return {"stack": {**st, "start": _rename(st["start"], names), "step": _rename(st["step"], inner)}}


def _lemma_states(cert: dict, lhs: dict, rhs: dict, bound: set[str], assumed: list) -> dict:
    """The lemma certificate proves exactly lhs ≡ rhs, assuming only what the claim assumes and
    nothing of the bound placeholders (they are instantiated at arbitrary matrices)."""
    if any(a not in assumed or a["input"] in bound for a in cert["claim"]["assumptions"]):
        raise Rejected("it assumes what the claim does not, or something of a placeholder")
    if cert.get("kind") == "composition":
        if cert["claim"]["lhs"] != lhs or cert["claim"]["rhs"] != rhs:
            raise Rejected("its claim is not the one the argument needs here")
        return cert["claim"]
    for side, node in (("lhs", lhs), ("rhs", rhs)):
        if "formula" not in node or parse(cert[side]["start"]) != parse(node["formula"]["entry"]):
            raise Rejected(f"its {side} is not the entry formula the argument needs here")
        if cert["claim"]["row"] != node["formula"]["row"] or cert["claim"]["col"] != node["formula"]["col"]:
            raise Rejected("it compares another entry than the argument needs")
    return cert["claim"]


def _check_argument(cert: dict) -> None:
    """Walk the claim's two structures along the argument tree: every step must fit the structures,
    and every lemma must state exactly the equation that step uses (each lemma used once)."""
    lemmas, used = cert["lemmas"], []

    def lemma(k, lhs, rhs, bound):
        if not isinstance(k, int) or not 0 <= k < len(lemmas) or k in used:
            raise Rejected(f"the argument uses lemma {k!r} where it cannot")
        used.append(k)
        try:
            return _lemma_states(lemmas[k]["certificate"], lhs, rhs, bound, cert["claim"]["assumptions"])
        except Rejected as err:
            raise Rejected(f"{lemmas[k]['title']}: {err}") from None

    def walk(a, b, tree):
        by = tree["by"]
        if by == "identical":
            if a != b:
                raise Rejected("the argument calls two different models identical")
        elif by == "lemma":
            lemma(tree["lemma"], a, b, set())
        elif by == "congruence":
            if "apply" not in a or "apply" not in b or not (
                    len(a["apply"]["args"]) == len(b["apply"]["args"]) == len(tree["args"])):
                raise Rejected("congruence applied to models that are not applications of the same arity")
            pa, pb = a["apply"]["placeholders"], b["apply"]["placeholders"]
            if [p["shape"] for p in pa] != [p["shape"] for p in pb]:
                raise Rejected("congruence over placeholders of different shapes")
            for x, y, t in zip(a["apply"]["args"], b["apply"]["args"], tree["args"]):
                walk(x, y, t)
            body = _rename(b["apply"]["body"], {q["name"]: p["name"] for p, q in zip(pa, pb)})
            lemma(tree["lemma"], a["apply"]["body"], body, {p["name"] for p in pa})
        elif by == "induction":
            if "stack" not in a or "stack" not in b:
                raise Rejected("induction on the depth applied to models that are not stacks")
            sa, sb = a["stack"], b["stack"]
            if parse(sa["depth"]) != parse(sb["depth"]) or sa["placeholder"]["shape"] != sb["placeholder"]["shape"]:
                raise Rejected("induction over stacks of different depths or widths")
            walk(sa["start"], sb["start"], tree["start"])
            step = _rename(sb["step"], {sb["placeholder"]["name"]: sa["placeholder"]["name"]})
            claim = lemma(tree["lemma"], sa["step"], step, {sa["placeholder"]["name"]})
            domain = {(parse(lo), parse(hi)) for lo, hi in claim["constraints"]}
            if (parse(sa["layer"]), parse(sa["depth"])) not in domain or parse(sa["layer"]) != parse(sb["layer"]):
                raise Rejected("the layer lemma is not restricted to layers 1..depth")
        else:
            raise Rejected(f"unknown step {by!r} in the argument")

    walk(cert["claim"]["lhs"], cert["claim"]["rhs"], cert["tree"])
    if sorted(used) != list(range(len(lemmas))):
        raise Rejected("the certificate holds lemmas the argument does not use")


def _replay_lemmas(cert: dict, seed: int, progress) -> Verdict:
    """A proof by composition: the argument fits the claim, and every lemma's certificate replays."""
    if not cert["lemmas"]:
        raise Rejected("a composition without lemmas proves nothing")
    _check_argument(cert)
    steps = lemmas = 0
    worlds = 0
    for lemma in cert["lemmas"]:
        try:
            v = replay(lemma["certificate"], seed, progress=progress)
        except Rejected as err:
            raise Rejected(f"{lemma['title']}: {err}") from None
        if progress is not None and not v.lemmas:
            progress(f"{cert['claim']['name']}: {lemma['title']} valid ({v.steps} steps)")
        steps, lemmas, worlds = steps + v.steps, lemmas + max(v.lemmas, 1), max(worlds, v.instantiations)
    return Verdict(cert["claim"]["name"], steps, worlds, lemmas)


def replay_file(path: str, seed: int = 0, progress=None) -> Verdict:
    try:
        cert = json.loads(Path(path).read_text())
    except OSError as err:
        raise Rejected(f"cannot read: {err.strerror}") from None
    except json.JSONDecodeError as err:
        raise Rejected(f"not JSON: {err}") from None
    if not isinstance(cert, dict):
        raise Rejected("not a certificate object")
    return replay(cert, seed, progress=progress)
