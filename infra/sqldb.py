"""Relational databases beside the event store: read models ("views") and the directory.

Two implementations of one small interface — `transaction(write=...)` yielding a `Tx` (see
projections/base.py) — one over SQLite files, one over PostgreSQL. Write transactions on
SQLite begin IMMEDIATE, so two runners never interleave and a tracking position read inside
the transaction is the one that gets updated.
"""

from __future__ import annotations

import re
import sqlite3
import threading
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Sequence

_PLACEHOLDER = re.compile(r"\?")


class SQLiteTx:
    dialect = "sqlite"

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        cursor = self.connection.execute(sql, tuple(params))
        if cursor.description is None:
            return []
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        self.connection.executemany(sql, rows)


class SQLiteDatabase:
    """One SQLite file (WAL, synchronous FULL), or a private in-memory database for tests."""

    dialect = "sqlite"

    def __init__(self, path: Path | str | None) -> None:
        if path is None or str(path) == ":memory:":
            self.uri = f"file:splot-{uuid.uuid4().hex}?mode=memory&cache=shared"
            self._anchor: sqlite3.Connection | None = self._connect()  # keeps the memory db alive
        else:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            self.uri = Path(path).resolve().as_uri()
            self._anchor = None
            with self._raw_connection() as connection:
                connection.execute("PRAGMA journal_mode=WAL")
        self._local = threading.local()
        self._write_lock = threading.RLock()  # in-process writers queue here instead of busy-waiting
        # A shared-cache memory database locks per table and answers SQLITE_LOCKED at once (no busy wait): a
        # read beside a write fails ("database table is locked"). It lives in one process, so every
        # transaction of it takes the lock; a file database keeps concurrent readers (WAL).
        self._lock_reads = self._anchor is not None

    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self.uri, uri=True, isolation_level=None, check_same_thread=False,
                                     timeout=30)
        connection.execute("PRAGMA synchronous=FULL")
        connection.execute("PRAGMA foreign_keys=ON")
        return connection

    @contextmanager
    def _raw_connection(self) -> Iterator[sqlite3.Connection]:
        connection = self._connect()
        try:
            yield connection
        finally:
            connection.close()

    def _thread_connection(self) -> sqlite3.Connection:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = self._connect()
            self._local.connection = connection
        return connection

    @contextmanager
    def transaction(self, *, write: bool = False) -> Iterator[SQLiteTx]:
        connection = self._thread_connection()
        lock = self._write_lock if write or self._lock_reads else None
        if lock:
            lock.acquire()
        try:
            connection.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            try:
                yield SQLiteTx(connection)
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")
        finally:
            if lock:
                lock.release()

    def close(self) -> None:
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            connection.close()
            self._local.connection = None
        if self._anchor is not None:
            self._anchor.close()
            self._anchor = None


# `INSERT INTO table (columns) VALUES (?, ..., ?)` and nothing else (no ON CONFLICT, no literal values): rows
# that such a statement would insert one by one, COPY inserts in one stream with the same constraints checked.
_PLAIN_INSERT = re.compile(r"\s*INSERT\s+INTO\s+(\w+)\s*\(([\w\s,]+)\)\s*VALUES\s*\(\s*\?(?:\s*,\s*\?)*\s*\)\s*",
                           re.IGNORECASE)
COPY_FROM_ROWS = 50  # below this, the savepoint around a COPY costs more than the round trips it saves


class PostgresTx:
    dialect = "postgres"

    def __init__(self, connection: Any) -> None:
        self.connection = connection

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        with self.connection.cursor() as cursor:
            cursor.execute(_PLACEHOLDER.sub("%s", sql), tuple(params))
            if cursor.description is None:
                return []
            return list(cursor.fetchall())

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """Plain inserts of many rows go by COPY (a rebuild's pages: ~5x cheaper a row than psycopg's
        pipelined executemany); everything else, and a COPY that a value's text form fails, row by row."""
        if len(rows) >= COPY_FROM_ROWS and (insert := _PLAIN_INSERT.fullmatch(sql)):
            columns = [c.strip() for c in insert.group(2).split(",")]
            if len(columns) == sql.count("?") and self._copied(insert.group(1), columns, rows):
                return
        with self.connection.cursor() as cursor:
            cursor.executemany(_PLACEHOLDER.sub("%s", sql), [tuple(r) for r in rows])

    def _copied(self, table: str, columns: list[str], rows: Sequence[Sequence[Any]]) -> bool:
        """COPY in a savepoint; False (nothing written) when the server refuses a value's text form, e.g. a
        float such as 2.0 bound to an INTEGER column, which an INSERT's parameter would have cast."""
        from psycopg.errors import DataError

        try:
            with self.connection.transaction(), self.connection.cursor() as cursor:
                with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
        except DataError:
            return False
        return True


class PostgresDatabase:
    """Read models and directory tables in the same PostgreSQL database as the events."""

    dialect = "postgres"

    def __init__(self, conninfo: str, *, max_size: int = 10) -> None:
        from psycopg.rows import dict_row
        from psycopg_pool import ConnectionPool

        self.pool = ConnectionPool(conninfo, min_size=1, max_size=max_size, open=True,
                                   kwargs={"row_factory": dict_row, "autocommit": False})
        # Reads need no BEGIN and COMMIT (two round trips of a report's five): under READ COMMITTED each
        # statement saw its own snapshot inside them too. Their sessions are read-only on the server, so a
        # write in a read transaction fails loudly instead of being committed statement by statement.
        self.read_pool = ConnectionPool(conninfo, min_size=1, max_size=max_size, open=True,
                                        kwargs={"row_factory": dict_row, "autocommit": True,
                                                "options": "-c default_transaction_read_only=on"})

    @contextmanager
    def transaction(self, *, write: bool = False) -> Iterator[PostgresTx]:
        if not write:
            with self.read_pool.connection() as connection:
                yield PostgresTx(connection)
            return
        with self.pool.connection() as connection:
            with connection.transaction():
                yield PostgresTx(connection)

    def close(self) -> None:
        self.read_pool.close()
        self.pool.close()
