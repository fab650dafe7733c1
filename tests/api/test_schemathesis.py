"""Schemathesis against the app in-process: generated valid and invalid input for every operation.

Checks: no 500, every status documented, content types and bodies as documented. Runs as the
coordinator (the widest write rights), so writes go deep enough to reach the domain. The examples
per operation are bounded to keep the run well under two minutes; the number of generated requests
is printed at the end (run with -s to see it).
"""

from __future__ import annotations

from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.checks import not_a_server_error

from api.app import create_app
from domain.application import DEFAULT_NETWORK_ID
from infra.container import bootstrap, build_container
from infra.settings import Settings
from tests.api.conftest import auth, build_world

EXAMPLES_PER_OPERATION = 60
REQUESTS: Counter[tuple[str, int]] = Counter()
# The brief's bar: no 500 and nothing outside the documented schema. `negative_data_rejection` is left
# out: some generated "invalid" queries lose their invalid part on the way (an unnamed extra parameter
# is dropped when serialised), so it reports valid requests as accepted invalid ones.
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


# Loaded at import (schemathesis' fixture-based lazy loader does not work with pytest 9): one store for
# the whole module, with the same world as the other API tests.
CONTAINER = build_container(Settings(in_memory=True))
bootstrap(CONTAINER)
WORLD = build_world(CONTAINER, DEFAULT_NETWORK_ID)
HEADERS = auth(WORLD.tokens["coordinator"])
schema = schemathesis.openapi.from_asgi("/api/openapi.json", create_app(CONTAINER))


@pytest.fixture(scope="module", autouse=True)
def _close_store():
    yield
    CONTAINER.close()


@schema.parametrize()
@settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None,
          suppress_health_check=list(HealthCheck), derandomize=True)
def test_api_conforms_to_its_documentation(case):
    response = case.call_and_validate(headers=HEADERS, checks=CHECKS)
    REQUESTS[(case.operation.label, response.status_code)] += 1
    assert response.status_code != 500


def test_zz_report_generated_requests():
    """Runs after the schemathesis tests (file order): says how many requests they sent."""
    total = sum(REQUESTS.values())
    if total == 0:
        pytest.skip("the schemathesis tests were not selected in this run")
    by_status = Counter()
    for (_, status), count in REQUESTS.items():
        by_status[status] += count
    operations = {operation for operation, _ in REQUESTS}
    print(f"\nschemathesis: {total} generated requests over {len(operations)} operations; "
          f"by status: {dict(sorted(by_status.items()))}")
    assert by_status[500] == 0
