"""uc.imports over the API test world: every row checked before anything is saved, the rejected rows named
(sheet, row, field, reason in both languages), `valid_only` saving the rest, a re-import or a re-run after a
crash doubling nothing, every record kind and persons by name, and imported records counted in the indicators
exactly like records typed in."""

from __future__ import annotations

import threading
from datetime import date

import pytest

from domain.application import DEFAULT_NETWORK_ID
from domain.errors import DomainError
from domain.policy import Forbidden
from domain.values import Actor
from infra.container import Container, bootstrap, build_container
from infra.settings import Settings
from tests.support.registers import CONTACT_HEADER, contacts, csv_file, xlsx_file
from tests.support.world import World, build_world, world  # noqa: F401 (fixture)


def _user(container: Container, role: str):
    return container.users.get_by_email(f"{role}@example.org")


def _register_size(container: Container) -> int:
    return len(container.use_cases.records.register_all(_user(container, "auditor")))


def _import(container: Container, content: bytes, name: str = "kontakty.csv", **options):
    return container.use_cases.imports.import_file(_user(container, "coordinator"), content, name, **options)


def test_a_file_with_a_bad_row_imports_nothing_and_names_the_row(container: Container, world: World):
    rows = contacts(3)
    rows[1][0] = "31.02.2013"  # no such day
    rows[2][1] = "Nieznana"
    before, records = container.runner.log_position(), _register_size(container)
    report = _import(container, csv_file(CONTACT_HEADER, rows))
    assert report.imported == 0 and report.valid == 1 and report.rejected == 2
    assert [(p.sheet, p.row, p.field) for p in report.problems] == [("kontakty", 3, "occurred_on"),
                                                                     ("kontakty", 4, "institution_id")]
    assert "31.02.2013" in report.problems[0].message.pl and "not a date" in report.problems[0].message.en
    assert "Nieznana" in report.problems[1].message.pl
    assert container.runner.log_position() == before and _register_size(container) == records


def test_valid_only_imports_the_rest_and_a_reimport_doubles_nothing(container: Container, world: World):
    rows = contacts(4)
    rows[2][5] = ""  # a contact needs a summary
    content = csv_file(CONTACT_HEADER, rows)
    records = _register_size(container)
    report = _import(container, content, valid_only=True)
    assert (report.imported, report.rejected, report.problems[0].row, report.problems[0].field) == (3, 1, 4, "summary")
    assert _register_size(container) == records + 3
    again = _import(container, content, valid_only=True)
    assert (again.imported, again.already, again.rejected) == (0, 3, 1)
    assert _register_size(container) == records + 3
    fixed = list(rows)
    fixed[2] = list(rows[2][:5]) + ["Uzupełniony opis"]
    assert _import(container, csv_file(CONTACT_HEADER, fixed)).imported == 4  # another file: other keys
    assert _register_size(container) == records + 7


def test_a_dry_run_saves_nothing(container: Container, world: World):
    before = container.runner.log_position()
    report = _import(container, csv_file(CONTACT_HEADER, contacts(5)), dry_run=True)
    assert (report.valid, report.imported, report.problems) == (5, 0, [])
    assert container.runner.log_position() == before


def test_a_run_cut_off_after_a_batch_imports_only_the_rest_when_started_again(container: Container, world: World,
                                                                             monkeypatch):
    content = csv_file(CONTACT_HEADER, contacts(7))
    records = _register_size(container)
    real_save, saves = container.app._save, []

    def crash_after_two_batches(*aggregates, **kwargs):
        if len(saves) == 2:
            raise RuntimeError("the process died")
        saves.append(len(aggregates))
        return real_save(*aggregates, **kwargs)

    monkeypatch.setattr(container.app, "_save", crash_after_two_batches)
    with pytest.raises(RuntimeError):
        _import(container, content, batch_size=3)
    assert saves == [6, 6]  # two batches of three records, each with its three row keys
    assert _register_size(container) == records + 6
    monkeypatch.setattr(container.app, "_save", real_save)
    report = _import(container, content, batch_size=3)
    assert (report.already, report.imported) == (6, 1)
    assert _register_size(container) == records + 7


def test_every_record_kind_from_one_workbook(container: Container, world: World):
    person = container.persons.add(name="Anna Nowak", institution_id=world.citt)
    book = xlsx_file({
        "kontakty": (["occurred_on", "institution_id", "with_firm_id", "channel", "summary", "person_ids"],
                     [[date(2013, 3, 5), "RIPH", "526-025-02-74", "E-mail", "Oferta", None]]),
        "spotkania": (["occurred_on", "title", "kind", "organiser_id", "institution_ids", "firm_ids", "person_ids"],
                      [["05.03.2013", "Spotkanie sieci", "Spotkanie sieci", "WPiR", "RIPH; CITT", "Firma A",
                        "anna nowak"]]),
        "wymiana informacji": (["occurred_on", "from_institution_id", "to_institution_ids", "subject", "channel"],
                               [["2013-03-06", "Instytucja CITT", "RIPH\nLCB", "Nabór wniosków", "email"]]),
        "wnioski": (["occurred_on", "title", "kind", "institution_ids"],
                    [["2013-03-07", "Potrzeby firm", "needs_analysis", "RIPH"]]),
    })
    report = _import(container, book, "rejestr.xlsx")
    assert report.problems == [] and report.by_kind == {"contact": 1, "meeting": 1, "information_exchange": 1,
                                                        "conclusion": 1}
    rows = container.use_cases.records.register_all(_user(container, "auditor"), year=2013)
    meeting = next(r for r in rows if r["kind"] == "meeting")
    assert meeting["fields"]["person_ids"] == [str(person)]
    assert set(meeting["fields"]["institution_ids"]) == {str(world.riph), str(world.citt)}
    exchange = next(r for r in rows if r["kind"] == "information_exchange")
    assert set(exchange["fields"]["to_institution_ids"]) == {str(world.riph), str(world.lcb)}


def test_a_sheet_with_an_unknown_column_or_name_is_named_and_nothing_is_saved(container: Container, world: World):
    before = container.runner.log_position()
    book = xlsx_file({"kontakty": (CONTACT_HEADER + ["uwagi"], [contacts(1)[0] + ["x"]]),
                      "Arkusz1": (CONTACT_HEADER, contacts(1))})
    report = _import(container, book, "rejestr.xlsx", valid_only=True)
    assert [(p.sheet, p.row) for p in report.problems] == [("Arkusz1", 1), ("kontakty", 1)]
    assert "uwagi" in report.problems[1].message.pl and "Arkusz1" in report.problems[0].message.en
    assert report.imported == 0 and container.runner.log_position() == before


def test_the_template_reads_back_as_an_empty_register(container: Container, world: World):
    template = container.use_cases.imports.template(_user(container, "coordinator"))
    report = _import(container, template, "szablon.xlsx")
    assert (report.rows, report.problems, report.imported) == (0, [], 0)


@pytest.mark.parametrize("role", ["staff", "lead", "auditor"])
def test_only_a_coordinator_imports(container: Container, world: World, role: str):
    before = container.runner.log_position()
    with pytest.raises(Forbidden):
        container.use_cases.imports.import_file(_user(container, role), csv_file(CONTACT_HEADER, contacts(1)),
                                                "kontakty.csv")
    with pytest.raises(Forbidden):
        container.use_cases.imports.template(_user(container, role))
    assert container.runner.log_position() == before


def test_a_file_that_is_not_a_register_is_refused_on_the_file(container: Container, world: World):
    for content, name in ((b"", "pusty.csv"), (b"\xd0\xcf\x11\xe0rest", "stary.xls"), (b"PK\x03\x04junk", "zly.xlsx")):
        with pytest.raises(DomainError) as refused:
            _import(container, content, name)
        assert refused.value.field == "file"


def _indicator_values(container: Container) -> dict:
    report = container.use_cases.strategy.task_report(_user(container, "auditor"), "III.1.3")
    return {i["code"]: i["years"] for i in report["indicators"]}


def test_imported_records_count_in_the_indicators_exactly_like_records_typed_in(container: Container, world: World):
    rows = contacts(5) + contacts(2, owner="CITT", other="LCB", start=5)
    before = _indicator_values(container)
    assert _import(container, xlsx_file({"kontakty": (CONTACT_HEADER, rows)}), "rejestr.xlsx").imported == 7
    imported = _indicator_values(container)
    assert imported != before

    typed_store = build_container(Settings(in_memory=True))
    try:
        bootstrap(typed_store)
        typed_world = build_world(typed_store, DEFAULT_NETWORK_ID)
        ids = {"RIPH": typed_world.riph, "CITT": typed_world.citt, "LCB": typed_world.lcb}
        coordinator = _user(typed_store, "coordinator")
        for day, owner, other, _, channel, summary in rows:
            typed_store.use_cases.records.record(coordinator, "contact", {
                "occurred_on": date.fromisoformat(day), "institution_id": ids[owner],
                "with_institution_id": ids[other], "channel": channel, "summary": summary})
        assert _indicator_values(typed_store) == imported
    finally:
        typed_store.close()


def test_one_csv_of_several_kinds_names_each_row_s_kind(container: Container, world: World):
    header = ["record_kind", "occurred_on", "institution_id", "with_institution_id", "channel", "summary", "title",
              "kind", "organiser_id", "institution_ids"]
    rows = [["kontakty", "2013-03-05", "RIPH", "CITT", "phone", "Rozmowa", "", "", "", ""],
            ["meeting", "06.03.2013", "", "", "", "", "Spotkanie", "workshop", "RIPH", "CITT"],
            ["protokoły", "2013-03-07", "RIPH", "CITT", "phone", "Rozmowa", "", "", "", ""]]
    report = _import(container, csv_file(header, rows, delimiter=","), "rejestr.csv")
    assert [(p.row, p.field) for p in report.problems] == [(4, "record_kind")]
    assert report.valid == 2
    assert _import(container, csv_file(header, rows[:2], delimiter=","), "rejestr.csv").by_kind == {
        "contact": 1, "meeting": 1}


def test_rows_another_run_saved_after_this_run_checked_them_are_not_saved_twice(container: Container, world: World,
                                                                               monkeypatch):
    content = csv_file(CONTACT_HEADER, contacts(5))
    first = _import(container, csv_file(CONTACT_HEADER, contacts(5)[:3]), "kontakty.csv")
    assert first.imported == 3  # another file: other keys
    assert _import(container, content).imported == 5
    records = _register_size(container)
    uc, real = container.use_cases.imports, container.use_cases.imports._already_imported
    checking = {"batches": 3}  # five rows, two to a batch

    def unseen_while_checking(*args):  # as if the other run saved them between this run's check and its save
        if checking["batches"]:
            checking["batches"] -= 1
            return set()
        return real(*args)

    monkeypatch.setattr(uc, "_already_imported", unseen_while_checking)
    report = _import(container, content, batch_size=2)
    assert (report.valid, report.imported, report.already, report.problems) == (5, 0, 5, [])
    assert _register_size(container) == records


def _seal(container: Container, year: int) -> None:
    actor = Actor(user_id="koordynator@example.org")
    for institution in container.app.years.required_sign_offs(DEFAULT_NETWORK_ID, year):
        container.app.years.sign_off_year(network_id=DEFAULT_NETWORK_ID, year=year, institution_id=institution,
                                          actor=actor)
    container.app.years.seal_year(network_id=DEFAULT_NETWORK_ID, year=year, actor=actor)


def test_rows_of_a_sealed_year_are_each_rejected_though_the_batch_checks_a_year_once(container: Container,
                                                                                    world: World):
    _seal(container, 2012)
    rows = contacts(2, year=2013) + contacts(3, year=2012, start=2)
    before = container.runner.log_position()
    report = _import(container, csv_file(CONTACT_HEADER, rows))
    assert [(p.row, p.field) for p in report.problems] == [(4, "occurred_on"), (5, "occurred_on"), (6, "occurred_on")]
    assert "2012" in report.problems[0].message.pl and report.imported == 0
    assert container.runner.log_position() == before
    assert _import(container, csv_file(CONTACT_HEADER, rows), valid_only=True).imported == 2


def test_a_year_sealed_just_before_a_batch_is_saved_refuses_only_that_year_s_rows(container: Container,
                                                                                  world: World, monkeypatch):
    app, sealed = container.app, []
    real_save = app._save

    def seal_first(*aggregates, **kwargs):  # a coordinator seals 2012 after the batch's rows were prepared
        if not sealed and kwargs.get("answer") is False:
            sealed.append(2012)
            other = threading.Thread(target=_seal, args=(container, 2012))  # another request: its own context
            other.start()
            other.join()
        return real_save(*aggregates, **kwargs)

    monkeypatch.setattr(app, "_save", seal_first)
    records = _register_size(container)
    report = _import(container, csv_file(CONTACT_HEADER, contacts(2, year=2013) + contacts(2, year=2012, start=2)))
    assert sealed and report.imported == 2 and report.already == 0
    assert [(p.row, p.field) for p in report.problems] == [(4, "occurred_on"), (5, "occurred_on")]
    assert _register_size(container) == records + 2


def _record_events(container: Container, after: int) -> list[tuple[str, dict]]:
    """The record events stored after log position `after`, decoded, without what differs between any two
    saves (ids, timestamps), sorted by their fields."""
    app = container.app
    found = []
    for notification in app.recorder.select_notifications(after + 1, limit=10_000):
        event = app.mapper.to_domain_event(notification)
        if notification.topic.startswith("splot:Record."):
            state = {k: v for k, v in event.__dict__.items() if k not in ("originator_id", "timestamp")}
            found.append((notification.topic, state))
    return sorted(found, key=repr)


def test_an_import_writes_the_same_record_events_as_the_same_records_typed_in(container: Container, world: World):
    person = container.persons.add(name="Anna Nowak", institution_id=world.citt)
    coordinator = _user(container, "coordinator")
    book = xlsx_file({
        "kontakty": (["occurred_on", "institution_id", "with_firm_id", "channel", "summary", "person_ids"],
                     [[date(2013, 3, 5), "RIPH", "526-025-02-74", "E-mail", "Oferta", None]]),
        "spotkania": (["occurred_on", "title", "kind", "organiser_id", "institution_ids", "firm_ids", "person_ids",
                       "minutes"],
                      [["05.03.2013", "Spotkanie sieci", "Spotkanie sieci", "WPiR", "RIPH; CITT", "Firma A",
                        "anna nowak", "Ustalenia spotkania"]]),
        "wymiana informacji": (["occurred_on", "from_institution_id", "to_institution_ids", "subject", "channel"],
                               [["2013-03-06", "Instytucja CITT", "RIPH\nLCB", "Nabór wniosków", "email"]]),
        "wnioski": (["occurred_on", "title", "kind", "institution_ids"],
                    [["2013-03-07", "Potrzeby firm", "needs_analysis", "RIPH"]]),
    })
    start = container.runner.log_position()
    report = _import(container, book, "rejestr.xlsx")
    assert (report.imported, report.problems) == (4, [])
    imported = _record_events(container, start)
    typed_from = container.runner.log_position()
    for kind, fields in [
        ("contact", {"occurred_on": date(2013, 3, 5), "institution_id": world.riph, "with_firm_id": world.firm_a,
                     "channel": "email", "summary": "Oferta"}),
        ("meeting", {"occurred_on": date(2013, 3, 5), "title": "Spotkanie sieci", "kind": "network_meeting",
                     "organiser_id": world.wpir, "institution_ids": [world.riph, world.citt],
                     "firm_ids": [world.firm_a], "person_ids": [person], "minutes": "Ustalenia spotkania"}),
        ("information_exchange", {"occurred_on": date(2013, 3, 6), "from_institution_id": world.citt,
                                  "to_institution_ids": [world.riph, world.lcb], "subject": "Nabór wniosków",
                                  "channel": "email"}),
        ("conclusion", {"occurred_on": date(2013, 3, 7), "title": "Potrzeby firm", "kind": "needs_analysis",
                        "institution_ids": [world.riph]}),
    ]:
        container.use_cases.records.record(coordinator, kind, fields)
    typed = _record_events(container, typed_from)
    assert len(imported) == 4 and imported == typed
    everything_else = {n.topic for n in container.app.recorder.select_notifications(start + 1, limit=10_000)
                       if n.id <= typed_from and not n.topic.startswith("splot:Record.")}
    assert everything_else == {"splot:IdempotencyKey.Used", "splot:ClosingGate.Passed"}  # the rows' keys, the gate
