"""What a posed claim must be before any rule sees it: built safely, of known nodes, in range.

* **No algebra outside the rules.** sympy's constructors cancel x·x⁻¹ → 1 and
  exp(log x) → x, both false at x = 0 under symcheck's total semantics. A user's
  entry function is therefore run under `sympy.evaluate(False)` (`build_entry`)
  and its tree rebuilt with symcheck's own `Power` and `Log` nodes; every posed
  side is also passed through `safe_tree`, which converts a stray power and
  rejects any node symcheck has no spec for (`symcheck.nodes`).
* **Entries in range.** Every index of an input entry, a memory cell or a
  content weight must provably lie within its shape, given the ranges of the
  enclosing sums and the Iverson guards of the enclosing product (a factor
  [j ≤ t − 1] makes V[j + 1, b] safe beside it). Otherwise the claim is an input
  error: symcheck would have to guess what the user meant by an entry that does
  not exist.
* **Integer indices.** Sum bounds and entry indices are integer-valued
  (T/2 is not); the entailment engine's tightening of strict inequalities needs it.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Callable

import sympy as sp

from .binders import fresh, names_in, rebind
from .context import Context
from .errors import ClaimError, SymcheckError
from .index import Iverson, Log, power
from .nodes import find_spec, spec_of

__all__ = ["build", "build_at", "build_entry", "safe_tree", "check_in_range", "NameClash"]

_NAMES = "+, ·, powers, exp, log, Abs, Relu, cos, sin, Iverson brackets, sums, input entries"
_HINTS = {"Sum": " (use make_sum(f, j, lo, hi), not sympy.Sum: its reversed ranges follow Karr's convention)",
          "Product": " (use symcheck.index.Prod, not sympy.Product)",
          "Formula": " (a model is not an entry: pass it as Q, K, V or memory rows, or wrap this side in apply)",
          "Applied": " (a model is not an entry: pass it as Q, K, V or memory rows, or wrap this side in apply)"}


class NameClash(ClaimError):
    """Two different symbols share a name: symcheck's entailment and rules identify symbols by name."""

    def __init__(self, name: str, field: str):
        self.name = name
        super().__init__(f"two different symbols are named {name} (e.g. a size and an index); give them "
                         "different names", field=field)


def build_entry(entry: Callable, i, j, field: str = "entry") -> sp.Expr:
    """The user's entry (i, j), built without sympy's folding and then rebuilt safely (`build`)."""
    return build(entry, (i, j), field)


def build(fn: Callable, args: tuple, field: str) -> sp.Expr:
    """`fn(*args)` built without sympy's folding and then rebuilt safely. Names are checked before
    the rebuild: canonicalizing [j <= N] with a bound j and a size N both named N would decide it
    on the spot."""
    with sp.evaluate(False):
        try:
            raw = sp.sympify(fn(*args))
        except SymcheckError as err:
            raise ClaimError(f"{_user_line(err)}{getattr(err, 'detail', err)}", field=field) from None
        except (TypeError, ValueError, IndexError, AttributeError) as err:
            raise ClaimError(f"{_user_line(err)}{type(err).__name__}: {err}{_hint(err)}", field=field) from None
    by_name: dict[str, set] = {}
    for s in raw.atoms(sp.Symbol):
        by_name.setdefault(s.name, set()).add(s)
    clash = sorted(name for name, group in by_name.items() if len(group) > 1)
    if clash:
        raise NameClash(clash[0], field)
    return safe_tree(raw, field, force=True)


def build_at(fn: Callable, params: tuple, field: str) -> sp.Expr:
    """`fn(*params)` built safely (`build`) at placeholders, then put at `params`: a binder of the user's named like
    a symbol of a parameter (a sum over k in a bias the softmax calls at its own k, over t_step in a recurrence's
    update, over s in a slot map called at s) is renamed first, not made to bind it. Parameters may be numbers or
    expressions (a slot map is called at 1 and at τ). Opaque nodes (a recurrence read inside) are left alone."""
    params = tuple(sp.sympify(p) for p in params)
    held = tuple(sp.Dummy(f"{p.name if isinstance(p, sp.Symbol) else f'arg{i}'}\u2020", integer=True)
                 for i, p in enumerate(params))
    built = build(fn, held, field)
    names = {x.name for p in params for x in p.free_symbols}
    used = names_in(built) | names

    def apart(v: sp.Symbol, scope) -> sp.Symbol | None:
        if v.name not in names:
            return None
        new = fresh(used)
        used.add(new.name)
        return new

    return rebind(built, apart).xreplace(dict(zip(held, params)))


def _user_line(err: BaseException) -> str:
    """'file:line: ' of the innermost frame outside symcheck and sympy: where the user's entry function went wrong."""
    import traceback
    from pathlib import Path
    own = Path(__file__).resolve().parent
    frames = [f for f in traceback.extract_tb(err.__traceback__)
              if own not in Path(f.filename).resolve().parents and "site-packages" not in f.filename]
    return f"{frames[-1].filename}:{frames[-1].lineno}: " if frames else ""


def _hint(err: BaseException) -> str:
    """What the user probably meant, for the mistakes entry functions commonly make."""
    if "cannot be interpreted as an integer" in str(err):
        return " (a sum over a symbolic range is make_sum(f, a, 1, d); Python's range() needs numbers)"
    return ""


def safe_tree(expr: sp.Basic, field: str, force: bool = False) -> sp.Basic:
    """`expr` with every power that sympy could fold made a `Power`, every `log` a `Log` and
    every float an exact rational; an unsupported node is a ClaimError naming it.

    `force` rebuilds every node (a tree built under `evaluate(False)` needs its Add and Mul
    evaluated); otherwise only changed nodes are rebuilt."""
    memo: dict = {}

    def walk(e):
        hit = memo.get(e)
        if hit is not None:
            return hit
        out = _one(e, walk, field, force)
        memo[e] = out
        return out

    return walk(expr)


def _one(e, walk, field, force):
    if find_spec(e) is None:
        name = getattr(type(e), "__name__", str(type(e)))
        hint = _HINTS.get(name, "")
        raise ClaimError(f"{name} ({e}) is not supported in an entry; symcheck knows {_NAMES}{hint}", field=field)
    if isinstance(e, sp.Float):
        return sp.Rational(repr(float(e)))
    if isinstance(e, sp.IndexedBase):
        return e
    if isinstance(e, sp.Symbol) and e.is_integer is not True:
        raise ClaimError(f"symbol {e.name} is not an integer: sizes come from sizes(), indices from indices(); "
                         "a real parameter is an input (a 1x1 matrix)", field=field)
    if not e.args:
        return e
    args = [walk(a) for a in e.args]
    if isinstance(e, sp.Pow):
        return power(*args)
    if isinstance(e, sp.log):
        if len(args) != 1:
            raise ClaimError(f"log with a base ({e}) is not supported; use log(x)/log(b)", field=field)
        return Log(args[0])
    if not force and all(a is b for a, b in zip(args, e.args)):
        return e
    return e.func(*args)


# -- entries in range --------------------------------------------------------------------------------
def check_in_range(expr: sp.Basic, ctx: Context, field: str) -> None:
    """Every index provably within its shape, every bound and index integer-valued (ClaimError).
    Memoised: the lemmas of a library share their blocks' formulas."""
    problem = _out_of_range(expr, ctx)
    if problem is not None:
        raise ClaimError(problem, field=field)


@lru_cache(maxsize=512)
def _out_of_range(expr: sp.Basic, ctx: Context) -> str | None:
    try:
        _Ranges("entry").walk(expr, ctx)
    except ClaimError as err:
        return err.detail
    return None


class _Ranges:
    def __init__(self, field: str):
        self.field = field
        self.seen: set = set()
        self.proved: dict = {}

    def require(self, lo, hi, what: str, ctx: Context):
        key = (ctx.facts, lo, hi)
        if key not in self.proved:
            self.proved[key] = ctx.proves_le(lo, hi)
        if not self.proved[key]:
            raise ClaimError(f"{what}: {lo} <= {hi} does not follow from the domain, the ranges of the "
                             "enclosing sums and the guards beside it", field=self.field)

    def integer(self, e, what: str):
        if sp.sympify(e).is_integer is not True:
            raise ClaimError(f"{what} {e} is not an integer for every size", field=self.field)

    def within(self, indices, shape, what: str, ctx: Context, first: int = 1):
        for k, (i, n) in enumerate(zip(indices, shape)):
            self.integer(i, f"index {k + 1} of {what}")
            self.require(first if k == 0 else 1, i, f"{what} index {i} may be below its range", ctx)
            self.require(i, n, f"{what} index {i} may exceed its range 1..{n}", ctx)

    def walk(self, e, ctx: Context):
        key = (e, ctx)
        if key in self.seen or not e.args:
            return
        self.seen.add(key)
        check = spec_of(e).in_range
        if check is not None:
            check(self, e, ctx)
        elif _range_binder(e) is not None:
            b = _range_binder(e)
            (var,), (lo, hi) = b.variables(e), b.bounds(e)
            for bound in (lo, hi):
                self.integer(bound, "the sum bound")
                self.walk(bound, ctx)
            self.walk(b.scope(e), ctx.enter_sum(var, lo, hi))
        elif isinstance(e, sp.Mul):
            guards = [g for g in e.args if isinstance(g, Iverson) and _facts(g)]
            for a in e.args:
                beside = [f for g in guards if g is not a for f in _facts(g)]
                self.walk(a, ctx.with_facts(*beside) if beside else ctx)
        else:
            for a in e.args:
                self.walk(a, ctx)


def _range_binder(e):
    """The binder of a node that binds one index over a range (a sum), else None."""
    b = spec_of(e).binder
    return b if b is not None and b.lo is not None else None


def _facts(guard: Iverson) -> tuple:
    cond = guard.args[0]
    if isinstance(cond, sp.LessThan):
        return ((cond.lhs, cond.rhs),)
    if isinstance(cond, sp.Equality):
        return ((cond.lhs, cond.rhs), (cond.rhs, cond.lhs))
    return ()









