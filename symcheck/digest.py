"""The digest of a posed claim: what a certificate is bound to.

One function, shared by the writer (`certificate.py`, and `replay --against` through it)
and the checker, over plain JSON: sha256 of a canonical JSON of exactly what the checker
relies on. A certificate relabelled to another claim, or whose claim was edited, no
longer matches its digest.
"""

from __future__ import annotations

import hashlib
import json

__all__ = ["FLAT", "COMPOSITION", "claim_digest"]

FLAT = ("name", "sizes", "constraints", "row", "col", "rows", "cols", "inputs", "assumptions", "chunks")
OPTIONAL = ("chunks",)      # present only when the claim poses it: its rows compared chunk by chunk
COMPOSITION = ("name", "constraints", "assumptions", "lhs", "rhs")


def claim_digest(cert: dict) -> str:
    """sha256 over the claim as the checker uses it: for a flat proof its domain, inputs, assumptions
    and the two derivations' starts; for a composition its constraints, assumptions and structures."""
    claim = cert["claim"]
    if cert.get("kind") == "composition":
        bound = {"kind": "composition", **{k: claim[k] for k in COMPOSITION}}
    else:
        bound = {"kind": "flat", **{k: claim[k] for k in FLAT if k in claim or k not in OPTIONAL},
                 "lhs": cert["lhs"]["start"], "rhs": cert["rhs"]["start"]}
    text = json.dumps(bound, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode("ascii")).hexdigest()
