"""The profile's API tokens (issue 10), in-process: a user creates a token named for its integration, sees it
once, uses it as a Bearer token on /api/v1, sees when it was last used, revokes it after a confirmation page,
and it answers 401 from then on. A nameless token, a forged POST and someone else's token change nothing; an
admin revokes a token of a user they manage from the user's page; every change is in the account's history."""

from __future__ import annotations

import html
import re
from typing import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from infra.container import Container
from tests.support.pages import csrf_token, sign_in
from tests.support.second_factor import sign_in_with_second_factor
from tests.support.world import World, auth

_TOKEN = re.compile(r'id="api-token" type="text" value="([^"]+)"')


@pytest.fixture
def app(container: Container, world: World):
    return create_app(container)


def browser(app) -> TestClient:
    return TestClient(app, base_url="https://testserver")


@pytest.fixture
def staff(app) -> Iterator[TestClient]:
    with browser(app) as client:
        sign_in(client, "staff@example.org")
        yield client


def tokens_of(container: Container, email: str) -> list[dict]:
    return container.users.list_tokens(email)


def create(client: TestClient, name: str):
    token = csrf_token(client, "/profil/tokeny/nowy")
    return client.post("/profil/tokeny/nowy", data={"csrf_token": token, "name": name})


def test_a_token_is_created_shown_once_works_and_once_revoked_answers_401(app, staff, container):
    profile = staff.get("/profil")
    assert profile.status_code == 200 and "Tokeny API" in profile.text and "staff@example.org" in profile.text
    assert "pracownik instytucji" in profile.text and "RIPH – Instytucja RIPH" in profile.text
    before = len(tokens_of(container, "staff@example.org"))

    created = create(staff, "  do integracji z   systemem EZD ")
    assert created.status_code == 200 and "Utworzono token" in created.text
    assert "jest pokazywany tylko raz" in created.text and 'readonly' in created.text
    token = html.unescape(_TOKEN.search(created.text).group(1))
    assert token.startswith("splot_")
    rows = tokens_of(container, "staff@example.org")
    assert len(rows) == before + 1
    mine = next(r for r in rows if r["name"] == "do integracji z systemem EZD")
    assert mine["last_used_at"] is None

    with TestClient(app) as api:
        assert api.get("/api/v1/records", headers=auth(token)).status_code == 200
        listed = staff.get("/profil")
        assert "do integracji z systemem EZD" in listed.text and token not in listed.text  # never shown again
        assert container.users.token(mine["id"])["last_used_at"] is not None
        row = re.search(r"do integracji z systemem EZD.*?</tr>", listed.text, re.S).group(0)
        assert "czas warszawski" in row and "nigdy" not in row  # last used, in Warsaw time

        confirm = staff.get(f"/profil/tokeny/{mine['id']}/uniewaznienie")
        assert confirm.status_code == 200 and "Unieważnić token „do integracji z systemem EZD”?" in confirm.text
        assert api.get("/api/v1/records", headers=auth(token)).status_code == 200  # the confirmation changes nothing
        form_token = csrf_token(staff, f"/profil/tokeny/{mine['id']}/uniewaznienie")
        done = staff.post(f"/profil/tokeny/{mine['id']}/uniewaznienie", data={"csrf_token": form_token},
                          follow_redirects=False)
        assert done.status_code == 303 and done.headers["location"] == "/profil?uniewazniono=1"
        assert "Token został unieważniony" in staff.get(done.headers["location"]).text
        assert api.get("/api/v1/records", headers=auth(token)).status_code == 401

    again = staff.post(f"/profil/tokeny/{mine['id']}/uniewaznienie", data={"csrf_token": form_token})
    assert again.status_code == 409 and "Ten token jest już unieważniony." in again.text


def test_a_token_needs_a_name_and_a_forged_post_creates_none(staff, container):
    before = tokens_of(container, "staff@example.org")
    nameless = create(staff, "   ")
    assert nameless.status_code == 400 and "Błąd:" in nameless.text
    assert "Napisz, do czego służy token" in nameless.text and 'href="#name"' in nameless.text
    too_long = create(staff, "x" * 101)
    assert too_long.status_code == 400 and "najwyżej 100 znaków" in too_long.text
    control = create(staff, "EZD\u202e")
    assert control.status_code == 400 and "znaki sterujące" in control.text
    assert staff.post("/profil/tokeny/nowy", data={"name": "bez tokenu CSRF"}).status_code == 403
    assert staff.post("/profil/tokeny/nowy", data={"name": "z obcej strony", "csrf_token": csrf_token(staff, "/profil")},
                      headers={"Origin": "https://evil.example"}).status_code == 403
    assert tokens_of(container, "staff@example.org") == before


def test_nobody_sees_or_revokes_someone_elses_token_from_their_profile(app, staff, container, world):
    other = container.users.list_tokens("other@example.org")[0]
    assert staff.get(f"/profil/tokeny/{other['id']}/uniewaznienie").status_code == 404
    token = csrf_token(staff, "/profil")
    assert staff.post(f"/profil/tokeny/{other['id']}/uniewaznienie", data={"csrf_token": token}).status_code == 404
    assert staff.get("/profil/tokeny/nie-ma-takiego/uniewaznienie").status_code == 404
    with TestClient(app) as api:
        assert api.get("/api/v1/records", headers=auth(world.other_staff_token)).status_code == 200


@pytest.mark.parametrize("email", ["lead@example.org", "coordinator@example.org", "auditor@example.org",
                                   "admin@example.org"])
def test_every_role_that_uses_the_api_manages_its_own_tokens(app, container, email):
    with browser(app) as client:
        sign_in_with_second_factor(client, container, email)
        assert 'href="/profil"' in client.get("/").text
        created = create(client, "do integracji z BI")
        assert created.status_code == 200
        token = html.unescape(_TOKEN.search(created.text).group(1))
        with TestClient(app) as api:
            assert api.get("/api/v1/institutions", headers=auth(token)).status_code == 200


def test_an_admin_revokes_a_users_token_and_the_history_says_so(app, container, world):
    staff_user = container.users.get_by_email("staff@example.org")
    with browser(app) as staff:
        sign_in(staff, "staff@example.org")
        token = html.unescape(_TOKEN.search(create(staff, "do integracji z CRM").text).group(1))
    row = next(r for r in container.users.list_tokens("staff@example.org") if r["name"] == "do integracji z CRM")
    with browser(app) as admin:
        sign_in_with_second_factor(admin, container, "admin@example.org")
        page = admin.get(f"/admin/uzytkownicy/{staff_user.id}")
        assert "do integracji z CRM" in page.text and token not in page.text
        path = f"/admin/uzytkownicy/{staff_user.id}/tokeny/{row['id']}/uniewaznienie"
        form_token = csrf_token(admin, path)
        done = admin.post(path, data={"csrf_token": form_token}, follow_redirects=False)
        assert done.status_code == 303
        history = admin.get(done.headers["location"]).text
        assert "Utworzono token API „do integracji z CRM”" in history
        assert "Unieważniono token API „do integracji z CRM”" in history
        assert history.count("staff@example.org") >= 2 and "admin@example.org" in history
    with TestClient(app) as api:
        assert api.get("/api/v1/records", headers=auth(token)).status_code == 401
