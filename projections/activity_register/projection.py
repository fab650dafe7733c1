"""The activity register.

- `activity_records`: one row per record, its current state (retracted records stay, marked).
- `activity_versions`: bitemporal — one row per version of a record's content (what the indicator
  rules read: kind, business date, owner, title), with `recorded_from`/`recorded_to` (recorded time,
  UTC) and `notification_id`/`closed_by` (the log positions that opened and closed it). A correction
  closes the current row and opens a new one; a retraction closes it. "Now" is `recorded_to IS NULL`;
  "as known at T" is `recorded_from <= T AND (recorded_to IS NULL OR recorded_to > T)`.
- `activity_parties`: the institutions, firms and persons of each version, with their role.

Indicator rules are queries over these tables, and a drill-down is the same query returning rows.
"""

from __future__ import annotations

from typing import Any

from domain.privacy import PersonalDataAct
from domain.record_kinds import RECORD_KINDS
from domain.records import Record, firms_involved, institutions_involved
from domain.values import RecordKind
from projections.record_fields import pack_fields, record_fields
from projections.base import Tx, id_text, plain, recorded_at
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
    """Rows are gathered while a page is handled and written at its end (`flush`, in the page's
    transaction) with one `executemany` per table: a record's row is written once per page, however
    many of its events the page holds. `discard` forgets a page that rolled back. A handler that reads
    or writes these tables with its own SQL calls `self.flush(tx)` first, so the tables hold the page so far."""

    name = "activity_register"
    version = 4  # v2: a version's title instead of its fields (the record's row keeps them), closed_by, page batches;
    # v3: parties indexed by party for persons only; v4: fields_json without the values of the row's columns
    # (projections/record_fields.py)
    tables = ("activity_records", "activity_versions", "activity_parties")

    def __init__(self) -> None:
        self.discard()

    def discard(self) -> None:
        self._records: dict[str, dict[str, Any]] = {}  # record id -> current row ("fields": the dict)
        self._new_records: set[str] = set()  # of those, the ones not yet in the table
        self._versions: dict[tuple[str, int], list[Any]] = {}  # versions opened in this page (insert rows)
        self._open: dict[str, tuple[str, int]] = {}  # record id -> its version opened in this page, still open
        self._closed: dict[str, tuple[str, int]] = {}  # stored open version of a record -> (recorded_to, closed_by)
        self._parties: list[tuple[str, int, str, str, str]] = []

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
        # A version keeps what the indicator rules read (kind, date, owner, title; its parties below), not
        # a copy of the fields: the record's row has the current ones and the audit trail every change.
        tx.execute(
            "CREATE TABLE IF NOT EXISTS activity_versions ("
            "record_id TEXT NOT NULL, version INTEGER NOT NULL, kind TEXT NOT NULL, subkind TEXT, "
            "network_id TEXT NOT NULL, owner_institution_id TEXT NOT NULL, occurred_on TEXT NOT NULL, "
            "year INTEGER NOT NULL, title TEXT NOT NULL, recorded_from TEXT NOT NULL, recorded_to TEXT, "
            "recorded_by TEXT NOT NULL, notification_id BIGINT NOT NULL, closed_by BIGINT, "
            "PRIMARY KEY (record_id, version))"
        )
        # The indicator rules and the year report read one network's year (now or as known at a time).
        tx.execute("CREATE INDEX IF NOT EXISTS activity_versions_by_year ON activity_versions "
                   "(network_id, year, kind, recorded_from)")
        tx.execute(
            "CREATE TABLE IF NOT EXISTS activity_parties ("
            "record_id TEXT NOT NULL, version INTEGER NOT NULL, party_type TEXT NOT NULL, party_id TEXT NOT NULL, "
            "role TEXT NOT NULL, PRIMARY KEY (record_id, version, party_type, party_id))"
            + (" WITHOUT ROWID" if tx.dialect == "sqlite" else "")  # the key is the row: stored once, not twice
        )
        # Only a person's appearances are looked up by party (ReadModels.person_appearances); institutions and
        # firms are filtered per record (activity_register.queries), so they are left out of the index.
        tx.execute("CREATE INDEX IF NOT EXISTS activity_parties_of_persons ON activity_parties (party_id) "
                   "WHERE party_type = 'person'")

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
            self._records[record_id] = {
                "record_id": record_id, "kind": kind.value, "network_id": str(fields["network_id"]),
                "status": "active", "created_at": at, "created_by": event.actor_user_id,
                "created_by_institution_id": id_text(event.actor_institution_id), "fields": fields,
                **self._content(kind, owner, fields),
                **self._touched(event, at, notification_id)}
            self._new_records.add(record_id)
            self._open_version(record_id, event.originator_version, kind, owner, fields, at, event.actor_user_id,
                               notification_id)
            return
        current = self._current(tx, record_id)
        self._close_version(record_id, at, notification_id)
        current.update(self._touched(event, at, notification_id))
        if isinstance(event, Record.Retracted):
            current["status"] = "retracted"
            return
        kind = RecordKind(current["kind"])
        fields = current["fields"]
        changes = _plain(event.changes)
        owner = str(changes.pop("owner_institution_id", current["owner_institution_id"]))
        fields.update(changes)
        current.update(self._content(kind, owner, fields))
        self._open_version(record_id, event.originator_version, kind, owner, fields, at, event.actor_user_id,
                           notification_id)

    @staticmethod
    def _content(kind: RecordKind, owner: str, fields: dict[str, Any]) -> dict[str, Any]:
        return {"subkind": fields.get(SUBKIND_FIELD[kind]), "owner_institution_id": owner,
                "occurred_on": _iso(fields["occurred_on"]), "year": _year(fields["occurred_on"]),
                "title": fields[TITLE_FIELD[kind]]}

    @staticmethod
    def _touched(event: Any, at: str, notification_id: int) -> dict[str, Any]:
        return {"version": event.originator_version, "updated_at": at, "updated_by": event.actor_user_id,
                "notification_id": notification_id}

    def _current(self, tx: Tx, record_id: str) -> dict[str, Any]:
        """The record's current row: from this page, or as stored."""
        if record_id not in self._records:
            row = tx.execute("SELECT * FROM activity_records WHERE record_id = ?", (record_id,))[0]
            row["fields"] = record_fields(row)
            del row["fields_json"]
            self._records[record_id] = row
        return self._records[record_id]

    def _close_version(self, record_id: str, at: str, notification_id: int) -> None:
        """Closes the record's open version: one opened in this page, or else the stored one."""
        opened = self._open.pop(record_id, None)
        if opened is not None:
            row = self._versions[opened]
            row[_RECORDED_TO], row[_CLOSED_BY] = at, notification_id
        else:
            self._closed.setdefault(record_id, (at, notification_id))

    def _open_version(self, record_id: str, version: int, kind: RecordKind, owner: str, fields: dict[str, Any],
                      at: str, actor: str, notification_id: int) -> None:
        self._open[record_id] = (record_id, version)
        self._versions[(record_id, version)] = [
            record_id, version, kind.value, fields.get(SUBKIND_FIELD[kind]), str(fields["network_id"]), owner,
            _iso(fields["occurred_on"]), _year(fields["occurred_on"]),
            str(fields.get(TITLE_FIELD.get(kind, "title"), "")), at, None, actor, notification_id, None]
        parties = parties_of(kind, fields)
        # The owner is whoever the record belongs to now (conclusions: chosen at creation).
        self._parties += [(record_id, version, t, i, "owner" if (t == "institution" and i == owner) else
                           ("participant" if r == "owner" else r)) for t, i, r in parties]

    def flush(self, tx: Tx) -> None:
        """Writes the page's rows: closes stored versions first (so only they are closed), then inserts."""
        records, new, versions, closed, parties = (self._records, self._new_records, self._versions,
                                                   self._closed, self._parties)
        self.discard()
        if closed:
            tx.executemany("UPDATE activity_versions SET recorded_to = ?, closed_by = ? "
                           "WHERE record_id = ? AND recorded_to IS NULL",
                           [(at, by, record_id) for record_id, (at, by) in closed.items()])
        columns = _RECORD_COLUMNS
        rows = [(*(r[c] for c in columns), pack_fields(r["kind"], r["fields"], r)) for r in records.values()]
        inserted = [row for row in rows if row[0] in new]
        updated = [row for row in rows if row[0] not in new]
        if inserted:
            tx.executemany(f"INSERT INTO activity_records ({', '.join(columns)}, fields_json) "
                           f"VALUES ({', '.join('?' for _ in columns)}, ?)", inserted)
        if updated:
            tx.executemany(f"UPDATE activity_records SET {', '.join(f'{c} = ?' for c in columns[1:])}, "
                           "fields_json = ? WHERE record_id = ?", [(*row[1:], row[0]) for row in updated])
        if versions:
            tx.executemany(f"INSERT INTO activity_versions ({', '.join(_VERSION_COLUMNS)}) "
                           f"VALUES ({', '.join('?' for _ in _VERSION_COLUMNS)})", list(versions.values()))
        if parties:
            tx.executemany("INSERT INTO activity_parties (record_id, version, party_type, party_id, role) "
                           "VALUES (?, ?, ?, ?, ?)", parties)


_RECORD_COLUMNS = ("record_id", "kind", "subkind", "network_id", "owner_institution_id", "occurred_on", "year",
                   "title", "status", "version", "created_at", "created_by", "created_by_institution_id",
                   "updated_at", "updated_by", "notification_id")
_VERSION_COLUMNS = ("record_id", "version", "kind", "subkind", "network_id", "owner_institution_id", "occurred_on",
                    "year", "title", "recorded_from", "recorded_to", "recorded_by", "notification_id", "closed_by")
_RECORDED_TO, _CLOSED_BY = _VERSION_COLUMNS.index("recorded_to"), _VERSION_COLUMNS.index("closed_by")


def _plain(fields: dict[str, Any]) -> dict[str, Any]:
    """Fields as JSON sees them: ids and dates become strings, so stored and new values compare alike."""
    return plain(fields)


def _iso(value: Any) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _year(value: Any) -> int:
    return value.year if hasattr(value, "year") else int(str(value)[:4])
