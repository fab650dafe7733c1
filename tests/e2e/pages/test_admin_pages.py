"""The administration pages (issue 10) and the last-admin rule (issue 11, defect 6), in-process.

The admin lists the users (institution by name, role in words, second factor), adds one (a one-time link, shown
once, with which the person sets their own password), changes a role and institution (the account's history
names who and when), disables one after a confirmation page. The last active admin is never disabled or
demoted: not from the pages, not over the JSON API (409, also when two admins disable each other at the same
moment), not from the CLI. Refused or invalid forms store nothing; a forged POST is refused; other roles get 403.
"""

from __future__ import annotations

import html
import re
import threading
from typing import Iterator

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from api.app import create_app
from domain.application import DEFAULT_MUNICIPALITY_ID
from domain.policy import Role
from domain.use_cases.users import OPERATOR
from infra.container import Container
from infra.users import UserStore
from tests.support.pages import PASSWORD, csrf_token, sign_in
from tests.support.second_factor import sign_in_with_second_factor
from tests.support.world import World, auth

BASE = "/admin/uzytkownicy"
_LINK = re.compile(r'id="setup-link" type="text" value="([^"]+)"')


@pytest.fixture
def app(container: Container, world: World):
    return create_app(container)


def browser(app) -> TestClient:
    return TestClient(app, base_url="https://testserver")


@pytest.fixture
def admin(app, container) -> Iterator[TestClient]:
    with browser(app) as client:
        sign_in_with_second_factor(client, container, "admin@example.org")
        yield client


def fast_users(container: Container) -> UserStore:
    return UserStore(container.directory_db, hasher=PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


def visible_text(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def directory_state(container: Container) -> list[dict]:
    with container.directory_db.transaction() as tx:
        return tx.execute("SELECT id, email, role, institution_id, active FROM directory_users ORDER BY email")


def link_path(page: str) -> str:
    url = html.unescape(_LINK.search(page).group(1))
    assert url.startswith("https://testserver/konto/haslo/")
    return url.removeprefix("https://testserver")


def test_the_admin_sees_the_users_with_names_roles_in_words_and_second_factor(admin, world):
    page = admin.get(BASE)
    assert page.status_code == 200
    text = visible_text(page.text)
    assert "Użytkownicy" in text and 'href="/admin/uzytkownicy"' in page.text  # the header link
    row = re.search(r"staff@example\.org.*?</tr>", page.text, re.S).group(0)
    assert "pracownik instytucji" in row and "RIPH – Instytucja RIPH" in row and "nieustawiony" in row
    admin_row = re.search(r">admin@example\.org<.*?</tr>", page.text, re.S).group(0)
    assert "administrator" in admin_row and ">ustawiony<" in admin_row.replace("</td>", "<")  # enrolled at sign-in
    assert str(world.riph) not in text
    english = admin.get(BASE + "?lang=en")
    assert "institution staff" in english.text and "Second factor" in english.text


def test_a_new_user_sets_their_own_password_with_the_one_time_link(app, admin, container, world):
    token = csrf_token(admin, BASE + "/nowy")
    before = directory_state(container)
    # staff without an institution: refused, named on the field, nothing stored
    refused = admin.post(BASE + "/nowy", data={"csrf_token": token, "email": "nowa@example.org", "role": "staff",
                                               "institution_id": ""})
    assert refused.status_code == 400 and "Błąd:" in refused.text
    assert "Pracownik instytucji działa w imieniu instytucji: wybierz ją z listy." in refused.text
    assert 'href="#institution_id"' in refused.text and 'value="nowa@example.org"' in refused.text
    taken = admin.post(BASE + "/nowy", data={"csrf_token": token, "email": "staff@example.org", "role": "staff",
                                             "institution_id": str(world.riph)})
    assert taken.status_code == 409 and "Użytkownik staff@example.org już istnieje." in taken.text
    control = admin.post(BASE + "/nowy", data={"csrf_token": token, "email": "nowa\u202e@example.org",
                                               "role": "auditor", "institution_id": ""})
    assert control.status_code == 400 and "nie jest adresem e-mail" in control.text
    assert directory_state(container) == before

    added = admin.post(BASE + "/nowy", data={"csrf_token": token, "email": "Nowa@Example.org", "role": "staff",
                                             "institution_id": str(world.citt)})
    assert added.status_code == 200 and "Dodano użytkownika" in added.text
    assert "Link jest widoczny tylko teraz." in added.text and "czas warszawski" in added.text
    path = link_path(added.text)
    new = container.users.get_by_email("nowa@example.org")
    assert new.role == Role.STAFF and new.institution_id == world.citt and new.municipality_id == DEFAULT_MUNICIPALITY_ID
    assert container.users.verify_password("nowa@example.org", "") is None  # no password until they set one

    with browser(app) as person:
        form = person.get(path)
        assert form.status_code == 200 and "nowa@example.org" in form.text and "Ustaw hasło" in form.text
        link_csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
        mismatch = person.post(path, data={"csrf_token": link_csrf, "password": PASSWORD, "repeated_password": "x"})
        assert mismatch.status_code == 400 and "Hasła nie są takie same." in mismatch.text
        short = person.post(path, data={"csrf_token": link_csrf, "password": "krótkie", "repeated_password": "krótkie"})
        assert short.status_code == 400 and "co najmniej 12 znaków" in short.text
        forged = person.post(path, data={"csrf_token": "forged", "password": PASSWORD, "repeated_password": PASSWORD})
        assert forged.status_code == 403
        done = person.post(path, data={"csrf_token": link_csrf, "password": PASSWORD, "repeated_password": PASSWORD},
                           follow_redirects=False)
        assert done.status_code == 303 and done.headers["location"] == "/konto/haslo/ustawione"
        spent = person.get(path)  # once only
        assert spent.status_code == 410 and "Link jest nieważny" in spent.text
    with browser(app) as person:
        sign_in(person, "nowa@example.org")
        assert person.get("/wpisy").status_code == 200

    page = admin.get(f"{BASE}/{new.id}")
    text = visible_text(page.text)
    assert "Dodano konto: pracownik instytucji, instytucja CITT – Instytucja CITT" in text
    assert "admin@example.org" in text and "Hasło ustawione z linku" in text


def test_an_unknown_or_garbled_link_changes_nothing(app, container, world):
    with browser(app) as person:
        assert person.get("/konto/haslo/nie-ma-takiego").status_code == 410
        assert person.get("/konto/haslo/" + "x" * 500).status_code == 410


def test_the_admin_issues_a_new_link_after_a_forgotten_password(app, admin, container):
    staff = container.users.get_by_email("staff@example.org")
    token = csrf_token(admin, f"{BASE}/{staff.id}")
    issued = admin.post(f"{BASE}/{staff.id}/link", data={"csrf_token": token})
    assert issued.status_code == 200 and "Nowy link do ustawienia hasła" in issued.text
    path = link_path(issued.text)
    with browser(app) as person:
        link_csrf = re.search(r'name="csrf_token" value="([^"]+)"', person.get(path).text).group(1)
        new_password = "a brand new password"
        person.post(path, data={"csrf_token": link_csrf, "password": new_password, "repeated_password": new_password})
    assert container.users.verify_password("staff@example.org", PASSWORD) is None
    assert container.users.verify_password("staff@example.org", "a brand new password") is not None
    assert "Wydano link do ustawienia hasła" in visible_text(admin.get(f"{BASE}/{staff.id}").text)


def test_the_admin_changes_a_role_and_institution_and_the_history_says_who_and_when(app, admin, container, world):
    staff = container.users.get_by_email("staff@example.org")
    with browser(app) as staff_browser:
        sign_in(staff_browser, "staff@example.org")
        form = admin.get(f"{BASE}/{staff.id}/rola")
        assert form.status_code == 200 and "Zmień rolę lub instytucję" in form.text
        token = csrf_token(admin, f"{BASE}/{staff.id}/rola")
        before = directory_state(container)
        no_institution = admin.post(f"{BASE}/{staff.id}/rola", data={"csrf_token": token, "role": "lead",
                                                                     "institution_id": ""})
        assert no_institution.status_code == 400
        assert "Kierownik instytucji działa w imieniu instytucji: wybierz ją z listy." in no_institution.text
        bad_role = admin.post(f"{BASE}/{staff.id}/rola", data={"csrf_token": token, "role": "root",
                                                               "institution_id": str(world.citt)})
        assert bad_role.status_code == 400 and "Wybierz rolę z listy." in bad_role.text
        garbled = admin.post(f"{BASE}/{staff.id}/rola", data={"csrf_token": token, "role": "lead",
                                                              "institution_id": "not-an-id"})
        assert garbled.status_code == 400 and "Wybierz instytucję z listy." in garbled.text
        assert directory_state(container) == before

        done = admin.post(f"{BASE}/{staff.id}/rola", follow_redirects=False,
                          data={"csrf_token": token, "role": "lead", "institution_id": str(world.citt)})
        assert done.status_code == 303 and done.headers["location"] == f"{BASE}/{staff.id}?zmieniono=1"
        changed = container.users.get(staff.id)
        assert changed.role == Role.LEAD and changed.institution_id == world.citt
        # the change ends their sessions: they sign in again under the new role
        assert staff_browser.get("/wpisy", follow_redirects=False).status_code == 303
    text = visible_text(admin.get(done.headers["location"]).text)
    assert "Zapisano rolę i instytucję." in text
    assert "Zmiana roli: pracownik instytucji → kierownik instytucji" in text
    assert "Zmiana instytucji: RIPH – Instytucja RIPH → CITT – Instytucja CITT" in text
    assert "admin@example.org" in text and "czas warszawski" in text


def test_disabling_asks_for_confirmation_and_then_ends_the_account(app, admin, container, world):
    staff = container.users.get_by_email("staff@example.org")
    confirm = admin.get(f"{BASE}/{staff.id}/wylaczenie")
    assert confirm.status_code == 200 and "Wyłączyć konto staff@example.org?" in confirm.text
    assert container.users.get(staff.id).active  # the confirmation page changes nothing
    token = csrf_token(admin, f"{BASE}/{staff.id}/wylaczenie")
    done = admin.post(f"{BASE}/{staff.id}/wylaczenie", data={"csrf_token": token}, follow_redirects=False)
    assert done.status_code == 303
    assert "Konto zostało wyłączone" in admin.get(done.headers["location"]).text
    assert not container.users.get(staff.id).active
    with TestClient(app) as api:
        assert api.get("/api/v1/records", headers=auth(world.tokens["staff"])).status_code == 401
    assert "Konto wyłączone" in visible_text(admin.get(f"{BASE}/{staff.id}").text)


def test_a_forged_post_is_refused_and_stores_nothing(admin, container):
    staff = container.users.get_by_email("staff@example.org")
    before = directory_state(container)
    for path, data in ((f"{BASE}/{staff.id}/wylaczenie", {}), (f"{BASE}/{staff.id}/rola", {"role": "admin"}),
                       (BASE + "/nowy", {"email": "x@example.org", "role": "auditor"})):
        assert admin.post(path, data=data).status_code == 403
        assert admin.post(path, data={**data, "csrf_token": "forged"}).status_code == 403
        cross_site = admin.post(path, data=data, headers={"Origin": "https://evil.example"})
        assert cross_site.status_code == 403
    assert directory_state(container) == before


@pytest.mark.parametrize("email", ["staff@example.org", "lead@example.org", "coordinator@example.org",
                                   "auditor@example.org"])
def test_other_roles_are_refused_and_not_offered_the_link(app, container, email):
    with browser(app) as client:
        sign_in_with_second_factor(client, container, email)
        home = client.get("/")
        assert 'href="/admin/uzytkownicy"' not in home.text and 'href="/profil"' in home.text
        staff = container.users.get_by_email("staff@example.org")
        for path in (BASE, BASE + "/nowy", f"{BASE}/{staff.id}", f"{BASE}/{staff.id}/wylaczenie"):
            assert client.get(path).status_code == 403, path
        token = csrf_token(client, "/profil")
        before = directory_state(container)
        assert client.post(f"{BASE}/{staff.id}/wylaczenie", data={"csrf_token": token}).status_code == 403
        assert directory_state(container) == before


def test_an_unknown_user_is_a_404_page(admin):
    assert admin.get(f"{BASE}/not-a-uuid").status_code == 404
    assert admin.get(f"{BASE}/00000000-0000-0000-0000-000000000000").status_code == 404


# ---------------------------------------------------------------------------------------------- defect 6
def municipality_admin_only(container: Container) -> str:
    """A municipality whose own admin is the only active admin of the store (the deployment's is disabled)."""
    fast_users(container).add(email="gmina-admin@example.org", password=PASSWORD, role="admin",
                              municipality_id=DEFAULT_MUNICIPALITY_ID)
    container.users.disable("admin@example.org")
    return "gmina-admin@example.org"


def test_the_last_active_admin_cannot_give_up_the_role_on_the_page(app, container):
    email = municipality_admin_only(container)
    me = container.users.get_by_email(email)
    with browser(app) as client:
        sign_in_with_second_factor(client, container, email)
        token = csrf_token(client, f"{BASE}/{me.id}/rola")
        before = directory_state(container)
        refused = client.post(f"{BASE}/{me.id}/rola", data={"csrf_token": token, "role": "coordinator",
                                                            "institution_id": ""})
        assert refused.status_code == 409 and "Błąd:" in refused.text
        assert "Nie można odebrać roli ostatniemu aktywnemu administratorowi" in refused.text
        english = client.post(f"{BASE}/{me.id}/rola?lang=en", data={"csrf_token": token, "role": "coordinator",
                                                                    "institution_id": ""})
        assert "The last active administrator cannot lose the role" in english.text
        assert directory_state(container) == before
        # their own account: no "Disable" offered, and a forged attempt is refused as disabling oneself
        assert f"{BASE}/{me.id}/wylaczenie" not in client.get(f"{BASE}/{me.id}").text
        self_disable = client.post(f"{BASE}/{me.id}/wylaczenie", data={"csrf_token": token})
        assert self_disable.status_code == 409 and "You cannot disable yourself." in self_disable.text  # English: chosen above
        assert directory_state(container) == before


def test_the_last_active_admin_cannot_be_disabled_by_the_operator(container, world):
    email = municipality_admin_only(container)
    target = container.users.get_by_email(email)
    with pytest.raises(Exception) as refused:
        container.use_cases.users.disable(OPERATOR, target.id)
    assert "ostatniego aktywnego administratora" in str(refused.value)
    with pytest.raises(Exception):
        container.use_cases.users.set_role(OPERATOR, target.id, role="auditor", institution_id=None)
    assert container.users.get(target.id).active and container.users.get(target.id).role == Role.ADMIN


def test_two_admins_disabling_each_other_at_once_leave_one_active_admin(app, container, world):
    """Defect 6: both requests are decided before either is written (a barrier holds them there), as two
    admins clicking at the same moment. Before the fix both succeeded and no active admin was left."""
    users = fast_users(container)
    second = users.add(email="admin2@example.org", password=PASSWORD, role="admin", municipality_id=None)
    second_token = users.create_token("admin2@example.org").token
    first = container.users.get_by_email("admin@example.org")
    barrier = threading.Barrier(2, timeout=5)
    real_get = container.users.get

    def get_at_the_same_moment(user_id):
        found = real_get(user_id)
        if user_id in (first.id, second.id):
            try:
                barrier.wait()
            except threading.BrokenBarrierError:
                pass
        return found

    container.users.get = get_at_the_same_moment  # type: ignore[method-assign]
    answers: dict[str, int] = {}

    def disable(name: str, token: str, target) -> None:
        with TestClient(app) as api:
            answers[name] = api.post(f"/api/v1/users/{target}/disable", headers=auth(token)).status_code

    threads = [threading.Thread(target=disable, args=("first", world.tokens["admin"], second.id)),
               threading.Thread(target=disable, args=("second", second_token, first.id))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    container.users.get = real_get  # type: ignore[method-assign]
    assert sorted(answers.values()) == [200, 409], answers
    active_admins = [u for u in container.users.list() if u.role == Role.ADMIN and u.active]
    assert len(active_admins) == 1


def test_a_municipalitys_admin_sees_the_deployments_admin_named_by_role_in_a_history(app, container, world):
    deployment_admin = container.users.get_by_email("admin@example.org")
    staff = container.users.get_by_email("staff@example.org")
    container.use_cases.users.set_role(deployment_admin, staff.id, role="lead", institution_id=world.riph)
    fast_users(container).add(email="gmina-admin@example.org", password=PASSWORD, role="admin",
                              municipality_id=DEFAULT_MUNICIPALITY_ID)
    with browser(app) as client:
        sign_in_with_second_factor(client, container, "gmina-admin@example.org")
        text = visible_text(client.get(f"{BASE}/{staff.id}").text)
        assert "Zmiana roli: pracownik instytucji → kierownik instytucji" in text
        assert "administrator wdrożenia" in text and str(deployment_admin.id) not in text
        listed = client.get(BASE).text
        assert ">admin@example.org<" not in listed  # the deployment's admin is not one of the municipality's users
