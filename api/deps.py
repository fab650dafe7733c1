"""Dependencies shared by the routes, as `Annotated` aliases.

- `ContainerDep`: the composition root the app was created with; `UseCasesDep`: its use-case layer.
- `Reader`, `RecordWriter`, ...: the authenticated user, already checked by `domain.policy` for the
  route's action (401 without a valid token, 403 when the role may not). The use case asks the same
  policy again (it is the rule's one home); asking here first keeps a refused role's answer a 403
  whatever the body holds.
- `WriteCtx`: what an idempotent write needs (user, Idempotency-Key, request identity).

Dependencies that do no I/O are `async def`: FastAPI runs a plain `def` dependency in the thread pool, a
hop per dependency per request (issue 13 measured 18 % of a write's time in them). `current_user` reads the
directory database: on the event loop when it is a local SQLite file, in the thread pool when it is a
PostgreSQL server away.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, get_args, get_origin

from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from api.errors import ApiError
from domain.errors import bilingual
from domain.policy import Action, User, authorize
from domain.use_cases import UseCases
from infra.container import Container
from infra.idempotency import IdempotencyStore

_bearer = HTTPBearer(auto_error=False, description="API token from `splot token create EMAIL`.")


def get_container(request: Request) -> Container:
    """The container (a plain function: the pages call it directly)."""
    return request.app.state.container


async def _container(request: Request) -> Container:
    return request.app.state.container


ContainerDep = Annotated[Container, Depends(_container)]


async def get_use_cases(request: Request) -> UseCases:
    return request.app.state.container.use_cases


UseCasesDep = Annotated[UseCases, Depends(get_use_cases)]


async def current_user(request: Request,
                       credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> User:
    users = request.app.state.container.users
    user = None
    if credentials is not None:
        if getattr(users.db, "dialect", None) == "sqlite":
            # A local file: one indexed read in WAL mode (never waits for a writer), cheaper here than the
            # thread-pool hop it would cost (issue 13: ~5 % of a write's CPU)
            user = users.authenticate(credentials.credentials)
        else:  # a PostgreSQL server away: a round trip, kept off the event loop
            user = await run_in_threadpool(users.authenticate, credentials.credentials)
    if user is None:
        raise ApiError(401, "unauthenticated",
                       bilingual("Brak ważnego tokenu (Authorization: Bearer ...).", "A valid bearer token is required."),
                       headers={"WWW-Authenticate": 'Bearer realm="splot"'})
    return user


CurrentUser = Annotated[User, Depends(current_user)]


def _require(action: Action):
    async def dependency(user: CurrentUser) -> User:  # no I/O: on the event loop, not the thread pool
        authorize(user, action)
        return user

    dependency.__name__ = f"require_{action.value}"
    return Depends(dependency)


RegistryReader = Annotated[User, _require(Action.READ_REGISTRY)]
RegistryManager = Annotated[User, _require(Action.MANAGE_REGISTRY)]
FirmRegistrar = Annotated[User, _require(Action.REGISTER_FIRM)]
ClusterManager = Annotated[User, _require(Action.MANAGE_CLUSTER)]
RecordReader = Annotated[User, _require(Action.READ_RECORDS)]
RecordWriter = Annotated[User, _require(Action.WRITE_RECORDS)]
StrategyReader = Annotated[User, _require(Action.READ_STRATEGY)]
ReportPublisher = Annotated[User, _require(Action.PUBLISH_REPORT)]
StrategyManager = Annotated[User, _require(Action.MANAGE_STRATEGY)]
AuditReader = Annotated[User, _require(Action.READ_AUDIT)]
YearStatusReader = Annotated[User, _require(Action.READ_YEAR_STATUS)]
YearSigner = Annotated[User, _require(Action.SIGN_OFF_YEAR)]
YearCloser = Annotated[User, _require(Action.CLOSE_YEAR)]
UserManager = Annotated[User, _require(Action.MANAGE_USERS)]
PersonReader = Annotated[User, _require(Action.READ_PERSONS)]  # contact persons (issue 12)
PersonManager = Annotated[User, _require(Action.MANAGE_PERSONS)]
PersonalDataReader = Annotated[User, _require(Action.READ_PERSONAL_DATA)]  # the data-protection officer's
PersonEraser = Annotated[User, _require(Action.ERASE_PERSON)]
SubjectDataExporter = Annotated[User, _require(Action.EXPORT_SUBJECT_DATA)]


@dataclass(frozen=True)
class WriteContext:
    store: IdempotencyStore
    key: str | None
    method: str
    path: str


async def write_context(
    request: Request,
    idempotency_key: Annotated[str | None, Header(
        alias="Idempotency-Key", min_length=1, max_length=200, pattern=r"^[\x21-\x7e]+$",
        description="Any unique string (e.g. a UUID). A retry with the same key and body returns the first "
                    "response and records nothing new; the same key with another body is refused (422); "
                    "a duplicate sent while the first runs gets the first's answer once it is saved. The key is saved "
                    "with the write itself (a crash keeps both or neither) and expires 24 h after its last use.")] = None,
) -> WriteContext:
    # the scope's path, not `request.url.path`: the same text, without building and parsing a URL per request
    return WriteContext(request.app.state.container.idempotency, idempotency_key, request.method,
                        request.scope["path"])


WriteCtx = Annotated[WriteContext, Depends(write_context)]


_COLLECTIONS = (list, tuple, set, frozenset)


def _takes_many(annotation: object) -> bool:
    """Whether a query parameter's type is a list (`?id=a&id=b`); Optional[...] and Annotated[...] unwrapped."""
    if isinstance(annotation, type) and issubclass(annotation, _COLLECTIONS):
        return True
    origin = get_origin(annotation)
    if origin in _COLLECTIONS:
        return True
    return origin is not None and any(_takes_many(arg) for arg in get_args(annotation) if arg is not type(None))


def _query_names(dependant) -> dict[str, bool]:
    """Every query parameter a route reads (its own and its dependencies'): name -> takes several values."""
    names = {param.alias: _takes_many(param.field_info.annotation) for param in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


async def json_api_guards(request: Request) -> None:
    """The JSON API's guards as ONE dependency (each dependency costs FastAPI its own resolution per request)."""
    _reject_unknown_query_parameters(request)
    _reject_non_json_bodies(request)


def _reject_unknown_query_parameters(request: Request) -> None:
    """Strict query strings too: a misspelt filter (`?institutions=`) is an error, not silently ignored,
    and a single-valued parameter given twice (`?year=2013&year=2014`) is refused, not read as one of them."""
    route = request.scope.get("route")
    if route is None or not request.query_params:
        return
    known = getattr(route, "_splot_query_names", None)
    if known is None:
        known = _query_names(route.dependant)
        route._splot_query_names = known
    unknown = sorted(set(request.query_params) - set(known))
    if unknown:
        allowed = ", ".join(sorted(known)) or "none"
        raise ApiError(422, "invalid_input", f"Unknown query parameter {unknown[0]!r} (allowed: {allowed}).",
                       field=unknown[0])
    repeated = sorted(name for name in set(request.query_params)
                      if not known[name] and len(request.query_params.getlist(name)) > 1)
    if repeated:
        name = repeated[0]
        raise ApiError(422, "invalid_input",
                       bilingual(f"Parametr {name!r} podano wielokrotnie; dozwolona jest jedna wartość.",
                                 f"Query parameter {name!r} was given more than once; it takes one value."),
                       field=f"query.{name}")


def is_json_media_type(content_type: str | None) -> bool:
    """application/json or a structured +json type (the same test FastAPI applies before parsing)."""
    if not content_type:
        return False
    media_type = content_type.split(";", 1)[0].strip().lower()
    main, _, sub = media_type.partition("/")
    return main == "application" and (sub == "json" or sub.endswith("+json"))


def _has_body(request: Request) -> bool:
    length = request.headers.get("content-length")
    return (length is not None and length != "0") or "transfer-encoding" in request.headers


def _reject_non_json_bodies(request: Request) -> None:
    """Writes take JSON only: a form, plain text or a body without Content-Type is a 415, not a vague 422.

    A route with a body needs a JSON Content-Type; a write without one may be sent no body or a JSON one.
    """
    if request.method != "POST":
        return
    route = request.scope.get("route")
    expects_body = getattr(route, "body_field", None) is not None
    content_type = request.headers.get("content-type")
    if (expects_body or _has_body(request)) and not is_json_media_type(content_type):
        sent = f"{content_type!r}" if content_type else None
        raise ApiError(415, "unsupported_media_type",
                       bilingual(f"Treść musi być JSON (Content-Type: application/json), otrzymano {sent or 'brak'}.",
                                 f"The body must be JSON (Content-Type: application/json); got {sent or 'none'}."),
                       field="Content-Type")
