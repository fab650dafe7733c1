"""Erasing a contact person leaves nothing of them in any file of the store (issue 12's acceptance test, the
directory half; free text typed into records is the other half of the issue, not tested here).

A real SQLite store served by uvicorn on 127.0.0.1 with its access and application logs written to a file
beside the databases. A person with a distinctive name, e-mail and phone is named by two meetings and a
contact; an auditor reads the register, a record, the audit trail and the person's page and downloads the
register and the audit trail as CSV (all showing the name — so the search below could find it); the DPO
finds them by name and e-mail, exports their data and erases them. Then a byte search of every file under
the store's folder — each database, its -wal and -shm, the server log — finds none of the name, e-mail or
phone, with the server still running and again after it stopped; the downloads made after the erasure hold
none either and say "osoba usunięta"; the indicator values are unchanged and `verify_log` passes.
"""

from __future__ import annotations

import contextlib
import logging
import re
import socket
import threading
import time
from datetime import date
from pathlib import Path
from typing import Iterator

import httpx
import pyotp
import pytest
import uvicorn

from api.app import create_app
from domain.application import DEFAULT_MUNICIPALITY_ID, DEFAULT_NETWORK_ID
from domain.use_cases.people import PersonDetails
from infra.container import bootstrap, build_container
from infra.settings import Settings
from infra.verify import verify_log
from tests.support.second_factor import ENROL_PAGE, secret_on_page
from tests.support.world import build_world

NAME = "Zdzisława Ęsterhazy-Wróblewska"
EMAIL = "zdzislawa.esterhazy@przyklad-rodo.example"
PHONE = "+48 607 123 987"
NEEDLES = [NAME, "Esterhazy", "Ęsterhazy", "Wróblewska", EMAIL, "zdzislawa.esterhazy", PHONE, "607 123 987"]
PASSWORD = "correct horse battery"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class Browser:
    """An HTTP client that keeps the pages' cookies itself: they are `Secure` (`__Host-`), which httpx's
    cookie jar would not send over http://127.0.0.1 (a browser does, on loopback)."""

    def __init__(self, base: str) -> None:
        self.http = httpx.Client(base_url=base, follow_redirects=False, timeout=60)
        self.cookies: dict[str, str] = {}
        self.urls: list[str] = []

    def request(self, method: str, path: str, **kwargs) -> httpx.Response:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()), "Sec-Fetch-Site": "same-origin"}
        response = self.http.request(method, path, headers=headers, **kwargs)
        self.urls.append(str(response.request.url))
        for header in response.headers.get_list("set-cookie"):
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            if "max-age=0" in header.lower() or not value.strip('"'):
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return response

    def get(self, path: str, **kwargs) -> httpx.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, data: dict, **kwargs) -> httpx.Response:
        return self.request("POST", path, data=data, **kwargs)

    def token(self, path: str) -> str:
        page = self.get(path)
        assert page.status_code == 200, (path, page.status_code)
        return _CSRF.search(page.text).group(1)

    def sign_in(self, email: str) -> None:
        """Password, then (for the DPO) the TOTP enrolment with a code computed from the secret the page shows."""
        self.cookies.clear()
        response = self.post("/login", data={"csrf_token": self.token("/login"), "email": email,
                                             "password": PASSWORD, "next": "/"})
        assert response.status_code == 303, response.text[:500]
        if response.headers["location"].startswith(ENROL_PAGE):
            page = self.get(ENROL_PAGE)
            response = self.post(ENROL_PAGE, data={"csrf_token": self.token(ENROL_PAGE), "next": "/",
                                                   "code": pyotp.TOTP(secret_on_page(page.text)).now()})
            assert response.status_code == 303, response.text[:500]
        assert response.headers["location"] == "/", response.text[:500]


@contextlib.contextmanager
def served(container, log_file: Path) -> Iterator[str]:
    """The app on a free port of 127.0.0.1, its access log and every application log line going to `log_file`."""
    handler = logging.FileHandler(log_file, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    loggers = [logging.getLogger(n) for n in ("", "uvicorn", "uvicorn.access", "uvicorn.error", "infra", "api")]
    levels = [(lg, lg.level) for lg in loggers]
    for lg in loggers:
        lg.addHandler(handler)
        lg.setLevel(logging.DEBUG)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(create_app(container), log_config=None, access_log=True,
                                           log_level="debug", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        assert thread.is_alive()
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
        for lg, level in levels:
            lg.removeHandler(handler)
            lg.setLevel(level)
        handler.close()


def found_in_files(folder: Path) -> dict[str, list[str]]:
    """{file: [needles found]} over every file under `folder`, searched as bytes (UTF-8, and the e-mail and
    phone also as UTF-16, as SQLite could store text)."""
    hits = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        data = path.read_bytes()
        found = [n for n in NEEDLES if n.encode("utf-8") in data or n.encode("utf-16-le") in data]
        if found:
            hits[str(path.relative_to(folder))] = found
    return hits


def without_needles(text: str) -> list[str]:
    return [n for n in NEEDLES if n in text]


@pytest.fixture
def store(tmp_path: Path):
    container = build_container(Settings(data_dir=tmp_path / "var"))
    bootstrap(container)
    world = build_world(container, DEFAULT_NETWORK_ID)
    container.users.add(email="iod@example.org", password=PASSWORD, role="dpo", municipality_id=DEFAULT_MUNICIPALITY_ID)
    yield container, world, tmp_path / "var"
    container.close()


def test_an_erased_person_is_in_no_file_and_every_count_stays(store):
    container, world, folder = store
    uc = container.use_cases
    coordinator = container.users.get_by_email("coordinator@example.org")
    person = uc.people.add(coordinator, PersonDetails(name=NAME, email=EMAIL, phone=PHONE, position="prezes zarządu",
                                                      institution_id=world.riph))
    other = uc.people.add(coordinator, PersonDetails(name="Teodor Pozostaje", email="teodor@example.org",
                                                     institution_id=world.citt))
    meetings = [uc.records.record(coordinator, "meeting", {
        "occurred_on": day, "title": f"Spotkanie sieci {day.year}", "kind": "network_meeting",
        "organiser_id": world.riph, "institution_ids": [world.citt, world.lcb], "firm_ids": [world.firm_a],
        "person_ids": [person, other]}).id for day in (date(2013, 3, 1), date(2013, 6, 12))]
    contact = uc.records.record(coordinator, "contact", {
        "occurred_on": date(2013, 4, 2), "institution_id": world.riph, "with_institution_id": world.citt,
        "channel": "phone", "summary": "Rozmowa o targach", "person_ids": [person]}).id
    report_before = uc.strategy.task_report(coordinator, "III.1.3")
    records_before = uc.records.register(coordinator, limit=100)[0]
    log_file = folder / "server.log"
    (folder / "downloads").mkdir()

    with served(container, log_file) as base:
        auditor = Browser(base)
        auditor.sign_in("auditor@example.org")
        before = {"register": auditor.get("/wpisy"), "record": auditor.get(f"/wpisy/{meetings[0]}"),
                  "person": auditor.get(f"/katalog/osoby/{person}"), "trail": auditor.get("/audyt"),
                  "register.csv": auditor.get("/wpisy/pobierz/csv"), "audit.csv": auditor.get("/audyt.csv")}
        found = auditor.post("/katalog/osoby", data={"csrf_token": auditor.token("/katalog/osoby"), "q": NAME})
        for what in ("record", "person", "audit.csv"):
            assert NAME in before[what].text, what  # the name is shown before: the search below means something
        assert NAME in found.text
        for name, response in before.items():
            assert response.status_code == 200, name
            (folder / "downloads" / f"before-{name}").write_bytes(response.content)

        dpo = Browser(base)
        dpo.sign_in("iod@example.org")
        for query in (NAME, EMAIL):
            assert NAME in dpo.post("/ochrona-danych/osoby", data={"csrf_token": dpo.token("/ochrona-danych/osoby"),
                                                                  "q": query}).text
        page = f"/ochrona-danych/osoby/{person}"
        token = dpo.token(page)
        exported = dpo.post(f"{page}/wydanie", data={"csrf_token": token, "format": "json"})
        assert exported.status_code == 200 and EMAIL in exported.text and PHONE in exported.text
        assert all(str(m) in exported.text for m in (*meetings, contact)) and "Teodor" not in exported.text
        assert dpo.post(f"{page}/wydanie", data={"csrf_token": token, "format": "pdf"}).content.startswith(b"%PDF")
        held = found_in_files(folder)
        assert any(f.startswith("directory.sqlite3") for f in held), held  # the search finds what is there
        assert any(f.startswith("downloads") for f in held) and "server.log" not in held, held
        erased = dpo.post(f"{page}/usun", data={"csrf_token": token, "legal_ground": "a"})
        assert erased.status_code == 303, erased.text[:500]
        # What was downloaded before the erasure is the requester's; it is not part of the store.
        for path in (folder / "downloads").iterdir():
            path.unlink()

        after = {"register": auditor.get("/wpisy"), "record": auditor.get(f"/wpisy/{meetings[0]}"),
                 "contact": auditor.get(f"/wpisy/{contact}"), "trail": auditor.get("/audyt"),
                 "register.csv": auditor.get("/wpisy/pobierz/csv"), "register.xlsx": auditor.get("/wpisy/pobierz/xlsx"),
                 "audit.csv": auditor.get("/audyt.csv"), "audit.xlsx": auditor.get("/audyt.xlsx"),
                 "persons": auditor.get("/katalog/osoby")}
        for name, response in after.items():
            assert response.status_code == 200, name
            (folder / "downloads" / f"after-{name}").write_bytes(response.content)
        assert "osoba usunięta" in after["record"].text and "Teodor Pozostaje" in after["record"].text
        assert "osoba usunięta" in after["contact"].text
        assert "osoba usunięta" in after["audit.csv"].content.decode("utf-8-sig")
        assert "Usunięto dane osoby kontaktowej" in auditor.get("/audyt", params={"kind": "personal_data_act"}).text
        assert auditor.get(f"/katalog/osoby/{person}").status_code == 404

        # No name, e-mail or phone ever went into a URL (the access log writes each one).
        assert not [u for u in auditor.urls + dpo.urls if without_needles(httpx.URL(u).path + "?" +
                                                                           httpx.URL(u).query.decode())]
        assert found_in_files(folder) == {}  # while the server runs: databases, -wal, -shm, the log, downloads
    assert log_file.stat().st_size > 0 and '"GET /wpisy' in log_file.read_text()  # the access log was written

    assert uc.strategy.task_report(coordinator, "III.1.3") == report_before
    assert uc.records.register(coordinator, limit=100)[0] == records_before  # every record stays, as it was
    assert verify_log(container.app.recorder).ok
    container.close()
    assert found_in_files(folder) == {}  # and after the store closed


def test_secure_delete_is_set_by_the_code_whatever_the_connection_had(tmp_path):
    """Debian's SQLite has secure_delete on by default, other builds not: the directory turns it on itself."""
    container = build_container(Settings(data_dir=tmp_path / "var"))
    try:
        with container.directory_db.transaction(write=True) as tx:
            tx.execute("PRAGMA secure_delete=OFF")
        person = container.persons.add(name=NAME, email=EMAIL, phone=PHONE)
        with container.directory_db.transaction() as tx:
            assert tx.execute("PRAGMA secure_delete")[0]["secure_delete"] == 1
        container.persons.erase(person)
        assert (tmp_path / "var" / "directory.sqlite3-wal").stat().st_size == 0  # checkpointed and truncated
        assert found_in_files(tmp_path / "var") == {}
    finally:
        container.close()


def test_on_postgresql_an_erasure_deletes_the_row_and_the_records_still_name_an_erased_person(postgres_settings):
    """The same use cases over PostgreSQL (the appearances query groups by the register's primary key)."""
    container = build_container(postgres_settings)
    try:
        bootstrap(container)
        world = build_world(container, DEFAULT_NETWORK_ID)
        dpo = container.users.add(email="iod@example.org", password=PASSWORD, role="dpo",
                                  municipality_id=DEFAULT_MUNICIPALITY_ID)
        coordinator = container.users.get_by_email("coordinator@example.org")
        uc = container.use_cases
        person = uc.people.add(coordinator, PersonDetails(name=NAME, email=EMAIL, phone=PHONE, institution_id=world.riph))
        record = uc.records.record(coordinator, "contact", {
            "occurred_on": date(2013, 4, 2), "institution_id": world.riph, "with_institution_id": world.citt,
            "channel": "phone", "summary": "Rozmowa", "person_ids": [person]}).id
        access = uc.privacy.export(dpo, person, format="json")
        assert [r.record_id for r in access.records] == [str(record)]
        uc.privacy.erase(dpo, person, legal_ground="e")
        with container.directory_db.transaction() as tx:
            assert tx.execute("SELECT id FROM directory_persons WHERE id = ?", (str(person),)) == []
        assert uc.people.names(coordinator)[str(person)].pl == "osoba usunięta"
        assert [a.event_type for a in uc.privacy.acts(dpo)] == ["PersonalDataAct.PersonErased",
                                                                "PersonalDataAct.SubjectDataExported"]
    finally:
        container.close()
