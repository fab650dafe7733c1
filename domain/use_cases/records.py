"""Cooperation records as a user works with them: log one, read it with its history, correct it,
retract it, list the register. Who may do each is decided here (domain/policy.py), once for every face."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from domain.application import Saved, Splot
from domain.errors import NotFound, bilingual
from domain.policy import (
    Action,
    User,
    authorize,
    can_see_record,
    check_acts_for,
    institution_filter,
    may,
    scoped_to_institution,
)
from domain.ports import ReadModels, Row
from domain.record_kinds import OWNER_FIELD, RECORD_KINDS, owner_candidates
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

    def check(self, user: User, kind: str, fields: dict[str, Any]) -> dict[str, Any]:
        """Everything `record` checks, saving nothing: the normalised fields, for a check-answers step."""
        authorize(user, Action.WRITE_RECORDS)
        kind = check_choice(kind, RecordKind, field="record_kind")
        fields = {**fields, "network_id": self.scopes.of(user).network(fields.get("network_id"))}
        check_acts_for(user, owner_candidates(kind, fields), field=OWNER_FIELD[kind])
        return dict(self.store.records.prepare(kind, fields, user.actor).fields)

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

    def may_change(self, user: User, record: Record) -> bool:
        """Whether the user may correct or retract the record (a face offers only what is allowed)."""
        return may(user, Action.WRITE_RECORDS) and not record.retracted and (
            not scoped_to_institution(user) or user.institution_id == record.owner_institution_id)

    def likely_duplicates(self, user: User, kind: str, fields: dict[str, Any]) -> list[Row]:
        """Records that look like this one before it is saved: the same kind, business date and owner,
        and the same title or the same parties."""
        owner = owner_candidates(kind, fields)
        rows, _ = self.register(user, kind=kind, year=fields["occurred_on"].year, limit=200)
        title_field = RECORD_KINDS[kind].title_field
        parties = set(institutions_involved(kind, fields))
        found = []
        for row in rows:
            if row["status"] != "active" or row["occurred_on"] != fields["occurred_on"].isoformat():
                continue
            if row["owner_institution_id"] not in {str(o) for o in owner}:
                continue
            same_title = str(row["fields"].get(title_field, "")).casefold() == str(fields.get(title_field, "")).casefold()
            same_parties = {str(p) for p in parties} == {
                str(p) for p in institutions_involved(kind, row["fields"])}
            if same_title or same_parties:
                found.append(row)
        return found

    def follow_ups_due(self, user: User, *, limit: int = 20) -> list[dict[str, Any]]:
        """Follow-ups of the meetings the user's institution took part in (everyone's for the
        unscoped roles), those owed by the user's institution or by nobody in particular, earliest first."""
        rows, _ = self.register(user, kind=RecordKind.MEETING.value, limit=200)
        today = self.store.today().isoformat()
        due = [{"record_id": row["record_id"], "title": row["title"], "action": item["action"],
                "due_on": item["due_on"], "overdue": item["due_on"] < today}
               for row in rows if row["status"] == "active" for item in row["fields"].get("follow_ups", [])
               if item.get("institution_id") in (None, str(user.institution_id)) or user.institution_id is None]
        return sorted(due, key=lambda item: item["due_on"])[:limit]

    def register(self, user: User, *, institution_id: UUID | None = None, kind: str | None = None,
                 year: int | None = None, cursor: str | None = None, limit: int = 50,
                 firm_id: UUID | None = None, text: str | None = None) -> tuple[list[Row], str | None]:
        """The activity register, newest business date first, in pages; staff see their institution's.
        Filters: an institution or a firm taking part, kind, year, words of the title."""
        authorize(user, Action.READ_RECORDS)
        institution_id = institution_filter(user, institution_id)
        return self.reads.records(network_ids=self.scopes.of(user).network_texts,
                                  institution_id=str(institution_id) if institution_id else None,
                                  kind=kind, year=year, cursor=cursor, limit=limit,
                                  firm_id=str(firm_id) if firm_id else None, text=(text or "").strip() or None)

    def register_all(self, user: User, **filters: Any) -> list[Row]:
        """Every record the filters select (for an export), read in pages."""
        rows: list[Row] = []
        cursor = None
        while True:
            page, cursor = self.register(user, cursor=cursor, limit=200, **filters)
            rows += page
            if cursor is None:
                return rows
