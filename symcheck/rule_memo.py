"""A rule's result at a node, remembered when it did not depend on where the node stands.

The normalizer meets the same subtree in many contexts (a layer's LayerNorm sits in every
term, each under other brackets and ranges), and tries every rule declared on it in each.
A rule is a deterministic function of (node, context); if, at a node, it returns without
reading its context at all, its result there is the same in every context. `apply` first
runs the rule with a `_Blindfold` for a context, which raises `ContextConsulted` on every use;
a rule that finishes has its result remembered for that node, and a rule that looks is run
with the real context, now and at every later attempt at that node.

Nothing here is trusted: the kernel (`normalize.proved_conditions`) re-proves each step's side
conditions in the step's own context, remembered or not.
"""

from __future__ import annotations

from functools import lru_cache

import sympy as sp

from .context import Context
from .rules import Rule

__all__ = ["apply", "inert", "ContextConsulted"]


class ContextConsulted(BaseException):
    """A rule used its context. A `BaseException`, so that no rule's `except Exception` can mistake it for a
    failure of its own and answer as if the context said nothing."""


class _Blindfold:
    """Stands where a rule expects its `Context`: any use of it, attribute, operator or printing, raises.
    (What cannot be intercepted, `is`, `id` and `isinstance`, no rule asks of its context.)"""

    __slots__ = ()

    def _looked(self, *args, **kwargs):
        raise ContextConsulted

    __getattr__ = __eq__ = __ne__ = __hash__ = __bool__ = __len__ = __iter__ = __contains__ = _looked
    __lt__ = __le__ = __gt__ = __ge__ = __or__ = __and__ = __add__ = __getitem__ = __call__ = _looked
    __repr__ = __str__ = __format__ = __reduce__ = __reduce_ex__ = _looked


_BLINDFOLD = _Blindfold()
_LOOKS = object()       # the rule read its context at this node


@lru_cache(maxsize=400_000)
def _blind(fn, node: sp.Basic):
    """fn's result at `node` without a context, or `_LOOKS`. Keyed by the rule's function (a rule's name
    may be reused by a test's own rule) and the node."""
    try:
        return fn(node, _BLINDFOLD)
    except ContextConsulted:
        return _LOOKS


def apply(r: Rule, node: sp.Basic, ctx: Context) -> sp.Basic:
    """`r(node, ctx)`, from memory when `r` did not read its context at `node`."""
    out = _blind(r.fn, node)
    return r(node, ctx) if out is _LOOKS else out


def inert(r: Rule, node: sp.Basic) -> bool:
    """Does `r` leave `node` as it is in every context (it did not read its context there, and returned
    `node`)? A strategy need not try it at `node` again."""
    out = _blind(r.fn, node)
    return out is not _LOOKS and (out is node or out == node)
