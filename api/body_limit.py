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

MAX_BODY_BYTES = 1024 * 1024
DETAIL = bilingual(f"Treść żądania przekracza {MAX_BODY_BYTES // 1024} KiB.",
                   f"The request body is larger than {MAX_BODY_BYTES // 1024} KiB.")


class BodyTooLarge(HTTPException):
    """Raised while a chunked body is read; the API's HTTP error handler turns it into a problem document."""

    def __init__(self) -> None:
        super().__init__(status_code=413, detail=DETAIL)


class BodySizeLimitMiddleware:
    def __init__(self, app, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            response = problem_response(413, "body_too_large", DETAIL, instance=scope.get("path"))
            await response(scope, receive, send)
            return
        received = 0

        async def counting_receive():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge()
            return message

        await self.app(scope, counting_receive, send)
