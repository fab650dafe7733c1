"""The one-time setup link: on a store with no users the first person creates the admin in the browser."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timedelta, timezone

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from domain.policy import Role

PASSWORD = "correct horse battery"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def pages(container):
    with TestClient(create_app(container), base_url="https://testserver") as client:
        yield client


def _post(client: TestClient, token: str, **fields: str):
    form = client.get(f"/konfiguracja/{token}")
    assert form.status_code == 200, form.text
    csrf = _CSRF.search(form.text).group(1)
    return client.post(f"/konfiguracja/{token}", data={"csrf_token": csrf, **fields}, follow_redirects=False)


def _admin(**overrides: str) -> dict[str, str]:
    return {"email": "Pierwsza@Example.org", "password": PASSWORD, "repeated_password": PASSWORD, **overrides}


def test_the_link_creates_the_first_admin_once_and_they_can_sign_in(pages, container):
    issued = container.setup_tokens.issue_if_no_users()
    page = pages.get(f"/konfiguracja/{issued.token}")
    assert page.status_code == 200 and "Utwórz konto administratora" in page.text
    assert 'type="email"' in page.text and page.text.count('type="password"') == 2

    created = _post(pages, issued.token, **_admin())
    assert created.status_code == 303 and created.headers["location"] == "/konfiguracja/gotowe"
    assert "Konto administratora zostało utworzone" in pages.get("/konfiguracja/gotowe").text
    [admin] = container.users.list()
    assert (admin.email, admin.role, admin.municipality_id) == ("pierwsza@example.org", Role.ADMIN, None)

    again = pages.get(f"/konfiguracja/{issued.token}")
    assert again.status_code == 410 and "Ten link konfiguracyjny jest nieważny" in again.text
    # a second POST with the spent token (the form's CSRF cookie still set) creates nobody
    csrf = pages.cookies.get("__Host-splot_csrf") or "x"
    pages.cookies.set("__Host-splot_csrf", csrf)
    replay = pages.post(f"/konfiguracja/{issued.token}", data={"csrf_token": csrf, **_admin(email="druga@example.org")},
                        follow_redirects=False)
    assert replay.status_code == 410
    assert [u.email for u in container.users.list()] == ["pierwsza@example.org"]

    assert container.users.verify_password("pierwsza@example.org", PASSWORD) == admin
    login_csrf = _CSRF.search(pages.get("/login").text).group(1)
    signed_in = pages.post("/login", data={"csrf_token": login_csrf, "email": "pierwsza@example.org",
                                           "password": PASSWORD, "next": "/"}, follow_redirects=False)
    # the password is accepted: on to the home page, or first to set up the second factor admins give
    assert signed_in.status_code == 303 and not signed_in.headers["location"].startswith("/login")


def test_an_expired_token_is_refused_and_creates_nothing(pages, container):
    start = datetime(2026, 3, 5, 12, 0, tzinfo=timezone.utc)
    container.setup_tokens.clock = lambda: start
    issued = container.setup_tokens.issue_if_no_users()
    assert pages.get(f"/konfiguracja/{issued.token}").status_code == 200  # live just before it runs out
    csrf = _CSRF.search(pages.get(f"/konfiguracja/{issued.token}").text).group(1)

    container.setup_tokens.clock = lambda: start + timedelta(minutes=30, seconds=1)
    assert pages.get(f"/konfiguracja/{issued.token}").status_code == 410
    refused = pages.post(f"/konfiguracja/{issued.token}", data={"csrf_token": csrf, **_admin()},
                         follow_redirects=False)
    assert refused.status_code == 410 and "Nie utworzono żadnego konta" in refused.text
    assert container.users.list() == []


def test_an_unknown_token_is_refused(pages, container):
    container.setup_tokens.issue_if_no_users()
    page = pages.get("/konfiguracja/not-a-token")
    assert page.status_code == 410 and "Ten link konfiguracyjny jest nieważny" in page.text
    assert pages.get("/konfiguracja/not-a-token?lang=en").text.count("This setup link is not valid") >= 1


def test_with_users_present_no_token_is_issued_and_an_earlier_one_stops_working(pages, container):
    earlier = container.setup_tokens.issue_if_no_users()
    container.users.add(email="ktos@example.org", password=PASSWORD, role="admin")
    assert container.setup_tokens.issue_if_no_users() is None
    assert pages.get(f"/konfiguracja/{earlier.token}").status_code == 410
    with container.directory_db.transaction() as tx:
        stored = tx.execute("SELECT token_hash FROM directory_setup_tokens")
    assert [r["token_hash"] for r in stored] == [hashlib.sha256(earlier.token.encode()).hexdigest()]  # only a hash


def test_an_invalid_form_keeps_the_token_and_shows_errors_on_the_fields(pages, container):
    issued = container.setup_tokens.issue_if_no_users()
    short = _post(pages, issued.token, **_admin(password="krótkie", repeated_password="krótkie"))
    assert short.status_code == 400
    assert "Błąd:" in short.text and 'href="#password"' in short.text and "co najmniej 12" in short.text
    assert 'value="Pierwsza@Example.org"' in short.text  # the e-mail is kept
    mismatch = _post(pages, issued.token, **_admin(repeated_password="something else entirely"))
    assert mismatch.status_code == 400 and 'href="#repeated_password"' in mismatch.text
    bad_email = _post(pages, issued.token, **_admin(email="nie-adres"))
    assert bad_email.status_code == 400 and 'href="#email"' in bad_email.text
    assert container.users.list() == []
    assert _post(pages, issued.token, **_admin()).status_code == 303  # none of that spent the link


def test_the_form_is_refused_without_its_csrf_token(pages, container):
    issued = container.setup_tokens.issue_if_no_users()
    pages.get(f"/konfiguracja/{issued.token}")
    refused = pages.post(f"/konfiguracja/{issued.token}", data={"csrf_token": "wrong", **_admin()},
                         follow_redirects=False)
    assert refused.status_code == 403
    assert container.users.list() == []
    assert container.setup_tokens.is_live(issued.token)
