"""Claims: what a derivation file declares (results, what checking one yields, are in result.py)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import sympy as sp

from .affine import affine
from .context import UnitRows
from .errors import ClaimError
from .matrix import MatInput
from .ir import Model, joint_constraints
from .texcheck import check_statement_tex

__all__ = ["Claim", "unit_rows"]

METHODS = ("auto", "normalization")
EXPECTS = ("proved", "refuted", "undecided")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def unit_rows(X: MatInput) -> UnitRows:
    """Assumption: every row of X has Euclidean norm 1."""
    if not isinstance(X, MatInput):
        raise ClaimError(f"unit_rows takes an input matrix, not {type(X).__name__}", field="assume")
    return UnitRows(X.name, X.cols)


@dataclass(frozen=True)
class Claim:
    """`lhs ≡ rhs` for all inputs and all sizes in the domain, under `assume`.

    `expect` is the verdict the library's authors expect: `proved` for theorems,
    `refuted` for known-false variants kept as regression cases, `undecided` for a
    theorem symcheck cannot prove yet; `reason` (required with `undecided`, and only
    then) says why, so the gap stays visible in every report. `where` adds
    size constraints as pairs (lo, hi) meaning lo <= hi, or sympy relations.
    `method` is how to prove it: "auto" (by composition when both sides are
    compositions, else by normalization) or "normalization" (inline every
    composition and normalize the whole entry formula).
    `chunk_size` C compares the rows as t = (c − 1)·C + i for 1 <= c <= rows/C and
    1 <= i <= C (a chunkwise form's chunk c and offset i); rows must be a multiple of C.
    `via` are intermediate models m_1, ..., m_k: lhs ≡ m_1 ≡ ... ≡ m_k ≡ rhs is proved link by
    link, each a lemma, and the claim follows by transitivity (a reduction chain stated as one
    theorem with its lemmas in order).
    `statement_tex` is the statement for papers, its formulas in LaTeX (`texcheck` says what is
    accepted); without it the appendix prints `statement` as text.
    """

    name: str
    lhs: Model
    rhs: Model
    statement: str
    expect: str = "proved"
    assume: tuple = ()
    where: tuple = ()
    cites: tuple[str, ...] = ()
    method: str = "auto"
    chunk_size: object = None
    via: tuple = ()         # intermediate models of a chain lhs ≡ via[0] ≡ ... ≡ rhs
    reason: str = ""        # with expect="undecided": why symcheck cannot decide it (the missing rule or scheme)
    statement_tex: str | None = None   # the statement as its author typesets it (LaTeX text with inline math)
    file: str = ""          # set by the loader
    module: str = ""        # set by the loader: the derivation module's name
    source_digest: str = ""  # set by the loader: sha256 of the file's text it ran (the proof cache's key)
    lemma_number: tuple[int, ...] = ()   # set by a composite proof: (2, 1) is lemma 1 of lemma 2 of `module`'s claim

    @property
    def qualname(self) -> str:
        """`<derivation module>.<claim>`, the name used on the command line and in reports."""
        return f"{self.module}.{self.name}" if self.module else self.name

    def __post_init__(self):
        if not isinstance(self.name, str) or not _NAME.match(self.name):
            raise ClaimError(f"name must be an identifier, got {self.name!r}", field="name")
        if self.expect not in EXPECTS:
            raise ClaimError(f"expect must be one of {', '.join(EXPECTS)}, got {self.expect!r}",
                             claim=self.name, field="expect")
        if (self.expect == "undecided") != bool(self.reason):
            raise ClaimError("reason= is required with expect='undecided' and only then", claim=self.name,
                             field="reason")
        if self.method not in METHODS:
            raise ClaimError(f"method must be one of {', '.join(METHODS)}, got {self.method!r}",
                             claim=self.name, field="method")
        for side in ("lhs", "rhs"):
            if not isinstance(getattr(self, side), Model):
                raise ClaimError(f"{side} must be a Model (e.g. causal_attention(...)), got "
                                 f"{type(getattr(self, side)).__name__}", claim=self.name, field=side)
        object.__setattr__(self, "via", tuple(self.via) if isinstance(self.via, (tuple, list)) else (self.via,))
        for m in self.via:
            if not isinstance(m, Model):
                raise ClaimError(f"via takes models, got {type(m).__name__}", claim=self.name, field="via")
        if self.via and self.method == "normalization":
            raise ClaimError("via states a chain proved link by link, method='normalization' one normalization of "
                             "the inlined whole claim: give one of them", claim=self.name, field="via")
        if self.statement_tex is not None:
            check_statement_tex(self.statement_tex, self.name)
        for a in self.assume:
            if not isinstance(a, UnitRows):
                raise ClaimError(f"unknown assumption {a!r}", claim=self.name, field="assume")
        object.__setattr__(self, "assume", tuple(self.assume))
        object.__setattr__(self, "cites", tuple(self.cites))
        object.__setattr__(self, "where", tuple(_pair(w, self.name) for w in self.where))

    @property
    def constraints(self) -> tuple[tuple[sp.Expr, sp.Expr], ...]:
        """All size constraints, each once: the models' own and the claim's `where`."""
        return joint_constraints(self.lhs, self.rhs, where=self.where)


def _pair(w, name):
    """A constraint as (lo, hi) meaning lo <= hi. A strict a < b becomes k·a + 1 <= k·b with k
    making b - a integer-coefficient (T < N/2 is 2T + 1 <= N, not T + 1 <= N/2)."""
    if isinstance(w, tuple) and len(w) == 2:
        return sp.sympify(w[0]), sp.sympify(w[1])
    if isinstance(w, (sp.LessThan, sp.GreaterThan)):
        return (w.lhs, w.rhs) if isinstance(w, sp.LessThan) else (w.rhs, w.lhs)
    if isinstance(w, (sp.StrictLessThan, sp.StrictGreaterThan)):
        lo, hi = (w.lhs, w.rhs) if isinstance(w, sp.StrictLessThan) else (w.rhs, w.lhs)
        form = affine(hi - lo)
        if form is None:
            raise ClaimError(f"a strict size constraint must be affine in sizes, got {w}", claim=name, field="where")
        k = math.lcm(form[1].denominator, *(c.denominator for _, c in form[0]))
        return k * lo + 1, k * hi
    raise ClaimError(f"size constraint must be a pair (lo, hi) or an inequality, got {w!r}",
                     claim=name, field="where")
