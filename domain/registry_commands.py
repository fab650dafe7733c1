"""Registry commands: municipalities, networks, institutions, firms and cluster memberships.

Composed into the event store as `Splot.registry`; every command checks its inputs and the
cross-aggregate rules, then saves all new events in one transaction through `store._save`.
A membership change is refused when it would alter a closed reporting year (`store.years`).
"""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from domain.errors import InvariantViolated, UnknownReference, ValidationFailed, bilingual
from domain.registry import SHARED_NETWORK_KINDS, Firm, Institution, Municipality, Network, UniqueKey
from domain.unique_keys import claim_key, rekey_claims
from domain.values import (
    Actor,
    InstitutionKind,
    NetworkKind,
    check_choice,
    check_text,
    comparison_key,
    normalise_nip,
    normalise_regon,
    stable_id,
)

if TYPE_CHECKING:
    from domain.application import Saved, Splot

DEFAULT_MUNICIPALITY_ID = stable_id("municipality", "default")
DEFAULT_NETWORK_ID = stable_id("network", "default")


def _name(value: object, *, field: str, max_length: int) -> str:
    """A name as typed (`check_text`), refused when nothing of it is visible (only zero-width or bidi marks):
    its comparison key would be empty."""
    name = check_text(value, field=field, max_length=max_length)
    if not comparison_key(name):
        raise ValidationFailed(bilingual(f"Pole {field} zawiera same niewidoczne znaki.",
                                         f"{field} holds only invisible characters."), field=field)
    return name


class RegistryCommands:
    """Who is in the network: municipalities, networks, institutions, firms, clusters."""

    def __init__(self, store: Splot) -> None:
        self.store = store

    # ------------------------------------------------------------------ municipalities and networks
    def register_municipality(self, *, name: str, teryt: str | None, actor: Actor,
                              id: UUID | None = None) -> Saved:
        name = check_text(name, field="name", max_length=200)
        if teryt is not None and not re.fullmatch(r"[0-9]{7}", teryt):  # ASCII digits only
            raise ValidationFailed(bilingual("Kod TERYT musi mieć 7 cyfr.", "TERYT code must have 7 digits."),
                                   field="teryt")
        return self.store._save(Municipality.register(name=name, teryt=teryt, actor=actor, id=id))

    def register_network(self, *, name: str, kind: str, municipality_ids: list[UUID], actor: Actor,
                         id: UUID | None = None) -> Saved:
        name = check_text(name, field="name", max_length=200)
        for i, municipality_id in enumerate(municipality_ids):
            self.store._load(Municipality, municipality_id, field=f"municipality_ids[{i}]", what="municipality")
        return self.store._save(Network.register(name=name, kind=kind, municipality_ids=municipality_ids,
                                                 actor=actor, id=id))

    def add_municipality(self, *, name: str, teryt: str | None, network_name: str, actor: Actor) -> Saved:
        """A municipality and its own network of institutions, in one transaction."""
        name = check_text(name, field="name", max_length=200)
        network_name = check_text(network_name, field="network_name", max_length=200)
        if teryt is not None and not (re.fullmatch(r"[0-9]{7}", teryt)):
            raise ValidationFailed(bilingual("Kod TERYT musi mieć 7 cyfr.", "TERYT code must have 7 digits."),
                                   field="teryt")
        municipality = Municipality.register(name=name, teryt=teryt, actor=actor)
        network = Network.register(name=network_name, kind="institution_network",
                                   municipality_ids=[municipality.id], actor=actor)
        return self.store._save(municipality, network)

    def ensure_default_network(self, *, municipality: str, network: str, teryt: str | None = None) -> UUID:
        """Creates the default municipality and network once (an empty store needs somewhere to start)."""
        system = Actor(user_id="system")
        if not self.store.exists(DEFAULT_MUNICIPALITY_ID):
            self.register_municipality(name=municipality, teryt=teryt, actor=system, id=DEFAULT_MUNICIPALITY_ID)
        if not self.store.exists(DEFAULT_NETWORK_ID):
            self.register_network(name=network, kind="institution_network",
                                  municipality_ids=[DEFAULT_MUNICIPALITY_ID], actor=system, id=DEFAULT_NETWORK_ID)
        return DEFAULT_NETWORK_ID

    def join_network(self, *, network_id: UUID, institution_id: UUID, joined_on: date, actor: Actor) -> Saved:
        store = self.store
        network = store.get_network(network_id)
        institution = store.get_institution(institution_id)
        if not institution.active:
            raise InvariantViolated(bilingual(f"Instytucja {institution.short_name} jest wyłączona.",
                                              f"{institution.short_name} is deactivated."), field="institution_id")
        joined_on = store._business_date(joined_on, "joined_on")
        store.years.check_membership_years_open(network.id, joined_on, institution.id, today=store.today(),
                                                  field="joined_on")
        network.admit(institution.id, joined_on, actor)
        return store._save(network)

    def leave_network(self, *, network_id: UUID, institution_id: UUID, left_on: date, actor: Actor) -> Saved:
        store = self.store
        network = store.get_network(network_id)
        institution = store.get_institution(institution_id)
        left_on = store._business_date(left_on, "left_on")
        store.years.check_membership_years_open(network.id, left_on, institution.id, today=store.today(),
                                                  field="left_on")
        network.release(institution.id, left_on, actor)
        return store._save(network)

    # ------------------------------------------------------------------ shared networks of municipalities
    def register_shared_network(self, *, name: str, kind: str, actor: Actor, id: UUID | None = None) -> Saved:
        """A metropolitan or inter-city network: it lists no municipality of its own; municipalities join it
        on dates (`admit_municipality`)."""
        name = _name(name, field="name", max_length=200)
        kind = check_choice(kind, NetworkKind, field="kind")
        if kind not in SHARED_NETWORK_KINDS:
            raise ValidationFailed(bilingual("Wspólna sieć jest siecią gmin (municipal_network) albo siecią miast "
                                             "(inter_city_network).",
                                             "A shared network is a network of municipalities (municipal_network) "
                                             "or of cities (inter_city_network)."), field="kind")
        return self.store._save(Network.register(name=name, kind=kind, municipality_ids=[], actor=actor, id=id))

    def admit_municipality(self, *, network_id: UUID, municipality_id: UUID, joined_on: date,
                           actor: Actor) -> Saved:
        store = self.store
        network = store.get_network(network_id)
        municipality = store._load(Municipality, municipality_id, field="municipality_id", what="municipality")
        network.admit_municipality(municipality.id, store._business_date(joined_on, "joined_on"), actor)
        return store._save(network)

    def release_municipality(self, *, network_id: UUID, municipality_id: UUID, left_on: date,
                             actor: Actor) -> Saved:
        store = self.store
        network = store.get_network(network_id)
        municipality = store._load(Municipality, municipality_id, field="municipality_id", what="municipality")
        network.release_municipality(municipality.id, store._business_date(left_on, "left_on"), actor)
        return store._save(network)

    def share_indicators(self, *, network_id: UUID, municipality_id: UUID, indicator_codes: list[str],
                         actor: Actor) -> Saved:
        """The member's whole choice of shared indicators (codes of its own strategy, checked by the caller)."""
        store = self.store
        network = store.get_network(network_id)
        codes = list(dict.fromkeys(check_text(c, field="indicator_codes", max_length=50) for c in indicator_codes))
        network.share_indicators(municipality_id, codes, store.today(), actor)
        return store._save(network)

    # ------------------------------------------------------------------ unique values
    def _claim(self, scope: str, network_id: UUID, typed: str, owner_id: UUID, actor: Actor, *, field: str,
               taken: str, taken_pl: str) -> UniqueKey:
        """A claim on the value's key (`domain.unique_keys.claim_key`: a name's comparison key, an identifier's
        digits), refused with a clear error when that key is claimed — or when the value as typed is claimed
        under the key stores derived before comparison keys (the typed value casefolded), which
        `rekey_unique_claims` may not have re-claimed yet. `taken` / `taken_pl` are templates with {value}."""
        key = claim_key(scope, typed)
        for key_id in dict.fromkeys((UniqueKey.id_for(scope, network_id, key), UniqueKey.id_for(scope, network_id, typed))):
            try:
                existing = self.store.repository.get(key_id)
            except AggregateNotFoundError:
                continue
            raise InvariantViolated(bilingual(f"{taken_pl.format(value=typed)} (identyfikator {existing.owner_id}).",
                                              f"{taken.format(value=typed)} (id {existing.owner_id})."), field=field)
        return UniqueKey.claim(scope=scope, network_id=network_id, value=key, owner_id=owner_id, actor=actor)

    def rekey_unique_claims(self) -> list[str]:
        """Once per store: every claim made before comparison keys is claimed again under its key, so that
        `ＲＩＰＨ` registered then still refuses `RIPH` now (domain/unique_keys.py). Idempotent: a marker claim,
        written once the store holds any claim, says it is done. Returns the claims that could not be
        re-keyed because their key names another owner (duplicates the store already held), for the log."""
        return rekey_claims(self.store, DEFAULT_NETWORK_ID)

    # ------------------------------------------------------------------ institutions and firms
    def register_institution(self, *, network_id: UUID, name: str, short_name: str, kind: str, actor: Actor,
                             coordinator_id: UUID | None = None, id: UUID | None = None) -> Saved:
        store = self.store
        store.get_network(network_id)
        name = _name(name, field="name", max_length=300)
        short_name = _name(short_name, field="short_name", max_length=30)
        kind = check_choice(kind, InstitutionKind, field="kind")
        if coordinator_id is not None:
            if kind != InstitutionKind.CLUSTER:
                raise ValidationFailed(bilingual("Instytucję koordynującą ma tylko klaster.",
                                                 "Only a cluster has a coordinating institution."),
                                       field="coordinator_id")
            store.get_institution(coordinator_id, field="coordinator_id")
        institution = Institution.register(network_id=network_id, name=name, short_name=short_name, kind=kind,
                                           coordinator_id=coordinator_id, actor=actor, id=id)
        claim = self._claim("institution_short_name", network_id, short_name, institution.id, actor,
                            field="short_name", taken="An institution with the short name {value} already exists",
                            taken_pl="Instytucja o skróconej nazwie {value} już istnieje")
        return store._save(institution, claim)

    def rename_institution(self, *, institution_id: UUID, name: str, short_name: str, actor: Actor) -> Saved:
        store = self.store
        institution = store.get_institution(institution_id)
        short_name = _name(short_name, field="short_name", max_length=30)
        claims = []
        if comparison_key(short_name) != comparison_key(institution.short_name):
            claims.append(self._claim("institution_short_name", institution.network_id, short_name, institution.id,
                                      actor, field="short_name",
                                      taken="The short name {value} is taken (now or in the past)",
                                      taken_pl="Skrócona nazwa {value} jest zajęta (obecnie lub w przeszłości)"))
        institution.rename(name=_name(name, field="name", max_length=300), short_name=short_name, actor=actor)
        return store._save(institution, *claims)

    def deactivate_institution(self, *, institution_id: UUID, reason: str, actor: Actor) -> Saved:
        institution = self.store.get_institution(institution_id)
        institution.deactivate(reason=check_text(reason, field="reason", max_length=1000), actor=actor)
        return self.store._save(institution)

    def register_firm(self, *, network_id: UUID, name: str, nip: str | None, regon: str | None,
                      actor: Actor, id: UUID | None = None) -> Saved:
        store = self.store
        store.get_network(network_id)
        name = _name(name, field="name", max_length=300)
        if not nip and not regon:
            raise ValidationFailed(bilingual("Firmę identyfikuje NIP lub REGON (albo oba): podaj co najmniej jeden.",
                                             "A firm is identified by its NIP or REGON (or both): give at least one."),
                                   field="nip")
        nip = normalise_nip(nip) if nip else None
        regon = normalise_regon(regon) if regon else None
        firm = Firm.register(network_id=network_id, name=name, nip=nip, regon=regon, actor=actor, id=id)
        claims = [
            self._claim(f"firm_{field}", network_id, value, firm.id, actor, field=field,
                        taken=f"A firm with {field.upper()} {{value}} is already registered",
                        taken_pl=f"Firma o numerze {field.upper()} {{value}} jest już zarejestrowana")
            for field, value in (("nip", nip), ("regon", regon)) if value
        ]
        return store._save(firm, *claims)

    def join_cluster(self, *, cluster_id: UUID, firm_id: UUID, joined_on: date, actor: Actor) -> Saved:
        store = self.store
        cluster = store.get_institution(cluster_id, field="cluster_institution_id")
        firm = store.get_firm(firm_id)
        if firm.network_id != cluster.network_id:  # the cluster gauges count a network's own firms by NIP/REGON
            raise UnknownReference("firm", firm.id, field="firm_id")
        joined_on = store._business_date(joined_on, "joined_on")
        store.years.check_membership_years_open(cluster.network_id, joined_on, cluster.id, today=store.today(),
                                                  field="joined_on")
        cluster.admit_firm(firm.id, joined_on, actor)
        return store._save(cluster)

    def leave_cluster(self, *, cluster_id: UUID, firm_id: UUID, left_on: date, actor: Actor) -> Saved:
        store = self.store
        cluster = store.get_institution(cluster_id, field="cluster_institution_id")
        firm = store.get_firm(firm_id)
        left_on = store._business_date(left_on, "left_on")
        store.years.check_membership_years_open(cluster.network_id, left_on, cluster.id, today=store.today(),
                                                  field="left_on")
        cluster.release_firm(firm.id, left_on, actor)
        return store._save(cluster)
