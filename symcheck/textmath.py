"""Prose with ASCII formulas (`0 <= r <= C - 1`, `f_h`) typeset with its formulas as mathematics.

The rules' side conditions and the claims' assumptions are written once, in plain text, for
the terminal; a paper prints `$0 \\le r \\le C - 1$`, not `0 <= r <= C - 1`. A formula is a run
of space-separated tokens that are all mathematical (one-letter names with optional index or
prime, numbers, operators, brackets, a few function names) and that holds a relation or an index;
a lone one-letter name (not the article "a") is a variable too. Everything else is escaped text.
"""

from __future__ import annotations

import re

from .latex import escape

__all__ = ["prose"]

_RELATIONS = {"<=": r"\le", ">=": r"\ge", "!=": r"\ne"}
_GREEK = {"τ": r"\tau", "β": r"\beta", "α": r"\alpha", "σ": r"\sigma", "ℓ": r"\ell", "¬": r"\neg "}
_FUNCTIONS = ("exp", "log", "cos", "sin", "max", "min")
_NAME = r"(?:[A-Za-z]|[τβασℓ])'?(?:_(?:\{[^{}\s]*\}|[A-Za-z0-9]))?(?:\^(?:T|\d|\{[^{}\s]*\}))?'?"
_PIECE = re.compile(rf"{'|'.join(_FUNCTIONS)}|{_NAME}|\d+|\.\.|[-+*/^(),¬]|:=|<=|>=|!=|[<>=]")
_TOKEN = re.compile(r"\S+")
_TRAILING = ",;:."


def _mathematical(word: str) -> bool:
    """Whether `word` is made of formula pieces, no two names in a row (`provable` is a word, not p·r·o...)."""
    pieces, at = [], 0
    while at < len(word):
        m = _PIECE.match(word, at)
        if m is None:
            return False
        pieces.append(m.group())
        at = m.end()
    return not any(a[0].isalpha() and b[0].isalpha() for a, b in zip(pieces, pieces[1:]))


def _math(tokens: list[str]) -> str:
    text = " ".join(tokens)
    for greek, tex in _GREEK.items():
        text = text.replace(greek, tex + " " if not tex.endswith(" ") else tex)
    text = re.sub(r"\^T\b", r"^{\\top}", text)
    text = re.sub(r"\b(" + "|".join(_FUNCTIONS) + r")\b", r"\\\1", text)
    text = re.sub(r"<=|>=|!=", lambda m: _RELATIONS[m.group()], text)
    return "$" + text.replace("*", r"\cdot ").replace("..", r", \dots, ") + "$"


_RELATION = r":=|<=|>=|!=|[<>=]"
_OPERATOR = r"[-+*/]"


def _is_formula(tokens: list[str]) -> bool:
    """A relation or an arithmetic expression between operands; alone, an indexed or one-letter name."""
    text = " ".join(tokens)
    if text.count("(") != text.count(")") or re.search(r"[\^_](\s|$)", text):
        return False
    if len(tokens) > 1:
        ends = (tokens[0], tokens[-1])
        operand = not any(re.fullmatch(f"{_RELATION}|{_OPERATOR}", end) for end in ends)
        if operand and re.search(f"{_RELATION}|(^| ){_OPERATOR} ", text):
            return True
        juxtaposed = all(re.search(r"[_^]", w) or (len(w) == 1 and w not in "aAI") for w in tokens)
        return juxtaposed and any(re.search(r"[_^]", w) for w in tokens)       # a product, S_t^T q_t
    return bool(re.search(r"[_'¬^]|\.\.", text) or re.search(_RELATION, text)) or (len(text) == 1 and text not in "aAI")


def prose(text: str) -> str:
    """`text` as LaTeX (text mode): its formulas in math mode, the rest escaped."""
    out: list[str] = []       # pieces joined by spaces; an opening bracket glues to the piece after it
    run: list[str] = []
    lead = ""

    def emit(piece: str) -> None:
        nonlocal lead
        out.append(lead + piece)
        lead = ""

    def flush() -> None:
        if run:
            if _is_formula(run):
                emit(_math(run))
            else:
                for w in run:
                    emit(_math([w]) if _is_formula([w]) else escape(w))
            run.clear()

    for word in _TOKEN.findall(text):
        opening = "(" if word.startswith("(") and word.count("(") > word.count(")") else ""
        core = word[len(opening):].rstrip(_TRAILING)
        joined = " ".join(run + [core])
        if core.endswith(")") and joined.count(")") > joined.count("("):
            core = core[:-1]
        tail = word[len(opening) + len(core):]
        if not (core and _mathematical(core)):
            flush()
            emit(escape(word))
            continue
        if opening:
            flush()
            lead = opening
        run.append(core)
        if tail:
            flush()
            out[-1] += escape(tail)
    flush()
    return " ".join(out)
