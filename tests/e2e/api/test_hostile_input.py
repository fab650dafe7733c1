"""Hostile input over HTTP: each answer is a specific problem, and nothing is stored."""

from __future__ import annotations

import pytest

from tests.support.world import auth

PROBLEM = "application/problem+json"


def _contact(world, **overrides):
    body = {"occurred_on": "2013-05-05", "institution_id": str(world.riph),
            "with_institution_id": str(world.citt), "channel": "phone", "summary": "Kontakt"}
    body.update(overrides)
    return body


def _log_position(container) -> int:
    return container.app.recorder.max_notification_id() or 0


@pytest.mark.parametrize("text", ["20130505", "2013-W19-7", "2013-126", "2013-05-05 ", " 2013-05-05"])
def test_a_business_date_must_be_written_yyyy_mm_dd(client, world, container, text):
    before = _log_position(container)
    response = client.post("/api/v1/contacts", json=_contact(world, occurred_on=text),
                           headers=auth(world.tokens["staff"]))
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    assert response.json()["errors"][0]["field"] == "occurred_on"
    assert _log_position(container) == before


@pytest.mark.parametrize("text", ["20130505", "2013-W19-7"])
def test_an_as_of_date_must_be_written_yyyy_mm_dd(client, world, text):
    response = client.get(f"/api/v1/strategy/tasks/III.1.3/report?as_of={text}",
                          headers=auth(world.tokens["coordinator"]))
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == "query.as_of"


@pytest.mark.parametrize("text", ["20130505T101010", "2013-W19-7T10:00:00"])
def test_an_audit_time_bound_must_be_iso_extended_text(client, world, text):
    response = client.get(f"/api/v1/audit/entries?recorded_from={text}", headers=auth(world.tokens["auditor"]))
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == "query.recorded_from"


@pytest.mark.parametrize("text", ["a\x00b", "bell\x07", "esc\x1b[31m", "del\x7f"])
def test_control_characters_in_text_are_refused(client, world, container, text):
    before = _log_position(container)
    response = client.post("/api/v1/contacts", json=_contact(world, summary=text), headers=auth(world.tokens["staff"]))
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == "summary"
    assert _log_position(container) == before


def test_line_breaks_and_tabs_stay_allowed_in_text(client, world):
    response = client.post("/api/v1/contacts", json=_contact(world, summary="Ustalenia:\n\t1. oferta\r\n2. targi"),
                           headers=auth(world.tokens["staff"]))
    assert response.status_code == 201, response.text


def test_control_characters_are_refused_inside_a_correction_too(client, world, container):
    before = _log_position(container)
    response = client.post(f"/api/v1/records/{world.own_record}/corrections",
                           json={"expected_version": 1, "reason": "zła\x00przyczyna", "changes": {"summary": "x"}},
                           headers=auth(world.tokens["staff"]))
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == "reason"
    assert _log_position(container) == before


def test_malformed_json_names_the_body_not_a_character_offset(client, world):
    response = client.post("/api/v1/contacts", content=b'{"occurred_on": ',
                           headers=auth(world.tokens["staff"], **{"Content-Type": "application/json"}))
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert error["field"] == "body"
    assert "16" in error["message"]  # the position is still told, in the message


def test_a_body_over_the_limit_is_refused_before_it_is_read(client, world, container):
    before = _log_position(container)
    huge = b'{"summary": "' + b"a" * (2 * 1024 * 1024) + b'"}'
    response = client.post("/api/v1/contacts", content=huge,
                           headers=auth(world.tokens["staff"], **{"Content-Type": "application/json"}))
    assert response.status_code == 413, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    assert response.json()["code"] == "body_too_large"
    assert response.json()["title"] == "Treść za duża / Content too large"
    assert _log_position(container) == before


def test_a_chunked_body_over_the_limit_is_refused_too(client, world, container):
    before = _log_position(container)

    def chunks():
        yield b'{"summary": "'
        for _ in range(40):
            yield b"a" * 65536
        yield b'"}'

    response = client.post("/api/v1/contacts", content=chunks(),
                           headers=auth(world.tokens["staff"], **{"Content-Type": "application/json"}))
    assert response.status_code == 413, response.text
    assert response.json()["code"] == "body_too_large"
    assert _log_position(container) == before


def test_an_audit_csv_cell_cannot_start_a_spreadsheet_formula(client, world):
    reason = '=HYPERLINK("http://example.invalid","kliknij")'
    response = client.post(f"/api/v1/records/{world.own_record}/retractions",
                           json={"expected_version": 1, "reason": reason}, headers=auth(world.tokens["staff"]))
    assert response.status_code == 200, response.text
    csv_text = client.get(f"/api/v1/audit/entries.csv?record={world.own_record}",
                          headers=auth(world.tokens["auditor"])).text
    cells = [cell for line in csv_text.splitlines()[1:] for cell in line.split(";")]
    assert not any(cell.lstrip('"').startswith(("=", "+", "@")) for cell in cells), csv_text
    assert "HYPERLINK" in csv_text  # the reason is kept, only defused


# ---------------------------------------------------------------------------------------------- issue 11, defect 5
def _cursor(*values) -> str:
    """A cursor shaped like the server's own (projections.base.encode_cursor), carrying what the test picks."""
    import base64
    import json
    return base64.urlsafe_b64encode(json.dumps(list(values)).encode()).decode().rstrip("=")


@pytest.mark.parametrize("path", ["/api/v1/strategy/tasks/III.1.3/report",
                                  "/api/v1/indicators/III.1.3.W2/years/2012/events"])
def test_an_as_of_date_at_the_end_of_the_calendar_is_refused_not_a_crash(client, world, path):
    response = client.get(f"{path}?as_of=9999-12-31", headers=auth(world.tokens["coordinator"]))
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    assert response.json()["errors"][0]["field"] == "as_of"
    assert "9999-12-31" in response.json()["detail"]


@pytest.mark.parametrize("path,cursor", [
    ("/api/v1/audit/entries", _cursor("audit", 2**63)),
    ("/api/v1/audit/entries", _cursor("audit", -2**63 - 1)),
    ("/api/v1/records", _cursor("register", "\ud800", "x")),
    ("/api/v1/records", _cursor("register", "2012-05-05", "\udfff")),
])
def test_a_cursor_carrying_what_no_query_can_bind_is_the_clients_mistake(client, world, path, cursor):
    response = client.get(path, params={"cursor": cursor}, headers=auth(world.tokens["auditor"]))
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "invalid_cursor"


@pytest.mark.parametrize("name,value", [
    ("recorded_from", "0001-01-01T00:00:00+00:01"),
    ("recorded_to", "0001-01-01T00:00:00+00:01"),
    ("recorded_to", "9999-12-31T23:59:59-00:01"),
    ("recorded_from", "9999-12-31T23:59:59.999999-23:59"),
])
@pytest.mark.parametrize("path", ["/api/v1/audit/entries", "/api/v1/audit/entries.csv"])
def test_an_audit_time_bound_beyond_the_utc_range_is_refused_not_a_crash(client, world, path, name, value):
    response = client.get(path, params={name: value}, headers=auth(world.tokens["auditor"]))
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == f"query.{name}"


def test_audit_time_bounds_at_the_ends_of_the_range_in_utc_still_work(client, world):
    response = client.get("/api/v1/audit/entries", params={"recorded_from": "0001-01-01T00:00:00",
                                                           "recorded_to": "9999-12-31T23:59:59Z"},
                          headers=auth(world.tokens["auditor"]))
    assert response.status_code == 200, response.text
    assert response.json()["items"]


@pytest.mark.parametrize("text", ["C1\x85NEL", "csi\x9b31m", "pad\x80", "RIPH\u202eevil", "embed\u202a",
                                  "isolate\u2066x\u2069", "first\u2068strong", "lone\ud800surrogate"])
def test_c1_controls_bidi_overrides_and_isolates_are_refused_like_c0(client, world, container, text):
    import json
    before = _log_position(container)
    body = json.dumps(_contact(world, summary=text)).encode()  # \u escapes: a lone surrogate goes over the wire too
    response = client.post("/api/v1/contacts", content=body,
                           headers=auth(world.tokens["staff"], **{"Content-Type": "application/json"}))
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == "summary"
    assert f"U+{ord(next(c for c in text if not c.isascii() or ord(c) < 32)):04X}" in response.json()["detail"]
    assert _log_position(container) == before


def test_letters_marks_and_zero_width_joiners_stay_allowed(client, world):
    response = client.post("/api/v1/contacts", json=_contact(world, summary="Zażółć gęślą jaźń – ﬁrma «ÄÖÜ» ß\u200d"),
                           headers=auth(world.tokens["staff"]))
    assert response.status_code == 201, response.text


def test_a_bidi_override_is_refused_in_a_registry_name_too(client, world, container):
    before = _log_position(container)
    response = client.post("/api/v1/firms", json={"name": "Firma\u202e", "nip": None, "regon": "123456785"},
                           headers=auth(world.tokens["coordinator"]))
    assert response.status_code == 422, response.text
    assert _log_position(container) == before


# ---------------------------------------------------------------------------------------------- issue 11, defect 4
def test_one_nip_in_four_scripts_is_registered_once(client, world, container):
    from tests.factories import valid_nip
    nip = valid_nip(11)
    answers = []
    for zero in (ord("0"), 0xFF10, 0x0660, 0x0966):
        typed = "".join(chr(zero + int(d)) for d in nip)
        response = client.post("/api/v1/firms", json={"name": f"Firma {zero}", "nip": typed, "regon": None},
                               headers=auth(world.tokens["coordinator"]))
        answers.append(response.status_code)
    assert answers == [201, 422, 422, 422], answers
    firms = client.get("/api/v1/firms", headers=auth(world.tokens["coordinator"])).json()["items"]
    assert [f["nip"] for f in firms].count(nip) == 1


@pytest.mark.parametrize("variant", ["RIPH\u200b", "ＲＩＰＨ", "riph\u2060", "RIPH\u200f"])
def test_a_short_name_that_reads_like_one_taken_is_refused(client, world, container, variant):
    before = _log_position(container)
    response = client.post("/api/v1/institutions", json={"name": "Kopia", "short_name": variant, "kind": "chamber"},
                           headers=auth(world.tokens["coordinator"]))
    assert response.status_code == 409, response.text
    assert response.json()["errors"][0]["field"] == "short_name"
    assert _log_position(container) == before


def test_an_as_of_date_in_the_future_still_means_as_known_now(client, world):
    now = client.get("/api/v1/strategy/tasks/III.1.3/report", headers=auth(world.tokens["coordinator"])).json()
    late = client.get("/api/v1/strategy/tasks/III.1.3/report?as_of=9999-12-30", headers=auth(world.tokens["coordinator"]))
    assert late.status_code == 200, late.text
    assert late.json()["indicators"][1]["years"]["2012"]["actual"] == now["indicators"][1]["years"]["2012"]["actual"]
