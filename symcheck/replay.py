"""The independent checker: replay a certificate without trusting the prover.

It imports nothing from the normalizer, the rules, the evaluator or the entailment of
the prover; it shares only the node classes (the vocabulary) and the claim digest. A
certificate is data: its expressions are rebuilt by a typed whitelist (`replay_parse`),
and every limit (file size, nesting, integers, sizes, sums, steps) turns hostile input
into a quick `Rejected`. For a certificate it checks that

1. the digest matches the claim it states (a relabelled or edited claim is caught);
2. per step: the redex sits at the recorded position of the expression the previous step
   ended with; the rule, by the checker's own table (`replay_rules`), produces this
   contractum, and its side conditions follow from the facts at the redex (claim domain,
   enclosing sums' ranges), re-proved by the checker's own entailment (`replay_entail`);
3. numerically, by its own total mpmath semantics, `before` and `after` agree at several
   concrete sizes (including size 1 and unequal sizes) with random inputs;
4. both derivations end in the certified normal form, and a memory is unrolled (a recurrence
   replaced by its closed form) only after its induction base and step, re-posed by the
   checker, are certified; a recurrence's state becomes another's only after their equal
   initial values and updates, re-posed by the checker, are certified.
"""

from __future__ import annotations

import itertools
import math
import json
import random
from dataclasses import dataclass
from pathlib import Path

import mpmath
import sympy as sp

from .digest import claim_digest
from .memory import Memory
from .nodes.recurrence import Recurrence
from .replay_alpha import search_budget
from .replay_compose import check_argument
from .replay_congruence import congruence_obligations
from .replay_positions import positions
from .replay_names import Names
from .replay_focus import Zipper
from .replay_parse import Rejected, parse, replace_at
from .replay_recurrence import recurrence_obligations
from .replay_scalars import declared_scalar, value_inside
from .replay_rules import SHAPES, Site, canonical, check_step, expected_obligations
from .replay_semantics import DIGITS, World, scalar_value

__all__ = ["FORMAT", "Rejected", "Replayed", "replay", "replay_file", "parse", "scalar_value", "replace_at", "SHAPES",
           "MAX_FILE", "MAX_SIZES", "MAX_STEPS", "MAX_TOTAL_WORK", "MAX_LEMMA_DEPTH",
           "MAX_NEST_SEARCH"]

FORMAT = 4
MAX_FILE = 64 * 2 ** 20      # bytes of a certificate file (the library's largest: 6 MB)
MAX_SIZES = 16               # size symbols of a claim
MAX_STEPS = 200_000          # steps of one certificate, lemmas included
MAX_TOTAL_WORK = 30_000_000  # node evaluations of one certificate, lemmas included (a few minutes at most)
MAX_LEMMA_DEPTH = 8          # compositions nested in compositions
MAX_NEST_SEARCH = 200_000    # orders tried and ranges compared matching nests of sums, over one certificate
MAX_POINTS = 100             # entries (row, col) compared per instantiation; more are sampled
MAX_FREE = 6                 # free indices of an obligation's domain
MAX_RECURRENCES = 16         # recurrences of a claim (an obligation is matched against every ordered pair)
EXHAUSTIVE = 3 ** 8          # size assignments in 1..3 enumerated; beyond that, sampled
FAR_TRIES = 20_000           # random size assignments tried when none in 1..3 satisfies the constraints
FAR_SIZE = 64                # the largest size tried there
FAR_WANT = 8                 # points collected there


@dataclass(frozen=True)
class Replayed:
    """A certificate that replayed: what the checker re-checked (a failure is `Rejected`, not one of these)."""

    name: str
    steps: int
    instantiations: int
    lemmas: int = 0           # > 0: a composition: its argument and its lemmas were re-checked

    def describe(self) -> str:
        what = f"{self.steps} steps re-checked at {self.instantiations} size instantiations"
        if self.lemmas:
            what += f", in {self.lemmas} lemmas, and the composition argument over the claim's structure"
        return what


def _need(cond: bool, what: str) -> None:
    if not cond:
        raise Rejected(f"malformed certificate: {what}")


class _Checker:
    def parse(self, text) -> sp.Basic:
        """An expression of this certificate, its names read as declared (`replay_names`). Parsed once per
        text: a step's contractum is the next step's context, and the texts repeat."""
        if isinstance(text, str) and text in self.parsed:
            return self.parsed[text]
        tree = parse(text)
        self.names.check(tree, text)
        if isinstance(text, str):
            self.parsed[text] = tree
        return tree

    def pairs(self, raw, what) -> list[tuple]:
        _need(isinstance(raw, list) and all(isinstance(p, list) and len(p) == 2 for p in raw), f"{what} must be pairs")
        return [(self.parse(lo), self.parse(hi)) for lo, hi in raw]

    def __init__(self, cert: dict, seed: int, memo: dict | None, budget: list[int]):
        self.cert, self.seed, self.budget = cert, seed, budget
        self.parsed: dict[str, sp.Basic] = {}
        claim = cert["claim"]
        _need(isinstance(claim["sizes"], list) and len(claim["sizes"]) <= MAX_SIZES,
              f"at most {MAX_SIZES} sizes")
        self.size_set = frozenset(parse(s) for s in claim["sizes"])
        self.names = Names(self.size_set)
        self.shapes, self.scalars = self.names.shapes, self.names.scalars
        self.sizes = [self.parse(s) for s in claim["sizes"]]
        _need(all(isinstance(s, sp.Symbol) for s in self.sizes), "sizes must be symbols")
        self.constraints = self.pairs(claim["constraints"], "constraints")
        self.row, self.col = self.parse(claim["row"]), self.parse(claim["col"])
        _need(isinstance(self.row, sp.Symbol) and isinstance(self.col, sp.Symbol), "row and col must be symbols")
        self.rows, self.cols = self.parse(claim["rows"]), self.parse(claim["cols"])
        for i in claim["inputs"]:
            _need(isinstance(i["name"], str) and isinstance(i["shape"], list) and 1 <= len(i["shape"]) <= 4,
                  "an input has a name and a shape of 1 to 4 dimensions")
            self.shapes[i["name"]] = tuple(self.parse(x) for x in i["shape"])
            if "interval" in i:
                _need(self.shapes[i["name"]] == (sp.S.One,), f"scalar {i['name']} has the shape (1,)")
                self.scalars[i["name"]] = declared_scalar(i["name"], i["interval"])
        self.assumed = frozenset((a["input"], self.parse(a["cols"])) for a in claim["assumptions"]
                                 if a["kind"] == "unit_rows")
        _need(len(self.assumed) == len(claim["assumptions"]), "unknown assumption kind")
        self.domain = tuple((sp.S.One, s) for s in self.sizes) + tuple(self.constraints)
        self.positions = positions(claim.get("chunks"), self.parse, self.sizes, self.domain,
                                   (self.row, self.rows), (self.col, self.cols))
        self.facts = self.domain + tuple(f for v, lo, hi in self.positions for f in ((lo, v), (v, hi)))
        self.rng = random.Random(seed)
        self.worlds = self._worlds()
        self.values: dict = {} if memo is None else memo
        self.point_cache: dict = {}
        self.steps = 0
        self.unrolled: frozenset = frozenset()
        self.congruent: frozenset = frozenset()

    # -- numeric instantiations --------------------------------------------------------------------------
    def _worlds(self) -> list[World]:
        """Concrete sizes including all-ones and unequal ones, each with random inputs: sizes in 1..3 if
        any satisfy the constraints, else the points found further out (smallest first)."""
        names = [s.name for s in self.sizes]
        if 3 ** len(names) <= EXHAUSTIVE:
            candidates = list(itertools.product(range(1, 4), repeat=len(names)))
        else:
            candidates = [(1,) * len(names)] + [tuple(self.rng.randint(1, 3) for _ in names) for _ in range(EXHAUSTIVE)]
        valid = [dict(zip(names, v)) for v in candidates if self._satisfied(dict(zip(names, v)))]
        if not valid:
            valid = self._far(names)
        if not valid:
            raise Rejected(f"no concrete sizes satisfy the claim's constraints (none in 1..3, none among "
                           f"{FAR_TRIES} random points with sizes up to {FAR_SIZE}): the domain is not shown nonempty")
        chosen = [valid[0], max(valid, key=lambda s: len(set(s.values()))), self.rng.choice(valid)]
        return [World(s, self._inputs(s)) for s in chosen]

    def _far(self, names) -> list[dict]:
        """Random points with sizes up to FAR_SIZE, the bound growing with the tries (a domain with no small
        point, such as T >= 4), smallest size sum first."""
        rng, found = random.Random(self.seed), []
        for k in range(FAR_TRIES):
            bound = min(FAR_SIZE, 4 + k // 100)
            point = {n: rng.randint(1, bound) for n in names}
            if point not in found and self._satisfied(point):
                found.append(point)
                if len(found) >= FAR_WANT:
                    break
        return sorted(found, key=lambda p: (sum(p.values()), tuple(p[n] for n in names)))

    def _satisfied(self, sizes) -> bool:
        w = World(sizes, {})
        return all(w.value(lo, {}) <= w.value(hi, {}) for lo, hi in self.constraints)

    def _inputs(self, sizes):
        out, w = {}, World(sizes, {})
        w.dimension(self.rows), w.dimension(self.cols)
        for name, shape in self.shapes.items():
            dims = [w.dimension(x) for x in shape]
            count = 1
            for n in dims:
                count *= n
            if count > 100_000:
                raise Rejected(f"input {name} has {count} entries at sizes {sizes}, more than the checker's limit")
            m = [value_inside(self.scalars[name], self.rng)] if name in self.scalars else self._random(dims)
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
        """Assignments of the free indices: the entries (sampled beyond MAX_POINTS), or samples of an
        obligation's domain."""
        key = (id(world), domain)
        if key not in self.point_cache:
            self.point_cache[key] = self._choose_points(world, domain)
        return self.point_cache[key]

    def _choose_points(self, world, domain):
        if domain is None:
            extents = [(v.name, world.dimension(hi)) for v, _, hi in self.positions]
            if math.prod(n for _, n in extents) <= MAX_POINTS:
                return [dict(zip((name for name, _ in extents), values))
                        for values in itertools.product(*(range(1, n + 1) for _, n in extents))]
            return [{name: self.rng.randint(1, n) for name, n in extents} for _ in range(MAX_POINTS)]
        free = sorted({s.name for lo, hi in domain for s in (lo.free_symbols | hi.free_symbols)} - set(world.sizes))
        if len(free) > MAX_FREE:
            raise Rejected(f"an obligation over more than {MAX_FREE} indices")
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
            world.work = 0
            self.values[key] = [world.value(expr, p) for p in points]
            self.budget[1] -= world.work
            if self.budget[1] < 0:
                raise Rejected(f"more than {MAX_TOTAL_WORK} evaluations in one certificate")
        return self.values[key]

    def _agree(self, before, after, where, domain):
        for world in self.worlds:
            try:
                points = self._points(world, domain)
                pairs = list(zip(points, self._numbers(before, world, points), self._numbers(after, world, points)))
            except Rejected as err:
                raise Rejected(f"{where}: {err}") from None
            for p, a, b in pairs:
                if abs(a - b) > mpmath.mpf(10) ** (-20) * (1 + abs(a) + abs(b)):
                    raise Rejected(f"{where}: before and after differ at sizes {world.sizes}, indices {p}: {a} vs {b}")

    # -- derivations -------------------------------------------------------------------------------------
    def derivation(self, d: dict, label: str, facts: tuple, domain=None) -> sp.Basic:
        _need(isinstance(d, dict) and isinstance(d["steps"], list), f"{label} must have a start and steps")
        focus = Zipper(self.parse(d["start"]), facts)
        current = focus.sub
        for k, step in enumerate(d["steps"], start=1):
            _need(isinstance(step, dict), f"{label}: a step must be an object")
            rule = step["rule"]
            where = f"{label}, step {k} ({rule})"
            self.budget[0] -= 1
            if self.budget[0] < 0:
                raise Rejected(f"{where}: more than {MAX_STEPS} steps")
            path = step["path"]
            _need(isinstance(rule, str) and isinstance(path, list), f"{where}: rule and path")
            try:
                redex, contractum = self.parse(step["redex"]), self.parse(step["contractum"])
                focus.move(path, step["keep"])
            except Rejected as err:
                raise Rejected(f"{where}: {err}") from None
            if focus.sub != redex:
                raise Rejected(f"{where}: the redex is not at the recorded position")
            site = Site(focus.facts, self.assumed, self.shapes, self.unrolled, self.congruent)
            why = check_step(rule, redex, contractum, site)
            if why is not None:
                raise Rejected(f"{where}: {why}" if why != "this rewrite is not what the rule does"
                               else f"{where}: this rewrite is not what rule {rule} does")
            after = focus.whole(contractum)
            self._agree(current, after, where, domain)
            focus.sub, current = contractum, after
            self.steps += 1
        return focus.root()

    def obligations(self) -> None:
        """Each obligation must be the induction base or step of a memory or of a recurrence of the claim, or
        one half of the congruence of two of its recurrences, as the checker poses it, and hold; one with both
        halves certified may be unrolled, or rewritten into the other (in later obligations too)."""
        certified = set()
        for ob in self.cert["obligations"]:
            title = ob["title"]
            domain = tuple(self.pairs(ob["domain"], f"obligation {title!r}: domain"))
            lhs, rhs = self.parse(ob["lhs"]["start"]), self.parse(ob["rhs"]["start"])
            kinds = {(mem, k) for mem in lhs.atoms(Memory) for k, (facts, left, right) in expected_obligations(mem).items()
                     if facts == frozenset(domain) and canonical(lhs) == canonical(left)
                     and canonical(rhs) == canonical(right)}
            kinds |= recurrence_obligations(self.recurrences, domain, lhs, rhs, self.size_set)
            kinds |= congruence_obligations(self.recurrences, domain, lhs, rhs, self.size_set)
            if not kinds:
                raise Rejected(f"obligation {title!r} is not the induction base or step of a memory or a recurrence, "
                               "nor the congruence of two recurrences")
            left = self.derivation(ob["lhs"], f"obligation {title!r}, left", self.domain + domain, domain)
            right = self.derivation(ob["rhs"], f"obligation {title!r}, right", self.domain + domain, domain)
            if left != right:
                raise Rejected(f"obligation {title!r}: the two sides end in different forms")
            certified |= kinds     # a later obligation may use what is certified (a recurrence read by another)
            self.unrolled = frozenset(m for m, k in certified if (m, "base") in certified and (m, "step") in certified)
            self.congruent = frozenset(p for p, k in certified if (p, "init") in certified and (p, "update") in certified)

    def run(self) -> Replayed:
        self.recurrences = sorted(set().union(*(self.parse(self.cert[s]["start"]).atoms(Recurrence)
                                                for s in ("lhs", "rhs"))), key=sp.default_sort_key)
        if len(self.recurrences) > MAX_RECURRENCES:
            raise Rejected(f"more than {MAX_RECURRENCES} recurrences in one claim")
        self.obligations()
        lhs = self.derivation(self.cert["lhs"], "lhs", self.facts)
        rhs = self.derivation(self.cert["rhs"], "rhs", self.facts)
        nf = self.parse(self.cert["normal_form"])
        if lhs != nf or rhs != nf:
            side = "lhs" if lhs != nf else "rhs"
            raise Rejected(f"{side}: the derivation does not end in the certified normal form")
        return Replayed(self.cert["claim"]["name"], self.steps, len(self.worlds))


def _header(cert) -> None:
    if not isinstance(cert, dict):
        raise Rejected("not a certificate object")
    fmt = cert.get("format")
    if fmt != FORMAT:
        raise Rejected(f"certificate format {fmt!r}: this checker reads format {FORMAT} only "
                       "(re-create it with 'symcheck check --certificates')")
    if not isinstance(cert.get("claim"), dict) or not isinstance(cert["claim"].get("name"), str):
        raise Rejected("malformed certificate: no claim name")
    if cert["claim"].get("digest") != claim_digest(cert):
        raise Rejected("the claim's digest does not match what the certificate states (relabelled or edited)")


def replay(cert: dict, seed: int = 0, memo: dict | None = None, progress=None, _depth: int = 0,
           _budget: list[int] | None = None) -> Replayed:
    """Validate a certificate (a dict); raises `Rejected` with the failing step, and nothing else.

    `memo` may be shared between replays of certificates of the same claim (tests
    replay many corrupted copies); values are keyed by expression, sizes and seed.
    `progress(line)` hears about each lemma of a composition as it is done (they take minutes)."""
    if _budget is None:                 # the outermost certificate: its lemmas share its budgets
        with search_budget(MAX_NEST_SEARCH):
            return replay(cert, seed, memo, progress, _depth, [MAX_STEPS, MAX_TOTAL_WORK])
    try:
        _header(cert)
        if cert.get("kind") == "composition":
            return _replay_lemmas(cert, seed, progress, _depth, _budget)
        with mpmath.workdps(DIGITS):
            return _Checker(cert, seed, memo, _budget).run()
    except Rejected:
        raise
    except Exception as err:       # whatever hostile data provokes is a rejection, never a crash
        raise Rejected(f"malformed certificate: {type(err).__name__}: {str(err)[:120]}") from None


def _replay_lemmas(cert: dict, seed: int, progress, depth: int, budget: list[int]) -> Replayed:
    """A proof by composition: the argument fits the claim, and every lemma's certificate replays."""
    if depth >= MAX_LEMMA_DEPTH:
        raise Rejected(f"compositions nested more than {MAX_LEMMA_DEPTH} deep")
    if not cert["lemmas"]:
        raise Rejected("a composition without lemmas proves nothing")
    check_argument(cert)
    steps = lemmas = worlds = 0
    for lemma in cert["lemmas"]:
        try:
            v = replay(lemma["certificate"], seed, progress=progress, _depth=depth + 1, _budget=budget)
        except Rejected as err:
            raise Rejected(f"{lemma['title']}: {err}") from None
        if progress is not None and not v.lemmas:
            progress(f"{cert['claim']['name']}: {lemma['title']} valid ({v.steps} steps)")
        steps, lemmas, worlds = steps + v.steps, lemmas + max(v.lemmas, 1), max(worlds, v.instantiations)
    return Replayed(cert["claim"]["name"], steps, worlds, lemmas)


def load_certificate(path: str) -> dict:
    """The certificate in a file, read within the limits; `Rejected` if unreadable or not JSON."""
    p = Path(path)
    try:
        if p.stat().st_size > MAX_FILE:
            raise Rejected(f"larger than the checker's limit of {MAX_FILE // 2 ** 20} MB")
        cert = json.loads(p.read_bytes())
    except OSError as err:
        raise Rejected(f"cannot read: {err.strerror}") from None
    except (ValueError, RecursionError) as err:           # JSONDecodeError, bad UTF-8, nesting
        raise Rejected(f"not JSON: {type(err).__name__}: {str(err)[:120]}") from None
    if not isinstance(cert, dict):
        raise Rejected("not a certificate object")
    return cert


def replay_file(path: str, seed: int = 0, progress=None) -> Replayed:
    return replay(load_certificate(path), seed, progress=progress)
