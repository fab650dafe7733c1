"""Questions auditors ask of the audit trail: entries by user, institution, record, kind and recorded time
(paged), a record's full history with readable diffs, and a CSV export with each entry's chain hash."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, time
from typing import Any, Callable, Iterable

from domain.values import WARSAW
from projections.base import Tx, decode_cursor, encode_cursor, recorded_at

ChainLookup = Callable[[list[int]], dict[int, str]]  # positions -> chain hash (supplied by infra)

FIELD_LABELS = {
    "occurred_on": "Data zdarzenia", "summary": "Opis", "title": "Tytuł", "subject": "Temat",
    "channel": "Kanał", "kind": "Rodzaj", "institution_id": "Instytucja", "with_institution_id": "Z instytucją",
    "with_firm_id": "Z firmą", "person_ids": "Osoby", "organiser_id": "Organizator",
    "institution_ids": "Instytucje", "firm_ids": "Firmy", "topic": "Temat spotkania", "minutes": "Protokół",
    "follow_ups": "Dalsze działania", "from_institution_id": "Od instytucji", "to_institution_ids": "Do instytucji",
    "to_firm_ids": "Do firm", "meeting_id": "Spotkanie", "network_id": "Sieć",
    "owner_institution_id": "Instytucja właścicielska", "name": "Nazwa", "short_name": "Skrót",
}


def _time_bound(value: datetime | date | str | None) -> str | None:
    """A recorded-time bound as stored text; a date means the start of that day in Warsaw."""
    if value is None or isinstance(value, str):
        return value
    if not isinstance(value, datetime):
        value = datetime.combine(value, time.min, tzinfo=WARSAW)
    if value.tzinfo is None:
        raise ValueError("recorded-time bounds must carry a time zone")
    return recorded_at(value)


def _row(row: dict[str, Any]) -> dict[str, Any]:
    row = dict(row)
    row["changes"] = [{**c, "label": FIELD_LABELS.get(c["field"], c["field"])}
                      for c in json.loads(row.pop("changes_json"))]
    return row


def audit_entries(
    tx: Tx,
    *,
    user: str | None = None,
    institution_id: str | None = None,
    record_id: str | None = None,
    kind: str | None = None,
    recorded_from: datetime | date | str | None = None,
    recorded_to: datetime | date | str | None = None,
    cursor: str | None = None,
    limit: int = 100,
    chain_lookup: ChainLookup | None = None,
) -> tuple[list[dict[str, Any]], str | None]:
    """Entries in log order. `recorded_from` is inclusive, `recorded_to` exclusive. Returns (rows, next_cursor).

    `institution_id` matches the institution the user acted for or the record's owner institution.
    """
    sql = "SELECT * FROM audit_entries WHERE 1=1"
    params: list[Any] = []
    for column, value in (("user_id", user), ("record_id", record_id), ("kind", kind)):
        if value:
            sql += f" AND {column} = ?"
            params.append(str(value))
    if institution_id:
        sql += " AND (institution_id = ? OR owner_institution_id = ?)"
        params += [str(institution_id), str(institution_id)]
    if recorded_from is not None:
        sql += " AND recorded_at >= ?"
        params.append(_time_bound(recorded_from))
    if recorded_to is not None:
        sql += " AND recorded_at < ?"
        params.append(_time_bound(recorded_to))
    if cursor:
        sql += " AND position > ?"
        params.append(decode_cursor(cursor, "audit", int)[0])
    sql += " ORDER BY position LIMIT ?"
    params.append(limit + 1)
    rows = [_row(r) for r in tx.execute(sql, params)]
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_cursor("audit", rows[-1]["position"])
    attach_chain_hashes(rows, chain_lookup)
    return rows, next_cursor


def attach_chain_hashes(rows: list[dict[str, Any]], chain_lookup: ChainLookup | None) -> None:
    """Each row gets `chain_hash` (None where the store keeps no chain, e.g. in memory)."""
    hashes = chain_lookup([r["position"] for r in rows]) if chain_lookup is not None else {}
    for row in rows:
        row["chain_hash"] = hashes.get(row["position"])


def record_history(tx: Tx, record_id: str, *, chain_lookup: ChainLookup | None = None) -> list[dict[str, Any]]:
    """Every version of a record, oldest first: who, when, why, what changed (old -> new) and the fields after it."""
    rows = [_row(r) for r in tx.execute(
        "SELECT * FROM audit_entries WHERE record_id = ? ORDER BY version", (str(record_id),))]
    fields: dict[str, Any] = {}
    retracted = False
    for row in rows:
        for change in row["changes"]:
            fields[change["field"]] = change["new"]
        retracted = retracted or row["event_type"] == "Record.Retracted"
        row["fields_after"] = dict(fields)
        row["retracted"] = retracted
    attach_chain_hashes(rows, chain_lookup)
    return rows


def describe_changes(changes: Iterable[dict[str, Any]]) -> str:
    """'Opis: "Kontakt 1" → "Kontakt nr 1"; Data zdarzenia: 2012-03-01 → 2013-01-05'."""
    def show(value: Any) -> str:
        if value is None:
            return "—"
        return f'"{value}"' if isinstance(value, str) and not value[:4].isdigit() else json.dumps(
            value, ensure_ascii=False).strip('"')
    return "; ".join(f"{c.get('label') or FIELD_LABELS.get(c['field'], c['field'])}: {show(c['old'])} → "
                     f"{show(c['new'])}" for c in changes)


CSV_HEADER = ["Pozycja", "Zarejestrowano (UTC)", "Użytkownik", "Instytucja działająca", "Instytucja właścicielska",
              "Identyfikator", "Wersja", "Rodzaj", "Zdarzenie", "Przyczyna", "Zmiany", "Skrót w łańcuchu (SHA-256)"]


def _inert(cell: Any) -> Any:
    """Text a user typed (a reason) must not become a spreadsheet formula when Excel opens the export
    (OWASP CSV injection): a leading =, +, -, @, tab or CR gets an apostrophe in front."""
    if isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + cell
    return cell


def entries_csv(rows: Iterable[dict[str, Any]]) -> str:
    """CSV for Polish Excel: UTF-8 with BOM, ';' separator, one line per entry with its chain hash."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for r in rows:
        writer.writerow([_inert(cell) for cell in (
            r["position"], r["recorded_at"], r["user_id"] or "", r["institution_id"] or "",
            r["owner_institution_id"] or "", r["record_id"], r["version"], r["kind"], r["event_type"],
            r["reason"] or "", describe_changes(r["changes"]), r.get("chain_hash") or "")])
    return out.getvalue()
