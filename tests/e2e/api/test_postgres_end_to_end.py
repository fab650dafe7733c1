"""The whole stack on PostgreSQL: the API writes, the read models follow, the report counts it,
the audit chain verifies — the same behaviour as on the embedded SQLite store."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from infra.container import bootstrap, build_container
from infra.verify import verify_log
from tests.support.world import auth, build_world

pytestmark = pytest.mark.postgres
V1 = "/api/v1"


def contacts_actual(client: TestClient, token: str, year: str) -> int:
    report = client.get(f"{V1}/strategy/tasks/III.1.3/report", headers=auth(token)).json()
    contacts = next(i for i in report["indicators"] if i["name"] == "Ilość nawiązanych kontaktów")
    return contacts["years"][year]["actual"]


def test_api_report_and_chain_on_postgres(postgres_settings, network_id):
    container = build_container(postgres_settings)
    bootstrap(container)
    world = build_world(container, network_id)
    staff = world.tokens["staff"]
    with TestClient(create_app(container)) as client:
        before = contacts_actual(client, staff, "2012")
        body = {"occurred_on": "2012-12-31", "institution_id": str(world.riph),
                "with_institution_id": str(world.citt), "channel": "phone", "summary": "Kontakt sylwestrowy"}
        created = client.post(f"{V1}/contacts", headers=auth(staff, **{"Idempotency-Key": "pg-1"}), json=body)
        assert created.status_code == 201, created.text
        replay = client.post(f"{V1}/contacts", headers=auth(staff, **{"Idempotency-Key": "pg-1"}), json=body)
        assert replay.json()["id"] == created.json()["id"]
        assert contacts_actual(client, staff, "2012") == before + 1
        record_id = created.json()["id"]
        retracted = client.post(f"{V1}/records/{record_id}/retractions", headers=auth(staff),
                                json={"expected_version": 1, "reason": "Pomyłka"})
        assert retracted.status_code in (200, 201), retracted.text
        assert contacts_actual(client, staff, "2012") == before
        history = client.get(f"{V1}/records/{record_id}/history", headers=auth(world.tokens["auditor"]))
        assert history.status_code == 200 and len(history.json()) == 2  # created, retracted
    result = verify_log(container.app.recorder)
    assert result.ok and result.events_checked == container.app.recorder.max_notification_id()
    container.close()
