"""Shared fixtures for the tests: a small symbolic world and a numeric comparison."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import sympy as sp
from hypothesis import strategies as st

from symcheck.context import Context
from symcheck.evaluate import evaluate
from symcheck.index import Iverson, Prod, Sigma, index, make_sum, reciprocal, sizes
from symcheck.ir import Formula, Model
from symcheck.matrix import matrix
from symcheck.model_ops import entry_of

T, d, N = sizes("T d N")
t, b = index("t"), index("b")
Q, K, V = matrix("Q", T, d), matrix("K", T, d), matrix("V", T, d)
INPUTS = (Q, K, V)
q, k, v = Q.base, K.base, V.base

FACTS = ((1, T), (1, d), (1, N), (T, N), (1, t), (t, T), (1, b), (b, d))
RESERVED = frozenset({"t", "b", "T", "d", "N"})


def world_context(assumptions=()) -> Context:
    return Context(assumptions=frozenset(assumptions), reserved=RESERVED).with_facts(*FACTS)


def draw_inputs(rng: np.random.Generator, Tv: int, dv: int, unit=()) -> dict[str, np.ndarray]:
    out = {}
    for m in INPUTS:
        x = rng.standard_normal((Tv, dv))
        if m.name in unit:
            x = x / np.linalg.norm(x, axis=1, keepdims=True)
        out[m.name] = x
    return out


def values(expr, Tv: int, dv: int, Nv: int, inputs) -> np.ndarray:
    return evaluate(expr, {t: Tv, b: dv}, {"T": Tv, "d": dv, "N": Nv}, inputs)


def same(x: np.ndarray, y: np.ndarray, tol: float = 1e-9) -> bool:
    """Equal where defined, and defined at the same places."""
    fx, fy = np.isfinite(x), np.isfinite(y)
    if not np.array_equal(fx, fy):
        return False
    return bool(np.allclose(x[fx], y[fy], rtol=tol, atol=tol))


def inlined(model: Model) -> Formula:
    """The model as one entry formula (applications inlined): the other semantics of a composition."""
    return Formula(model.label, model.rows, model.cols, lambda i, j: entry_of(model, i, j), model.constraints)


def derivation(name: str):
    """The bundled derivation file `derivations/<name>.py`, loaded as a module (the oracle tests read its models)."""
    path = Path(__file__).resolve().parent.parent / "derivations" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"derivation_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def index_expression(data, depth: int, scope: list):
    """A random index expression over free t, b whose row indices stay in 1..T."""
    choice = data.draw(st.integers(3, 7) if depth > 1 else st.integers(0, 7 if depth > 0 else 2))
    row = lambda: data.draw(st.sampled_from(scope))
    if choice == 0:
        return data.draw(st.sampled_from([q, k, v]))[row(), b]
    if choice == 1:
        return sp.Integer(data.draw(st.integers(-2, 3)))
    if choice == 2:
        r, other = row(), data.draw(st.sampled_from(scope + [T, t]))
        rel = data.draw(st.sampled_from([sp.Le, sp.Lt, sp.Eq]))
        return Iverson(rel(r, other)) if r != other else Iverson(sp.Le(1, r))
    if choice == 3:
        return index_expression(data, depth - 1, scope) + index_expression(data, depth - 1, scope)
    if choice == 4:
        return index_expression(data, depth - 1, scope) * index_expression(data, depth - 1, scope)
    if choice == 5:
        return sp.exp(data.draw(st.sampled_from([q, k]))[row(), b])
    var = index(f"j{depth}_{len(scope)}")
    hi = data.draw(st.sampled_from([t, T, t - 1]))
    if choice == 6:
        return make_sum(index_expression(data, depth - 1, scope + [var]), var, 1, hi)
    # a softmax-like denominator over a range that starts at 1 and ends at t or T (nonempty)
    hi = data.draw(st.sampled_from([t, T]))
    return reciprocal(make_sum(sp.exp(q[var, b]), var, 1, hi)) * index_expression(data, depth - 1, scope)


def certificate_frame() -> dict:
    """The certificate of X = X (X a T×d input): a frame whose starts and steps a forger replaces."""
    from symcheck import Claim, Config, check, from_index
    from symcheck.certificate import certificate
    X = matrix("X", T, d)
    same_x = from_index(T, d, lambda r, c: X[r, c])
    return certificate(check(Claim("p", same_x, same_x, statement="s"), Config(max_seconds=30)))


def forged_alpha_rename(frame: dict, lhs: sp.Expr, rhs: sp.Expr) -> dict:
    """A certificate over the input X whose lhs reaches rhs by one alpha-rename step at the root."""
    import json
    from symcheck.digest import claim_digest
    cert = json.loads(json.dumps(frame))
    cert["claim"]["inputs"] = [{"name": "X", "shape": [sp.srepr(T), sp.srepr(d)]}]
    cert["claim"]["row"], cert["claim"]["col"] = sp.srepr(t), sp.srepr(b)
    cert["lhs"] = {"start": sp.srepr(lhs), "steps": [
        {"rule": "alpha-rename", "path": [], "keep": 0, "redex": sp.srepr(lhs), "contractum": sp.srepr(rhs),
         "side_conditions": [], "obligations": []}]}
    cert["rhs"], cert["normal_form"] = {"start": sp.srepr(rhs), "steps": []}, sp.srepr(rhs)
    cert["claim"]["digest"] = claim_digest(cert)
    return cert


def exact_value(e: sp.Expr, env: dict, read) -> sp.Expr:
    """An evaluator independent of symcheck's (sums inside ranges included, which `evaluate` does not take): Σ, Π,
    brackets, +, ·, powers and floor, with `read(indexed, [index values])` for an input's entry."""
    def value(x, env):
        if isinstance(x, sp.Symbol):
            return env[x]
        if x.is_Number:
            return x
        if isinstance(x, (Sigma, Prod)):
            lo, hi = int(value(x.lo, env)), int(value(x.hi, env))
            terms = [value(x.body, {**env, x.var: sp.Integer(k)}) for k in range(lo, hi + 1)]
            return sp.Add(*terms) if isinstance(x, Sigma) else sp.Mul(*terms)
        if isinstance(x, Iverson):
            return sp.Integer(1 if x.args[0].func(*(value(y, env) for y in x.args[0].args)) else 0)
        if isinstance(x, sp.Indexed):
            return read(x, [int(value(i, env)) for i in x.indices])
        if isinstance(x, (sp.Add, sp.Mul, sp.Pow, sp.floor)):
            return x.func(*(value(y, env) for y in x.args))
        raise TypeError(type(x))
    return value(e, env)


class TooMuchWork(Exception):
    """A test of the checker's α-equivalence compared more than its limit allows."""


def count_alpha_calls(monkeypatch, limit: int) -> list[int]:
    """Count the checker's `_Alpha.eq` calls (in the returned list) and raise `TooMuchWork` past `limit`."""
    from symcheck import replay_alpha
    calls = [0]
    eq = replay_alpha._Alpha.eq

    def counted(self, x, y, left, right):
        calls[0] += 1
        if calls[0] > limit:
            raise TooMuchWork
        return eq(self, x, y, left, right)

    monkeypatch.setattr(replay_alpha._Alpha, "eq", counted)
    return calls
