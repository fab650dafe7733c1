"""Strategy endpoints over HTTP: task list, task report (now and as of a date), drill-down."""

from __future__ import annotations

from datetime import timedelta

from domain.values import WARSAW

from tests.support.world import World, auth

V1 = "/api/v1"
TASK = "III.1.3"  # "Tworzenie sieci jednostek okołobiznesowych dla subregionu"


def _contacts_indicator(report: dict) -> dict:
    return next(i for i in report["indicators"] if i["name"] == "Ilość nawiązanych kontaktów")


def _contact(world: World, on: str) -> dict:
    return {"occurred_on": on, "institution_id": str(world.riph), "with_institution_id": str(world.citt),
            "channel": "phone", "summary": "Kontakt"}


def test_task_list(client, world):
    response = client.get(f"{V1}/strategy/tasks", headers=auth(world.tokens["auditor"]))
    assert response.status_code == 200
    codes = [t["code"] for t in response.json()["items"]]
    assert TASK in codes
    task = next(t for t in response.json()["items"] if t["code"] == TASK)
    assert task["indicator_count"] >= 4 and task["stage_count"] == 4


def test_task_report_has_the_documented_shape_and_counts_records(client, world):
    staff = auth(world.tokens["staff"])
    before = client.get(f"{V1}/strategy/tasks/{TASK}/report", headers=staff).json()
    contacts = _contacts_indicator(before)
    assert set(contacts) >= {"code", "name", "level", "source", "rule", "years"}
    assert set(contacts["years"]) == {"2009", "2010", "2011", "2012", "2013"}
    assert contacts["years"]["2010"]["target"] == 30  # the strategy's published plan
    assert all(set(v) >= {"target", "actual"} for v in contacts["years"].values())
    assert before["stages"] and before["task"]["code"] == TASK
    assert before["stages"][0]["years"]["2010"] == "-"  # stage 1 planned nothing in 2010
    created = client.post(f"{V1}/contacts", headers=staff, json=_contact(world, "2010-06-01"))
    assert created.status_code == 201
    after = _contacts_indicator(client.get(f"{V1}/strategy/tasks/{TASK}/report", headers=staff).json())
    assert after["years"]["2010"]["actual"] == contacts["years"]["2010"]["actual"] + 1


def test_as_of_report_shows_only_what_was_recorded_by_that_day(client, world, monkeypatch):
    """Contact A is recorded today, contact B "three days later" (the event clock is moved forward):
    the report as of today counts A only; the current report counts both."""
    import eventsourcing.domain

    staff = auth(world.tokens["staff"])
    url = f"{V1}/strategy/tasks/{TASK}/report"
    start = _contacts_indicator(client.get(url, headers=staff).json())["years"]["2012"]["actual"]
    assert client.post(f"{V1}/contacts", headers=staff, json=_contact(world, "2012-02-02")).status_code == 201
    real_now = eventsourcing.domain.datetime_now_with_tzinfo
    later = real_now() + timedelta(days=3)
    monkeypatch.setattr(eventsourcing.domain, "datetime_now_with_tzinfo", lambda: later)
    assert client.post(f"{V1}/contacts", headers=staff, json=_contact(world, "2012-03-03")).status_code == 201
    today = real_now().astimezone(WARSAW).date().isoformat()
    as_of = client.get(url, params={"as_of": today}, headers=staff)
    assert as_of.status_code == 200 and as_of.json()["as_of"] == today
    assert _contacts_indicator(as_of.json())["years"]["2012"]["actual"] == start + 1
    current = client.get(url, headers=staff).json()
    assert current["as_of"] is None
    assert _contacts_indicator(current)["years"]["2012"]["actual"] == start + 2
    before_the_strategy = client.get(url, params={"as_of": "2015-01-01"}, headers=staff)
    assert before_the_strategy.status_code == 404  # the strategy itself was recorded today
    for bad in ("0", "2015-13-01", "yesterday"):
        response = client.get(url, params={"as_of": bad}, headers=staff)
        assert response.status_code == 422 and response.json()["errors"][0]["field"] == "query.as_of"


def test_a_retraction_leaves_the_current_report(client, world):
    staff = auth(world.tokens["staff"])
    url = f"{V1}/strategy/tasks/{TASK}/report"
    record = client.post(f"{V1}/contacts", headers=staff, json=_contact(world, "2012-02-02")).json()
    with_record = _contacts_indicator(client.get(url, headers=staff).json())["years"]["2012"]["actual"]
    retracted = client.post(f"{V1}/records/{record['id']}/retractions", headers=staff,
                            json={"expected_version": 1, "reason": "Pomyłka"})
    assert retracted.status_code == 200
    assert _contacts_indicator(client.get(url, headers=staff).json())["years"]["2012"]["actual"] == with_record - 1


def test_indicator_events_drill_down(client, world):
    coordinator = auth(world.tokens["coordinator"])
    created = client.post(f"{V1}/contacts", headers=coordinator, json=_contact(world, "2010-06-01")).json()
    report = client.get(f"{V1}/strategy/tasks/{TASK}/report", headers=coordinator).json()
    code = _contacts_indicator(report)["code"]
    events = client.get(f"{V1}/indicators/{code}/years/2010/events", headers=coordinator)
    assert events.status_code == 200
    ids = [item.get("record_id") for item in events.json()["items"]]
    assert created["id"] in ids
    assert len(events.json()["items"]) == _contacts_indicator(report)["years"]["2010"]["actual"]
    other_year = client.get(f"{V1}/indicators/{code}/years/2011/events", headers=coordinator).json()
    assert created["id"] not in [item.get("record_id") for item in other_year["items"]]
    assert client.get(f"{V1}/indicators/NOPE/years/2010/events", headers=coordinator).status_code == 404
    assert client.get(f"{V1}/indicators/{code}/years/1999/events", headers=coordinator).status_code == 422
    staff_other = client.get(f"{V1}/indicators/{code}/years/2010/events", params={"institution": str(world.citt)},
                             headers=auth(world.tokens["staff"]))
    assert staff_other.status_code == 403


def test_unknown_task_is_404(client, world):
    response = client.get(f"{V1}/strategy/tasks/IX.9.9/report", headers=auth(world.tokens["auditor"]))
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def _publish(container, title: str = "Sprawozdanie za 2012 r.") -> int:
    from domain.values import Actor

    number = container.app.strategy.publish_report(task_code=TASK, title=title, actor=Actor(user_id="coordinator")).version
    container.runner.catch_up()
    return number


def test_a_published_report_is_listed_and_reproduced_unchanged_by_later_records(client, world):
    coordinator, staff = auth(world.tokens["coordinator"]), auth(world.tokens["staff"])
    publications = f"{V1}/strategy/tasks/{TASK}/publications"
    assert client.get(publications, headers=staff).json() == {"items": []}
    before = _contacts_indicator(client.get(f"{V1}/strategy/tasks/{TASK}/report", headers=staff).json())

    published = client.post(publications, json={"title": "Sprawozdanie za 2012 r."}, headers=coordinator)
    assert published.status_code == 201, published.text
    number = published.json()["number"]
    assert published.json()["version"] == number
    assert client.post(publications, json={"title": "X"}, headers=staff).status_code == 403
    assert client.post(publications, json={"title": ""}, headers=coordinator).status_code == 422
    assert client.post(f"{V1}/strategy/tasks/NO.SUCH/publications", json={"title": "X"},
                       headers=coordinator).status_code == 404

    # A record of 2012 made after publishing changes today's report, not the published one.
    assert client.post(f"{V1}/contacts", json=_contact(world, "2012-06-01"), headers=staff).status_code == 201
    now = _contacts_indicator(client.get(f"{V1}/strategy/tasks/{TASK}/report", headers=staff).json())
    assert now["years"]["2012"]["actual"] != before["years"]["2012"]["actual"]

    [listed] = client.get(publications, headers=auth(world.tokens["auditor"])).json()["items"]
    assert listed["number"] == number and listed["title"] == "Sprawozdanie za 2012 r." and listed["task_code"] == TASK
    assert listed["published_by"] and listed["published_at"]
    report = client.get(f"{publications}/{number}", headers=staff)
    assert report.status_code == 200, report.text
    assert report.json()["publication"]["number"] == number
    assert _contacts_indicator(report.json())["years"]["2012"] == before["years"]["2012"]

    assert client.get(f"{publications}/{number + 1000}", headers=staff).status_code == 404
    assert client.get(f"{V1}/strategy/tasks/NO.SUCH/publications", headers=staff).status_code == 404


def test_a_publication_is_found_only_under_its_own_task(client, world, container):
    number = _publish(container)
    other_task = next(t["code"] for t in client.get(f"{V1}/strategy/tasks", headers=auth(world.tokens["staff"])
                                                    ).json()["items"] if t["code"] != TASK)
    response = client.get(f"{V1}/strategy/tasks/{other_task}/publications/{number}",
                          headers=auth(world.tokens["staff"]))
    assert response.status_code == 404, response.text


def _publish_for_the_cell(container, world: World) -> None:
    """The publication's number is the strategy's version then: the cell's path reads it from the world."""
    world.publication_number = _publish(container)


# Rows for the authorization matrix (tests/e2e/api/test_authorization_matrix.py), kept beside the routes they test.
def _matrix_routes():
    from tests.e2e.api.test_authorization_matrix import Route, inst, same

    readers = {"staff": same(200), "lead": same(200), "coordinator": same(200), "auditor": same(200),
               "admin": same(403)}
    audit = {"staff": same(403), "lead": same(403), "coordinator": same(200), "auditor": same(200),
             "admin": same(403)}
    no_report = {**audit, "coordinator": same(404), "auditor": same(404)}
    return {
        "GET strategy/tasks": Route("GET", lambda w, s: "/strategy/tasks", None, readers),
        "GET strategy/tasks/{code}/report": Route("GET", lambda w, s: f"/strategy/tasks/{TASK}/report", None,
                                                  readers),
        "GET indicators/{code}/years/{year}/events": Route(
            "GET", lambda w, s: f"/indicators/III.1.3.W2/years/2012/events?institution={inst(w, s)}", None,
            {**readers, "staff": (200, 403), "lead": (200, 403)}),
        # The audit trail (api/routes/audit.py): auditors and coordinators only.
        "GET strategy/tasks/{code}/publications": Route("GET", lambda w, s: f"/strategy/tasks/{TASK}/publications",
                                                        None, readers),
        "GET strategy/tasks/{code}/publications/{n}": Route(
            "GET", lambda w, s: f"/strategy/tasks/{TASK}/publications/{w.publication_number}", None, readers,
            setup=_publish_for_the_cell),
        "POST strategy/tasks/{code}/publications": Route(
            "POST", lambda w, s: f"/strategy/tasks/{TASK}/publications", lambda w, s: {"title": "Sprawozdanie"},
            {"staff": same(403), "lead": same(403), "coordinator": same(201), "auditor": same(403),
             "admin": same(403)}),
        "GET audit/entries": Route("GET", lambda w, s: "/audit/entries", None, audit),
        "GET audit/entries.csv": Route("GET", lambda w, s: "/audit/entries.csv", None, audit),
        "GET records/{id}/history": Route(
            "GET", lambda w, s: f"/records/{w.own_record if s == 'own' else w.other_record}/history", None, audit),
        "GET audit/years/{year}/reports/{version}": Route(
            "GET", lambda w, s: "/audit/years/2012/reports/1", None, no_report),
        "GET audit/years/{year}/reports/{version}/diff/{other}": Route(
            "GET", lambda w, s: "/audit/years/2012/reports/1/diff/2", None, no_report),
    }


def __getattr__(name: str):
    if name == "STRATEGY_ROUTES":  # lazy: the matrix module imports this one
        return _matrix_routes()
    raise AttributeError(name)
