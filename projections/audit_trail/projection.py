"""The audit trail.

- `audit_entries`: one row per stored event (every aggregate, not only records), keyed by its
  position in the log (notification id): recorded time (UTC), user, acting institution, the
  record's owner institution, aggregate id and version, kind, event type, reason, the change
  list (field, old, new) as JSON (a creation's as {field: new}: `projections.base.pack_changes`), and the network the event belongs to (`network_id`; for a
  municipality's own events none, and `municipality_id` instead), so that a municipality's people
  read only their own networks' trail.
- the state the next diff of a record starts from is the activity register's current row of it
  (`activity_records`: kind, network, owner, fields), not a copy of its own: a record's fields are stored
  once. The audit trail is therefore fed after the activity register and rebuilt with it (`rebuilt_with`).
- `audit_aggregate_networks`: the network (or municipality) of every other aggregate, from its
  creation event, for its later events (an institution's rename carries no network).

The chain hash of an entry is not copied here: the chain in the event store is the authority, and
queries attach it through a lookup the infrastructure supplies (see queries.attach_chain_hashes).
"""

from __future__ import annotations

from typing import Any

from eventsourcing.domain import Aggregate
from eventsourcing.utils import get_topic

from domain.privacy import PersonalDataAct
from domain.records import Record
from domain.registry import Municipality, Network
from projections.record_fields import record_fields
from projections.base import Tx, creation_columns, id_text, pack_changes, plain, recorded_at
from projections.redaction import redact_trail

NETWORK = Network.TOPIC.split(":", 1)[-1]  # "Network": the aggregate part of an event type
MUNICIPALITY = Municipality.TOPIC.split(":", 1)[-1]

# Payload keys that every event has and that the entry shows in its own columns.
_ENVELOPE = {"originator_id", "originator_version", "timestamp", "originator_topic", "actor_user_id",
             "actor_institution_id", "reason"}


def event_type(event: Any) -> str:
    """'Record.Corrected' from the event's explicit topic 'splot:Record.Corrected'."""
    topic = getattr(type(event), "TOPIC", None) or get_topic(type(event))
    return topic.split(":", 1)[-1]


def _plain(value: Any) -> Any:
    return plain(value)


def _payload(event: Any) -> dict[str, Any]:
    """The event's own fields; an event class that names `AUDIT_FIELDS` shows only those (issue 14: an investor
    inquiry's entries name its codename, never the investor's needs)."""
    shown = getattr(type(event), "AUDIT_FIELDS", None)
    return _plain({k: v for k, v in vars(event).items() if k not in _ENVELOPE and (shown is None or k in shown)})


def diff(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    """Changed fields, in a stable order: [{field, old, new}]. A field absent before has old = None."""
    return [{"field": k, "old": old.get(k), "new": new.get(k)}
            for k in sorted(set(old) | set(new)) if old.get(k) != new.get(k)]


class AuditTrailProjection:
    name = "audit_trail"
    version = 6  # v2: network_id / municipality_id of every entry; audit_aggregate_networks; v3: written in page
    # batches; v4: no audit_record_state (a record's previous fields are read from the activity register);
    # v5: a creation's changes stored as {field: new} (projections.base.pack_changes); v6: compact JSON, a record's
    # creation without its network and owner (in their columns: projections.base.creation_columns)
    tables = ("audit_entries", "audit_aggregate_networks")
    rebuilt_with = ("activity_register",)  # reads its tables as of the same position: reset together

    def create_tables(self, tx: Tx) -> None:
        tx.execute(
            "CREATE TABLE IF NOT EXISTS audit_entries ("
            "position BIGINT PRIMARY KEY, recorded_at TEXT NOT NULL, user_id TEXT, institution_id TEXT, "
            "owner_institution_id TEXT, record_id TEXT NOT NULL, version INTEGER NOT NULL, kind TEXT NOT NULL, "
            "event_type TEXT NOT NULL, reason TEXT, changes_json TEXT NOT NULL, network_id TEXT, municipality_id TEXT)"
        )
        tx.execute("CREATE INDEX IF NOT EXISTS audit_entries_by_network ON audit_entries (network_id, position)")
        tx.execute("CREATE INDEX IF NOT EXISTS audit_entries_by_record ON audit_entries (record_id, version)")
        tx.execute("CREATE INDEX IF NOT EXISTS audit_entries_by_time ON audit_entries (recorded_at)")
        tx.execute("CREATE INDEX IF NOT EXISTS audit_entries_by_user ON audit_entries (user_id, position)")
        tx.execute("DROP TABLE IF EXISTS audit_record_state")  # v3's copy of every record's fields
        tx.execute("CREATE TABLE IF NOT EXISTS audit_aggregate_networks ("
                   "aggregate_id TEXT PRIMARY KEY, network_id TEXT, municipality_id TEXT)")

    def __init__(self) -> None:
        self.discard()

    def discard(self) -> None:
        """Forgets what a page gathered (the runner calls it before every page). Entries and record states
        are written at the page's end (`flush`): a handler that reads or writes these tables with its own
        SQL calls `self.flush(tx)` first."""
        self._entries: list[tuple[Any, ...]] = []
        self._states: dict[str, dict[str, Any]] = {}  # record id -> {kind, owner, network, fields} as of this page
        self._networks: dict[str, tuple[str | None, str | None]] = {}  # aggregate id -> (network, municipality)
        self._new_networks: list[tuple[str, str | None]] = []

    def handle(self, tx: Tx, event: Any, notification_id: int) -> None:
        if isinstance(event, PersonalDataAct.RecordRedacted):  # the record's text gone (projections/redaction.py)
            if hasattr(self, "flush"):
                self.flush(tx)  # what the page gathered so far is written first: the redaction covers it too
            redact_trail(tx, str(event.record_id))  # then the act gets its own entry, as every event
        record_id = str(event.originator_id)
        etype = event_type(event)
        owner: str | None = None
        network_id: str | None = None
        municipality_id: str | None = None
        if isinstance(event, Record.Created):
            kind = event.record_kind
            owner = str(event.owner_institution_id)
            fields = {**_plain(event.fields), "owner_institution_id": owner}
            network_id = id_text(event.fields.get("network_id"))
            changes = diff({}, fields)
            self._states[record_id] = {"kind": kind, "owner_institution_id": owner, "network_id": network_id,
                                       "fields": fields}
        elif isinstance(event, (Record.Corrected, Record.Retracted)):
            state = self._state(tx, record_id)
            kind, owner, network_id = state["kind"], state["owner_institution_id"], state["network_id"]
            changes = []
            if isinstance(event, Record.Corrected):
                old = state["fields"]
                new = {**old, **_plain(event.changes)}
                changes = diff(old, new)
                owner = new.get("owner_institution_id", owner)
                state.update(owner_institution_id=owner, fields=new)
        else:
            kind = _aggregate_kind(etype)
            changes = diff({}, _payload(event))
            network_id, municipality_id = self._scope(tx, event, etype, record_id)
        columns = creation_columns({"event_type": etype, "network_id": network_id, "owner_institution_id": owner})
        self._entries.append(
            (notification_id, recorded_at(event.timestamp), getattr(event, "actor_user_id", None),
             id_text(getattr(event, "actor_institution_id", None)), owner, record_id, event.originator_version,
             kind, etype, getattr(event, "reason", None), pack_changes(changes, columns), network_id, municipality_id))

    def _state(self, tx: Tx, record_id: str) -> dict[str, Any]:
        """The record as of the event before this one: from this page, or the activity register's stored row,
        which stands where this page began (the register writes its page at the page's end, and both write out
        at a redaction) — its fields with the owner among them, as a creation's diff lists it."""
        if record_id not in self._states:
            row = tx.execute("SELECT kind, owner_institution_id, network_id, occurred_on, title, subkind, fields_json "
                             "FROM activity_records WHERE record_id = ?", (record_id,))[0]
            owner = row["owner_institution_id"]
            self._states[record_id] = {"kind": row["kind"], "owner_institution_id": owner,
                                       "network_id": row["network_id"],
                                       "fields": {**record_fields(row), "owner_institution_id": owner}}
        return self._states[record_id]

    def flush(self, tx: Tx) -> None:
        """Writes the page's entries, one `executemany` per table."""
        entries, networks = self._entries, self._new_networks
        self.discard()
        if networks:
            tx.executemany("INSERT INTO audit_aggregate_networks (aggregate_id, network_id, municipality_id) "
                           "VALUES (?, ?, NULL)", networks)
        if entries:
            tx.executemany(
                "INSERT INTO audit_entries (position, recorded_at, user_id, institution_id, owner_institution_id, "
                "record_id, version, kind, event_type, reason, changes_json, network_id, municipality_id) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", entries)

    def _scope(self, tx: Tx, event: Any, etype: str, aggregate_id: str) -> tuple[str | None, str | None]:
        """(network, municipality) of a non-record event: a network's events are its own, a
        municipality's its own; any other aggregate names its network on its creation event."""
        aggregate = etype.split(".", 1)[0]
        if aggregate == NETWORK:
            return aggregate_id, None
        if aggregate == MUNICIPALITY:
            return None, aggregate_id
        if isinstance(event, Aggregate.Created):
            network_id = id_text(getattr(event, "network_id", None))
            self._networks[aggregate_id] = (network_id, None)
            self._new_networks.append((aggregate_id, network_id))
            return network_id, None
        if aggregate_id not in self._networks:
            rows = tx.execute("SELECT network_id, municipality_id FROM audit_aggregate_networks "
                              "WHERE aggregate_id = ?", (aggregate_id,))
            self._networks[aggregate_id] = (rows[0]["network_id"], rows[0]["municipality_id"]) if rows else (None, None)
        return self._networks[aggregate_id]


def _aggregate_kind(etype: str) -> str:
    """'ReportingYear.Closed' -> 'reporting_year'."""
    name = etype.split(".", 1)[0]
    return "".join(f"_{c.lower()}" if c.isupper() and i else c.lower() for i, c in enumerate(name))
