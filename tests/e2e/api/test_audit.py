"""Audit routes: auditors and coordinators only; filters, paging, CSV with chain hashes, record history,
published report versions and their diff."""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from domain.application import DEFAULT_NETWORK_ID
from domain.values import Actor
from infra.closing import close_year
from infra.container import bootstrap, build_container
from tests.support.world import auth, build_world


@pytest.fixture
def api(sqlite_settings):
    """A real SQLite store (so entries carry chain hashes) with the API test world."""
    container = build_container(sqlite_settings)
    bootstrap(container)
    world = build_world(container, DEFAULT_NETWORK_ID)
    with TestClient(create_app(container), raise_server_exceptions=False) as client:
        yield client, world, container
    container.close()


@pytest.mark.parametrize("role,status", [("auditor", 200), ("coordinator", 200), ("staff", 403), ("lead", 403),
                                         ("admin", 403)])
def test_only_auditors_and_coordinators_read_the_trail(api, role, status):
    client, world, _ = api
    for path in ("/api/v1/audit/entries", "/api/v1/audit/entries.csv", f"/api/v1/records/{world.own_record}/history"):
        response = client.get(path, headers=auth(world.tokens[role]))
        assert response.status_code == status, (path, response.text)
    assert client.get("/api/v1/audit/entries").status_code == 401


def test_entries_are_paged_filtered_and_carry_chain_hashes(api):
    client, world, container = api
    headers = auth(world.tokens["auditor"])
    items, cursor = [], None
    while True:
        response = client.get("/api/v1/audit/entries", params={"limit": 7, **({"cursor": cursor} if cursor else {})},
                              headers=headers)
        assert response.status_code == 200, response.text
        items += response.json()["items"]
        cursor = response.json()["next_cursor"]
        if cursor is None:
            break
    chain = {link.notification_id: link.hash for link in container.app.recorder.read_chain(0, 10_000)}
    assert {i["position"]: i["chain_hash"] for i in items} == chain
    contacts = client.get("/api/v1/audit/entries", params={"kind": "contact", "institution": str(world.riph)},
                          headers=headers).json()["items"]
    assert {i["record_id"] for i in contacts} == {str(world.own_record)}  # acting or owning institution
    assert client.get("/api/v1/audit/entries", params={"cursor": "zzz"}, headers=headers).status_code == 422
    none = client.get("/api/v1/audit/entries", params={"recorded_to": "2001-01-01T00:00:00Z"}, headers=headers)
    assert none.status_code == 200 and none.json()["items"] == []


def test_csv_and_history(api):
    client, world, container = api
    coordinator = Actor(user_id="coord", institution_id=world.wpir)
    container.app.records.correct_record(record_id=world.own_record, expected_version=1, reason="Zły kanał",
                                         changes={"channel": "email"}, actor=coordinator)
    headers = auth(world.tokens["coordinator"])
    response = client.get("/api/v1/audit/entries.csv", params={"record": str(world.own_record)}, headers=headers)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    lines = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert len(lines) == 3 and lines[2][9] == "Zły kanał" and len(lines[2][-1]) == 64
    history = client.get(f"/api/v1/records/{world.own_record}/history", headers=headers).json()
    assert [h["version"] for h in history] == [1, 2]
    assert history[1]["changes"] == [{"field": "channel", "label": "Kanał", "old": "phone", "new": "email"}]
    assert client.get(f"/api/v1/records/{world.riph}/history", headers=headers).status_code == 404


def test_report_versions_and_diff(api):
    client, world, container = api
    app = container.app
    for institution in (world.riph, world.citt, world.wpir, world.lcb):
        app.years.sign_off_year(network_id=DEFAULT_NETWORK_ID, year=2012, institution_id=institution,
                                  actor=Actor(user_id="lead", institution_id=institution))
    close_year(container, network_id=DEFAULT_NETWORK_ID, year=2012, actor=Actor(user_id="coord"))
    headers = auth(world.tokens["auditor"])
    v1 = client.get("/api/v1/audit/years/2012/reports/1", headers=headers)
    assert v1.status_code == 200, v1.text
    assert v1.json()["version"] == 1 and len(v1.json()["report_hash"]) == 64
    assert str(world.own_record) in v1.json()["report"]["records"]
    assert client.get("/api/v1/audit/years/2012/reports/2", headers=headers).status_code == 404
    same = client.get("/api/v1/audit/years/2012/reports/1/diff/1", headers=headers)
    assert same.status_code == 200 and same.json()["changes"] == []



@pytest.mark.parametrize("parameter", ["recorded_to", "recorded_from"])
@pytest.mark.parametrize("value", ["0.5", "0", "1700000000", "yesterday"])
def test_recorded_time_filters_take_iso_text_only(api, parameter, value):
    """A number is not read as Unix time (0.5 would otherwise mean 1970-01-01T00:00:00.5Z)."""
    client, world, _ = api
    response = client.get("/api/v1/audit/entries", params={parameter: value}, headers=auth(world.tokens["auditor"]))
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["errors"][0]["field"] == f"query.{parameter}"
    assert "ISO 8601" in response.json()["detail"]


def test_recorded_time_filters_accept_offsets_and_naive_utc(api):
    client, world, _ = api
    headers = auth(world.tokens["auditor"])
    everything = client.get("/api/v1/audit/entries", params={"limit": 500}, headers=headers).json()["items"]
    for since in ("2001-01-01T00:00:00", "2001-01-01T01:00:00+01:00", "2001-01-01"):
        response = client.get("/api/v1/audit/entries", params={"recorded_from": since, "limit": 500}, headers=headers)
        assert response.status_code == 200, (since, response.text)
        assert len(response.json()["items"]) == len(everything) > 0
