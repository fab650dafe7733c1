"""What schemathesis (tests/e2e/api/test_schemathesis.py) needs to make the investor service's writes succeed:
unique codenames and past dates for a new inquiry, and an unanswered inquiry of the world's municipality to
answer (created here through the use case, as the coordinator the run acts as)."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from random import Random
from typing import Any
from uuid import uuid4

from domain.application import DEFAULT_MUNICIPALITY_ID
from domain.policy import Role, User

_SERIAL = itertools.count(1)
_COORDINATOR = User(id=uuid4(), email="fuzz-coordinator@example.org", role=Role.COORDINATOR, institution_id=None,
                    active=True, municipality_id=DEFAULT_MUNICIPALITY_ID)


def feed_investor(operation: str, case: Any, container: Any, rng: Random) -> None:
    """Only operations under /api/v1/investor/; one draw in five stays as generated."""
    if "/api/v1/investor/" not in operation or not rng.randint(0, 4):
        return
    body, path = case.body, case.path_parameters
    if operation == "POST /api/v1/investor/inquiries" and isinstance(body, dict):
        body["codename"] = f"Fuzz-{next(_SERIAL)}"
        body["received_on"] = (date(2025, 1, 2) + timedelta(days=rng.randint(0, 300))).isoformat()
        if isinstance(body.get("needs"), dict):
            body["needs"]["area_ha"] = rng.choice([None, "5", "12.5"])
    elif operation == "POST /api/v1/investor/inquiries/{inquiry_id}/answer":
        path["inquiry_id"] = str(container.use_cases.investor.receive(
            _COORDINATOR, codename=f"Fuzz-{next(_SERIAL)}", sectors=["other"], needs={},
            received_on=date(2025, 1, 2)).id)
        if isinstance(body, dict):
            body["answered_on"], body["site_ids"] = "2025-02-03", []
    elif operation == "GET /api/v1/investor/inquiries/{inquiry_id}":
        path["inquiry_id"] = str(container.use_cases.investor.receive(
            _COORDINATOR, codename=f"Fuzz-{next(_SERIAL)}", sectors=["food"], needs={},
            received_on=date(2025, 1, 2)).id)
