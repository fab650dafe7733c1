"""What every Splot event carries, and the transcodings its fields need.

Topics are explicit (`TOPIC = "splot:..."`) and must never change once events are stored: a
stored event names its class by topic. `tests/domain/test_topics.py` pins the list.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import Transcoding

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
