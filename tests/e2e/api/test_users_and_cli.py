"""Users, tokens and the `splot user` / `splot token` commands; the app built from settings."""

from __future__ import annotations
from domain.application import DEFAULT_MUNICIPALITY_ID

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.app import create_app
from domain.errors import InvariantViolated, ValidationFailed
from infra.cli import app as cli
from infra.container import bootstrap, build_container
from infra.users import UserStore, token_hash
from tests.support.world import auth

PASSWORD = "correct horse battery"


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    path = tmp_path / "var"
    monkeypatch.setenv("SPLOT_DATA_DIR", str(path))
    monkeypatch.delenv("SPLOT_DATABASE_URL", raising=False)
    return path


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(cli, list(args), input=input)


def test_cli_adds_a_user_creates_a_token_that_works_and_revokes_it(data_dir):
    added = run("user", "add", "Admin@Example.org", "--role", "admin", input=f"{PASSWORD}\n{PASSWORD}\n")
    assert added.exit_code == 0, added.output
    assert PASSWORD not in added.output  # not echoed
    created = run("token", "create", "admin@example.org")
    assert created.exit_code == 0, created.output
    token = created.stdout.strip().splitlines()[-1]
    assert token.startswith("splot_") and len(token) > 40
    with TestClient(create_app()) as client:  # the app built from settings, as `splot serve` does
        assert client.get("/api/v1/institutions", headers=auth(token)).status_code == 200
        container = client.app.state.container
        with container.directory_db.transaction() as tx:
            stored = tx.execute("SELECT token_hash FROM directory_api_tokens")
        assert [r["token_hash"] for r in stored] == [token_hash(token)]  # only the hash is kept
        assert run("token", "revoke", token).exit_code == 0
        assert client.get("/api/v1/institutions", headers=auth(token)).status_code == 401


def test_cli_refuses_mismatched_passwords_unknown_institution_and_staff_without_one(data_dir):
    mismatch = run("user", "add", "a@example.org", "--role", "admin",
                   input=f"{PASSWORD}\nsomething else 123\n{PASSWORD}\n{PASSWORD}\n")
    assert mismatch.exit_code == 0 and "do not match" in mismatch.output.lower()
    unknown = run("user", "add", "s@example.org", "--role", "staff", "--institution", "NOPE",
                  input=f"{PASSWORD}\n{PASSWORD}\n")
    assert unknown.exit_code == 1 and "NOPE" in unknown.output
    no_institution = run("user", "add", "s@example.org", "--role", "staff", input=f"{PASSWORD}\n{PASSWORD}\n")
    assert no_institution.exit_code == 1 and "institution" in no_institution.output
    bad_role = run("user", "add", "x@example.org", "--role", "root", input=f"{PASSWORD}\n{PASSWORD}\n")
    assert bad_role.exit_code != 0


def test_disabling_a_user_ends_their_tokens(data_dir):
    run("user", "add", "audit@example.org", "--role", "auditor", input=f"{PASSWORD}\n{PASSWORD}\n")
    token = run("token", "create", "audit@example.org").stdout.strip().splitlines()[-1]
    assert run("user", "disable", "audit@example.org").exit_code == 0
    with TestClient(create_app()) as client:
        assert client.get("/api/v1/records", headers=auth(token)).status_code == 401
    assert run("token", "create", "audit@example.org").exit_code == 1  # no new tokens for a disabled user


def test_staff_user_is_placed_in_an_institution_by_short_name(data_dir):
    from domain.application import DEFAULT_NETWORK_ID
    from domain.values import Actor

    container = build_container()
    bootstrap(container)
    riph = container.app.registry.register_institution(network_id=DEFAULT_NETWORK_ID, name="Izba", short_name="RIPH",
                                                       kind="chamber", actor=Actor("setup")).id
    container.close()
    added = run("user", "add", "staff@example.org", "--role", "staff", "--institution", "riph",
                input=f"{PASSWORD}\n{PASSWORD}\n")
    assert added.exit_code == 0, added.output
    container = build_container()
    try:
        assert UserStore(container.directory_db).get_by_email("staff@example.org").institution_id == riph
    finally:
        container.close()


def test_user_store_rules(container):
    users = UserStore(container.directory_db)
    user = users.add(email="a@example.org", password=PASSWORD, role="coordinator", municipality_id=DEFAULT_MUNICIPALITY_ID)
    with container.directory_db.transaction() as tx:
        stored = tx.execute("SELECT password_hash FROM directory_users")[0]["password_hash"]
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert users.verify_password("a@example.org", PASSWORD) == user
    assert users.verify_password("a@example.org", "wrong password!") is None
    with pytest.raises(InvariantViolated):
        users.add(email="A@example.org", password=PASSWORD, role="coordinator", municipality_id=DEFAULT_MUNICIPALITY_ID)
    with pytest.raises(ValidationFailed) as short:
        users.add(email="b@example.org", password="short", role="auditor", municipality_id=DEFAULT_MUNICIPALITY_ID)
    assert short.value.field == "password"
    with pytest.raises(ValidationFailed):
        users.add(email="not-an-email", password=PASSWORD, role="auditor", municipality_id=DEFAULT_MUNICIPALITY_ID)
    first, second = users.create_token("a@example.org"), users.create_token("a@example.org")
    assert first.token != second.token
    assert users.revoke_all("a@example.org") == 2
    assert users.authenticate(first.token) is None and users.authenticate(second.token) is None


def test_admin_lists_and_disables_users_over_the_api(client, world):
    admin = auth(world.tokens["admin"])
    listed = client.get("/api/v1/users", headers=admin)
    assert listed.status_code == 200
    emails = {u["email"] for u in listed.json()["items"]}
    assert {"staff@example.org", "admin@example.org", "other@example.org"} <= emails
    assert all("password" not in key for u in listed.json()["items"] for key in u)
    disabled = client.post(f"/api/v1/users/{world.other_staff_id}/disable", headers=admin)
    assert disabled.status_code == 200 and disabled.json()["active"] is False
    assert client.get("/api/v1/records", headers=auth(world.other_staff_token)).status_code == 401
    me = next(u for u in listed.json()["items"] if u["email"] == "admin@example.org")
    assert client.post(f"/api/v1/users/{me['id']}/disable", headers=admin).status_code == 409
    assert client.post("/api/v1/users/00000000-0000-4000-8000-000000000000/disable",
                       headers=admin).status_code == 404


@pytest.mark.parametrize("args", [["--help"], ["verify", "--help"], ["checkpoint", "--help"],
                                  ["checkpoint", "export", "--help"], ["user", "add", "--help"],
                                  ["token", "--help"], ["report", "--help"]])
def test_cli_help_shows_flags_without_a_bool_placeholder(args):
    shown = run(*args)
    assert shown.exit_code == 0, shown.output
    assert "--help" in shown.output and "<bool>" not in shown.output


@pytest.mark.parametrize(("group", "polish", "english"), [
    ("verify", "Sprawdza cały dziennik zdarzeń", "(walk the whole event log"),
    ("checkpoint", "Podpisane punkty kontrolne", "(signed checkpoints"),
    ("user", "Użytkownicy i ich role", "(manage users"),
    ("token", "Tokeny API", "(create, list and revoke API tokens)"),
])
def test_cli_help_is_polish_first_with_english_in_parentheses(group, polish, english):
    text = " ".join(run(group, "--help").output.split())
    assert polish in text and english in text and text.index(polish) < text.index(english), text


def test_serve_only_starts_uvicorn_and_the_factory_bootstraps_once(data_dir, monkeypatch, caplog):
    import importlib
    import logging

    import uvicorn

    started = {}

    def fake_run(target, **options):  # what uvicorn does with an import string and factory=True
        module, name = target.split(":")
        started.update(options, target=target, bootstraps_before=bootstraps())
        with TestClient(getattr(importlib.import_module(module), name)()) as client:
            started["health"] = client.get("/api/v1/health").status_code

    def bootstraps() -> int:
        return sum("Bootstrap of the store" in r.getMessage() for r in caplog.records)

    monkeypatch.setattr(uvicorn, "run", fake_run)
    with caplog.at_level(logging.INFO, logger="infra"):
        served = run("serve", "--port", "8765")
    assert served.exit_code == 0, served.output
    assert "http://127.0.0.1:8765" in served.output
    assert started["target"] == "api.app:create_app" and started["factory"] is True and started["port"] == 8765
    assert started["bootstraps_before"] == 0  # serve itself opens no store
    assert bootstraps() == 1 and started["health"] == 200


def test_a_refused_action_is_reported_once_with_exit_code_1(data_dir):
    refused = run("user", "add", "not-an-email", "--role", "admin", input=f"{PASSWORD}\n{PASSWORD}\n")
    assert refused.exit_code == 1
    said = " ".join(refused.stderr.split())
    assert said.startswith("Błąd / Error (email):") and said.count("Błąd") == 1, said
    assert "'not-an-email' nie jest adresem e-mail. ('not-an-email' is not an e-mail address.)" in said


def test_cli_never_disables_or_demotes_the_last_active_admin(data_dir):
    """Issue 11, defect 6: `splot user disable` went straight to the store and left a deployment without an admin."""
    assert run("user", "add", "only-admin@example.org", "--role", "admin", input=f"{PASSWORD}\n{PASSWORD}\n").exit_code == 0
    refused = run("user", "disable", "only-admin@example.org")
    assert refused.exit_code == 1 and "ostatniego aktywnego administratora" in refused.output
    demoted = run("user", "set-role", "only-admin@example.org", "auditor")
    assert demoted.exit_code == 1 and "last active administrator" in demoted.output
    container = build_container()
    try:
        still = container.users.get_by_email("only-admin@example.org")
        assert still.active and still.role == "admin"
    finally:
        container.close()
    # with a second admin, the first may go; the history names the operator at the shell
    assert run("user", "add", "second-admin@example.org", "--role", "admin", input=f"{PASSWORD}\n{PASSWORD}\n").exit_code == 0
    assert run("user", "disable", "only-admin@example.org").exit_code == 0
    container = build_container()
    try:
        gone = container.users.get_by_email("only-admin@example.org")
        assert not gone.active
        assert [c["change"] for c in container.users.changes(gone.id)] == ["disabled"]
        assert container.users.changes(gone.id)[0]["changed_by"].startswith("cli:")
    finally:
        container.close()


def test_cli_sets_a_role_and_institution_by_short_name(data_dir):
    from domain.application import DEFAULT_NETWORK_ID
    from domain.values import Actor

    container = build_container()
    bootstrap(container)
    for short in ("RIPH", "CITT"):
        container.app.registry.register_institution(network_id=DEFAULT_NETWORK_ID, name=f"Instytucja {short}",
                                                    short_name=short, kind="chamber", actor=Actor("setup"))
    container.close()
    assert run("user", "add", "s@example.org", "--role", "staff", "--institution", "RIPH",
               input=f"{PASSWORD}\n{PASSWORD}\n").exit_code == 0
    kept = run("user", "set-role", "s@example.org", "lead")
    assert kept.exit_code == 0, kept.output
    moved = run("user", "set-role", "s@example.org", "staff", "--institution", "CITT")
    assert moved.exit_code == 0, moved.output
    unknown = run("user", "set-role", "s@example.org", "staff", "--institution", "NOPE")
    assert unknown.exit_code == 1 and "NOPE" in unknown.output
    bad_role = run("user", "set-role", "s@example.org", "root")
    assert bad_role.exit_code != 0
    container = build_container()
    try:
        container.runner.catch_up()
        user = container.users.get_by_email("s@example.org")
        assert user.role == "staff"
        assert [c["change"] for c in container.users.changes(user.id)] == ["role", "role", "institution"]
    finally:
        container.close()
