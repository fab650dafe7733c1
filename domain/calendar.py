"""The joint events calendar: planned events that institutions publish to a network's calendar.

Unlike a record, an event lies ahead: it is published for a future time (Europe/Warsaw wall-clock
time, or whole days), can be edited, moved (a new time: the iCalendar feed keeps its UID and raises
its SEQUENCE) and cancelled. After it has started, recording its attendance turns it into a meeting
record (through the record use case, so it counts exactly as a meeting typed in); the event then names
that record and cannot be turned again.

Times are naive `datetime`s holding Warsaw wall-clock time (what the organiser typed); an all-day
event holds midnight of its first and of its last day (both inclusive). `sequence` counts the
organiser's revisions (edits, moves, the cancellation), as RFC 5545's SEQUENCE does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Callable
from urllib.parse import urlsplit
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate

from domain.base import SplotEvent, actor_fields
from domain.closing_gate import take_year_checks
from domain.errors import (
    InvariantViolated,
    Message,
    NotFound,
    UnknownReference,
    ValidationFailed,
    VersionConflict,
    bilingual,
)
from domain.values import WARSAW, Actor, MeetingKind, check_choice, check_text

if TYPE_CHECKING:
    from domain.application import Saved, Splot


class EventKind(StrEnum):
    WORKSHOP = "workshop"
    FAIR = "fair"
    STUDY_VISIT = "study_visit"
    ONLINE_MEETING = "online_meeting"
    INDUSTRY_MEETING = "industry_meeting"  # a meeting of the authorities with a key industry (seed 003)
    OTHER = "other"


EVENT_KIND_LABELS: dict[str, Message] = {
    EventKind.WORKSHOP: bilingual("Warsztaty", "Workshop"),
    EventKind.FAIR: bilingual("Targi", "Fair"),
    EventKind.STUDY_VISIT: bilingual("Wizyta studyjna", "Study visit"),
    EventKind.ONLINE_MEETING: bilingual("Spotkanie online", "Online meeting"),
    EventKind.INDUSTRY_MEETING: bilingual("Spotkanie władz z branżą", "Meeting of the authorities with an industry"),
    EventKind.OTHER: bilingual("Inne", "Other"),
}

# The meeting record an event's attendance becomes, by the event's kind (the attendance may choose another).
MEETING_KIND_OF: dict[str, str] = {
    EventKind.WORKSHOP: MeetingKind.WORKSHOP,
    EventKind.FAIR: MeetingKind.ENTREPRENEURS_MEETING,
    EventKind.STUDY_VISIT: MeetingKind.STUDY_VISIT,
    EventKind.ONLINE_MEETING: MeetingKind.ONLINE_MEETING,
    EventKind.INDUSTRY_MEETING: MeetingKind.ENTREPRENEURS_MEETING,
    EventKind.OTHER: MeetingKind.NETWORK_MEETING,
}

MAX_INVITED = 200
MAX_DAYS = 31  # an event lasts a month at most
MAX_YEARS_AHEAD = 5
EDITABLE = ("title", "kind", "place", "online_url", "invited_ids", "description")


@dataclass(frozen=True)
class When:
    """An event's time: naive Warsaw wall-clock datetimes; all-day: midnight of the first and last day."""

    starts_at: datetime
    ends_at: datetime
    all_day: bool

    @property
    def first_day(self) -> date:
        return self.starts_at.date()

    def starts_utc(self) -> datetime:
        return self.starts_at.replace(tzinfo=WARSAW)

    def ends_utc(self) -> datetime:
        """The end as an instant (all-day: the midnight after the last day)."""
        end = datetime.combine(self.ends_at.date() + timedelta(days=1), time.min) if self.all_day else self.ends_at
        return end.replace(tzinfo=WARSAW)


def warsaw_now() -> datetime:
    """Now as a naive Warsaw wall-clock time (the form events' times are kept in)."""
    return datetime.now(tz=WARSAW).replace(tzinfo=None, microsecond=0)


def check_when(starts_at: object, ends_at: object, all_day: object, *, now: datetime) -> When:
    """A time in the future, ending after it starts, at most MAX_DAYS long, at most MAX_YEARS_AHEAD ahead."""
    if not isinstance(all_day, bool):
        raise ValidationFailed(bilingual("Pole all_day musi mieć wartość tak lub nie.", "all_day must be true or false."),
                               field="all_day")
    values = []
    for name, value in (("starts_at", starts_at), ("ends_at", ends_at)):
        if isinstance(value, datetime):
            try:
                value = value.astimezone(WARSAW).replace(tzinfo=None) if value.tzinfo else value
            except (OverflowError, ValueError):
                raise ValidationFailed(bilingual(f"Pole {name} jest poza obsługiwanym zakresem dat.",
                                                 f"{name} is outside the supported range of dates."),
                                       field=name) from None
        elif isinstance(value, date):
            value = datetime.combine(value, time.min)
        else:
            raise ValidationFailed(bilingual(f"Pole {name} musi być datą z godziną.", f"{name} must be a date and time."),
                                   field=name)
        values.append(value.replace(second=0, microsecond=0))
    start, end = values
    if all_day:
        start, end = datetime.combine(start.date(), time.min), datetime.combine(end.date(), time.min)
    if (end < start) if all_day else (end <= start):
        raise ValidationFailed(bilingual("Wydarzenie musi się kończyć po rozpoczęciu.", "An event must end after it starts."),
                               field="ends_at")
    if end - start > timedelta(days=MAX_DAYS):
        raise ValidationFailed(bilingual(f"Wydarzenie może trwać najwyżej {MAX_DAYS} dni.",
                                         f"An event lasts {MAX_DAYS} days at most."), field="ends_at")
    if (start.date() <= now.date()) if all_day else (start <= now):
        raise ValidationFailed(bilingual("Wydarzenie w kalendarzu musi się zacząć w przyszłości (czas warszawski); "
                                         "to, co już się odbyło, zapisz jako spotkanie.",
                                         "A calendar event must start in the future (Warsaw time); record what has "
                                         "already happened as a meeting."), field="starts_at")
    if start.year > now.year + MAX_YEARS_AHEAD:
        raise ValidationFailed(bilingual(f"Wydarzenie można zaplanować najwyżej {MAX_YEARS_AHEAD} lat naprzód.",
                                         f"An event can be planned at most {MAX_YEARS_AHEAD} years ahead."),
                               field="starts_at")
    return When(start, end, all_day)


def _url(value: object) -> str:
    text = check_text(value, field="online_url", max_length=500, required=False)
    if text:
        parts = urlsplit(text)
        if parts.scheme not in ("https", "http") or not parts.netloc or any(c.isspace() for c in text):
            raise ValidationFailed(bilingual("Link do spotkania online musi być adresem zaczynającym się od https:// "
                                             "lub http://.",
                                             "The online link must be an address starting with https:// or http://."),
                                   field="online_url")
    return text


def _ids(value: object, field: str) -> list[UUID]:
    if value is None:
        return []
    if not isinstance(value, (list, tuple)):
        raise ValidationFailed(bilingual(f"Pole {field} musi być listą identyfikatorów.", f"{field} must be a list of ids."),
                               field=field)
    ids = []
    for item in value:
        try:
            ids.append(item if isinstance(item, UUID) else UUID(str(item)))
        except ValueError:
            raise ValidationFailed(bilingual(f"Pole {field} zawiera wartość, która nie jest identyfikatorem: {item!r}.",
                                             f"{field} holds a value that is not an id: {item!r}."), field=field) from None
    if len(set(ids)) != len(ids):
        raise ValidationFailed(bilingual(f"Pole {field} zawiera ten sam identyfikator dwukrotnie.",
                                         f"{field} names the same id twice."), field=field)
    if len(ids) > MAX_INVITED:
        raise ValidationFailed(bilingual(f"Pole {field} może mieć najwyżej {MAX_INVITED} pozycji.",
                                         f"{field} holds at most {MAX_INVITED} items."), field=field)
    return ids


def normalise_details(details: dict[str, Any]) -> dict[str, Any]:
    """The editable fields checked: title, kind, place or online link (at least one), invited, description."""
    out = {
        "title": check_text(details.get("title"), field="title", max_length=300),
        "kind": check_choice(details.get("kind"), EventKind, field="kind"),
        "place": check_text(details.get("place"), field="place", max_length=300, required=False),
        "online_url": _url(details.get("online_url")),
        "invited_ids": _ids(details.get("invited_ids"), "invited_ids"),
        "description": check_text(details.get("description"), field="description", max_length=5000, required=False),
    }
    if not out["place"] and not out["online_url"]:
        raise ValidationFailed(bilingual("Podaj miejsce wydarzenia albo link do spotkania online.",
                                         "Give the event's place or its online link."), field="place")
    return out


class CalendarEvent(Aggregate):
    """One planned event of a network's calendar."""

    TOPIC = "splot:CalendarEvent"

    class Created(SplotEvent, Aggregate.Created):
        TOPIC = "splot:CalendarEvent.Created"

    class Published(Created):
        TOPIC = "splot:CalendarEvent.Published"
        network_id: UUID
        organiser_id: UUID
        starts_at: datetime
        ends_at: datetime
        all_day: bool
        details: dict[str, Any]  # EDITABLE fields

        def apply(self, event: CalendarEvent) -> None:
            event.network_id = self.network_id
            event.organiser_id = self.organiser_id
            event.when = When(self.starts_at, self.ends_at, self.all_day)
            event.details = dict(self.details)
            event.cancelled = False
            event.sequence = 0
            event.record_id = None

    class Edited(SplotEvent, Aggregate.Event):
        TOPIC = "splot:CalendarEvent.Edited"
        changes: dict[str, Any]

        def apply(self, event: CalendarEvent) -> None:
            event.details = {**event.details, **self.changes}
            event.sequence += 1

    class Moved(SplotEvent, Aggregate.Event):
        TOPIC = "splot:CalendarEvent.Moved"
        starts_at: datetime
        ends_at: datetime
        all_day: bool

        def apply(self, event: CalendarEvent) -> None:
            event.when = When(self.starts_at, self.ends_at, self.all_day)
            event.sequence += 1

    class Cancelled(SplotEvent, Aggregate.Event):
        TOPIC = "splot:CalendarEvent.Cancelled"
        reason: str

        def apply(self, event: CalendarEvent) -> None:
            event.cancelled = True
            event.sequence += 1

    class AttendanceRecorded(SplotEvent, Aggregate.Event):
        """The event took place and became the meeting record `record_id` (same parties)."""

        TOPIC = "splot:CalendarEvent.AttendanceRecorded"
        record_id: UUID

        def apply(self, event: CalendarEvent) -> None:
            event.record_id = self.record_id

    # ------------------------------------------------------------------ commands
    @classmethod
    def publish(cls, *, network_id: UUID, organiser_id: UUID, when: When, details: dict[str, Any],
                actor: Actor) -> CalendarEvent:
        return cls._create(cls.Published, id=uuid4(), network_id=network_id, organiser_id=organiser_id,
                           starts_at=when.starts_at, ends_at=when.ends_at, all_day=when.all_day,
                           details=normalise_details(details), **actor_fields(actor))

    def check_version(self, expected_version: int) -> None:
        if expected_version != self.version:
            raise VersionConflict(
                bilingual(f"Wydarzenie ma wersję {self.version}, a zmianę przygotowano dla wersji {expected_version}; "
                          "wczytaj je ponownie.",
                          f"The event is at version {self.version}; the change was made against version "
                          f"{expected_version}."), expected=expected_version, actual=self.version)

    def _require_not_cancelled(self) -> None:
        if self.cancelled:
            raise InvariantViolated(bilingual("Wydarzenie zostało odwołane.", "The event has been cancelled."),
                                    field="event_id")

    def _require_open(self) -> None:
        self._require_not_cancelled()
        if self.record_id is not None:
            raise InvariantViolated(bilingual("Wydarzenie już się odbyło i ma zapisaną obecność.",
                                              "The event has taken place and its attendance is recorded."),
                                    field="event_id")

    def edit(self, *, changes: dict[str, Any], actor: Actor) -> None:
        self._require_open()
        unknown = set(changes) - set(EDITABLE)
        if unknown:
            raise ValidationFailed(bilingual(f"Tych pól nie można zmienić: {', '.join(sorted(unknown))}.",
                                             f"These fields cannot be changed: {', '.join(sorted(unknown))}."),
                                   field="changes")
        merged = normalise_details({**self.details, **changes})
        effective = {k: v for k, v in merged.items() if v != self.details.get(k)}
        if not effective:
            raise ValidationFailed(bilingual("Zmiana niczego nie zmienia: każda wartość jest równa obecnej.",
                                             "The change changes nothing: every value equals the current one."),
                                   field="changes")
        self.trigger_event(self.Edited, changes=effective, **actor_fields(actor))

    def move(self, *, when: When, actor: Actor) -> None:
        self._require_open()
        if when == self.when:
            raise ValidationFailed(bilingual("Nowy termin jest taki sam jak obecny.", "The new time equals the current one."),
                                   field="starts_at")
        self.trigger_event(self.Moved, starts_at=when.starts_at, ends_at=when.ends_at, all_day=when.all_day,
                           **actor_fields(actor))

    def cancel(self, *, reason: str, actor: Actor) -> None:
        self._require_open()
        self.trigger_event(self.Cancelled, reason=check_text(reason, field="reason", max_length=1000),
                           **actor_fields(actor))

    def check_can_record_attendance(self, now: datetime, *, once_held_too: bool = False) -> None:
        """Attendance is recorded after the start of an event not cancelled, and once only — except
        `once_held_too`: a shared network's event, whose every member municipality records its own attendance
        after the organiser's has made it held."""
        if once_held_too:
            self._require_not_cancelled()
        else:
            self._require_open()
        if self.when.starts_at > now:
            raise InvariantViolated(bilingual("Obecność zapisuje się po rozpoczęciu wydarzenia.",
                                              "Attendance is recorded once the event has started."), field="event_id")

    def record_attendance(self, *, record_id: UUID, actor: Actor) -> None:
        if self.record_id is not None:
            raise InvariantViolated(bilingual("Obecność na tym wydarzeniu jest już zapisana.",
                                              "This event's attendance is already recorded."), field="event_id")
        self.trigger_event(self.AttendanceRecorded, record_id=record_id, **actor_fields(actor))


class CalendarCommands:
    """Loading and saving calendar events through the store (its one transaction per save)."""

    def __init__(self, store: Splot, now: Callable[[], datetime] = warsaw_now) -> None:
        self.store = store
        self.now = now

    def get(self, event_id: object) -> CalendarEvent:
        try:
            return self.store._load(CalendarEvent, event_id, field="event_id", what="calendar event")
        except UnknownReference as error:
            raise NotFound(bilingual(f"Nie ma wydarzenia o identyfikatorze {event_id}.",
                                     f"No calendar event with id {event_id}."), field="event_id") from error

    def when(self, starts_at: object, ends_at: object, all_day: object) -> When:
        return check_when(starts_at, ends_at, all_day, now=self.now())

    def save(self, event: CalendarEvent) -> Saved:
        take_year_checks()  # an event is no record of a year: forget checks an earlier command left
        return self.store._save(event)
