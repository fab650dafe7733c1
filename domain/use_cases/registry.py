"""The registry as a user works with it: municipalities, institutions and their network membership,
firms, the firms of a cluster. Every call stays inside the user's municipality (domain/use_cases/scope.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from domain.application import Saved, Splot
from domain.errors import NotFound, UnknownReference, bilingual
from domain.policy import Action, User, authorize, check_acts_for
from domain.ports import ReadModels, Row
from domain.registry import Institution
from domain.use_cases.scope import Scope, Scopes
from domain.values import InstitutionKind


@dataclass(frozen=True)
class InstitutionView:
    """One institution as its page shows it: the row, the institution running it (a cluster's), its network
    memberships over time and, for a cluster, its member firms over time (joined_on / left_on rows)."""

    institution: Row
    coordinator: Row | None
    memberships: list[Row]
    firms: list[Row]

    @property
    def is_cluster(self) -> bool:
        return self.institution["kind"] == InstitutionKind.CLUSTER


class RegistryUseCases:
    def __init__(self, store: Splot, reads: ReadModels, scopes: Scopes) -> None:
        self.store = store
        self.reads = reads
        self.scopes = scopes

    # ------------------------------------------------------------------ municipalities
    def municipalities(self, user: User) -> list[Row]:
        """The municipalities the user may see: their own (the deployment's admin: every one)."""
        rows = self.reads.municipalities()
        if user.municipality_id is None:
            return rows
        return [row for row in rows if row["id"] == str(user.municipality_id)]

    def add_municipality(self, user: User, *, name: str, teryt: str | None, network_name: str) -> Saved:
        """A new municipality with its own network of institutions (its strategy is loaded separately)."""
        authorize(user, Action.MANAGE_MUNICIPALITIES)
        return self.store.registry.add_municipality(name=name, teryt=teryt, network_name=network_name, actor=user.actor)

    def scope(self, user: User) -> Scope:
        return self.scopes.of(user)

    # ------------------------------------------------------------------ institutions
    def institutions(self, user: User, *, kind: str | None = None, network_id: UUID | None = None) -> list[Row]:
        authorize(user, Action.READ_REGISTRY)
        scope = self.scopes.of(user)
        networks = scope.network_texts if network_id is None else \
            ([str(network_id)] if scope.includes(network_id) else [])
        return self.reads.institutions(network_ids=networks, kind=kind)

    def register_institution(self, user: User, *, name: str, short_name: str, kind: str,
                             coordinator_id: UUID | None = None, network_id: UUID | None = None) -> Saved:
        authorize(user, Action.MANAGE_REGISTRY)
        network = self.scopes.of(user).own_network(network_id)
        if coordinator_id is not None:
            self._institution(user, coordinator_id, field="coordinator_id")
        return self.store.registry.register_institution(network_id=network, name=name, short_name=short_name, kind=kind,
                                                        coordinator_id=coordinator_id, actor=user.actor)

    def join_network(self, user: User, *, institution_id: UUID, joined_on: date,
                     network_id: UUID | None = None) -> Saved:
        authorize(user, Action.MANAGE_REGISTRY)
        network = self.scopes.of(user).own_network(network_id)
        self._institution(user, institution_id, field="institution_id")
        return self.store.registry.join_network(network_id=network, institution_id=institution_id, joined_on=joined_on,
                                                actor=user.actor)

    def leave_network(self, user: User, *, institution_id: UUID, left_on: date,
                      network_id: UUID | None = None) -> Saved:
        authorize(user, Action.MANAGE_REGISTRY)
        network = self.scopes.of(user).own_network(network_id)
        self._institution(user, institution_id, field="institution_id")
        return self.store.registry.leave_network(network_id=network, institution_id=institution_id, left_on=left_on,
                                                 actor=user.actor)

    # ------------------------------------------------------------------ firms and clusters
    def firms(self, user: User, *, network_id: UUID | None = None) -> list[Row]:
        authorize(user, Action.READ_REGISTRY)
        scope = self.scopes.of(user)
        networks = scope.network_texts if network_id is None else \
            ([str(network_id)] if scope.includes(network_id) else [])
        return self.reads.firms(network_ids=networks)

    def register_firm(self, user: User, *, name: str, nip: str | None, regon: str | None,
                      network_id: UUID | None = None) -> Saved:
        authorize(user, Action.REGISTER_FIRM)
        network = self.scopes.of(user).own_network(network_id)
        return self.store.registry.register_firm(network_id=network, name=name, nip=nip, regon=regon, actor=user.actor)

    def join_cluster(self, user: User, *, cluster_id: UUID, firm_id: UUID, joined_on: date) -> Saved:
        authorize(user, Action.MANAGE_CLUSTER)
        cluster = self._cluster(user, cluster_id)
        return self.store.registry.join_cluster(cluster_id=cluster.id, firm_id=firm_id, joined_on=joined_on,
                                                actor=user.actor)

    def leave_cluster(self, user: User, *, cluster_id: UUID, firm_id: UUID, left_on: date) -> Saved:
        authorize(user, Action.MANAGE_CLUSTER)
        cluster = self._cluster(user, cluster_id)
        return self.store.registry.leave_cluster(cluster_id=cluster.id, firm_id=firm_id, left_on=left_on,
                                                 actor=user.actor)

    def network_members(self, user: User) -> list[Row]:
        """Every network membership interval (joined_on .. left_on) of the user's municipality's networks."""
        authorize(user, Action.READ_REGISTRY)
        return self.reads.network_members(network_ids=self.scopes.of(user).network_texts)

    def cluster_members(self, user: User, cluster_id: UUID) -> list[Row]:
        """The firms of a cluster of the user's municipality over time (joined_on .. left_on)."""
        authorize(user, Action.READ_REGISTRY)
        self._visible_institution(user, cluster_id)
        return self.reads.cluster_members(cluster_id=str(cluster_id))

    def institution_directory(self, user: User) -> list[InstitutionView]:
        """Every institution of the user's municipality with its memberships over time (a cluster with its firms)."""
        authorize(user, Action.READ_REGISTRY)
        networks = self.scopes.of(user).network_texts
        rows = self.reads.institutions(network_ids=networks)
        by_id = {r["id"]: r for r in rows}
        memberships: dict[str, list[Row]] = {}
        for m in self.reads.network_members(network_ids=networks):
            memberships.setdefault(m["institution_id"], []).append(m)
        return [InstitutionView(r, by_id.get(r["coordinator_id"] or ""), memberships.get(r["id"], []),
                                self.reads.cluster_members(cluster_id=r["id"]) if r["kind"] == InstitutionKind.CLUSTER
                                else []) for r in rows]

    def find_firms(self, user: User, text: str | None = None) -> list[Row]:
        """The municipality's firms whose name contains `text` (any case) or whose NIP / REGON starts with its
        digits (spaces, hyphens and a PL prefix ignored); every firm when `text` is empty."""
        rows = self.firms(user)
        wanted = (text or "").strip().casefold()
        if not wanted:
            return rows
        digits = "".join(c for c in wanted.removeprefix("pl") if c.isdigit())
        numeric = bool(digits) and all(c.isdigit() or c in " -" for c in wanted.removeprefix("pl"))

        def matches(row: Row) -> bool:
            if wanted in row["name"].casefold():
                return True
            return numeric and any((row[key] or "").startswith(digits) for key in ("nip", "regon"))
        return [row for row in rows if matches(row)]

    def institution(self, user: User, institution_id: UUID) -> InstitutionView:
        """One institution of the user's municipality with its memberships (and a cluster's firms)."""
        authorize(user, Action.READ_REGISTRY)
        row = self._visible_institution(user, institution_id)
        scope = self.scopes.of(user)
        coordinator = None
        if row["coordinator_id"]:
            coordinator = next((r for r in self.reads.institutions(network_ids=scope.network_texts)
                                if r["id"] == row["coordinator_id"]), None)
        memberships = [m for m in self.reads.network_members(network_ids=scope.network_texts)
                       if m["institution_id"] == row["id"]]
        firms = self.reads.cluster_members(cluster_id=row["id"]) if row["kind"] == InstitutionKind.CLUSTER else []
        return InstitutionView(row, coordinator, memberships, firms)

    # ------------------------------------------------------------------ helpers
    def _visible_institution(self, user: User, institution_id: UUID) -> Row:
        """The registry row of an institution of the user's municipality; another's is not found."""
        rows = self.reads.institutions(network_ids=self.scopes.of(user).network_texts)
        row = next((r for r in rows if r["id"] == str(institution_id)), None)
        if row is None:
            raise NotFound(bilingual(f"Nie ma instytucji o identyfikatorze {institution_id}.",
                                     f"No institution with id {institution_id}."), field="institution_id")
        return row

    def _institution(self, user: User, institution_id: UUID, *, field: str) -> Institution:
        """An institution of the user's municipality (another municipality's is unknown here)."""
        institution = self.store.get_institution(institution_id, field=field)
        if not self.scopes.of(user).includes(institution.network_id):
            raise UnknownReference("institution", institution_id, field=field)
        return institution

    def _cluster(self, user: User, cluster_id: UUID) -> Institution:
        """The cluster, if the user may manage it: its own staff or the staff of the institution running it."""
        cluster = self._institution(user, cluster_id, field="cluster_institution_id")
        check_acts_for(user, [cluster.id, cluster.coordinator_id], field="cluster_institution_id")
        return cluster
