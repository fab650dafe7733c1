"""Building blocks shared by every schema: strict models, ISO-only dates, problem documents."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator
from domain.errors import ValidationFailed, bilingual
from domain.values import check_instant, forbidden_character


def _first_control_character(value: Any, path: str) -> tuple[str, str] | None:
    """The first forbidden character in a body (the rule and its reasons: `domain.values.forbidden_character`),
    found before the domain's own check so that its answer names the dotted path."""
    if isinstance(value, str):
        found = forbidden_character(value)
        return (path, found) if found else None
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        hit = _first_control_character(item, f"{path}.{key}" if path else str(key))
        if hit:
            return hit
    return None


class StrictIn(BaseModel):
    """Every request body: unknown fields are refused, not ignored; no control characters in any text."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _refuse_control_characters(cls, data: Any) -> Any:
        hit = _first_control_character(data, "") if isinstance(data, dict) else None
        if hit:
            from api.errors import ApiError  # late: api.errors imports this module

            path, char = hit
            message = bilingual(f"{path}: znak U+{ord(char):04X} (sterujący lub zmieniający kierunek tekstu) "
                                f"jest niedozwolony.",
                                f"Character U+{ord(char):04X} (a control or text-direction character) is not allowed.")
            raise ApiError(422, "invalid_input", message, field=path)
        return data


class Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_ISO_DATETIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
                           r"([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}([.,][0-9]{1,6})?)?(Z|[+-][0-9]{2}(:?[0-9]{2})?)?)?")


def _iso_date_text_only(value: Any) -> Any:
    """A date arrives as "YYYY-MM-DD" text: pydantic would otherwise read 0 as 1970-01-01."""
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise ValueError("must be a date written as YYYY-MM-DD text")
    try:
        if not _ISO_DATE.fullmatch(value):  # fromisoformat also takes 20130505 and 2013-W19-7
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a calendar date (YYYY-MM-DD)") from None


IsoDate = Annotated[date, BeforeValidator(_iso_date_text_only),
                    Field(description="Calendar date (Europe/Warsaw) as YYYY-MM-DD text.")]
def _iso_datetime_text_only(value: Any) -> Any:
    """A timestamp arrives as ISO 8601 text; numbers (read by pydantic as Unix time) are refused."""
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str):
        raise ValueError("must be a timestamp written as ISO 8601 text, e.g. 2013-01-31T12:00:00Z")
    try:
        if not _ISO_DATETIME.fullmatch(value):  # only the extended form: no 20130505T1010, no week dates
            raise ValueError
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not an ISO 8601 timestamp") from None
    try:
        check_instant(parsed, field="timestamp")
    except ValidationFailed:  # as a ValueError, so that pydantic names the field's own path
        raise ValueError(f"{value!r} is outside the supported range (before year 1 or after 9999 in UTC)") from None
    return parsed


IsoDateTime = Annotated[datetime, BeforeValidator(_iso_datetime_text_only),
                        Field(description="ISO 8601 timestamp text; UTC when no offset is given.")]
Text = Annotated[str, Field(min_length=1, max_length=2000)]


class Written(Out):
    """What every write answers: the id of what changed, its new version, and the log position.

    Pass `notification_id` nowhere: the API waits for its read models itself before answering reads.
    """

    id: UUID
    version: int
    notification_id: int | None = Field(description="Position of the write in the event log.")


class FieldError(Out):
    field: str = Field(description="Dotted path of the input at fault, e.g. `occurred_on` or `changes.title`.")
    message: str


class Problem(BaseModel):
    """RFC 9457 problem document (media type application/problem+json)."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(default="about:blank")
    title: str
    status: int
    detail: str
    instance: str | None = None
    code: str = Field(description="Stable machine-readable reason, e.g. validation_failed, version_conflict.")
    errors: list[FieldError] = Field(default_factory=list, description="One entry per input at fault.")
