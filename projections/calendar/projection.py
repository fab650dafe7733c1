"""Calendar tables: one row per event as it stands now (`calendar_events`) and who is invited
(`calendar_invited`), so a network's and an institution's calendar are one indexed query each.
Times are Warsaw wall-clock ISO text ("2026-12-10T10:00:00"), so text order is time order."""

from __future__ import annotations

import json
from typing import Any

from domain.calendar import CalendarEvent
from projections.base import Tx, recorded_at, to_json


class CalendarProjection:
    name = "calendar"
    version = 1
    tables = ("calendar_events", "calendar_invited")

    def create_tables(self, tx: Tx) -> None:
        tx.execute(
            "CREATE TABLE IF NOT EXISTS calendar_events ("
            "id TEXT PRIMARY KEY, network_id TEXT NOT NULL, organiser_id TEXT NOT NULL, title TEXT NOT NULL, "
            "kind TEXT NOT NULL, starts_at TEXT NOT NULL, ends_at TEXT NOT NULL, all_day INTEGER NOT NULL, "
            "place TEXT NOT NULL, online_url TEXT NOT NULL, description TEXT NOT NULL, invited_json TEXT NOT NULL, "
            "status TEXT NOT NULL, sequence INTEGER NOT NULL, version INTEGER NOT NULL, record_id TEXT, "
            "published_at TEXT NOT NULL, published_by TEXT, updated_at TEXT NOT NULL)")
        tx.execute("CREATE INDEX IF NOT EXISTS calendar_events_by_network ON calendar_events (network_id, starts_at)")
        tx.execute("CREATE TABLE IF NOT EXISTS calendar_invited ("
                   "event_id TEXT NOT NULL, institution_id TEXT NOT NULL, PRIMARY KEY (institution_id, event_id))")

    def handle(self, tx: Tx, event: Any, notification_id: int) -> None:
        if not isinstance(event, (CalendarEvent.Published, CalendarEvent.Edited, CalendarEvent.Moved,
                                  CalendarEvent.Cancelled, CalendarEvent.AttendanceRecorded)):
            return
        oid, at, version = str(event.originator_id), recorded_at(event.timestamp), event.originator_version
        if isinstance(event, CalendarEvent.Published):
            d = event.details
            tx.execute(
                "INSERT INTO calendar_events (id, network_id, organiser_id, title, kind, starts_at, ends_at, all_day, "
                "place, online_url, description, invited_json, status, sequence, version, record_id, published_at, "
                "published_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'planned', 0, ?, NULL, ?, ?, ?)",
                (oid, str(event.network_id), str(event.organiser_id), d["title"], d["kind"],
                 event.starts_at.isoformat(), event.ends_at.isoformat(), int(event.all_day), d["place"],
                 d["online_url"], d["description"], to_json(d["invited_ids"]), version, at, event.actor_user_id, at))
            self._invite(tx, oid, d["invited_ids"])
            return
        sets: dict[str, Any] = {"version": version, "updated_at": at}
        if isinstance(event, CalendarEvent.Edited):
            for key, value in event.changes.items():
                sets["invited_json" if key == "invited_ids" else key] = to_json(value) if key == "invited_ids" else value
            if "invited_ids" in event.changes:
                tx.execute("DELETE FROM calendar_invited WHERE event_id = ?", (oid,))
                self._invite(tx, oid, event.changes["invited_ids"])
        elif isinstance(event, CalendarEvent.Moved):
            sets.update(starts_at=event.starts_at.isoformat(), ends_at=event.ends_at.isoformat(),
                        all_day=int(event.all_day))
        elif isinstance(event, CalendarEvent.Cancelled):
            sets["status"] = "cancelled"
        else:
            sets.update(status="held", record_id=str(event.record_id))
        bump = "" if isinstance(event, CalendarEvent.AttendanceRecorded) else ", sequence = sequence + 1"
        tx.execute(f"UPDATE calendar_events SET {', '.join(f'{k} = ?' for k in sets)}{bump} WHERE id = ?",
                   (*sets.values(), oid))

    @staticmethod
    def _invite(tx: Tx, event_id: str, institution_ids: list[Any]) -> None:
        tx.executemany("INSERT INTO calendar_invited (event_id, institution_id) VALUES (?, ?)",
                       [(event_id, str(i)) for i in institution_ids])


def event_row(row: dict[str, Any]) -> dict[str, Any]:
    """A stored row as the use cases read it: invited ids as a list, all_day as a bool."""
    return {**{k: v for k, v in row.items() if k != "invited_json"}, "all_day": bool(row["all_day"]),
            "invited_ids": json.loads(row["invited_json"])}
