"""The calendar's rows of the two role matrices (tests/e2e/api/test_authorization_matrix.py over HTTP and
tests/integration/test_use_case_authorization.py on the use cases): "own" is an event organised by RIPH (the
staff's and lead's institution), "other" one organised by CITT; every municipality role but the admin reads
the calendar; staff and leads change only their own institution's events, the coordinator any."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from infra.container import Container
from tests.support.world import World


def add_events(container: Container, world: World) -> None:
    """Two events per institution (RIPH "own", CITT "other"): one ahead, one that started three hours ago."""
    calendar = container.use_cases.calendar
    coordinator = container.users.get_by_email("coordinator@example.org")
    clock = calendar.commands.now
    now = clock()
    events: dict[tuple[str, str], UUID] = {}
    try:
        for scope, organiser in (("own", world.riph), ("other", world.citt)):
            for when, start in (("ahead", now + timedelta(days=3)), ("started", now - timedelta(hours=3))):
                calendar.commands.now = lambda: now - timedelta(days=1)
                events[scope, when] = calendar.publish(
                    coordinator, network_id=None, organiser_id=organiser, starts_at=start,
                    ends_at=start + timedelta(hours=2), title=f"Wydarzenie {scope}", kind="workshop", place="Sala",
                    invited_ids=[world.lcb]).id
    finally:
        calendar.commands.now = clock
    world.calendar_events = events  # type: ignore[attr-defined]


def event(w: World, scope: str, when: str = "ahead") -> UUID:
    return w.calendar_events[scope, when]  # type: ignore[attr-defined]


def _later(days: int) -> tuple[str, str]:
    from domain.calendar import warsaw_now

    start = (warsaw_now() + timedelta(days=days)).replace(hour=10, minute=0, second=0)
    return start.isoformat(timespec="minutes"), (start + timedelta(hours=1)).isoformat(timespec="minutes")


def _matrix_routes() -> dict:
    from tests.e2e.api.test_authorization_matrix import Route, same

    readers = {"staff": same(200), "lead": same(200), "coordinator": same(200), "auditor": same(200),
               "admin": same(403)}
    changers = {"staff": (200, 403), "lead": (200, 403), "coordinator": same(200), "auditor": same(403),
                "admin": same(403)}
    creators = {**changers, "staff": (201, 403), "lead": (201, 403), "coordinator": same(201)}
    starts, ends = _later(10)
    return {
        "GET calendar/events": Route("GET", lambda w, s: "/calendar/events", None, readers, setup=add_events),
        "GET calendar/events/{id}": Route("GET", lambda w, s: f"/calendar/events/{event(w, s)}", None, readers,
                                          setup=add_events),
        "POST calendar/events": Route("POST", lambda w, s: "/calendar/events", lambda w, s: {
            "organiser_id": str(w.riph if s == "own" else w.citt), "title": "Nowe", "kind": "fair", "place": "Hala",
            "starts_at": starts, "ends_at": ends}, creators, setup=add_events),
        "POST calendar/events/{id}/edits": Route(
            "POST", lambda w, s: f"/calendar/events/{event(w, s)}/edits",
            lambda w, s: {"expected_version": 1, "changes": {"title": "Zmienione"}}, changers, setup=add_events),
        "POST calendar/events/{id}/moves": Route(
            "POST", lambda w, s: f"/calendar/events/{event(w, s)}/moves",
            lambda w, s: {"expected_version": 1, "starts_at": starts, "ends_at": ends}, changers, setup=add_events),
        "POST calendar/events/{id}/cancellation": Route(
            "POST", lambda w, s: f"/calendar/events/{event(w, s)}/cancellation",
            lambda w, s: {"expected_version": 1, "reason": "Brak sali"}, changers, setup=add_events),
        "POST calendar/events/{id}/attendance": Route(
            "POST", lambda w, s: f"/calendar/events/{event(w, s, 'started')}/attendance",
            lambda w, s: {"institution_ids": [str(w.lcb)]}, creators, setup=add_events),
    }


def _use_cases() -> dict:
    from datetime import datetime

    starts, ends = (datetime.fromisoformat(t) for t in _later(10))
    return {
        "GET calendar/events": lambda uc, u, w, s: uc.calendar.events(u),
        "GET calendar/events/{id}": lambda uc, u, w, s: uc.calendar.event(u, event(w, s)),
        "POST calendar/events": lambda uc, u, w, s: uc.calendar.publish(
            u, network_id=None, organiser_id=w.riph if s == "own" else w.citt, starts_at=starts, ends_at=ends,
            title="Nowe", kind="fair", place="Hala"),
        "POST calendar/events/{id}/edits": lambda uc, u, w, s: uc.calendar.edit(
            u, event(w, s), expected_version=1, changes={"title": "Zmienione"}),
        "POST calendar/events/{id}/moves": lambda uc, u, w, s: uc.calendar.move(
            u, event(w, s), expected_version=1, starts_at=starts, ends_at=ends),
        "POST calendar/events/{id}/cancellation": lambda uc, u, w, s: uc.calendar.cancel(
            u, event(w, s), expected_version=1, reason="Brak sali"),
        "POST calendar/events/{id}/attendance": lambda uc, u, w, s: uc.calendar.record_attendance(
            u, event(w, s, "started"), institution_ids=[w.lcb]),
    }


def __getattr__(name: str):
    if name == "CALENDAR_ROUTES":  # lazy: the matrix module imports this one
        return _matrix_routes()
    if name == "CALENDAR_USE_CASES":
        return _use_cases()
    raise AttributeError(name)
