"""The administration and profile pages in a real browser (Debian chromium): every page — the users' table, the
add form (also with its errors), the one-time link, a user's page with its history, the role form, the disable
confirmation, the profile, a new token, the token shown once, the revoke confirmation and the set-password page —
has no serious or critical axe violation in Polish and English, reflows at 320 px and loads only local files.
With JavaScript off, an admin adds a user who sets their password with the link and signs in, and that user
creates an API token that works on /api/v1 and revokes it."""

from __future__ import annotations

import httpx
import pytest
from argon2 import PasswordHasher
from playwright.sync_api import Page, expect

from domain.application import DEFAULT_NETWORK_ID
from infra.users import UserStore
from tests.browser.session import check_page, enrol_and_sign_in, open_page, settle, sign_in
from tests.support.pages import PASSWORD
from tests.support.world import World, build_world

NEW_PASSWORD = "a password of my own"


@pytest.fixture(scope="module")
def world(live_server) -> World:
    container = live_server.container
    world = build_world(container, DEFAULT_NETWORK_ID)
    users = UserStore(container.directory_db, hasher=PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    users.add(email="admin-nojs@example.org", password=PASSWORD, role="admin", municipality_id=None)
    container.runner.catch_up()
    return world


def visit(page: Page, server, path: str, language: str) -> None:
    open_page(page, server.url_for(f"{path}{'&' if '?' in path else '?'}lang={language}"))
    assert page.locator("html").get_attribute("lang") == language
    check_page(page)


def test_every_administration_and_profile_page_is_accessible_in_both_languages(live_server, world, new_page):
    page = new_page()
    enrol_and_sign_in(page, live_server, "admin@example.org")
    container = live_server.container
    staff = container.users.get_by_email("staff@example.org")
    for language in ("pl", "en"):
        for path in ("/admin/uzytkownicy", "/admin/uzytkownicy/nowy", f"/admin/uzytkownicy/{staff.id}",
                     f"/admin/uzytkownicy/{staff.id}/rola", f"/admin/uzytkownicy/{staff.id}/wylaczenie",
                     "/profil", "/profil/tokeny/nowy"):
            visit(page, live_server, path, language)
        # the add form with its errors: staff without an institution
        visit(page, live_server, "/admin/uzytkownicy/nowy", language)
        page.fill("#email", f"{language}-user@example.org")
        page.select_option("#role", "staff")
        page.locator("main form button[type=submit]").click()
        settle(page)
        expect(page.locator(".govuk-error-summary")).to_be_visible()
        check_page(page)
        # added: the one-time link, shown once
        page.select_option("#institution_id", label="CITT – Instytucja CITT")
        page.locator("main form button[type=submit]").click()
        settle(page)
        link = page.locator("#setup-link").input_value()
        assert "/konto/haslo/" in link
        check_page(page)
        # a token of the admin's own: shown once, then the revoke confirmation
        visit(page, live_server, "/profil/tokeny/nowy", language)
        page.fill("#name", "do integracji z systemem EZD")
        page.locator("main form button[type=submit]").click()
        settle(page)
        assert page.locator("#api-token").input_value().startswith("splot_")
        check_page(page)
        visit(page, live_server, "/profil", language)
        page.locator("a[href$='/uniewaznienie']").first.click()
        settle(page)
        check_page(page)
        # the person's page behind the link (no session)
        person = new_page(locale="pl-PL" if language == "pl" else "en-GB")
        open_page(person, link + f"?lang={language}")
        assert person.locator("#password").is_visible()
        check_page(person)
    # the new user's page with its history
    added = container.users.get_by_email("pl-user@example.org")
    visit(page, live_server, f"/admin/uzytkownicy/{added.id}", "pl")
    expect(page.get_by_text("Dodano konto: pracownik instytucji")).to_be_visible()


def test_with_javascript_off_a_user_is_added_sets_the_password_and_uses_a_token(live_server, world, new_page):
    admin = new_page(java_script_enabled=False)
    enrol_and_sign_in(admin, live_server, "admin-nojs@example.org")
    admin.get_by_role("link", name="Administracja").click()
    settle(admin)
    admin.get_by_role("button", name="Dodaj użytkownika").click()  # a link styled and named as a button
    settle(admin)
    admin.fill("#email", "bez-js@example.org")
    admin.select_option("#role", label="kierownik instytucji")
    admin.select_option("#institution_id", label="RIPH – Instytucja RIPH")
    admin.get_by_role("button", name="Dodaj użytkownika").click()
    settle(admin)
    expect(admin.get_by_role("heading", level=1)).to_have_text("Dodano użytkownika")
    link = admin.locator("#setup-link").input_value()

    person = new_page(java_script_enabled=False)
    open_page(person, link)
    person.fill("#password", NEW_PASSWORD)
    person.fill("#repeated_password", NEW_PASSWORD)
    person.get_by_role("button", name="Ustaw hasło").click()
    settle(person)
    expect(person.get_by_role("heading", level=1)).to_have_text("Hasło ustawione")
    sign_in(person, live_server, "bez-js@example.org", NEW_PASSWORD)
    expect(person.get_by_role("heading", level=1)).to_have_text("Strona główna")

    person.get_by_role("link", name="Profil").click()
    settle(person)
    person.get_by_role("button", name="Utwórz token").click()  # a link styled and named as a button
    settle(person)
    person.fill("#name", "do integracji z BI")
    person.get_by_role("button", name="Utwórz token").click()
    settle(person)
    token = person.locator("#api-token").input_value()
    headers = {"Authorization": f"Bearer {token}"}
    assert httpx.get(live_server.url_for("/api/v1/records"), headers=headers).status_code == 200

    person.get_by_role("link", name="Wróć do profilu").click()
    settle(person)
    person.get_by_role("link", name="Unieważnij do integracji z BI").click()
    settle(person)
    person.get_by_role("button", name="Unieważnij token").click()
    settle(person)
    expect(person.get_by_text("Token został unieważniony: już nie działa.")).to_be_visible()
    assert httpx.get(live_server.url_for("/api/v1/records"), headers=headers).status_code == 401

    # the admin changes the lead's role and then disables the account, with JavaScript off too
    added = live_server.container.users.get_by_email("bez-js@example.org")
    open_page(admin, live_server.url_for(f"/admin/uzytkownicy/{added.id}/rola"))
    admin.select_option("#role", label="pracownik instytucji")
    admin.get_by_role("button", name="Zapisz zmianę").click()
    settle(admin)
    expect(admin.get_by_text("Zapisano rolę i instytucję.")).to_be_visible()
    admin.get_by_role("link", name="Wyłącz konto").click()
    settle(admin)
    admin.get_by_role("button", name="Wyłącz konto").click()
    settle(admin)
    expect(admin.get_by_text("Konto zostało wyłączone", exact=False)).to_be_visible()
    assert not live_server.container.users.get_by_email("bez-js@example.org").active
