"""Cooperation records as a user works with them: log one, read it with its history, correct it,
retract it, list the register. Who may do each is decided here (domain/policy.py), once for every face."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from domain.application import Saved, Splot
from domain.errors import NotFound, bilingual
from domain.policy import Action, User, authorize, can_see_record, check_acts_for, institution_filter
from domain.ports import ReadModels, Row
from domain.record_kinds import OWNER_FIELD, owner_candidates
from domain.records import Record, institutions_involved
from domain.use_cases.scope import Scopes
from domain.values import RecordKind, check_choice

@dataclass(frozen=True)
class RecordVersion:
    version: int
    event_type: str  # created, corrected, retracted
    event_topic: str
    recorded_at: str
    actor_user_id: str | None
    actor_institution_id: str | None
    reason: str | None
    changes: dict[str, Any]  # created: every field; corrected: the changed ones


@dataclass(frozen=True)
class RecordView:
    record: Record
    history: list[RecordVersion]


_EVENT_TYPES = {"Record.Corrected": "corrected", "Record.Retracted": "retracted"}


def history_from_trail(rows: list[Row]) -> list[RecordVersion]:
    """A record's versions from the audit trail (the one place a record's history is assembled)."""
    versions = []
    for row in rows:
        event_type = _EVENT_TYPES.get(row["event_type"], "created")
        changes = {c["field"]: c["new"] for c in row["changes"]
                   if not (event_type == "created" and c["field"] == "owner_institution_id")}
        versions.append(RecordVersion(
            version=row["version"], event_type=event_type, event_topic=f"splot:{row['event_type']}",
            recorded_at=row["recorded_at"], actor_user_id=row["user_id"], actor_institution_id=row["institution_id"],
            reason=row["reason"], changes=changes))
    return versions


class RecordUseCases:
    def __init__(self, store: Splot, reads: ReadModels, scopes: Scopes) -> None:
        self.store = store
        self.reads = reads
        self.scopes = scopes

    def record(self, user: User, kind: str, fields: dict[str, Any]) -> Saved:
        """Logs a contact, meeting, information exchange or conclusion for the user's institution."""
        authorize(user, Action.WRITE_RECORDS)
        kind = check_choice(kind, RecordKind, field="record_kind")
        fields = {**fields, "network_id": self.scopes.of(user).network(fields.get("network_id"))}
        check_acts_for(user, owner_candidates(kind, fields), field=OWNER_FIELD[kind])
        return self.store.records.record(kind, fields, user.actor)

    def correct(self, user: User, record_id: UUID, *, expected_version: int, reason: str,
                changes: dict[str, Any]) -> Saved:
        authorize(user, Action.WRITE_RECORDS)
        record = self.visible(user, record_id)
        check_acts_for(user, [record.owner_institution_id], field="record_id")
        # Staff may not hand their record over to another institution by correcting its owner field.
        check_acts_for(user, owner_candidates(record.kind, {**record.fields, **changes}), field="changes")
        return self.store.records.correct_record(record_id=record.id, expected_version=expected_version, reason=reason,
                                                 changes=changes, actor=user.actor)

    def retract(self, user: User, record_id: UUID, *, expected_version: int, reason: str) -> Saved:
        authorize(user, Action.WRITE_RECORDS)
        record = self.visible(user, record_id)
        check_acts_for(user, [record.owner_institution_id], field="record_id")
        return self.store.records.retract_record(record_id=record.id, expected_version=expected_version, reason=reason,
                                                 actor=user.actor)

    def visible(self, user: User, record_id: UUID) -> Record:
        """The record, or NotFound — also when it is another municipality's, or a staff member's
        institution takes no part in it (its existence does not leak)."""
        authorize(user, Action.READ_RECORDS)
        record = self.store.get_record(record_id)
        if not self.scopes.of(user).includes(record.network_id) or \
                not can_see_record(user, institutions_involved(record.kind, record.fields)):
            raise NotFound(bilingual(f"Nie ma wpisu o identyfikatorze {record_id}.", f"No record with id {record_id}."),
                           field="record_id")
        return record

    def view(self, user: User, record_id: UUID) -> RecordView:
        """The record's current state and every version (who, when, why, what changed)."""
        record = self.visible(user, record_id)
        return RecordView(record, history_from_trail(self.reads.record_history(str(record.id))))

    def register(self, user: User, *, institution_id: UUID | None = None, kind: str | None = None,
                 year: int | None = None, cursor: str | None = None,
                 limit: int = 50) -> tuple[list[Row], str | None]:
        """The activity register, newest business date first, in pages; staff see their institution's."""
        authorize(user, Action.READ_RECORDS)
        institution_id = institution_filter(user, institution_id)
        return self.reads.records(network_ids=self.scopes.of(user).network_texts,
                                  institution_id=str(institution_id) if institution_id else None,
                                  kind=kind, year=year, cursor=cursor, limit=limit)
