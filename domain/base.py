"""What every Splot event carries, and the transcodings its fields need.

Topics are explicit (`TOPIC = "splot:..."`) and must never change once events are stored: a
stored event names its class by topic. `tests/domain/test_topics.py` pins the list.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import Transcoding

from domain.errors import InvariantViolated, bilingual
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


def check_can_join(intervals: list[list[date | None]], day: date, *, who: str, group: str, who_pl: str,
                   group_pl: str, field: str) -> None:
    """A member joins a group (network, cluster) only when not in it, and after it last left.

    `who_pl` is a feminine Polish noun in the nominative ("Instytucja", "Firma"), `group_pl` the group
    in the genitive ("tej sieci", "tego klastra"): the Polish verbs below agree with them.
    """
    if intervals and intervals[-1][1] is None:
        raise InvariantViolated(bilingual(f"{who_pl} jest już członkiem {group_pl}.",
                                          f"{who} is already a member of {group}."), field=field)
    if intervals and day <= intervals[-1][1]:
        left = intervals[-1][1].isoformat()
        raise InvariantViolated(
            bilingual(f"{who_pl} wystąpiła z {group_pl} w dniu {left}; może ponownie przystąpić dopiero po tej dacie.",
                      f"{who} left {group} on {left}; it can rejoin only after that date."),
            field="joined_on",
        )


def check_can_leave(intervals: list[list[date | None]], day: date, *, who: str, group: str, who_pl: str,
                    group_pl: str, field: str) -> None:
    """A member leaves only a group it is in, and not before the day it joined (Polish words as in check_can_join)."""
    if not intervals:
        raise InvariantViolated(bilingual(f"{who_pl} nigdy nie należała do {group_pl}.",
                                          f"{who} never joined {group}."), field=field)
    if intervals[-1][1] is not None:
        left = intervals[-1][1].isoformat()
        raise InvariantViolated(bilingual(f"{who_pl} wystąpiła już z {group_pl} w dniu {left}.",
                                          f"{who} already left {group} on {left}."), field=field)
    if day < intervals[-1][0]:
        joined = intervals[-1][0].isoformat()
        raise InvariantViolated(
            bilingual(f"Data wystąpienia (left_on) jest wcześniejsza niż data przystąpienia ({joined}).",
                      f"left_on is before {who.lower()} joined ({joined})."), field="left_on"
        )
