"""The rule library. Importing this package registers every rule, in priority order."""

from . import lowering, memory, guards, sums, algebra, norms  # noqa: F401  (registration)
from .base import RULES, Assumed, Condition, Le, Obligation, Rule, normalizing_rules, rule

__all__ = ["RULES", "Rule", "Obligation", "normalizing_rules", "rule", "Le", "Assumed", "Condition"]
