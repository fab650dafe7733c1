"""What a bulk import asks of the store in bulk (domain/use_cases/imports.py's `ImportBulk`): which of many
streams (the rows' idempotency keys) are in the log, in one query per 500 ids instead of one per row, and the
free-text keys of a batch of new records made in one directory transaction (infra/record_keys.py)."""

from __future__ import annotations

from typing import Any, Iterable, Iterator, Sequence
from uuid import UUID

from eventsourcing.sqlite import SQLiteAggregateRecorder

CHUNK = 500  # ids per statement: under SQLite's oldest parameter limit (999)


class ImportStore:
    def __init__(self, recorder: Any, keys: Any | None = None) -> None:
        self.recorder = recorder
        self.keys = keys  # RecordKeys, when records' free text is sealed (infra/field_cipher.py)

    def existing(self, stream_ids: Sequence[UUID]) -> set[UUID]:
        """Those of `stream_ids` that have at least one event in the log."""
        if not isinstance(self.recorder, SQLiteAggregateRecorder):  # elsewhere: the library's read, one per id
            return {i for i in stream_ids if self.recorder.select_events(i, desc=True, limit=1)}
        found: set[UUID] = set()
        table = self.recorder.events_table_name
        with self.recorder.datastore.transaction(commit=False) as c:
            for chunk in _chunks(list(stream_ids)):
                c.execute(f"SELECT DISTINCT originator_id FROM {table} WHERE originator_id IN "
                          f"({', '.join('?' for _ in chunk)})", [i.hex for i in chunk])
                found.update(UUID(row[0]) for row in c.fetchall())
        return found

    def keys_for_new_records(self, record_ids: Iterable[UUID]) -> None:
        if self.keys is not None:
            self.keys.keys_for_new_records(record_ids)


def _chunks(values: list[UUID]) -> Iterator[list[UUID]]:
    for i in range(0, len(values), CHUNK):
        yield values[i:i + CHUNK]
