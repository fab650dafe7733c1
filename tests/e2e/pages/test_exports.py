"""The downloads of the pages (api/pages/exports.py), followed from the links a user sees.

- On the demo data: every number of the task XLSX for III.1.3 and I.3.5 equals the JSON API's report, and
  "-" / "bd" / 0 keep their kind; the PDF's text (pdftotext) has the table's values and Polish letters.
- On the test world: the CSV starts with a BOM, round-trips "zażółć gęślą jaźń" and keeps "=1+1" text (also
  in the XLSX); an as-of download shows the earlier value; the links carry the page's choices over; a role
  that may not read the strategy is refused; bad parameters are 4xx, never 500.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
from datetime import datetime, timedelta
from typing import Iterator

import openpyxl
import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from api.app import create_app
from domain.application import DEFAULT_MUNICIPALITY_ID
from domain.values import WARSAW, Actor
from infra.container import Container, bootstrap, build_container
from infra.demo import load_demo
from infra.exports.report import format_value
from infra.settings import Settings
from infra.users import UserStore
from tests.support.pages import PASSWORD, sign_in
from tests.support.world import World, auth

TASKS = ("III.1.3", "I.3.5")
CONTACTS = "III.1.3.W2"
needs_pdftotext = pytest.mark.skipif(shutil.which("pdftotext") is None,
                                     reason="pdftotext (poppler-utils) missing: scripts/ensure-system-deps.sh")


# ---------------------------------------------------------------------------------------------- helpers
def _link(page: str, fmt: str) -> str:
    match = re.search(rf'href="([^"]+)" data-download="{fmt}"', page)
    assert match, f"no {fmt} download link"
    return match.group(1).replace("&amp;", "&")


def _follow(client: TestClient, page_url: str, fmt: str):
    page = client.get(page_url)
    assert page.status_code == 200, page_url
    response = client.get(_link(page.text, fmt))
    assert response.status_code == 200, response.text[:300]
    assert response.headers["content-disposition"].startswith("attachment; filename=")
    return response


def _indicator_rows(book) -> tuple[dict[str, list], list[str], dict[str, int]]:
    """The indicator sheet: code -> row values, the years of the merged headers and each year's first column."""
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[3]
    year_cols = {str(v): n for n, v in enumerate(header) if v and str(v).isdigit()}
    by_code = {r[0]: list(r) for r in rows[5:] if r[0] and re.match(r"^[IVX]+\.\d", str(r[0])) and " " not in str(r[0])}
    return by_code, list(year_cols), year_cols


def _pdf_text(body: bytes, tmp_path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(body)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def _shown(value) -> str:
    if value == "-":
        return "–"
    return format_value(value, decimal=",")


# ---------------------------------------------------------------------------------------------- the demo data
@pytest.fixture(scope="module")
def demo() -> Iterator[tuple[Container, str]]:
    container = build_container(Settings(in_memory=True))
    bootstrap(container)
    load_demo(container)
    container.runner.catch_up()
    users = UserStore(container.directory_db, hasher=PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    users.add(email="auditor@example.org", password=PASSWORD, role="auditor", institution_id=None,
              municipality_id=DEFAULT_MUNICIPALITY_ID)
    token = users.create_token("auditor@example.org").token
    yield container, token
    container.close()


@pytest.fixture(scope="module")
def demo_client(demo) -> Iterator[TestClient]:
    container, _ = demo
    with TestClient(create_app(container), base_url="https://testserver") as client:
        sign_in(client, "auditor@example.org")
        yield client


@pytest.mark.parametrize("code", TASKS)
def test_the_task_xlsx_has_the_json_reports_numbers_as_numbers(demo, demo_client, code):
    _, token = demo
    report = demo_client.get(f"/api/v1/strategy/tasks/{code}/report", headers=auth(token)).json()
    download = _follow(demo_client, f"/strategia/zadania/{code}", "xlsx")
    assert download.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert re.search(rf'filename="{re.escape(code)}-\d{{4}}-\d\d-\d\d\.xlsx"', download.headers["content-disposition"])
    book = openpyxl.load_workbook(io.BytesIO(download.content))
    by_code, years, year_cols = _indicator_rows(book)
    sheet = book.worksheets[0]
    title = sheet["A1"].value
    assert code in title and "stan bieżący" in title and "czas warszawski" in title
    assert years == report["years"]
    assert sheet.freeze_panes == "B6"
    merged = {str(r) for r in sheet.merged_cells.ranges}
    numbers = 0
    for indicator in report["indicators"]:
        row = by_code[indicator["code"]]
        for year in years:
            first = year_cols[year]
            assert f"{sheet.cell(4, first + 1).coordinate}:{sheet.cell(4, first + 3).coordinate}" in merged
            for k, series in enumerate(("target", "actual", "percent")):
                expected, cell = indicator["years"][year][series], row[first + k]
                if isinstance(expected, (int, float)) and not isinstance(expected, bool):
                    assert isinstance(cell, (int, float)) and cell == expected, (indicator["code"], year, series)
                    numbers += 1
                else:  # "-" (not planned), "bd" (no data) or nothing: that text, or an empty cell
                    assert cell == expected, (indicator["code"], year, series, cell)
    assert numbers >= 3 * len(years)
    stages = list(book.worksheets[1].iter_rows(values_only=True))[5:5 + len(report["stages"])]
    for stage, row in zip(report["stages"], stages):
        for n, year in enumerate(years):
            cell = stage["years"][year]
            got = row[1 + 2 * n: 3 + 2 * n]
            assert list(got) == ([cell["realised"], cell["planned"]] if isinstance(cell, dict) else ["-", None])
    rules = [r[0] for r in sheet.iter_rows(values_only=True) if r[0] and "(reguła v" in str(r[0])]
    assert [r.split(" ")[0] for r in rules] == [i["code"] for i in report["indicators"]]


@needs_pdftotext
def test_the_task_pdf_has_the_tables_values_and_polish_letters(demo, demo_client, tmp_path):
    _, token = demo
    code = "I.3.5"
    report = demo_client.get(f"/api/v1/strategy/tasks/{code}/report", headers=auth(token)).json()
    download = _follow(demo_client, f"/strategia/zadania/{code}", "pdf")
    assert download.content.startswith(b"%PDF-") and download.headers["content-type"] == "application/pdf"
    text = _pdf_text(download.content, tmp_path)
    assert "Podnoszenie innowacyjności lokalnych firm" in text and "wartość osiągnięta" in text.replace("\n", " ")
    assert "stan bieżący" in text and "czas warszawski" in text
    plan_lines = [line for line in text.splitlines() if "plan (wartość docelowa)" in line]
    assert len(plan_lines) == len(report["indicators"])
    for indicator, line in zip(report["indicators"], plan_lines):
        expected = [_shown(indicator["years"][y]["target"]) for y in report["years"]]
        assert line.split()[-len(expected):] == expected, (indicator["code"], line)
    for indicator in report["indicators"]:
        assert indicator["code"] in text
    percents = [format_value(v, decimal=",") + "%" for i in report["indicators"] for v in
                (i["years"][y]["percent"] for y in report["years"]) if v is not None]
    assert percents and all(p in text for p in percents)


# ---------------------------------------------------------------------------------------------- the test world
@pytest.fixture
def client(container: Container, world: World) -> Iterator[TestClient]:
    with TestClient(create_app(container), base_url="https://testserver") as test_client:
        sign_in(test_client, "auditor@example.org")
        yield test_client


def _contact(client: TestClient, world: World, summary: str) -> None:
    response = client.post("/api/v1/contacts", headers=auth(world.tokens["staff"]),
                           json={"occurred_on": "2012-02-02", "institution_id": str(world.riph),
                                 "with_institution_id": str(world.citt), "channel": "phone", "summary": summary})
    assert response.status_code == 201, response.text


def test_the_register_csv_has_a_bom_keeps_polish_letters_and_defuses_a_formula(client, world):
    _contact(client, world, "zażółć gęślą jaźń")
    _contact(client, world, "=1+1")
    download = _follow(client, "/wpisy?year=2012", "csv")
    assert download.content.startswith("\ufeff".encode("utf-8"))
    text = download.content.decode("utf-8")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))
    assert rows[0][0].startswith("Rejestr wpisów") and "czas warszawski" in rows[0][0]
    assert rows[1] == ["Filtry: Rok: 2012"]
    titles = [r[2] for r in rows[3:]]
    assert "zażółć gęślą jaźń" in titles and "'=1+1" in titles and "=1+1" not in titles
    book = openpyxl.load_workbook(io.BytesIO(_follow(client, "/wpisy?year=2012", "xlsx").content))
    cells = [row[2] for row in book.active.iter_rows(min_row=4)]
    formula = next(c for c in cells if c.value == "=1+1")
    assert formula.data_type == "s"  # text, never a formula
    assert "zażółć gęślą jaźń" in [c.value for c in cells]
    task_csv = _follow(client, "/strategia/zadania/III.1.3", "csv").content
    assert task_csv.startswith("\ufeff".encode("utf-8")) and "Wskaźniki rezultatu" in task_csv.decode("utf-8")


def test_not_planned_no_data_and_zero_stay_apart_in_the_xlsx(client, container):
    coordinator = container.users.get_by_email("coordinator@example.org")
    report = container.use_cases.strategy.task_report(coordinator, "I.3.5")
    targets = {**{y: v["target"] for y, v in report["indicators"][0]["years"].items()}, "2013": "bd"}
    container.app.strategy.set_targets(indicator_code="I.3.5.W1", targets=targets, reason="brak danych GUS",
                                       actor=Actor(user_id="coordinator"))
    container.runner.catch_up()
    book = openpyxl.load_workbook(io.BytesIO(_follow(client, "/strategia/zadania/I.3.5", "xlsx").content))
    by_code, _, year_cols = _indicator_rows(book)
    assert by_code["I.3.5.W1"][year_cols["2013"]] == "bd"
    sheet = book.worksheets[0]
    row = next(c.row for c in sheet["A"] if c.value == "I.3.5.W1")
    zero = sheet.cell(row, year_cols["2012"] + 1)
    assert zero.value == 0 and zero.data_type == "n"  # a real zero, as a number
    assert by_code["I.3.5.W2"][year_cols["2009"]] == "-"  # not planned
    assert by_code["I.3.5.W1"][year_cols["2013"] + 2] is None  # no % of "no data"


def test_an_as_of_download_shows_the_earlier_value(client, world, container, monkeypatch, tmp_path):
    import eventsourcing.domain

    def actual(book) -> int:
        by_code, _, year_cols = _indicator_rows(book)
        return by_code[CONTACTS][year_cols["2012"] + 1]

    before = actual(openpyxl.load_workbook(io.BytesIO(_follow(client, "/strategia/zadania/III.1.3", "xlsx").content)))
    real_now = eventsourcing.domain.datetime_now_with_tzinfo
    later = real_now() + timedelta(days=3)
    monkeypatch.setattr(eventsourcing.domain, "datetime_now_with_tzinfo", lambda: later)
    corrected = client.post(f"/api/v1/records/{world.own_record}/corrections", headers=auth(world.tokens["staff"]),
                            json={"expected_version": 1, "reason": "Zła data", "changes": {"occurred_on": "2011-05-05"}})
    assert corrected.status_code == 200, corrected.text
    container.runner.catch_up()
    today = real_now().astimezone(WARSAW).date().isoformat()
    now_book = openpyxl.load_workbook(io.BytesIO(_follow(client, "/strategia/zadania/III.1.3", "xlsx").content))
    assert actual(now_book) == before - 1
    page = f"/strategia/zadania/III.1.3?as_of={today}"
    then = _follow(client, page, "xlsx")
    assert f'filename="III.1.3-{today}.xlsx"' in then.headers["content-disposition"]
    book = openpyxl.load_workbook(io.BytesIO(then.content))
    assert actual(book) == before
    assert "stan na" in book.worksheets[0]["A1"].value
    drill = openpyxl.load_workbook(io.BytesIO(_follow(client, f"/strategia/wskazniki/{CONTACTS}/2012?as_of={today}",
                                                      "xlsx").content))
    links = [row[8] for row in drill.active.iter_rows(min_row=5, values_only=True)]
    assert len(links) == before and any(str(world.own_record) in link for link in links)
    if shutil.which("pdftotext"):
        text = _pdf_text(_follow(client, page, "pdf").content, tmp_path)
        assert "stan na" in text
        lines = text.splitlines()
        start = next(n for n, line in enumerate(lines) if CONTACTS in line and "plan (wartość docelowa)" in line)
        actual_line = next(line for line in lines[start:] if "wykonanie (wartość osiągnięta)" in line)
        assert actual_line.split()[-2] == str(before)  # 2012 (the last year but one), as it was known that day


def test_the_links_carry_the_pages_choices_and_name_the_files(client, world, container):
    number = container.app.strategy.publish_report(task_code="III.1.3", title="Sprawozdanie za 2012 r.",
                                                    actor=Actor(user_id="coordinator")).version
    container.runner.catch_up()
    page = client.get("/strategia/zadania/III.1.3", params={"wersja": number}).text
    for fmt in ("csv", "xlsx", "pdf"):
        assert _link(page, fmt) == f"/strategia/zadania/III.1.3/pobierz/{fmt}?wersja={number}"
    published = client.get(_link(page, "csv"))
    assert f'filename="III.1.3-raport-{number}.csv"' in published.headers["content-disposition"]
    assert "opublikowany raport nr" in published.content.decode("utf-8").splitlines()[0]
    today = datetime.now(WARSAW).date().isoformat()
    as_of = client.get("/strategia/zadania/III.1.3", params={"as_of": today})
    assert as_of.status_code == 200
    assert _link(as_of.text, "xlsx") == f"/strategia/zadania/III.1.3/pobierz/xlsx?as_of={today}"
    drill = client.get(f"/strategia/wskazniki/{CONTACTS}/2012", params={"as_of": today}).text
    assert _link(drill, "xlsx") == f"/strategia/wskazniki/{CONTACTS}/2012/pobierz/xlsx?as_of={today}"
    register = client.get("/wpisy", params={"year": "2012", "institution": str(world.citt), "text": "Kont"}).text
    link = _link(register, "xlsx")
    assert link.startswith("/wpisy/pobierz/xlsx?") and "year=2012" in link and f"institution={world.citt}" in link
    assert "text=Kont" in link
    notes = openpyxl.load_workbook(io.BytesIO(client.get(link).content)).active["A2"].value
    assert "Rok: 2012" in notes and "CITT" in notes and "„Kont”" in notes
    assert re.search(r"– XLSX, ok\. \d+ kB", page) and "Pobierz" in page
    english = client.get("/strategia/zadania/III.1.3?lang=en").text
    assert re.search(r"– PDF, pages: about \d+, about \d+ kB", english)


def test_a_role_that_may_not_read_the_strategy_is_refused(container, world):
    from tests.support.second_factor import sign_in_with_second_factor

    with TestClient(create_app(container), base_url="https://testserver") as admin:
        sign_in_with_second_factor(admin, container, "admin@example.org")
        for url in ("/strategia/zadania/III.1.3/pobierz/xlsx", "/strategia/zadania/III.1.3/pobierz/pdf",
                    "/strategia/zadania/III.1.3/pobierz/csv", f"/strategia/wskazniki/{CONTACTS}/2012/pobierz/xlsx"):
            response = admin.get(url)
            assert response.status_code in (403, 404), url
            assert "attachment" not in response.headers.get("content-disposition", "")
    with TestClient(create_app(container), base_url="https://testserver") as visitor:
        response = visitor.get("/strategia/zadania/III.1.3/pobierz/xlsx", follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/login")


@pytest.mark.parametrize("url, status", [
    ("/strategia/zadania/III.1.3/pobierz/xlsx?as_of=2012-13-01", 422),
    ("/strategia/zadania/III.1.3/pobierz/pdf?as_of=0", 422),
    ("/strategia/zadania/III.1.3/pobierz/docx", 404),
    ("/strategia/zadania/III.1.3/pobierz/xlsx?wersja=abc", 422),
    ("/strategia/zadania/III.1.3/pobierz/pdf?wersja=999", 404),
    ("/strategia/zadania/IX.9.9/pobierz/xlsx", 404),
    (f"/strategia/wskazniki/{CONTACTS}/abc/pobierz/xlsx", 422),
    (f"/strategia/wskazniki/{CONTACTS}/2012/pobierz/pdf", 404),
    ("/strategia/wskazniki/NOPE/2012/pobierz/csv", 404),
    (f"/strategia/wskazniki/{CONTACTS}/2012/pobierz/xlsx?as_of=yesterday", 422),
    ("/wpisy/pobierz/xlsx?year=abc", 422),
    ("/wpisy/pobierz/csv?institution=not-an-id", 422),
    ("/wpisy/pobierz/xls", 404),
])
def test_bad_parameters_are_refused_with_4xx(client, container, url, status):
    before = container.runner.log_position()
    response = client.get(url)
    assert response.status_code == status, (url, response.text[:200])
    assert "attachment" not in response.headers.get("content-disposition", "")
    assert container.runner.log_position() == before
