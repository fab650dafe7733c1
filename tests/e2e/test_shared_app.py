"""The test session's shared app (tests/support/apps.py, put in place by tests/conftest.py) is the app
`create_app` builds, and each copy serves only its own container."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

import api.app
from domain.application import DEFAULT_NETWORK_ID
from infra.container import bootstrap, build_container
from infra.settings import Settings
from tests.support.apps import bind
from tests.support.world import auth, build_world

V1 = "/api/v1"


def real_create_app():
    return getattr(api.app.create_app, "original", api.app.create_app)  # SPLOT_TEST_FRESH_APPS=1: not replaced


def shape(app: FastAPI) -> dict:
    """What a built app is made of, apart from its container."""
    return {"routes": [(type(r).__name__, getattr(r, "path", None), sorted(getattr(r, "methods", None) or ()))
                       for r in app.routes],
            "middleware": [(m.cls, m.kwargs) for m in app.user_middleware],
            "handlers": sorted(map(str, app.exception_handlers)),
            "state": sorted(k for k in app.state._state if k != "container")}


def test_the_app_does_not_depend_on_its_container_but_through_its_state(container, tmp_path):
    other = build_container(Settings(data_dir=tmp_path / "var"))
    try:
        bootstrap(other)
        first, second = real_create_app()(container), real_create_app()(other)
        assert shape(first) == shape(second)
        assert (first.state.container, second.state.container) == (container, other)
        copied = api.app.create_app(other)  # what the tests get
        assert shape(copied) == shape(first) and copied.state.container is other
    finally:
        other.close()


def test_each_copy_reads_and_writes_its_own_container_only(container):
    other = build_container(Settings(in_memory=True))
    try:
        bootstrap(other)
        worlds = build_world(container, DEFAULT_NETWORK_ID), build_world(other, DEFAULT_NETWORK_ID)
        template = api.app.create_app(container)
        with TestClient(bind(template, container)) as one, TestClient(bind(template, other)) as two:
            staff_one, staff_two = auth(worlds[0].tokens["staff"]), auth(worlds[1].tokens["staff"])
            assert two.get(f"{V1}/firms", headers=staff_one).status_code == 401  # that user is not in `other`
            assert one.post(f"{V1}/firms", headers=staff_one,
                            json={"name": "Tylko w pierwszym", "nip": "7680002466"}).status_code == 201
            names = [{f["name"] for f in client.get(f"{V1}/firms", headers=headers).json()["items"]}
                     for client, headers in ((one, staff_one), (two, staff_two))]
        assert "Tylko w pierwszym" in names[0] and "Tylko w pierwszym" not in names[1]
        assert {"Firma A", "Firma B"} <= names[1]
    finally:
        other.close()
