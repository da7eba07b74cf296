"""Every node kind symcheck knows, one family module each, class and spec together.

Importing this package registers every spec (`spec_of` answers for every node
that may occur in a claim); the classes are used through `symcheck.index`,
`symcheck.matrix` and `symcheck.memory`.
"""

from . import arithmetic, guards, matrices, memory, reads, recurrence, sums  # noqa: F401  (registers every family's specs)
from .spec import Binder, NodeSpec, UnknownNode, find_spec, spec_of

__all__ = ["spec_of", "find_spec", "NodeSpec", "Binder", "UnknownNode"]
