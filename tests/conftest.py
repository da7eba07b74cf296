import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from hypothesis import settings  # noqa: E402

settings.register_profile("symcheck", deadline=None, derandomize=True, max_examples=30)
settings.load_profile("symcheck")
