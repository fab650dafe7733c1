"""`splot backup DIR` and `splot restore DIR` for the embedded (SQLite) store.

Backup. Each of the store's three databases is copied with SQLite's online backup API
(`sqlite3.Connection.backup`, in one step: one read transaction, so each copy is a consistent
snapshot, and in WAL mode writers go on meanwhile). The copies are taken in this order:

1. the read models (`views.sqlite3`),
2. the event log (`events.sqlite3`),
3. the directory (`directory.sqlite3`: persons, users, tokens, idempotency keys).

The log is copied after its read models, so it is never behind them: the read models' position
stands on an event the log copy holds, and after a restore they only catch up (the fingerprint
check of infra/projection_runner.py confirms it; a copy taken the other way round would have read
models ahead of the log — issue 11, defect 1). The directory is copied after the log because a
contact person's directory row is written before the event naming them: every person a logged
event refers to is in the copy (a row newer than the log is harmless). No lock is taken, so the
server keeps answering and writing while a backup runs. A small `manifest.json` is written last
(time, files with size and SHA-256, log position, chain head, read models' positions): a
directory without it is an unfinished backup, and restore refuses it.

Restore. Refuses to overwrite a store in use: every process that opens the store holds a shared
`flock` on `<data dir>/splot.lock` (taken in infra/container.py) and restore needs it exclusive.
A `BEGIN IMMEDIATE` probe was not chosen: an idle server holds no SQLite lock, so the probe would
succeed under a running server; a flock is held for the process's whole life and the kernel drops
it when the process dies, so a crashed server leaves no stale lock. Restore checks the manifest
(every file's size and SHA-256, `PRAGMA integrity_check`, the log's position and chain head),
moves the current files (with their -wal/-shm, which would otherwise be replayed into the
restored files) aside into `<data dir>/replaced-<time>/`, copies the backup in, and then opens the
store: the runner checks that the read models stand on the log and rebuilds them if not.

PostgreSQL stores use pg_dump / point-in-time recovery instead (docs/reliability.md).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import sqlite3
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any

from domain.errors import Message, bilingual
from infra.settings import Settings

MANIFEST = "manifest.json"
FORMAT = "splot-backup-1"
LOCK_FILE = "splot.lock"


class BackupRefused(Exception):
    """The backup or restore was not made; `message` says why (Polish and English). Nothing was changed."""

    def __init__(self, message: Message) -> None:
        super().__init__(message)
        self.message = message


class StoreInUse(BackupRefused):
    """Another process has the store open."""


# ------------------------------------------------------------------------------------------ the lock
def hold_store_lock(data_dir: Path, *, exclusive: bool = False, wait: float = 30.0) -> IO[bytes]:
    """Takes the store's advisory lock (shared for every process using the store, exclusive for a
    restore) and returns the open lock file: the lock lasts until it is closed or the process ends.
    A shared lock waits up to `wait` seconds for a restore to finish; an exclusive one does not wait."""
    data_dir.mkdir(parents=True, exist_ok=True)
    handle = open(data_dir / LOCK_FILE, "a+b")
    mode = (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB
    deadline = time.monotonic() + (0 if exclusive else wait)
    while True:
        try:
            fcntl.flock(handle.fileno(), mode)
            return handle
        except BlockingIOError:
            if time.monotonic() >= deadline:
                handle.close()
                raise StoreInUse(bilingual(
                    f"Magazyn w {data_dir} jest używany przez inny proces (działający serwer, proces projekcji "
                    "lub polecenie splot): zatrzymaj go i spróbuj ponownie." if exclusive else
                    f"Magazyn w {data_dir} jest właśnie odtwarzany z kopii zapasowej: spróbuj za chwilę.",
                    f"The store in {data_dir} is in use by another process (a running server, projection worker "
                    "or splot command): stop it and try again." if exclusive else
                    f"The store in {data_dir} is being restored from a backup: try again in a moment.")) from None
            time.sleep(0.1)


def share_lock(handle: IO[bytes]) -> None:
    """Turns an exclusive lock into a shared one (the restoring process then opens the store itself)."""
    fcntl.flock(handle.fileno(), fcntl.LOCK_SH)


# ------------------------------------------------------------------------------------------ backup
def _files(settings: Settings) -> list[tuple[str, Path]]:
    """The databases in the order they are copied (see the module's docstring for why this order)."""
    return [("read_models", settings.views_path), ("log", settings.events_path),
            ("directory", settings.directory_path)]


def _refuse_other_stores(settings: Settings) -> None:
    if settings.in_memory:
        raise BackupRefused(bilingual("Magazyn w pamięci nie ma kopii zapasowych.",
                                      "An in-memory store has no backups."))
    if settings.postgres is not None:
        raise BackupRefused(bilingual(
            "Magazyn PostgreSQL: użyj pg_dump / pg_restore lub odtwarzania do punktu w czasie (docs/reliability.md).",
            "A PostgreSQL store: use pg_dump / pg_restore or point-in-time recovery (docs/reliability.md)."))


def _copy_database(source: Path, target: Path) -> None:
    """One consistent copy through the online backup API (one step: one read snapshot of the source)."""
    src = sqlite3.connect(source, timeout=30)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
            # A self-contained file (no -wal/-shm beside it); the store switches it back to WAL when opened.
            dst.execute("PRAGMA journal_mode=DELETE")
        finally:
            dst.close()
    finally:
        src.close()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def describe_copy(directory: Path) -> dict[str, Any]:
    """What a set of copied databases holds: the log's position and chain head, the read models' positions."""
    with _read_only(directory / "events.sqlite3") as log:
        position = log.execute("SELECT COALESCE(MAX(rowid), 0) FROM stored_events").fetchone()[0]
        events = log.execute("SELECT COUNT(*) FROM stored_events").fetchone()[0]
        head = log.execute("SELECT seq, notification_id, hash FROM stored_events_chain "
                           "ORDER BY seq DESC LIMIT 1").fetchone()
    log.close()
    with _read_only(directory / "views.sqlite3") as views:
        tables = {r[0] for r in views.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        positions = dict(views.execute("SELECT name, notification_id FROM projection_tracking").fetchall()) \
            if "projection_tracking" in tables else {}
    views.close()
    return {
        "log": {"position": position, "events": events,
                "chain_head": None if head is None else {"seq": head[0], "notification_id": head[1], "hash": head[2]}},
        "read_models": {"positions": positions},
    }


def backup_store(settings: Settings, directory: Path) -> dict[str, Any]:
    """Copies the store into `directory` (new, or empty) and returns the manifest written there."""
    _refuse_other_stores(settings)
    if not settings.events_path.exists():
        raise BackupRefused(bilingual(f"W {settings.data_dir} nie ma magazynu.", f"There is no store in {settings.data_dir}."))
    if directory.exists() and any(directory.iterdir()):
        raise BackupRefused(bilingual(f"Katalog {directory} nie jest pusty: kopia nie nadpisuje innej.",
                                      f"The directory {directory} is not empty: a backup never overwrites another."))
    directory.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    files = {}
    for role, source in _files(settings):
        if not source.exists():
            continue  # a store never opened by the server may lack its directory database
        target = directory / source.name
        _copy_database(source, target)
        files[source.name] = {"role": role, "bytes": target.stat().st_size, "sha256": _sha256(target)}
    manifest = {
        "format": FORMAT,
        "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "source": str(settings.data_dir.resolve()),
        "order": list(files),
        "files": files,
        **describe_copy(directory),
        "seconds": round(time.perf_counter() - started, 3),
    }
    tmp = directory / (MANIFEST + ".tmp")
    tmp.write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, directory / MANIFEST)
    return manifest


# ------------------------------------------------------------------------------------------ restore
def check_backup(directory: Path) -> dict[str, Any]:
    """The manifest, once every file it names matches it and the copies are sound; BackupRefused otherwise."""
    def refuse(pl: str, en: str) -> BackupRefused:
        return BackupRefused(bilingual(f"Kopia w {directory} jest niepoprawna: {pl}",
                                       f"The backup in {directory} is not valid: {en}"))

    try:
        manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise refuse(f"brak {MANIFEST} (kopia niedokończona?).", f"no {MANIFEST} (an unfinished backup?).") from None
    except (ValueError, UnicodeDecodeError):
        raise refuse(f"{MANIFEST} jest nieczytelny.", f"{MANIFEST} cannot be read.") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT or not isinstance(manifest.get("files"), dict):
        raise refuse(f"{MANIFEST} nie pochodzi z splot backup ({FORMAT}).", f"{MANIFEST} is not from splot backup ({FORMAT}).")
    for name in ("events.sqlite3", "views.sqlite3"):
        if name not in manifest["files"]:
            raise refuse(f"manifest nie wymienia {name}.", f"the manifest does not list {name}.")
    known = {"events.sqlite3", "views.sqlite3", "directory.sqlite3"}
    for name, meta in manifest["files"].items():
        path = directory / name
        if name not in known or not isinstance(meta, dict):
            raise refuse(f"manifest wymienia nieznany plik {name!r}.", f"the manifest lists an unknown file {name!r}.")
        if not path.is_file():
            raise refuse(f"brak pliku {name}.", f"the file {name} is missing.")
        if path.stat().st_size != meta.get("bytes") or _sha256(path) != meta.get("sha256"):
            raise refuse(f"plik {name} różni się od manifestu (rozmiar lub SHA-256).",
                         f"the file {name} differs from the manifest (size or SHA-256).")
        with _read_only(path) as db:
            result = db.execute("PRAGMA integrity_check").fetchone()[0]
        db.close()
        if result != "ok":
            raise refuse(f"plik {name} jest uszkodzony ({result}).", f"the file {name} is damaged ({result}).")
    found = describe_copy(directory)
    if found["log"] != manifest.get("log"):
        raise refuse("pozycja dziennika lub głowa łańcucha różni się od manifestu.",
                     "the log's position or chain head differs from the manifest.")
    return manifest


@dataclass
class RestoredFiles:
    manifest: dict[str, Any]
    replaced: Path | None  # where the store's previous files were moved, if there were any
    lock: IO[bytes]  # the store's lock, now shared: close it once the store has been checked


def restore_files(settings: Settings, directory: Path) -> RestoredFiles:
    """Checks the backup, takes the store's lock exclusively, moves the current files aside and copies
    the backup in. The caller then opens the store (which checks the read models) and closes `lock`."""
    _refuse_other_stores(settings)
    manifest = check_backup(directory)
    lock = hold_store_lock(settings.data_dir, exclusive=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S.%fZ")
    aside = settings.data_dir / f"replaced-{stamp}"
    moved: list[Path] = []
    copied: list[Path] = []
    try:
        for _, live in _files(settings):
            for path in (live, Path(f"{live}-wal"), Path(f"{live}-shm")):
                if path.exists():
                    aside.mkdir(parents=True, exist_ok=True)
                    os.replace(path, aside / path.name)
                    moved.append(path)
        for name in manifest["files"]:
            tmp = settings.data_dir / f"{name}.restoring"
            copied.append(tmp)
            shutil.copyfile(directory / name, tmp)
            os.replace(tmp, settings.data_dir / name)
            copied.append(settings.data_dir / name)
        share_lock(lock)
    except BaseException:
        for path in copied:  # put the store back as it was (a full disk, an interrupted copy)
            path.unlink(missing_ok=True)
        for path in moved:
            os.replace(aside / path.name, path)
        lock.close()
        raise
    return RestoredFiles(manifest=manifest, replaced=aside if moved else None, lock=lock)
