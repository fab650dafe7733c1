"""The pages' defences: CSRF tokens and a same-site check on every form, sessions that end (idle,
absolute, sign-out, a disabled user), sign-in throttled before the password is hashed, and the same
security headers as the API."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.security import SECURITY_HEADERS
from infra.container import Container
from tests.support.pages import PASSWORD, csrf_token, sign_in
from tests.support.world import World


@pytest.fixture
def app_client(container: Container, world: World) -> Iterator[TestClient]:
    with TestClient(create_app(container), base_url="https://testserver") as client:
        yield client


def contact_form(world: World, token: str) -> dict:
    return {"csrf_token": token, "occurred_on-day": "05.03.2012", "institution_id": str(world.riph),
            "with_institution_id": str(world.citt), "channel": "phone", "summary": "Rozmowa o targach"}


def test_a_form_without_the_csrf_token_or_from_another_site_is_refused(app_client, container, world):
    sign_in(app_client, "staff@example.org")
    token = csrf_token(app_client, "/wpisy/nowy/contact")
    before = container.runner.log_position()
    no_token = app_client.post("/wpisy/nowy/contact/zapisz", data={**contact_form(world, token), "csrf_token": ""})
    wrong_token = app_client.post("/wpisy/nowy/contact/zapisz", data={**contact_form(world, token), "csrf_token": "x"})
    other_origin = app_client.post("/wpisy/nowy/contact/zapisz", data=contact_form(world, token),
                                   headers={"Origin": "https://evil.example"})
    cross_site = app_client.post("/wpisy/nowy/contact/zapisz", data=contact_form(world, token),
                                 headers={"Sec-Fetch-Site": "cross-site"})
    for response in (no_token, wrong_token, other_origin, cross_site):
        assert response.status_code == 403
        assert response.headers["content-type"].startswith("text/html")
    assert container.runner.log_position() == before
    same_site = app_client.post("/wpisy/nowy/contact/zapisz", data=contact_form(world, token),
                                headers={"Origin": "https://testserver", "Sec-Fetch-Site": "same-origin"},
                                follow_redirects=False)
    assert same_site.status_code == 303
    assert container.runner.log_position() > before


def test_the_sign_in_form_needs_its_token_too(app_client):
    response = app_client.post("/login", data={"email": "staff@example.org", "password": PASSWORD})
    assert response.status_code == 403


def test_the_session_cookie_is_host_prefixed_secure_httponly_and_lax(app_client):
    token = csrf_token(app_client, "/login")
    response = app_client.post("/login", data={"csrf_token": token, "email": "staff@example.org",
                                               "password": PASSWORD}, follow_redirects=False)
    cookie = next(v for k, v in response.headers.multi_items() if k == "set-cookie" and "__Host-splot_session" in v)
    assert "Secure" in cookie and "HttpOnly" in cookie and "samesite=lax" in cookie.lower() and "Path=/" in cookie
    assert "Domain" not in cookie


def test_a_session_ends_when_idle_too_long_and_after_its_absolute_lifetime(app_client, container):
    now = [datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)]
    container.sessions.clock = lambda: now[0]
    sign_in(app_client, "staff@example.org")
    assert app_client.get("/wpisy", follow_redirects=False).status_code == 200
    now[0] += container.sessions.idle - timedelta(minutes=1)
    assert app_client.get("/wpisy", follow_redirects=False).status_code == 200  # used: the idle clock restarts
    now[0] += container.sessions.idle + timedelta(seconds=1)
    expired = app_client.get("/wpisy", follow_redirects=False)
    assert expired.status_code == 303 and expired.headers["location"].startswith("/login")
    sign_in(app_client, "staff@example.org")
    for _ in range(int(container.sessions.absolute / (container.sessions.idle / 2)) + 1):
        now[0] += container.sessions.idle / 2  # never idle, yet the working day ends
        last = app_client.get("/wpisy", follow_redirects=False)
    assert last.status_code == 303


def test_signing_out_and_disabling_the_user_end_the_session(app_client, container, world):
    sign_in(app_client, "staff@example.org")
    token = csrf_token(app_client, "/wpisy")
    stolen = dict(app_client.cookies)
    assert app_client.post("/wyloguj", data={"csrf_token": token}, follow_redirects=False).status_code == 303
    replay = TestClient(app_client.app, base_url="https://testserver", cookies=stolen)
    assert replay.get("/wpisy", follow_redirects=False).status_code == 303
    sign_in(app_client, "staff@example.org")
    assert app_client.get("/wpisy", follow_redirects=False).status_code == 200
    container.users.disable("staff@example.org")
    assert app_client.get("/wpisy", follow_redirects=False).status_code == 303


def test_sign_in_is_throttled_before_the_password_is_hashed(app_client, container, monkeypatch):
    checked = []
    real = container.users.verify_password
    monkeypatch.setattr(container.users, "verify_password", lambda e, p: checked.append(e) or real(e, p))
    for _ in range(5):
        token = csrf_token(app_client, "/login")
        wrong = app_client.post("/login", data={"csrf_token": token, "email": "staff@example.org",
                                                "password": "not the password"})
        assert wrong.status_code == 400 and "Nieprawidłowy adres e-mail lub hasło" in wrong.text
    assert len(checked) == 5
    token = csrf_token(app_client, "/login")
    throttled = app_client.post("/login", data={"csrf_token": token, "email": "staff@example.org",
                                                "password": PASSWORD})
    assert throttled.status_code == 429
    assert int(throttled.headers["retry-after"]) > 0
    assert len(checked) == 5  # refused before the (right) password was even looked at
    assert "Zbyt wiele nieudanych prób" in throttled.text


def test_every_page_carries_the_security_headers_of_the_api(app_client):
    sign_in(app_client, "staff@example.org")
    for path in ("/login", "/", "/wpisy", "/wpisy/nowy/meeting", "/deklaracja-dostepnosci", "/nie-ma-takiej"):
        response = app_client.get(path)
        for name, value in SECURITY_HEADERS.items():
            assert response.headers.get(name) == value, (path, name)
        assert response.headers["content-security-policy"].startswith("default-src 'self'")


def test_no_state_changes_on_get(app_client, container):
    sign_in(app_client, "staff@example.org")
    before = container.runner.log_position()
    for path in ("/wpisy/nowy/meeting/zapisz", "/wyloguj"):
        assert app_client.get(path).status_code in (404, 405)
    assert container.runner.log_position() == before
    assert app_client.get("/wpisy", follow_redirects=False).status_code == 200  # still signed in
