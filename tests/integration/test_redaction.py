"""Issue 12's acceptance test, the free-text half: a person's name typed into records goes from every file too.

A real SQLite store served by uvicorn on 127.0.0.1, its access and application logs in a file beside the
databases (the served app and the HTTP client of tests/integration/test_person_erasure.py). A contact person
with a distinctive name, e-mail and phone is named by two meetings and a contact; the name is typed into a
meeting's minutes, the contact's summary (with the phone) and a correction's reason (with the e-mail); an
auditor downloads the register and the audit trail as CSV (which show it). The DPO erases the person and, on
the redaction pages, finds the records by the name and redacts them. Then a byte search of every file under the
store's folder — each database with its -wal, -shm and -journal, the server log, the downloads made after —
finds none of the name, e-mail or phone, with the server running and again after it stopped; the downloads and
pages say "treść usunięta"; every indicator value, the records and their counts are unchanged and the audit
chain verifies before and after (the stored bytes never change: `verify_log` checks the same chain).
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import httpx
import pytest

from domain.application import DEFAULT_MUNICIPALITY_ID, DEFAULT_NETWORK_ID
from domain.use_cases.people import PersonDetails
from infra.container import bootstrap, build_container
from infra.settings import Settings
from infra.verify import verify_log
from tests.integration.test_person_erasure import Browser, served
from tests.support.world import build_world

NAME = "Bronisława Żółtopiórska-Kwiecień"
EMAIL = "bronislawa.zoltopiorska@przyklad-rodo.example"
PHONE = "+48 698 431 205"
NEEDLES = [NAME, "Żółtopiórska", "Zoltopiorska", "Kwiecień", "Bronisława", EMAIL, "bronislawa.zoltopiorska", PHONE,
           "698 431 205"]
PASSWORD = "correct horse battery"
_REDACT_LINK = re.compile(r'href="(/ochrona-danych/wpisy/[0-9a-f-]{36}/redakcja)"')


def found_in_files(folder: Path) -> dict[str, list[str]]:
    """{file: [needles found]} over every file under `folder`, as bytes: UTF-8, and UTF-16 (as SQLite could store
    text), also case-folded for the ASCII needles."""
    hits = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        data = path.read_bytes()
        lowered = data.lower()
        found = [n for n in NEEDLES if n.encode("utf-8") in data or n.encode("utf-16-le") in data
                 or (n.isascii() and n.lower().encode() in lowered)]
        if found:
            hits[str(path.relative_to(folder))] = found
    return hits


@pytest.fixture
def store(tmp_path: Path):
    container = build_container(Settings(data_dir=tmp_path / "var"))
    bootstrap(container)
    world = build_world(container, DEFAULT_NETWORK_ID)
    container.users.add(email="iod@example.org", password=PASSWORD, role="dpo", municipality_id=DEFAULT_MUNICIPALITY_ID)
    yield container, world, tmp_path / "var"
    container.close()


def test_names_typed_into_records_are_in_no_file_after_erasure_and_redaction(store):
    container, world, folder = store
    uc = container.use_cases
    coordinator = container.users.get_by_email("coordinator@example.org")
    person = uc.people.add(coordinator, PersonDetails(name=NAME, email=EMAIL, phone=PHONE, position="radca prawny",
                                                      institution_id=world.riph))
    meetings = [uc.records.record(coordinator, "meeting", {
        "occurred_on": day, "title": f"Spotkanie sieci {day.year}", "kind": "network_meeting",
        "organiser_id": world.riph, "institution_ids": [world.citt, world.lcb], "firm_ids": [world.firm_a],
        "person_ids": [person], "minutes": minutes}).id
        for day, minutes in ((date(2013, 3, 1), f"Referat wygłosiła {NAME}."), (date(2013, 6, 12), "Bez uwag."))]
    contact = uc.records.record(coordinator, "contact", {
        "occurred_on": date(2013, 4, 2), "institution_id": world.riph, "with_institution_id": world.citt,
        "channel": "phone", "summary": f"Rozmowa z {NAME}, tel. {PHONE}", "person_ids": [person]}).id
    uc.records.correct(coordinator, meetings[1], expected_version=1, changes={"topic": "Targi i wystawy"},
                       reason=f"Na prośbę {NAME} ({EMAIL})")
    untouched = uc.records.record(coordinator, "contact", {
        "occurred_on": date(2013, 5, 5), "institution_id": world.riph, "with_institution_id": world.lcb,
        "channel": "email", "summary": "Rozmowa o klastrze spożywczym"}).id
    report_before = uc.strategy.task_report(coordinator, "III.1.3")
    register_before = uc.records.register(coordinator, limit=100)[0]
    assert verify_log(container.app.recorder).ok
    stored_before = [(n.id, n.topic, n.state) for n in container.app.recorder.select_notifications(1, 10_000)]
    log_file = folder / "server.log"
    (folder / "downloads").mkdir()

    with served(container, log_file) as base:
        auditor = Browser(base)
        auditor.sign_in("auditor@example.org")
        before = {"register.csv": auditor.get("/wpisy/pobierz/csv"), "audit.csv": auditor.get("/audyt.csv"),
                  "contact": auditor.get(f"/wpisy/{contact}"), "meeting": auditor.get(f"/wpisy/{meetings[1]}")}
        for name, response in before.items():
            assert response.status_code == 200, name
            (folder / "downloads" / f"before-{name}").write_bytes(response.content)
        assert NAME in before["register.csv"].content.decode("utf-8-sig")  # the contact's summary is its title
        assert EMAIL in before["audit.csv"].content.decode("utf-8-sig")  # the correction's reason
        assert PHONE in before["contact"].text and NAME in before["meeting"].text
        held = found_in_files(folder)
        assert any(f.startswith("views.sqlite3") for f in held), held  # the search finds what is there
        assert any(f.startswith("directory.sqlite3") for f in held), held
        assert not any(f.startswith("events.sqlite3") for f in held), held  # the log holds the text sealed

        dpo = Browser(base)
        dpo.sign_in("iod@example.org")
        page = f"/ochrona-danych/osoby/{person}"
        listed = dpo.get(page)
        links = set(_REDACT_LINK.findall(listed.text))  # the records naming the person, from their page
        assert links == {f"/ochrona-danych/wpisy/{r}/redakcja" for r in (*meetings, contact)}
        erased = dpo.post(f"{page}/usun", data={"csrf_token": dpo.token(page), "legal_ground": "a"})
        assert erased.status_code == 303, erased.text[:500]
        found = dpo.post("/ochrona-danych/wpisy", data={"csrf_token": dpo.token("/ochrona-danych/wpisy"),
                                                          "q": "żółtopiórska"})
        assert set(_REDACT_LINK.findall(found.text)) == {f"/ochrona-danych/wpisy/{r}/redakcja"
                                                         for r in (meetings[0], contact)}  # the text they hold now
        for link in sorted(links):
            done = dpo.post(link, data={"csrf_token": dpo.token(link), "legal_ground": "a"})
            assert done.status_code == 303, done.text[:500]
        assert "Treść wpisu została usunięta" in dpo.get("/ochrona-danych/wpisy?usunieto=1").text
        for path in (folder / "downloads").iterdir():  # the requester's, made before: not part of the store
            path.unlink()

        after = {"register": auditor.get("/wpisy"), "contact": auditor.get(f"/wpisy/{contact}"),
                 "meeting-0": auditor.get(f"/wpisy/{meetings[0]}"), "meeting-1": auditor.get(f"/wpisy/{meetings[1]}"),
                 "register.csv": auditor.get("/wpisy/pobierz/csv"), "register.xlsx": auditor.get("/wpisy/pobierz/xlsx"),
                 "audit.csv": auditor.get("/audyt.csv"), "audit.xlsx": auditor.get("/audyt.xlsx"),
                 "trail": auditor.get("/audyt", params={"kind": "personal_data_act"})}
        for name, response in after.items():
            assert response.status_code == 200, name
            (folder / "downloads" / f"after-{name}").write_bytes(response.content)
        assert "treść usunięta (RODO)" in after["contact"].text and "osoba usunięta" in after["contact"].text
        assert "treść usunięta (RODO)" in after["register.csv"].content.decode("utf-8-sig")
        assert "treść usunięta (RODO)" in after["audit.csv"].content.decode("utf-8-sig")
        assert "Rozmowa o klastrze spożywczym" in after["register.csv"].content.decode("utf-8-sig")  # others stay
        assert after["trail"].text.count("Usunięto treść wpisu") >= 3
        assert not [u for u in auditor.urls + dpo.urls
                    if any(n in httpx.URL(u).path + "?" + httpx.URL(u).query.decode() for n in NEEDLES)]
        assert found_in_files(folder) == {}  # while the server runs: databases, -wal, -shm, the log, downloads
    assert log_file.stat().st_size > 0 and '"POST /ochrona-danych/wpisy/' in log_file.read_text()

    assert uc.strategy.task_report(coordinator, "III.1.3") == report_before  # every indicator value
    register_after = uc.records.register(coordinator, limit=100)[0]
    assert len(register_after) == len(register_before)
    assert [(r["record_id"], r["kind"], r["occurred_on"], r["status"], r["version"]) for r in register_after] == \
           [(r["record_id"], r["kind"], r["occurred_on"], r["status"], r["version"]) for r in register_before]
    assert next(r for r in register_after if r["record_id"] == str(untouched)) == \
           next(r for r in register_before if r["record_id"] == str(untouched))
    stored_after = [(n.id, n.topic, n.state) for n in container.app.recorder.select_notifications(1, 10_000)]
    assert stored_after[:len(stored_before)] == stored_before  # nothing stored was rewritten
    acts = [topic for _id, topic, _state in stored_after[len(stored_before):] if topic.startswith("splot:PersonalDataAct")]
    assert sorted(acts) == ["splot:PersonalDataAct.PersonErased"] + ["splot:PersonalDataAct.RecordRedacted"] * 3
    assert verify_log(container.app.recorder).ok
    container.close()
    assert found_in_files(folder) == {}  # and after the store closed
