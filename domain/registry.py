"""Who is who: municipalities, networks (and who belongs to them when), institutions, firms,
and firms' cluster memberships. A cluster is an institution of kind `cluster`."""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate

from domain.base import SplotEvent, actor_fields, check_can_join, check_can_leave, intervals_cover
from domain.errors import InvariantViolated, ValidationFailed, bilingual
from domain.values import Actor, InstitutionKind, NetworkKind, stable_id


class Municipality(Aggregate):
    """A local government unit (JST). Networks belong to one or more municipalities."""

    TOPIC = "splot:Municipality"

    class Created(SplotEvent, Aggregate.Created):
        TOPIC = "splot:Municipality.Created"

    class Registered(Created):
        TOPIC = "splot:Municipality.Registered"
        name: str
        teryt: str | None

        def apply(self, municipality: Municipality) -> None:
            municipality.name = self.name
            municipality.teryt = self.teryt

    @classmethod
    def register(cls, *, name: str, teryt: str | None, actor: Actor, id: UUID | None = None) -> Municipality:
        return cls._create(cls.Registered, id=id or uuid4(), name=name, teryt=teryt, **actor_fields(actor))


SHARED_NETWORK_KINDS = frozenset({NetworkKind.MUNICIPAL_NETWORK, NetworkKind.INTER_CITY_NETWORK})


class Network(Aggregate):
    """A cooperation network. Institutions join and leave it on business dates.

    A shared network (a metropolitan network of municipalities, a network of cities: `SHARED_NETWORK_KINDS`)
    has municipalities as its members, joining and leaving on business dates (through them, their
    institutions); each member municipality chooses which of its indicators it shares with the network."""

    TOPIC = "splot:Network"

    class Created(SplotEvent, Aggregate.Created):
        TOPIC = "splot:Network.Created"

    class Registered(Created):
        TOPIC = "splot:Network.Registered"
        name: str
        kind: str
        municipality_ids: list[UUID]

        def apply(self, network: Network) -> None:
            network.name = self.name
            network.kind = self.kind
            network.municipality_ids = list(self.municipality_ids)
            network.members = {}
            network.member_municipalities = {}
            network.shared_indicators = {}

    class InstitutionJoined(SplotEvent, Aggregate.Event):
        TOPIC = "splot:Network.InstitutionJoined"
        institution_id: UUID
        joined_on: date

        def apply(self, network: Network) -> None:
            network.members.setdefault(self.institution_id, []).append([self.joined_on, None])

    class InstitutionLeft(SplotEvent, Aggregate.Event):
        TOPIC = "splot:Network.InstitutionLeft"
        institution_id: UUID
        left_on: date

        def apply(self, network: Network) -> None:
            network.members[self.institution_id][-1][1] = self.left_on

    class MunicipalityJoined(SplotEvent, Aggregate.Event):
        TOPIC = "splot:Network.MunicipalityJoined"
        municipality_id: UUID
        joined_on: date

        def apply(self, network: Network) -> None:
            network.member_municipalities.setdefault(self.municipality_id, []).append([self.joined_on, None])

    class MunicipalityLeft(SplotEvent, Aggregate.Event):
        TOPIC = "splot:Network.MunicipalityLeft"
        municipality_id: UUID
        left_on: date

        def apply(self, network: Network) -> None:
            network.member_municipalities[self.municipality_id][-1][1] = self.left_on

    class IndicatorsShared(SplotEvent, Aggregate.Event):
        """A member municipality's choice (its whole list, replacing the one before) of the indicators of its
        own strategy whose figures the network's comparison shows."""

        TOPIC = "splot:Network.IndicatorsShared"
        municipality_id: UUID
        indicator_codes: list[str]

        def apply(self, network: Network) -> None:
            network.shared_indicators[self.municipality_id] = list(self.indicator_codes)

    @classmethod
    def register(
        cls, *, name: str, kind: str, municipality_ids: list[UUID], actor: Actor, id: UUID | None = None
    ) -> Network:
        if kind not in NetworkKind.__members__.values():
            raise ValidationFailed(bilingual(f"Nieznany rodzaj sieci {kind!r}.", f"Unknown network kind {kind!r}."),
                                   field="kind")
        return cls._create(
            cls.Registered, id=id or uuid4(), name=name, kind=kind,
            municipality_ids=list(municipality_ids), **actor_fields(actor),
        )

    def is_member(self, institution_id: UUID, on: date) -> bool:
        return intervals_cover(self.members.get(institution_id, []), on)

    def is_current_member(self, institution_id: UUID) -> bool:
        intervals = self.members.get(institution_id)
        return bool(intervals) and intervals[-1][1] is None

    def admit(self, institution_id: UUID, joined_on: date, actor: Actor) -> None:
        check_can_join(self.members.get(institution_id, []), joined_on, who="The institution",
                       group="this network", who_pl="Instytucja", group_pl="tej sieci", field="institution_id")
        self.trigger_event(self.InstitutionJoined, institution_id=institution_id, joined_on=joined_on,
                           **actor_fields(actor))

    def release(self, institution_id: UUID, left_on: date, actor: Actor) -> None:
        check_can_leave(self.members.get(institution_id, []), left_on, who="The institution",
                        group="this network", who_pl="Instytucja", group_pl="tej sieci", field="institution_id")
        self.trigger_event(self.InstitutionLeft, institution_id=institution_id, left_on=left_on,
                           **actor_fields(actor))

    # ------------------------------------------------------------------ a shared network's municipalities
    @property
    def is_shared(self) -> bool:
        return self.kind in SHARED_NETWORK_KINDS

    def has_municipality(self, municipality_id: UUID, on: date) -> bool:
        return intervals_cover(self.member_municipalities.get(municipality_id, []), on)

    def admit_municipality(self, municipality_id: UUID, joined_on: date, actor: Actor) -> None:
        self._require_shared()
        check_can_join(self.member_municipalities.get(municipality_id, []), joined_on, who="The municipality",
                       group="this network", who_pl="Gmina", group_pl="tej sieci", field="municipality_id")
        self.trigger_event(self.MunicipalityJoined, municipality_id=municipality_id, joined_on=joined_on,
                           **actor_fields(actor))

    def release_municipality(self, municipality_id: UUID, left_on: date, actor: Actor) -> None:
        self._require_shared()
        check_can_leave(self.member_municipalities.get(municipality_id, []), left_on, who="The municipality",
                        group="this network", who_pl="Gmina", group_pl="tej sieci", field="municipality_id")
        self.trigger_event(self.MunicipalityLeft, municipality_id=municipality_id, left_on=left_on,
                           **actor_fields(actor))

    def share_indicators(self, municipality_id: UUID, indicator_codes: list[str], on: date, actor: Actor) -> None:
        self._require_shared()
        if not self.has_municipality(municipality_id, on):
            raise InvariantViolated(bilingual("Gmina nie należy dziś do tej sieci.",
                                              "The municipality is not a member of this network today."),
                                    field="network_id")
        if list(indicator_codes) == self.shared_indicators.get(municipality_id, []):
            raise InvariantViolated(bilingual("Sieć widzi już dokładnie te wskaźniki.",
                                              "The network already sees exactly these indicators."),
                                    field="indicator_codes")
        self.trigger_event(self.IndicatorsShared, municipality_id=municipality_id,
                           indicator_codes=list(indicator_codes), **actor_fields(actor))

    def _require_shared(self) -> None:
        if not self.is_shared:
            raise InvariantViolated(
                bilingual(f"Sieć {self.name} nie jest siecią gmin ani miast (rodzaj {self.kind}).",
                          f"Network {self.name} is not a network of municipalities or cities (kind {self.kind})."),
                field="network_id")


class Institution(Aggregate):
    """A business-support institution. Clusters are institutions whose members are firms."""

    TOPIC = "splot:Institution"

    class Created(SplotEvent, Aggregate.Created):
        TOPIC = "splot:Institution.Created"

    class Registered(Created):
        TOPIC = "splot:Institution.Registered"
        network_id: UUID
        name: str
        short_name: str
        kind: str
        coordinator_id: UUID | None  # for a cluster: the institution that runs it (e.g. LCB)

        def apply(self, institution: Institution) -> None:
            institution.network_id = self.network_id
            institution.name = self.name
            institution.short_name = self.short_name
            institution.kind = self.kind
            institution.coordinator_id = self.coordinator_id
            institution.active = True
            institution.firm_members = {}

    class Renamed(SplotEvent, Aggregate.Event):
        TOPIC = "splot:Institution.Renamed"
        name: str
        short_name: str

        def apply(self, institution: Institution) -> None:
            institution.name = self.name
            institution.short_name = self.short_name

    class Deactivated(SplotEvent, Aggregate.Event):
        TOPIC = "splot:Institution.Deactivated"
        reason: str

        def apply(self, institution: Institution) -> None:
            institution.active = False

    class FirmJoinedCluster(SplotEvent, Aggregate.Event):
        TOPIC = "splot:Institution.FirmJoinedCluster"
        firm_id: UUID
        joined_on: date

        def apply(self, cluster: Institution) -> None:
            cluster.firm_members.setdefault(self.firm_id, []).append([self.joined_on, None])

    class FirmLeftCluster(SplotEvent, Aggregate.Event):
        TOPIC = "splot:Institution.FirmLeftCluster"
        firm_id: UUID
        left_on: date

        def apply(self, cluster: Institution) -> None:
            cluster.firm_members[self.firm_id][-1][1] = self.left_on

    @classmethod
    def register(
        cls, *, network_id: UUID, name: str, short_name: str, kind: str, actor: Actor,
        coordinator_id: UUID | None = None, id: UUID | None = None,
    ) -> Institution:
        return cls._create(
            cls.Registered, id=id or uuid4(), network_id=network_id, name=name, short_name=short_name,
            kind=kind, coordinator_id=coordinator_id, **actor_fields(actor),
        )

    def rename(self, *, name: str, short_name: str, actor: Actor) -> None:
        self._require_active()
        if (name, short_name) == (self.name, self.short_name):
            raise InvariantViolated(bilingual("Nowa nazwa jest taka sama jak obecna.",
                                              "The new name equals the current one."), field="name")
        self.trigger_event(self.Renamed, name=name, short_name=short_name, **actor_fields(actor))

    def deactivate(self, *, reason: str, actor: Actor) -> None:
        self._require_active()
        self.trigger_event(self.Deactivated, reason=reason, **actor_fields(actor))

    def admit_firm(self, firm_id: UUID, joined_on: date, actor: Actor) -> None:
        self._require_cluster()
        self._require_active()
        check_can_join(self.firm_members.get(firm_id, []), joined_on, who="The firm", group="this cluster",
                       who_pl="Firma", group_pl="tego klastra", field="firm_id")
        self.trigger_event(self.FirmJoinedCluster, firm_id=firm_id, joined_on=joined_on, **actor_fields(actor))

    def release_firm(self, firm_id: UUID, left_on: date, actor: Actor) -> None:
        self._require_cluster()
        check_can_leave(self.firm_members.get(firm_id, []), left_on, who="The firm", group="this cluster",
                        who_pl="Firma", group_pl="tego klastra", field="firm_id")
        self.trigger_event(self.FirmLeftCluster, firm_id=firm_id, left_on=left_on, **actor_fields(actor))

    def has_firm_member(self, firm_id: UUID, on: date) -> bool:
        return intervals_cover(self.firm_members.get(firm_id, []), on)

    def _require_active(self) -> None:
        if not self.active:
            raise InvariantViolated(bilingual(f"Instytucja {self.short_name} jest wyłączona.",
                                              f"Institution {self.short_name} is deactivated."), field="institution_id")

    def _require_cluster(self) -> None:
        if self.kind != InstitutionKind.CLUSTER:
            raise InvariantViolated(
                bilingual(f"Instytucja {self.short_name} nie jest klastrem (rodzaj {self.kind}).",
                          f"Institution {self.short_name} is not a cluster (kind {self.kind})."),
                field="cluster_institution_id",
            )


def firm_key(firm_id: object, nip: str | None, regon: str | None) -> str:
    """The key that makes a firm count once however often it is met: NIP, else REGON, else its id."""
    return f"nip:{nip}" if nip else f"regon:{regon}" if regon else f"id:{firm_id}"


class Firm(Aggregate):
    """A firm, identified for counting by NIP and/or REGON (checksums validated)."""

    TOPIC = "splot:Firm"

    class Created(SplotEvent, Aggregate.Created):
        TOPIC = "splot:Firm.Created"

    class Registered(Created):
        TOPIC = "splot:Firm.Registered"
        network_id: UUID
        name: str
        nip: str | None
        regon: str | None

        def apply(self, firm: Firm) -> None:
            firm.network_id = self.network_id
            firm.name = self.name
            firm.nip = self.nip
            firm.regon = self.regon

    @classmethod
    def register(
        cls, *, network_id: UUID, name: str, nip: str | None, regon: str | None, actor: Actor,
        id: UUID | None = None,
    ) -> Firm:
        return cls._create(cls.Registered, id=id or uuid4(), network_id=network_id, name=name, nip=nip,
                           regon=regon, **actor_fields(actor))


class UniqueKey(Aggregate):
    """A claim on a value that must be unique within a network: a firm's NIP or REGON, an
    institution's short name. Its id is derived from the value, so two claims of one value
    collide in the event store even when they race; the use cases also look first, to give a
    clear error. A claim is never released: an old short name keeps naming what it named in
    earlier reports."""

    TOPIC = "splot:UniqueKey"

    class Created(SplotEvent, Aggregate.Created):
        TOPIC = "splot:UniqueKey.Created"

    class Claimed(Created):
        TOPIC = "splot:UniqueKey.Claimed"
        scope: str
        network_id: UUID
        value: str
        owner_id: UUID

        def apply(self, key: UniqueKey) -> None:
            key.scope = self.scope
            key.value = self.value
            key.owner_id = self.owner_id

    @staticmethod
    def id_for(scope: str, network_id: UUID, value: str) -> UUID:
        return stable_id("unique", scope, str(network_id), value.casefold())

    @classmethod
    def claim(cls, *, scope: str, network_id: UUID, value: str, owner_id: UUID, actor: Actor) -> UniqueKey:
        return cls._create(cls.Claimed, id=cls.id_for(scope, network_id, value), scope=scope,
                           network_id=network_id, value=value, owner_id=owner_id, **actor_fields(actor))
