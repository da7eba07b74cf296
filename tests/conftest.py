import os
import sys
import tempfile
from pathlib import Path

# the CLI's proof cache: one fresh directory per test session, never the working tree's
os.environ.setdefault("SYMCHECK_CACHE_DIR", tempfile.mkdtemp(prefix="symcheck-cache-"))

sys.path.insert(0, str(Path(__file__).parent))

from hypothesis import settings  # noqa: E402

settings.register_profile("symcheck", deadline=None, derandomize=True, max_examples=30)
settings.load_profile("symcheck")

import pytest  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def library_results():
    """Every bundled claim checked once per test session (the layer proofs take seconds)."""
    from symcheck import check
    from symcheck.loader import load
    return {c.qualname: check(c) for c in load([str(ROOT / "derivations")])}
