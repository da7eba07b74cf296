"""The DNC's vocabulary for the stateless DNC: write-once memories and content reads.

The classes and their semantics live in `symcheck.nodes.memory`; this is their public module.
"""

from __future__ import annotations

from .nodes.memory import (SIMILARITIES, ContentWeight, FeedbackRead, Memory, MemoryCell, Rows, WriteWeight,
                           similarity)

__all__ = ["Memory", "Rows", "MemoryCell", "WriteWeight", "ContentWeight", "FeedbackRead", "SIMILARITIES", "similarity"]
