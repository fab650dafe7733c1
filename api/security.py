"""Security headers on every response, errors included (a pure ASGI middleware, outermost)."""

from __future__ import annotations

# One policy for every response, the docs page included (it loads only local files: api/docs.py).
CONTENT_SECURITY_POLICY = "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"

SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    # same-origin, not no-referrer: with no-referrer browsers send `Origin: null` on form posts, which the
    # pages' same-site check must refuse; nothing is sent to another site either way.
    "referrer-policy": "same-origin",
    "strict-transport-security": "max-age=63072000; includeSubDomains",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
}

# encoded once, not per response (issue 13: every write answers through here)
_ENCODED = tuple((name.encode(), value.encode())
                 for name, value in {**SECURITY_HEADERS, "content-security-policy": CONTENT_SECURITY_POLICY}.items())


class SecurityHeadersMiddleware:
    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [header for header in _ENCODED if header[0] not in present]
                if scope.get("path", "").startswith("/api/v1") and b"cache-control" not in present:
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
