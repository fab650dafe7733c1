"""The interactive API docs (/api/docs), served entirely from this app: the servers have no internet.

Swagger UI is vendored from npm into api/static/swagger/ (scripts/vendor-swagger.sh, version pinned there).
The page is written here rather than by FastAPI's `get_swagger_ui_html`, because that helper always emits
an inline `<script>`, which the strict CSP (api/security.py) blocks; the start-up call lives in
api/static/docs/swagger-init.js instead, so the docs need no CSP exception.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

STATIC_DIR = Path(__file__).parent / "static"
STATIC_URL = "/api/static"
DOCS_URL = "/api/docs"

SWAGGER_CSS = f"{STATIC_URL}/swagger/swagger-ui.css"
SWAGGER_JS = f"{STATIC_URL}/swagger/swagger-ui-bundle.js"
SWAGGER_INIT_JS = f"{STATIC_URL}/docs/swagger-init.js"


def docs_page(title: str, openapi_url: str) -> str:
    return f"""<!doctype html>
<html lang="pl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)} – dokumentacja / docs</title>
<link rel="stylesheet" href="{SWAGGER_CSS}">
</head>
<body>
<noscript><p>Interaktywna dokumentacja wymaga JavaScriptu; opis API w formacie OpenAPI:
<a href="{escape(openapi_url)}">{escape(openapi_url)}</a>. / The interactive docs need JavaScript; the
OpenAPI document is at the link above.</p></noscript>
<div id="swagger-ui" data-openapi-url="{escape(openapi_url)}"></div>
<script src="{SWAGGER_JS}"></script>
<script src="{SWAGGER_INIT_JS}"></script>
</body>
</html>
"""


def install_docs(app: FastAPI) -> None:
    """Mount the static files and the docs page (create the app with docs_url=None)."""
    app.mount(STATIC_URL, StaticFiles(directory=STATIC_DIR), name="api-static")
    page = docs_page(app.title, app.openapi_url or "/api/openapi.json")

    @app.get(DOCS_URL, include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return HTMLResponse(page)
