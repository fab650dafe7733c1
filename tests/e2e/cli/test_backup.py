"""`splot backup DIR` and `splot restore DIR` through the command line, with a writer running.

The writer is another process with the store open, writing records and bringing the read models
up to date after each one, as the server does (read-your-writes). Set SPLOT_BACKUP_LOAD_EVENTS to
seed a bigger store first (docs/reliability.md quotes the figures of that run).
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from infra.cli import app as cli
from infra.container import build_container, scratch_runner
from infra.settings import Settings
from infra.verify import compare_read_models, verify_log

ROOT = Path(__file__).resolve().parents[3]
SEED_EVENTS = int(os.environ.get("SPLOT_BACKUP_LOAD_EVENTS", "0"))

WRITER = textwrap.dedent("""
    import os, sys, time
    from datetime import date
    from domain.application import DEFAULT_NETWORK_ID
    from domain.values import Actor
    from infra.container import bootstrap, build_container

    seed, stop_file, every = int(sys.argv[1]), sys.argv[2], float(sys.argv[3])  # every: catch-up interval, 0 = none
    c = build_container()
    bootstrap(c)
    a = Actor("writer@test")
    ids = [c.app.registry.register_institution(network_id=DEFAULT_NETWORK_ID, name=f"W{n} {os.getpid()}", short_name=f"W{n}-{os.getpid()}",
                                               kind="chamber", actor=a).id for n in range(2)]
    def write(n):
        return c.app.records.record("contact", {"network_id": DEFAULT_NETWORK_ID, "occurred_on": date(2010, 1, 1 + n % 28),
                                    "institution_id": ids[0], "with_institution_id": ids[1], "channel": "phone",
                                    "summary": f"kontakt {n}"}, a)
    n = 0
    while c.app.recorder.max_notification_id() < seed:
        write(n); n += 1
    c.runner.catch_up()
    print("ready", flush=True)
    written = errors = 0
    slowest = 0.0
    caught_up = time.monotonic()
    while not os.path.exists(stop_file):
        try:
            started = time.perf_counter()
            write(n)
            slowest = max(slowest, time.perf_counter() - started)
            written += 1
            if every and time.monotonic() - caught_up > every:  # as the server's background catch-up does
                c.runner.catch_up()
                caught_up = time.monotonic()
        except Exception as error:
            errors += 1
            print("error", repr(error), file=sys.stderr, flush=True)
        n += 1
    c.runner.catch_up()
    print(f"written {written} errors {errors} slowest {slowest:.3f}", flush=True)
    c.close()
""")


def _run(data_dir: Path, *args: str):
    result = CliRunner().invoke(cli, list(args), env={"SPLOT_DATA_DIR": str(data_dir)})
    result.text = " ".join(result.output.split())  # whatever the terminal's width
    return result


def _log_end(data_dir: Path) -> int:
    with sqlite3.connect(f"{(data_dir / 'events.sqlite3').as_uri()}?mode=ro", uri=True) as db:
        end = db.execute("SELECT MAX(rowid) FROM stored_events").fetchone()[0]
    db.close()
    return end


def _start_writer(data_dir: Path, stop_file: Path, seed: int, catch_up_every: float = 0.25) -> subprocess.Popen:
    env = {**os.environ, "SPLOT_DATA_DIR": str(data_dir), "PYTHONPATH": str(ROOT)}
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(seed), str(stop_file), str(catch_up_every)], env=env, cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert writer.stdout.readline().strip() == "ready", writer.stderr.read()
    return writer


def _stop_writer(writer: subprocess.Popen, stop_file: Path) -> tuple[int, int, float]:
    """Writes made, errors met, and the slowest write (seconds)."""
    stop_file.touch()
    out, err = writer.communicate(timeout=120)
    assert writer.returncode == 0, err
    words = out.split()
    return (int(words[words.index("written") + 1]), int(words[words.index("errors") + 1]),
            float(words[words.index("slowest") + 1]))


@pytest.fixture
def store(tmp_path) -> Path:
    return tmp_path / "live"


def test_a_backup_taken_while_writes_go_on_restores_a_consistent_store(store, tmp_path, capsys):
    stop = tmp_path / "stop"
    # Writes only while the backup runs (no catch-up: on a big store a catch-up takes the writer's time),
    # so the count of events committed meanwhile says whether the backup holds writers up.
    writer = _start_writer(store, stop, max(SEED_EVENTS, 200), catch_up_every=0)
    try:
        time.sleep(0.5)  # writes are under way
        first = _log_end(store)
        started = time.perf_counter()
        done = _run(store, "backup", str(tmp_path / "backup"))
        took = time.perf_counter() - started
        during = _log_end(store) - first  # events committed while the backup ran
        copied = json.loads((tmp_path / "backup" / "manifest.json").read_text())["log"]["position"]
        deadline = time.monotonic() + 120
        while _log_end(store) <= copied and time.monotonic() < deadline:
            time.sleep(0.1)  # and the writes go on after it
    finally:
        written, errors, slowest = _stop_writer(writer, stop)
    assert done.exit_code == 0, done.output
    assert errors == 0 and written > 0
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert manifest["order"] == ["views.sqlite3", "events.sqlite3", "directory.sqlite3"]
    assert max(manifest["read_models"]["positions"].values()) <= manifest["log"]["position"]
    with build_container(Settings(data_dir=store)) as live:
        assert live.runner.log_position() > manifest["log"]["position"]  # the writer went on after the copy

    restored_dir = tmp_path / "restored"
    result = _run(restored_dir, "restore", str(tmp_path / "backup"))
    assert result.exit_code == 0, result.output
    assert "checked: they stand on the log" in result.text
    settings = Settings(data_dir=restored_dir)
    for name in ("events.sqlite3", "views.sqlite3", "directory.sqlite3"):
        with sqlite3.connect(restored_dir / name) as db:
            assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        db.close()
    with build_container(settings) as c:
        assert c.runner.last_recovery() is None  # the read models stood on the log: no rebuild was needed
        assert c.runner.log_position() == manifest["log"]["position"]
        check = verify_log(c.app.recorder)
        assert check.ok and check.head_hash == manifest["log"]["chain_head"]["hash"]
        scratch = scratch_runner(c, tmp_path / "scratch.sqlite3")
        try:
            assert compare_read_models(c.runner, scratch).ok
        finally:
            scratch.db.close()
    with capsys.disabled():
        print(f"\nbackup of a store of {manifest['log']['events']} events took {took:.2f} s (manifest: "
              f"{manifest['seconds']:.2f} s); {during} events committed while it ran; the writer made {written} writes "
              f"in all: {errors} errors, slowest write {slowest * 1000:.0f} ms")


def test_restore_refuses_a_store_in_use_and_changes_nothing(store, tmp_path):
    stop = tmp_path / "stop"
    writer = _start_writer(store, stop, 50)
    try:
        assert _run(store, "backup", str(tmp_path / "backup")).exit_code == 0
        before = (store / "events.sqlite3").stat().st_ino
        refused = _run(store, "restore", str(tmp_path / "backup"))
        assert refused.exit_code == 1
        assert "in use by another process" in refused.text and "jest używany" in refused.text
        assert (store / "events.sqlite3").stat().st_ino == before  # still the live file, not replaced
        assert not list(store.glob("replaced-*"))
    finally:
        _stop_writer(writer, stop)
    assert _run(store, "restore", str(tmp_path / "backup")).exit_code == 0  # once nobody uses it
    assert len(list(store.glob("replaced-*"))) == 1


def test_restore_refuses_a_backup_that_does_not_match_its_manifest(store, tmp_path):
    stop = tmp_path / "stop"
    _stop_writer(_start_writer(store, stop, 30), stop)
    backup = tmp_path / "backup"
    assert _run(store, "backup", str(backup)).exit_code == 0
    target = tmp_path / "target"
    damaged = tmp_path / "damaged"
    shutil.copytree(backup, damaged)
    with open(damaged / "events.sqlite3", "r+b") as f:
        f.seek(-100, os.SEEK_END)
        f.write(b"tampered")
    refused = _run(target, "restore", str(damaged))
    assert refused.exit_code == 1 and "events.sqlite3" in refused.text and "SHA-256" in refused.text
    (damaged / "manifest.json").unlink()
    refused = _run(target, "restore", str(damaged))
    assert refused.exit_code == 1 and "manifest.json" in refused.text
    assert not target.exists() or not (target / "events.sqlite3").exists()
    assert _run(store, "backup", str(backup)).exit_code == 1  # a backup never overwrites another
    assert "not empty" in _run(store, "backup", str(backup)).text


def test_restore_of_read_models_ahead_of_their_log_rebuilds_them(store, tmp_path):
    """A copy made the wrong way round (the log before its read models) is caught after the restore."""
    stop = tmp_path / "stop"
    _stop_writer(_start_writer(store, stop, 30), stop)
    backup = tmp_path / "backup"
    assert _run(store, "backup", str(backup)).exit_code == 0
    _stop_writer(_start_writer(store, stop := tmp_path / "stop2", 60), stop)  # more writes after the backup
    later = tmp_path / "later"
    assert _run(store, "backup", str(later)).exit_code == 0
    shutil.copyfile(later / "views.sqlite3", backup / "views.sqlite3")  # read models newer than the log
    manifest = json.loads((backup / "manifest.json").read_text())
    manifest["files"]["views.sqlite3"] = json.loads((later / "manifest.json").read_text())["files"]["views.sqlite3"]
    (backup / "manifest.json").write_text(json.dumps(manifest))
    restored = tmp_path / "restored"
    result = _run(restored, "restore", str(backup))
    assert result.exit_code == 0, result.output
    assert "rebuilt" in result.text and "past the event log's end" in result.text
    with build_container(Settings(data_dir=restored)) as c:
        assert c.runner.position() == c.runner.log_position() == manifest["log"]["position"]
        assert c.runner.last_recovery() is not None
        scratch = scratch_runner(c, tmp_path / "scratch.sqlite3")
        try:
            assert compare_read_models(c.runner, scratch).ok
        finally:
            scratch.db.close()


def test_backup_and_restore_refuse_a_postgres_store(tmp_path):
    env = {"SPLOT_DATABASE_URL": "postgresql://splot@127.0.0.1:1/splot", "SPLOT_DATA_DIR": str(tmp_path)}
    for command in ("backup", "restore"):
        result = CliRunner().invoke(cli, [command, str(tmp_path / "b")], env=env)
        assert result.exit_code == 1 and "pg_dump" in " ".join(result.output.split())


def test_a_restore_that_fails_half_way_puts_the_store_back(store, tmp_path, monkeypatch):
    from infra import backup as backup_module

    stop = tmp_path / "stop"
    _stop_writer(_start_writer(store, stop, 30), stop)
    assert _run(store, "backup", str(tmp_path / "backup")).exit_code == 0
    before = {p.name: p.read_bytes() for p in store.glob("*.sqlite3")}
    real_copy = backup_module.shutil.copyfile
    calls = []

    def failing_copy(source, target):
        calls.append(target)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real_copy(source, target)

    monkeypatch.setattr(backup_module.shutil, "copyfile", failing_copy)
    with pytest.raises(OSError):
        backup_module.restore_files(Settings(data_dir=store), tmp_path / "backup")
    assert {p.name: p.read_bytes() for p in store.glob("*.sqlite3")} == before
    assert not list(store.glob("*.restoring"))


def test_a_manifest_naming_another_file_is_refused(store, tmp_path):
    stop = tmp_path / "stop"
    _stop_writer(_start_writer(store, stop, 30), stop)
    backup = tmp_path / "backup"
    assert _run(store, "backup", str(backup)).exit_code == 0
    manifest = json.loads((backup / "manifest.json").read_text())
    (backup / "evil.sqlite3").write_bytes(b"x")
    manifest["files"]["evil.sqlite3"] = {"bytes": 1, "sha256": "0" * 64}
    (backup / "manifest.json").write_text(json.dumps(manifest))
    refused = _run(tmp_path / "target", "restore", str(backup))
    assert refused.exit_code == 1 and "evil.sqlite3" in refused.text
