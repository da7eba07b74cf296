"""The slow library (derivations/slow): run with SYMCHECK_SLOW=1 (about a minute per claim)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from symcheck import Config, check
from symcheck.loader import load

ROOT = Path(__file__).resolve().parent.parent
SLOW = load([str(ROOT / "derivations" / "slow")])


@pytest.mark.skipif(not os.environ.get("SYMCHECK_SLOW"), reason="slow proofs; set SYMCHECK_SLOW=1 to run them")
@pytest.mark.parametrize("claim", SLOW, ids=lambda c: c.qualname)
def test_slow_claims_get_their_verdicts(claim):
    r = check(claim, Config(max_seconds=600))
    assert r.verdict == claim.expect, r.reason
