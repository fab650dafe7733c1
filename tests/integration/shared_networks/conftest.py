"""Two municipalities (the default Leszno and Gniezno) in one metropolitan network, with an institution
each and use-case users (a coordinator, a staff member of the institution, an auditor) per city, and a third
municipality outside the network."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

import pytest

from domain.application import DEFAULT_MUNICIPALITY_ID
from domain.policy import Role, User
from domain.use_cases.users import OPERATOR
from domain.values import stable_id


def person(role: Role, municipality_id: UUID, institution_id: UUID | None = None) -> User:
    return User(id=stable_id("user", f"{role}-{municipality_id}-{institution_id}"), email=f"{role}@example.org",
                role=role, institution_id=institution_id, active=True, municipality_id=municipality_id)


@dataclass
class City:
    municipality_id: UUID
    institution_id: UUID
    coordinator: User
    staff: User
    auditor: User


@dataclass
class Metro:
    network_id: UUID
    leszno: City
    gniezno: City
    outsider: City


def _city(uc, municipality_id: UUID, short_name: str) -> City:
    coordinator = person(Role.COORDINATOR, municipality_id)
    institution = uc.registry.register_institution(coordinator, name=f"Instytucja {short_name}",
                                                   short_name=short_name, kind="chamber").id
    uc.registry.join_network(coordinator, institution_id=institution, joined_on=date(2010, 1, 1))
    return City(municipality_id, institution, coordinator, person(Role.STAFF, municipality_id, institution),
                person(Role.AUDITOR, municipality_id))


@pytest.fixture
def metro(container) -> Metro:
    uc = container.use_cases
    gniezno = uc.registry.add_municipality(OPERATOR, name="Miasto Gniezno", teryt="3003011",
                                           network_name="Sieć instytucji Gniezna").id
    kalisz = uc.registry.add_municipality(OPERATOR, name="Miasto Kalisz", teryt="3061011",
                                          network_name="Sieć instytucji Kalisza").id
    network = uc.shared_networks.add(OPERATOR, name="Metropolia", kind="municipal_network").id
    for municipality in (DEFAULT_MUNICIPALITY_ID, gniezno):
        uc.shared_networks.admit(OPERATOR, network_id=network, municipality_id=municipality, joined_on=date(2011, 1, 1))
    return Metro(network, _city(uc, DEFAULT_MUNICIPALITY_ID, "RIPHX"), _city(uc, gniezno, "IZBA"),
                 _city(uc, kalisz, "KIG"))
