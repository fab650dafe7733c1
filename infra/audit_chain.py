"""The audit hash chain: one link per stored event, written in the same transaction as the event.

Every link hashes a canonical encoding of its stored event (position, notification id,
originator id, version, topic, SHA-256 of the stored state bytes) together with the previous
link's hash. Changing, deleting, reordering or inserting a stored event behind the
application's back therefore breaks the chain at that event (see infra/verify.py); a
consistent rewrite of the whole chain is caught against a signed checkpoint
(infra/checkpoints.py) kept outside the database.

The chain table is `<events table>_chain` (`stored_events_chain` on SQLite,
`splot_events_chain` on PostgreSQL). `seq` is the gapless position 1..n in commit order.

The recorders are activated by `APPLICATION_RECORDER_TOPIC` (infra/persistence.py). Writers are
serialised by the store itself — SQLite's single writer lock, taken by the events INSERT, and
PostgreSQL's `LOCK TABLE ... IN EXCLUSIVE MODE` — so the previous link read after the insert is
the one this transaction follows.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, Callable, Sequence
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor
from psycopg.sql import SQL, Identifier

GENESIS_HASH = "0" * 64
ENCODING_VERSION = b"splot-chain-v1"
_SEP = b"\x1f"  # ASCII unit separator: cannot occur in the decimal, hex and topic fields


@dataclass(frozen=True)
class ChainLink:
    seq: int
    notification_id: int
    originator_id: str
    originator_version: int
    hash: str
    prev_hash: str


@dataclass(frozen=True)
class LoggedEvent:
    """A stored event as read back for verification, in notification order."""

    notification_id: int
    originator_id: str
    originator_version: int
    topic: str
    state: bytes


def canonical_originator_id(value: object) -> str:
    """UUIDs in their hyphenated lower-case form whatever the store keeps (SQLite: hex, PostgreSQL: uuid)."""
    if isinstance(value, UUID):
        return str(value)
    text = str(value)
    try:
        return str(UUID(text))
    except ValueError:
        return text


def canonical_bytes(seq: int, notification_id: int, originator_id: object, originator_version: int,
                    topic: str, state: bytes) -> bytes:
    return _SEP.join([
        ENCODING_VERSION,
        str(seq).encode(),
        str(notification_id).encode(),
        canonical_originator_id(originator_id).encode(),
        str(originator_version).encode(),
        topic.encode("utf-8"),
        hashlib.sha256(bytes(state)).hexdigest().encode(),
    ])


def link_hash(prev_hash: str, seq: int, notification_id: int, originator_id: object, originator_version: int,
              topic: str, state: bytes) -> str:
    digest = hashlib.sha256(prev_hash.encode())
    digest.update(_SEP)
    digest.update(canonical_bytes(seq, notification_id, originator_id, originator_version, topic, state))
    return digest.hexdigest()


def build_links(last_seq: int, last_hash: str, notification_ids: Sequence[int],
                stored_events: Sequence[StoredEvent]) -> list[ChainLink]:
    links = []
    seq, prev = last_seq, last_hash
    for notification_id, s in zip(notification_ids, stored_events, strict=True):
        seq += 1
        h = link_hash(prev, seq, notification_id, s.originator_id, s.originator_version, s.topic, s.state)
        links.append(ChainLink(seq, notification_id, canonical_originator_id(s.originator_id),
                               s.originator_version, h, prev))
        prev = h
    return links


def _row_values(link: ChainLink) -> tuple[Any, ...]:
    return (link.seq, link.notification_id, link.originator_id, link.originator_version, link.hash, link.prev_hash)


# --------------------------------------------------------------------------------------------- SQLite
class ChainedSQLiteApplicationRecorder(SQLiteApplicationRecorder):
    """SQLite application recorder that appends chain links in the events' own transaction."""

    def __init__(self, datastore: Any, events_table_name: str = "stored_events") -> None:
        self.chain_table_name = f"{events_table_name}_chain"
        super().__init__(datastore, events_table_name)

    def construct_create_table_statements(self) -> list[str]:
        return [
            *super().construct_create_table_statements(),
            f"CREATE TABLE IF NOT EXISTS {self.chain_table_name} ("
            "seq INTEGER PRIMARY KEY, notification_id INTEGER NOT NULL UNIQUE, originator_id TEXT NOT NULL, "
            "originator_version INTEGER NOT NULL, hash TEXT NOT NULL, prev_hash TEXT NOT NULL)",
        ]

    def _insert_events(self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any
                       ) -> Sequence[int] | None:
        notification_ids = super()._insert_events(c, stored_events, **kwargs)
        if not stored_events:
            return notification_ids
        assert notification_ids is not None
        c.execute(f"SELECT seq, hash FROM {self.chain_table_name} ORDER BY seq DESC LIMIT 1")
        row = c.fetchone()
        last_seq, last_hash = (row[0], row[1]) if row else (0, GENESIS_HASH)
        links = build_links(last_seq, last_hash, notification_ids, stored_events)
        c.executemany(f"INSERT INTO {self.chain_table_name} VALUES (?,?,?,?,?,?)", [_row_values(l) for l in links])
        return notification_ids

    # -- reading, for the verifier --------------------------------------------------------------
    def read_chain(self, after_seq: int, limit: int) -> list[ChainLink]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT seq, notification_id, originator_id, originator_version, hash, prev_hash "
                      f"FROM {self.chain_table_name} WHERE seq > ? ORDER BY seq LIMIT ?", (after_seq, limit))
            return [ChainLink(*tuple(r)) for r in c.fetchall()]

    def read_events(self, after_notification_id: int, limit: int) -> list[LoggedEvent]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT rowid, originator_id, originator_version, topic, state FROM {self.events_table_name} "
                      "WHERE rowid > ? ORDER BY rowid LIMIT ?", (after_notification_id, limit))
            return [LoggedEvent(r[0], r[1], r[2], r[3], r[4]) for r in c.fetchall()]

    def hashes_for(self, notification_ids: Sequence[int]) -> dict[int, str]:
        if not notification_ids:
            return {}
        marks = ",".join("?" * len(notification_ids))
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT notification_id, hash FROM {self.chain_table_name} "
                      f"WHERE notification_id IN ({marks})", list(notification_ids))
            return {r[0]: r[1] for r in c.fetchall()}

    def chain_head(self) -> ChainLink | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT seq, notification_id, originator_id, originator_version, hash, prev_hash "
                      f"FROM {self.chain_table_name} ORDER BY seq DESC LIMIT 1")
            row = c.fetchone()
            return ChainLink(*tuple(row)) if row else None

    def count_events(self) -> int:
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT COUNT(*) FROM {self.events_table_name}")
            return c.fetchone()[0]

    def select_newer_events(self, versions: dict[Any, int]) -> list[StoredEvent]:
        """The stored events of several aggregates after the given versions, in one read (a write's reference
        checks bring every cached aggregate they read up to the log at once: domain/application.py)."""
        if not versions:
            return []
        where = " OR ".join("(originator_id=? AND originator_version>?)" for _ in versions)
        params = [value for originator_id, version in versions.items()
                  for value in (originator_id.hex if isinstance(originator_id, UUID) else originator_id, version)]
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT originator_id, originator_version, topic, state FROM {self.events_table_name} "
                      f"WHERE {where} ORDER BY rowid", params)
            return [StoredEvent(originator_id=self.convert_originator_id(r["originator_id"]),
                                originator_version=r["originator_version"], topic=r["topic"], state=r["state"])
                    for r in c.fetchall()]


# ----------------------------------------------------------------------------------------- PostgreSQL
class ChainedPostgresApplicationRecorder(PostgresApplicationRecorder):
    """PostgreSQL application recorder that appends chain links inside the locked insert transaction."""

    def __init__(self, datastore: Any, *, events_table_name: str = "stored_events") -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        self.chain_table_name = f"{events_table_name}_chain"
        chain = Identifier(self.chain_table_name)
        schema = Identifier(self.datastore.schema)
        self.sql_create_statements.append(SQL(
            "CREATE TABLE IF NOT EXISTS {schema}.{chain} ("
            "seq bigint PRIMARY KEY, notification_id bigint NOT NULL UNIQUE, originator_id text NOT NULL, "
            "originator_version bigint NOT NULL, hash text NOT NULL, prev_hash text NOT NULL)"
        ).format(schema=schema, chain=chain))
        self._select_head = SQL(
            "SELECT seq, notification_id, originator_id, originator_version, hash, prev_hash "
            "FROM {schema}.{chain} ORDER BY seq DESC LIMIT 1").format(schema=schema, chain=chain)
        self._insert_links = SQL("INSERT INTO {schema}.{chain} VALUES (%s, %s, %s, %s, %s, %s)").format(
            schema=schema, chain=chain)
        self._select_chain = SQL(
            "SELECT seq, notification_id, originator_id, originator_version, hash, prev_hash "
            "FROM {schema}.{chain} WHERE seq > %s ORDER BY seq LIMIT %s").format(schema=schema, chain=chain)
        self._select_events = SQL(
            "SELECT notification_id, originator_id, originator_version, topic, state FROM {schema}.{table} "
            "WHERE notification_id > %s ORDER BY notification_id LIMIT %s").format(
            schema=schema, table=Identifier(self.events_table_name))
        self._select_hashes = SQL(
            "SELECT notification_id, hash FROM {schema}.{chain} WHERE notification_id = ANY(%s)").format(
            schema=schema, chain=chain)
        self._count_events = SQL("SELECT COUNT(*) AS n FROM {schema}.{table}").format(
            schema=schema, table=Identifier(self.events_table_name))

    def _fetch_ids_after_insert_events(self, curs: Any, stored_events: Sequence[StoredEvent], **kwargs: Any
                                       ) -> Sequence[int] | None:
        notification_ids = super()._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
        if not stored_events:
            return notification_ids
        assert notification_ids is not None
        # The events table is locked EXCLUSIVE by this transaction: no other writer can append a link.
        curs.execute(self._select_head)
        row = curs.fetchone()
        last_seq, last_hash = (row["seq"], row["hash"]) if row else (0, GENESIS_HASH)
        links = build_links(last_seq, last_hash, notification_ids, stored_events)
        curs.executemany(self._insert_links, [_row_values(l) for l in links])
        return notification_ids

    def read_chain(self, after_seq: int, limit: int) -> list[ChainLink]:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(self._select_chain, (after_seq, limit))
            return [ChainLink(r["seq"], r["notification_id"], r["originator_id"], r["originator_version"],
                              r["hash"], r["prev_hash"]) for r in curs.fetchall()]

    def read_events(self, after_notification_id: int, limit: int) -> list[LoggedEvent]:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(self._select_events, (after_notification_id, limit))
            return [LoggedEvent(r["notification_id"], r["originator_id"], r["originator_version"], r["topic"],
                                bytes(r["state"])) for r in curs.fetchall()]

    def hashes_for(self, notification_ids: Sequence[int]) -> dict[int, str]:
        if not notification_ids:
            return {}
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(self._select_hashes, (list(notification_ids),))
            return {r["notification_id"]: r["hash"] for r in curs.fetchall()}

    def chain_head(self) -> ChainLink | None:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(self._select_head)
            r = curs.fetchone()
            return None if r is None else ChainLink(r["seq"], r["notification_id"], r["originator_id"],
                                                    r["originator_version"], r["hash"], r["prev_hash"])

    def count_events(self) -> int:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(self._count_events)
            return curs.fetchone()["n"]

    def select_newer_events(self, versions: dict[Any, int]) -> list[StoredEvent]:
        """As the SQLite recorder's: several aggregates' events after the given versions, in one query."""
        if not versions:
            return []
        where = SQL(" OR ").join(SQL("(originator_id = %s AND originator_version > %s)") for _ in versions)
        statement = SQL("SELECT originator_id, originator_version, topic, state FROM {schema}.{table} WHERE {where} "
                        "ORDER BY notification_id").format(schema=Identifier(self.datastore.schema),
                                                           table=Identifier(self.events_table_name), where=where)
        params = [value for originator_id, version in versions.items() for value in (originator_id, version)]
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(statement, params)
            return [StoredEvent(originator_id=r["originator_id"], originator_version=r["originator_version"],
                                topic=r["topic"], state=bytes(r["state"])) for r in curs.fetchall()]


SQLITE_RECORDER_TOPIC = f"{__name__}:ChainedSQLiteApplicationRecorder"
POSTGRES_RECORDER_TOPIC = f"{__name__}:ChainedPostgresApplicationRecorder"


def is_chained(recorder: object) -> bool:
    return hasattr(recorder, "read_chain") and hasattr(recorder, "read_events")


def chain_lookup(recorder: object) -> Callable[[list[int]], dict[int, str]] | None:
    """Positions -> chain hash, for the audit trail's entries; None where the store keeps no chain."""
    return recorder.hashes_for if is_chained(recorder) else None  # type: ignore[attr-defined]
