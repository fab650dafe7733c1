"""Shared networks of municipalities (a metropolitan network, a network of cities): the deployment's admin
creates them and admits and releases municipalities on business dates; each member's coordinator chooses
which indicators of its own strategy the network sees. A user sees the shared networks their municipality
is a member of today (`Scope.shared_network_ids`, domain/use_cases/scope.py) and nothing else of another
municipality. The cross-city comparison of shared indicators is `compare` (domain/use_cases/network_compare.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from domain.application import Saved, Splot
from domain.errors import UnknownReference
from domain.policy import Action, User, authorize
from domain.ports import ReadModels, Row
from domain.registry import SHARED_NETWORK_KINDS
from domain.use_cases.scope import Scopes


@dataclass(frozen=True)
class MemberView:
    """One membership interval of a municipality (`left_on` inclusive; None: still a member)."""

    municipality_id: UUID
    name: str
    joined_on: date
    left_on: date | None
    indicator_codes: tuple[str, ...]  # what it shares with the network now

    def covers(self, day: date) -> bool:
        return self.joined_on <= day and (self.left_on is None or day <= self.left_on)


@dataclass(frozen=True)
class SharedNetworkView:
    id: UUID
    name: str
    kind: str
    members: tuple[MemberView, ...]  # every interval, by municipality name
    today: date

    @property
    def current_members(self) -> tuple[MemberView, ...]:
        return tuple(m for m in self.members if m.covers(self.today))

    def member(self, municipality_id: UUID | None) -> MemberView | None:
        return next((m for m in self.current_members if m.municipality_id == municipality_id), None)


class SharedNetworkUseCases:
    def __init__(self, store: Splot, reads: ReadModels, scopes: Scopes) -> None:
        self.store = store
        self.reads = reads
        self.scopes = scopes

    # ------------------------------------------------------------------ the deployment's admin
    def add(self, user: User, *, name: str, kind: str) -> Saved:
        """A new shared network (kind `municipal_network` or `inter_city_network`) with no members yet."""
        authorize(user, Action.MANAGE_MUNICIPALITIES)
        return self.store.registry.register_shared_network(name=name, kind=kind, actor=user.actor)

    def admit(self, user: User, *, network_id: UUID, municipality_id: UUID, joined_on: date) -> Saved:
        authorize(user, Action.MANAGE_MUNICIPALITIES)
        return self.store.registry.admit_municipality(network_id=network_id, municipality_id=municipality_id,
                                                      joined_on=joined_on, actor=user.actor)

    def release(self, user: User, *, network_id: UUID, municipality_id: UUID, left_on: date) -> Saved:
        authorize(user, Action.MANAGE_MUNICIPALITIES)
        return self.store.registry.release_municipality(network_id=network_id, municipality_id=municipality_id,
                                                        left_on=left_on, actor=user.actor)

    # ------------------------------------------------------------------ members
    def share_indicators(self, user: User, *, network_id: UUID, indicator_codes: list[str]) -> Saved:
        """The user's municipality's whole choice of the indicators (codes of its own strategy) the network's
        comparison shows; an empty list shares none."""
        authorize(user, Action.MANAGE_STRATEGY)
        scope = self.scopes.of(user)
        if user.municipality_id is None or network_id not in scope.shared_network_ids:
            raise UnknownReference("network", network_id, field="network_id")
        strategy = self.store.strategy.get_strategy(scope.home_network_id)
        for code in indicator_codes:
            strategy.indicator(str(code))  # NotFound names a code the strategy does not have
        return self.store.registry.share_indicators(network_id=network_id, municipality_id=user.municipality_id,
                                                    indicator_codes=[str(c) for c in indicator_codes],
                                                    actor=user.actor)

    # ------------------------------------------------------------------ reading
    def networks(self, user: User) -> list[SharedNetworkView]:
        """The shared networks the user's municipality is a member of today (the deployment's admin: all)."""
        authorize(user, Action.READ_REGISTRY)
        visible = self.scopes.of(user).shared_network_ids
        return [self._view(row) for row in self.reads.networks()
                if row["kind"] in SHARED_NETWORK_KINDS and UUID(row["id"]) in visible]

    def network(self, user: User, network_id: UUID) -> SharedNetworkView:
        """One shared network, its members over time and what each shares; not found outside the user's scope."""
        authorize(user, Action.READ_REGISTRY)
        if network_id not in self.scopes.of(user).shared_network_ids:
            raise UnknownReference("network", network_id, field="network_id")
        row = next(r for r in self.reads.networks() if r["id"] == str(network_id))
        return self._view(row)

    def municipalities(self, user: User) -> list[Row]:
        """Every municipality (to pick one to admit): the deployment's admin only."""
        authorize(user, Action.MANAGE_MUNICIPALITIES)
        return self.reads.municipalities()

    def _view(self, row: Row) -> SharedNetworkView:
        members = tuple(
            MemberView(UUID(m["municipality_id"]), m["municipality_name"], date.fromisoformat(m["joined_on"]),
                       date.fromisoformat(m["left_on"]) if m["left_on"] else None,
                       tuple(c for c in m["indicator_codes"].split(",") if c))
            for m in self.reads.network_municipalities() if m["network_id"] == row["id"])
        return SharedNetworkView(UUID(row["id"]), row["name"], row["kind"], members, self.scopes.today())
