"""Which part of the store a user works in: their municipality, its networks, its strategy.

Nothing crosses between municipalities: every use case asks `Scopes.of(user)` and limits its checks
and queries to the networks it names. A network belongs to every municipality it lists (a shared,
metropolitan network lists several — the later issue on shared networks builds on this).
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from domain.errors import NotFound, UnknownReference, bilingual
from domain.policy import User
from domain.ports import ReadModels
from domain.strategy.use_cases import strategy_id_for
from domain.values import NetworkKind


@dataclass(frozen=True)
class Scope:
    """A municipality's view of the store. `municipality_id` None: the whole deployment (its admin)."""

    municipality_id: UUID | None
    network_ids: frozenset[UUID]
    home_network_id: UUID | None  # where the municipality's institutions, firms, records and strategy live

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


class Scopes:
    def __init__(self, reads: ReadModels) -> None:
        self.reads = reads

    def of(self, user: User) -> Scope:
        return self.of_municipality(user.municipality_id)

    def of_municipality(self, municipality_id: UUID | None) -> Scope:
        networks = self.reads.networks()
        if municipality_id is None:
            return Scope(None, frozenset(UUID(n["id"]) for n in networks), None)
        mine = [n for n in networks if str(municipality_id) in _members(n)]
        home = [n for n in mine if n["kind"] == NetworkKind.INSTITUTION_NETWORK
                and _members(n) == [str(municipality_id)]]
        home.sort(key=lambda n: n["id"])  # `add_municipality` registers exactly one; stable if there are more
        return Scope(municipality_id, frozenset(UUID(n["id"]) for n in mine), UUID(home[0]["id"]) if home else None)
