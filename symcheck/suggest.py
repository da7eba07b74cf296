"""'Did you mean ...?' for a derivation file that does not load: a misspelled keyword argument, name or import.

Python's own message names what is wrong (`sdnc_read() got an unexpected keyword argument 'strenght'`)
but not what was meant; a reviewer writing a variant should not have to look the spelling up. The
candidates are what the file could have meant: the called function's parameters, the file's own names
and symcheck's public API.
"""

from __future__ import annotations

import difflib
import importlib
import inspect
import re

__all__ = ["hint"]

_KEYWORD = re.compile(r"^(\w+)(?:\.__init__|\.__new__)?\(\) got an unexpected keyword argument '(\w+)'")
_IMPORT = re.compile(r"^cannot import name '(\w+)' from '([\w.]+)'")
_ATTRIBUTE = re.compile(r"^module '([\w.]+)' has no attribute '(\w+)'")


def hint(err: BaseException, namespace: dict) -> str:
    """' (did you mean `x`?)' for a misspelled keyword argument, name or import of the file whose names are
    `namespace`, or '' when nothing close is known."""
    text = str(err)
    if isinstance(err, TypeError) and (m := _KEYWORD.match(text)):
        fn = namespace.get(m.group(1)) or _public().get(m.group(1))
        return _meant(_closest(m.group(2), _parameters(fn)), "=")
    if isinstance(err, NameError) and err.name:
        word = _closest(err.name, [*namespace, *_public()])
        return _meant(word, "", "" if word is None or word in namespace else f" import it: from symcheck import {word}")
    if isinstance(err, ImportError) and (m := _IMPORT.match(text)):
        return _meant(_closest(m.group(1), _names_of(m.group(2))))
    if isinstance(err, AttributeError) and (m := _ATTRIBUTE.match(text)):
        return _meant(_closest(m.group(2), _names_of(m.group(1))))
    return ""


def _closest(word: str, candidates) -> str | None:
    found = difflib.get_close_matches(word, sorted(set(candidates)), n=1, cutoff=0.75)
    return found[0] if found else None


def _meant(word: str | None, suffix: str = "", then: str = "") -> str:
    return f" (did you mean `{word}{suffix}`?{then})" if word else ""


def _parameters(fn) -> list[str]:
    """The names `fn` takes as keywords (none if it is not a callable with a signature)."""
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return []
    return [p.name for p in params if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]


def _public() -> dict:
    """symcheck's public API by name (imported by name: this module is part of the package it reads)."""
    package = importlib.import_module(__package__)
    return {n: getattr(package, n) for n in package.__all__}


def _names_of(module: str) -> list[str]:
    """The public names of an importable module (symcheck's own, or any the file imports from)."""
    try:
        return [n for n in dir(importlib.import_module(module)) if not n.startswith("_")]
    except ImportError:
        return []
