"""Domain errors. Each carries a stable `code` and, where it concerns one input, the `field`.

The API maps them to problem+json responses; the CLI prints their message. Nothing is stored
when one is raised: use cases validate everything before they save.
"""

from __future__ import annotations


def bilingual(polish: str, english: str) -> str:
    """A user-facing message: the Polish sentence first, the English one in parentheses.

    The one place that decides the layout of every domain message (and the API's own texts follow it).
    """
    return f"{polish} ({english})"


# What UnknownReference names, in the Polish genitive ("nie ma instytucji o id ...").
REFERENCE_GENITIVE = {
    "network": "sieci",
    "institution": "instytucji",
    "firm": "firmy",
    "record": "wpisu",
    "municipality": "gminy",
    "meeting": "spotkania",
    "person": "osoby",
}


class DomainError(Exception):
    """Base of every error the domain raises on purpose."""

    code = "domain_error"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class ValidationFailed(DomainError):
    """An input value breaks a rule (malformed NIP, empty reason, unknown kind...)."""

    code = "validation_failed"


class InvalidBusinessDate(ValidationFailed):
    code = "invalid_business_date"


class UnknownReference(DomainError):
    """An id in the input names nothing of the expected kind."""

    code = "unknown_reference"

    def __init__(self, what: str, ref: object, *, field: str | None = None, what_pl: str | None = None) -> None:
        """`what` is the English noun; `what_pl` its Polish genitive (looked up for the common nouns)."""
        polish = what_pl or REFERENCE_GENITIVE.get(what, what)
        super().__init__(bilingual(f"Nie ma {polish} o identyfikatorze {ref}.", f"Unknown {what}: {ref}"), field=field)
        self.what = what
        self.ref = ref


class NotFound(DomainError):
    """The thing addressed by the request itself does not exist."""

    code = "not_found"


class InvariantViolated(DomainError):
    """The request is well-formed but the state of the world forbids it."""

    code = "invariant_violated"


class RecordRetracted(InvariantViolated):
    code = "record_retracted"


class VersionConflict(DomainError):
    """The client saw an older version than the stored one (optimistic concurrency)."""

    code = "version_conflict"

    def __init__(self, message: str, *, expected: int | None = None, actual: int | None = None) -> None:
        super().__init__(message, field="expected_version")
        self.expected = expected
        self.actual = actual
