"""symcheck: machine-checked equivalence claims between neural sequence architectures.

The public API is what a derivation file needs: sizes and input matrices, model
constructors, raw index expressions, and `Claim`.
"""

__version__ = "0.1.0"

from . import rules as _rules  # noqa: F401,E402  (registers the rule library)
from .claim import Claim, unit_rows  # noqa: E402
from .result import Result  # noqa: E402
from .compose import apply, stack  # noqa: E402
from .config import Config  # noqa: E402
from .engine import check  # noqa: E402
from .loader import load  # noqa: E402
from .runner import check_all  # noqa: E402
from .errors import ClaimError, DerivationFileError, SymcheckError  # noqa: E402
from .index import Iverson, index, indices, make_sum, size, sizes  # noqa: E402
from .matrix import matrix, tensor  # noqa: E402
from .scalars import scalar  # noqa: E402
from .ir import Model  # noqa: E402
from .concat import concat  # noqa: E402
from .models import causal_attention, cross_attention, dnc_feedback_read, from_index, sdnc_read  # noqa: E402
from .multihead import (gqa_attention, mqa_attention, multihead_attention, sdnc_gqa_read,  # noqa: E402
                        sdnc_mqa_read, sdnc_multihead_read)

__all__ = [
    "Claim", "Result", "Config", "check", "check_all", "load", "unit_rows",
    "size", "sizes", "index", "indices", "matrix", "tensor", "scalar", "make_sum", "Iverson",
    "Model", "apply", "stack", "concat", "causal_attention", "cross_attention", "sdnc_read", "dnc_feedback_read", "from_index",
    "multihead_attention", "sdnc_multihead_read", "mqa_attention", "sdnc_mqa_read",
    "gqa_attention", "sdnc_gqa_read",
    "SymcheckError", "ClaimError", "DerivationFileError",
]
