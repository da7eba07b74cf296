"""The falsifier: look for a concrete counterexample, smallest sizes first.

Sizes are enumerated in order of their sum (so the first counterexample found
is already minimal in total size), each with a few seeded random inputs in
float64. A candidate is then simplified (small integer inputs where they still
refute) and *confirmed* in high precision with mpmath before it is reported;
float noise never becomes a counterexample.
"""

from __future__ import annotations

import time
from functools import lru_cache
from dataclasses import dataclass

import numpy as np

from .counterexample import Counterexample, as_lists
from .domain import value_at
from .config import Config
from .evaluate import mp_backend
from .weights import intermediates
from .matrix import ScalarInput
from .problem import Problem
from .scalars import draw

__all__ = ["Search", "search", "size_assignments", "sample_inputs", "compare"]


@dataclass(frozen=True)
class Search:
    counterexample: Counterexample | None
    trials: int
    largest: dict[str, int] | None     # the largest sizes tried
    timed_out: bool


def size_assignments(problem: Problem, max_size: int, budget: int = 50000):
    """Assignments of sizes in 1..max_size in the domain, smallest sum first (at most `budget`
    candidates examined); for a domain with no small point, a few points further out."""
    found = problem.domain.points(max_size, want=budget, budget=budget)
    return found or problem.domain.far_points(8, seed=0)


def _shape(problem: Problem, m, sizes):
    return concrete_shape(m.shape, tuple(sorted(sizes.items())))


@lru_cache(maxsize=4096)
def concrete_shape(shape: tuple, sizes: tuple) -> tuple[int, ...]:
    """A symbolic shape at concrete sizes (cached: the falsifier asks for the same ones again and again)."""
    point = dict(sizes)
    return tuple(value_at(x, point) for x in shape)


def sample_inputs(problem: Problem, sizes: dict[str, int], rng: np.random.Generator, integer: bool = False,
                  zeros: float = 0.0):
    """Random inputs of the right shapes; rows with a unit-norm assumption are normalized, scalars drawn
    in their intervals. Integer draws take values in -2..2 (a scalar's readable values: `scalars.small_values`);
    `zeros` is the extra share of entries set to exactly 0."""
    unit = {a.name for a in problem.assume}
    out = {}
    for m in problem.inputs:
        if isinstance(m, ScalarInput):          # inside its interval, whatever the draw: a hypothesis of the claim
            out[m.name] = np.array([draw(m, rng, small=integer)])
            continue
        shape = _shape(problem, m, sizes)
        if integer:
            x = rng.integers(-2, 3, size=shape).astype(float)
            if zeros:
                x = np.where(rng.random(shape) < zeros, 0.0, x)
        else:
            x = rng.standard_normal(shape)
        if m.name in unit:
            if integer:
                return None                   # integer rows are not unit rows in general
            x = x / np.linalg.norm(x, axis=-1, keepdims=True)
        out[m.name] = x
    return out


def compare(lhs: np.ndarray, rhs: np.ndarray, rel_tol: float) -> np.ndarray:
    """Boolean mask of entries that differ: both defined and apart, or only one defined."""
    lhs = np.asarray(lhs, dtype=float)
    rhs = np.asarray(rhs, dtype=float)
    fl, fr = np.isfinite(lhs), np.isfinite(rhs)
    both = fl & fr
    with np.errstate(all="ignore"):
        apart = np.abs(lhs - rhs) > rel_tol * (1 + np.maximum(np.abs(lhs), np.abs(rhs)))
    return (both & apart) | (fl != fr)


def search(problem: Problem, config: Config, deadline: float | None = None) -> Search:
    """Sizes smallest first; at each, `trials_per_size` draws: normal ones, and last a small-integer
    draw from a stream of its own, zero-heavy at every other size (a claim false only where an
    input is exactly 0, such as x/x = 1, needs the zeros)."""
    rng, integers = np.random.default_rng(config.seed), np.random.default_rng(config.seed + 7)
    trials = 0
    largest = None
    for n, sizes in enumerate(size_assignments(problem, config.max_size)):
        largest = sizes
        for k in range(config.trials_per_size):
            if trials >= config.max_trials or (deadline is not None and time.monotonic() > deadline):
                return Search(None, trials, largest, True)
            inputs = _draw(problem, sizes, rng, integers, -1 if k < config.trials_per_size - 1 else n % 2)
            if inputs is None:
                continue
            trials += 1
            lhs, rhs = problem.values(sizes, inputs)
            if not compare(lhs, rhs, config.rel_tol).any():
                continue
            inputs = _simplest(problem, sizes, inputs, _kind(lhs, rhs, config), rng, config)
            confirmed = _confirm(problem, sizes, inputs, config)
            if confirmed is not None:
                return Search(confirmed, trials, largest, False)
    return Search(None, trials, largest, False)


def _draw(problem, sizes, rng, integers, extra: int):
    """A normal draw (extra < 0), else a small-integer one (extra 0) or a zero-heavy one (extra 1);
    None where integers cannot satisfy the claim's assumptions (unit-norm rows)."""
    if extra < 0:
        return sample_inputs(problem, sizes, rng)
    return sample_inputs(problem, sizes, integers, integer=True, zeros=0.5 * extra)


def _kind(lhs, rhs, config) -> str:
    """'value' if some entry differs with both sides defined, else 'definedness'."""
    both = np.isfinite(np.asarray(lhs, float)) & np.isfinite(np.asarray(rhs, float))
    return "value" if (compare(lhs, rhs, config.rel_tol) & both).any() else "definedness"


VISIBLE = 0.1      # a gap a reader sees at a glance: stop looking for a clearer counterexample


def _simplest(problem, sizes, inputs, kind, rng, config, tries: int = 24):
    """Prefer small-integer inputs that still refute in the same way (a value
    difference stays a value difference: a zero key that makes the cosine
    undefined is a worse explanation than the one found), and among those one
    whose gap is visible (saturated softmaxes make some gaps tiny, though real)."""
    best, best_gap = inputs, None
    for _ in range(tries):
        candidate = sample_inputs(problem, sizes, rng, integer=True)
        if candidate is None:
            return best
        lhs, rhs = problem.values(sizes, candidate)
        if compare(lhs, rhs, config.rel_tol).any() and _kind(lhs, rhs, config) == kind:
            gap = _gap(lhs, rhs)
            if best_gap is None or gap > best_gap:
                best, best_gap = candidate, gap
            if kind != "value" or gap >= VISIBLE:
                break
    return best


def _gap(lhs, rhs) -> float:
    """The largest relative difference where both sides are defined."""
    lhs, rhs = np.asarray(lhs, float), np.asarray(rhs, float)
    both = np.isfinite(lhs) & np.isfinite(rhs)
    if not both.any():
        return 0.0
    rel = np.abs(lhs - rhs) / (1 + np.maximum(np.abs(lhs), np.abs(rhs)))
    return float(rel[both].max())


def _confirm(problem, sizes, inputs, config) -> Counterexample | None:
    """Re-evaluate in high precision; report only a difference that survives."""
    backend = mp_backend(config.precision_digits)
    lhs, rhs = problem.values(sizes, inputs, backend)
    lf, rf = _to_float(lhs), _to_float(rhs)
    diff = _mp_differs(lhs, rhs, 10.0 ** (-(config.precision_digits // 2)))
    if not diff.any():
        return None
    with np.errstate(all="ignore"):
        gaps = np.where(np.isfinite(lf) & np.isfinite(rf), np.abs(lf - rf), -1.0)
    undefined = np.isfinite(lf) != np.isfinite(rf)
    if undefined.any():
        pos = tuple(int(k) for k in np.argwhere(undefined)[0])
        side = "rhs" if np.isfinite(lf[pos]) else "lhs"
        where = f"{side} undefined at {_entry_name(problem, pos)}"
    else:
        pos = tuple(int(k) for k in np.unravel_index(np.argmax(gaps), gaps.shape))
        where = f"largest difference at {_entry_name(problem, pos)}"
    finite = gaps[gaps >= 0]
    first = tuple(int(k) for k in np.argwhere(diff)[0])
    return Counterexample(
        sizes=dict(sizes),
        inputs={k: as_lists(v) for k, v in inputs.items()},
        lhs=as_lists(lf), rhs=as_lists(rf),
        max_abs_diff=float(finite.max()) if finite.size else None,
        where=where, first_difference=_entry_name(problem, first),
        intermediates=intermediates(problem, sizes, inputs))


def _mp_differs(lhs, rhs, tol) -> np.ndarray:
    """Entrywise difference decided on the high-precision values themselves."""
    out = np.zeros(lhs.shape, dtype=bool)
    for k in np.ndindex(lhs.shape):
        a, b = lhs[k], rhs[k]
        da, db = a == a, b == b                     # NaN is the one value unequal to itself
        if da != db:
            out[k] = True
        elif da and db:
            out[k] = abs(a - b) > tol * (1 + max(abs(a), abs(b)))
    return out


def _entry_name(problem, pos) -> str:
    return f"entry ({problem.row}={pos[0] + 1}, {problem.col}={pos[1] + 1})"


def _to_float(a) -> np.ndarray:
    with np.errstate(invalid="ignore"):          # undefined (NaN) entries are expected here
        return np.vectorize(lambda v: float(v), otypes=[float])(a) if a.size else np.asarray(a, dtype=float)
