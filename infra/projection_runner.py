"""Keeps read models up to date with the event log.

eventsourcing 9.5 cannot subscribe to SQLite, so the runner pulls: it reads notifications in
pages from the application recorder and hands each decoded event to every projection that has
not seen it yet. Each page is one transaction on the views database: the projections' rows and
their tracking positions are committed together, so a crash never loses or doubles an event.
The same loop works on PostgreSQL.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Callable, Sequence

from eventsourcing.application import Application

from projections.base import Projection, Tx, drop_tables

log = logging.getLogger(__name__)

TRACKING_TABLE = "projection_tracking"


class ProjectionRunner:
    def __init__(self, app: Application, db, projections: Sequence[Projection], *, page_size: int = 500) -> None:
        self.app = app
        self.db = db
        self.projections = list(projections)
        self.page_size = page_size
        self._catch_up_lock = threading.Lock()
        self.last_error: str | None = None  # why the last page failed; None once a page succeeds again
        self._setup()

    # ---------------------------------------------------------------- set-up
    def _setup(self) -> None:
        with self.db.transaction(write=True) as tx:
            tx.execute(
                f"CREATE TABLE IF NOT EXISTS {TRACKING_TABLE} ("
                "name TEXT PRIMARY KEY, version INTEGER NOT NULL, notification_id BIGINT NOT NULL)"
            )
            stored = {r["name"]: r for r in tx.execute(f"SELECT * FROM {TRACKING_TABLE}")}
            for projection in self.projections:
                row = stored.get(projection.name)
                if row is not None and row["version"] != projection.version:
                    log.warning("read model %s changed (v%s -> v%s): rebuilding", projection.name,
                                row["version"], projection.version)
                    self._reset(tx, projection)
                elif row is None:
                    self._reset(tx, projection)
                else:
                    projection.create_tables(tx)

    def _reset(self, tx: Tx, projection: Projection) -> None:
        drop_tables(tx, projection)
        projection.create_tables(tx)
        tx.execute(f"DELETE FROM {TRACKING_TABLE} WHERE name = ?", (projection.name,))
        tx.execute(f"INSERT INTO {TRACKING_TABLE} (name, version, notification_id) VALUES (?, ?, 0)",
                   (projection.name, projection.version))

    # ---------------------------------------------------------------- positions
    def positions(self) -> dict[str, int]:
        with self.db.transaction() as tx:
            return {r["name"]: r["notification_id"] for r in tx.execute(f"SELECT * FROM {TRACKING_TABLE}")}

    def position(self) -> int:
        """The notification id every read model has reached."""
        positions = self.positions()
        return min(positions.get(p.name, 0) for p in self.projections) if self.projections else 0

    def log_position(self) -> int:
        return self.app.recorder.max_notification_id() or 0

    # ---------------------------------------------------------------- catching up
    def catch_up(self, progress: Callable[[int], None] | None = None) -> int:
        """Processes every notification not yet seen; returns how many were processed."""
        processed = 0
        with self._catch_up_lock:
            while True:
                try:
                    count = self._process_page()
                except Exception as error:
                    # The page is rolled back and retried later; an event a projection cannot handle
                    # stops every read model here rather than being skipped (the numbers must stay
                    # complete), so say why where operators look: /api/v1/health.
                    self.last_error = f"{type(error).__name__}: {error}"
                    raise
                self.last_error = None
                if count == 0:
                    return processed
                processed += count
                if progress:
                    progress(count)

    def ensure_current(self, notification_id: int | None = None) -> None:
        """Read-your-writes: catch up when the read models are behind `notification_id` (or the log)."""
        target = notification_id if notification_id is not None else self.log_position()
        if self.position() < target:
            self.catch_up()

    def _process_page(self) -> int:
        with self.db.transaction(write=True) as tx:
            if tx.dialect == "postgres":
                rows = tx.execute(f"SELECT name, notification_id FROM {TRACKING_TABLE} FOR UPDATE")
            else:
                rows = tx.execute(f"SELECT name, notification_id FROM {TRACKING_TABLE}")
            positions = {r["name"]: r["notification_id"] for r in rows}
            start = min(positions.get(p.name, 0) for p in self.projections)
            notifications = self.app.recorder.select_notifications(
                start=start, limit=self.page_size, inclusive_of_start=False
            )
            if not notifications:
                return 0
            for notification in notifications:
                event = self.app.mapper.to_domain_event(notification)
                for projection in self.projections:
                    if positions.get(projection.name, 0) < notification.id:
                        projection.handle(tx, event, notification.id)
            for projection in self.projections:
                flush = getattr(projection, "flush", None)
                if flush is not None:
                    flush(tx)
            last = notifications[-1].id
            for projection in self.projections:
                if positions.get(projection.name, 0) < last:
                    tx.execute(f"UPDATE {TRACKING_TABLE} SET notification_id = ? WHERE name = ?",
                               (last, projection.name))
            return len(notifications)

    def rebuild(self, progress: Callable[[int], None] | None = None) -> int:
        """Drops every read model and builds it again from the whole log."""
        with self.db.transaction(write=True) as tx:
            for projection in self.projections:
                self._reset(tx, projection)
        return self.catch_up(progress)


class BackgroundCatchUp:
    """A daemon thread that keeps read models current while the server runs."""

    def __init__(self, runner: ProjectionRunner, interval: float = 0.25) -> None:
        self.runner = runner
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="projection-catch-up", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.runner.ensure_current()
            except Exception:  # keep serving; the next tick retries, and the error is in the log
                log.exception("projection catch-up failed")
                time.sleep(1)
            self._stop.wait(self.interval)
