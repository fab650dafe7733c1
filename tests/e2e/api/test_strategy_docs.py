"""The OpenAPI document says what STRATEGY-FILE.md says (issue 11, defect 7): `?institution=` lists the
institution's own view, and a membership's `left_on` is its last day."""

from __future__ import annotations


def _events_route(client) -> dict:
    return client.get("/api/openapi.json").json()["paths"]["/api/v1/indicators/{code}/years/{year}/events"]["get"]


def test_the_drill_down_institution_filter_is_described_as_the_own_view(client):
    route = _events_route(client)
    [institution] = [p for p in route["parameters"] if p["name"] == "institution"]
    text = institution["description"]
    assert "own view" in text and "its own records for a count" in text and "clusters' members for a gauge" in text


def test_left_on_is_described_as_the_last_day_of_membership(client):
    document = client.get("/api/openapi.json").json()
    assert "`left_on` is the last day" in _events_route(client)["description"]
    items = document["components"]["schemas"]["IndicatorEvents"]["properties"]["items"]["description"]
    assert "`left_on` is its last day" in items
