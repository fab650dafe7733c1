"""`splot demo` adds one account per role with random passwords printed once; `splot serve` on a store
with no users prints the one-time setup link (and issues nothing when users exist)."""

from __future__ import annotations

import re

import pytest
import uvicorn
from typer.testing import CliRunner

from domain.application import DEFAULT_MUNICIPALITY_ID
from domain.policy import Role
from infra.cli import app as cli
from infra.container import build_container
from infra.settings import Settings

_ACCOUNT_ROW = re.compile(r"^\s*\S+ / (\w+)\s+(\S+@demo\.splot\.local)\s+(\S+)\s+(\S+)\s*$", re.M)
_SETUP_LINK = re.compile(r"http://127\.0\.0\.1:8765/konfiguracja/([A-Za-z0-9_-]+)")


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    path = tmp_path / "var"
    monkeypatch.setenv("SPLOT_DATA_DIR", str(path))
    monkeypatch.delenv("SPLOT_DATABASE_URL", raising=False)
    return path


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_demo_prints_an_account_per_role_whose_password_signs_in_and_a_second_run_adds_none(data_dir):
    first = run("demo", "--if-empty")
    assert first.exit_code == 0, first.output
    rows = _ACCOUNT_ROW.findall(first.stdout)
    assert sorted(role for role, *_ in rows) == ["auditor", "coordinator", "lead", "staff", "staff"]
    assert "authenticator app" in first.stdout and "aplikacji uwierzytelniającej" in first.stdout
    with build_container(Settings(data_dir=data_dir)) as container:
        institutions = {str(i["id"]): i["short_name"] for i in container.use_cases.registry.institutions(
            container.users.get_by_email("koordynator@demo.splot.local"))}
        for role, email, password, institution in rows:
            user = container.users.verify_password(email, password)
            assert user is not None and user.role == Role(role), email
            assert user.municipality_id == DEFAULT_MUNICIPALITY_ID
            assert institutions.get(str(user.institution_id), "—") == institution
        staff_institutions = {i for role, _, _, i in rows if role == "staff"}
        assert len(staff_institutions) == 2  # staff of two institutions
        assert len({password for *_, password, _ in rows}) == 5  # no shared or default password
        users_before = len(container.users.list())

    second = run("demo", "--if-empty")
    assert second.exit_code == 0, second.output
    assert _ACCOUNT_ROW.findall(second.stdout) == [] and "@demo.splot.local" not in second.output
    with build_container(Settings(data_dir=data_dir)) as container:
        assert len(container.users.list()) == users_before


def _serve(monkeypatch) -> str:
    monkeypatch.setattr(uvicorn, "run", lambda target, **options: None)
    served = run("serve", "--port", "8765")
    assert served.exit_code == 0, served.output
    return served.output


def test_serve_on_a_store_without_users_prints_a_setup_link_that_works(data_dir, monkeypatch):
    output = _serve(monkeypatch)
    [token] = _SETUP_LINK.findall(output)
    assert "Nie ma jeszcze żadnego konta" in output and "No accounts yet" in output
    with build_container(Settings(data_dir=data_dir)) as container:
        assert container.setup_tokens.is_live(token)
        assert container.app.recorder.max_notification_id() in (None, 0)  # serve bootstrapped nothing itself


def test_serve_with_a_user_prints_no_setup_link_and_issues_no_token(data_dir, monkeypatch):
    with build_container(Settings(data_dir=data_dir)) as container:
        container.users.add(email="admin@example.org", password="correct horse battery", role="admin")
    output = _serve(monkeypatch)
    assert "konfiguracja" not in output
    with build_container(Settings(data_dir=data_dir)) as container, container.directory_db.transaction() as tx:
        assert tx.execute("SELECT token_hash FROM directory_setup_tokens") == []
