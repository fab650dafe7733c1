"""The audit pages (in-process, no browser), on a SQLite store so the hash chain exists: the auditor filters
the trail by who recorded it and when and finds a correction with its reason, names everywhere instead of
ids, the internal bookkeeping hidden until asked, the CSV and XLSX of the filtered trail, the chain check and
a signed checkpoint that verifies; staff may not read any of it."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, timedelta
from typing import Iterator

import openpyxl
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from domain.values import WARSAW
from infra.checkpoints import load_checkpoint, load_or_create_key
from infra.container import Container, bootstrap, build_container
from infra.settings import Settings
from tests.support.pages import csrf_token, sign_in
from tests.support.world import World

UUID_TEXT = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
REASON = "Pomyłka w dacie: zażółć gęślą jaźń"


@pytest.fixture
def container(tmp_path) -> Iterator[Container]:
    c = build_container(Settings(data_dir=tmp_path / "var"))
    bootstrap(c)
    yield c
    c.close()


@pytest.fixture
def corrected(container: Container, world: World) -> dict:
    """Staff of RIPH correct their own record with a reason."""
    staff = container.users.get_by_email("staff@example.org")
    record = container.app.get_record(world.own_record)
    container.use_cases.records.correct(staff, world.own_record, expected_version=record.version, reason=REASON,
                                        changes={"summary": "Kontakt telefoniczny w sprawie szkoleń"})
    container.runner.catch_up()
    return {"staff": staff, "record": world.own_record}


@pytest.fixture
def auditor(container: Container, world: World) -> Iterator[TestClient]:
    with TestClient(create_app(container), base_url="https://testserver") as client:
        sign_in(client, "auditor@example.org")
        yield client


def today() -> date:
    return datetime.now(WARSAW).date()


def visible_text(html: str) -> str:
    """The page without its attributes (hrefs, option values), as a person reads it."""
    return re.sub(r"<[^>]+>", " ", html)


def test_the_auditor_finds_a_correction_by_user_and_time_with_its_reason(auditor, corrected):
    query = {"user": str(corrected["staff"].id), "from": today().isoformat(), "to": today().isoformat()}
    page = auditor.get("/audyt", params=query)
    assert page.status_code == 200
    assert "Poprawiono wpis" in page.text and REASON in page.text
    assert "staff@example.org" in page.text and "Instytucja RIPH" in page.text
    assert "Kontakt → Kontakt telefoniczny w sprawie szkoleń" in page.text
    assert f'href="/wpisy/{corrected["record"]}"' in page.text
    assert "czas warszawski" in page.text
    # the setup's entries were not recorded by staff: only the correction is listed
    assert "Zapisano kontakt" not in page.text

    before = auditor.get("/audyt", params={**query, "from": "2001-01-01", "to": (today() - timedelta(days=1)).isoformat()})
    assert before.status_code == 200 and REASON not in before.text
    assert "Żaden wpis nie pasuje do tych filtrów." in before.text


def test_a_record_page_link_shows_that_records_history(auditor, corrected, world):
    page = auditor.get("/audyt", params={"wpis": str(corrected["record"])})
    assert "Zapisano kontakt" in page.text and "Poprawiono wpis" in page.text
    assert "Zarejestrowano instytucję" not in page.text


def test_no_uuid_is_shown_anywhere_a_name_exists(auditor, corrected, world):
    """Users by e-mail; institutions, firms, networks and the municipality by name; records by a link."""
    for params in ({"internal": "1"}, {"internal": "1", "lang": "en"}):
        pages = every_page(auditor, params)
        assert any("staff@example.org" in page for page in pages)
        for page in pages:
            assert UUID_TEXT.findall(visible_text(page)) == [], params
    assert f'href="/wpisy/{world.own_record}"' in "".join(pages)


NEXT = re.compile(r'href="(/audyt\?[^"]*cursor=[^"]*)" rel="next"')


def every_page(client: TestClient, params: dict) -> list[str]:
    """The trail's pages, following "Next page" to the end."""
    pages = [client.get("/audyt", params=params).text]
    while (link := NEXT.search(pages[-1])) is not None:
        pages.append(client.get(link.group(1).replace("&amp;", "&")).text)
        assert len(pages) < 20
    return pages


def test_internal_bookkeeping_is_hidden_until_asked_and_paging_reaches_every_entry(auditor, corrected, container):
    hidden = every_page(auditor, {})
    shown = every_page(auditor, {"internal": "1"})
    assert len(hidden) > 1  # the default strategy alone fills the first page
    assert not any("Zarezerwowano unikalny klucz" in page for page in hidden)
    assert any("Zarezerwowano unikalny klucz" in page for page in shown)
    positions = [int(n) for page in shown for n in re.findall(r"nr (\d+) w dzienniku", page)]
    assert positions == sorted(set(positions))
    assert positions[-1] == container.app.recorder.chain_head().seq  # the correction, last in the log


def test_a_wrong_date_is_shown_on_its_field(auditor, corrected):
    page = auditor.get("/audyt", params={"from": "5 marca"})
    assert page.status_code == 200
    assert "Podaj datę w postaci RRRR-MM-DD" in page.text and 'href="#from"' in page.text
    assert REASON not in page.text


def test_the_csv_has_a_bom_polish_letters_and_a_formula_kept_as_text(auditor, container, corrected, world):
    staff = corrected["staff"]
    record = container.app.get_record(world.own_record)
    container.use_cases.records.correct(staff, world.own_record, expected_version=record.version, reason="=1+1",
                                        changes={"summary": "zażółć gęślą jaźń"})
    container.runner.catch_up()
    response = auditor.get("/audyt.csv", params={"user": str(staff.id)})
    assert response.status_code == 200 and "attachment" in response.headers["content-disposition"]
    raw = response.content
    assert raw.startswith("\ufeff".encode())
    text = raw.decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert lines[0][0].startswith("Ślad audytowy Splot") and "stan na" in lines[0][0]
    assert lines[1][0] == "Pozycja" and lines[1][9] == "Przyczyna"
    entries = lines[2:]
    assert [e[9] for e in entries] == [REASON, "'=1+1"]  # defused: Excel shows it as text
    assert "zażółć gęślą jaźń" in entries[1][10]
    assert entries[1][2] == "staff@example.org" and entries[1][3] == "RIPH – Instytucja RIPH"


def test_the_xlsx_opens_with_the_rows_values(auditor, corrected):
    response = auditor.get("/audyt.xlsx", params={"user": str(corrected["staff"].id)})
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0].startswith("Ślad audytowy Splot")
    assert rows[1][0] == "Pozycja" and sheet.freeze_panes == "A3"
    (entry,) = rows[2:]
    assert isinstance(entry[0], int) and isinstance(entry[6], int) and entry[6] == 2
    assert isinstance(entry[1], datetime)
    assert entry[2] == "staff@example.org" and entry[8] == "Poprawiono wpis" and entry[9] == REASON


def test_the_chain_check_reports_ok_and_when_it_ran(auditor, corrected):
    assert "Łańcucha nie sprawdzano jeszcze" in auditor.get("/audyt").text
    token = csrf_token(auditor, "/audyt")
    response = auditor.post("/audyt/lancuch", data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303
    page = auditor.get(response.headers["location"])
    assert "Łańcuch sprawdzony: wszystkie zdarzenia są nienaruszone." in page.text
    assert ">OK<" in page.text and "czas warszawski" in page.text


def test_the_checkpoint_downloads_and_verifies(auditor, container, corrected, tmp_path):
    token = csrf_token(auditor, "/audyt")
    response = auditor.post("/audyt/punkt-kontrolny", data={"csrf_token": token})
    assert response.status_code == 200 and "attachment" in response.headers["content-disposition"]
    saved = tmp_path / "downloaded.json"
    saved.write_bytes(response.content)
    key = load_or_create_key(container.settings.key_file)
    payload = load_checkpoint(saved, key.public_key())
    assert payload["seq"] == container.app.recorder.chain_head().seq


def test_a_post_without_the_form_token_checks_nothing(auditor, container, corrected):
    response = auditor.post("/audyt/lancuch", data={"csrf_token": "wrong"})
    assert response.status_code == 403
    assert container.use_cases.audit.chain.last_check() is None


def test_staff_may_not_read_the_trail(container, world, corrected):
    with TestClient(create_app(container), base_url="https://testserver") as client:
        sign_in(client, "staff@example.org")
        assert 'href="/audyt"' not in client.get("/").text
        for path in ("/audyt", "/audyt.csv", "/audyt.xlsx"):
            assert client.get(path).status_code == 403, path
        token = csrf_token(client, "/")
        assert client.post("/audyt/lancuch", data={"csrf_token": token}).status_code == 403
        assert container.use_cases.audit.chain.last_check() is None
