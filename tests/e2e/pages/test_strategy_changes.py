"""The coordinator keeps the strategy from the pages (in-process, no browser), on the default Leszno strategy:
targets per year ("–", a number, "bd") saved with a reason and seen in the JSON API's report; a bad target
refused on its field with nothing stored; a rule change shown in words before it is saved, then a reported
value entered for it; stage progress saved in one change, and over the plan refused; a year with a published
report asks for a reason; a strategy file uploaded; staff are refused and offered no link."""

from __future__ import annotations

import html
import re
from typing import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from infra.container import Container
from tests.support.pages import csrf_token, sign_in
from tests.support.second_factor import sign_in_with_second_factor
from tests.support.world import World, auth

TASK = "III.1.3"
CONTACTS = "III.1.3.W2"


@pytest.fixture
def coordinator(container: Container, world: World) -> Iterator[TestClient]:
    with TestClient(create_app(container), base_url="https://testserver") as client:
        sign_in_with_second_factor(client, container, "coordinator@example.org")
        yield client


def _report(client: TestClient, world: World) -> dict:
    response = client.get(f"/api/v1/strategy/tasks/{TASK}/report", headers=auth(world.tokens["auditor"]))
    assert response.status_code == 200
    return response.json()


def _indicator(report: dict, code: str) -> dict:
    return next(i for i in report["indicators"] if i["code"] == code)


def _text(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def _events(container: Container) -> int:
    return container.runner.log_position()


def _strategy_version(container: Container) -> int:
    """How many events the strategy has: one per changed figure (the log also holds the store's own bookkeeping)."""
    return container.app.strategy.get_strategy().version


def test_targets_are_saved_with_their_reason_and_reach_the_report(coordinator, container, world):
    page = coordinator.get(f"/strategia/wskazniki/{CONTACTS}/zmiana")
    assert page.status_code == 200
    assert 'name="target-2013"' in page.text and "Wartości docelowe w latach" in page.text
    token = csrf_token(coordinator, f"/strategia/wskazniki/{CONTACTS}/zmiana")
    form = {"csrf_token": token, "target-2009": "–", "target-2010": "12", "target-2011": "bd",
            "target-2012": "0", "target-2013": "7,5", "reason": "Uchwała rady nr XII/2013"}
    answer = coordinator.post(f"/strategia/wskazniki/{CONTACTS}/cele", data=form, follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"].endswith("zapisano=cele")
    assert "Zapisano wartości docelowe." in coordinator.get(answer.headers["location"]).text
    years = _indicator(_report(coordinator, world), CONTACTS)["years"]
    assert {y: years[y]["target"] for y in ("2009", "2010", "2011", "2012", "2013")} == \
        {"2009": "-", "2010": 12, "2011": "bd", "2012": 0, "2013": 7.5}
    trail = coordinator.get("/api/v1/audit/entries", params={"kind": "strategy", "limit": 500},
                            headers=auth(world.tokens["auditor"])).json()["items"]
    assert any("Uchwała rady nr XII/2013" in str(entry) for entry in trail)
    me = container.users.get_by_email("coordinator@example.org")
    audit_page = _text(coordinator.get("/audyt", params={"kind": "strategy", "user": str(me.id)}).text)  # the auditor reads the change in words, not as JSON
    assert "Wartości docelowe" in audit_page and "2009: –; 2010: 12; 2011: bd; 2012: 0; 2013: 7.5" in audit_page
    assert '"2010"' not in audit_page


def test_a_bad_target_is_shown_on_its_field_and_nothing_is_stored(coordinator, container, world):
    before_targets = _indicator(_report(coordinator, world), CONTACTS)["years"]
    token = csrf_token(coordinator, f"/strategia/wskazniki/{CONTACTS}/zmiana")
    before = _events(container)
    answer = coordinator.post(f"/strategia/wskazniki/{CONTACTS}/cele",
                              data={"csrf_token": token, "target-2010": "dużo", "reason": "test"})
    assert answer.status_code == 422
    assert 'id="target-2010-error"' in answer.text and 'value="dużo"' in answer.text
    assert 'href="#target-2010"' in answer.text  # the error summary leads to the field
    assert _events(container) == before
    assert _indicator(_report(coordinator, world), CONTACTS)["years"] == before_targets
    missing_reason = coordinator.post(f"/strategia/wskazniki/{CONTACTS}/cele",
                                      data={"csrf_token": token, "target-2010": "5", "reason": ""})
    assert missing_reason.status_code == 422 and 'id="reason-error"' in missing_reason.text
    assert _events(container) == before


def test_a_rule_is_shown_in_words_before_saving_then_a_value_is_reported(coordinator, container, world):
    code = "III.1.3.W4"
    form_page = coordinator.get(f"/strategia/wskazniki/{code}/regula")
    assert form_page.status_code == 200 and 'name="kind"' in form_page.text
    token = csrf_token(coordinator, f"/strategia/wskazniki/{code}/regula")
    before = _events(container)
    check = coordinator.post(f"/strategia/wskazniki/{code}/regula/sprawdz",
                             data={"csrf_token": token, "kind": "reported"})
    assert check.status_code == 200
    assert "Wartość wprowadzana przez koordynatora" in _text(check.text)
    assert _events(container) == before  # checking saves nothing
    rule = re.search(r'name="rule" value="([^"]+)"', check.text).group(1)
    saved = coordinator.post(f"/strategia/wskazniki/{code}/regula",
                             data={"csrf_token": token, "rule": html.unescape(rule), "reason": "Dane z GUS"},
                             follow_redirects=False)
    assert saved.status_code == 303, saved.text
    after_rule = _indicator(_report(coordinator, world), code)
    assert after_rule["rule_kind"] == "reported"
    value_page = coordinator.get(f"/strategia/wskazniki/{code}/zmiana")
    assert 'action="/strategia/wskazniki/III.1.3.W4/wartosci"' in value_page.text
    answer = coordinator.post(f"/strategia/wskazniki/{code}/wartosci",
                              data={"csrf_token": token, "year": "2012", "value": "14", "source": "WPiR",
                                    "value_reason": "Sprawozdanie WPiR"}, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    assert _indicator(_report(coordinator, world), code)["years"]["2012"]["actual"] == 14


def test_a_rule_the_form_gets_wrong_is_refused_on_its_field(coordinator, container):
    token = csrf_token(coordinator, "/strategia/wskazniki/III.1.3.W4/regula")
    before = _events(container)
    answer = coordinator.post("/strategia/wskazniki/III.1.3.W4/regula/sprawdz",
                              data={"csrf_token": token, "kind": "count", "record_kind": "meeting",
                                    "subkinds-meeting": "network_meeting", "min_firms": "many"})
    assert answer.status_code == 422 and 'id="min_firms-error"' in answer.text
    composite = coordinator.post("/strategia/wskazniki/III.1.3.W4/regula/sprawdz",
                                 data={"csrf_token": token, "kind": "ratio", "rule_json": "{not json"})
    assert composite.status_code == 422 and 'id="rule_json-error"' in composite.text
    forged = coordinator.post("/strategia/wskazniki/III.1.3.W4/regula",
                              data={"csrf_token": token, "rule": "[", "reason": "x"})
    assert forged.status_code == 422
    assert _events(container) == before


def test_a_count_rule_from_the_form_keeps_its_filters(coordinator, world):
    code = "III.1.3.W4"
    token = csrf_token(coordinator, f"/strategia/wskazniki/{code}/regula")
    check = coordinator.post(f"/strategia/wskazniki/{code}/regula/sprawdz",
                             data={"csrf_token": token, "kind": "count", "record_kind": "meeting",
                                   "subkinds-meeting": ["network_meeting", "workshop"],
                                   "min_network_institutions": "2", "min_firms": "0"})
    assert check.status_code == 200
    words = _text(check.text)
    assert "spotkania sieci" in words and "warsztaty" in words and "co najmniej 2 instytucji sieci" in words


def test_stage_progress_is_saved_in_one_change_and_over_the_plan_is_refused(coordinator, container, world):
    page = coordinator.get(f"/strategia/zadania/{TASK}/etapy")
    assert page.status_code == 200 and 'name="realised-4-2013"' in page.text
    assert 'name="realised-1-2010"' not in page.text  # stage 1 plans nothing in 2010
    token = csrf_token(coordinator, f"/strategia/zadania/{TASK}/etapy")
    before = _events(container)
    version = _strategy_version(container)
    over = coordinator.post(f"/strategia/zadania/{TASK}/etapy",
                            data={"csrf_token": token, "realised-4-2013": "2", "realised-2-2013": "55"})
    assert over.status_code == 422 and 'id="stages-error"' in over.text
    assert _events(container) == before  # neither cell was saved
    answer = coordinator.post(f"/strategia/zadania/{TASK}/etapy",
                              data={"csrf_token": token, "realised-4-2013": "2,5", "realised-4-2012": "2",
                                    "reason": ""}, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].endswith("zapisano=1")
    assert _strategy_version(container) == version + 1  # one event: the unchanged 2012 cell was left alone
    stage = _report(coordinator, world)["stages"][3]
    assert stage["years"]["2013"]["realised"] == 2.5
    again = coordinator.post(f"/strategia/zadania/{TASK}/etapy",
                             data={"csrf_token": token, "realised-4-2013": "2.5"}, follow_redirects=False)
    assert again.headers["location"].endswith("zapisano=bez-zmian")


def test_a_strategy_file_is_loaded_from_the_page(coordinator, container, world):
    from infra.strategy_loader import default_strategy_text

    text = default_strategy_text().replace('targets = { 2009 = 1, 2010 = 1, 2011 = 1, 2012 = 1, 2013 = 1 }',
                                           'targets = { 2009 = 1, 2010 = 1, 2011 = 1, 2012 = 1, 2013 = 0 }', 1)
    token = csrf_token(coordinator, "/strategia/plik")
    answer = coordinator.post("/strategia/plik", data={"csrf_token": token, "reason": "Aktualizacja 2013"},
                              files={"file": ("leszno.toml", text.encode(), "application/toml")})
    assert answer.status_code == 200, answer.text
    assert "zapisano 1 zmianę" in _text(answer.text)
    assert _indicator(_report(coordinator, world), "III.1.3.W1")["years"]["2013"]["target"] == 0
    bad = coordinator.post("/strategia/plik", data={"csrf_token": token},
                           files={"file": ("zly.toml", b"format = 2\n", "application/toml")})
    assert bad.status_code == 422 and "format = 1" in html.unescape(bad.text)


def test_staff_get_no_link_and_are_refused(container, world):
    with TestClient(create_app(container), base_url="https://testserver") as staff:
        sign_in(staff, "staff@example.org")
        task = staff.get(f"/strategia/zadania/{TASK}")
        assert task.status_code == 200 and "/zmiana" not in task.text and "/etapy" not in task.text
        assert staff.get(f"/strategia/wskazniki/{CONTACTS}/zmiana").status_code == 403
        assert staff.get("/strategia/plik").status_code == 403
        token = csrf_token(staff, "/")
        before = _events(container)
        refused = staff.post(f"/strategia/wskazniki/{CONTACTS}/cele",
                             data={"csrf_token": token, "target-2010": "1", "reason": "x"})
        assert refused.status_code == 403 and _events(container) == before


def test_an_unknown_indicator_or_task_is_a_page_not_found(coordinator):
    assert coordinator.get("/strategia/wskazniki/IX.9.9.W9/zmiana").status_code == 404
    assert coordinator.get("/strategia/zadania/IX.9.9/etapy").status_code == 404


def test_a_year_with_a_published_report_asks_for_a_reason(coordinator, container, world):
    """2012 is closed (version 1), then reopened for the strategy: its stage progress may change, with a reason."""
    from tests.e2e.pages.test_closing_pages import add_leads, members

    uc, boss = container.use_cases.closing, container.users.get_by_email("coordinator@example.org")
    leads = add_leads(container, world)
    for short, institution in members(world).items():
        uc.sign_off(container.users.get_by_email(leads[short]), 2012, institution_id=institution)
    uc.close(boss, 2012)
    uc.reopen(boss, 2012, institution_id=None, reason="Korekta realizacji etapów")
    token = csrf_token(coordinator, f"/strategia/zadania/{TASK}/etapy")
    assert "2012" in _text(coordinator.get(f"/strategia/zadania/{TASK}/etapy").text).split("Lata z opublikowaną")[1]
    before = _events(container)
    refused = coordinator.post(f"/strategia/zadania/{TASK}/etapy",
                               data={"csrf_token": token, "realised-4-2012": "2,5", "reason": " "})
    assert refused.status_code == 422 and 'id="reason-error"' in refused.text
    assert "2012" in _text(refused.text) and _events(container) == before
    answer = coordinator.post(f"/strategia/zadania/{TASK}/etapy",
                              data={"csrf_token": token, "realised-4-2012": "2,5", "reason": "Protokół z 3.01.2013"},
                              follow_redirects=False)
    assert answer.status_code == 303
    assert _report(coordinator, world)["stages"][3]["years"]["2012"]["realised"] == 2.5
