"""The current evidence behind every indicator value, kept so that a drill-down page is one indexed query.

`indicator_evidence` holds, per strategy × indicator × year × record leaf (tallies.leaves: a count or a
distinct count, alone or a part of a boolean or a ratio) × scope (`""` the network, `i:<id>` an
institution's own view — the drill-down's institution filter), one compact row per record version that
counts: its `occurred_on` and `record_id` (the evaluation's order, `rules.matching_records`) and its
`version`. What the entry shows (title, parties, sources) is read for a page's rows only, and whether a
version counts is the domain's own `evaluate` over that record alone, as for the tallies: the projection
keeps both in the same steps (projection.py `_add_record_versions`, `_rebuild_tallies`), so they change
together. Gauges and reported values (memberships and a strategy's own entries, both small) are not
kept here: the drill-down evaluates them.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Iterable

from domain.strategy.rules import Evaluation, Evidence, RecordFact, YearFacts, evaluate
from projections.base import Tx

EVIDENCE_TABLE = "indicator_evidence"
NETWORK, INSTITUTION = "", "i:"
_KEY = "strategy_id, indicator_code, year, leaf, scope, occurred_on, record_id"

Row = tuple[str, str, int, str, str, str, str]  # the table's key, in _KEY's order


def create_table(tx: Tx) -> None:
    tx.execute(f"CREATE TABLE IF NOT EXISTS {EVIDENCE_TABLE} ("
               "strategy_id TEXT NOT NULL, indicator_code TEXT NOT NULL, year INTEGER NOT NULL, leaf TEXT NOT NULL, "
               "scope TEXT NOT NULL, occurred_on TEXT NOT NULL, record_id TEXT NOT NULL, version INTEGER NOT NULL, "
               f"PRIMARY KEY ({_KEY}))" + (" WITHOUT ROWID" if tx.dialect == "sqlite" else ""))


def single(leaf: dict[str, Any], record: RecordFact, base: YearFacts, sources: list[str]) -> Evaluation:
    """The domain's evaluation of a leaf over one record version alone (in its own year)."""
    return evaluate(leaf, replace(base, year=record.occurred_on.year, records=[record]), sources=sources)


def scopes(result: Evaluation) -> list[str]:
    """The scopes a record version is evidence in: the network's and each institution's of its view."""
    if not result.evidence:
        return []
    return [NETWORK, *(INSTITUTION + i for i in dict.fromkeys(result.evidence[0].institution_ids))]


class Changes:
    """Evidence rows that a page adds and takes away, written once at the end (the last change of a key wins)."""

    def __init__(self) -> None:
        self.rows: dict[Row, int | None] = {}  # key -> version it holds, or None: removed

    def note(self, strategy_id: str, code: str, path: str, year: int, record: RecordFact, result: Evaluation,
             sign: int) -> None:
        for scope in scopes(result):
            key = (strategy_id, code, year, path, scope, record.occurred_on.isoformat(), record.record_id)
            self.rows[key] = record.version if sign > 0 else None

    def write(self, tx: Tx) -> None:
        gone = [k for k, v in self.rows.items() if v is None]
        came = [(*k, v) for k, v in self.rows.items() if v is not None]
        if gone:
            tx.executemany(f"DELETE FROM {EVIDENCE_TABLE} WHERE strategy_id = ? AND indicator_code = ? AND year = ? "
                           "AND leaf = ? AND scope = ? AND occurred_on = ? AND record_id = ?", gone)
        if came:
            tx.executemany(f"INSERT INTO {EVIDENCE_TABLE} ({_KEY}, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                           f"ON CONFLICT ({_KEY}) DO UPDATE SET version = excluded.version", came)
        self.rows = {}


def clear(tx: Tx, strategy_id: str, code: str, years: Iterable[int] | None = None,
          paths: Iterable[str] | None = None) -> None:
    """Removes an indicator's evidence: of `years` (None: all) and of the leaves `paths` (None: all)."""
    if years is None and paths is None:
        tx.execute(f"DELETE FROM {EVIDENCE_TABLE} WHERE strategy_id = ? AND indicator_code = ?", (strategy_id, code))
        return
    if paths is None:
        tx.executemany(f"DELETE FROM {EVIDENCE_TABLE} WHERE strategy_id = ? AND indicator_code = ? AND year = ?",
                       [(strategy_id, code, y) for y in years or ()])
        return
    tx.executemany(f"DELETE FROM {EVIDENCE_TABLE} WHERE strategy_id = ? AND indicator_code = ? AND year = ? "
                   "AND leaf = ?", [(strategy_id, code, y, p) for y in years or () for p in paths])


# ---------------------------------------------------------------------------------------------- reading
class LeafRows:
    """One record leaf's evidence in one scope of one indicator-year, in the evaluation's order."""

    def __init__(self, tx: Tx, strategy_id: str, code: str, year: int, path: str, scope: str) -> None:
        self.tx = tx
        self.where = "strategy_id = ? AND indicator_code = ? AND year = ? AND leaf = ? AND scope = ?"
        self.params = [strategy_id, code, year, path, scope]
        self._count: int | None = None

    def count(self) -> int:
        if self._count is None:
            self._count = self.tx.execute(f"SELECT COUNT(*) AS n FROM {EVIDENCE_TABLE} WHERE {self.where}",
                                          self.params)[0]["n"]
        return self._count

    def rows(self, limit: int, *, offset: int = 0, after: tuple[str, str] | None = None) -> list[dict[str, Any]]:
        """Up to `limit` rows {occurred_on, record_id, version}: from `offset`, or after the key `after`."""
        sql = f"SELECT occurred_on, record_id, version FROM {EVIDENCE_TABLE} WHERE {self.where}"
        params = list(self.params)
        if after is not None:
            sql += " AND (occurred_on, record_id) > (?, ?)"
            params += [after[0], after[1]]
        sql += " ORDER BY occurred_on, record_id LIMIT ? OFFSET ?"
        return self.tx.execute(sql, [*params, int(limit), 0 if after is not None else int(offset)])

    def place_of(self, record_id: str) -> tuple[int, tuple[str, str]] | None:
        """(index, key) of a record's row, or None when it is not evidence here. The record's days are those
        of its stored versions (a handful), so its row is found by its key, not by a scan."""
        days = sorted({r["occurred_on"] for r in self.tx.execute(
            "SELECT occurred_on FROM activity_versions WHERE record_id = ?", (record_id,))})
        for day in days:
            found = self.tx.execute(f"SELECT 1 AS x FROM {EVIDENCE_TABLE} WHERE {self.where} AND occurred_on = ? "
                                    "AND record_id = ?", [*self.params, day, record_id])
            if found:
                before = self.tx.execute(
                    f"SELECT COUNT(*) AS n FROM {EVIDENCE_TABLE} WHERE {self.where} "
                    "AND (occurred_on, record_id) < (?, ?)", [*self.params, day, record_id])[0]["n"]
                return before, (day, record_id)
        return None


def with_role(item: Evidence, role: str | None) -> Evidence:
    """A ratio's part marks its evidence with the side it is on, as `rules._ratio` does."""
    if role is None:
        return item
    return Evidence(item.type, item.ref, item.institution_ids, item.sources, {**item.detail, "role": role})
