"""The API test world: a few institutions, two clusters, firms and records, one user and token per role.

Shared by the e2e tests (through tests/e2e/conftest.py) and the use-case authorization test in integration.
"""

from __future__ import annotations
from domain.application import DEFAULT_MUNICIPALITY_ID

from dataclasses import dataclass
from datetime import date
from uuid import UUID

import pytest
from argon2 import PasswordHasher

from domain.values import Actor
from infra.container import Container
from infra.users import UserStore
from tests.factories import valid_regon


@dataclass
class World:
    riph: UUID  # staff/lead "own" institution
    citt: UUID  # "other" institution
    wpir: UUID  # the coordinator's department
    lcb: UUID  # runs the food cluster
    cluster: UUID  # food cluster (coordinated by LCB): "other" for RIPH staff
    own_cluster: UUID  # construction cluster run by RIPH: "own" for RIPH staff
    firm_a: UUID
    firm_b: UUID
    own_record: UUID  # contact RIPH -> CITT, owned by RIPH
    shared_record: UUID  # contact CITT -> RIPH: owned by CITT, RIPH takes part
    other_record: UUID  # contact CITT -> LCB: RIPH takes no part
    tokens: dict[str, str]  # role -> bearer token (staff/lead belong to RIPH)
    other_staff_token: str  # staff of CITT
    other_staff_id: UUID


@pytest.fixture
def world(container: Container, network_id) -> World:
    return build_world(container, network_id)


def build_world(container: Container, network_id: UUID) -> World:
    app = container.app
    system = Actor(user_id="setup")
    ids = {}
    for short, kind in (("RIPH", "chamber"), ("CITT", "innovation_centre"), ("WPiR", "city_department"),
                        ("LCB", "business_centre")):
        ids[short] = app.registry.register_institution(network_id=network_id, name=f"Instytucja {short}", short_name=short,
                                                       kind=kind, actor=system).id
        app.registry.join_network(network_id=network_id, institution_id=ids[short], joined_on=date(2009, 1, 1), actor=system)
    cluster = app.registry.register_institution(network_id=network_id, name="Klaster spożywczy", short_name="KS",
                                                kind="cluster", coordinator_id=ids["LCB"], actor=system).id
    firm_a = app.registry.register_firm(network_id=network_id, name="Firma A", nip="5260250274", regon=None, actor=system).id
    firm_b = app.registry.register_firm(network_id=network_id, name="Firma B", nip=None, regon=valid_regon(1), actor=system).id
    own_cluster = app.registry.register_institution(network_id=network_id, name="Klaster budowlany", short_name="KB",
                                                    kind="cluster", coordinator_id=ids["RIPH"], actor=system).id
    for cluster_id in (cluster, own_cluster):
        app.registry.join_cluster(cluster_id=cluster_id, firm_id=firm_a, joined_on=date(2010, 1, 1), actor=system)

    def contact(owner: UUID, other: UUID) -> UUID:
        return app.records.record("contact", {"network_id": network_id, "occurred_on": date(2012, 5, 5),
                                              "institution_id": owner, "with_institution_id": other, "channel": "phone",
                                              "summary": "Kontakt"}, system).id

    own_record, shared_record = contact(ids["RIPH"], ids["CITT"]), contact(ids["CITT"], ids["RIPH"])
    other_record = contact(ids["CITT"], ids["LCB"])
    container.runner.catch_up()
    users = UserStore(container.directory_db, hasher=PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    tokens = {}
    for role in ("staff", "lead", "coordinator", "auditor", "admin"):
        institution = {"staff": ids["RIPH"], "lead": ids["RIPH"], "coordinator": ids["WPiR"]}.get(role)
        users.add(email=f"{role}@example.org", password="correct horse battery", role=role,
                  institution_id=institution, municipality_id=None if role == "admin" else DEFAULT_MUNICIPALITY_ID)
        tokens[role] = users.create_token(f"{role}@example.org").token
    other_user = users.add(email="other@example.org", password="correct horse battery", role="staff",
                           institution_id=ids["CITT"], municipality_id=DEFAULT_MUNICIPALITY_ID)
    other = users.create_token("other@example.org").token
    return World(riph=ids["RIPH"], citt=ids["CITT"], wpir=ids["WPiR"], lcb=ids["LCB"], cluster=cluster,
                 own_cluster=own_cluster, firm_a=firm_a, firm_b=firm_b, own_record=own_record,
                 shared_record=shared_record, other_record=other_record, tokens=tokens, other_staff_token=other,
                 other_staff_id=other_user.id)


def auth(token: str, **extra: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", **extra}
