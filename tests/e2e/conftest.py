"""e2e fixtures: the API test world and an in-process client of the app over the test's store."""

from __future__ import annotations

from typing import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from infra.container import Container
from tests.support.world import world  # noqa: F401 (fixture)


@pytest.fixture
def client(container: Container) -> Iterator[TestClient]:
    with TestClient(create_app(container), raise_server_exceptions=False) as test_client:
        yield test_client
