"""Domain errors. Each carries a stable `code` and, where it concerns one input, the `field`.

The API maps them to problem+json responses; the CLI prints their message. Nothing is stored
when one is raised: use cases validate everything before they save.
"""

from __future__ import annotations


class Message(str):
    """A user-facing message with its Polish and English text kept apart.

    It *is* the joined text "Polish (English)" — the layout the JSON API and the CLI show, decided
    here once — so it goes wherever a string goes; a face that shows one language (the pages) reads
    `.pl` or `.en`, or `in_language(code)`. Text with no translation is the same in both
    (`Message.untranslated`) and shows unchanged.
    """

    pl: str
    en: str

    def __new__(cls, polish: str, english: str | None = None) -> "Message":
        joined = super().__new__(cls, polish if english is None else f"{polish} ({english})")
        joined.pl = polish
        joined.en = polish if english is None else english
        return joined

    @classmethod
    def untranslated(cls, text: str) -> "Message":
        return cls(text)

    def in_language(self, language: str) -> str:
        return self.en if language == "en" else self.pl

    def __reduce__(self):  # pickling and copying keep both languages
        return (Message, (self.pl, None if self.pl == self.en and str(self) == self.pl else self.en))


def bilingual(polish: str, english: str) -> Message:
    """A user-facing message in Polish and English (see Message)."""
    return Message(polish, english)


def as_message(text: str) -> Message:
    """Any text as a Message: a Message stays itself, plain text is the same in both languages."""
    return text if isinstance(text, Message) else Message.untranslated(text)


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
        self.message = str(message)  # "Polish (English)"
        self.text = as_message(message)  # each language apart, for a face that shows one
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
