"""/api/docs works offline: it references only local /api/static/... assets, they are served, and the page
carries the same strict CSP as every other response (no inline script, nothing from another origin)."""

from __future__ import annotations

import re
from pathlib import Path

from api.security import CONTENT_SECURITY_POLICY

VENDORED = Path(__file__).resolve().parents[3] / "api" / "static" / "swagger"


def references(html: str) -> list[str]:
    return re.findall(r'(?:src|href)="([^"]+)"', html)


def test_docs_page_loads_only_local_assets_under_the_strict_csp(client):
    page = client.get("/api/docs")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert page.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert "unsafe-inline" not in page.headers["content-security-policy"]
    html = page.text
    assert "http://" not in html and "https://" not in html and "//cdn" not in html
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []  # every script is a file, none inline
    assets = [ref for ref in references(html) if ref != "/api/openapi.json"]
    assert assets and all(ref.startswith("/api/static/") for ref in assets), assets
    assert {"/api/static/swagger/swagger-ui-bundle.js", "/api/static/swagger/swagger-ui.css",
            "/api/static/docs/swagger-init.js"} <= set(assets)
    assert 'data-openapi-url="/api/openapi.json"' in html


def test_docs_assets_are_served_with_security_headers(client):
    html = client.get("/api/docs").text
    for ref in references(html):
        response = client.get(ref)
        assert response.status_code == 200, ref
        assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
        assert response.headers["x-content-type-options"] == "nosniff"
    bundle = client.get("/api/static/swagger/swagger-ui-bundle.js")
    assert bundle.headers["content-type"].startswith(("text/javascript", "application/javascript"))
    assert bundle.content == (VENDORED / "swagger-ui-bundle.js").read_bytes()
    assert client.get("/api/static/swagger/swagger-ui.css").headers["content-type"].startswith("text/css")
    init = client.get("/api/static/docs/swagger-init.js").text
    assert "SwaggerUIBundle(" in init and "data-openapi-url" in init


def test_vendored_swagger_ui_is_pinned_and_licensed():
    version = (VENDORED / "VERSION").read_text().strip()
    assert re.fullmatch(r"\d+\.\d+\.\d+", version)
    script = (Path(__file__).resolve().parents[3] / "scripts" / "vendor-swagger.sh").read_text()
    assert f'VERSION="${{1:-{version}}}"' in script  # the script re-fetches exactly what is committed
    assert "Apache License" in (VENDORED / "LICENSE").read_text()


def test_static_files_do_not_leak_outside_their_folder(client):
    for path in ("/api/static/../docs.py", "/api/static/%2e%2e/docs.py", "/api/static/nothing.js"):
        assert client.get(path).status_code == 404, path


def test_the_home_address_leads_a_visitor_to_sign_in_and_the_api_docs_stay_at_their_address(client):
    response = client.get("/", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    assert client.get("/api/docs").status_code == 200
