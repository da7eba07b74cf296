"""flash-linear-attention's pure-PyTorch reference implementations, loaded by file path.

`fla-core==0.6.0` (the test extra) ships `naive.py` references under `fla/ops/<family>/`;
importing `fla.ops.<family>` pulls in Triton kernels, which a CPU machine does not have,
so each reference file is loaded on its own. A reference someone else wrote is the point:
symcheck's two sides of a claim are compared against it, not against each other.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

fla = pytest.importorskip("fla", reason="the flash-linear-attention oracle needs fla-core==0.6.0 (the test extra)")


def reference(family: str, file: str = "naive.py") -> ModuleType:
    """The reference module `fla/ops/<family>/<file>`, without importing its package."""
    path = Path(fla.__file__).parent / "ops" / family / file
    spec = importlib.util.spec_from_file_location(f"fla_reference_{family}_{Path(file).stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
