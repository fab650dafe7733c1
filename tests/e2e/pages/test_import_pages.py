"""The coordinator imports an old register from the pages (in-process, no browser): the form and its template
download, a file with a bad row refused on the file with the row named in Polish (and English with ?lang=en)
and nothing stored, the valid rows imported when asked, a re-import doubling nothing, a check that saves
nothing, a missing file named; staff are refused and offered nothing."""

from __future__ import annotations

import html
import io
import re
from typing import Iterator

import openpyxl
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from infra.container import Container
from tests.support.pages import csrf_token, sign_in
from tests.support.registers import CONTACT_HEADER, contacts, csv_file, xlsx_file
from tests.support.second_factor import sign_in_with_second_factor
from tests.support.world import World


@pytest.fixture
def coordinator(container: Container, world: World) -> Iterator[TestClient]:
    with TestClient(create_app(container), base_url="https://testserver") as client:
        sign_in_with_second_factor(client, container, "coordinator@example.org")
        yield client


def _text(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def _records(container: Container) -> int:
    return len(container.use_cases.records.register_all(container.users.get_by_email("auditor@example.org")))


def _upload(client: TestClient, content: bytes, name: str, *, lang: str = "", **form: str):
    token = csrf_token(client, "/import")
    return client.post(f"/import{lang}", data={"csrf_token": token, **form},
                       files={"file": (name, content, "application/octet-stream")})


def test_the_form_and_the_template(coordinator):
    page = coordinator.get("/import")
    assert page.status_code == 200
    text = _text(page.text)
    assert "Import rejestru" in text and "Pobierz szablon (XLSX)" in text and "Importuj tylko poprawne wiersze" in text
    assert 'enctype="multipart/form-data"' in page.text and 'name="csrf_token"' in page.text
    template = coordinator.get("/import/szablon.xlsx")
    assert template.status_code == 200 and template.headers["content-type"].startswith("application/vnd.openxml")
    book = openpyxl.load_workbook(io.BytesIO(template.content), read_only=True)
    assert book.sheetnames == ["instrukcja", "kontakty", "spotkania", "wymiana informacji", "wnioski"]
    header = [c.value for c in next(book["kontakty"].iter_rows(max_row=1))]
    assert header[:3] == ["occurred_on", "institution_id", "with_institution_id"] and header[-1] == "person_ids"


def test_a_bad_row_is_named_and_nothing_is_stored(coordinator, container):
    rows = contacts(3)
    rows[1][1] = "Nieistniejąca"
    before, records = container.runner.log_position(), _records(container)
    answer = _upload(coordinator, xlsx_file({"kontakty": (CONTACT_HEADER, rows)}), "rejestr.xlsx", action="import")
    assert answer.status_code == 422
    text = _text(answer.text)
    assert text.startswith("Błąd:") or "<title>Błąd:" in answer.text
    assert "Plik ma odrzucone wiersze (1): niczego nie zaimportowano." in text
    assert "kontakty 3 institution_id Nie ma instytucji „Nieistniejąca” w rejestrze sieci" in text
    assert "(No institution" not in text  # the page's language only
    assert container.runner.log_position() == before and _records(container) == records
    english = _upload(coordinator, xlsx_file({"kontakty": (CONTACT_HEADER, rows)}), "rejestr.xlsx", lang="?lang=en",
                      action="import")
    assert "No institution “Nieistniejąca” in the network's registry" in _text(english.text)
    assert container.runner.log_position() == before


def test_valid_rows_only_then_a_reimport_doubles_nothing(coordinator, container):
    rows = contacts(4)
    rows[0][0] = "2013-02-30"
    content = csv_file(CONTACT_HEADER, rows)
    records = _records(container)
    answer = _upload(coordinator, content, "kontakty.csv", action="import", valid_only="1")
    assert answer.status_code == 200
    text = _text(answer.text)
    assert "Import zakończony" in text and "Zaimportowano 3 wiersze." in text and "Kontakt: 3" in text
    assert "kontakty 2 occurred_on" in text
    assert _records(container) == records + 3
    again = _text(_upload(coordinator, content, "kontakty.csv", action="import", valid_only="1").text)
    assert "Zaimportowano 0 wierszy." in again and "3 wiersze były już wcześniej zaimportowane" in again
    assert _records(container) == records + 3


def test_check_only_saves_nothing(coordinator, container):
    before = container.runner.log_position()
    answer = _upload(coordinator, csv_file(CONTACT_HEADER, contacts(2)), "kontakty.csv", action="check")
    assert answer.status_code == 200
    assert "2 wiersze można zaimportować; niczego jeszcze nie zapisano." in _text(answer.text)
    assert container.runner.log_position() == before


def test_a_missing_or_unreadable_file_is_named_on_the_file(coordinator, container):
    before = container.runner.log_position()
    token = csrf_token(coordinator, "/import")
    missing = coordinator.post("/import", data={"csrf_token": token, "action": "import"})
    assert missing.status_code == 422 and "Wybierz plik rejestru (.xlsx albo .csv)." in _text(missing.text)
    broken = _upload(coordinator, b"PK\x03\x04broken", "rejestr.xlsx", action="import")
    assert broken.status_code == 422 and "Plik nie jest poprawnym plikiem XLSX." in _text(broken.text)
    assert 'href="#file"' in broken.text
    assert container.runner.log_position() == before


def test_staff_are_refused(container, world):
    with TestClient(create_app(container), base_url="https://testserver") as staff:
        sign_in(staff, "staff@example.org")
        assert staff.get("/import").status_code == 403
        assert staff.get("/import/szablon.xlsx").status_code == 403
        before = container.runner.log_position()
        token = csrf_token(staff, "/")
        refused = staff.post("/import", data={"csrf_token": token, "action": "import"},
                             files={"file": ("k.csv", csv_file(CONTACT_HEADER, contacts(1)), "text/csv")})
        assert refused.status_code == 403
        assert container.runner.log_position() == before


def test_the_register_links_to_the_import_for_those_who_may(coordinator, container, world):
    assert 'href="/import"' in coordinator.get("/wpisy").text
    with TestClient(create_app(container), base_url="https://testserver") as staff:
        sign_in(staff, "staff@example.org")
        page = staff.get("/wpisy")
        assert page.status_code == 200 and 'href="/import"' not in page.text
