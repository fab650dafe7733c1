"""Feeding schemathesis' positive cases of the calendar's writes (tests/e2e/api/test_schemathesis.py) so that
most of them succeed: a future time, an organiser and invited institution of the world, and, for a change of
an event, a fresh event of its own (its version known; for attendance, one that has already started)."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from schemathesis import GenerationMode

from domain.calendar import warsaw_now
from domain.values import WARSAW
from infra.container import Container
from tests.support.world import World

EVENTS = "POST /api/v1/calendar/events"
REQUIRED = {"events": {"organiser_id", "starts_at", "ends_at", "title", "kind"},
            "moves": {"expected_version", "starts_at", "ends_at"}, "edits": {"expected_version", "changes"},
            "cancellation": {"expected_version", "reason"}, "attendance": {"institution_ids"}}


def _times(rng: random.Random) -> tuple[str, str]:
    """RFC 3339 date-times (the schema's `format: date-time`: seconds and an offset), ahead by days."""
    start = (warsaw_now() + timedelta(days=rng.randint(2, 300))).replace(hour=10, minute=0, second=0, tzinfo=WARSAW)
    return start.isoformat(timespec="seconds"), (start + timedelta(hours=2)).isoformat(timespec="seconds")


def _event(container: Container, world: World, *, started: bool) -> str:
    """A fresh event published by the coordinator; `started`: its start already passed (the calendar's clock is
    set back while it is published)."""
    calendar = container.use_cases.calendar
    coordinator = container.users.get_by_email("coordinator@example.org")
    clock = calendar.commands.now
    now = clock()
    start = now - timedelta(hours=3) if started else now + timedelta(days=3)
    if started:
        calendar.commands.now = lambda: now - timedelta(days=1)
    try:
        return str(calendar.publish(coordinator, network_id=None, organiser_id=world.riph, starts_at=start,
                                    ends_at=start + timedelta(hours=2), title="Wydarzenie do zmiany", kind="workshop",
                                    place="Sala", invited_ids=[world.citt]).id)
    finally:
        calendar.commands.now = clock


def _any_negative(case: Any) -> bool:
    """Whether schemathesis made any part of the case invalid on purpose (a header, say): it must stay so."""
    components = getattr(case.meta, "components", None) or {}
    phase = getattr(getattr(case.meta, "phase", None), "name", None)
    # The coverage phase's cases are each about one property (some invalid as a whole): left as generated.
    return str(getattr(phase, "value", phase)) == "coverage" or any(
        getattr(c, "mode", None) == GenerationMode.NEGATIVE for c in components.values())


def feed_calendar(operation: str, case: Any, container: Container, world: World, rng: random.Random) -> None:
    body, path = dict(case.body), case.path_parameters  # a new dict: hypothesis may build later cases from the old
    if not operation.startswith(EVENTS) or _any_negative(case) or not rng.randint(0, 4):  # a fifth stays as generated
        return
    if not REQUIRED.get(operation.rsplit("/", 1)[-1], set()) <= set(body):
        return  # schemathesis checks a body it made incomplete stays refused
    if operation == EVENTS:
        starts_at, ends_at = _times(rng)
        body.update(organiser_id=str(world.riph), starts_at=starts_at, ends_at=ends_at, all_day=False, place="Sala",
                    online_url="", invited_ids=[str(world.citt)], description="Opis", title=f"Warsztaty {rng.random()}")
        body.pop("network_id", None)
        case.body = body
        return
    if path is None or "event_id" not in path:
        return
    path["event_id"] = _event(container, world, started=operation.endswith("/attendance"))
    if operation.endswith("/edits"):
        body.update(expected_version=1, changes={"title": f"Nowy tytuł {rng.random()}"})
    elif operation.endswith("/moves"):
        starts_at, ends_at = _times(rng)
        body.update(expected_version=1, starts_at=starts_at, ends_at=ends_at, all_day=False)
    elif operation.endswith("/cancellation"):
        body.update(expected_version=1, reason="Odwołane w teście")
    elif operation.endswith("/attendance"):
        body.update(institution_ids=[str(world.citt)], firm_ids=[], meeting_kind="workshop", minutes="")
    case.body = body
