"""How the API refuses a request, in words: a 403 names the action (not its internal name), non-JSON bodies
get 415, invalid UTF-8 a specific 400, a repeated scalar query parameter is refused by name, a close refused
for missing sign-offs names the institutions; and `splot user list` shows institutions by short name."""

from __future__ import annotations

import pytest

from domain.policy import ACTION_DESCRIPTIONS, Action
from tests.support.world import auth

V1 = "/api/v1"
PROBLEM = "application/problem+json"


# ------------------------------------------------------------------------ 1. no internal names in a 403
def test_every_action_has_a_polish_and_english_description():
    assert set(ACTION_DESCRIPTIONS) == set(Action)
    for action, text in ACTION_DESCRIPTIONS.items():
        polish, _, english = text.partition(" (")
        assert polish.startswith("Ta rola nie może ") and english.startswith("this role may not "), action
        assert action.value not in text


@pytest.mark.parametrize(("role", "method", "path", "body", "phrase"), [
    ("auditor", "POST", "/institutions", {"name": "Nowa", "short_name": "NOWA", "kind": "other"},
     "rejestrem instytucji"),
    ("admin", "GET", "/records", None, "rejestr"),
    ("coordinator", "GET", "/users", None, "użytkownik"),
    ("staff", "GET", "/audit/entries", None, "audyt"),
])
def test_a_403_describes_the_action_in_words_not_its_internal_name(client, world, role, method, path, body, phrase):
    response = client.request(method, V1 + path, headers=auth(world.tokens[role]), json=body)
    assert response.status_code == 403, response.text
    detail = response.json()["detail"]
    assert phrase in detail
    assert not any(action.value in detail for action in Action), detail


# ------------------------------------------------------------------------ 2. bodies that are not JSON
INSTITUTION = '{"name": "Nowa", "short_name": "NOWA", "kind": "other"}'


def _log_position(container) -> int:
    return container.app.recorder.max_notification_id() or 0


@pytest.mark.parametrize(("content_type", "content"), [
    ("text/plain", INSTITUTION),
    ("application/x-www-form-urlencoded", "name=Nowa&short_name=NOWA&kind=other"),
    ("multipart/form-data; boundary=xyz", '--xyz\r\nContent-Disposition: form-data; name="name"\r\n\r\nNowa\r\n--xyz--'),
    (None, INSTITUTION),
])
def test_a_body_that_is_not_json_gets_415(client, world, container, content_type, content):
    before = _log_position(container)
    headers = auth(world.tokens["coordinator"])
    if content_type:
        headers["Content-Type"] = content_type
    response = client.post(f"{V1}/institutions", headers=headers, content=content)
    assert response.status_code == 415, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    problem = response.json()
    assert problem["code"] == "unsupported_media_type"
    assert "application/json" in problem["detail"]
    assert problem["errors"][0]["field"] == "Content-Type"
    assert _log_position(container) == before


def test_a_json_body_with_a_structured_suffix_or_charset_is_accepted(client, world):
    for n, content_type in enumerate(("application/json; charset=utf-8", "application/merge-patch+json")):
        response = client.post(f"{V1}/institutions", content=INSTITUTION.replace("NOWA", f"NOWA{n}"),
                               headers=auth(world.tokens["coordinator"], **{"Content-Type": content_type}))
        assert response.status_code == 201, response.text


def test_a_text_body_sent_to_a_write_without_a_body_gets_415(client, world):
    response = client.post(f"{V1}/audit/years/2005/closings", content="zamknij",
                           headers=auth(world.tokens["coordinator"], **{"Content-Type": "text/plain"}))
    assert response.status_code == 415, response.text


def test_415_is_documented_on_every_write(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    writes = {(path, method): op for path, ops in paths.items() for method, op in ops.items() if method == "post"}
    assert writes
    undocumented = [key for key, op in writes.items() if "415" not in op["responses"]]
    assert not undocumented
    with_body = [op for op in writes.values() if "requestBody" in op]
    assert with_body and all("400" in op["responses"] for op in with_body)


def test_invalid_utf8_in_a_json_body_gets_400_with_a_specific_code(client, world, container):
    before = _log_position(container)
    response = client.post(f"{V1}/institutions", content=b'{"name": "Nowa \xff", "short_name": "N", "kind": "other"}',
                           headers=auth(world.tokens["coordinator"], **{"Content-Type": "application/json"}))
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    problem = response.json()
    assert problem["code"] == "invalid_encoding"
    assert "UTF-8" in problem["detail"] and "15" in problem["detail"]  # the offending byte's offset
    assert problem["errors"][0]["field"] == "body"
    assert _log_position(container) == before


# ------------------------------------------------------------------------ 3. a query parameter given twice
@pytest.mark.parametrize(("path", "parameter"), [
    ("/records?year=2013&year=2014", "year"),
    ("/records?limit=1&limit=2", "limit"),
    ("/audit/entries?kind=contact&kind=meeting", "kind"),
    ("/strategy/tasks/III.1.3/report?as_of=2013-01-01&as_of=2014-01-01", "as_of"),
])
def test_a_scalar_query_parameter_given_twice_is_refused_by_name(client, world, path, parameter):
    response = client.get(V1 + path, headers=auth(world.tokens["coordinator"]))
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["errors"][0]["field"] == f"query.{parameter}"
    assert repr(parameter) in problem["detail"]


def test_a_query_parameter_given_once_still_works(client, world):
    response = client.get(f"{V1}/records?year=2012&limit=1", headers=auth(world.tokens["coordinator"]))
    assert response.status_code == 200 and len(response.json()["items"]) == 1


# ------------------------------------------------------------------------ 4. missing sign-offs by name
def test_a_close_refused_for_missing_sign_offs_names_the_institutions(client, world):
    response = client.post(f"{V1}/audit/years/2012/closings", headers=auth(world.tokens["coordinator"]))
    assert response.status_code == 409, response.text
    problem = response.json()
    assert problem["code"] == "invariant_violated"
    assert "brak podpisu 4 instytucji" in problem["detail"]
    for short_name, institution_id in (("RIPH", world.riph), ("CITT", world.citt), ("WPiR", world.wpir),
                                       ("LCB", world.lcb)):
        assert f"{short_name} ({institution_id})" in problem["detail"]
    assert problem["errors"][0]["field"] == "year"


def test_a_close_refused_for_another_reason_keeps_its_message(client, world, container):
    from datetime import date

    from domain.application import DEFAULT_NETWORK_ID
    from domain.values import Actor

    container.app.years.close_year(network_id=DEFAULT_NETWORK_ID, year=2005, report={"x": 1}, report_as_of=date(2020, 1, 1),
                                     actor=Actor("setup"))
    again = client.post(f"{V1}/audit/years/2005/closings", headers=auth(world.tokens["coordinator"]))
    assert again.status_code == 409 and "jest już zamknięty" in again.json()["detail"]


def test_user_list_shows_the_institution_short_name(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from domain.application import DEFAULT_NETWORK_ID
    from domain.values import Actor
    from infra.cli import app as cli
    from infra.container import bootstrap, build_container

    monkeypatch.setenv("SPLOT_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("SPLOT_DATABASE_URL", raising=False)
    container = build_container()
    bootstrap(container)
    riph = container.app.registry.register_institution(network_id=DEFAULT_NETWORK_ID, name="Izba", short_name="RIPH",
                                                       kind="chamber", actor=Actor("setup")).id
    container.close()
    runner = CliRunner()
    password = "correct horse battery\n" * 2
    assert runner.invoke(cli, ["user", "add", "s@example.org", "--role", "staff", "--institution", "RIPH"],
                         input=password).exit_code == 0
    assert runner.invoke(cli, ["user", "add", "a@example.org", "--role", "admin"], input=password).exit_code == 0
    listed = runner.invoke(cli, ["user", "list"])
    assert listed.exit_code == 0, listed.output
    rows = {line.split("\t")[0]: line.split("\t") for line in listed.stdout.strip().splitlines()}
    assert rows["s@example.org"][2] == f"RIPH ({riph})"
    assert rows["a@example.org"][2] == "-"
