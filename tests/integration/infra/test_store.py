"""The real stores: SQLite files (default) and PostgreSQL, restart, rebuild, crash recovery."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

import pytest

from domain.values import Actor
from infra.container import bootstrap, build_container
from infra.demo import load_demo
from infra.settings import Settings, load_settings

ROOT = Path(__file__).resolve().parents[3]


def snapshot(container) -> dict[str, list]:
    """Every read-model table's rows, in a stable order."""
    result = {}
    with container.views.transaction() as tx:
        for projection in container.runner.projections:
            for table in projection.tables:
                rows = tx.execute(f"SELECT * FROM {table}")
                result[table] = sorted(rows, key=lambda r: repr(sorted(r.items())))
    return result


def _populate(container):
    bootstrap(container)
    load_demo(container)
    container.runner.catch_up()


def test_records_survive_a_restart_on_sqlite(sqlite_settings):
    first = build_container(sqlite_settings)
    _populate(first)
    before = snapshot(first)
    count = first.runner.log_position()
    first.close()
    second = build_container(sqlite_settings)
    try:
        assert second.runner.log_position() == count
        assert second.runner.position() == count
        assert snapshot(second) == before
        assert len(before["activity_records"]) > 800
    finally:
        second.close()


def test_rebuild_from_empty_equals_the_incremental_read_models(sqlite_settings):
    container = build_container(sqlite_settings)
    try:
        _populate(container)
        incremental = snapshot(container)
        processed = container.runner.rebuild()
        assert processed == container.runner.log_position()
        assert snapshot(container) == incremental
    finally:
        container.close()


def test_page_size_does_not_change_the_result(sqlite_settings):
    container = build_container(sqlite_settings)
    try:
        _populate(container)
        reference = snapshot(container)
    finally:
        container.close()
    small = build_container(sqlite_settings.with_(projection_page_size=7))
    try:
        small.runner.rebuild()
        assert snapshot(small) == reference
    finally:
        small.close()


CHILD = textwrap.dedent("""
    import os, sys
    from datetime import date
    from domain.values import Actor
    from domain.application import DEFAULT_NETWORK_ID
    from infra.container import build_container, bootstrap
    from projections.activity_register.projection import ActivityRegisterProjection

    mode = sys.argv[1]
    c = build_container()
    bootstrap(c)
    c.runner.catch_up()
    a = Actor("crash@test")
    ids = [c.app.registry.register_institution(network_id=DEFAULT_NETWORK_ID, name=f"I{n}", short_name=f"I{n}",
                                               kind="chamber", actor=a).id for n in range(2)]
    for n in range(5):
        c.app.records.record("contact", {"network_id": DEFAULT_NETWORK_ID, "occurred_on": date(2010, 1, n + 1),
                             "institution_id": ids[0], "with_institution_id": ids[1], "channel": "phone",
                             "summary": f"kontakt {n}"}, a)
    if mode == "after-save":
        os._exit(9)  # saved and acknowledged, read models not yet updated
    original = ActivityRegisterProjection.handle
    seen = []
    def dying_handle(self, tx, event, notification_id):
        original(self, tx, event, notification_id)
        seen.append(notification_id)
        if len(seen) == 3:
            os._exit(9)  # half-way through a page: rows written, tracking not yet
    ActivityRegisterProjection.handle = dying_handle
    c.runner.catch_up()
""")


@pytest.mark.parametrize("mode", ["after-save", "mid-projection"])
def test_a_crash_between_save_and_projection_neither_loses_nor_doubles(sqlite_settings, mode):
    env = {**os.environ, "SPLOT_DATA_DIR": str(sqlite_settings.data_dir), "PYTHONPATH": str(ROOT)}
    child = subprocess.run([sys.executable, "-c", CHILD, mode], env=env, cwd=ROOT, capture_output=True, text=True)
    assert child.returncode == 9, child.stderr
    container = build_container(sqlite_settings)
    try:
        assert container.runner.log_position() > container.runner.position()  # the crash left work to do
        container.runner.catch_up()
        with container.views.transaction() as tx:
            rows = tx.execute("SELECT title, COUNT(*) AS n FROM activity_records GROUP BY title ORDER BY title")
        assert [(r["title"], r["n"]) for r in rows] == [(f"kontakt {n}", 1) for n in range(5)]
        assert container.runner.position() == container.runner.log_position()
    finally:
        container.close()


def test_two_runners_on_one_store_process_each_event_once(sqlite_settings):
    first = build_container(sqlite_settings)
    second = build_container(sqlite_settings)
    try:
        _populate(first)
        first.runner.rebuild()
        # A second process catching up concurrently finds nothing left and doubles nothing.
        assert second.runner.catch_up() == 0
        with second.views.transaction() as tx:
            n = tx.execute("SELECT COUNT(*) AS n FROM activity_records")[0]["n"]
            distinct = tx.execute("SELECT COUNT(DISTINCT record_id) AS n FROM activity_records")[0]["n"]
        assert n == distinct > 0
    finally:
        first.close()
        second.close()


def test_settings_come_from_the_environment_only_through_load_settings(tmp_path):
    s = load_settings({"SPLOT_DATA_DIR": str(tmp_path), "SPLOT_DATABASE_URL": "postgresql://u:p%40ss@db:5433/splot"})
    assert s.data_dir == tmp_path
    assert s.postgres.password == "p@ss" and s.postgres.port == 5433 and s.postgres.dbname == "splot"
    with pytest.raises(ValueError):
        load_settings({"SPLOT_DATABASE_URL": "mysql://x/y"})
    assert load_settings({}).database_url is None


@pytest.mark.postgres
def test_round_trip_rebuild_and_restart_on_postgres(postgres_settings: Settings):
    container = build_container(postgres_settings)
    try:
        _populate(container)
        incremental = snapshot(container)
        assert len(incremental["activity_records"]) > 800
        container.runner.rebuild()
        assert snapshot(container) == incremental
        count = container.runner.log_position()
    finally:
        container.close()
    again = build_container(postgres_settings)
    try:
        assert again.runner.log_position() == count
        assert snapshot(again) == incremental
        a = Actor("pg@test")
        record_id = incremental["activity_records"][0]["record_id"]
        version = incremental["activity_records"][0]["version"]
        status = incremental["activity_records"][0]["status"]
        if status == "active":
            again.app.records.correct_record(record_id=record_id, expected_version=version, reason="test",
                                             changes={"occurred_on": date(2011, 5, 5)}, actor=a)
            again.runner.catch_up()
            with again.views.transaction() as tx:
                row = tx.execute("SELECT year FROM activity_records WHERE record_id = ?", (record_id,))[0]
            assert row["year"] == 2011
    finally:
        again.close()


def test_catch_up_command_brings_read_models_to_the_log(sqlite_settings):
    from typer.testing import CliRunner

    from infra.cli import app as cli

    container = build_container(sqlite_settings)
    bootstrap(container)
    a = Actor("cli@test")
    from domain.application import DEFAULT_NETWORK_ID

    container.app.registry.register_institution(network_id=DEFAULT_NETWORK_ID, name="X", short_name="X", kind="chamber",
                                                actor=a)
    behind = container.runner.log_position() - container.runner.position()
    container.close()
    assert behind > 0
    result = CliRunner().invoke(cli, ["catch-up"], env={"SPLOT_DATA_DIR": str(sqlite_settings.data_dir)})
    assert result.exit_code == 0, result.output
    again = build_container(sqlite_settings)
    try:
        assert again.runner.position() == again.runner.log_position()
    finally:
        again.close()


def test_a_projection_that_fails_stops_catch_up_and_says_why(container, actor, network_id):
    """An event a read model cannot handle is not skipped: the page rolls back, nothing advances,
    and the runner reports the error until a page succeeds again."""
    from projections.activity_register.projection import ActivityRegisterProjection

    container.runner.catch_up()
    start = container.runner.position()
    container.app.registry.register_institution(network_id=network_id, name="Y", short_name="Y", kind="chamber", actor=actor)
    broken = next(p for p in container.runner.projections if isinstance(p, ActivityRegisterProjection))
    original = broken.handle
    broken.handle = lambda tx, event, notification_id: (_ for _ in ()).throw(RuntimeError("boom"))
    with pytest.raises(RuntimeError):
        container.runner.catch_up()
    assert container.runner.position() == start
    assert container.runner.last_error == "RuntimeError: boom"
    broken.handle = original
    container.runner.catch_up()
    assert container.runner.last_error is None
    assert container.runner.position() == container.runner.log_position()


def test_health_reports_read_models_that_cannot_catch_up(container):
    from fastapi.testclient import TestClient

    from api.app import create_app

    with TestClient(create_app(container)) as client:
        assert client.get("/api/v1/health").json()["status"] == "ok"
        container.runner.last_error = "RuntimeError: boom"  # as left by a failed page
        body = client.get("/api/v1/health").json()
        assert body["status"] == "degraded" and body["read_models_error"] == "RuntimeError: boom"
