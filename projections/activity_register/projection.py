"""The activity register.

- `activity_records`: one row per record, its current state (retracted records stay, marked).
- `activity_versions`: bitemporal — one row per version of a record's content, with its
  business date and `recorded_from`/`recorded_to` (recorded time, UTC). A correction closes the
  current row and opens a new one; a retraction closes it. "Now" is `recorded_to IS NULL`;
  "as known at T" is `recorded_from <= T AND (recorded_to IS NULL OR recorded_to > T)`.
- `activity_parties`: the institutions, firms and persons of each version, with their role.

Indicator rules are queries over these tables, and a drill-down is the same query returning rows.
"""

from __future__ import annotations

import json
from typing import Any

from domain.privacy import PersonalDataAct
from domain.record_kinds import RECORD_KINDS
from domain.records import Record, firms_involved, institutions_involved
from domain.values import RecordKind
from projections.base import Tx, id_text, recorded_at, to_json
from projections.redaction import redact_register

# Per kind, the field shown as a record's title and the choice that sorts it (from the record-kind specs;
# TITLE_FIELD is also read by projections.indicator_values.facts).
TITLE_FIELD = {kind: spec.title_field for kind, spec in RECORD_KINDS.items()}
SUBKIND_FIELD = {kind: spec.subkind_field for kind, spec in RECORD_KINDS.items()}


def parties_of(kind: str, fields: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(party_type, party_id, role) for every party; the owner institution has role 'owner'."""
    institutions = institutions_involved(kind, fields)
    parties = [("institution", str(i), "owner" if n == 0 else "participant") for n, i in enumerate(institutions)]
    parties += [("firm", str(f), "participant") for f in firms_involved(kind, fields)]
    parties += [("person", str(p), "participant") for p in fields.get(RECORD_KINDS[kind].person_field, [])]
    return parties


class ActivityRegisterProjection:
    name = "activity_register"
    version = 1
    tables = ("activity_records", "activity_versions", "activity_parties")

    def create_tables(self, tx: Tx) -> None:
        tx.execute(
            "CREATE TABLE IF NOT EXISTS activity_records ("
            "record_id TEXT PRIMARY KEY, kind TEXT NOT NULL, subkind TEXT, network_id TEXT NOT NULL, "
            "owner_institution_id TEXT NOT NULL, occurred_on TEXT NOT NULL, year INTEGER NOT NULL, "
            "title TEXT NOT NULL, status TEXT NOT NULL, version INTEGER NOT NULL, "
            "created_at TEXT NOT NULL, created_by TEXT NOT NULL, created_by_institution_id TEXT, "
            "updated_at TEXT NOT NULL, updated_by TEXT NOT NULL, fields_json TEXT NOT NULL, "
            "notification_id BIGINT NOT NULL)"
        )
        tx.execute("CREATE INDEX IF NOT EXISTS activity_records_by_date ON activity_records (occurred_on, record_id)")
        tx.execute(
            "CREATE TABLE IF NOT EXISTS activity_versions ("
            "record_id TEXT NOT NULL, version INTEGER NOT NULL, kind TEXT NOT NULL, subkind TEXT, "
            "network_id TEXT NOT NULL, owner_institution_id TEXT NOT NULL, occurred_on TEXT NOT NULL, "
            "year INTEGER NOT NULL, fields_json TEXT NOT NULL, recorded_from TEXT NOT NULL, recorded_to TEXT, "
            "recorded_by TEXT NOT NULL, notification_id BIGINT NOT NULL, PRIMARY KEY (record_id, version))"
        )
        tx.execute("CREATE INDEX IF NOT EXISTS activity_versions_by_year ON activity_versions (kind, year)")
        tx.execute(
            "CREATE TABLE IF NOT EXISTS activity_parties ("
            "record_id TEXT NOT NULL, version INTEGER NOT NULL, party_type TEXT NOT NULL, party_id TEXT NOT NULL, "
            "role TEXT NOT NULL, PRIMARY KEY (record_id, version, party_type, party_id))"
        )
        tx.execute("CREATE INDEX IF NOT EXISTS activity_parties_by_party ON activity_parties (party_type, party_id)")

    def handle(self, tx: Tx, event: Any, notification_id: int) -> None:
        if isinstance(event, PersonalDataAct.RecordRedacted):  # the record's text gone (projections/redaction.py)
            if hasattr(self, "flush"):
                self.flush(tx)  # what the page gathered so far is written first: the redaction covers it too
            redact_register(tx, str(event.record_id))
            return
        if not isinstance(event, (Record.Created, Record.Corrected, Record.Retracted)):
            return
        record_id = str(event.originator_id)
        at = recorded_at(event.timestamp)
        if isinstance(event, Record.Created):
            kind = RecordKind(event.record_kind)
            fields = _plain(event.fields)
            owner = str(event.owner_institution_id)
            tx.execute(
                "INSERT INTO activity_records (record_id, kind, subkind, network_id, owner_institution_id, "
                "occurred_on, year, title, status, version, created_at, created_by, created_by_institution_id, "
                "updated_at, updated_by, fields_json, notification_id) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'active', ?, ?, ?, ?, ?, ?, ?, ?)",
                (record_id, kind.value, fields.get(SUBKIND_FIELD[kind]), str(fields["network_id"]), owner,
                 fields["occurred_on"], _year(fields["occurred_on"]), fields[TITLE_FIELD[kind]],
                 event.originator_version, at, event.actor_user_id, id_text(event.actor_institution_id), at,
                 event.actor_user_id, to_json(fields), notification_id),
            )
            self._open_version(tx, record_id, event.originator_version, kind, owner, fields, at,
                               event.actor_user_id, notification_id)
            return
        current = tx.execute("SELECT * FROM activity_records WHERE record_id = ?", (record_id,))[0]
        tx.execute("UPDATE activity_versions SET recorded_to = ? WHERE record_id = ? AND recorded_to IS NULL",
                   (at, record_id))
        if isinstance(event, Record.Retracted):
            tx.execute("UPDATE activity_records SET status = 'retracted', version = ?, updated_at = ?, "
                       "updated_by = ?, notification_id = ? WHERE record_id = ?",
                       (event.originator_version, at, event.actor_user_id, notification_id, record_id))
            return
        kind = RecordKind(current["kind"])
        fields = json.loads(current["fields_json"])
        changes = _plain(event.changes)
        owner = str(changes.pop("owner_institution_id", current["owner_institution_id"]))
        fields.update(changes)
        tx.execute(
            "UPDATE activity_records SET subkind = ?, owner_institution_id = ?, occurred_on = ?, year = ?, "
            "title = ?, version = ?, updated_at = ?, updated_by = ?, fields_json = ?, notification_id = ? "
            "WHERE record_id = ?",
            (fields.get(SUBKIND_FIELD[kind]), owner, _iso(fields["occurred_on"]), _year(fields["occurred_on"]),
             fields[TITLE_FIELD[kind]], event.originator_version, at, event.actor_user_id, to_json(fields),
             notification_id, record_id),
        )
        self._open_version(tx, record_id, event.originator_version, kind, owner, fields, at, event.actor_user_id,
                           notification_id)

    def _open_version(self, tx: Tx, record_id: str, version: int, kind: RecordKind, owner: str,
                      fields: dict[str, Any], at: str, actor: str, notification_id: int) -> None:
        tx.execute(
            "INSERT INTO activity_versions (record_id, version, kind, subkind, network_id, owner_institution_id, "
            "occurred_on, year, fields_json, recorded_from, recorded_to, recorded_by, notification_id) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?)",
            (record_id, version, kind.value, fields.get(SUBKIND_FIELD[kind]), str(fields["network_id"]), owner,
             _iso(fields["occurred_on"]), _year(fields["occurred_on"]), to_json(fields), at, actor,
             notification_id),
        )
        parties = parties_of(kind, fields)
        # The owner is whoever the record belongs to now (conclusions: chosen at creation).
        parties = [(t, i, "owner" if (t == "institution" and i == owner) else
                    ("participant" if r == "owner" else r)) for t, i, r in parties]
        tx.executemany(
            "INSERT INTO activity_parties (record_id, version, party_type, party_id, role) VALUES (?, ?, ?, ?, ?)",
            [(record_id, version, t, i, r) for t, i, r in parties],
        )


def _plain(fields: dict[str, Any]) -> dict[str, Any]:
    """Fields as JSON sees them: ids and dates become strings, so stored and new values compare alike."""
    return json.loads(to_json(fields))


def _iso(value: Any) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _year(value: Any) -> int:
    return value.year if hasattr(value, "year") else int(str(value)[:4])
