"""`splot user reset-second-factor EMAIL` (a lost phone): the next sign-in enrols a new factor, and the
user's sessions end."""

from __future__ import annotations

from typer.testing import CliRunner

from domain.application import DEFAULT_MUNICIPALITY_ID
from infra.cli import app as cli
from infra.container import open_container
from infra.settings import load_settings


def test_a_reset_removes_the_factor_and_ends_the_sessions(tmp_path, monkeypatch):
    monkeypatch.setenv("SPLOT_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("SPLOT_DATABASE_URL", raising=False)
    with open_container(load_settings()) as container:
        user = container.users.add(email="k@example.org", password="correct horse battery", role="coordinator",
                                   municipality_id=DEFAULT_MUNICIPALITY_ID)
        container.users.enrol_totp(user.id, "JBSWY3DPEHPK3PXP")
        session = container.sessions.start(user.id)
    result = CliRunner().invoke(cli, ["user", "reset-second-factor", "k@example.org"])
    assert result.exit_code == 0, result.output
    with open_container(load_settings()) as container:
        assert container.users.totp_secret(user.id) is None
        assert container.sessions.get(session.token) is None
    missing = CliRunner().invoke(cli, ["user", "reset-second-factor", "nobody@example.org"])
    assert missing.exit_code == 1
