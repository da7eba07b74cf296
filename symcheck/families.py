"""Claim families: the derivation files, with the title, sentence and place they give themselves.

An appendix reads as a paper does when its sections are the library's families in the
order the library declares them. A derivation file may set, at module level, `TITLE`
(the section title) and `ORDER` (a number: lower first; files without one follow, in file
order); the first line of its docstring is the family's one-sentence summary. They are read
from the file's syntax tree as literals, never by running it again.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Family", "family_of"]


@dataclass(frozen=True)
class Family:
    module: str
    title: str
    sentence: str
    order: float


def family_of(module: str, file: str) -> Family:
    """The family of claims declared in `file` (module `module`); defaults when the file cannot be read."""
    default = Family(module, module.replace("_", " ").capitalize() if module else "Claims", "", float("inf"))
    try:
        tree = ast.parse(Path(file).read_text(encoding="utf-8")) if file else None
    except (OSError, SyntaxError, ValueError):
        tree = None
    if tree is None:
        return default
    found = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            if node.targets[0].id in ("TITLE", "ORDER") and isinstance(node.value, ast.Constant):
                found[node.targets[0].id] = node.value.value
    doc = (ast.get_docstring(tree) or "").strip().splitlines()
    title, order = found.get("TITLE"), found.get("ORDER")
    return Family(module, title if isinstance(title, str) and title else default.title,
                  doc[0].strip() if doc else "",
                  float(order) if isinstance(order, (int, float)) and not isinstance(order, bool) else default.order)

