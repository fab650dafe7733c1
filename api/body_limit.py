"""A request body larger than any Splot input is refused with 413 before it is read into memory.

The largest legitimate body (a meeting with 20,000 characters of minutes, 100 follow-ups and a few
hundred ids) is well under 200 KB; 1 MiB leaves room and stops a client from making the server
buffer and parse megabytes. A declared `Content-Length` is refused at once; a chunked body is
counted as it arrives and refused as soon as it passes the limit.
"""

from __future__ import annotations

from starlette.exceptions import HTTPException

from api.errors import problem_response
from domain.errors import bilingual

API_MAX_BODY_BYTES = 1024 * 1024
DEFAULT_MAX_BODY_BYTES = 1024 * 1024  # paths of no face with a limit of its own


def too_large(max_bytes: int):
    return bilingual(f"Treść żądania przekracza {max_bytes // 1024} KiB.",
                     f"The request body is larger than {max_bytes // 1024} KiB.")


DETAIL = too_large(API_MAX_BODY_BYTES)


class BodyTooLarge(HTTPException):
    """Raised while a chunked body is read; the face's HTTP error handler turns it into its error page."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(status_code=413, detail=too_large(max_bytes))


class BodySizeLimitMiddleware:
    """`limits` maps a path prefix to its face's limit (the JSON API 1 MiB; a bulk import may allow more)."""

    def __init__(self, app, limits: dict[str, int] | None = None,
                 default_bytes: int = DEFAULT_MAX_BODY_BYTES) -> None:
        self.app = app
        self.limits = sorted((limits or {}).items(), key=lambda item: -len(item[0]))  # longest prefix first
        self.default_bytes = default_bytes

    def limit_for(self, path: str) -> int:
        return next((limit for prefix, limit in self.limits if path.startswith(prefix)), self.default_bytes)

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        max_bytes = self.limit_for(scope.get("path", ""))
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > max_bytes):
            response = problem_response(413, "body_too_large", too_large(max_bytes), instance=scope.get("path"))
            await response(scope, receive, send)
            return
        received = 0

        async def counting_receive():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > max_bytes:
                    raise BodyTooLarge(max_bytes)
            return message

        await self.app(scope, counting_receive, send)
