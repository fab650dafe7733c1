"""Which part of the store a user works in: their municipality, its networks, its strategy.

Nothing crosses between municipalities: every use case asks `Scopes.of(user)` and limits its checks
and queries to the networks it names. A network belongs to every municipality it lists.

Shared networks (a metropolitan network of municipalities, a network of cities: kinds `municipal_network`,
`inter_city_network`) list no municipality; municipalities join and leave them on business dates
(`Network.MunicipalityJoined` / `MunicipalityLeft`). A scope knows them apart from its home network:

- `scope.shared_network_ids`: the shared networks the municipality is a member of today (the store's
  today, Warsaw time); `scope.shared_network_ids_on(day)`: on a business date; `scope.shared_memberships`:
  every interval. What a shared network shares (its calendar, meetings, good practices, chosen indicators)
  is for the users of its members *today*: after `left_on` a municipality no longer sees it.
- `scope.network_ids` holds the home networks and `shared_network_ids`, so records, audit entries and
  other rows keyed by a shared network are in scope for its current members; nothing else of another
  municipality is. Writes go to the home network unless a use case names a network on purpose.
- `Scopes.members_of(network_id, on=day)`: the municipalities of a shared network on a day (e.g. whose
  strategies the cross-city comparison reads, or whose sites a metropolitan database shows).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Callable
from uuid import UUID

from domain.errors import NotFound, UnknownReference, bilingual
from domain.policy import User
from domain.ports import ReadModels
from domain.strategy.use_cases import strategy_id_for
from domain.values import NetworkKind, warsaw_today


@dataclass(frozen=True)
class SharedMembership:
    """One interval of a municipality's membership of a shared network (`left_on` inclusive, None: open)."""

    network_id: UUID
    joined_on: date
    left_on: date | None

    def covers(self, day: date) -> bool:
        return self.joined_on <= day and (self.left_on is None or day <= self.left_on)


@dataclass(frozen=True)
class Scope:
    """A municipality's view of the store. `municipality_id` None: the whole deployment (its admin)."""

    municipality_id: UUID | None
    network_ids: frozenset[UUID]
    home_network_id: UUID | None  # where the municipality's institutions, firms, records and strategy live
    shared_memberships: tuple[SharedMembership, ...] = ()
    today: date | None = field(default=None, compare=False)  # the day `shared_network_ids` is taken on

    @property
    def shared_network_ids(self) -> frozenset[UUID]:
        """The shared networks the municipality is a member of today (the admin's scope: every shared one)."""
        return self.shared_network_ids_on(self.today or warsaw_today())

    def shared_network_ids_on(self, day: date) -> frozenset[UUID]:
        return frozenset(m.network_id for m in self.shared_memberships if m.covers(day))

    @property
    def network_texts(self) -> list[str]:
        return sorted(str(n) for n in self.network_ids)

    def network(self, requested: UUID | None = None, *, field: str = "network_id") -> UUID:
        """The network a write goes to: the one requested if the user may reach it, else the home network."""
        if requested is None:
            if self.home_network_id is None:
                raise UnknownReference("network", None, field=field)
            return self.home_network_id
        if requested not in self.network_ids:
            raise UnknownReference("network", requested, field=field)
        return requested

    def own_network(self, requested: UUID | None = None, *, field: str = "network_id") -> UUID:
        """Like `network`, but never a shared network: a municipality's institutions and firms are registered in
        its own networks only, so nothing of its registry is written into a space other municipalities read."""
        network = self.network(requested, field=field)
        if any(m.network_id == network for m in self.shared_memberships):
            raise UnknownReference("network", requested, field=field)
        return network

    def includes(self, network_id: UUID | str | None) -> bool:
        return network_id is not None and UUID(str(network_id)) in self.network_ids

    @property
    def strategy_id(self) -> UUID:
        if self.home_network_id is None:
            raise NotFound(bilingual("Administrator wdrożenia nie ma własnej strategii.",
                                     "The deployment's administrator has no strategy of their own."),
                           field="strategy")
        return strategy_id_for(self.home_network_id)


def _members(network: dict) -> list[str]:
    """The municipalities a registry network row lists (comma-separated ids)."""
    return [m for m in network["municipality_ids"].split(",") if m]


def _membership(row: dict) -> SharedMembership:
    return SharedMembership(UUID(row["network_id"]), date.fromisoformat(row["joined_on"]),
                            date.fromisoformat(row["left_on"]) if row["left_on"] else None)


class Scopes:
    def __init__(self, reads: ReadModels, *, today: Callable[[], date] = warsaw_today) -> None:
        self.reads = reads
        self.today = today

    def of(self, user: User) -> Scope:
        return self.of_municipality(user.municipality_id)

    def of_municipality(self, municipality_id: UUID | None) -> Scope:
        networks = self.reads.networks()
        today = self.today()
        if municipality_id is None:
            shared = tuple(SharedMembership(UUID(n["id"]), date.min, None) for n in networks
                           if n["kind"] != NetworkKind.INSTITUTION_NETWORK)
            return Scope(None, frozenset(UUID(n["id"]) for n in networks), None, shared, today)
        mine = [n for n in networks if str(municipality_id) in _members(n)]
        home = [n for n in mine if n["kind"] == NetworkKind.INSTITUTION_NETWORK
                and _members(n) == [str(municipality_id)]]
        home.sort(key=lambda n: n["id"])  # `add_municipality` registers exactly one; stable if there are more
        shared = tuple(_membership(row) for row in self.reads.network_municipalities()
                       if row["municipality_id"] == str(municipality_id))
        scope = Scope(municipality_id, frozenset(UUID(n["id"]) for n in mine),
                      UUID(home[0]["id"]) if home else None, shared, today)
        return Scope(municipality_id, scope.network_ids | scope.shared_network_ids, scope.home_network_id, shared,
                     today)

    def members_of(self, network_id: UUID, *, on: date | None = None) -> list[UUID]:
        """The municipalities a shared network has on a day (default: today), in the order of their names."""
        day = on or self.today()
        return list(dict.fromkeys(UUID(row["municipality_id"]) for row in self.reads.network_municipalities()
                                  if row["network_id"] == str(network_id) and _membership(row).covers(day)))
