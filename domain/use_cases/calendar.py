"""The joint events calendar as a user works with it: publish an event to a network's calendar, edit,
move, cancel it, list and read events, record an event's attendance (a meeting record), and the
iCalendar feeds at a per-user secret address.

Which networks: the user's scope (their home network and the shared networks their municipality belongs
to). Who: staff and leads publish for their own institution, the coordinator for any of the municipality;
changing an event is for its organiser's staff and the coordinator. Invited institutions are those of the
user's networks, or members of the event's network.

A feed token stands for its user and reaches only the feeds: `network_feed(token, ...)` and
`institution_feed(token, ...)` act as that user (same policy and scope), so a token shows nothing its
user could not see, and nothing but the calendar.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Callable, Protocol
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from domain.application import Saved, Splot
from domain.calendar import (
    EDITABLE,
    EVENT_KIND_LABELS,
    MEETING_KIND_OF,
    CalendarCommands,
    CalendarEvent,
    EventKind,
    warsaw_now,
)
from domain.errors import NotFound, UnknownReference, ValidationFailed, bilingual
from domain.idempotency import PendingKey, pending_key
from domain.policy import Action, User, authorize, check_acts_for, may, scoped_to_institution
from domain.ports import Accounts, ReadModels, Row
from domain.registry import Institution
from domain.use_cases.records import RecordUseCases
from domain.use_cases.scope import Scopes
from domain.values import MeetingKind, RecordKind, check_choice, check_text

__all__ = ["EVENT_KIND_LABELS", "EventKind", "CalendarUseCases", "Feed", "FeedTokens", "MeetingKind"]

ATTENDANCE_KEY_USER = "calendar-attendance"  # the idempotency keys that make an event's attendance one record


class FeedTokens(Protocol):
    """The per-user secret of the calendar feeds (infra/feed_tokens.py): random, stored hashed."""

    def issue(self, user_id: UUID) -> str: ...  # a new token, replacing the user's earlier one
    def revoke(self, user_id: UUID) -> bool: ...
    def user_of(self, token: str) -> UUID | None: ...
    def issued_at(self, user_id: UUID) -> datetime | None: ...


@dataclass(frozen=True)
class Feed:
    """What one iCalendar feed holds: events (calendar rows) and, for an institution, its follow-ups."""

    name: str
    events: list[Row]
    follow_ups: list[dict[str, Any]] = field(default_factory=list)
    organisers: dict[str, str] = field(default_factory=dict)  # institution and network names by id


def _feed_not_found() -> NotFound:
    return NotFound(bilingual("Nie ma takiego kalendarza.", "No such calendar."), field="token")


class CalendarUseCases:
    def __init__(self, store: Splot, reads: ReadModels, scopes: Scopes, records: RecordUseCases,
                 accounts: Accounts, feed_tokens: FeedTokens | None = None,
                 now: Callable[[], datetime] = warsaw_now) -> None:
        self.store = store
        self.reads = reads
        self.scopes = scopes
        self.records = records
        self.accounts = accounts
        self.feed_tokens = feed_tokens
        self.commands = CalendarCommands(store, now)

    # ------------------------------------------------------------------ reading
    def events(self, user: User, *, network_id: UUID | None = None, kind: str | None = None,
               institution_id: UUID | None = None, starts_from: date | None = None,
               starts_before: date | None = None) -> list[Row]:
        """Events of the user's networks (or one of them), earliest first; filters: kind, an institution
        organising or invited, the days they run on ([starts_from, starts_before))."""
        authorize(user, Action.READ_CALENDAR)
        scope = self.scopes.of(user)
        networks = scope.network_texts
        if network_id is not None:
            if not scope.includes(network_id):
                raise UnknownReference("network", network_id, field="network_id")
            networks = [str(network_id)]
        if kind:
            kind = check_choice(kind, EventKind, field="kind")
        return self.reads.calendar_events(
            network_ids=networks, institution_id=str(institution_id) if institution_id else None, kind=kind or None,
            starts_from=starts_from.isoformat() if starts_from else None,
            starts_before=starts_before.isoformat() if starts_before else None)

    def event(self, user: User, event_id: UUID) -> Row:
        """One event (NotFound when it is outside the user's networks: its existence does not leak)."""
        authorize(user, Action.READ_CALENDAR)
        row = self.reads.calendar_event(str(event_id))
        if row is None or not self.scopes.of(user).includes(row["network_id"]):
            raise NotFound(bilingual(f"Nie ma wydarzenia o identyfikatorze {event_id}.",
                                     f"No calendar event with id {event_id}."), field="event_id")
        return row

    def names(self, user: User) -> dict[str, str]:
        """Short names of the institutions and names of the networks an event of the user's networks may name
        (members of a shared network included), by id."""
        authorize(user, Action.READ_CALENDAR)
        scope = self.scopes.of(user)
        names = {r["institution_id"]: r["short_name"] for r in self.reads.network_members(network_ids=scope.network_texts)}
        names.update({r["id"]: r["short_name"] for r in self.reads.institutions(network_ids=scope.network_texts)})
        names.update({n["id"]: n["name"] for n in self.reads.networks() if scope.includes(n["id"])})
        return names

    def view(self, user: User, event_id: UUID) -> dict[str, Any]:
        """An event's page: the event, the names it refers to, and whether the user may change it."""
        row = self.event(user, event_id)
        return {"event": row, "names": self.names(user), "may_change": self.may_change(user, row),
                "may_record_attendance": self.may_record_attendance(user, row)}

    def may_record_attendance(self, user: User, row: Row) -> bool:
        """Whether the user may record attendance of the event now: the organiser's side of an event of its own
        network; for a shared network's event, every member municipality its own institutions' (until cancelled)."""
        if not (may(user, Action.PUBLISH_EVENTS) and may(user, Action.WRITE_RECORDS)
                and datetime.fromisoformat(row["starts_at"]) <= self.commands.now()):
            return False
        scope = self.scopes.of(user)
        if scope.home_network_id is not None and UUID(str(row["network_id"])) in scope.shared_network_ids:
            return row["status"] != "cancelled"
        return self.may_change(user, row)

    def may_publish(self, user: User) -> None:
        """Forbidden unless the user may publish events (the publish form asks before it is shown)."""
        authorize(user, Action.PUBLISH_EVENTS)

    @staticmethod
    def meeting_kind_of(row: Row) -> str:
        """The meeting kind an event's attendance is recorded as unless the user picks another."""
        return MEETING_KIND_OF[row["kind"]]

    def may_change(self, user: User, row: Row) -> bool:
        """Whether the user may edit, move, cancel the event or record its attendance (a face offers only that)."""
        return (may(user, Action.PUBLISH_EVENTS) and row["status"] == "planned"
                and (not scoped_to_institution(user) or str(user.institution_id) == row["organiser_id"]))

    def choices(self, user: User) -> dict[str, list[Row]]:
        """What the forms offer: the networks, the organisers the user may publish for, the institutions and
        firms of the user's networks (by name, never by id)."""
        authorize(user, Action.READ_CALENDAR)
        scope = self.scopes.of(user)
        names = {n["id"]: n["name"] for n in self.reads.networks()}
        institutions = [r for r in self.reads.institutions(network_ids=scope.network_texts) if r["active"]]
        organisers = [r for r in institutions
                      if not scoped_to_institution(user) or r["id"] == str(user.institution_id)]
        return {"networks": sorted(({"id": n, "name": names.get(n, n)} for n in scope.network_texts),
                                   key=lambda r: (str(r["id"]) != str(scope.home_network_id), r["name"])),
                "organisers": organisers, "institutions": institutions,
                "firms": self.reads.firms(network_ids=scope.network_texts)}

    # ------------------------------------------------------------------ changing
    def publish(self, user: User, *, network_id: UUID | None, organiser_id: UUID, starts_at: object,
                ends_at: object, all_day: bool = False, **details: Any) -> Saved:
        """Publishes an event to a calendar of the user's networks (the home network when none is named)."""
        authorize(user, Action.PUBLISH_EVENTS)
        scope = self.scopes.of(user)
        network = self.store.get_network(scope.network(network_id))
        check_acts_for(user, [organiser_id], field="organiser_id")
        organiser = self._institution(organiser_id, "organiser_id")
        if not scope.includes(organiser.network_id):
            raise UnknownReference("institution", organiser_id, field="organiser_id")
        if not organiser.active:
            raise ValidationFailed(bilingual(f"Instytucja {organiser.short_name} jest wyłączona.",
                                             f"{organiser.short_name} is deactivated."), field="organiser_id")
        when = self.commands.when(starts_at, ends_at, all_day)
        event = CalendarEvent.publish(network_id=network.id, organiser_id=organiser.id, when=when,
                                      details={k: details.get(k) for k in EDITABLE}, actor=user.actor)
        self._check_invited(scope, network, event.details["invited_ids"])
        return self.commands.save(event)

    def edit(self, user: User, event_id: UUID, *, expected_version: int, changes: dict[str, Any]) -> Saved:
        event = self._changeable(user, event_id, expected_version)
        event.edit(changes=changes, actor=user.actor)
        if "invited_ids" in changes:
            scope = self.scopes.of(user)
            self._check_invited(scope, self.store.get_network(event.network_id), event.details["invited_ids"])
        return self.commands.save(event)

    def move(self, user: User, event_id: UUID, *, expected_version: int, starts_at: object, ends_at: object,
             all_day: bool = False) -> Saved:
        """A new time: the feed keeps the event's UID and raises its SEQUENCE."""
        event = self._changeable(user, event_id, expected_version)
        event.move(when=self.commands.when(starts_at, ends_at, all_day), actor=user.actor)
        return self.commands.save(event)

    def cancel(self, user: User, event_id: UUID, *, expected_version: int, reason: str) -> Saved:
        event = self._changeable(user, event_id, expected_version)
        event.cancel(reason=reason, actor=user.actor)
        return self.commands.save(event)

    def record_attendance(self, user: User, event_id: UUID, *, institution_ids: list[UUID],
                          firm_ids: list[UUID] | None = None, meeting_kind: str | None = None,
                          minutes: str | None = None) -> Saved:
        """Turns a held event into a meeting record of its network (through `records.record`, so it counts in
        every participant's indicators exactly as a meeting typed in) and links the event to it. Once only: the
        record's save carries an idempotency key derived from the event, so a second or concurrent attempt saves
        nothing; an attempt after the event is linked answers with the same record."""
        authorize(user, Action.PUBLISH_EVENTS)
        authorize(user, Action.WRITE_RECORDS)
        event = self._visible(user, event_id)
        scope = self.scopes.of(user)
        if event.network_id in scope.shared_network_ids and scope.home_network_id is not None:
            return self._record_shared_attendance(user, scope.home_network_id, event, institution_ids,
                                                  firm_ids or [], meeting_kind, minutes)
        check_acts_for(user, [event.organiser_id], field="event_id")
        if event.record_id is not None:
            return Saved(event.record_id, self.store.get_record(event.record_id).version, None)
        key = PendingKey(user_id=ATTENDANCE_KEY_USER, key=str(event.id), fingerprint="attendance", status_code=201)
        record_id = self._attendance_record(key.id)
        if record_id is None:  # not turned yet (else an earlier attempt saved the record and stopped before the link)
            event.check_can_record_attendance(self.commands.now())
            fields = self._meeting_fields(event, institution_ids, firm_ids or [], meeting_kind, minutes)
            with pending_key(key):
                record_id = self.records.record(user, RecordKind.MEETING.value, fields).id
        event.record_attendance(record_id=record_id, actor=user.actor)
        self.commands.save(event)
        return Saved(record_id, 1, None)

    def _record_shared_attendance(self, user: User, home_network_id: UUID, event: CalendarEvent,
                                  institution_ids: list[UUID], firm_ids: list[UUID], meeting_kind: str | None,
                                  minutes: str | None) -> Saved:
        """A shared network's event is attended by institutions of several municipalities, and each municipality
        keeps its own records: every member records its own institutions' attendance as one meeting record of its
        home network, once per municipality (the idempotency key names the event and the home network). So the
        meeting counts in each participant's indicators, by its own municipality's rules, once in each
        municipality's network total, and the shared calendar keeps one event, held once (the organiser's
        municipality's record is the one the event links to)."""
        event.check_can_record_attendance(self.commands.now(), once_held_too=True)
        participants = list(dict.fromkeys(institution_ids))
        if not participants:
            raise ValidationFailed(bilingual("Wybierz instytucje, które wzięły udział.",
                                             "Pick the institutions that took part."), field="institution_ids")
        for i, institution_id in enumerate(participants):
            if self._institution(institution_id, f"institution_ids[{i}]").network_id != home_network_id:
                raise UnknownReference("institution", institution_id, field=f"institution_ids[{i}]")
        organiser_is_ours = self._institution(event.organiser_id, "organiser_id").network_id == home_network_id
        if organiser_is_ours:
            owner = event.organiser_id
        elif scoped_to_institution(user) and user.institution_id in participants:
            owner = user.institution_id
        else:
            owner = participants[0]
        check_acts_for(user, [owner], field="institution_ids")
        key = PendingKey(user_id=ATTENDANCE_KEY_USER, key=f"{event.id}:{home_network_id}", fingerprint="attendance",
                         status_code=201)
        record_id = self._attendance_record(key.id)
        if record_id is None:
            fields = self._meeting_fields(event, participants, firm_ids, meeting_kind, minutes)
            fields.update(network_id=home_network_id, organiser_id=owner,
                          institution_ids=[i for i in participants if str(i) != str(owner)])
            with pending_key(key):
                record_id = self.records.record(user, RecordKind.MEETING.value, fields).id
        if organiser_is_ours and event.record_id is None:
            event.record_attendance(record_id=record_id, actor=user.actor)
            self.commands.save(event)
        return Saved(record_id, 1, None)

    # ------------------------------------------------------------------ feeds
    def feed_token_issued_at(self, user: User) -> datetime | None:
        authorize(user, Action.READ_CALENDAR)
        return self._tokens().issued_at(user.id)

    def issue_feed_token(self, user: User) -> str:
        """A new secret feed address for the user (the earlier one stops working); shown once."""
        authorize(user, Action.READ_CALENDAR)
        return self._tokens().issue(user.id)

    def revoke_feed_token(self, user: User) -> bool:
        authorize(user, Action.READ_CALENDAR)
        return self._tokens().revoke(user.id)

    def feed_user(self, token: str) -> User:
        """The user a feed token stands for (NotFound for an unknown, revoked token or a disabled user)."""
        user_id = self._tokens().user_of(token) if isinstance(token, str) and 20 <= len(token) <= 100 else None
        if user_id is None:
            raise _feed_not_found()
        try:
            user = self.accounts.get(user_id)
        except Exception:  # the account is gone: the token with it
            raise _feed_not_found() from None
        if not user.active or not may(user, Action.READ_CALENDAR):
            raise _feed_not_found()
        return user

    def network_feed(self, token: str, network_id: UUID) -> Feed:
        user = self.feed_user(token)
        if not self.scopes.of(user).includes(network_id):
            raise _feed_not_found()
        name = next((n["name"] for n in self.reads.networks() if n["id"] == str(network_id)), str(network_id))
        return Feed(name, self.events(user, network_id=network_id), organisers=self.names(user))

    def institution_feed(self, token: str, institution_id: UUID) -> Feed:
        """The events an institution organises or is invited to, and the follow-ups of the meeting records it
        owns or is responsible for (staff: their own institution only)."""
        user = self.feed_user(token)
        scope = self.scopes.of(user)
        row = next((r for r in self.reads.institutions(network_ids=scope.network_texts)
                    if r["id"] == str(institution_id)), None)
        if row is None or (scoped_to_institution(user) and str(user.institution_id) != row["id"]):
            raise _feed_not_found()
        return Feed(row["name"], self.events(user, institution_id=institution_id),
                    self.follow_ups_of(user, institution_id) if may(user, Action.READ_RECORDS) else [],
                    organisers=self.names(user))

    def follow_ups_of(self, user: User, institution_id: UUID) -> list[dict[str, Any]]:
        """Follow-ups with due dates of the active meeting records the institution owns, or names it responsible
        for, earliest first: {record_id, record_version, title, index, action, due_on (date), network_id}."""
        authorize(user, Action.READ_RECORDS)
        mine = str(institution_id)
        due = []
        for row in self.records.register_all(user, kind=RecordKind.MEETING.value,
                                             institution_id=institution_id if scoped_to_institution(user) else None):
            if row["status"] != "active":
                continue
            for index, item in enumerate(row["fields"].get("follow_ups") or []):
                responsible = item.get("institution_id")
                if responsible == mine or (responsible is None and row["owner_institution_id"] == mine):
                    due.append({"record_id": row["record_id"], "record_version": row.get("version", 1),
                                "title": row["title"], "index": index, "action": item["action"],
                                "due_on": date.fromisoformat(item["due_on"]), "network_id": row["network_id"]})
        return sorted(due, key=lambda item: (item["due_on"], item["record_id"], item["index"]))

    # ------------------------------------------------------------------ helpers
    def _tokens(self) -> FeedTokens:
        if self.feed_tokens is None:
            raise NotFound(bilingual("Kanały kalendarza nie są dostępne.", "Calendar feeds are not available."))
        return self.feed_tokens

    def _institution(self, institution_id: object, field: str) -> Institution:
        return self.store._load(Institution, institution_id, field=field, what="institution")

    def _visible(self, user: User, event_id: UUID) -> CalendarEvent:
        event = self.commands.get(event_id)
        if not self.scopes.of(user).includes(event.network_id):
            raise NotFound(bilingual(f"Nie ma wydarzenia o identyfikatorze {event_id}.",
                                     f"No calendar event with id {event_id}."), field="event_id")
        return event

    def _changeable(self, user: User, event_id: UUID, expected_version: int) -> CalendarEvent:
        authorize(user, Action.PUBLISH_EVENTS)
        event = self._visible(user, event_id)
        check_acts_for(user, [event.organiser_id], field="event_id")
        event.check_version(expected_version)
        return event

    def _check_invited(self, scope: Any, network: Any, invited: list[UUID]) -> None:
        """Each invited institution exists and is of the user's networks or a current member of the event's."""
        for i, institution_id in enumerate(invited):
            institution = self._institution(institution_id, f"invited_ids[{i}]")
            if not scope.includes(institution.network_id) and not network.is_current_member(institution.id):
                raise UnknownReference("institution", institution_id, field=f"invited_ids[{i}]")

    def _attendance_record(self, key_id: UUID) -> UUID | None:
        try:
            return self.store.repository.get(key_id).result_id
        except AggregateNotFoundError:
            return None

    def _meeting_fields(self, event: CalendarEvent, institution_ids: list[UUID], firm_ids: list[UUID],
                        meeting_kind: str | None, minutes: str | None) -> dict[str, Any]:
        kind = check_choice(meeting_kind or MEETING_KIND_OF[event.details["kind"]], MeetingKind, field="meeting_kind")
        others = [i for i in dict.fromkeys(institution_ids) if str(i) != str(event.organiser_id)]
        description = event.details["description"]
        return {"network_id": event.network_id, "occurred_on": event.when.first_day,
                "title": event.details["title"], "kind": kind, "organiser_id": event.organiser_id,
                "institution_ids": others, "firm_ids": list(dict.fromkeys(firm_ids)), "person_ids": [],
                "topic": description[:2000] if description else None,
                "minutes": check_text(minutes, field="minutes", max_length=20000, required=False) or None}
