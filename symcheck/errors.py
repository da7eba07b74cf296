"""The one error hierarchy of symcheck.

A refuted claim is a *result*, never an exception: exceptions here mean that the
input could not be checked at all. The CLI turns every `SymcheckError` into one
line and exit code 2.
"""

__all__ = ["SymcheckError", "ClaimError", "DerivationFileError", "UsageError"]


class SymcheckError(Exception):
    """Base class: something the user gave us cannot be checked."""


class ClaimError(SymcheckError):
    """A claim is malformed: shape mismatch, unknown option, bad assumption.

    `field` names the part of the claim that is wrong so that the message points
    at the user's own input.
    """

    def __init__(self, message: str, *, claim: str | None = None, field: str | None = None):
        self.claim = claim
        self.field = field
        self.detail = message
        where = ", ".join(p for p in (f"claim {claim}" if claim else "", f"field {field}" if field else "") if p)
        super().__init__(f"{where}: {message}" if where else message)


class DerivationFileError(SymcheckError):
    """A derivation file is missing, does not import, or declares claims badly."""

    def __init__(self, path: str, message: str):
        self.path = path
        super().__init__(f"{path}: {message}")


class UsageError(SymcheckError):
    """The command line itself is wrong (unknown option, missing argument)."""
