"""`splot serve --workers N` (issue 13): N uvicorn processes behind one port; the store is bootstrapped once
before they start, so they do not race to create the default network and strategy."""

from __future__ import annotations

import pytest
import uvicorn
from typer.testing import CliRunner

from infra.cli import app as cli
from infra.container import build_container
from infra.settings import Settings


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    path = tmp_path / "var"
    monkeypatch.setenv("SPLOT_DATA_DIR", str(path))
    monkeypatch.delenv("SPLOT_DATABASE_URL", raising=False)
    return path


def _serve(monkeypatch, *args: str) -> dict:
    calls = []
    monkeypatch.setattr(uvicorn, "run", lambda target, **options: calls.append(options))
    served = CliRunner().invoke(cli, ["serve", "--port", "8765", *args])
    assert served.exit_code == 0, served.output
    [options] = calls
    return options


def test_serve_with_workers_bootstraps_once_then_starts_them(data_dir, monkeypatch):
    assert _serve(monkeypatch, "--workers", "2")["workers"] == 2
    with build_container(Settings(data_dir=data_dir)) as container:
        assert container.app.recorder.max_notification_id()  # the defaults are in the log before any worker runs


def test_serve_alone_leaves_the_bootstrap_to_its_one_process(data_dir, monkeypatch):
    assert _serve(monkeypatch)["workers"] == 1
    with build_container(Settings(data_dir=data_dir)) as container:
        assert container.app.recorder.max_notification_id() in (None, 0)


def test_serve_refuses_zero_workers(data_dir, monkeypatch):
    monkeypatch.setattr(uvicorn, "run", lambda target, **options: pytest.fail("started"))
    served = CliRunner().invoke(cli, ["serve", "--workers", "0"])
    assert served.exit_code == 2 and "workers" in served.output
