"""What every read model is: a set of tables, and a pure handler writing them from events.

A projection never commits. The runner (infra) opens one transaction per page of
notifications, calls `handle` for each event, then writes the projection's tracking position
in the same transaction — so a crash can neither lose nor double an event.

SQL here is portable between SQLite and PostgreSQL: `?` placeholders (translated for
PostgreSQL by the Tx implementation), TEXT/BIGINT/INTEGER columns, ISO strings for dates
and UTC timestamps, `ON CONFLICT ... DO UPDATE` upserts.
"""

from __future__ import annotations

import base64
import json
from functools import lru_cache
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Mapping, Protocol, Sequence
from uuid import UUID

from domain.values import WARSAW


class Tx(Protocol):
    """A database transaction handed to projections and queries."""

    dialect: str  # "sqlite" or "postgres"

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]: ...

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None: ...


class Projection(Protocol):
    name: str  # tracking key; also the prefix of its tables
    version: int  # bump when the tables or the handler change: the runner then rebuilds it
    tables: tuple[str, ...]

    def create_tables(self, tx: Tx) -> None: ...

    def handle(self, tx: Tx, event: Any, notification_id: int) -> None: ...

    # Optional: `flush(self, tx)` — called once at the end of every page, in the same transaction, in
    # the projections' order, for projections that gather a page's rows and write them in bulk
    # (activity_register, audit_trail) or batch expensive work (indicator_values); `discard(self)` —
    # called before every page, to forget what a page that rolled back had gathered.


def drop_tables(tx: Tx, projection: Projection) -> None:
    for table in projection.tables:
        tx.execute(f"DROP TABLE IF EXISTS {table}")


@lru_cache(maxsize=256)  # several read models ask for the same event's time in a row
def recorded_at(value: datetime) -> str:
    """Fixed-width UTC timestamp text, so that string order is time order."""
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def end_of_warsaw_day(day: date) -> str:
    """The recorded-time bound of an as-of date: everything recorded before the next Warsaw midnight."""
    midnight = datetime.combine(day + timedelta(days=1), time.min, tzinfo=WARSAW)
    return recorded_at(midnight)


def to_json(value: Any) -> str:
    return json.dumps(value, default=_json_default, ensure_ascii=False, sort_keys=True)


def _record_creations() -> frozenset[str]:
    """The event types of a record's creation ('Record.ContactEstablished', ...): Record.Created and its kinds."""
    from domain.records import Record

    return frozenset(c.TOPIC.split(":", 1)[-1] for c in (Record.Created, *Record.Created.__subclasses__()))


RECORD_CREATIONS = _record_creations()
# A record's creation lists these among its changes, and its audit entry holds them in columns of the same names.
_CREATION_COLUMNS = ("network_id", "owner_institution_id")


def creation_columns(entry: Mapping[str, Any]) -> dict[str, Any] | None:
    """For a record's creation entry (a row or the values going into one: event_type, network_id,
    owner_institution_id), the columns its packed changes leave out; None for any other entry."""
    if entry.get("event_type") not in RECORD_CREATIONS:
        return None
    return {column: entry.get(column) for column in _CREATION_COLUMNS}


def pack_changes(changes: list[dict[str, Any]], columns: Mapping[str, Any] | None = None) -> str:
    """An audit entry's change list as stored, compact: a diff whose every old value is None (a creation's) as
    {field: new}, about half the size, without the fields whose value the entry's `columns` hold (a record's
    network and owner: `creation_columns`); any other as the list [{field, old, new}]. `unpack_changes`
    (given the same columns) reverses it."""
    if changes and all(c.keys() == {"field", "old", "new"} and c["old"] is None for c in changes):
        columns = columns or {}
        return _compact({c["field"]: c["new"] for c in changes
                         if not (isinstance(c["new"], str) and columns.get(c["field"]) == c["new"])})
    return _compact(changes)


def unpack_changes(text: str, columns: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
    """The [{field, old, new}] (sorted by field) that `pack_changes` stored with these `columns`."""
    value = json.loads(text)
    if isinstance(value, dict):
        for field, column_value in (columns or {}).items():
            if field not in value and column_value is not None:
                value[field] = column_value
        return [{"field": k, "new": v, "old": None} for k, v in sorted(value.items())]
    return value


def _compact(value: Any) -> str:
    return json.dumps(value, default=_json_default, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def plain(value: Any) -> Any:
    """`value` as JSON would give it back (`json.loads(to_json(value))`: ids and dates as text, tuples as lists,
    keys as text) without the round trip through a string — the handlers do this to every record event."""
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return value
    if kind is dict:
        return {(k if type(k) is str else _key(k)): plain(v) for k, v in value.items()}
    if kind is list or kind is tuple:
        return [plain(v) for v in value]
    if kind is UUID:
        return str(value)
    if kind is float:
        return json.loads(json.dumps(value))  # nan/inf as json spells them
    if isinstance(value, (dict, list, tuple, str, int)):  # subclasses: as json.dumps treats them
        return json.loads(to_json(value))
    return _json_default(value)


def _key(key: Any) -> str:
    return json.loads(json.dumps({key: 0}, default=_json_default)).popitem()[0]


def _json_default(value: Any) -> Any:
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value)}")


def id_text(value: UUID | str | None) -> str | None:
    return None if value is None else str(value)


class BadCursor(ValueError):
    """A paging cursor this server did not hand out (the client's mistake, never a server error)."""


def encode_cursor(tag: str, *values: str | int) -> str:
    """An opaque paging cursor: the read model's tag and the sort key of the last row seen."""
    return base64.urlsafe_b64encode(json.dumps([tag, *values]).encode()).decode().rstrip("=")


def _storable(value: Any) -> bool:
    """A value a query can bind: text that is valid UTF-8 (no lone surrogate), an integer in 64 bits."""
    if isinstance(value, str):
        return not any("\ud800" <= c <= "\udfff" for c in value)
    return isinstance(value, int) and -2**63 <= value < 2**63


def decode_cursor(cursor: str, tag: str, *types: type) -> tuple[Any, ...]:
    """The sort key inside a cursor made by `encode_cursor(tag, ...)`, its values of `types`."""
    try:
        decoded = json.loads(base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode()))
        if (not isinstance(decoded, list) or decoded[:1] != [tag] or len(decoded) != len(types) + 1
                or not all(type(v) is t for v, t in zip(decoded[1:], types))
                or not all(_storable(v) for v in decoded[1:])):
            raise ValueError
        return tuple(decoded[1:])
    except Exception as error:  # any malformed cursor is the client's mistake
        raise BadCursor("The cursor is not valid; start again without it.") from error
