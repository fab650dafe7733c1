"""The read models behind the use cases' `ReadModels` port (domain/ports.py).

Every question first brings the read models up to the log (read-your-writes: cheap when they are
current), then asks the projection's own query in one read transaction.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date, datetime, timezone
from typing import Any, Collection, Iterator

from domain.registry import Municipality, Network
from infra.audit_chain import chain_lookup
from infra.projection_runner import ProjectionRunner
from projections.activity_register.queries import list_records
from projections.audit_trail.queries import audit_entries, record_history
from projections.audit_trail.reports import year_report
from projections.investor_service.queries import QUERIES as INVESTOR_QUERIES
from projections.calendar.queries import get_event, list_events
from projections.indicator_values.queries import (
    indicator_events,
    indicator_events_page,
    list_publications,
    list_tasks,
    published_report,
    task_report,
)
from projections.practices.queries import list_practices
from projections.record_fields import record_fields
from projections.registry import queries as registry_queries
from projections.registry.queries import (
    cluster_members,
    list_firms,
    list_institutions,
    list_municipalities,
    list_networks,
    network_members,
)

Row = dict[str, Any]
# The events the registry's network and municipality tables are made of (a write's scope reads only these).
NETWORK_TOPICS = sorted({c.TOPIC for owner in (Network, Municipality) for c in vars(owner).values()
                         if isinstance(c, type) and isinstance(getattr(c, "TOPIC", None), str)})


def _utc(value: datetime | None) -> datetime | None:
    return value if value is None or value.tzinfo else value.replace(tzinfo=timezone.utc)


class ReadModelQueries:
    def __init__(self, views: Any, runner: ProjectionRunner, recorder: Any) -> None:
        self.views = views
        self.runner = runner
        self.recorder = recorder

    @contextmanager
    def _tx(self, topics: Collection[str] | None = None) -> Iterator[Any]:
        """A read transaction on read models brought up to the log; with `topics`, the only events that change
        the tables read, caught up only when the log holds such an event not yet projected (so a write's
        scope check does not wait for the projection of the records written before it)."""
        if topics is None or self._behind_on(topics):
            self.runner.ensure_current()
        with self.views.transaction() as tx:
            yield tx

    def _behind_on(self, topics: Collection[str]) -> bool:
        position, log_end = self.runner.position(), self.runner.log_position()
        if position >= log_end:
            return position > log_end  # ahead of the log: catching up rebuilds
        return bool(self.recorder.select_notifications(start=position, limit=1, topics=list(topics),
                                                       inclusive_of_start=False))

    # ------------------------------------------------------------------ registry
    def networks(self) -> list[Row]:
        with self._tx(NETWORK_TOPICS) as tx:
            return list_networks(tx)

    def municipalities(self) -> list[Row]:
        with self._tx() as tx:
            return list_municipalities(tx)

    def institutions(self, *, network_ids: Collection[str], kind: str | None = None) -> list[Row]:
        with self._tx() as tx:
            rows = [row for n in network_ids for row in list_institutions(tx, network_id=n, kind=kind)]
        return sorted(rows, key=lambda r: (r["short_name"], r["id"]))

    def firms(self, *, network_ids: Collection[str]) -> list[Row]:
        with self._tx() as tx:
            rows = [row for n in network_ids for row in list_firms(tx, network_id=n)]
        return sorted(rows, key=lambda r: (r["name"], r["id"]))

    def network_members(self, *, network_ids: Collection[str]) -> list[Row]:
        """Every membership interval (as currently known) of the networks, by short name then interval."""
        with self._tx() as tx:
            rows = [row for n in network_ids for row in network_members(tx, n)]
        return sorted(rows, key=lambda r: (r["short_name"], r["institution_id"], r["seq"]))

    def cluster_members(self, *, cluster_id: str) -> list[Row]:
        with self._tx() as tx:
            return cluster_members(tx, cluster_id)

    def network_municipalities(self) -> list[Row]:
        """Every shared network's member municipalities over time, with the indicators each shares."""
        with self._tx(NETWORK_TOPICS) as tx:
            return registry_queries.network_municipalities(tx)

    def practices(self, *, network_ids: Collection[str]) -> list[Row]:
        """The good practices published to the networks (not withdrawn), tags as lists."""
        with self._tx() as tx:
            return list_practices(tx, network_ids)

    # ------------------------------------------------------------------ activity register
    def records(self, *, network_ids: Collection[str], institution_id: str | None, kind: str | None,
                year: int | None, cursor: str | None, limit: int, firm_id: str | None = None,
                text: str | None = None) -> tuple[list[Row], str | None]:
        with self._tx() as tx:
            return list_records(tx, network_ids=list(network_ids), institution_id=institution_id, kind=kind,
                                year=year, cursor=cursor, limit=limit, firm_id=firm_id, text=text)

    def person_appearances(self, *, network_ids: Collection[str], person_id: str | None = None) -> list[Row]:
        """Each (person, record) where any version of the record names the person (issue 12: subject access and
        retention): the record's current row, `named_now` whether its current version still names them."""
        ids = list(network_ids)
        sql = ("SELECT p.party_id AS person_id, r.record_id, r.kind, r.subkind, r.network_id, r.owner_institution_id, "
               "r.occurred_on, r.year, r.title, r.status, r.created_at, r.created_by, r.created_by_institution_id, "
               "r.updated_at, r.updated_by, r.fields_json, MAX(p.version) AS last_naming_version, "
               "(SELECT MAX(v.version) FROM activity_versions v WHERE v.record_id = r.record_id) AS current_version "
               "FROM activity_parties p JOIN activity_records r ON r.record_id = p.record_id "
               f"WHERE p.party_type = 'person' AND r.network_id IN ({', '.join('?' for _ in ids) or 'NULL'})")
        if person_id is not None:
            sql += " AND p.party_id = ?"
            ids.append(person_id)
        sql += " GROUP BY p.party_id, r.record_id ORDER BY r.occurred_on DESC, r.record_id"
        with self._tx() as tx:
            rows = tx.execute(sql, ids)
        for row in rows:
            row["fields"] = record_fields(row)
            del row["fields_json"]
            row["named_now"] = row.pop("last_naming_version") == row.pop("current_version")
        return rows

    # ------------------------------------------------------------------ strategy and indicators
    def tasks(self, *, strategy_id: str) -> list[Row]:
        with self._tx() as tx:
            return list_tasks(tx, strategy_id=strategy_id)

    def task_report(self, code: str, *, strategy_id: str, as_of: date | None) -> Row:
        with self._tx() as tx:
            return task_report(tx, code, strategy_id=strategy_id, as_of=as_of)

    def indicator_events(self, code: str, year: int, *, strategy_id: str, institution_id: str | None,
                         as_of: date | None) -> list[Row]:
        with self._tx() as tx:
            return indicator_events(tx, code, year, strategy_id=strategy_id, institution_id=institution_id,
                                    as_of=as_of)

    def indicator_events_page(self, code: str, year: int, *, strategy_id: str, institution_id: str | None,
                              as_of: date | None, cursor: str | None, limit: int) -> Row:
        with self._tx() as tx:
            return indicator_events_page(tx, code, year, strategy_id=strategy_id, institution_id=institution_id,
                                         as_of=as_of, cursor=cursor, limit=limit)

    def publications(self, code: str, *, strategy_id: str) -> list[Row]:
        with self._tx() as tx:
            return list_publications(tx, code, strategy_id=strategy_id)

    def published_report(self, number: int, *, strategy_id: str) -> Row:
        with self._tx() as tx:
            return published_report(tx, number, strategy_id=strategy_id)

    def year_report(self, *, network_id: str, year: int, as_of: date) -> Row:
        with self._tx() as tx:
            return year_report(tx, network_id=network_id, year=year, as_of=as_of)

    # ------------------------------------------------------------------ audit trail
    def audit_entries(self, *, network_ids: Collection[str] | None, municipality_ids: Collection[str] | None,
                      user: str | None, institution_id: str | None, record_id: str | None, kind: str | None,
                      recorded_from: datetime | None, recorded_to: datetime | None, cursor: str | None,
                      limit: int) -> tuple[list[Row], str | None]:
        with self._tx() as tx:
            return audit_entries(tx, network_ids=network_ids, municipality_ids=municipality_ids, user=user,
                                 institution_id=institution_id, record_id=record_id, kind=kind,
                                 recorded_from=_utc(recorded_from), recorded_to=_utc(recorded_to), cursor=cursor,
                                 limit=limit, chain_lookup=chain_lookup(self.recorder))

    def record_history(self, record_id: str) -> list[Row]:
        with self._tx() as tx:
            return record_history(tx, record_id, chain_lookup=chain_lookup(self.recorder))

    # ------------------------------------------------------------------ investor service (issue 14)
    def investor_service(self, query: str, **params: Any) -> Any:
        """One of projections/investor_service/queries.py's QUERIES, by name."""
        with self._tx() as tx:
            return INVESTOR_QUERIES[query](tx, **params)

    # ------------------------------------------------------------------ joint events calendar
    def calendar_events(self, *, network_ids: Collection[str], institution_id: str | None = None,
                        kind: str | None = None, starts_from: str | None = None,
                        starts_before: str | None = None) -> list[Row]:
        with self._tx() as tx:
            return list_events(tx, network_ids=network_ids, institution_id=institution_id, kind=kind,
                               starts_from=starts_from, starts_before=starts_before)

    def calendar_event(self, event_id: str) -> Row | None:
        with self._tx() as tx:
            return get_event(tx, event_id)
