"""The rule library: one `RuleSet` per domain, and the default normalizing set composed from them.

Priority is explicit: `NORMALIZING` asks the sets in the order written here, and each
set its rules in the order listed at the end of its module. `INDUCTION` (the peel of an
induction step), `REINDEX` (shifting and reversing a sum, for a scheme that lines sums
up) and `BINDERS` (the final canonical renaming) are applied by name or by their own
phase, never while normalizing.
"""

from .algebra import ALGEBRA
from .base import Assumed, Condition, Le, Obligation, Rule, RuleSet, by_name, rule
from .binders import BINDERS
from .congruence import CONGRUENCE
from .guards import GUARDS
from .integers import INTEGERS
from .lowering import LOWERING
from .memory import MEMORY
from .norms import NORMS
from .products import PRODUCTS
from .reindex import REINDEX
from .softmax import SOFTMAX
from .recurrence import RECURRENCE
from .sums import INDUCTION, SUMS
from .trig import TRIG

__all__ = ["RULES", "RULE_SETS", "NORMALIZING", "BINDERS", "REINDEX", "Rule", "RuleSet", "Obligation", "rule", "Le", "Assumed",
           "Condition"]

NORMALIZING = RuleSet.concat("normalizing", LOWERING, MEMORY, RECURRENCE, CONGRUENCE, INTEGERS, GUARDS, SUMS, PRODUCTS,
                             ALGEBRA, SOFTMAX, TRIG, NORMS)
RULE_SETS: tuple[RuleSet, ...] = (LOWERING, MEMORY, RECURRENCE, CONGRUENCE, INTEGERS, GUARDS, SUMS, PRODUCTS, ALGEBRA,
                                  SOFTMAX, TRIG, NORMS, INDUCTION, REINDEX, BINDERS)
RULES: dict[str, Rule] = by_name(RULE_SETS)     # every rule by name: certificates and obligations name rules
