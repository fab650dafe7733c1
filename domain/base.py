"""What every Splot event carries, and the transcodings its fields need.

Topics are explicit (`TOPIC = "splot:..."`) and must never change once events are stored: a
stored event names its class by topic. `tests/domain/test_topics.py` pins the list.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import Transcoding

from domain.errors import InvariantViolated
from domain.values import Actor


class SplotEvent(Aggregate.Event):
    """Every event says who recorded it: the user and the institution they acted for."""

    actor_user_id: str
    actor_institution_id: UUID | None


def actor_fields(actor: Actor) -> dict[str, object]:
    return {"actor_user_id": actor.user_id, "actor_institution_id": actor.institution_id}


class DateAsISO(Transcoding):
    """Business dates (`occurred_on`, `joined_on`...) are stored as ISO calendar dates."""

    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


def intervals_cover(intervals: list[list[date | None]], day: date) -> bool:
    """True when one [start, end] interval (end inclusive, None = open) covers `day`."""
    return any(start <= day and (end is None or day <= end) for start, end in intervals)


def check_can_join(intervals: list[list[date | None]], day: date, *, who: str, group: str, field: str) -> None:
    """A member joins a group (network, cluster) only when not in it, and after it last left."""
    if intervals and intervals[-1][1] is None:
        raise InvariantViolated(f"{who} is already a member of {group}.", field=field)
    if intervals and day <= intervals[-1][1]:
        raise InvariantViolated(
            f"{who} left {group} on {intervals[-1][1].isoformat()}; it can rejoin only after that date.",
            field="joined_on",
        )


def check_can_leave(intervals: list[list[date | None]], day: date, *, who: str, group: str, field: str) -> None:
    """A member leaves only a group it is in, and not before the day it joined."""
    if not intervals:
        raise InvariantViolated(f"{who} never joined {group}.", field=field)
    if intervals[-1][1] is not None:
        raise InvariantViolated(f"{who} already left {group} on {intervals[-1][1].isoformat()}.", field=field)
    if day < intervals[-1][0]:
        raise InvariantViolated(
            f"left_on is before {who.lower()} joined ({intervals[-1][0].isoformat()}).", field="left_on"
        )
