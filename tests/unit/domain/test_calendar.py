"""The calendar event's own rules (domain/calendar.py): a time in the future, ending after it starts, at most a
month long; a place or an online link; SEQUENCE counting the revisions; a cancelled or held event changes no more."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from uuid import uuid4

import pytest

from domain.calendar import CalendarEvent, check_when
from domain.errors import InvariantViolated, ValidationFailed
from domain.values import Actor

NOW = datetime(2026, 12, 1, 9, 0)
ACTOR = Actor(user_id="tester")
DETAILS = {"title": "Warsztaty", "kind": "workshop", "place": "Leszno", "online_url": "", "invited_ids": [],
           "description": ""}


def _event() -> CalendarEvent:
    when = check_when(NOW + timedelta(days=1), NOW + timedelta(days=1, hours=2), False, now=NOW)
    return CalendarEvent.publish(network_id=uuid4(), organiser_id=uuid4(), when=when, details=DETAILS, actor=ACTOR)


@pytest.mark.parametrize("start, end, all_day, field", [
    (NOW - timedelta(minutes=1), NOW + timedelta(hours=1), False, "starts_at"),  # already begun
    (NOW, NOW + timedelta(hours=1), False, "starts_at"),  # starting now is not ahead
    (date(2026, 12, 1), date(2026, 12, 1), True, "starts_at"),  # a whole day that is today
    (NOW + timedelta(hours=2), NOW + timedelta(hours=1), False, "ends_at"),
    (NOW + timedelta(hours=2), NOW + timedelta(hours=2), False, "ends_at"),
    (NOW + timedelta(days=1), NOW + timedelta(days=33), False, "ends_at"),  # longer than a month
    (datetime(2032, 1, 5, 10), datetime(2032, 1, 5, 11), False, "starts_at"),  # more than 5 years ahead
    (datetime(9999, 12, 31, 23, 30, tzinfo=timezone.utc), datetime(9999, 12, 31, 23, 45, tzinfo=timezone.utc),
     False, "starts_at"),  # an aware time Warsaw cannot hold
    ("2026-12-05T10:00", NOW + timedelta(days=5), False, "starts_at"),  # text is the face's to parse
])
def test_a_time_that_is_not_a_future_event_is_refused_naming_its_field(start, end, all_day, field):
    with pytest.raises(ValidationFailed) as refused:
        check_when(start, end, all_day, now=NOW)
    assert refused.value.field == field


def test_times_are_warsaw_wall_clock_and_whole_days_keep_their_last_day():
    aware = check_when(datetime(2026, 12, 5, 9, 0, tzinfo=timezone.utc), datetime(2026, 12, 5, 10, 0, tzinfo=timezone.utc),
                       False, now=NOW)
    assert aware.starts_at == datetime(2026, 12, 5, 10, 0)  # 09:00 UTC is 10:00 in Warsaw in December
    days = check_when(date(2026, 12, 5), date(2026, 12, 6), True, now=NOW)
    assert (days.starts_at, days.ends_at) == (datetime(2026, 12, 5), datetime(2026, 12, 6))
    assert days.ends_utc() - days.starts_utc() == timedelta(days=2)


def test_place_or_link_and_a_real_link():
    when = check_when(NOW + timedelta(days=1), NOW + timedelta(days=1, hours=1), False, now=NOW)
    for details, field in (({**DETAILS, "place": ""}, "place"), ({**DETAILS, "online_url": "javascript:alert(1)"},
                                                                  "online_url")):
        with pytest.raises(ValidationFailed) as refused:
            CalendarEvent.publish(network_id=uuid4(), organiser_id=uuid4(), when=when, details=details, actor=ACTOR)
        assert refused.value.field == field


def test_every_revision_raises_the_sequence_and_a_cancelled_event_changes_no_more():
    event = _event()
    assert event.sequence == 0
    event.edit(changes={"title": "Warsztaty eksportowe"}, actor=ACTOR)
    event.move(when=check_when(NOW + timedelta(days=2), NOW + timedelta(days=2, hours=1), False, now=NOW), actor=ACTOR)
    assert event.sequence == 2 and event.details["title"] == "Warsztaty eksportowe"
    with pytest.raises(ValidationFailed):
        event.edit(changes={"title": "Warsztaty eksportowe"}, actor=ACTOR)  # changes nothing
    event.cancel(reason="Brak sali", actor=ACTOR)
    assert event.sequence == 3 and event.cancelled
    for attempt in (lambda: event.edit(changes={"title": "Inny"}, actor=ACTOR),
                    lambda: event.cancel(reason="Jeszcze raz", actor=ACTOR),
                    lambda: event.check_can_record_attendance(NOW + timedelta(days=3))):
        with pytest.raises(InvariantViolated):
            attempt()


def test_attendance_only_after_the_start_and_only_once():
    event = _event()
    with pytest.raises(InvariantViolated):
        event.check_can_record_attendance(NOW)
    event.check_can_record_attendance(NOW + timedelta(days=1))
    event.record_attendance(record_id=uuid4(), actor=ACTOR)
    assert event.sequence == 0  # not a revision of the plan
    with pytest.raises(InvariantViolated):
        event.record_attendance(record_id=uuid4(), actor=ACTOR)
