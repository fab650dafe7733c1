"""The difference between two published versions of a task's report (/strategia/zadania/{code}/porownanie):
around a correction it lists exactly the cells that differ between the two published reports as the JSON
API gives them (old → new, with the year), a rule change with its words before and after, "no difference"
when there is none; the task page offers the form; bad or foreign numbers are 4xx and change nothing."""

from __future__ import annotations

import html
import re
from typing import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from domain.values import Actor
from infra.container import Container
from infra.exports.report import format_value
from tests.support.pages import sign_in
from tests.support.world import World, auth

TASK = "III.1.3"
CONTACTS = "III.1.3.W2"
COORDINATOR = Actor(user_id="coordinator")


@pytest.fixture
def client(container: Container, world: World) -> Iterator[TestClient]:
    with TestClient(create_app(container), base_url="https://testserver") as test_client:
        sign_in(test_client, "auditor@example.org")
        yield test_client


def _publish(container: Container, title: str, task: str = TASK) -> int:
    number = container.app.strategy.publish_report(task_code=task, title=title, actor=COORDINATOR).version
    container.runner.catch_up()
    return number


def _published(client: TestClient, world: World, number: int) -> dict:
    response = client.get(f"/api/v1/strategy/tasks/{TASK}/publications/{number}",
                          headers=auth(world.tokens["auditor"]))
    assert response.status_code == 200, response.text
    return response.json()


def _expected_changes(old: dict, new: dict) -> set[tuple[str, str, str, str]]:
    """Every (area, code, year, measure) whose value differs, read straight from the two reports."""
    out = set()
    for a, b in zip(old["indicators"], new["indicators"]):
        assert a["code"] == b["code"]
        for year in new["years"]:
            for measure in ("target", "actual", "percent"):
                if a["years"][year][measure] != b["years"][year][measure]:
                    out.add(("indicator", a["code"], year, measure))
    for a, b in zip(old["stages"], new["stages"]):
        for year in new["years"]:
            for measure in ("realised", "planned"):
                x, y = (c if c == "-" else c[measure] for c in (a["years"][year], b["years"][year]))
                if x != y:
                    out.add(("stage", str(a["number"]), year, measure))
    return out


def _shown_changes(page: str) -> dict[tuple[str, str, str, str], tuple[str, str]]:
    rows = re.findall(r'data-change="([^"]+)">.*?data-old>(.*?)</td>\s*<td[^>]*data-new>(.*?)</td>', page, re.S)
    return {tuple(html.unescape(key).split("|")): (_text(old), _text(new)) for key, old, new in rows}


def _text(cell: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", cell)).strip()


def _shown_value(value, measure: str) -> str:
    if value is None:
        return "(brak w tej wersji)"
    if value == "-":
        return "–"
    if value == "bd":
        return "bd"
    text = format_value(value, decimal=",")
    return text + "%" if measure in ("percent", "realised", "planned") else text


def test_around_a_correction_exactly_the_changed_cells_are_listed(client, container, world):
    first = _publish(container, "Sprawozdanie za 2012 r.")
    corrected = client.post(f"/api/v1/records/{world.own_record}/corrections", headers=auth(world.tokens["staff"]),
                            json={"expected_version": 1, "reason": "Zła data", "changes": {"occurred_on": "2011-05-05"}})
    assert corrected.status_code == 200, corrected.text
    container.runner.catch_up()
    second = _publish(container, "Sprawozdanie po korekcie")
    old, new = _published(client, world, first), _published(client, world, second)
    expected = _expected_changes(old, new)
    assert ("indicator", CONTACTS, "2012", "actual") in expected and ("indicator", CONTACTS, "2011", "actual") in expected

    page = client.get(f"/strategia/zadania/{TASK}/porownanie", params={"z": first, "do": second})
    assert page.status_code == 200
    shown = _shown_changes(page.text)
    assert set(shown) == expected
    for (area, code, year, measure), (was, now) in shown.items():
        items = {"indicator": ("indicators", "code"), "stage": ("stages", "number")}[area]
        a = next(i for i in old[items[0]] if str(i[items[1]]) == code)["years"][year]
        b = next(i for i in new[items[0]] if str(i[items[1]]) == code)["years"][year]
        values = [c if area == "stage" and c == "-" else c[measure] for c in (a, b)]
        assert (was, now) == tuple(_shown_value(v, measure) for v in values)
    contacts_2012 = [i for i in old["indicators"] if i["code"] == CONTACTS][0]["years"]["2012"]["actual"]
    assert shown[("indicator", CONTACTS, "2012", "actual")] == (str(contacts_2012), str(contacts_2012 - 1))
    assert "Sprawozdanie za 2012 r." in page.text and "Sprawozdanie po korekcie" in page.text
    assert f'href="/strategia/zadania/{TASK}?wersja={first}"' in page.text
    assert 'id="no-difference"' not in page.text and 'id="changed-rules"' not in page.text

    task_page = client.get(f"/strategia/zadania/{TASK}").text
    form = re.search(r'<form method="get" action="/strategia/zadania/III\.1\.3/porownanie".*?</form>', task_page, re.S)
    assert form and 'name="z"' in form.group(0) and 'name="do"' in form.group(0)
    assert f'<option value="{first}" selected>' in form.group(0) and f'<option value="{second}" selected>' in form.group(0)


def test_two_publications_with_nothing_between_them_have_no_difference(client, container):
    first, second = _publish(container, "Pierwsza"), _publish(container, "Druga")
    page = client.get(f"/strategia/zadania/{TASK}/porownanie?z={first}&do={second}")
    assert page.status_code == 200
    assert 'id="no-difference"' in page.text and "Brak różnic" in page.text and 'data-change="' not in page.text
    english = client.get(f"/strategia/zadania/{TASK}/porownanie?z={first}&do={second}&lang=en").text
    assert "No difference" in english


def test_a_rule_change_is_listed_with_its_words_before_and_after(client, container):
    code = "III.1.3.W3"
    first = _publish(container, "Przed zmianą reguły")
    container.app.strategy.change_rule(indicator_code=code, reason="Co najmniej trzy instytucje", actor=COORDINATOR,
                                       rule={"kind": "count_shared", "record_kind": "meeting",
                                             "min_network_institutions": 3})
    container.runner.catch_up()
    second = _publish(container, "Po zmianie reguły")
    page = client.get(f"/strategia/zadania/{TASK}/porownanie?z={first}&do={second}").text
    rule = re.search(rf'data-rule-change="{re.escape(code)}">(.*?)</li>', page, re.S)
    assert rule, page
    words = html.unescape(re.sub(r"<[^>]+>", " ", rule.group(1)))
    assert "wersja reguły 1 → 2" in words
    before, after = words.split("Przed zmianą:")[1].split("Po zmianie:")
    assert "2" in before and "3" in after and before.strip() != after.strip()
    assert 'id="no-difference"' not in page


@pytest.mark.parametrize("query", ["", "?z=1", "?z=abc&do=1", "?z=1&do=-2", "?z=0&do=1", "?z=1&do=1.5",
                                   "?z=%C2%B2&do=1"])
def test_bad_version_numbers_are_a_400_and_change_nothing(client, container, query):
    _publish(container, "Pierwsza")
    before = container.runner.log_position()
    page = client.get(f"/strategia/zadania/{TASK}/porownanie{query}")
    assert page.status_code == 400
    assert "Błąd:" in page.text and 'href="#compare-link"' in page.text and 'id="compare-link"' in page.text
    assert container.runner.log_position() == before


def test_an_unknown_or_another_tasks_publication_is_a_404(client, container):
    first = _publish(container, "Pierwsza")
    other = _publish(container, "Inne zadanie", task="I.3.5")
    assert client.get(f"/strategia/zadania/{TASK}/porownanie?z={first}&do=999").status_code == 404
    assert client.get(f"/strategia/zadania/{TASK}/porownanie?z={first}&do={other}").status_code == 404
    assert client.get(f"/strategia/zadania/IX.9.9/porownanie?z={first}&do={first}").status_code == 404


def test_a_role_that_may_not_read_the_strategy_is_refused(container, world):
    from tests.support.second_factor import sign_in_with_second_factor

    first = _publish(container, "Pierwsza")
    with TestClient(create_app(container), base_url="https://testserver") as admin:
        sign_in_with_second_factor(admin, container, "admin@example.org")
        assert admin.get(f"/strategia/zadania/{TASK}/porownanie?z={first}&do={first}").status_code == 403


def test_a_stage_progress_reported_between_two_publications_is_the_one_stage_cell_listed(client, container, world):
    first = _publish(container, "Przed postępem etapu")
    old = _published(client, world, first)
    stage, year = next((s, y) for s in old["stages"] for y in old["years"] if isinstance(s["years"][y], dict))
    realised = 1.5 if stage["years"][year]["realised"] != 1.5 else 2.5
    container.app.strategy.report_stage_progress(task_code=TASK, stage_number=stage["number"], year=int(year),
                                                 realised=realised, actor=COORDINATOR)
    container.runner.catch_up()
    second = _publish(container, "Po postępie etapu")
    page = client.get(f"/strategia/zadania/{TASK}/porownanie?z={first}&do={second}").text
    stage_cells = {key: value for key, value in _shown_changes(page).items() if key[0] == "stage"}
    assert stage_cells == {("stage", str(stage["number"]), year, "realised"):
                           (_shown_value(stage["years"][year]["realised"], "realised"), "1,5%" if realised == 1.5 else "2,5%")}
    assert set(_shown_changes(page)) == _expected_changes(old, _published(client, world, second))
