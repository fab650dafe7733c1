"""Feeding schemathesis' positive cases of the shared networks' and good practices' operations
(tests/e2e/api/test_schemathesis.py) so that most of them succeed: one metropolitan network with the world's
municipality in it, a practice with a document for the reads, a fresh practice of RIPH for each link or
withdrawal, a meeting the coordinator sees, bodies within what the domain accepts."""

from __future__ import annotations

import random
from datetime import date
from typing import Any
from uuid import UUID

from domain.application import DEFAULT_MUNICIPALITY_ID
from domain.values import Actor, stable_id
from infra.container import Container
from tests.support.world import World

NETWORK = stable_id("fuzz", "metropolitan network")
PDF = b"%PDF-1.4\n% fuzz\n%%EOF\n"
_STATE: dict[str, Any] = {}


def _coordinator(container: Container):
    return container.users.get_by_email("coordinator@example.org")


def _practice(container: Container, world: World, title: str = "Praktyka do zmiany") -> str:
    return str(container.use_cases.practices.publish(_coordinator(container), network_id=NETWORK,
                                                     institution_id=world.riph, title=title, description="Opis",
                                                     tags=["fuzz"], year=2012).id)


def _ready(container: Container, world: World) -> dict[str, Any]:
    if not _STATE:
        registry = container.app.registry
        registry.register_shared_network(name="Metropolia", kind="municipal_network", actor=Actor(user_id="fuzz"),
                                         id=NETWORK)
        registry.admit_municipality(network_id=NETWORK, municipality_id=DEFAULT_MUNICIPALITY_ID,
                                    joined_on=date(2011, 1, 1), actor=Actor(user_id="fuzz"))
        practice = _practice(container, world, "Praktyka do czytania")
        container.use_cases.practices.attach(_coordinator(container), UUID(practice), filename="p.pdf",
                                                        data=PDF)
        view = container.use_cases.practices.practice(_coordinator(container), UUID(practice))
        meeting = container.use_cases.records.record(_coordinator(container), "meeting", {
            "occurred_on": date(2012, 5, 10), "title": "Wizyta studyjna", "kind": "study_visit",
            "organiser_id": world.riph, "institution_ids": [world.citt]}).id
        _STATE.update(practice=practice, document=view.documents[0]["id"], meeting=str(meeting))
    return _STATE


def feed_practices(operation: str, case: Any, container: Container, world: World, rng: random.Random) -> None:
    """Only operations under /api/v1/shared-networks and /api/v1/practices; one draw in five is left as it is."""
    if "/api/v1/shared-networks" not in operation and "/api/v1/practices" not in operation:
        return
    if rng.randint(0, 4) == 0:
        return
    state = _ready(container, world)
    path, body = case.path_parameters or {}, case.body
    if "network_id" in path:
        path["network_id"] = str(NETWORK)
    if "practice_id" in path:
        if operation.endswith(("/presentations", "/withdrawal")):
            path["practice_id"] = _practice(container, world)
        else:
            path["practice_id"] = state["practice"]
    if "document_id" in path:
        path["document_id"] = state["document"]
    if not isinstance(body, dict):
        return
    if operation == "POST /api/v1/practices":
        body.update(network_id=str(NETWORK), institution_id=str(world.riph), year=rng.randint(2009, 2013),
                    tags=[t for t in body.get("tags", []) if isinstance(t, str) and t.strip().isprintable()][:3])
        for key in ("title", "description"):
            if not (isinstance(body.get(key), str) and body[key].strip() and body[key].isprintable()):
                body[key] = "Dobra praktyka"
    elif operation.endswith("/presentations"):
        body["record_id"] = state["meeting"]
    elif operation.endswith("/withdrawal"):
        if not (isinstance(body.get("reason"), str) and body["reason"].strip() and body["reason"].isprintable()):
            body["reason"] = "Omyłka"
    elif operation.endswith("/shared-indicators"):
        body["indicator_codes"] = [rng.choice(["III.1.3.W1", "III.1.3.W2", "III.1.3.W3"])]
