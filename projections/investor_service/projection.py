"""The investor service's tables, written from the events of domain/investor.py.

- `investor_inquiries`: each inquiry's current state (codename, sectors, needs, received, due, answered, the
  sites offered, outcome), with who changed it last and when — the indicators are computed from it
  (indicators.py), at query time, as of a date.
- `investor_sites`, `investor_site_shares` (the networks a site is shared with), `investor_site_photos`,
  `investor_site_history` (one row per event of a site: who, when, what changed, for "kept current").
- `investor_trainings`, `investor_standards` (a municipality's response time in working days).
"""

from __future__ import annotations

from typing import Any

from domain.investor import InvestmentSite, InvestorInquiry, ServiceStandard, ServiceTraining
from projections.base import Tx, id_text, recorded_at, to_json

_SITE_COLUMNS = ("name", "area_m2", "zoning", "utilities", "ownership", "status", "address", "plots", "latitude",
                 "longitude", "description")


def _site_values(fields: dict[str, Any]) -> list[Any]:
    """A site's fields as its columns: utilities as ',water,power,' (so a filter is a LIKE), coordinates as text."""
    values = []
    for column in _SITE_COLUMNS:
        value = fields.get(column)
        if column == "utilities":
            value = "," + ",".join(value or []) + ","
        elif column in ("latitude", "longitude") and value is not None:
            value = repr(float(value))
        values.append(value)
    return values


class InvestorServiceProjection:
    name = "investor_service"
    version = 1
    tables = ("investor_inquiries", "investor_sites", "investor_site_shares", "investor_site_photos",
              "investor_site_history", "investor_trainings", "investor_standards")

    def create_tables(self, tx: Tx) -> None:
        tx.execute(
            "CREATE TABLE IF NOT EXISTS investor_inquiries (id TEXT PRIMARY KEY, network_id TEXT NOT NULL, "
            "codename TEXT NOT NULL, sectors_json TEXT NOT NULL, needs_json TEXT NOT NULL, received_on TEXT NOT NULL, "
            "due_on TEXT NOT NULL, standard_days INTEGER NOT NULL, answered_on TEXT, site_ids_json TEXT NOT NULL, "
            "outcome TEXT NOT NULL, decided_on TEXT, notes TEXT, created_at TEXT NOT NULL, created_by TEXT, "
            "updated_at TEXT NOT NULL, updated_by TEXT, version INTEGER NOT NULL)")
        tx.execute("CREATE INDEX IF NOT EXISTS investor_inquiries_by_network ON investor_inquiries (network_id)")
        tx.execute(
            "CREATE TABLE IF NOT EXISTS investor_sites (id TEXT PRIMARY KEY, network_id TEXT NOT NULL, "
            "name TEXT NOT NULL, area_m2 BIGINT NOT NULL, zoning TEXT NOT NULL, utilities TEXT NOT NULL, "
            "ownership TEXT NOT NULL, status TEXT NOT NULL, address TEXT NOT NULL, plots TEXT NOT NULL, latitude TEXT, "
            "longitude TEXT, description TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL, updated_by TEXT, "
            "version INTEGER NOT NULL)")
        tx.execute("CREATE INDEX IF NOT EXISTS investor_sites_by_network ON investor_sites (network_id)")
        tx.execute("CREATE TABLE IF NOT EXISTS investor_site_shares (site_id TEXT NOT NULL, network_id TEXT NOT NULL, "
                   "PRIMARY KEY (site_id, network_id))")
        tx.execute(
            "CREATE TABLE IF NOT EXISTS investor_site_photos (photo_id TEXT PRIMARY KEY, site_id TEXT NOT NULL, "
            "content_type TEXT NOT NULL, size BIGINT NOT NULL, sha256 TEXT NOT NULL, caption TEXT NOT NULL, "
            "added_at TEXT NOT NULL, seq BIGINT NOT NULL)")
        tx.execute(
            "CREATE TABLE IF NOT EXISTS investor_site_history (site_id TEXT NOT NULL, version INTEGER NOT NULL, "
            "recorded_at TEXT NOT NULL, user_id TEXT, event_type TEXT NOT NULL, changes_json TEXT NOT NULL, "
            "PRIMARY KEY (site_id, version))")
        tx.execute(
            "CREATE TABLE IF NOT EXISTS investor_trainings (id TEXT PRIMARY KEY, network_id TEXT NOT NULL, "
            "trainee_user_id TEXT, trainee_person_id TEXT, module TEXT NOT NULL, held_on TEXT NOT NULL, "
            "certificate INTEGER NOT NULL, removed INTEGER NOT NULL, recorded_at TEXT NOT NULL, recorded_by TEXT)")
        tx.execute("CREATE TABLE IF NOT EXISTS investor_standards (standard_id TEXT PRIMARY KEY, municipality_id TEXT, "
                   "network_id TEXT NOT NULL, working_days INTEGER NOT NULL, changed_at TEXT NOT NULL)")

    def handle(self, tx: Tx, event: Any, notification_id: int) -> None:
        if isinstance(event, (InvestorInquiry.Received, InvestorInquiry.DetailsChanged, InvestorInquiry.Answered,
                              InvestorInquiry.OutcomeSet)):
            self._inquiry(tx, event)
        elif isinstance(event, (InvestmentSite.Registered, InvestmentSite.Changed, InvestmentSite.PhotoAdded,
                                InvestmentSite.PhotoRemoved, InvestmentSite.SharingChanged)):
            self._site(tx, event, notification_id)
        elif isinstance(event, ServiceTraining.Recorded):
            tx.execute("INSERT INTO investor_trainings (id, network_id, trainee_user_id, trainee_person_id, module, "
                       "held_on, certificate, removed, recorded_at, recorded_by) VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?)",
                       (str(event.originator_id), str(event.network_id), event.trainee_user_id,
                        event.trainee_person_id, event.module, event.held_on.isoformat(), int(event.certificate),
                        recorded_at(event.timestamp), event.actor_user_id))
        elif isinstance(event, ServiceTraining.Removed):
            tx.execute("UPDATE investor_trainings SET removed = 1 WHERE id = ?", (str(event.originator_id),))
        elif isinstance(event, ServiceStandard.Created):
            tx.execute("INSERT INTO investor_standards (standard_id, municipality_id, network_id, working_days, "
                       "changed_at) VALUES (?, ?, ?, ?, ?)",
                       (str(event.originator_id), str(event.municipality_id), str(event.network_id),
                        event.working_days, recorded_at(event.timestamp)))
        elif isinstance(event, ServiceStandard.ResponseTimeChanged):
            tx.execute("UPDATE investor_standards SET working_days = ?, changed_at = ? WHERE standard_id = ?",
                       (event.working_days, recorded_at(event.timestamp), str(event.originator_id)))

    @staticmethod
    def _inquiry(tx: Tx, event: Any) -> None:
        inquiry_id, at, by = str(event.originator_id), recorded_at(event.timestamp), event.actor_user_id
        if isinstance(event, InvestorInquiry.Received):
            tx.execute(
                "INSERT INTO investor_inquiries (id, network_id, codename, sectors_json, needs_json, received_on, "
                "due_on, standard_days, answered_on, site_ids_json, outcome, decided_on, notes, created_at, created_by, "
                "updated_at, updated_by, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, '[]', 'open', NULL, ?, ?, ?, "
                "?, ?, ?)",
                (inquiry_id, str(event.network_id), event.codename, to_json(event.sectors), to_json(event.needs),
                 event.received_on.isoformat(), event.due_on.isoformat(), event.standard_days, event.notes, at, by,
                 at, by, event.originator_version))
            return
        if isinstance(event, InvestorInquiry.DetailsChanged):
            sql, params = ("codename = ?, sectors_json = ?, needs_json = ?, received_on = ?, due_on = ?, notes = ?",
                           [event.codename, to_json(event.sectors), to_json(event.needs),
                            event.received_on.isoformat(), event.due_on.isoformat(), event.notes])
        elif isinstance(event, InvestorInquiry.Answered):
            sql, params = "answered_on = ?, site_ids_json = ?", [event.answered_on.isoformat(), to_json(event.site_ids)]
        else:
            sql, params = "outcome = ?, decided_on = ?", [event.outcome, event.decided_on.isoformat()]
        tx.execute(f"UPDATE investor_inquiries SET {sql}, updated_at = ?, updated_by = ?, version = ? WHERE id = ?",
                   (*params, at, by, event.originator_version, inquiry_id))

    @staticmethod
    def _site(tx: Tx, event: Any, notification_id: int) -> None:
        site_id, at, by = str(event.originator_id), recorded_at(event.timestamp), event.actor_user_id
        etype = type(event).TOPIC.split(".", 1)[-1]
        changes: dict[str, Any]
        if isinstance(event, InvestmentSite.Registered):
            changes = dict(event.fields)
            tx.execute(f"INSERT INTO investor_sites (id, network_id, {', '.join(_SITE_COLUMNS)}, created_at, updated_at, "
                       f"updated_by, version) VALUES (?, ?, {', '.join('?' for _ in _SITE_COLUMNS)}, ?, ?, ?, ?)",
                       (site_id, str(event.network_id), *_site_values(event.fields), at, at, by,
                        event.originator_version))
        else:
            if isinstance(event, InvestmentSite.Changed):
                changes = dict(event.changes)
                columns = [c for c in _SITE_COLUMNS if c in changes]
                values = dict(zip(_SITE_COLUMNS, _site_values({**{c: None for c in _SITE_COLUMNS}, **changes})))
                tx.execute(f"UPDATE investor_sites SET {', '.join(f'{c} = ?' for c in columns)} WHERE id = ?",
                           (*[values[c] for c in columns], site_id))
            elif isinstance(event, InvestmentSite.PhotoAdded):
                changes = {"photo_id": event.photo_id, "caption": event.caption, "content_type": event.content_type,
                           "size": event.size}
                tx.execute("INSERT INTO investor_site_photos (photo_id, site_id, content_type, size, sha256, caption, "
                           "added_at, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                           (event.photo_id, site_id, event.content_type, event.size, event.sha256, event.caption, at,
                            notification_id))
            elif isinstance(event, InvestmentSite.PhotoRemoved):
                changes = {"photo_id": event.photo_id}
                tx.execute("DELETE FROM investor_site_photos WHERE photo_id = ?", (event.photo_id,))
            else:
                changes = {"network_ids": list(event.network_ids)}
                tx.execute("DELETE FROM investor_site_shares WHERE site_id = ?", (site_id,))
                tx.executemany("INSERT INTO investor_site_shares (site_id, network_id) VALUES (?, ?)",
                               [(site_id, n) for n in event.network_ids])
            tx.execute("UPDATE investor_sites SET updated_at = ?, updated_by = ?, version = ? WHERE id = ?",
                       (at, by, event.originator_version, site_id))
        tx.execute("INSERT INTO investor_site_history (site_id, version, recorded_at, user_id, event_type, "
                   "changes_json) VALUES (?, ?, ?, ?, ?, ?)",
                   (site_id, event.originator_version, at, id_text(by), etype, to_json(changes)))
