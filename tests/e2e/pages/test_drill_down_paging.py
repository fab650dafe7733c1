"""The drill-down behind a value is paged (issue 13): the JSON API answers `limit` items with the `total`
and a `next_cursor`; the page shows 50 rows with next/previous links that work without JavaScript; the CSV
download is streamed and holds every row. Over the demo network: 2012's information sent to firms
(I.3.5.W4) is a few hundred records."""

from __future__ import annotations

import csv
import io
import re
from html import unescape
from typing import Iterator

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from api.app import create_app
from domain.application import DEFAULT_MUNICIPALITY_ID
from infra.container import Container, bootstrap, build_container
from infra.demo import load_demo
from infra.settings import Settings
from infra.users import UserStore
from tests.support.pages import PASSWORD, sign_in
from tests.support.world import auth

CODE, YEAR = "I.3.5.W4", 2012
EVENTS = f"/api/v1/indicators/{CODE}/years/{YEAR}/events"
PAGE = f"/strategia/wskazniki/{CODE}/{YEAR}"


@pytest.fixture(scope="module")
def demo() -> Iterator[tuple[Container, str]]:
    container = build_container(Settings(in_memory=True))
    bootstrap(container)
    load_demo(container)
    container.runner.catch_up()
    users = UserStore(container.directory_db, hasher=PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    users.add(email="auditor@example.org", password=PASSWORD, role="auditor", institution_id=None,
              municipality_id=DEFAULT_MUNICIPALITY_ID)
    yield container, users.create_token("auditor@example.org").token
    container.close()


@pytest.fixture(scope="module")
def client(demo) -> Iterator[TestClient]:
    with TestClient(create_app(demo[0]), base_url="https://testserver") as client:
        sign_in(client, "auditor@example.org")
        yield client


def _all(client, token) -> list[dict]:
    answer = client.get(EVENTS, params={"limit": 1000}, headers=auth(token)).json()
    assert answer["next_cursor"] is None and answer["total"] == len(answer["items"])
    return answer["items"]


def test_the_api_pages_through_every_item_once_with_the_total(demo, client):
    _, token = demo
    everything = _all(client, token)
    assert len(everything) > 120  # enough for several pages
    seen, cursor, pages = [], None, 0
    while True:
        answer = client.get(EVENTS, params={"limit": 40, **({"cursor": cursor} if cursor else {})},
                            headers=auth(token)).json()
        assert answer["total"] == len(everything) and answer["limit"] == 40 and len(answer["items"]) <= 40
        seen += answer["items"]
        pages += 1
        cursor = answer["next_cursor"]
        if cursor is None:
            break
    assert seen == everything and pages == -(-len(everything) // 40)


def test_the_default_page_and_bad_paging_answers(demo, client):
    _, token = demo
    first = client.get(EVENTS, headers=auth(token)).json()
    assert len(first["items"]) == 100 and first["limit"] == 100 and first["next_cursor"]
    for params in ({"limit": 0}, {"limit": 1001}, {"limit": "x"}, {"cursor": "not-a-cursor"},
                   {"cursor": "WyJyZWdpc3RlciIsICIyMDEyIiwgIngiXQ"}):  # a register cursor is not a drill-down's
        answer = client.get(EVENTS, params=params, headers=auth(token))
        assert answer.status_code == 422, (params, answer.text)


def test_the_page_shows_fifty_rows_with_next_and_previous_links(demo, client):
    _, token = demo
    everything = _all(client, token)
    page = client.get(PAGE)
    assert page.status_code == 200
    assert page.text.count('data-record="') == 50
    assert f"z {len(everything)}" in page.text  # "Pozycje 1–50 z N"
    assert 'rel="prev"' not in page.text
    next_url = unescape(re.search(r'href="([^"]+)" rel="next"', page.text).group(1))
    second = client.get(next_url)
    ids = re.findall(r'data-record="([^"]+)"', second.text)
    assert ids == [e["record_id"] for e in everything[50:100]]
    previous_url = unescape(re.search(r'href="([^"]+)" rel="prev"', second.text).group(1))
    assert re.findall(r'data-record="([^"]+)"', client.get(previous_url).text) == \
        [e["record_id"] for e in everything[:50]]


def test_the_csv_download_is_streamed_and_holds_every_row(demo, client):
    _, token = demo
    everything = _all(client, token)
    with client.stream("GET", f"{PAGE}/pobierz/csv") as download:
        assert download.status_code == 200 and "content-length" not in download.headers  # streamed in chunks
        body = b"".join(download.iter_bytes()).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body), delimiter=";"))
    links = [r[-1] for r in rows if r and r[-1].startswith("https://testserver/wpisy/")]
    assert links == [f"https://testserver/wpisy/{e['record_id']}" for e in everything]
