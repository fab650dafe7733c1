"""What a redaction (`PersonalDataAct.RecordRedacted`, issue 12) changes in the read models that copied a record's
free text: the activity register (current row, its versions) and the audit trail (reasons, the diffs' old and
new values; the next diff starts from the register's row).

Each replaces every free-text value of the record with `domain.privacy.REDACTED_TEXT`, which is what decoding
the record's events gives once its key is destroyed (infra/field_cipher.py): read models kept up with the log
and read models rebuilt after the redaction hold the same rows. For the audit trail that means also dropping a
change that the redaction leaves with equal old and new values (rebuilt, its diff would not list it).

The handlers call these on stored rows, after writing out whatever their page had gathered so far, so they
work whatever a projection batches. Rows are read with `SELECT *` so that a table with or without a
`fields_json` / `title` column is handled alike.
"""

from __future__ import annotations

from typing import Any

from domain.privacy import REDACTED_TEXT, redacted_change, redacted_fields, redacted_text
from domain.record_kinds import RECORD_KINDS
from projections.record_fields import pack_fields, record_fields
from projections.base import Tx, creation_columns, pack_changes, unpack_changes


def _fields_and_title(kind: str, row: dict[str, Any]) -> dict[str, Any]:
    """The columns of a register row to set: its fields and title with the text gone (the fields stored against
    the row's columns as they will be: `projections.record_fields.pack_fields`)."""
    out: dict[str, Any] = {}
    if "title" in row and row["title"]:
        out["title"] = REDACTED_TEXT
    if "fields_json" in row and row["fields_json"]:
        out["fields_json"] = pack_fields(kind, redacted_fields(kind, record_fields(row)), {**row, **out})
    return out


def _secure(tx: Tx) -> None:
    """SQLite zeroes the pages the old rows leave (set here, not left to the build's default)."""
    if tx.dialect == "sqlite":
        tx.execute("PRAGMA secure_delete=ON")


def redact_register(tx: Tx, record_id: str) -> None:
    """The activity register's rows of the record: current state and every version."""
    _secure(tx)
    rows = tx.execute("SELECT * FROM activity_records WHERE record_id = ?", (record_id,))
    if not rows:
        return
    kind = rows[0]["kind"]
    if kind not in RECORD_KINDS:
        return
    _update(tx, "activity_records", "record_id = ?", (record_id,), _fields_and_title(kind, rows[0]))
    for version in tx.execute("SELECT * FROM activity_versions WHERE record_id = ?", (record_id,)):
        _update(tx, "activity_versions", "record_id = ? AND version = ?", (record_id, version["version"]),
                _fields_and_title(kind, version))


def redact_trail(tx: Tx, record_id: str) -> None:
    """The audit trail's entries of the record (reasons, changes)."""
    _secure(tx)
    for entry in tx.execute("SELECT position, reason, changes_json, event_type, network_id, owner_institution_id "
                            "FROM audit_entries WHERE record_id = ?", (record_id,)):
        columns = creation_columns(entry)
        changes = [redacted_change(c) for c in unpack_changes(entry["changes_json"], columns)]
        changes = [c for c in changes if c.get("old") != c.get("new")]
        tx.execute("UPDATE audit_entries SET reason = ?, changes_json = ? WHERE position = ?",
                   (redacted_text(entry["reason"]), pack_changes(changes, columns), entry["position"]))
    # The state the next diff starts from is the activity register's row, which `redact_register` redacts.


def _update(tx: Tx, table: str, where: str, params: tuple[Any, ...], values: dict[str, Any]) -> None:
    if values:
        tx.execute(f"UPDATE {table} SET {', '.join(f'{c} = ?' for c in values)} WHERE {where}",
                   (*values.values(), *params))
