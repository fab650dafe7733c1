"""Idempotency keys kept in the event log, saved in the same transaction as the write they answer.

A face that accepts an `Idempotency-Key` (the JSON API) looks the key up first: an `IdempotencyKey`
aggregate whose id is derived from (user, key), so a key is per user and found without a query. A first
use runs the command with a `PendingKey` set for the context (`pending_key`); `Splot._save` then adds
the key's event to the save that records the write — so after any crash either both are in the log or
neither is (issue 11, defect 2). Two requests racing with the same key both try to create the same
aggregate version; the loser's whole save fails on the store's unique key and it raises `KeyTaken`,
after which the face answers with the winner's outcome.

What the key keeps is what a face needs to answer again exactly as the first time: the request's
fingerprint, the status it answered with, and the aggregate and version the write produced (the face
rebuilds the body from them and the log). Keys are never deleted from the log; a key whose last use is
older than the face's expiry may be used again for another request (`UsedAgain`).
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterator
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.base import SplotEvent
from domain.errors import VersionConflict, bilingual
from domain.values import stable_id


class IdempotencyKey(Aggregate):
    TOPIC = "splot:IdempotencyKey"

    class Created(SplotEvent, Aggregate.Created):
        TOPIC = "splot:IdempotencyKey.Created"

    class Used(Created):
        TOPIC = "splot:IdempotencyKey.Used"
        fingerprint: str
        status_code: int
        result_id: UUID
        result_version: int

        def apply(self, key: IdempotencyKey) -> None:
            key.remember(self)

    class UsedAgain(SplotEvent, Aggregate.Event):
        """The key, expired, was used for a new request."""
        TOPIC = "splot:IdempotencyKey.UsedAgain"
        fingerprint: str
        status_code: int
        result_id: UUID
        result_version: int

        def apply(self, key: IdempotencyKey) -> None:
            key.remember(self)

    def remember(self, event: Any) -> None:
        self.fingerprint = event.fingerprint
        self.status_code = event.status_code
        self.result_id = event.result_id
        self.result_version = event.result_version
        self.used_at: datetime = event.timestamp

    @staticmethod
    def id_for(user_id: str, key: str) -> UUID:
        return stable_id("idempotency-key", str(user_id), key)


class KeyTaken(VersionConflict):
    """Another request with the same key was saved first; nothing of this one was stored."""

    def __init__(self, key_id: UUID) -> None:
        super().__init__(bilingual("Żądanie z tym Idempotency-Key zostało już zapisane.",
                                   "A request with this Idempotency-Key has already been saved."))
        self.key_id = key_id


@dataclass
class PendingKey:
    """A key's first (or, after expiry, next) use, waiting for the save that records the write."""

    user_id: str
    key: str
    fingerprint: str
    status_code: int
    existing: IdempotencyKey | None = None  # an expired key used again
    used: bool = False

    @property
    def id(self) -> UUID:
        return IdempotencyKey.id_for(self.user_id, self.key)

    def aggregate(self, result_id: UUID, result_version: int, actor: dict[str, Any]) -> IdempotencyKey:
        """The key with its new event pending, naming what the write produced."""
        fields = {"fingerprint": self.fingerprint, "status_code": self.status_code, "result_id": result_id,
                  "result_version": result_version, **actor,
                  "actor_institution_id": None}  # bookkeeping: not listed as the institution's work
        if self.existing is None:
            return IdempotencyKey._create(IdempotencyKey.Used, id=self.id, **fields)
        self.existing.trigger_event(IdempotencyKey.UsedAgain, **fields)
        return self.existing


_PENDING: ContextVar[PendingKey | None] = ContextVar("splot_pending_idempotency_key", default=None)


@contextmanager
def pending_key(pending: PendingKey) -> Iterator[PendingKey]:
    """Within this block, the first save that answers (see `Splot._save`) records the key with it."""
    token = _PENDING.set(pending)
    try:
        yield pending
    finally:
        _PENDING.reset(token)


def current_pending_key() -> PendingKey | None:
    pending = _PENDING.get()
    return pending if pending is not None and not pending.used else None
