"""The calendar pages (/kalendarz): a staff member publishes an event with the form, finds it in the calendar,
moves and cancels it; a refused form stores nothing; the secret feed address works without a session, parses
with `icalendar`, keeps a moved event's UID with a higher SEQUENCE and says CANCELLED; a revoked address
answers 404; recording attendance after the event makes one meeting record, linked from the event."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Iterator

import icalendar
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from domain.values import warsaw_today
from infra.container import Container
from tests.support.pages import csrf_token, sign_in
from tests.support.world import World

TOMORROW = warsaw_today() + timedelta(days=1)


@pytest.fixture
def page(container: Container, world: World) -> Iterator[TestClient]:
    with TestClient(create_app(container), base_url="https://testserver") as client:
        sign_in(client, "staff@example.org")
        yield client


def _date(prefix: str, day) -> dict[str, str]:
    return {f"{prefix}-day": str(day.day), f"{prefix}-month": str(day.month), f"{prefix}-year": str(day.year)}


def _publish(page: TestClient, world: World, **overrides: str) -> str:
    form = {"csrf_token": csrf_token(page, "/kalendarz/nowe"), "organiser_id": str(world.riph),
            "title": "Warsztaty z eksportu", "kind": "workshop", **_date("starts_on", TOMORROW),
            "starts_time": "10:00", "ends_time": "12:30", "place": "Leszno, ul. Karasia 15",
            "invited_ids": [str(world.citt)], "description": "Dla firm spożywczych", **overrides}
    response = page.post("/kalendarz/nowe", data=form, follow_redirects=False)
    assert response.status_code == 303, response.text
    return re.search(r"/kalendarz/wydarzenia/([0-9a-f-]{36})", response.headers["location"]).group(1)


def _feed_urls(page: TestClient) -> list[str]:
    response = page.post("/kalendarz/kanaly", data={"csrf_token": csrf_token(page, "/kalendarz/kanaly")})
    assert response.status_code == 200
    return re.findall(r"https://testserver/kalendarz/ical/[^<\s]+\.ics", response.text)


def _vevent(feed: bytes, event_id: str):
    calendar = icalendar.Calendar.from_ical(feed)
    return next(c for c in calendar.walk("VEVENT") if str(c["UID"]) == f"{event_id}@splot")


def test_publish_find_move_cancel_and_the_feed_follows(page: TestClient, world: World, container: Container):
    event_id = _publish(page, world)
    shown = page.get(f"/kalendarz/wydarzenia/{event_id}?opublikowano=1")  # where the form's 303 leads
    assert "Warsztaty z eksportu" in shown.text and "Wydarzenie zostało opublikowane" in shown.text
    assert "10:00–12:30" in shown.text and "CITT" in shown.text
    assert "Warsztaty z eksportu" in page.get("/kalendarz").text
    assert "Warsztaty z eksportu" not in page.get("/kalendarz?rodzaj=fair").text

    urls = _feed_urls(page)
    network_url = next(u for u in urls if "/siec/" in u)
    institution_url = next(u for u in urls if "/instytucja/" in u)
    with TestClient(create_app(container), base_url="https://testserver") as app_only:  # a calendar app: no session
        feed = app_only.get(network_url)
        assert feed.status_code == 200 and feed.headers["content-type"].startswith("text/calendar")
        first = _vevent(feed.content, event_id)
        assert first["DTSTART"].params["TZID"] == "Europe/Warsaw" and first["DTSTART"].dt.hour == 10
        assert int(first["SEQUENCE"]) == 0 and str(first["STATUS"]) == "CONFIRMED"
        assert _vevent(app_only.get(institution_url).content, event_id)["UID"] == first["UID"]

        move = {"csrf_token": csrf_token(page, f"/kalendarz/wydarzenia/{event_id}/termin"), "version": "1",
                **_date("starts_on", TOMORROW + timedelta(days=1)), "starts_time": "9:15", "ends_time": "11:00"}
        assert page.post(f"/kalendarz/wydarzenia/{event_id}/termin", data=move, follow_redirects=False).status_code == 303
        moved = _vevent(app_only.get(network_url).content, event_id)
        assert moved["UID"] == first["UID"] and int(moved["SEQUENCE"]) > int(first["SEQUENCE"])
        assert (moved["DTSTART"].dt.day, moved["DTSTART"].dt.hour, moved["DTSTART"].dt.minute) == \
            ((TOMORROW + timedelta(days=1)).day, 9, 15)

        cancel = {"csrf_token": csrf_token(page, f"/kalendarz/wydarzenia/{event_id}/odwolanie"), "version": "2",
                  "reason": "Prelegent zachorował"}
        assert page.post(f"/kalendarz/wydarzenia/{event_id}/odwolanie", data=cancel,
                         follow_redirects=False).status_code == 303
        cancelled = _vevent(app_only.get(network_url).content, event_id)
        assert str(cancelled["STATUS"]) == "CANCELLED" and int(cancelled["SEQUENCE"]) > int(moved["SEQUENCE"])
        assert "Odwołane" in page.get(f"/kalendarz/wydarzenia/{event_id}").text

        revoke = {"csrf_token": csrf_token(page, "/kalendarz/kanaly")}
        assert page.post("/kalendarz/kanaly/uniewaznienie", data=revoke, follow_redirects=False).status_code == 303
        assert app_only.get(network_url).status_code == 404
        assert app_only.get(network_url.replace("/ical/", "/ical/x")).status_code == 404


def test_the_audit_trail_shows_the_calendars_events(page: TestClient, world: World, container: Container):
    _publish(page, world)
    with TestClient(create_app(container), base_url="https://testserver") as auditor:
        sign_in(auditor, "auditor@example.org")
        trail = auditor.get("/audyt?kind=calendar_event")
        assert trail.status_code == 200
        assert "Opublikowano wydarzenie w kalendarzu" in trail.text and "Warsztaty z eksportu" in trail.text
        assert "Wydarzenie w kalendarzu" in trail.text  # the kind, by name
        calendar = auditor.get("/kalendarz")
        assert "Warsztaty z eksportu" in calendar.text and "Opublikuj wydarzenie" not in calendar.text  # reads only


def test_a_refused_form_says_why_and_stores_nothing(page: TestClient, world: World, container: Container):
    before = container.runner.log_position()
    base = {"csrf_token": csrf_token(page, "/kalendarz/nowe"), "organiser_id": str(world.riph), "title": "Targi",
            "kind": "fair", "starts_time": "10:00", "ends_time": "12:00", "place": "Hala"}
    past = page.post("/kalendarz/nowe", data={**base, **_date("starts_on", warsaw_today() - timedelta(days=3))})
    assert past.status_code == 400 and "musi się zacząć w przyszłości" in past.text and "Błąd:" in past.text
    no_place = page.post("/kalendarz/nowe", data={**base, **_date("starts_on", TOMORROW), "place": ""})
    assert no_place.status_code == 400 and "Podaj miejsce wydarzenia albo link" in no_place.text
    bad_time = page.post("/kalendarz/nowe", data={**base, **_date("starts_on", TOMORROW), "starts_time": "25:00"})
    assert bad_time.status_code == 400 and "Godzina rozpoczęcia: podaj godzinę" in bad_time.text
    other = page.post("/kalendarz/nowe", data={**base, **_date("starts_on", TOMORROW), "organiser_id": str(world.citt)})
    assert other.status_code == 400 and "w imieniu swojej instytucji" in other.text
    assert container.runner.log_position() == before


def test_attendance_after_the_event_makes_one_meeting_record(page: TestClient, world: World, container: Container):
    event_id = _publish(page, world)
    attendance = f"/kalendarz/wydarzenia/{event_id}/obecnosc"
    assert "Zapisz obecność" not in page.get(f"/kalendarz/wydarzenia/{event_id}").text  # not before it starts
    after = datetime.combine(TOMORROW, datetime.min.time()) + timedelta(hours=13)
    container.use_cases.calendar.commands.now = lambda: after
    container.app.today = lambda: after.date()
    assert "Zapisz obecność" in page.get(f"/kalendarz/wydarzenia/{event_id}").text
    records_before = len(container.use_cases.records.register_all(container.users.get_by_email("auditor@example.org")))
    form = {"csrf_token": csrf_token(page, attendance), "institution_ids": [str(world.riph), str(world.citt)],
            "firm_ids": [str(world.firm_a)], "meeting_kind": "workshop", "minutes": "Dwunastu uczestników"}
    assert page.post(attendance, data=form, follow_redirects=False).status_code == 303
    shown = page.get(f"/kalendarz/wydarzenia/{event_id}?obecnosc=1").text
    record_id = re.search(r'href="/wpisy/([0-9a-f-]{36})"', shown).group(1)
    assert "Obecność została zapisana" in shown
    record = page.get(f"/wpisy/{record_id}").text
    assert "Warsztaty z eksportu" in record and "Firma A" in record
    again = page.post(attendance, data=form, follow_redirects=False)
    assert again.status_code == 404
    auditor = container.users.get_by_email("auditor@example.org")
    assert len(container.use_cases.records.register_all(auditor)) == records_before + 1
