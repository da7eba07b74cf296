"""How an entry of a named input is typeset: one font, no double subscripts, layer and head in place.

An input is a bold matrix (`\\mat{Q}`); its entries are italic scalars, `Q_{t,a}`, whether the
proof has lowered them yet (`entry-input`) or not, so one object keeps one font. A name with a
subscript of its own is parenthesised before its indices, `(W_{1})_{i,m}`, never `W_{1 i,m}`.
A stacked weight's layer axis (its size one of `LAYER_SIZES`, first) becomes the superscript
`(\\ell)`, and a head axis (size `H`) joins the name's subscript: `(W^{(\\ell)}_{Q,h})_{i,a}`,
as a paper writes the weights of head h in layer ℓ.
"""

from __future__ import annotations

import re

import sympy as sp
from sympy.printing.latex import greek_letters_set

__all__ = ["entry_tex", "word_subscript", "LAYER_SIZES", "HEAD_SIZES"]

LAYER_SIZES = frozenset({"L", "L_e", "L_d"})    # the depth of a stack (encoder, decoder)
HEAD_SIZES = frozenset({"H"})                    # the number of heads
_SUBSCRIPTED = re.compile(r"([A-Za-z]+)_([A-Za-z0-9]+)")    # W_Q, g_1: a stem and its subscript
_WORD = re.compile(r"([A-Za-z]+)_([A-Za-z]{2,})")             # u_prev, d_ff: a stem and a word


def word_subscript(name: str) -> tuple[str, str] | None:
    """`u_prev` -> ('u', 'prev'): a name whose subscript is a word, set upright (`u^{\\mathrm{prev}}`, `d_{\\mathrm{ff}}`),
    not as a product of italic letters; a Greek letter's name (`x_alpha`) is not a word."""
    found = _WORD.fullmatch(name)
    if found is None or found.group(2).lower() in greek_letters_set:
        return None
    return found.group(1), found.group(2)


def _named(size, names: frozenset[str]) -> bool:
    return isinstance(size, sp.Symbol) and size.name in names


def entry_tex(printer, name: str, indices: tuple, shape: tuple | None = None) -> str:
    """The entry `name[indices]` of an input of `shape` (None: a plain matrix) as LaTeX."""
    indices = tuple(indices)
    word = word_subscript(name)
    if word is not None and not any(_named(n, LAYER_SIZES | HEAD_SIZES) for n in (shape or ())):
        stem, sub = word                   # u^{prev}_{t,1}: the word above, the indices below, no parentheses
        base = rf"{printer._print(sp.Symbol(stem))}^{{\mathrm{{{sub}}}}}"
        return base + (f"_{{{','.join(map(printer._print, indices))}}}" if indices else "")
    shape = tuple(shape) if shape is not None and len(shape) == len(indices) else (None,) * len(indices)
    layer = [k for k in range(len(indices)) if k == 0 and _named(shape[k], LAYER_SIZES) and len(indices) > 1]
    heads = [k for k in range(len(indices)) if _named(shape[k], HEAD_SIZES) and k not in layer]
    heads = heads[:1] if len(indices) - len(layer) > 1 else []
    rest = [printer._print(indices[k]) for k in range(len(indices)) if k not in layer and k not in heads]
    split = _SUBSCRIPTED.fullmatch(name)
    stem, sub = (split.group(1), split.group(2)) if split else (name, "")
    subscript = [printer._print(sp.Symbol(sub))] if sub else []
    subscript += [printer._print(indices[k]) for k in heads]
    base = printer._print(sp.Symbol(stem))
    if subscript:
        base += "_{" + ",".join(subscript) + "}"
    if layer:
        base += "^{(" + printer._print(indices[layer[0]]) + ")}"
    if not rest:
        return base
    return f"({base})_{{{','.join(rest)}}}" if subscript else f"{{{base}}}_{{{','.join(rest)}}}"
