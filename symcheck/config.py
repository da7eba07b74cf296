"""Budgets and seeds in one frozen value, so a result can say how it was obtained."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace

from .errors import UsageError

__all__ = ["Config"]


@dataclass(frozen=True)
class Config:
    """Effective configuration of one check run (printed with every result)."""

    seed: int = 0
    max_steps: int = 20000         # rewrite steps per claim (both sides, obligations) before `undecided`
    max_seconds: float = 60.0      # wall time per claim for proof + search
    max_size: int = 4              # largest concrete size the falsifier tries
    trials_per_size: int = 3       # random input draws per size assignment
    max_trials: int = 400          # total numeric trials per claim
    precision_digits: int = 50     # mpmath digits used to confirm a counterexample
    rel_tol: float = 1e-9          # float64 difference that counts as a candidate

    def with_(self, **changes) -> "Config":
        """A copy with `changes`; unknown keys are rejected, not ignored."""
        known = {f.name for f in fields(self)}
        unknown = sorted(set(changes) - known)
        if unknown:
            raise UsageError(f"unknown configuration key(s): {', '.join(unknown)}")
        return replace(self, **changes)

    def as_dict(self) -> dict:
        return asdict(self)
