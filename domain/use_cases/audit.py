"""The audit trail as auditors and coordinators read it: every stored event of their municipality,
filtered and paged, and a record's history with old -> new values."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from domain.application import Splot
from domain.errors import NotFound, bilingual
from domain.policy import Action, User, authorize
from domain.ports import ReadModels, Row
from domain.use_cases.scope import Scopes


@dataclass(frozen=True)
class AuditFilter:
    user: str | None = None  # who recorded it (user id)
    institution_id: UUID | None = None  # acting or owning institution
    record_id: UUID | None = None
    kind: str | None = None
    recorded_from: datetime | None = None
    recorded_to: datetime | None = None


class AuditUseCases:
    def __init__(self, store: Splot, reads: ReadModels, scopes: Scopes) -> None:
        self.store = store
        self.reads = reads
        self.scopes = scopes

    def entries(self, user: User, filters: AuditFilter, *, cursor: str | None = None,
                limit: int = 100) -> tuple[list[Row], str | None]:
        """Every stored event of the user's municipality, in log order, with its chain hash."""
        authorize(user, Action.READ_AUDIT)
        scope = self.scopes.of(user)
        everything = scope.municipality_id is None
        return self.reads.audit_entries(
            network_ids=None if everything else scope.network_texts,
            municipality_ids=None if everything else [str(scope.municipality_id)],
            user=filters.user, institution_id=str(filters.institution_id) if filters.institution_id else None,
            record_id=str(filters.record_id) if filters.record_id else None, kind=filters.kind,
            recorded_from=filters.recorded_from, recorded_to=filters.recorded_to, cursor=cursor, limit=limit)

    def all_entries(self, user: User, filters: AuditFilter, *, page: int = 1000) -> list[Row]:
        """Every matching entry (for an export), read in pages."""
        rows: list[Row] = []
        cursor = None
        while True:
            batch, cursor = self.entries(user, filters, cursor=cursor, limit=page)
            rows += batch
            if cursor is None:
                return rows

    def record_history(self, user: User, record_id: UUID) -> list[Row]:
        """Every version of a record: who, when, why, and each changed field old -> new."""
        authorize(user, Action.READ_AUDIT)
        rows = self.reads.record_history(str(record_id))
        if not rows or not rows[0]["event_type"].startswith("Record.") or \
                not self.scopes.of(user).includes(self._network_of(record_id)):
            raise NotFound(bilingual(f"Nie ma wpisu o identyfikatorze {record_id}.", f"No record with id {record_id}."),
                           field="record_id")
        return rows

    def _network_of(self, record_id: UUID) -> UUID:
        return self.store.get_record(record_id).network_id
