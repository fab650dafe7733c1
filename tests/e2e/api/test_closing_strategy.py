"""Reopening a closed year for the strategy over HTTP: POST .../reopenings without an institution."""

from __future__ import annotations

import pytest

from domain.application import DEFAULT_NETWORK_ID
from domain.errors import InvariantViolated
from domain.values import Actor
from tests.support.world import auth
from tests.e2e.api.test_closing import YEARS, close_2012


def test_a_reopening_without_an_institution_opens_the_year_for_the_strategy(client, world, container):
    coordinator = auth(world.tokens["coordinator"])
    close_2012(container, world)
    app = container.app
    code, indicator = next(iter(app.strategy.get_strategy().indicators.items()))
    targets = dict(indicator["targets"])
    changed = {**targets, "2012": 99}
    with pytest.raises(InvariantViolated) as refused:
        app.strategy.set_targets(indicator_code=code, targets=changed, reason="x", actor=Actor(user_id="coordinator"))
    assert "2012" in refused.value.field

    no_reason = client.post(f"{YEARS}/2012/reopenings", json={"institution_id": None}, headers=coordinator)
    assert no_reason.status_code == 422, no_reason.text
    by_lead = client.post(f"{YEARS}/2012/reopenings", json={"reason": "Korekta celu"},
                          headers=auth(world.tokens["lead"]))
    assert by_lead.status_code == 403, by_lead.text
    reopened = client.post(f"{YEARS}/2012/reopenings", json={"reason": "Korekta celu po uchwale"},
                           headers=coordinator)
    assert reopened.status_code == 201, reopened.text
    again = client.post(f"{YEARS}/2012/reopenings", json={"institution_id": None, "reason": "Jeszcze raz"},
                        headers=coordinator)
    assert again.status_code == 409, again.text

    status = client.get(f"{YEARS}/2012", headers=coordinator).json()
    [reopening] = status["reopened"]
    assert reopening["institution_id"] is None and reopening["reason"] == "Korekta celu po uchwale"
    assert all(row["signed_off_at"] for row in status["sign_offs"])  # nobody has to sign off again

    app.strategy.set_targets(indicator_code=code, targets=changed, reason="Korekta celu po uchwale",
                             actor=Actor(user_id="coordinator"))
    closed = client.post(f"{YEARS}/2012/closings", headers=coordinator)
    assert closed.status_code == 201, closed.text
    assert closed.json()["report_version"] == 2
    assert app.years.get_reporting_year(DEFAULT_NETWORK_ID, 2012).reopened == {}


def test_the_openapi_document_says_a_missing_institution_means_the_strategy(client):
    schema = client.get("/api/openapi.json")
    assert schema.status_code == 200
    reopen = schema.json()["components"]["schemas"]["ReopenIn"]
    assert "institution_id" not in reopen.get("required", [])
    assert "strateg" in reopen["properties"]["institution_id"]["description"]
