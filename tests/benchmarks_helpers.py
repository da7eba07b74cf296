"""Reuse the mutation benchmark's independent equivalence check in tests."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

from mutation import numerically_equal  # noqa: E402,F401
