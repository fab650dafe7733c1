"""The audit chain as the pages reach it: verify the whole log on demand and remember the result, and
sign a checkpoint to download.

Implements `domain.ports.AuditChain`. The last result (when, how many events, the first finding) is
kept in the directory database (`directory_chain_checks`, one row), beside the users, so the audit page
can say when the chain was last checked. A checkpoint is signed with the installation's key
(`Settings.key_file`, outside the database; created on first use), also written under
`<data dir>/checkpoints/` so `splot verify --checkpoint` can check against it later, and returned as
the bytes of that file.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

from domain.errors import InvariantViolated, NotFound, bilingual
from domain.ports import ChainCheck
from infra.audit_chain import is_chained
from infra.checkpoints import (
    LogDoesNotVerify,
    create_checkpoint,
    default_checkpoint_path,
    load_or_create_key,
    write_checkpoint,
)
from infra.verify import verify_log

_TABLE = "directory_chain_checks"


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


def no_chain() -> NotFound:
    return NotFound(bilingual("Ten magazyn nie prowadzi łańcucha skrótów (dane są tylko w pamięci).",
                              "This store keeps no hash chain (its data lives in memory only)."), field="chain")


class ChainService:
    def __init__(self, recorder: Any, db: Any, *, key_file: Path, data_dir: Path,
                 clock: Callable[[], datetime] = _utc_now) -> None:
        self.recorder = recorder
        self.db = db
        self.key_file = key_file
        self.data_dir = data_dir
        self.clock = clock
        with db.transaction(write=True) as tx:
            tx.execute(f"CREATE TABLE IF NOT EXISTS {_TABLE} (slot TEXT PRIMARY KEY, checked_at TEXT NOT NULL, "
                       "ok INTEGER NOT NULL, events_checked INTEGER NOT NULL, problem TEXT, position INTEGER)")

    @property
    def available(self) -> bool:
        return is_chained(self.recorder)

    def verify(self) -> ChainCheck:
        if not self.available:
            raise no_chain()
        result = verify_log(self.recorder)
        finding = result.finding
        check = ChainCheck(checked_at=self.clock(), ok=result.ok, events_checked=result.events_checked,
                           problem=finding.describe() if finding else None,
                           position=finding.position if finding else None)
        with self.db.transaction(write=True) as tx:
            tx.execute(f"DELETE FROM {_TABLE} WHERE slot = ?", ("last",))
            tx.execute(f"INSERT INTO {_TABLE} (slot, checked_at, ok, events_checked, problem, position) "
                       "VALUES (?, ?, ?, ?, ?, ?)", ("last", check.checked_at.isoformat(), int(check.ok),
                                                     check.events_checked, check.problem, check.position))
        return check

    def last_check(self) -> ChainCheck | None:
        with self.db.transaction() as tx:
            rows = tx.execute(f"SELECT * FROM {_TABLE} WHERE slot = ?", ("last",))
        if not rows:
            return None
        row = rows[0]
        return ChainCheck(checked_at=datetime.fromisoformat(row["checked_at"]), ok=bool(row["ok"]),
                          events_checked=row["events_checked"], problem=row["problem"], position=row["position"])

    def checkpoint(self) -> bytes:
        if not self.available:
            raise no_chain()
        try:
            payload = create_checkpoint(self.recorder, load_or_create_key(self.key_file), now=self.clock())
        except LogDoesNotVerify as error:
            raise InvariantViolated(bilingual(
                f"Łańcuch nie przechodzi weryfikacji, więc punkt kontrolny nie zostanie podpisany: {error}",
                f"The chain does not verify, so no checkpoint is signed: {error}"), field="chain") from None
        return write_checkpoint(payload, default_checkpoint_path(self.data_dir, payload)).read_bytes()
