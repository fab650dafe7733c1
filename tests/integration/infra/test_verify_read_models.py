"""`splot verify --read-models`: a read model edited by hand is caught and named (table, key, column)."""

from __future__ import annotations

import sqlite3
from datetime import date

import pytest

from domain.application import DEFAULT_NETWORK_ID
from infra.cli.audit import run_verify_read_models
from infra.container import bootstrap, build_container, scratch_runner
from infra.settings import Settings
from infra.verify import compare_read_models
from tests.support.strategy import build_network


def _store(settings: Settings) -> list[str]:
    c = build_container(settings)
    try:
        bootstrap(c)
        net = build_network(c, DEFAULT_NETWORK_ID)
        ids = [str(net.meeting(date(2011, 3, day), "WPiR", "RIPH").id) for day in (1, 2, 3)]
        net.contact(date(2012, 1, 5), "RIPH", "CITT")
        c.runner.catch_up()
        return ids
    finally:
        c.close()


def _check(settings: Settings, tmp_path):
    with build_container(settings) as c:
        scratch = scratch_runner(c, tmp_path / "scratch.sqlite3")
        try:
            return compare_read_models(c.runner, scratch)
        finally:
            scratch.db.close()


def test_read_models_equal_to_a_rebuild_verify(sqlite_settings, tmp_path, capsys):
    _store(sqlite_settings)
    result = _check(sqlite_settings, tmp_path)
    assert result.ok and result.differences == []
    assert result.tables >= 10 and result.rows > 20 and result.position > 0
    assert run_verify_read_models(sqlite_settings) == 0
    assert "equal a rebuild" in capsys.readouterr().err


def test_a_row_edited_by_hand_is_named(sqlite_settings, tmp_path, capsys):
    ids = _store(sqlite_settings)
    with sqlite3.connect(sqlite_settings.views_path) as raw:
        original = raw.execute("SELECT title FROM activity_records WHERE record_id = ?", (ids[0],)).fetchone()[0]
        raw.execute("UPDATE activity_records SET title = 'Poprawione ręcznie' WHERE record_id = ?", (ids[0],))
        raw.execute("DELETE FROM audit_entries WHERE record_id = ?", (ids[1],))
        raw.execute("INSERT INTO registry_municipalities (id, name, teryt) VALUES ('ghost', 'Nieistniejąca', NULL)")
    raw.close()
    result = _check(sqlite_settings, tmp_path)
    assert not result.ok
    named = {(d.table, d.column, d.live, d.rebuilt) for d in result.differences if d.column}
    assert ("activity_records", "title", "Poprawione ręcznie", original) in named
    assert any(d.table == "registry_municipalities" and d.column is None and d.key == (("id", "ghost"),)
               and d.rebuilt is None for d in result.differences)
    missing = [d for d in result.differences if d.table == "audit_entries" and d.column is None]
    assert missing and all(d.live is None and d.rebuilt["record_id"] == ids[1] for d in missing)
    assert result.differing == len(result.differences) == 2 + len(missing)

    assert run_verify_read_models(sqlite_settings) == 1
    out = capsys.readouterr()
    assert f"activity_records [record_id='{ids[0]}'] title: live 'Poprawione ręcznie' vs rebuilt '{original}'" in out.out
    assert "registry_municipalities [id='ghost']: row only in the live read model" in out.out
    assert "missing from the live read model" in out.out


def test_the_live_read_models_are_compared_at_their_own_position(sqlite_settings, tmp_path):
    """Events written after the live snapshot are not in the rebuilt copy either (the server keeps writing)."""
    _store(sqlite_settings)
    with build_container(sqlite_settings) as c:
        scratch = scratch_runner(c, tmp_path / "scratch.sqlite3")
        try:
            result = compare_read_models(c.runner, scratch)
            assert scratch.position() == result.position == c.runner.log_position()
        finally:
            scratch.db.close()


@pytest.mark.postgres
def test_verify_read_models_on_postgres(postgres_settings, tmp_path):
    import psycopg

    ids = _store(postgres_settings)
    assert _check(postgres_settings, tmp_path).ok
    with psycopg.connect(postgres_settings.postgres.conninfo, autocommit=True) as raw:
        raw.execute("UPDATE activity_records SET year = 1999 WHERE record_id = %s", (ids[2],))
    result = _check(postgres_settings, tmp_path / "again")
    assert [(d.table, d.key, d.column, d.live, d.rebuilt) for d in result.differences] == [
        ("activity_records", (("record_id", ids[2]),), "year", 1999, 2011)]
