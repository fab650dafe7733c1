"""The PostgreSQL side of infra/sqldb.py: the driver it runs on and what a transaction of it guarantees."""

from __future__ import annotations

import psycopg


def test_psycopg_runs_on_its_compiled_libpq_wrapper():
    # The pure-Python wrapper decodes every field of every row in Python: it was ~60 % of a task report's
    # time on PostgreSQL (issue 13). pyproject.toml asks for psycopg[binary]; this fails if that is lost.
    assert psycopg.pq.__impl__ in ("c", "binary")


# ---------------------------------------------------------------------------------------------- many rows
import pytest  # noqa: E402

from infra.sqldb import COPY_FROM_ROWS, PostgresDatabase  # noqa: E402


@pytest.fixture
def views(postgres_settings):
    db = PostgresDatabase(postgres_settings.postgres.conninfo, max_size=2)
    with db.transaction(write=True) as tx:
        tx.execute("CREATE TABLE items (id TEXT PRIMARY KEY, n INTEGER NOT NULL, note TEXT)")
    yield db
    db.close()


def _rows(count: int, start: int = 0) -> list[tuple]:
    return [(f"item-{i}", i, None if i % 3 else f"tab\there, line\nthere, \\ {i}") for i in range(start, start + count)]


def _stored(db) -> list[tuple]:
    with db.transaction() as tx:
        return [(r["id"], r["n"], r["note"]) for r in tx.execute("SELECT id, n, note FROM items ORDER BY n")]


@pytest.mark.postgres
def test_many_plain_inserts_store_every_row_as_given(views):
    rows = _rows(COPY_FROM_ROWS * 3)
    with views.transaction(write=True) as tx:
        tx.executemany("INSERT INTO items (id, n, note) VALUES (?, ?, ?)", rows)
    assert _stored(views) == rows


@pytest.mark.postgres
def test_a_value_only_an_insert_casts_is_still_inserted(views):
    # 2.0 bound to an INTEGER column: an INSERT's parameter is cast, COPY's text "2.0" is refused.
    rows = [(f"item-{i}", float(i), None) for i in range(COPY_FROM_ROWS)]
    with views.transaction(write=True) as tx:
        tx.executemany("INSERT INTO items (id, n, note) VALUES (?, ?, ?)", rows)
        tx.execute("INSERT INTO items (id, n) VALUES ('after', -1)")  # the transaction goes on
    assert _stored(views) == [("after", -1, None)] + [(r[0], int(r[1]), None) for r in rows]


@pytest.mark.postgres
def test_a_duplicate_among_many_rows_rolls_the_whole_transaction_back(views):
    import psycopg

    rows = _rows(COPY_FROM_ROWS)
    with pytest.raises(psycopg.errors.UniqueViolation):
        with views.transaction(write=True) as tx:
            tx.execute("INSERT INTO items (id, n) VALUES ('first', -1)")
            tx.executemany("INSERT INTO items (id, n, note) VALUES (?, ?, ?)", rows + rows[:1])
    assert _stored(views) == []


@pytest.mark.postgres
def test_many_inserts_with_on_conflict_keep_their_meaning(views):
    rows = _rows(COPY_FROM_ROWS)
    with views.transaction(write=True) as tx:
        tx.executemany("INSERT INTO items (id, n, note) VALUES (?, ?, ?)", rows)
        tx.executemany("INSERT INTO items (id, n, note) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE "
                       "SET n = items.n + 1000", rows + _rows(2, start=COPY_FROM_ROWS))
    stored = _stored(views)
    assert len(stored) == COPY_FROM_ROWS + 2
    assert sorted(n for _, n, _ in stored) == sorted([n + 1000 for _, n, _ in rows] + [COPY_FROM_ROWS, COPY_FROM_ROWS + 1])


@pytest.mark.postgres
def test_a_write_in_a_read_transaction_is_refused_and_leaves_nothing(views):
    import psycopg

    with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
        with views.transaction() as tx:
            tx.execute("INSERT INTO items (id, n) VALUES ('read', 1)")
    assert _stored(views) == []
    with views.transaction() as tx:  # the pooled session is still usable for reads
        assert tx.execute("SELECT COUNT(*) AS n FROM items") == [{"n": 0}]
