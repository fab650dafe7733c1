"""The FastAPI application factory.

`create_app(container)` serves an existing container (tests); `create_app()` builds one from
settings, starts the background catch-up of the read models and closes everything on shutdown
(`splot serve` runs it through uvicorn as the factory "api.app:create_app").
"""

from __future__ import annotations

from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from fastapi.openapi.utils import get_openapi

from api.body_limit import API_MAX_BODY_BYTES, BodySizeLimitMiddleware
from api.deps import json_api_guards
from api.docs import install_docs
from api.errors import PROBLEM_MEDIA_TYPE, CatchAllMiddleware, install_error_handlers, problems
from api.pages import install_pages
from api.pages.practices import UPLOAD_MAX_BODY_BYTES as PRACTICE_UPLOAD_MAX_BODY_BYTES  # a document (issue 14)
from api.routes import audit, health, records, registry, strategy, strategy_changes, users
from api.routes import persons as persons_routes  # contact persons and the DPO's (issue 12)
from api.routes import calendar as calendar_routes  # the joint events calendar (issue 14)
from api.routes import investor as investor_routes  # investor service (issue 14)
from api.pages.investor_sites import PHOTO_MAX_BODY_BYTES  # a site photo's form (issue 14)
from api.routes import practices as practice_routes  # shared networks and good practices (issue 14)
from api.security import SecurityHeadersMiddleware
from infra.container import Container, open_container
from infra.projection_runner import BackgroundCatchUp

API_PREFIX = "/api/v1"

# Every JSON router, in one list (each module exposes `router`; paths are relative to /api/v1).
ROUTERS = [
    health.router,
    registry.router,
    records.router,
    strategy.router,
    strategy_changes.router,
    users.router,
    audit.router,
    persons_routes.router,
    calendar_routes.router,
    investor_routes.router,
    practice_routes.router,
]

DESCRIPTION = """
JSON API of Splot for staff tools and integrations.

* Authentication: `Authorization: Bearer <token>` (tokens from `splot token create EMAIL`);
  only `GET /api/v1/health` is open.
* Writes accept `Idempotency-Key`: a retry with the same key and body returns the first response
  (header `Idempotent-Replayed: true`) and records nothing new; the same key with another body → 422;
  while the first request is still running → 409.
* Errors are RFC 9457 `application/problem+json` with `detail`, a stable `code` and per-field `errors`.
* Dates are ISO `YYYY-MM-DD` strings only.
"""


def _document_body_errors(method: str, operation: dict) -> None:
    """Every write may answer 415 (a body that is not JSON); one with a body also 400 (not UTF-8)."""
    if method != "post":
        return
    statuses = (400, 415) if "requestBody" in operation else (415,)
    for status, entry in problems(*statuses).items():
        if status != 500:
            operation["responses"].setdefault(str(status), {
                "description": entry["description"],
                "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}})


def _openapi_with_problem_media_type(app: FastAPI) -> dict:
    """Error responses are documented as application/problem+json only (FastAPI adds application/json)."""
    if app.openapi_schema is None:
        schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
        for method, operation in ((m, op) for path in schema["paths"].values() for m, op in path.items()):
            _document_body_errors(method, operation)
            for response in operation.get("responses", {}).values():
                content = response.get("content", {})
                if PROBLEM_MEDIA_TYPE in content:
                    content.pop("application/json", None)
        app.openapi_schema = schema
    return app.openapi_schema


def include_json_api(app: FastAPI) -> None:
    """The JSON API under /api/v1, with its own guards: strict query strings and JSON-only bodies.

    Each router is included in the app itself, not through one /api/v1 router: FastAPI matches a request
    against every level of nested routers again on the way down, so one level less is less work per request
    (issue 13)."""
    guards = [Depends(json_api_guards)]
    for router in ROUTERS:
        app.include_router(router, prefix=API_PREFIX, dependencies=guards)


def create_app(container: Container | None = None) -> FastAPI:
    owns_container = container is None
    if container is None:
        container = open_container(catch_up=True)  # the server's one bootstrap (`splot serve` does none)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        catch_up = BackgroundCatchUp(container.runner) if owns_container else None
        if catch_up:
            catch_up.start()
        try:
            yield
        finally:
            if catch_up:
                catch_up.stop()
            if owns_container:
                container.close()

    app = FastAPI(title="Splot API", version="1", description=DESCRIPTION, lifespan=lifespan,
                  openapi_url="/api/openapi.json", docs_url=None, redoc_url=None)
    app.state.container = container
    install_error_handlers(app)  # problem+json under /api/; other faces register their own renderer
    install_docs(app)  # /api/docs from vendored Swagger UI (no CDN: the servers have no internet)
    include_json_api(app)

    install_pages(app)  # the HTML face: /, /login, ... with its own error pages
    app.openapi = lambda: _openapi_with_problem_media_type(app)  # type: ignore[method-assign]
    app.add_middleware(CatchAllMiddleware)
    # outside the catch-all: refuses before anything reads; each face has its own limit
    app.add_middleware(BodySizeLimitMiddleware, limits={"/tereny/": PHOTO_MAX_BODY_BYTES, "/api/": API_MAX_BODY_BYTES,
                                                        "/dobre-praktyki/": PRACTICE_UPLOAD_MAX_BODY_BYTES})
    app.add_middleware(SecurityHeadersMiddleware)  # added last = outermost: error responses get headers too
    return app
