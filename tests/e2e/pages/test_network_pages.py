"""The network picture (/siec): every pair's count and every institution's total equal an independent count
over the JSON API's register (GET /api/v1/records), a retracted meeting and a meeting corrected into
another year move out of the year, staff see the whole network of their municipality and a user of another
municipality sees none of it, the SVG says the same numbers, the CSV has the tables, bad years are 400."""

from __future__ import annotations

import csv
import html
import io
import re
from collections import Counter
from itertools import combinations
from typing import Iterator

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from api.app import create_app
from domain.use_cases.users import OPERATOR
from infra.container import Container
from infra.users import UserStore
from tests.support.pages import PASSWORD, sign_in
from tests.support.world import World, auth

V1 = "/api/v1"
# Every field that names an institution taking part, per kind (written out here, apart from the specs).
INSTITUTION_FIELDS = {"contact": ("institution_id", "with_institution_id"),
                      "meeting": ("organiser_id", "institution_ids"),
                      "information_exchange": ("from_institution_id", "to_institution_ids"),
                      "conclusion": ("institution_ids",)}


def _post(client: TestClient, token: str, path: str, body: dict) -> str:
    response = client.post(V1 + path, headers=auth(token), json=body)
    assert response.status_code in (200, 201), response.text
    return response.json()["id"]


@pytest.fixture
def seeded(container: Container, world: World) -> dict[str, str]:
    """2013: meetings, an information exchange, a conclusion and a firm-only contact; one meeting then
    retracted, one corrected into 2012."""
    with TestClient(create_app(container)) as api:
        token = world.tokens["coordinator"]
        r, c, w, l = (str(i) for i in (world.riph, world.citt, world.wpir, world.lcb))

        def meeting(day: str, organiser: str, others: list[str], title: str = "Spotkanie sieci") -> str:
            return _post(api, token, "/meetings", {"occurred_on": day, "title": title, "kind": "network_meeting",
                                                   "organiser_id": organiser, "institution_ids": others,
                                                   "firm_ids": []})

        ids = {"big": meeting("2013-03-01", r, [c, l]), "second": meeting("2013-04-01", r, [c]),
               "wpir": meeting("2013-05-01", w, [r, l]), "retracted": meeting("2013-06-01", c, [l]),
               "moved": meeting("2013-07-01", w, [c], "Spotkanie z błędną datą")}
        ids["exchange"] = _post(api, token, "/information-exchanges", {
            "occurred_on": "2013-02-02", "from_institution_id": c, "to_institution_ids": [r, w], "to_firm_ids": [],
            "subject": "Kalendarz wydarzeń", "channel": "email"})
        ids["conclusion"] = _post(api, token, "/conclusions", {"occurred_on": "2013-09-10", "title": "Ekspertyza",
                                                               "kind": "expertise", "institution_ids": [l, c]})
        ids["firm_only"] = _post(api, token, "/contacts", {"occurred_on": "2013-01-15", "institution_id": r,
                                                           "with_firm_id": str(world.firm_a), "channel": "phone",
                                                           "summary": "Kontakt z firmą"})
        _post(api, token, f"/records/{ids['retracted']}/retractions", {"expected_version": 1, "reason": "Pomyłka"})
        _post(api, token, f"/records/{ids['moved']}/corrections",
              {"expected_version": 1, "reason": "Zła data", "changes": {"occurred_on": "2012-07-01"}})
    container.runner.catch_up()
    return ids


@pytest.fixture
def client(container: Container, world: World, seeded) -> Iterator[TestClient]:
    with TestClient(create_app(container), base_url="https://testserver") as test_client:
        sign_in(test_client, "staff@example.org")
        yield test_client


def _independent_count(client: TestClient, world: World, year: int) -> tuple[Counter, Counter]:
    """Pairs and per-institution totals counted from the JSON API's register (the coordinator sees all)."""
    names = {r["id"]: r["short_name"] for r in client.get(f"{V1}/institutions", headers=auth(world.tokens["coordinator"]))
             .json()["items"]}
    pairs: Counter = Counter()
    totals: Counter = Counter()
    cursor = None
    while True:
        params = {"year": year, "limit": 7, **({"cursor": cursor} if cursor else {})}
        page = client.get(f"{V1}/records", params=params, headers=auth(world.tokens["coordinator"])).json()
        for item in page["items"]:
            if item["status"] != "active":
                continue
            found: set[str] = set()
            for name in INSTITUTION_FIELDS[item["kind"]]:
                value = item["fields"].get(name)
                found.update(value if isinstance(value, list) else [value] if value else [])
            if len(found) >= 2:
                totals.update(names[i] for i in found)
                pairs.update(tuple(sorted((names[a], names[b]))) for a, b in combinations(sorted(found), 2))
        cursor = page["next_cursor"]
        if not cursor:
            return pairs, totals


def _page_pairs(page: str) -> Counter:
    rows = re.findall(r'<tr class="govuk-table__row" data-pair="([^"|]+)\|([^"]+)">.*?'
                      r'govuk-table__cell--numeric">(\d+)</td>', page, re.S)
    return Counter({tuple(sorted((html.unescape(a), html.unescape(b)))): int(n) for a, b, n in rows})


def _page_totals(page: str) -> dict[str, tuple[int, int]]:
    rows = re.findall(r'data-institution="([^"]+)">.*?--numeric">(\d+)</td>\s*<td[^>]*--numeric">(\d+)</td>',
                      page, re.S)
    return {html.unescape(name): (int(records), int(partners)) for name, records, partners in rows}


@pytest.mark.parametrize("year", [2013, 2012])
def test_every_count_equals_an_independent_count_over_the_api_records(client, world, year):
    pairs, totals = _independent_count(TestClient(client.app), world, year)
    page = client.get("/siec", params={"rok": year})
    assert page.status_code == 200
    assert _page_pairs(page.text) == pairs and sum(pairs.values()) > 0
    shown = _page_totals(page.text)
    assert {name: n for name, (n, _) in shown.items() if n} == dict(totals)
    partners = Counter(name for pair in pairs for name in pair)
    assert {name: p for name, (_, p) in shown.items() if p} == dict(partners)
    assert {"RIPH", "CITT", "WPiR", "LCB", "KS", "KB"} <= set(shown)  # the institutions that met no one too
    summary = re.search(r'id="network-summary">(.*?)</p>', page.text, re.S).group(1)
    assert f" {len(_records_with_two(TestClient(client.app), world, year))} " in summary


def _records_with_two(client: TestClient, world: World, year: int) -> list[str]:
    rows = client.get(f"{V1}/records", params={"year": year, "limit": 200},
                      headers=auth(world.tokens["coordinator"])).json()["items"]
    out = []
    for item in rows:
        found = {v for name in INSTITUTION_FIELDS[item["kind"]]
                 for v in (item["fields"].get(name) if isinstance(item["fields"].get(name), list)
                           else [item["fields"].get(name)]) if v}
        if item["status"] == "active" and len(found) >= 2:
            out.append(item["id"])
    return out


def test_a_retracted_or_moved_meeting_no_longer_counts(client, container, world, seeded):
    page = client.get("/siec?rok=2013").text
    # CITT–LCB: the big meeting and the conclusion; the retracted meeting was a third
    assert _page_pairs(page)[("CITT", "LCB")] == 2
    # CITT–WPiR: the information exchange only; the meeting moved into 2012 counts there
    assert _page_pairs(page)[("CITT", "WPiR")] == 1
    assert _page_pairs(client.get("/siec?rok=2012").text)[("CITT", "WPiR")] == 1
    with TestClient(create_app(container)) as api:
        _post(api, world.tokens["coordinator"], f"/records/{seeded['conclusion']}/retractions",
              {"expected_version": 1, "reason": "Wpis podwójny"})
    assert _page_pairs(client.get("/siec?rok=2013").text)[("CITT", "LCB")] == 1


def test_the_graph_says_the_same_numbers_and_is_named(client):
    page = client.get("/siec?rok=2013").text
    svg = re.search(r"<svg class=\"splot-network\".*?</svg>", page, re.S).group(0)
    assert 'role="img"' in svg and 'aria-labelledby="network-2013-title network-2013-desc"' in svg
    assert re.search(r'<title id="network-2013-title">Sieć instytucji w 2013 r\.', svg)
    description = html.unescape(re.search(r"<desc[^>]*>(.*?)</desc>", svg, re.S).group(1))
    for (a, b), count in _page_pairs(page).items():
        word = {1: "wpis", 2: "wpisy", 3: "wpisy", 4: "wpisy"}.get(count, "wpisów")
        assert f"{a} – {b}: {count} {word}" in description or f"{b} – {a}: {count} {word}" in description
        # a line per pair, labelled with its count (thickness alone never carries it)
    counts = [int(n) for n in re.findall(r'data-count="(\d+)"', svg)]
    assert sorted(counts) == sorted(_page_pairs(page).values())
    assert ">RIPH</text>" in svg and ">KS</text>" in svg
    english = client.get("/siec?rok=2013&lang=en").text
    assert "Network of institutions in 2013" in english and " records" in english


def test_staff_see_the_whole_network_and_other_municipalities_see_nothing_of_it(container, world, seeded):
    uc = container.use_cases
    second = uc.registry.add_municipality(OPERATOR, name="Miasto Gniezno", teryt="3003011",
                                          network_name="Sieć instytucji Gniezna").id
    users = UserStore(container.directory_db, hasher=PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    users.add(email="auditor@gniezno.example.org", password=PASSWORD, role="auditor", municipality_id=second)
    with TestClient(create_app(container), base_url="https://testserver") as other:
        sign_in(other, "auditor@gniezno.example.org")
        page = other.get("/siec?rok=2013")
        assert page.status_code == 200
        assert "RIPH" not in page.text and "CITT" not in page.text and 'data-pair="' not in page.text
        assert "W 2013 r. 0 wpisów" in page.text
        download = other.get("/siec/csv?rok=2013").text
        assert "RIPH" not in download and "LCB" not in download
    with TestClient(create_app(container), base_url="https://testserver") as staff:
        sign_in(staff, "other@example.org")  # CITT's staff: RIPH–WPiR is not theirs, yet counted
        assert _page_pairs(staff.get("/siec?rok=2013").text)[("RIPH", "WPiR")] == 2


def test_the_csv_has_both_tables(client):
    page = client.get("/siec?rok=2013").text
    download = client.get("/siec/csv?rok=2013")
    assert download.status_code == 200 and download.text.startswith("\ufeff")
    assert 'filename="siec-2013.csv"' in download.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(download.text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0][0].startswith("Sieć instytucji w 2013 r.") and "stan na" in rows[0][0]
    blank = rows.index([])
    pairs = Counter({tuple(sorted((a, b))): int(n) for a, b, n in rows[2:blank]})
    assert pairs == _page_pairs(page)
    totals = {r[0]: (int(r[3]), int(r[4])) for r in rows[blank + 2:]}
    assert totals == _page_totals(page)
    assert 'href="/siec/csv?rok=2013"' in page


@pytest.mark.parametrize("year", ["abc", "1999", "2101", "20130", "-1", "²"])
def test_a_bad_year_is_a_400_with_the_error_named(client, container, year):
    before = container.runner.log_position()
    page = client.get("/siec", params={"rok": year})
    assert page.status_code == 400
    assert "Błąd:" in page.text and 'id="rok-error"' in page.text and "od 2000 do 2100" in page.text
    assert 'class="splot-network"' not in page.text
    assert client.get("/siec/csv", params={"rok": year}).status_code in (400, 422)
    assert container.runner.log_position() == before


def test_without_a_year_the_latest_year_of_the_register_is_shown_and_the_tree_links_here(client):
    page = client.get("/siec")
    assert page.status_code == 200 and "Sieć instytucji w 2013 r." in page.text and 'value="2013"' in page.text
    assert 'href="/siec"' in client.get("/strategia").text


def test_a_role_that_may_not_read_the_strategy_is_refused(container, world):
    from tests.support.second_factor import sign_in_with_second_factor

    with TestClient(create_app(container), base_url="https://testserver") as admin:
        sign_in_with_second_factor(admin, container, "admin@example.org")
        assert admin.get("/siec?rok=2013").status_code == 403
        assert admin.get("/siec/csv?rok=2013").status_code == 403
    with TestClient(create_app(container), base_url="https://testserver", follow_redirects=False) as visitor:
        assert visitor.get("/siec").status_code == 303
