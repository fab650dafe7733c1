"""The PostgreSQL side of infra/sqldb.py: the driver it runs on and what a transaction of it guarantees."""

from __future__ import annotations

import psycopg


def test_psycopg_runs_on_its_compiled_libpq_wrapper():
    # The pure-Python wrapper decodes every field of every row in Python: it was ~60 % of a task report's
    # time on PostgreSQL (issue 13). pyproject.toml asks for psycopg[binary]; this fails if that is lost.
    assert psycopg.pq.__impl__ in ("c", "binary")
