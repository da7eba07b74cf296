"""A claim's `statement_tex` checked before it reaches a paper: LaTeX a reader's build accepts.

A statement typeset by its author (`statement_tex=`) is pasted verbatim into every appendix and
into the author's own paper, so a mistake there breaks someone else's build, far from the claim.
It is checked where the claim is declared: balanced braces and `$`, and every command one of
symcheck's notation macros (with its arity) or a common text/math command of LaTeX and amsmath.
Commands that define, read or write anything (`\\def`, `\\input`, `\\write` ...) are refused.
"""

from __future__ import annotations

import re

from .errors import ClaimError
from .notation import NOTATION

__all__ = ["check_statement_tex", "COMMANDS"]

_GREEK = ("alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu xi pi rho "
          "sigma tau upsilon phi varphi chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega")
_MATH = ("frac tfrac dfrac sqrt sum prod exp log ln max min sin cos tan le leq ge geq ne neq lt gt in notin "
         "subset cdot cdots ldots dots times top circ odot otimes to mapsto infty partial nabla pm mp approx equiv "
         "sim mid lVert rVert lvert rvert left right bigl bigr Bigl Bigr big Big langle rangle lfloor rfloor "
         "lceil rceil mathbf mathrm mathit mathcal mathsf boldsymbol operatorname text textrm emph textit textbf "
         "texttt textsf quad qquad neg land lor forall exists ell hat tilde bar vec overline underline cap cup setminus "
         "mathbb colon ldotp overset bmod")
COMMANDS: frozenset[str] = frozenset(_GREEK.split() + _MATH.split())
_ARITY = {n.name: n.args for n in NOTATION}
_COMMAND = re.compile(r"\\([A-Za-z]+)|\\(.)")


def check_statement_tex(text: str, claim: str) -> None:
    """Raise ClaimError unless `text` is LaTeX (text mode, inline math) that compiles wherever the claim goes."""
    def fail(why: str) -> None:
        raise ClaimError(f"statement_tex {why}", claim=claim, field="statement_tex")

    if not isinstance(text, str) or not text.strip():
        fail("must be a nonempty string of LaTeX")
    depth = 0
    for ch in re.sub(r"\\.", "", text):
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth < 0:
            fail("closes a brace it never opened")
    if depth:
        fail("leaves a brace open")
    if len(re.findall(r"(?<!\\)\$", text)) % 2:
        fail("leaves math mode open (an odd number of $)")
    text_mode = re.split(r"(?<!\\)\$", text)[::2]
    if any(re.search(r"(?<!\\)[_^]", part) for part in text_mode):
        fail("puts _ or ^ outside math mode (write $k_t$, or \\_ for an underscore)")
    if re.search(r"\\\[|\\\]|\$\$|\\\\|%|#|&", text):
        fail(r"must be inline text: no display math, line breaks, %, # or &")
    for m in _COMMAND.finditer(text):
        name = m.group(1)
        if name is None:
            if m.group(2) not in ",;:! {}$_|":
                fail(f"uses \\{m.group(2)}")
            continue
        if name in _ARITY:
            if _groups(text, m.end()) < _ARITY[name]:
                fail(f"gives \\{name} fewer than the {_ARITY[name]} argument(s) it takes")
        elif name not in COMMANDS:
            fail(f"uses \\{name}, which is neither a symcheck macro nor a common LaTeX command")


def _groups(text: str, at: int) -> int:
    """How many brace groups follow position `at` directly (the arguments of a macro call)."""
    count = 0
    while at < len(text) and text[at] == "{":
        depth = 0
        for k in range(at, len(text)):
            depth += {"{": 1, "}": -1}.get(text[k], 0) if text[k - 1] != "\\" or k == at else 0
            if depth == 0:
                at = k + 1
                break
        count += 1
    return count
