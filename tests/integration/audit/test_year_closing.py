"""Closing a year: sign-offs, closed years block changes, reopen for one institution, numbered report
versions that stay retrievable and reproducible as of their closing day."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import eventsourcing.domain
import pytest

from domain.application import DEFAULT_NETWORK_ID
from domain.closing import ReportingYear, report_diff, report_hash, reporting_year_id
from domain.errors import InvariantViolated, NotFound, ValidationFailed
from domain.values import Actor
from infra.closing import close_year, reproduce_report
from infra.container import bootstrap, build_container
from infra.settings import Settings
from tests.support import audit as helpers

NET = DEFAULT_NETWORK_ID
COORDINATOR = Actor(user_id="koordynator@um.leszno.pl")


class Clock:
    """The clock that stamps events (recorded time), moved by the test: a year closes in the next year."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        self.now += timedelta(milliseconds=1)
        return self.now

    def move_to(self, day: date) -> None:
        self.now = datetime(day.year, day.month, day.day, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock(datetime(2013, 1, 5, 9, 0, tzinfo=timezone.utc))
    monkeypatch.setattr(eventsourcing.domain, "datetime_now_with_tzinfo", clock)
    return clock


@pytest.fixture
def world(clock):
    container = build_container(Settings(in_memory=True))
    bootstrap(container)
    ids = helpers.populate(container.app, records=20)
    yield container, ids
    container.close()


def contact_2012(container, ids, institution_key="wpir") -> tuple:
    """A live 2012 contact owned by the given institution (populate makes WPiR's; RIPH's is added here)."""
    if institution_key == "riph":
        saved = container.app.records.record("contact", {
            "network_id": NET, "occurred_on": date(2012, 6, 1), "institution_id": ids["riph"],
            "with_firm_id": ids["firms"][0], "channel": "email", "summary": "Kontakt RIPH"},
            Actor(user_id="jan@riph.pl", institution_id=ids["riph"]))
        return saved.id, saved.version
    for record_id in ids["records"][2:]:
        record = container.app.get_record(record_id)
        if record.occurred_on.year == 2012 and not record.retracted:
            return record_id, record.version
    raise AssertionError("populate made no 2012 contact")


def sign_off_all(container, ids, year=2012):
    for key in ("wpir", "riph"):
        container.app.years.sign_off_year(network_id=NET, year=year, institution_id=ids[key],
                                            actor=Actor(user_id=f"lead@{key}", institution_id=ids[key]))


def contacts_indicator(report: dict, year: str) -> int:
    for task in report["tasks"].values():
        for indicator in task["indicators"]:
            if "kontakt" in indicator["name"].lower():
                return indicator["years"][year]["actual"]
    raise AssertionError("no contacts indicator in the strategy")


def contacts_indicator_path(report: dict) -> str:
    for code, task in report["tasks"].items():
        for i, indicator in enumerate(task["indicators"]):
            if "kontakt" in indicator["name"].lower():
                return f"/tasks/{code}/indicators[{i}]/"
    raise AssertionError("no contacts indicator in the strategy")


def test_close_needs_every_sign_off(world, clock):
    container, ids = world
    container.app.years.sign_off_year(network_id=NET, year=2012, institution_id=ids["wpir"],
                                        actor=Actor(user_id="lead@wpir", institution_id=ids["wpir"]))
    with pytest.raises(InvariantViolated, match="brak podpisu 1 instytucji"):
        close_year(container, network_id=NET, year=2012, actor=COORDINATOR)
    with pytest.raises(InvariantViolated):
        container.app.years.sign_off_year(network_id=NET, year=2012, institution_id=ids["wpir"],
                                            actor=Actor(user_id="lead@wpir", institution_id=ids["wpir"]))
    with pytest.raises(ValidationFailed):
        container.app.years.sign_off_year(network_id=NET, year=1999, institution_id=ids["wpir"], actor=COORDINATOR)


def test_closed_year_blocks_changes_until_reopened_then_version_2(world, clock):
    container, ids = world
    app = container.app
    record_id, version = contact_2012(container, ids)
    riph_record, riph_version = contact_2012(container, ids, "riph")
    sign_off_all(container, ids)

    clock.move_to(date(2013, 1, 20))
    first = close_year(container, network_id=NET, year=2012, actor=COORDINATOR)
    v1 = app.years.report_version(network_id=NET, year=2012, version=1)
    assert v1["report_as_of"] == "2013-01-20" and v1["report_hash"] == report_hash(v1["report"])
    with pytest.raises(InvariantViolated, match="już zamknięty"):
        close_year(container, network_id=NET, year=2012, actor=COORDINATOR)

    # Closed: no correction, retraction or new record of 2012, and nothing is stored.
    position = app.recorder.max_notification_id()
    staff = ids["staff"]
    with pytest.raises(InvariantViolated, match="Rok 2012 jest zamknięty"):
        app.records.correct_record(record_id=record_id, expected_version=version, reason="Zła data",
                                   changes={"occurred_on": date(2013, 3, 3)}, actor=staff)
    with pytest.raises(InvariantViolated, match="Rok 2012 jest zamknięty"):
        app.records.retract_record(record_id=record_id, expected_version=version, reason="Duplikat", actor=staff)
    with pytest.raises(InvariantViolated, match="Rok 2012 jest zamknięty"):
        app.records.record("contact", {"network_id": NET, "occurred_on": date(2012, 12, 1), "institution_id": ids["wpir"],
                                       "with_firm_id": ids["firms"][1], "channel": "phone", "summary": "Spóźniony wpis"}, staff)
    with pytest.raises(InvariantViolated, match="Rok 2012 jest zamknięty"):  # moving a 2013 record into 2012
        later = next(r for r in ids["records"] if app.get_record(r).occurred_on.year == 2013)
        app.records.correct_record(record_id=later, expected_version=app.get_record(later).version, reason="Data",
                                   changes={"occurred_on": date(2012, 2, 2)}, actor=staff)
    assert app.recorder.max_notification_id() == position

    # Reopened for WPiR only: WPiR's record can be corrected, RIPH's still cannot.
    clock.move_to(date(2013, 2, 1))
    with pytest.raises(ValidationFailed):
        app.years.reopen_year(network_id=NET, year=2012, institution_id=ids["wpir"], reason=" ", actor=COORDINATOR)
    app.years.reopen_year(network_id=NET, year=2012, institution_id=ids["wpir"],
                            reason="Błędna data kontaktu zgłoszona przez WPiR", actor=COORDINATOR)
    app.records.correct_record(record_id=record_id, expected_version=version, reason="Kontakt był w 2013 r.",
                               changes={"occurred_on": date(2013, 3, 3)}, actor=staff)
    with pytest.raises(InvariantViolated, match="Rok 2012 jest zamknięty"):
        app.records.retract_record(record_id=riph_record, expected_version=riph_version, reason="x", actor=staff)
    with pytest.raises(InvariantViolated, match="brak podpisu"):  # the reopened institution signs off again
        close_year(container, network_id=NET, year=2012, actor=COORDINATOR)
    app.years.sign_off_year(network_id=NET, year=2012, institution_id=ids["wpir"],
                              actor=Actor(user_id="lead@wpir", institution_id=ids["wpir"]))

    clock.move_to(date(2013, 2, 10))
    close_year(container, network_id=NET, year=2012, actor=COORDINATOR)
    v1_again = app.years.report_version(network_id=NET, year=2012, version=1)
    v2 = app.years.report_version(network_id=NET, year=2012, version=2)
    assert v1_again == v1 and v2["report_as_of"] == "2013-02-10"
    with pytest.raises(NotFound):
        app.years.report_version(network_id=NET, year=2012, version=3)

    # The two versions differ exactly by that correction: the record left 2012 for 2013, one contact moved.
    diff = report_diff(v1["report"], v2["report"])
    diff_paths = {d["path"] for d in diff if not d["path"].startswith("/tasks/")}
    assert diff_paths == {f"/records/{record_id}", "/as_of"}
    assert contacts_indicator(v1["report"], "2012") - contacts_indicator(v2["report"], "2012") == 1
    assert contacts_indicator(v2["report"], "2013") - contacts_indicator(v1["report"], "2013") == 1
    prefix = contacts_indicator_path(v1["report"])
    task_paths = [d["path"] for d in diff if d["path"].startswith("/tasks/") and not d["path"].endswith("/as_of")]
    assert task_paths and all(p.startswith(prefix) and ("2012" in p or "2013" in p) for p in task_paths), task_paths

    # An auditor reproduces each version from the log: the as-of report on the closing day equals it.
    assert reproduce_report(container, network_id=NET, year=2012, as_of=date(2013, 1, 20)) == v1["report"]
    assert reproduce_report(container, network_id=NET, year=2012, as_of=date(2013, 2, 10)) == v2["report"]
    assert first.id == reporting_year_id(NET, 2012)


def test_reporting_year_topics_are_explicit_and_pinned():
    pinned = {"splot:ReportingYear", "splot:ReportingYear.Created", "splot:ReportingYear.Started",
              "splot:ReportingYear.SignedOff", "splot:ReportingYear.Closed", "splot:ReportingYear.Reopened",
              "splot:ReportingYear.Sealed"}
    found = {ReportingYear.TOPIC} | {m.TOPIC for m in vars(ReportingYear).values()
                                     if isinstance(m, type) and hasattr(m, "TOPIC") and m is not ReportingYear}
    assert found == pinned


def test_report_diff_names_each_changed_leaf():
    old = {"a": {"2012": 3, "2013": 1}, "rows": [1, 2], "gone": 1}
    new = {"a": {"2012": 2, "2013": 1}, "rows": [1, 5], "new": "x"}
    assert report_diff(old, new) == [
        {"path": "/a/2012", "old": 3, "new": 2}, {"path": "/gone", "old": 1, "new": None},
        {"path": "/new", "old": None, "new": "x"}, {"path": "/rows[1]", "old": 2, "new": 5}]
    assert report_diff(old, old) == []
