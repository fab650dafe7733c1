"""Shared networks of municipalities (a metropolitan network, a network of cities): the deployment's admin
creates them and admits and releases municipalities on business dates; each member's coordinator chooses
which indicators of its own strategy the network sees. A user sees the shared networks their municipality
is a member of today (`Scope.shared_network_ids`, domain/use_cases/scope.py) and nothing else of another
municipality.

`compare` sets the shared indicators of the member cities side by side, per year: each city's figures are
its own strategy's task report (the same read as `uc.strategy.task_report`, for that city's strategy),
computed by its own rules, with the rule in words beside it; only indicators the city chose to share.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from typing import Any

from domain.application import Saved, Splot
from domain.errors import Message, NotFound, UnknownReference
from domain.policy import Action, User, authorize, may
from domain.ports import ReadModels, Row
from domain.registry import SHARED_NETWORK_KINDS
from domain.strategy.rule_words import describe
from domain.strategy.use_cases import strategy_id_for
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


@dataclass(frozen=True)
class OwnIndicator:
    """One indicator of the user's own strategy, and whether the municipality shares it with the network."""

    code: str
    name: str
    task_code: str
    shared: bool


@dataclass(frozen=True)
class NetworkPage:
    network: SharedNetworkView
    own_indicators: tuple[OwnIndicator, ...]  # for a coordinator's choice of what to share (else empty)


@dataclass(frozen=True)
class CityFigures:
    """One city's figures of one shared indicator, as its own task report gives them."""

    municipality_id: UUID
    city: str
    indicator_name: str
    unit: str
    task_code: str
    years: dict[str, dict[str, Any]]  # year -> {"target", "actual", "percent"} exactly as the report's cells
    rule: Message


@dataclass(frozen=True)
class ComparedIndicator:
    code: str
    name: str
    cities: tuple[CityFigures, ...]


@dataclass(frozen=True)
class Comparison:
    network: SharedNetworkView
    years: tuple[str, ...]
    indicators: tuple[ComparedIndicator, ...]


@dataclass(frozen=True)
class Administration:
    """The deployment admin's page: every shared network and every municipality (to admit)."""

    networks: list[SharedNetworkView]
    municipalities: list[Row]


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

    def network_page(self, user: User, network_id: UUID) -> NetworkPage:
        """A shared network's page: the network, and for a coordinator of a member the indicators of its own
        strategy with what it shares ticked."""
        view = self.network(user, network_id)
        own: tuple[OwnIndicator, ...] = ()
        member = view.member(user.municipality_id)
        if member is not None and may(user, Action.MANAGE_STRATEGY):
            try:
                strategy = self.store.strategy.get_strategy(self.scopes.of(user).home_network_id)
            except NotFound:
                strategy = None
            if strategy is not None:
                own = tuple(OwnIndicator(code, i["name"], i["task_code"], code in member.indicator_codes)
                            for code, i in sorted(strategy.indicators.items()))
        return NetworkPage(view, own)

    def compare(self, user: User, network_id: UUID) -> Comparison:
        """The indicators the member cities share, side by side per year (only current members' own, each by
        its own rules)."""
        authorize(user, Action.READ_STRATEGY)
        view = self.network(user, network_id)
        by_code: dict[str, list[CityFigures]] = {}
        years: set[str] = set()
        for member in view.current_members:
            if not member.indicator_codes:
                continue
            home = self.scopes.of_municipality(member.municipality_id).home_network_id
            try:
                strategy = self.store.strategy.get_strategy(home)
            except NotFound:
                continue
            reports: dict[str, Row] = {}
            for code in member.indicator_codes:
                indicator = strategy.indicators.get(code)
                if indicator is None:
                    continue
                task_code = indicator["task_code"]
                if task_code not in reports:
                    reports[task_code] = self.reads.task_report(task_code, strategy_id=str(strategy_id_for(home)),
                                                                as_of=None)
                row = next((i for i in reports[task_code]["indicators"] if i["code"] == code), None)
                if row is None:
                    continue
                years |= set(row["years"])
                rule = (describe(indicator["rule"]) if indicator.get("rule")
                        and indicator.get("rule_version") == row["rule_version"] else Message.untranslated(row["rule"]))
                by_code.setdefault(code, []).append(CityFigures(
                    member.municipality_id, member.name, row["name"], row["unit"], task_code,
                    {y: {k: cell.get(k) for k in ("target", "actual", "percent")} for y, cell in row["years"].items()},
                    rule))
        indicators = tuple(ComparedIndicator(code, cities[0].indicator_name, tuple(cities))
                           for code, cities in sorted(by_code.items()))
        return Comparison(view, tuple(sorted(years)), indicators)

    def administration(self, user: User) -> Administration:
        """Every shared network with its members, and every municipality to pick one to admit (the deployment's
        admin only)."""
        authorize(user, Action.MANAGE_MUNICIPALITIES)
        return Administration(self.networks(user), self.reads.municipalities())

    def _view(self, row: Row) -> SharedNetworkView:
        members = tuple(
            MemberView(UUID(m["municipality_id"]), m["municipality_name"], date.fromisoformat(m["joined_on"]),
                       date.fromisoformat(m["left_on"]) if m["left_on"] else None,
                       tuple(c for c in m["indicator_codes"].split(",") if c))
            for m in self.reads.network_municipalities() if m["network_id"] == row["id"])
        return SharedNetworkView(UUID(row["id"]), row["name"], row["kind"], members, self.scopes.today())
