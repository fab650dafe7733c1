"""The strategy pages (in-process, no browser) on the default Leszno strategy with the test world's records:
the tree with progress, every cell of III.1.3's indicator and stage tables equal to the use case's report
(the JSON API's numbers), "–", 0 and "bd" written differently and in words, the rule in the page's
language, a chart per indicator with a title and the table's numbers, a cell's link listing exactly the
records the drill-down returns (also as CSV), the as-of view before a correction, and a published version."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import timedelta
from typing import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from domain.values import WARSAW, Actor
from infra.container import Container
from infra.exports.report import format_value
from tests.support.pages import sign_in
from tests.support.world import World, auth

TASK = "III.1.3"
CONTACTS = "III.1.3.W2"


@pytest.fixture
def client(container: Container, world: World) -> Iterator[TestClient]:
    with TestClient(create_app(container), base_url="https://testserver") as test_client:
        sign_in(test_client, "auditor@example.org")
        yield test_client


def _report(client: TestClient, world: World, **params) -> dict:
    response = client.get(f"/api/v1/strategy/tasks/{TASK}/report", params=params,
                          headers=auth(world.tokens["auditor"]))
    assert response.status_code == 200
    return response.json()


def _cell_html(page: str, code: str, series: str, year: str) -> str:
    match = re.search(rf'data-cell="{re.escape(code)}\|{series}\|{year}">(.*?)</td>', page, re.S)
    assert match, (code, series, year)
    return match.group(1)


def _visible(cell_html: str) -> str:
    """The text a sighted user reads (visually hidden words and link hints left out)."""
    without_hidden = re.sub(r'<span class="govuk-visually-hidden">.*?</span>', "", cell_html, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", "", without_hidden)).strip()


def _expected(value, series: str) -> str:
    if value is None:
        return ""
    if value == "-":
        return "–"
    text = format_value(value, decimal=",")
    return text + "%" if series == "percent" else text


def test_tree_shows_goals_programmes_and_tasks_with_progress(client, world):
    page = client.get("/strategia")
    assert page.status_code == 200
    tasks = client.get("/api/v1/strategy/tasks", headers=auth(world.tokens["auditor"])).json()["items"]
    for task in tasks:
        assert f'href="/strategia/zadania/{task["code"]}"' in page.text
        assert f"{task['goal']['code']}. {html.escape(task['goal']['name'])}" in page.text
        cell = re.search(rf'data-progress="{re.escape(task["code"])}">(.*?)</td>', page.text).group(1)
        assert _visible(cell) == format_value(task["progress"], decimal=",") + "%"
    assert 'href="/strategia"' in page.text  # the header's link


def test_every_cell_of_the_task_equals_the_report(client, world):
    report = _report(client, world)
    page = client.get(f"/strategia/zadania/{TASK}").text
    for indicator in report["indicators"]:
        for year in report["years"]:
            for series in ("target", "actual", "percent"):
                value = indicator["years"][year][series]
                assert _visible(_cell_html(page, indicator["code"], series, year)) == _expected(value, series)
    stage_cells = re.findall(r'data-stage="\d+">(.*?)</td>', page, re.S)
    expected = [("–" if stage["years"][y] == "-" else
                 f"{format_value(stage['years'][y]['realised'], decimal=',')}/"
                 f"{format_value(stage['years'][y]['planned'], decimal=',')}%")
                for stage in report["stages"] for y in report["years"]]
    assert [_visible(c) for c in stage_cells] == expected
    assert "Wskaźniki oddziaływania" in page and "Brak" in page  # no impact indicator, said as the strategy says


def test_not_planned_zero_and_no_data_are_told_apart(client, world, container):
    coordinator = container.users.get_by_email("coordinator@example.org")
    report = container.use_cases.strategy.task_report(coordinator, "I.3.5")
    page = client.get("/strategia/zadania/I.3.5").text
    dash = _cell_html(page, "I.3.5.W2", "target", "2009")
    assert report["indicators"][1]["years"]["2009"]["target"] == "-"
    assert _visible(dash) == "–" and "nie planowano" in dash
    zero = _cell_html(page, "I.3.5.W1", "target", "2012")
    assert _visible(zero) == "0" and "nie planowano" not in zero and "brak danych" not in zero
    future = _cell_html(page, "I.3.5.W1", "percent", "2012")
    assert _visible(future) == ""  # no target, no % — not a zero, not a dash
    # "bd" (no data) as a target: set by the coordinator for one year
    targets = {**{y: v["target"] for y, v in report["indicators"][0]["years"].items()}, "2013": "bd"}
    container.app.strategy.set_targets(indicator_code="I.3.5.W1", targets=targets, reason="brak danych GUS",
                                       actor=Actor(user_id="coordinator"))
    container.runner.catch_up()
    page = client.get("/strategia/zadania/I.3.5").text
    no_data = _cell_html(page, "I.3.5.W1", "target", "2013")
    assert _visible(no_data) == "bd" and "brak danych" in no_data and "nie planowano" not in no_data
    assert _visible(_cell_html(page, "I.3.5.W1", "target", "2012")) == "0"
    assert _visible(_cell_html(page, "I.3.5.W2", "target", "2009")) == "–"
    english = client.get("/strategia/zadania/I.3.5?lang=en").text
    assert "no data" in _cell_html(english, "I.3.5.W1", "target", "2013")
    assert "not planned" in _cell_html(english, "I.3.5.W2", "target", "2009")


def test_rule_in_the_pages_language_and_a_chart_with_its_numbers(client, world):
    report = _report(client, world)
    contacts = next(i for i in report["indicators"] if i["code"] == CONTACTS)
    polish = client.get(f"/strategia/zadania/{TASK}").text
    assert html.escape(contacts["rule"]) in polish
    english = client.get(f"/strategia/zadania/{TASK}?lang=en").text
    assert "retracted records do not count" in english
    svg = re.search(rf'<svg[^>]*aria-labelledby="chart-III-1-3-W2-title[^"]*"[^>]*>(.*?)</svg>',
                    polish, re.S)
    assert svg and 'role="img"' in svg.group(0)
    title = re.search(r"<title[^>]*>(.*?)</title>", svg.group(1)).group(1)
    assert CONTACTS in title
    desc = html.unescape(re.search(r"<desc[^>]*>(.*?)</desc>", svg.group(1)).group(1))
    for year in report["years"]:
        cells = contacts["years"][year]
        said = f"{year}: plan {_expected(cells['target'], 'target')}, wykonanie {_expected(cells['actual'], 'actual')}"
        assert said in desc
        assert _visible(_cell_html(polish, CONTACTS, "actual", year)) == _expected(cells["actual"], "actual")


def test_a_cells_link_lists_exactly_the_records_behind_it(client, world):
    page = client.get(f"/strategia/zadania/{TASK}").text
    link = re.search(rf'data-cell="{re.escape(CONTACTS)}\|actual\|2012"><a class="govuk-link" href="([^"]+)"', page)
    assert link and link.group(1) == f"/strategia/wskazniki/{CONTACTS}/2012"
    events = client.get(f"/api/v1/indicators/{CONTACTS}/years/2012/events",
                        headers=auth(world.tokens["auditor"])).json()["items"]
    assert len(events) == 3
    drill = client.get(link.group(1))
    assert drill.status_code == 200
    listed = re.findall(r'data-record="([^"]+)"', drill.text)
    assert sorted(listed) == sorted(e["record_id"] for e in events)
    for record_id in listed:
        assert f'href="/wpisy/{record_id}"' in drill.text
    assert "RIPH" in drill.text and "CITT" in drill.text
    shown_text = re.sub(r'href="[^"]*"|data-record="[^"]*"', "", drill.text)
    assert str(world.riph) not in shown_text and str(world.own_record) not in shown_text  # names, not ids
    old_link = client.get(f"/strategia/wskazniki/{CONTACTS}/2012/csv", follow_redirects=False)
    assert old_link.status_code == 308  # the old address leads to the download the page offers
    download = client.get(old_link.headers["location"])
    assert download.status_code == 200 and download.text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(download.text.lstrip("\ufeff")), delimiter=";"))
    links = [r[-1].rsplit("/", 1)[-1] for r in rows if r and r[-1].startswith("http")]
    assert sorted(links) == sorted(e["record_id"] for e in events)


def test_as_of_before_a_correction_shows_the_earlier_value(client, world, container, monkeypatch):
    import eventsourcing.domain

    staff = auth(world.tokens["staff"])
    before = _report(client, world)
    year_before = next(i for i in before["indicators"] if i["code"] == CONTACTS)["years"]["2012"]["actual"]
    real_now = eventsourcing.domain.datetime_now_with_tzinfo
    later = real_now() + timedelta(days=3)
    monkeypatch.setattr(eventsourcing.domain, "datetime_now_with_tzinfo", lambda: later)
    corrected = client.post(f"/api/v1/records/{world.own_record}/corrections", headers=staff,
                            json={"expected_version": 1, "reason": "Zła data",
                                  "changes": {"occurred_on": "2011-05-05"}})
    assert corrected.status_code == 200, corrected.text
    container.runner.catch_up()
    today = real_now().astimezone(WARSAW).date().isoformat()
    now_page = client.get(f"/strategia/zadania/{TASK}").text
    assert _visible(_cell_html(now_page, CONTACTS, "actual", "2012")) == str(year_before - 1)
    then = client.get(f"/strategia/zadania/{TASK}", params={"as_of": today})
    assert then.status_code == 200
    assert _visible(_cell_html(then.text, CONTACTS, "actual", "2012")) == str(year_before)
    assert f'href="/strategia/wskazniki/{CONTACTS}/2012?as_of={today}"' in then.text
    drill = client.get(f"/strategia/wskazniki/{CONTACTS}/2012", params={"as_of": today}).text
    assert str(world.own_record) in drill
    assert len(re.findall(r'data-record="', drill)) == year_before
    bad = client.get(f"/strategia/zadania/{TASK}", params={"as_of": "2012-13-01"})
    assert bad.status_code == 200 and "Błąd:" in bad.text and 'id="as_of-error"' in bad.text


def test_a_published_version_is_listed_and_shown_as_published(client, world, container):
    number = container.app.strategy.publish_report(task_code=TASK, title="Sprawozdanie za 2012 r.",
                                                    actor=Actor(user_id="coordinator")).version
    container.runner.catch_up()
    published = _report(client, world)
    value = next(i for i in published["indicators"] if i["code"] == CONTACTS)["years"]["2012"]["actual"]
    assert client.post("/api/v1/contacts", headers=auth(world.tokens["staff"]),
                       json={"occurred_on": "2012-02-02", "institution_id": str(world.riph),
                             "with_institution_id": str(world.citt), "channel": "phone",
                             "summary": "Kontakt"}).status_code == 201
    page = client.get(f"/strategia/zadania/{TASK}").text
    assert f'href="/strategia/zadania/{TASK}?wersja={number}"' in page and "Sprawozdanie za 2012 r." in page
    assert _visible(_cell_html(page, CONTACTS, "actual", "2012")) == str(value + 1)
    version = client.get(f"/strategia/zadania/{TASK}", params={"wersja": number}).text
    assert _visible(_cell_html(version, CONTACTS, "actual", "2012")) == str(value)
    assert "Opublikowana wersja" in version


def test_the_drill_down_says_the_rule_in_the_pages_language_and_unknown_codes_are_404(client, world):
    english = client.get(f"/strategia/wskazniki/{CONTACTS}/2012?lang=en").text
    rule = re.search(r'id="rule">(.*?)</dd>', english, re.S).group(1)
    assert "retracted records do not count" in rule and "wpisy wycofane" not in rule
    polish = client.get(f"/strategia/wskazniki/{CONTACTS}/2012?lang=pl").text
    assert "wpisy wycofane nie liczą się" in re.search(r'id="rule">(.*?)</dd>', polish, re.S).group(1)
    assert client.get("/strategia/zadania/IX.9.9").status_code == 404
    assert client.get("/strategia/wskazniki/NOPE/2012").status_code == 404


def test_a_role_that_may_not_read_the_strategy_is_refused_and_not_offered_the_link(container, world):
    from tests.support.second_factor import sign_in_with_second_factor

    with TestClient(create_app(container), base_url="https://testserver") as admin:
        sign_in_with_second_factor(admin, container, "admin@example.org")
        assert 'href="/strategia"' not in admin.get("/").text
        assert admin.get("/strategia").status_code == 403
        assert admin.get(f"/strategia/zadania/{TASK}").status_code == 403
        assert admin.get(f"/strategia/wskazniki/{CONTACTS}/2012/csv").status_code == 403


def test_each_indicator_is_broken_down_by_institution_and_by_source(client, world):
    report = _report(client, world)
    contacts = next(i for i in report["indicators"] if i["code"] == CONTACTS)
    page = client.get(f"/strategia/zadania/{TASK}").text
    table = re.search(rf'data-breakdown="{re.escape(CONTACTS)}">(.*?)</table>', page, re.S).group(1)
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)[1:]
    expected = [(i["short_name"], i["years"]) for i in contacts["by_institution"]] + \
               [(f"Źródło: {s}", v) for s, v in contacts["by_source"].items()]
    assert len(rows) == len(expected) and {"RIPH", "CITT"} <= {name for name, _ in expected}
    for row, (name, years) in zip(rows, expected):
        assert _visible(re.search(r"<th[^>]*>(.*?)</th>", row, re.S).group(1)) == name
        cells = [_visible(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        assert cells == [_expected(years.get(y), "actual") for y in report["years"]]
