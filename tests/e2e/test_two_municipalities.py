"""Two municipalities in one store, end to end through the JSON API: each has its own institutions,
network, strategy (the Leszno default, and a second loaded from a file) and users; a user of one sees
none of the other's institutions, firms, records, reports or audit entries, and each one's indicator
tables count only its own records."""

from __future__ import annotations

from pathlib import Path
from uuid import UUID

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from api.app import create_app
from domain.application import DEFAULT_MUNICIPALITY_ID
from domain.use_cases.users import OPERATOR
from infra.container import Container
from infra.strategy_loader import load_strategy_file
from infra.users import UserStore

V1 = "/api/v1"
PASSWORD = "correct horse battery"

SECOND_STRATEGY = """
format = 1

[strategy]
name = "Strategia rozwoju Gniezna"

[[goals]]
code = "III"
name = "Cel gospodarczy"

[[programmes]]
goal = "III"
code = "III.1"
name = "Program współpracy"

[[tasks]]
programme = "III.1"
code = "III.1.3"
name = "Sieć instytucji Gniezna"
weight = 100
years = [2011, 2012]

[[tasks.indicators]]
code = "III.1.3.W2"
name = "Ilość nawiązanych kontaktów"
level = "result"
source_label = "UM"
sources = ["UM"]
unit = "szt."
targets = { 2011 = 5, 2012 = 5 }
rule = { kind = "count", record_kind = "contact" }
"""


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class City:
    """One municipality as its people see it: a coordinator's and an auditor's token."""

    def __init__(self, client: TestClient, coordinator: str, auditor: str) -> None:
        self.client = client
        self.coordinator = _auth(coordinator)
        self.auditor = _auth(auditor)

    def post(self, path: str, body: dict, status: int = 201) -> dict:
        response = self.client.post(V1 + path, json=body, headers=self.coordinator)
        assert response.status_code == status, response.text
        return response.json()

    def get(self, path: str, headers: dict | None = None, status: int = 200) -> dict:
        response = self.client.get(V1 + path, headers=headers or self.coordinator)
        assert response.status_code == status, (path, response.text)
        return response.json()

    def institution(self, short_name: str, kind: str = "chamber") -> str:
        institution_id = self.post("/institutions", {"name": f"Instytucja {short_name}", "short_name": short_name,
                                                     "kind": kind})["id"]
        self.post("/network/members", {"institution_id": institution_id, "joined_on": "2010-01-01"})
        return institution_id

    def contact(self, owner: str, other: str, day: str = "2012-03-05") -> str:
        return self.post("/contacts", {"occurred_on": day, "institution_id": owner, "with_institution_id": other,
                                       "channel": "phone", "summary": "Kontakt"})["id"]


@pytest.fixture
def cities(container: Container, tmp_path: Path):
    uc = container.use_cases
    second = uc.registry.add_municipality(OPERATOR, name="Miasto Gniezno", teryt="3003011",
                                          network_name="Sieć instytucji Gniezna").id
    second_network = uc.registry.scopes.of_municipality(second).home_network_id
    strategy_file = tmp_path / "gniezno.toml"
    strategy_file.write_text(SECOND_STRATEGY, encoding="utf-8")
    load_strategy_file(container.app, strategy_file, network_id=second_network)

    users = UserStore(container.directory_db, hasher=PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    tokens = {}
    for city, municipality in (("leszno", DEFAULT_MUNICIPALITY_ID), ("gniezno", second)):
        for role in ("coordinator", "auditor"):
            email = f"{role}@{city}.example.org"
            users.add(email=email, password=PASSWORD, role=role, municipality_id=municipality)
            tokens[city, role] = users.create_token(email).token
    with TestClient(create_app(container)) as client:
        yield (City(client, tokens["leszno", "coordinator"], tokens["leszno", "auditor"]),
               City(client, tokens["gniezno", "coordinator"], tokens["gniezno", "auditor"]), UUID(str(second)))


def test_each_municipality_sees_only_its_own(cities):
    leszno, gniezno, gniezno_id = cities
    riph, citt = leszno.institution("RIPH"), leszno.institution("CITT", "innovation_centre")
    um, izba = gniezno.institution("UM", "city_department"), gniezno.institution("IZBA")
    leszno_record = leszno.contact(riph, citt)
    gniezno.contact(um, izba)
    gniezno.contact(um, izba, "2012-06-01")
    leszno_firm = leszno.post("/firms", {"name": "Firma z Leszna", "nip": "5260250274"})["id"]
    # The same NIP may be registered once per network: the second city is not told the first one has it.
    gniezno.post("/firms", {"name": "Firma z Gniezna", "nip": "5260250274"})

    # institutions, firms, municipalities
    assert {i["short_name"] for i in gniezno.get("/institutions")["items"]} == {"UM", "IZBA"}
    assert "RIPH" in {i["short_name"] for i in leszno.get("/institutions")["items"]}
    assert "UM" not in {i["short_name"] for i in leszno.get("/institutions")["items"]}
    assert [f["name"] for f in gniezno.get("/firms")["items"]] == ["Firma z Gniezna"]
    assert [m["id"] for m in gniezno.get("/municipalities")["items"]] == [str(gniezno_id)]

    # records: not listed, not readable, not correctable, not referable across the line
    assert {r["id"] for r in gniezno.get("/records")["items"]}.isdisjoint({leszno_record})
    gniezno.get(f"/records/{leszno_record}", status=404)
    gniezno.post(f"/records/{leszno_record}/retractions", {"expected_version": 1, "reason": "?"}, status=404)
    problem = gniezno.post("/contacts", {"occurred_on": "2012-03-05", "institution_id": um,
                                         "with_institution_id": riph, "channel": "phone", "summary": "x"},
                           status=422)
    assert problem["errors"][0]["field"] == "with_institution_id"
    gniezno.post("/meetings", {"occurred_on": "2012-03-05", "title": "Spotkanie", "kind": "workshop",
                               "organiser_id": um, "firm_ids": [leszno_firm]}, status=422)
    gniezno.post("/network/members", {"institution_id": riph, "joined_on": "2011-01-01"}, status=422)
    assert leszno.get(f"/records/{leszno_record}")["id"] == leszno_record

    # audit: each auditor sees their own municipality's entries only
    gniezno_trail = gniezno.get("/audit/entries?limit=500", headers=gniezno.auditor)["items"]
    assert gniezno_trail and leszno_record not in {e["record_id"] for e in gniezno_trail}
    assert riph not in {e["record_id"] for e in gniezno_trail}
    leszno_trail = leszno.get("/audit/entries?limit=500", headers=leszno.auditor)["items"]
    assert um not in {e["record_id"] for e in leszno_trail}
    gniezno.get(f"/records/{leszno_record}/history", headers=gniezno.auditor, status=404)


def test_each_strategy_counts_only_its_own_records(cities):
    leszno, gniezno, _ = cities
    riph, citt = leszno.institution("RIPH"), leszno.institution("CITT", "innovation_centre")
    um, izba = gniezno.institution("UM", "city_department"), gniezno.institution("IZBA")
    before_leszno = leszno.get("/strategy/tasks/III.1.3/report")
    before_gniezno = gniezno.get("/strategy/tasks/III.1.3/report")
    assert before_leszno["task"]["name"] != before_gniezno["task"]["name"]  # two strategies, one task code

    leszno.contact(riph, citt)
    for day in ("2012-01-10", "2012-02-10", "2012-03-10"):
        gniezno.contact(um, izba, day)

    def contacts(city: City) -> object:
        events = city.get("/indicators/III.1.3.W2/years/2012/events")["items"]
        return len(events)

    assert contacts(leszno) == 1
    assert contacts(gniezno) == 3
    assert [t["code"] for t in gniezno.get("/strategy/tasks")["items"]] == ["III.1.3"]
    assert {t["code"] for t in leszno.get("/strategy/tasks")["items"]} == {"III.1.3", "I.3.5"}
