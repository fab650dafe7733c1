"""The network picture: which institutions met whom, and how often, in one year.

A "meeting" here is any record of the activity register with two or more institutions as parties (a
meeting, a contact between two institutions, an information exchange, a conclusion worked out together).
Each record counts once for every pair of its institutions, and once for each institution taking part;
the register's current state decides — a correction that moves a record to another year or changes its
parties moves its count, a retracted record does not count — exactly as the register lists it.

Who may see it: everyone who may read the strategy (`Action.READ_STRATEGY`: staff, leads, coordinators,
auditors), over the whole network of their municipality. The picture is an aggregate, like the strategy's
indicators (which staff already see per institution, e.g. "information exchanges – meetings"): counts of
pairs and no record's content, so it does not widen what `READ_RECORDS` scopes to a staff member's own
institution. An admin, who reads no strategy, is refused.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from itertools import combinations
from typing import Any

from domain.application import Splot
from domain.closing import FIRST_YEAR, LAST_YEAR
from domain.errors import ValidationFailed, bilingual
from domain.policy import Action, User, authorize
from domain.ports import ReadModels
from domain.records import institutions_involved
from domain.use_cases.scope import Scopes
from domain.values import InstitutionKind, warsaw_today

PAGE = 500  # register rows read per query
_KIND_ORDER = {kind.value: n for n, kind in enumerate(InstitutionKind)}


@dataclass(frozen=True)
class NetworkNode:
    """One institution: how many of the year's records it shared with another institution, and with how
    many different institutions."""

    institution_id: str
    short_name: str
    name: str
    kind: str
    records: int
    partners: int


@dataclass(frozen=True)
class NetworkEdge:
    """Two institutions (`first` before `second` in the nodes' order) and the records they shared."""

    first: str
    second: str
    count: int


@dataclass(frozen=True)
class MeetingNetwork:
    year: int
    nodes: list[NetworkNode]  # by kind (the registry's order of kinds), then short name
    edges: list[NetworkEdge]  # most records first, then in the nodes' order
    records: int  # the year's records with two or more institutions (each once)

    def node(self, institution_id: str) -> NetworkNode:
        return next(n for n in self.nodes if n.institution_id == institution_id)


def check_network_year(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not FIRST_YEAR <= value <= LAST_YEAR:
        raise ValidationFailed(bilingual(f"Rok musi być liczbą od {FIRST_YEAR} do {LAST_YEAR}, na przykład 2013.",
                                         f"The year must be a number from {FIRST_YEAR} to {LAST_YEAR}, "
                                         "for example 2013."), field="year")
    return value


class NetworkUseCases:
    def __init__(self, store: Splot, reads: ReadModels, scopes: Scopes) -> None:
        self.store = store
        self.reads = reads
        self.scopes = scopes

    def meetings_between(self, user: User, year: int | None = None) -> MeetingNetwork:
        """The year's network of the user's municipality; `year` None: the latest year the register has a
        record in (this year when it has none)."""
        authorize(user, Action.READ_STRATEGY)
        networks = self.scopes.of(user).network_texts
        if year is None:
            year = self._latest_year(networks)
        year = check_network_year(year)
        pairs: Counter[tuple[str, str]] = Counter()
        shared: Counter[str] = Counter()
        counted = 0
        for row in self._rows(networks, year):
            parties = sorted({str(i) for i in institutions_involved(row["kind"], row["fields"])})
            if len(parties) < 2:
                continue
            counted += 1
            shared.update(parties)
            pairs.update(combinations(parties, 2))
        institutions = {row["id"]: row for row in self.reads.institutions(network_ids=networks)}
        wanted = {i for i, row in institutions.items() if row["active"]} | set(shared)
        partners: dict[str, set[str]] = {}
        for a, b in pairs:
            partners.setdefault(a, set()).add(b)
            partners.setdefault(b, set()).add(a)
        nodes = sorted((_node(i, institutions.get(i), shared[i], len(partners.get(i, ()))) for i in wanted),
                       key=lambda n: (_KIND_ORDER.get(n.kind, len(_KIND_ORDER)), n.short_name.casefold(),
                                      n.institution_id))
        order = {n.institution_id: k for k, n in enumerate(nodes)}
        edges = []
        for (a, b), count in pairs.items():
            first, second = sorted((a, b), key=order.__getitem__)
            edges.append(NetworkEdge(first, second, count))
        edges.sort(key=lambda e: (-e.count, order[e.first], order[e.second]))
        return MeetingNetwork(year=year, nodes=nodes, edges=edges, records=counted)

    def _rows(self, networks: list[str], year: int):
        cursor = None
        while True:
            rows, cursor = self.reads.records(network_ids=networks, institution_id=None, kind=None, year=year,
                                              cursor=cursor, limit=PAGE)
            yield from (row for row in rows if row["status"] == "active")
            if cursor is None:
                return

    def _latest_year(self, networks: list[str]) -> int:
        rows, _ = self.reads.records(network_ids=networks, institution_id=None, kind=None, year=None, cursor=None,
                                     limit=1)
        return int(rows[0]["year"]) if rows else warsaw_today().year


def _node(institution_id: str, row: dict[str, Any] | None, records: int, partners: int) -> NetworkNode:
    row = row or {}
    return NetworkNode(institution_id=institution_id, short_name=row.get("short_name") or "?",
                       name=row.get("name") or "?", kind=row.get("kind") or InstitutionKind.OTHER.value,
                       records=records, partners=partners)
