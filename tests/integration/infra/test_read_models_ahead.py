"""Issue 11, defect 1: read models ahead of the log are detected and rebuilt.

After the log is restored from an older copy, or its tail truncated, SQLite reuses rowids: new
events get notification ids that the read models' tracking position has already passed. Before
the fix those events never reached the register, the indicators or the audit trail, and records
that no longer exist in the log were still listed. The runner now keeps the chain hash of the
event each position stands on and rebuilds when the log does not hold it.
"""

from __future__ import annotations

import logging
import shutil
import sqlite3
from datetime import date
from pathlib import Path

import pytest

from domain.application import DEFAULT_NETWORK_ID
from infra.container import bootstrap, build_container
from infra.settings import Settings
from tests.support.strategy import Network, build_network, totals

NETWORK_MEETINGS = "III.1.3.W3"
YEAR = 2011


def _meeting(net: Network, day: int):
    return net.meeting(date(YEAR, 3, day), "WPiR", "RIPH")


def _register(container) -> set[str]:
    with container.views.transaction() as tx:
        return {r["record_id"] for r in tx.execute("SELECT record_id FROM activity_records")}


def _audited(container) -> set[str]:
    with container.views.transaction() as tx:
        return {r["record_id"] for r in tx.execute("SELECT record_id FROM audit_entries")}


def _meetings_counted(container) -> int:
    with container.views.transaction() as tx:
        return totals(tx, NETWORK_MEETINGS)[YEAR]


def _copy(source: Path, target: Path) -> None:
    """A consistent copy of one SQLite database (the online backup API)."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()


def _put_back(copy: Path, live: Path) -> None:
    for suffix in ("-wal", "-shm"):
        Path(f"{live}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(copy, live)


def _first_store(settings: Settings) -> tuple[Network, str]:
    c = build_container(settings)
    bootstrap(c)
    net = build_network(c, DEFAULT_NETWORK_ID)
    kept = str(_meeting(net, 1).id)
    c.runner.catch_up()
    c.close()
    return net, kept


def _reopen(settings: Settings, net: Network) -> Network:
    return Network(build_container(settings), DEFAULT_NETWORK_ID, ids=net.ids, firms=net.firms)


def _assert_health_names_the_rebuild(container) -> None:
    from fastapi.testclient import TestClient

    from api.app import create_app

    with TestClient(create_app(container)) as client:
        body = client.get("/api/v1/health").json()
    assert body["status"] == "ok"
    assert body["read_models"]["rebuilt_at"]
    assert "log" in body["read_models"]["reason"]
    assert body["read_models_position"] == body["log_position"]


@pytest.mark.parametrize("new_writes", [1, 4])  # 1: position past the log's end; 4: past it again, another event there
def test_a_log_restored_from_an_older_copy_is_detected_at_start_up(sqlite_settings, new_writes, caplog):
    net, kept = _first_store(sqlite_settings)
    early = sqlite_settings.data_dir.parent / "events-early.sqlite3"
    _copy(sqlite_settings.events_path, early)

    later = _reopen(sqlite_settings, net)
    vanished = {str(_meeting(later, day).id) for day in (2, 3)}
    later.catch_up()
    assert _meetings_counted(later.container) == 3
    later.container.close()

    _put_back(early, sqlite_settings.events_path)  # the read models now stand past the log's end
    with caplog.at_level(logging.WARNING, logger="infra.projection_runner"):
        restarted = _reopen(sqlite_settings, net)
    try:
        new = []
        for day in range(4, 4 + new_writes):
            saved = _meeting(restarted, day)
            restarted.container.runner.ensure_current(saved.notification_id)  # read-your-writes, as every read does
            new.append(str(saved.id))
        c = restarted.container
        assert set(new) <= _register(c) and set(new) <= _audited(c)
        assert kept in _register(c)
        assert not vanished & _register(c) and not vanished & _audited(c)
        assert _meetings_counted(c) == 1 + new_writes
        assert any("do not match the event log" in r.message for r in caplog.records)
        _assert_health_names_the_rebuild(c)
    finally:
        restarted.container.close()


@pytest.mark.parametrize("new_writes", [1, 4])
def test_a_truncated_tail_is_detected_by_catch_up(sqlite_settings, new_writes):
    """The log loses its tail under a running store (no restart): the next catch-up notices."""
    net, kept = _first_store(sqlite_settings)
    live = _reopen(sqlite_settings, net)
    try:
        c = live.container
        end = c.runner.log_position()
        vanished = {str(_meeting(live, day).id) for day in (2, 3)}
        live.catch_up()
        with sqlite3.connect(sqlite_settings.events_path) as raw:
            raw.execute("DELETE FROM stored_events WHERE rowid > ?", (end,))
            raw.execute("DELETE FROM stored_events_chain WHERE notification_id > ?", (end,))
        raw.close()
        new = []
        for day in range(4, 4 + new_writes):
            saved = _meeting(live, day)
            c.runner.ensure_current(saved.notification_id)
            new.append(str(saved.id))
        assert set(new) <= _register(c) and set(new) <= _audited(c)
        assert not vanished & _register(c)
        assert _meetings_counted(c) == 1 + new_writes
        assert c.runner.last_recovery() is not None
        assert c.runner.stands_on_log() is None
    finally:
        live.container.close()


def test_read_models_that_match_the_log_are_not_rebuilt(sqlite_settings):
    net, _ = _first_store(sqlite_settings)
    again = _reopen(sqlite_settings, net)
    try:
        _meeting(again, 2)
        again.catch_up()
        assert again.container.runner.last_recovery() is None
        assert again.container.runner.stands_on_log() is None
    finally:
        again.container.close()


def test_a_tracking_position_without_a_fingerprint_is_adopted(sqlite_settings):
    """Stores written before fingerprints: a position on the log is trusted once, not rebuilt."""
    net, _ = _first_store(sqlite_settings)
    with sqlite3.connect(sqlite_settings.views_path) as raw:
        raw.execute("UPDATE projection_tracking SET fingerprint = NULL")
    raw.close()
    again = _reopen(sqlite_settings, net)
    try:
        assert again.container.runner.last_recovery() is None
        with again.container.views.transaction() as tx:
            assert all(r["fingerprint"] for r in tx.execute("SELECT fingerprint FROM projection_tracking"))
    finally:
        again.container.close()


@pytest.mark.postgres
def test_a_log_restored_to_an_earlier_point_is_detected_on_postgres(postgres_settings):
    """pg_restore of an earlier dump puts the id sequence back too, so new events reuse ids there as well."""
    import psycopg

    net, kept = _first_store(postgres_settings)
    later = _reopen(postgres_settings, net)
    end = later.container.runner.log_position()
    vanished = {str(_meeting(later, day).id) for day in (2, 3)}
    later.catch_up()
    later.container.close()
    with psycopg.connect(postgres_settings.postgres.conninfo, autocommit=True) as raw:
        raw.execute("DELETE FROM splot_events WHERE notification_id > %s", (end,))
        raw.execute("DELETE FROM splot_events_chain WHERE notification_id > %s", (end,))
        raw.execute("SELECT setval(pg_get_serial_sequence('splot_events', 'notification_id'), %s)", (end,))
    restarted = _reopen(postgres_settings, net)
    try:
        saved = _meeting(restarted, 4)
        c = restarted.container
        c.runner.ensure_current(saved.notification_id)
        assert str(saved.id) in _register(c) and str(saved.id) in _audited(c)
        assert kept in _register(c) and not vanished & _register(c)
        assert _meetings_counted(c) == 2
        assert c.runner.last_recovery() is not None
    finally:
        restarted.container.close()


@pytest.mark.postgres
def test_a_postgres_tracking_table_without_fingerprints_gets_them(postgres_settings):
    import psycopg

    net, _ = _first_store(postgres_settings)
    with psycopg.connect(postgres_settings.postgres.conninfo, autocommit=True) as raw:
        raw.execute("ALTER TABLE projection_tracking DROP COLUMN fingerprint")
    again = _reopen(postgres_settings, net)
    try:
        assert again.container.runner.last_recovery() is None
        with again.container.views.transaction() as tx:
            assert all(r["fingerprint"] for r in tx.execute("SELECT fingerprint FROM projection_tracking"))
    finally:
        again.container.close()
