"""Building blocks shared by every schema: strict models, ISO-only dates, problem documents."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field


class StrictIn(BaseModel):
    """Every request body: unknown fields are refused, not ignored."""

    model_config = ConfigDict(extra="forbid")


class Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _iso_date_text_only(value: Any) -> Any:
    """A date arrives as "YYYY-MM-DD" text: pydantic would otherwise read 0 as 1970-01-01."""
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise ValueError("must be a date written as YYYY-MM-DD text")
    try:
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
        return datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not an ISO 8601 timestamp") from None


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
