"""`splot strategy load` and `splot report` on a real SQLite store; the same values on PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest
from typer.testing import CliRunner

from domain.errors import NotFound
from infra.cli import app
from infra.container import bootstrap, build_container
from projections.indicator_values.queries import task_report
from tests.support.strategy import SID, build_network, totals

STRATEGY_FILE = """
format = 1

[[goals]]
code = "VI"
name = "Cel testowy"

[[programmes]]
goal = "VI"
code = "VI.1"
name = "Program testowy"

[[tasks]]
programme = "VI.1"
code = "VI.1.1"
name = "Zadanie testowe"
years = [2010, 2011, 2012]

[[tasks.stages]]
number = 1
name = "Jedyny etap"
planned = { 2010 = 40, 2011 = 60, 2012 = "-" }
realised = { 2010 = 40 }

[[tasks.indicators]]
code = "VI.1.1.W1"
name = "Liczba podmiotów wg GUS"
level = "impact"
sources = ["GUS"]
targets = { 2010 = "-", 2011 = 0, 2012 = "bd" }
rule = { kind = "reported" }
"""


@pytest.fixture
def cli(sqlite_settings, monkeypatch):
    monkeypatch.setenv("SPLOT_DATA_DIR", str(sqlite_settings.data_dir))
    runner = CliRunner()

    def run(*args: str):
        return runner.invoke(app, list(args), catch_exceptions=False)

    return run


def test_strategy_load_then_report_keeps_dash_zero_and_bd_apart_in_every_format(cli, tmp_path):
    path = tmp_path / "strategia.toml"
    path.write_text(STRATEGY_FILE, encoding="utf-8")
    first = cli("strategy", "load", str(path))
    assert first.exit_code == 0, first.output
    again = cli("strategy", "load", str(path))
    assert again.exit_code == 0 and "0 nowych zdarzeń" in again.output

    data = json.loads(cli("report", "VI.1.1", "--format", "json").stdout)
    targets = [data["indicators"][0]["years"][y]["target"] for y in ("2010", "2011", "2012")]
    assert targets == ["-", 0, "bd"]
    assert data["stages"][0]["years"]["2012"] == "-"
    assert data["stages"][0]["years"]["2011"] == {"realised": "bd", "planned": 60}

    raw = cli("report", "VI.1.1", "--format", "csv").stdout_bytes
    assert raw.startswith("\ufeff".encode("utf-8"))
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    plan = next(r for r in rows if r and r[0] == "VI.1.1.W1")
    assert plan[4].startswith("plan") and plan[5:8] == ["-", "0", "bd"]
    actual = rows[rows.index(plan) + 1]
    assert actual[4].startswith("wykonanie") and actual[5:8] == ["bd", "bd", "bd"]

    table = cli("report", "VI.1.1").stdout
    plan_line = next(line for line in table.splitlines() if line.startswith("VI.1.1.W1"))
    assert [c.strip() for c in plan_line.split("|")][-3:] == ["-", "0", "bd"]
    assert "40/40%" in table and "bd/60%" in table


def test_report_of_a_leszno_task_as_of_a_date_and_errors(cli):
    table = cli("report", "III.1.3", "--as-of", "2030-01-01")
    assert table.exit_code == 0
    assert "Sieć współpracy jednostek okołobiznesowych" in table.stdout and "72.5/100%" in table.stdout
    assert "stan na 2030-01-01" in table.stdout
    missing = cli("report", "IX.9.9")
    assert missing.exit_code == 1 and "IX.9.9" in missing.output
    bad_date = cli("report", "III.1.3", "--as-of", "0")
    assert bad_date.exit_code != 0


def test_a_bad_strategy_file_is_refused_and_changes_nothing(cli, tmp_path, sqlite_settings):
    path = tmp_path / "zla.toml"
    path.write_text(STRATEGY_FILE.replace("planned = { 2010 = 40", "planned = { 2010 = 30"), encoding="utf-8")
    result = cli("strategy", "load", str(path))
    assert result.exit_code == 1 and "100" in result.output
    container = build_container(sqlite_settings)
    try:
        with pytest.raises(NotFound):
            container.app.strategy.get_strategy().task("VI.1.1")
    finally:
        container.close()


def _exercise(settings, network_id):
    """Records on a store, reopens it, and checks the values survive and rebuild identically."""
    container = build_container(settings)
    try:
        bootstrap(container)
        net = build_network(container, network_id)
        net.meeting(date(2011, 6, 6), "WPiR", "RIPH", "CITT")
        net.contact(date(2011, 6, 7), "WPiR", "RIPH")
        net.join_cluster("KS", 0, date(2011, 1, 1))
        container.runner.catch_up()
    finally:
        container.close()
    container = build_container(settings)
    try:
        container.runner.catch_up()
        with container.views.transaction() as tx:
            before = task_report(tx, "III.1.3", strategy_id=SID)
            assert totals(tx, "III.1.3.W3")[2011] == 1
            assert totals(tx, "III.1.3.W2")[2011] == 1
            assert totals(tx, "I.3.5.W3")[2011] == 1
        container.runner.rebuild()
        with container.views.transaction() as tx:
            assert task_report(tx, "III.1.3", strategy_id=SID) == before
    finally:
        container.close()


def test_values_on_a_real_sqlite_store(sqlite_settings, network_id):
    _exercise(sqlite_settings, network_id)


@pytest.mark.postgres
def test_values_on_postgresql(postgres_settings, network_id):
    _exercise(postgres_settings, network_id)


def test_publish_then_reproduce_a_published_report(cli):
    published = cli("strategy", "publish", "III.1.3", "--title", "Sprawozdanie roczne")
    assert published.exit_code == 0, published.output
    number = published.stdout.split("nr ")[1].split()[0]
    data = json.loads(cli("report", "III.1.3", "--publication", number, "--format", "json").stdout)
    assert data["publication"]["title"] == "Sprawozdanie roczne"
    assert data["publication"]["number"] == int(number)
    assert data["progress"]["realised"] == 72.5
    table = cli("report", "III.1.3", "--publication", number).stdout
    assert f"raport opublikowany nr {number}" in table
    wrong_task = cli("report", "I.3.5", "--publication", number)
    assert wrong_task.exit_code == 1 and "III.1.3" in wrong_task.output
