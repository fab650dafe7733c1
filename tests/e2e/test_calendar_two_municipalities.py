"""The joint calendar across two municipalities sharing a metropolitan network, through the JSON API and the
feeds: an event published by one municipality's institution in the shared network appears in the other's
feed (and its own home-network events do not); a feed token of one user shows nothing of the other
municipality; the feeds parse with `icalendar` (UID, DTSTAMP, TZID Europe/Warsaw with a VTIMEZONE); a moved
event keeps its UID with a higher SEQUENCE, a cancelled one says CANCELLED; recorded attendance counts in
each participant's indicator view and once for the network, compared with the indicator use case before
and after; a second attempt makes no second record."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Iterator
from uuid import UUID

import icalendar
import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from api.app import create_app
from domain.application import DEFAULT_MUNICIPALITY_ID, DEFAULT_NETWORK_ID
from domain.use_cases.users import OPERATOR
from domain.values import Actor, warsaw_today
from infra.container import Container
from infra.users import UserStore
from tests.support.world import World, auth

V1 = "/api/v1"
DAY = warsaw_today() + timedelta(days=7)


@pytest.fixture
def metro(container: Container, world: World) -> Iterator[dict]:
    """Leszno (the world) and Gniezno, both members of a metropolitan network since 2020."""
    uc, app, system = container.use_cases, container.app, Actor(user_id="setup")
    gniezno = uc.registry.add_municipality(OPERATOR, name="Miasto Gniezno", teryt="3003011",
                                           network_name="Sieć instytucji Gniezna").id
    gniezno_network = uc.registry.scopes.of_municipality(gniezno).home_network_id
    um = app.registry.register_institution(network_id=gniezno_network, name="Urząd Miasta Gniezna", short_name="UMG",
                                           kind="city_department", actor=system).id
    shared = app.registry.register_shared_network(name="Metropolia", kind="municipal_network", actor=system).id
    for municipality in (DEFAULT_MUNICIPALITY_ID, gniezno):
        app.registry.admit_municipality(network_id=shared, municipality_id=municipality, joined_on=date(2020, 1, 1),
                                        actor=system)
    users = UserStore(container.directory_db, hasher=PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    users.add(email="staff@gniezno.example.org", password="correct horse battery", role="staff", institution_id=um,
              municipality_id=gniezno)
    with TestClient(create_app(container), base_url="https://testserver") as client:
        yield {"client": client, "shared": shared, "gniezno_network": gniezno_network, "um": um,
               "gniezno_staff": users.get_by_email("staff@gniezno.example.org"),
               "gniezno_token": users.create_token("staff@gniezno.example.org").token}


def _publish(client: TestClient, token: str, organiser: UUID, network: UUID | None, title: str,
             day: date = DAY, **extra) -> str:
    body = {"organiser_id": str(organiser), "title": title, "kind": "industry_meeting", "place": "Poznań",
            "starts_at": f"{day.isoformat()}T10:00", "ends_at": f"{day.isoformat()}T12:00", **extra}
    if network is not None:
        body["network_id"] = str(network)
    response = client.post(V1 + "/calendar/events", headers=auth(token), json=body)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def _feed(container: Container, client: TestClient, user, path: str) -> icalendar.Calendar:
    token = container.use_cases.calendar.issue_feed_token(user)
    response = client.get(f"/kalendarz/ical/{token}/{path}.ics")
    assert response.status_code == 200, response.text
    return icalendar.Calendar.from_ical(response.content)


def _uids(calendar: icalendar.Calendar) -> set[str]:
    return {str(e["UID"]) for e in calendar.walk("VEVENT")}


def test_a_shared_event_reaches_the_other_municipality_and_nothing_else_does(container, world, metro):
    client, leszno_staff = metro["client"], world.tokens["staff"]
    shared_event = _publish(client, leszno_staff, world.riph, metro["shared"], "Spotkanie władz z branżą logistyczną",
                            invited_ids=[str(world.citt)])
    home_event = _publish(client, leszno_staff, world.riph, None, "Warsztaty tylko dla Leszna")

    gniezno = metro["gniezno_staff"]
    seen = {e["id"] for e in client.get(V1 + "/calendar/events", headers=auth(metro["gniezno_token"])).json()}
    assert shared_event in seen and home_event not in seen
    assert client.get(f"{V1}/calendar/events/{home_event}", headers=auth(metro["gniezno_token"])).status_code == 404

    feed = _feed(container, client, gniezno, f"siec/{metro['shared']}")
    assert f"{shared_event}@splot" in _uids(feed) and f"{home_event}@splot" not in _uids(feed)
    vevent = next(e for e in feed.walk("VEVENT") if str(e["UID"]) == f"{shared_event}@splot")
    assert vevent.get("DTSTAMP") is not None and vevent["DTSTART"].params["TZID"] == "Europe/Warsaw"
    assert [str(tz["TZID"]) for tz in feed.walk("VTIMEZONE")] == ["Europe/Warsaw"]
    assert vevent["DTSTART"].dt.utcoffset() in (timedelta(hours=1), timedelta(hours=2))
    assert str(vevent["URL"]).endswith(f"/kalendarz/wydarzenia/{shared_event}")

    # Gniezno's token reaches nothing of Leszno: not its home network's feed, not its institutions' feeds.
    token = container.use_cases.calendar.issue_feed_token(gniezno)
    assert client.get(f"/kalendarz/ical/{token}/siec/{DEFAULT_NETWORK_ID}.ics").status_code == 404
    assert client.get(f"/kalendarz/ical/{token}/instytucja/{world.riph}.ics").status_code == 404
    assert client.get(f"/kalendarz/ical/{token}/instytucja/{metro['um']}.ics").status_code == 200
    # ...and the token opens nothing but the feeds: not the JSON API, not the pages.
    assert client.get(V1 + "/calendar/events", headers=auth(token)).status_code == 401
    assert client.get("/kalendarz", cookies={"__Host-splot_session": token}, follow_redirects=False).status_code == 303

    # Leszno's own feeds: the home network's has both, RIPH's institution feed too, CITT's the invitation only.
    coordinator = container.users.get_by_email("coordinator@example.org")
    assert {f"{shared_event}@splot", f"{home_event}@splot"} <= _uids(_feed(container, client, coordinator,
                                                                           f"instytucja/{world.riph}"))
    assert _uids(_feed(container, client, coordinator, f"instytucja/{world.citt}")) == {f"{shared_event}@splot"}


def test_moving_and_cancelling_show_in_the_other_municipalitys_feed(container, world, metro):
    client, token = metro["client"], world.tokens["staff"]
    event = _publish(client, token, world.riph, metro["shared"], "Targi inwestycyjne")
    gniezno, path = metro["gniezno_staff"], f"siec/{metro['shared']}"

    def vevent():
        return next(e for e in _feed(container, client, gniezno, path).walk("VEVENT") if str(e["UID"]) == f"{event}@splot")

    first = vevent()
    later = DAY + timedelta(days=3)
    moved = client.post(f"{V1}/calendar/events/{event}/moves", headers=auth(token),
                        json={"expected_version": 1, "starts_at": later.isoformat(), "ends_at": later.isoformat(),
                              "all_day": True})
    assert moved.status_code == 200, moved.text
    second = vevent()
    assert second["UID"] == first["UID"] and int(second["SEQUENCE"]) > int(first["SEQUENCE"])
    assert second["DTSTART"].dt == later and second["DTEND"].dt == later + timedelta(days=1)  # all day: VALUE=DATE
    stale = client.post(f"{V1}/calendar/events/{event}/cancellation", headers=auth(token),
                        json={"expected_version": 1, "reason": "Brak sali"})
    assert stale.status_code == 409
    cancelled = client.post(f"{V1}/calendar/events/{event}/cancellation", headers=auth(token),
                            json={"expected_version": 2, "reason": "Brak sali"})
    assert cancelled.status_code == 200, cancelled.text
    third = vevent()
    assert str(third["STATUS"]) == "CANCELLED" and int(third["SEQUENCE"]) > int(second["SEQUENCE"])
    # Gniezno's staff see the event but may not change Leszno's institution's event.
    refused = client.post(f"{V1}/calendar/events/{event}/edits", headers=auth(metro["gniezno_token"]),
                          json={"expected_version": 3, "changes": {"title": "Przejęte"}})
    assert refused.status_code == 403


def test_attendance_counts_for_each_participant_and_once_for_the_network(container, world, metro):
    client, token, uc = metro["client"], world.tokens["staff"], container.use_cases
    event = _publish(client, token, world.riph, None, "Warsztaty z eksportu", invited_ids=[str(world.citt)])
    coordinator = container.users.get_by_email("coordinator@example.org")
    after = datetime.combine(DAY, datetime.min.time()) + timedelta(hours=14)
    uc.calendar.commands.now = lambda: after
    container.app.today = lambda: after.date()

    def counts() -> tuple[int, ...]:
        return tuple(len(uc.strategy.indicator_events(coordinator, "III.1.3.W3", DAY.year, institution_id=i))
                     for i in (None, world.riph, world.citt, world.lcb))

    before = counts()
    body = {"institution_ids": [str(world.riph), str(world.citt)], "firm_ids": [str(world.firm_a)],
            "meeting_kind": "workshop"}
    response = client.post(f"{V1}/calendar/events/{event}/attendance", headers=auth(token), json=body)
    assert response.status_code == 201, response.text
    record_id = response.json()["id"]
    network, riph, citt, lcb = (a - b for a, b in zip(counts(), before))
    assert (network, riph, citt, lcb) == (1, 1, 1, 0)  # once for the network, once in each participant's view

    shown = client.get(f"{V1}/calendar/events/{event}", headers=auth(token)).json()
    assert shown["status"] == "held" and shown["record_id"] == record_id
    record = client.get(f"{V1}/records/{record_id}", headers=auth(token)).json()
    assert record["kind"] == "meeting" and record["fields"]["occurred_on"] == DAY.isoformat()

    position = container.runner.log_position()
    again = client.post(f"{V1}/calendar/events/{event}/attendance", headers=auth(token), json=body)
    assert again.status_code == 201 and again.json()["id"] == record_id
    assert container.runner.log_position() == position and counts() == tuple(b + d for b, d in
                                                                              zip(before, (1, 1, 1, 0)))


def test_attendance_before_the_event_or_of_a_cancelled_one_is_refused_and_stores_nothing(container, world, metro):
    client, token = metro["client"], world.tokens["staff"]
    event = _publish(client, token, world.riph, None, "Wizyta studyjna")
    position = container.runner.log_position()
    early = client.post(f"{V1}/calendar/events/{event}/attendance", headers=auth(token),
                        json={"institution_ids": [str(world.citt)]})
    assert early.status_code in (409, 422) and "po rozpoczęciu" in early.text
    assert container.runner.log_position() == position
    past = client.post(V1 + "/calendar/events", headers=auth(token), json={
        "organiser_id": str(world.riph), "title": "Wczoraj", "kind": "other", "place": "Leszno",
        "starts_at": "2013-05-05T10:00", "ends_at": "2013-05-05T11:00"})
    assert past.status_code == 422 and "w przyszłości" in past.text
    assert container.runner.log_position() == position


def test_attendance_of_a_shared_event_counts_in_each_municipality_and_once_for_the_network(container, world, metro,
                                                                                             tmp_path):
    """Each member municipality records its own institutions' attendance of a shared event, as a meeting record of
    its own home network (each municipality keeps its own records): the meeting then counts in every participant's
    view by its own municipality's strategy, once in each municipality's network total, and the shared calendar
    shows one event, held once; a repeat makes no second record, and nobody records another municipality's
    institutions."""
    from infra.strategy_loader import load_strategy_file
    from tests.e2e.test_two_municipalities import SECOND_STRATEGY

    strategy = SECOND_STRATEGY.replace('record_kind = "contact"', 'record_kind = "meeting"').replace(
        "years = [2011, 2012]", f"years = [{DAY.year}]").replace("targets = { 2011 = 5, 2012 = 5 }",
                                                                  f"targets = {{ {DAY.year} = 5 }}")
    strategy_file = tmp_path / "gniezno.toml"
    strategy_file.write_text(strategy, encoding="utf-8")
    load_strategy_file(container.app, strategy_file, network_id=metro["gniezno_network"])
    client, token, uc = metro["client"], world.tokens["staff"], container.use_cases
    event = _publish(client, token, world.riph, metro["shared"], "Wizyta studyjna w Gnieźnie")
    after = datetime.combine(DAY, datetime.min.time()) + timedelta(hours=14)
    uc.calendar.commands.now = lambda: after
    container.app.today = lambda: after.date()
    leszno = container.users.get_by_email("coordinator@example.org")
    gniezno = metro["gniezno_staff"]
    chamber = container.app.registry.register_institution(
        network_id=metro["gniezno_network"], name="Izba Gospodarcza Gniezna", short_name="IGG", kind="chamber",
        actor=Actor(user_id="setup")).id

    def counts() -> tuple[int, ...]:
        ours = tuple(len(uc.strategy.indicator_events(leszno, "III.1.3.W3", DAY.year, institution_id=i))
                     for i in (None, world.riph, world.citt))
        theirs = tuple(len(uc.strategy.indicator_events(gniezno, "III.1.3.W2", DAY.year, institution_id=i))
                       for i in (None, metro["um"]))
        return ours + theirs

    before = counts()
    # Leszno cannot record Gniezno's institution: it is not one of its own (nothing stored)
    position = container.runner.log_position()
    refused = client.post(f"{V1}/calendar/events/{event}/attendance", headers=auth(token),
                          json={"institution_ids": [str(world.riph), str(metro["um"])]})
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "institution_ids[1]", refused.text
    assert container.runner.log_position() == position

    ours = client.post(f"{V1}/calendar/events/{event}/attendance", headers=auth(token),
                       json={"institution_ids": [str(world.riph), str(world.citt)], "meeting_kind": "workshop"})
    assert ours.status_code == 201, ours.text
    assert tuple(a - b for a, b in zip(counts(), before)) == (1, 1, 1, 0, 0)
    theirs = client.post(f"{V1}/calendar/events/{event}/attendance", headers=auth(metro["gniezno_token"]),
                         json={"institution_ids": [str(metro["um"]), str(chamber)], "meeting_kind": "workshop"})
    assert theirs.status_code == 201, theirs.text
    assert theirs.json()["id"] != ours.json()["id"]
    assert tuple(a - b for a, b in zip(counts(), before)) == (1, 1, 1, 1, 1)  # each its own, once per network

    shown = client.get(f"{V1}/calendar/events/{event}", headers=auth(metro["gniezno_token"])).json()
    assert shown["status"] == "held" and shown["record_id"] == ours.json()["id"]  # one event, held once
    # each municipality's record stays its own: the other's is not found
    assert client.get(f"{V1}/records/{theirs.json()['id']}", headers=auth(token)).status_code == 404
    assert client.get(f"{V1}/records/{ours.json()['id']}", headers=auth(metro["gniezno_token"])).status_code == 404
    position = container.runner.log_position()
    again = client.post(f"{V1}/calendar/events/{event}/attendance", headers=auth(metro["gniezno_token"]),
                        json={"institution_ids": [str(metro["um"]), str(chamber)], "meeting_kind": "workshop"})
    assert again.status_code == 201 and again.json()["id"] == theirs.json()["id"]
    assert container.runner.log_position() == position and tuple(a - b for a, b in zip(counts(), before)) == \
        (1, 1, 1, 1, 1)

def test_a_member_municipality_records_its_attendance_of_a_shared_event_on_the_pages(container, world, metro):
    from tests.support.pages import csrf_token, sign_in

    event = _publish(metro["client"], world.tokens["staff"], world.riph, metro["shared"], "Warsztaty metropolitalne")
    chamber = container.app.registry.register_institution(
        network_id=metro["gniezno_network"], name="Izba Gospodarcza Gniezna", short_name="IGG", kind="chamber",
        actor=Actor(user_id="setup")).id
    after = datetime.combine(DAY, datetime.min.time()) + timedelta(hours=14)
    container.use_cases.calendar.commands.now = lambda: after
    container.app.today = lambda: after.date()
    with TestClient(create_app(container), base_url="https://testserver") as gniezno:
        sign_in(gniezno, "staff@gniezno.example.org")
        shown = gniezno.get(f"/kalendarz/wydarzenia/{event}")
        attendance = f"/kalendarz/wydarzenia/{event}/obecnosc"
        assert shown.status_code == 200 and attendance in shown.text
        assert "/edycja" not in shown.text  # the organiser's municipality alone changes the event
        form = {"csrf_token": csrf_token(gniezno, attendance), "institution_ids": [str(metro["um"]), str(chamber)],
                "meeting_kind": "workshop"}
        done = gniezno.post(attendance, data=form, follow_redirects=False)
        assert done.status_code == 303, done.text
    records = metro["client"].get(f"{V1}/records", headers=auth(metro["gniezno_token"])).json()["items"]
    assert [r["fields"]["title"] for r in records if r["kind"] == "meeting"] == ["Warsztaty metropolitalne"]


def test_a_shared_events_attendance_before_it_starts_or_once_cancelled_is_refused(container, world, metro):
    client, token = metro["client"], world.tokens["staff"]
    event = _publish(client, token, world.riph, metro["shared"], "Warsztaty jeszcze przed nami")
    body = {"institution_ids": [str(world.riph), str(world.citt)]}
    position = container.runner.log_position()
    early = client.post(f"{V1}/calendar/events/{event}/attendance", headers=auth(token), json=body)
    assert early.status_code in (409, 422) and "rozpoczęciu" in early.text
    assert container.runner.log_position() == position
    cancelled = _publish(client, token, world.riph, metro["shared"], "Warsztaty odwołane")
    done = client.post(f"{V1}/calendar/events/{cancelled}/cancellation", headers=auth(token),
                       json={"expected_version": 1, "reason": "Brak sali"})
    assert done.status_code in (200, 201), done.text
    after = datetime.combine(DAY, datetime.min.time()) + timedelta(hours=14)
    container.use_cases.calendar.commands.now = lambda: after
    position = container.runner.log_position()
    refused = client.post(f"{V1}/calendar/events/{cancelled}/attendance", headers=auth(token), json=body)
    assert refused.status_code in (409, 422) and "odwołane" in refused.text
    assert container.runner.log_position() == position
