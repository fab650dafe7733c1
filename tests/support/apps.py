"""One FastAPI app per test session, handed to each test as a copy bound to that test's container.

`api.app.create_app(container)` costs 0.4-1 s of CPU (FastAPI 0.165 builds every route's dependency and
pydantic state, partly on the first request), and the e2e tests build an app per test: over a thousand
times in `make test`. The app depends on its container only through `app.state.container` (every route
and page asks `request.app.state.container`; the lifespan does nothing for a container it was given), so
tests/conftest.py puts `shared_create_app(create_app)` in place of `api.app.create_app`: the first call
builds a real app (the template, never handed out), and each call returns a shallow copy of it with its own `state`
(container set to the caller's) and its own middleware stack, while the routes, already built, are shared.
A test must not add routes to its app (none does: they would reach the template). Nothing a request
changes lives in the routes: one test's writes go to its own container only
(tests/e2e/test_shared_app.py checks this and that the copy is the app `create_app` would build).
`create_app()` without a container (the server's own path) is passed through unchanged.
"""

from __future__ import annotations

import copy
import functools
from typing import Callable

from fastapi import FastAPI
from starlette.datastructures import State


def bind(template: FastAPI, container) -> FastAPI:
    """A copy of `template` over `container`: own state and middleware stack, the same routes."""
    app = copy.copy(template)
    app.state = State(dict(template.state._state))
    app.state.container = container
    app.user_middleware = list(template.user_middleware)  # add_middleware on a copy leaves the template alone
    app.exception_handlers = dict(template.exception_handlers)
    app.middleware_stack = None  # built on the first request, with the template's middleware list
    return app


def shared_create_app(create_app: Callable[..., FastAPI]) -> Callable[..., FastAPI]:
    template: list[FastAPI] = []

    @functools.wraps(create_app)
    def create_shared(container=None) -> FastAPI:
        if container is None:
            return create_app()
        if not template:
            template.append(create_app(container))  # never handed out: every test gets a copy
        return bind(template[0], container)

    create_shared.original = create_app  # type: ignore[attr-defined]
    return create_shared
