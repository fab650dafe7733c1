"""The audit trail as CSV for Polish Excel: one line per entry with its chain hash (csv.write_csv
defuses a reason or a changed value that a user typed and that Excel would take for a formula)."""

from __future__ import annotations

import json
from typing import Any, Iterable

from domain.labels import AUDIT_CSV_HEADER, field_label
from infra.exports.csv import write_csv


def describe_changes(changes: Iterable[dict[str, Any]], *, language: str = "pl") -> str:
    """'Opis: "Kontakt 1" → "Kontakt nr 1"; Data zdarzenia: 2012-03-01 → 2013-01-05'."""
    def show(value: Any) -> str:
        if value is None:
            return "—"
        return f'"{value}"' if isinstance(value, str) and not value[:4].isdigit() else json.dumps(
            value, ensure_ascii=False).strip('"')
    return "; ".join(f"{field_label(c['field']).in_language(language)}: {show(c['old'])} → {show(c['new'])}"
                     for c in changes)


def entries_csv(rows: Iterable[dict[str, Any]], *, language: str = "pl") -> str:
    """Rows from projections.audit_trail.queries.audit_entries as CSV: BOM, ';', one line per entry."""
    return write_csv(
        ([r["position"], r["recorded_at"], r["user_id"] or "", r["institution_id"] or "",
          r["owner_institution_id"] or "", r["record_id"], r["version"], r["kind"], r["event_type"],
          r["reason"] or "", describe_changes(r["changes"], language=language), r.get("chain_hash") or ""]
         for r in rows),
        header=[h.in_language(language) for h in AUDIT_CSV_HEADER])
