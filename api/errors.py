"""Every error the API returns is an RFC 9457 problem document (application/problem+json).

Status codes, decided here once:

| cause | status |
|---|---|
| a body that is not JSON (Content-Type), on any write | 415 |
| a JSON body that is not valid UTF-8 | 400 (`invalid_encoding`) |
| malformed input (schema), ValidationFailed, InvalidBusinessDate, bad cursor | 422 |
| UnknownReference to an id in the body | 422, naming the field |
| UnknownReference to an id in the path, NotFound | 404 |
| InvariantViolated, RecordRetracted (well-formed, but the current state forbids it) | 409 |
| VersionConflict, eventsourcing IntegrityError (someone changed it first) | 409 |
| idempotency key reused for another request / still in flight | 422 / 409 |
| no or bad bearer token | 401 |
| the role or institution may not do this | 403 (404 where existence must not leak) |
| anything unexpected | 500 problem document, logged with a reference; never a bare traceback |
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from typing import Any, Callable

from eventsourcing.persistence import IntegrityError
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.schemas.common import Problem
from domain.errors import (
    DomainError,
    InvariantViolated,
    NotFound,
    UnknownReference,
    ValidationFailed,
    VersionConflict,
    bilingual,
)
from domain.policy import Forbidden
from domain.values import plural_pl
from projections.base import BadCursor

log = logging.getLogger(__name__)

PROBLEM_MEDIA_TYPE = "application/problem+json"

TITLES = {
    400: "Nieprawidłowe żądanie / Bad request",
    401: "Wymagane uwierzytelnienie / Authentication required",
    403: "Brak uprawnień / Forbidden",
    404: "Nie znaleziono / Not found",
    405: "Niedozwolona metoda / Method not allowed",
    409: "Konflikt / Conflict",
    413: "Treść za duża / Content too large",
    415: "Nieobsługiwany typ treści / Unsupported media type",
    422: "Błędne dane / Invalid input",
    500: "Błąd serwera / Server error",
}


class ApiError(Exception):
    """An error decided by the API layer itself (authentication, authorization, idempotency)."""

    def __init__(self, status: int, code: str, detail: str, *, field: str | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.field = field
        self.headers = headers


def problem_response(status: int, code: str, detail: str, *, errors: list[dict[str, str]] | None = None,
                     instance: str | None = None, headers: dict[str, str] | None = None) -> JSONResponse:
    body = Problem(title=TITLES.get(status, "Błąd / Error"), status=status, detail=detail, code=code,
                   instance=instance, errors=errors or [])
    return JSONResponse(body.model_dump(mode="json"), status_code=status, media_type=PROBLEM_MEDIA_TYPE,
                        headers=headers)


ErrorRenderer = Callable[[Request, int, str, str, list[dict[str, str]], "dict[str, str] | None"], Response]


API_ROOT = "/api/"


def register_error_renderer(app: FastAPI, renderer: ErrorRenderer) -> None:
    """The face outside /api/ (the HTML pages) answers errors under its paths its own way."""
    app.state.page_error_renderer = renderer


def respond(request: Request, status: int, code: str, detail: str, *, errors: list[dict[str, str]] | None = None,
            headers: dict[str, str] | None = None) -> Response:
    """The error answer of the face the path belongs to: problem+json under /api/, else the pages' own
    (problem+json too while no page face is installed)."""
    renderer = getattr(request.app.state, "page_error_renderer", None)
    if renderer is not None and not request.url.path.startswith(API_ROOT):
        return renderer(request, status, code, detail, errors or [], headers)
    return problem_response(status, code, detail, errors=errors, instance=request.url.path, headers=headers)


def _field_errors(field: str | None, message: str) -> list[dict[str, str]]:
    return [{"field": field, "message": message}] if field else []


def domain_status(error: DomainError, path_params: dict[str, Any]) -> int:
    if isinstance(error, Forbidden):
        return 403
    if isinstance(error, NotFound):
        return 404
    if isinstance(error, UnknownReference):
        return 404 if error.field in path_params else 422
    if isinstance(error, (VersionConflict, InvariantViolated)):
        return 409
    if isinstance(error, ValidationFailed):
        return 422
    return 422


def _location(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body",)]
    return ".".join(parts) or "body"


def _characters(n: Any) -> str:
    return f"{n} {plural_pl(int(n), 'znak', 'znaki', 'znaków')}"


def _items(n: Any) -> str:
    return f"{n} {plural_pl(int(n), 'element', 'elementy', 'elementów')}"


def _choices(expected: Any) -> str:
    return str(expected).replace(" or ", " lub ")


_DATE = "Wartość musi być poprawną datą (RRRR-MM-DD)"
_DATETIME = "Wartość musi być poprawnym znacznikiem czasu (ISO 8601)"
_INTEGER = "Wartość musi być liczbą całkowitą"
_NUMBER = "Wartość musi być liczbą"
_OBJECT = "Wartość musi być obiektem JSON"

# Polish for pydantic's error types; ctx holds the limits pydantic reports (min_length, gt, expected...).
# The English part of each message stays pydantic's own `msg`.
POLISH_BY_TYPE: dict[str, Any] = {
    "missing": "Pole jest wymagane",
    "extra_forbidden": "Nieznane pole; nie jest dozwolone",
    "string_type": "Wartość musi być tekstem",
    "string_too_short": lambda ctx: f"Tekst musi mieć co najmniej {_characters(ctx['min_length'])}",
    "string_too_long": lambda ctx: f"Tekst może mieć najwyżej {_characters(ctx['max_length'])}",
    "string_pattern_mismatch": "Tekst nie ma wymaganej postaci",
    "int_type": _INTEGER, "int_parsing": _INTEGER, "int_from_float": _INTEGER,
    "float_type": _NUMBER, "float_parsing": _NUMBER, "finite_number": "Wartość musi być skończoną liczbą",
    "bool_type": "Wartość musi być logiczna (true lub false)",
    "bool_parsing": "Wartość musi być logiczna (true lub false)",
    "date_type": _DATE, "date_parsing": _DATE, "date_from_datetime_parsing": _DATE,
    "date_from_datetime_inexact": "Data nie może zawierać godziny",
    "datetime_type": _DATETIME, "datetime_parsing": _DATETIME, "datetime_from_date_parsing": _DATETIME,
    "uuid_type": "Wartość musi być identyfikatorem UUID zapisanym jako tekst",
    "uuid_parsing": "Wartość musi być poprawnym identyfikatorem UUID",
    "uuid_version": "Wartość musi być poprawnym identyfikatorem UUID",
    "enum": lambda ctx: f"Wartość musi być jedną z: {_choices(ctx['expected'])}",
    "literal_error": lambda ctx: f"Wartość musi być jedną z: {_choices(ctx['expected'])}",
    "greater_than": lambda ctx: f"Wartość musi być większa niż {ctx['gt']}",
    "greater_than_equal": lambda ctx: f"Wartość musi być nie mniejsza niż {ctx['ge']}",
    "less_than": lambda ctx: f"Wartość musi być mniejsza niż {ctx['lt']}",
    "less_than_equal": lambda ctx: f"Wartość musi być nie większa niż {ctx['le']}",
    "list_type": "Wartość musi być listą",
    "too_short": lambda ctx: f"Lista musi mieć co najmniej {_items(ctx['min_length'])}",
    "too_long": lambda ctx: f"Lista może mieć najwyżej {_items(ctx['max_length'])}",
    "dict_type": _OBJECT, "model_type": _OBJECT, "model_attributes_type": _OBJECT,
    "json_invalid": "Treść nie jest poprawnym JSON",
}

# The ValueErrors our own validators (api/schemas) raise, in Polish; anything else keeps a generic lead.
POLISH_VALUE_ERRORS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"must be a date written as YYYY-MM-DD text"), "Data musi być tekstem w postaci RRRR-MM-DD"),
    (re.compile(r"(?P<value>.+) is not a calendar date \(YYYY-MM-DD\)"),
     "{value} nie jest datą kalendarzową (RRRR-MM-DD)"),
    (re.compile(r"must be a timestamp written as ISO 8601 text.*"),
     "Znacznik czasu musi być tekstem w formacie ISO 8601, np. 2013-01-31T12:00:00Z"),
    (re.compile(r"(?P<value>.+) is not an ISO 8601 timestamp"), "{value} nie jest znacznikiem czasu ISO 8601"),
]


def _polish_value_error(english: str) -> str:
    for pattern, polish in POLISH_VALUE_ERRORS:
        match = pattern.fullmatch(english)
        if match:
            return polish.format(**match.groupdict())
    return "Nieprawidłowa wartość"


def _readable(error: dict[str, Any]) -> str:
    """ "Polski (English)" for the common pydantic error types; pydantic's English alone for the rest."""
    english = str(error.get("msg", "invalid value")).removeprefix("Value error, ")
    kind = error.get("type")
    if kind == "value_error":
        return bilingual(_polish_value_error(english), english)
    polish = POLISH_BY_TYPE.get(kind)
    if callable(polish):
        try:
            polish = polish(error.get("ctx") or {})
        except (KeyError, TypeError, ValueError):
            polish = None
    return bilingual(polish, english) if polish else english


def _json_syntax_error(error: dict[str, Any]) -> dict[str, str]:
    """A body that is not JSON: the fault is the body (its loc carries a character offset, not a field)."""
    offset = next((p for p in error.get("loc", ()) if isinstance(p, int)), None)
    if offset is None:
        message = bilingual("Treść nie jest poprawnym JSON.", "The body is not valid JSON.")
    else:
        message = bilingual(f"Treść nie jest poprawnym JSON (znak {offset}).",
                            f"The body is not valid JSON (at character {offset}).")
    return {"field": "body", "message": message}


async def _on_request_validation(request: Request, exc: RequestValidationError) -> Response:
    errors = [_json_syntax_error(e) if e.get("type") == "json_invalid" else
              {"field": _location(tuple(e.get("loc", ()))), "message": _readable(e)} for e in exc.errors()]
    first = errors[0] if errors else {"field": "body", "message": bilingual("Błędne dane", "invalid input")}
    detail = f"{first['field']}: {first['message']}"
    if len(errors) > 1:
        more = len(errors) - 1
        others = plural_pl(more, "inny błąd", "inne błędy", "innych błędów")
        detail += "; " + bilingual(f"oraz {more} {others}", f"and {more} more")
    return respond(request, 422, "invalid_input", detail, errors=errors)


async def _on_domain_error(request: Request, exc: DomainError) -> Response:
    status = domain_status(exc, request.path_params)
    return respond(request, status, exc.code, exc.message, errors=_field_errors(exc.field, exc.message))


async def _on_api_error(request: Request, exc: ApiError) -> Response:
    return respond(request, exc.status, exc.code, exc.detail, errors=_field_errors(exc.field, exc.detail), headers=exc.headers)


async def _on_integrity_error(request: Request, exc: IntegrityError) -> Response:
    return respond(request, 409, "version_conflict",
                            bilingual("Ktoś inny zmienił te dane w tym samym czasie; wczytaj je ponownie i spróbuj "
                                      "jeszcze raz.",
                                      "Someone else changed this at the same time; reload it and try again."))


async def _on_bad_cursor(request: Request, exc: BadCursor) -> Response:
    return respond(request, 422, "invalid_cursor", str(exc), errors=_field_errors("cursor", str(exc)))


def _undecodable_body(request: Request, error: UnicodeDecodeError) -> Response:
    byte = error.object[error.start:error.start + 1].hex()
    message = bilingual(f"Treść nie jest poprawnym UTF-8 (bajt 0x{byte} na pozycji {error.start}).",
                        f"The body is not valid UTF-8 (byte 0x{byte} at offset {error.start}).")
    return respond(request, 400, "invalid_encoding", message, errors=_field_errors("body", message))


async def _on_http_exception(request: Request, exc: StarletteHTTPException) -> Response:
    if exc.status_code == 400 and isinstance(exc.__cause__, UnicodeDecodeError):
        # FastAPI says only "There was an error parsing the body"; the cause says which byte.
        return _undecodable_body(request, exc.__cause__)
    detail = exc.detail if isinstance(exc.detail, str) else json.dumps(exc.detail)
    code = {404: "not_found", 405: "method_not_allowed", 413: "body_too_large"}.get(exc.status_code, "http_error")
    return respond(request, exc.status_code, code, detail,
                            headers=getattr(exc, "headers", None))


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _on_request_validation)
    app.add_exception_handler(DomainError, _on_domain_error)
    app.add_exception_handler(ApiError, _on_api_error)
    app.add_exception_handler(IntegrityError, _on_integrity_error)
    app.add_exception_handler(BadCursor, _on_bad_cursor)
    app.add_exception_handler(StarletteHTTPException, _on_http_exception)


class CatchAllMiddleware:
    """Last line: an unexpected exception becomes a logged 500 problem document, never a traceback."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            reference = uuid.uuid4().hex[:12]
            log.exception("unhandled error %s on %s %s", reference, scope.get("method"), scope.get("path"))
            if started:
                raise
            response = problem_response(
                500, "internal_error",
                bilingual(f"Nieoczekiwany błąd; zgłoś numer {reference}.",
                          f"Unexpected error; report reference {reference}."),
                instance=scope.get("path"))
            await response(scope, receive, send)


def problem(description: str) -> dict[str, Any]:
    """An OpenAPI response entry whose body is a problem document."""
    return {"description": description, "model": Problem,
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}}


STANDARD_DESCRIPTIONS = {
    400: "Treść nie jest poprawnym JSON / The body is not valid JSON",
    401: "Brak lub nieważny token / Missing or invalid bearer token",
    403: "Rola lub instytucja nie pozwala / Role or institution does not allow this",
    404: "Nie znaleziono / Not found",
    409: "Konflikt ze stanem lub wersją / Conflicts with the current state or version",
    415: "Treść nie jest JSON (Content-Type) / The body is not JSON (Content-Type)",
    422: "Błędne dane (pole w `errors`) / Invalid input (field named in `errors`)",
}


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` entries for the given error statuses (500 is always documented)."""
    return {status: problem(STANDARD_DESCRIPTIONS.get(status, TITLES.get(status, "Error")))
            for status in (*statuses, 500)}
