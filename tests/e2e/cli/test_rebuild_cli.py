"""`splot rebuild` rebuilds every read model from the log, showing its progress and its rate in events/s."""

from __future__ import annotations

import re

from typer.testing import CliRunner

from infra.cli import app as cli
from infra.container import bootstrap, build_container
from infra.settings import Settings


def test_rebuild_reports_the_events_and_their_rate_and_the_read_models_are_whole_again(tmp_path, monkeypatch):
    data_dir = tmp_path / "var"
    monkeypatch.setenv("SPLOT_DATA_DIR", str(data_dir))
    monkeypatch.delenv("SPLOT_DATABASE_URL", raising=False)
    with build_container(Settings(data_dir=data_dir)) as container:
        bootstrap(container)
        container.runner.catch_up()
        log_end = container.runner.log_position()
        with container.views.transaction(write=True) as tx:
            tx.execute("DELETE FROM indicator_values")
    result = CliRunner().invoke(cli, ["rebuild"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    said = re.search(r"from (\d+) events in [0-9.]+ s \(([0-9,]+) events/s\)", result.output)
    assert said and int(said.group(1)) == log_end and int(said.group(2).replace(",", "")) > 0
    assert "events/s" in result.output.split("Rebuilt")[0]  # the progress bar's own rate column
    with build_container(Settings(data_dir=data_dir)) as container:
        with container.views.transaction() as tx:
            assert tx.execute("SELECT COUNT(*) AS n FROM indicator_values")[0]["n"] > 0
