"""The TOTP second factor of coordinators and admins: enrolment on first sign-in, a code at every later one,
wrong and replayed codes refused, code attempts throttled; other roles are never asked.

The server's TOTP clock is fixed per test (`container.users.second_factor.clock`), so which 30-second step a
code belongs to never depends on when the test runs.
"""

from __future__ import annotations

from typing import Iterator
from urllib.parse import quote

import pyotp
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from infra.container import Container
from tests.support.pages import PASSWORD, csrf_token
from tests.support.second_factor import CODE_PAGE, ENROL_PAGE, _CSRF, secret_on_page, sign_in_with_second_factor
from tests.support.world import World

T0 = 1_780_000_000.0  # a fixed moment; step = T0 // 30
SESSION = "__Host-splot_session"


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(container: Container) -> Clock:
    clock = Clock()
    container.users.second_factor.clock = clock
    return clock


def _client(container: Container) -> TestClient:
    return TestClient(create_app(container), base_url="https://testserver")


@pytest.fixture
def pages(container: Container, world: World, clock: Clock) -> Iterator[TestClient]:
    with _client(container) as client:
        yield client


def _password(client: TestClient, email: str, next_url: str = "/"):
    token = csrf_token(client, "/login")
    return client.post("/login", data={"csrf_token": token, "email": email, "password": PASSWORD, "next": next_url},
                       follow_redirects=False)


def _give(client: TestClient, path: str, code: str, next_url: str = "/"):
    page = client.get(path)
    assert page.status_code == 200, page.text
    token = _CSRF.search(page.text).group(1)
    return client.post(path, data={"csrf_token": token, "code": code, "next": next_url}, follow_redirects=False)


def _code(secret: str, at: float) -> str:
    return pyotp.TOTP(secret).at(at)


def _enrol(client: TestClient, email: str, at: float = T0) -> str:
    """Enrols `email` through the pages; returns the secret read from the enrolment page."""
    assert _password(client, email).headers["location"].startswith(ENROL_PAGE)
    secret = secret_on_page(client.get(ENROL_PAGE).text)
    assert _give(client, ENROL_PAGE, _code(secret, at)).status_code == 303
    return secret


def _pending_blocks_signed_in_pages(client: TestClient) -> None:
    blocked = client.get("/wpisy", follow_redirects=False)
    assert blocked.status_code == 303 and blocked.headers["location"].startswith("/login")


@pytest.mark.parametrize("role", ["coordinator", "admin"])
def test_a_first_sign_in_enrols_with_a_qr_code_then_signs_in_fully(pages, container, role):
    email = f"{role}@example.org"
    user = container.users.get_by_email(email)
    answer = _password(pages, email, next_url="/haslo")
    assert answer.status_code == 303
    assert answer.headers["location"] == f"{ENROL_PAGE}?next={quote('/haslo', safe='')}"
    pending_token = pages.cookies.get(SESSION)
    _pending_blocks_signed_in_pages(pages)

    page = pages.get(answer.headers["location"])
    assert page.status_code == 200
    assert "Skonfiguruj logowanie z kodem" in page.text
    assert '<svg role="img"' in page.text and "<title>Kod QR do zeskanowania" in page.text  # drawn here, not fetched
    assert "http" not in page.text.split("<svg", 1)[1].split("</svg>", 1)[0].replace("http://www.w3.org", "")
    secret = secret_on_page(page.text)
    assert " ".join(secret[i:i + 4] for i in range(0, len(secret), 4)) in page.text  # typed by hand in groups
    assert container.users.totp_secret(user.id) is None  # offered, not yet confirmed
    assert pages.get(ENROL_PAGE).text.count(secret) >= 1  # a reload shows the same secret

    done = _give(pages, ENROL_PAGE, _code(secret, T0), next_url="/haslo")
    assert done.status_code == 303 and done.headers["location"] == "/haslo"
    full_token = pages.cookies.get(SESSION)
    assert full_token and full_token != pending_token  # a new session, under a new token
    assert pages.get("/wpisy" if role == "coordinator" else "/haslo", follow_redirects=False).status_code == 200
    assert f"Zalogowano jako" in pages.get("/").text
    assert container.users.totp_secret(user.id) == secret

    with _client(container) as stale:  # the pre-code token opens nothing
        stale.cookies.set(SESSION, pending_token)
        _pending_blocks_signed_in_pages(stale)


def test_a_wrong_code_at_enrolment_is_refused_and_nothing_is_enrolled(pages, container):
    user = container.users.get_by_email("coordinator@example.org")
    _password(pages, "coordinator@example.org")
    secret = secret_on_page(pages.get(ENROL_PAGE).text)
    wrong = str((int(_code(secret, T0)) + 1) % 1_000_000).zfill(6)
    refused = _give(pages, ENROL_PAGE, wrong)
    assert refused.status_code == 400
    assert "<title>Błąd:" in refused.text and 'class="govuk-error-summary"' in refused.text
    assert 'href="#code"' in refused.text and 'id="code-error"' in refused.text
    assert "Kod jest nieprawidłowy albo wygasł" in refused.text
    assert secret_on_page(refused.text) == secret  # the same QR code to try again with
    assert container.users.totp_secret(user.id) is None
    _pending_blocks_signed_in_pages(pages)


def test_the_next_sign_in_asks_for_a_code_and_refuses_a_wrong_or_replayed_one(pages, container, clock):
    secret = _enrol(pages, "coordinator@example.org")
    clock.now = T0 + 30  # the next code
    with _client(container) as second:
        answer = _password(second, "coordinator@example.org")
        assert answer.headers["location"] == f"{CODE_PAGE}?next=%2F"
        page = second.get(CODE_PAGE)
        assert "Wpisz kod z aplikacji uwierzytelniającej" in page.text
        assert 'autocomplete="one-time-code"' in page.text and 'inputmode="numeric"' in page.text
        _pending_blocks_signed_in_pages(second)

        wrong = _give(second, CODE_PAGE, str((int(_code(secret, T0 + 30)) + 1) % 1_000_000).zfill(6))
        assert wrong.status_code == 400 and "Kod jest nieprawidłowy albo wygasł" in wrong.text
        _pending_blocks_signed_in_pages(second)
        malformed = _give(second, CODE_PAGE, "12ab")
        assert malformed.status_code == 400 and "Kod musi składać się z 6 cyfr" in malformed.text
        empty = _give(second, CODE_PAGE, "")
        assert empty.status_code == 400 and "Wpisz 6-cyfrowy kod" in empty.text

        code = _code(secret, T0 + 30)
        assert _give(second, CODE_PAGE, code).status_code == 303
        assert second.get("/wpisy", follow_redirects=False).status_code == 200

    with _client(container) as third:  # the same code, still within its window, in a new sign-in
        _password(third, "coordinator@example.org")
        replayed = _give(third, CODE_PAGE, code)
        assert replayed.status_code == 400 and "Ten kod został już użyty" in replayed.text
        older = _give(third, CODE_PAGE, _code(secret, T0))  # the enrolment's step: older than the last used
        assert older.status_code == 400 and "Ten kod został już użyty" in older.text
        _pending_blocks_signed_in_pages(third)
        assert _give(third, CODE_PAGE, _code(secret, T0 + 60)).status_code == 303  # the next step is fine


def test_a_code_outside_the_window_is_wrong(pages, container, clock):
    secret = _enrol(pages, "admin@example.org")
    clock.now = T0 + 10 * 30
    with _client(container) as later:
        _password(later, "admin@example.org")
        stale = _give(later, CODE_PAGE, _code(secret, T0 + 8 * 30))  # two steps behind
        assert stale.status_code == 400 and "Kod jest nieprawidłowy albo wygasł" in stale.text
        assert _give(later, CODE_PAGE, _code(secret, T0 + 9 * 30)).status_code == 303  # one behind: allowed


def test_code_attempts_are_throttled_per_account(pages, container, clock):
    secret = _enrol(pages, "coordinator@example.org")
    clock.now = T0 + 30
    with _client(container) as guesser:
        _password(guesser, "coordinator@example.org")
        right = _code(secret, T0 + 30)
        wrong = str((int(right) + 1) % 1_000_000).zfill(6)
        for _ in range(5):
            assert _give(guesser, CODE_PAGE, wrong).status_code == 400
        throttled = _give(guesser, CODE_PAGE, right)
        assert throttled.status_code == 429 and int(throttled.headers["Retry-After"]) > 0
        assert "Zbyt wiele nieudanych prób podania kodu" in throttled.text
        _pending_blocks_signed_in_pages(guesser)
        # a new password sign-in does not clear the count of failed codes
        _password(guesser, "coordinator@example.org")
        assert _give(guesser, CODE_PAGE, right).status_code == 429


@pytest.mark.parametrize("role", ["staff", "lead", "auditor"])
def test_other_roles_are_not_asked_for_a_code(pages, container, role):
    answer = _password(pages, f"{role}@example.org", next_url="/wpisy")
    assert answer.status_code == 303 and answer.headers["location"] == "/wpisy"
    assert pages.get("/wpisy", follow_redirects=False).status_code == 200
    assert container.users.totp_secret(container.users.get_by_email(f"{role}@example.org").id) is None
    assert pages.get(CODE_PAGE, follow_redirects=False).headers["location"] == "/"  # nothing pending


def test_the_code_pages_need_a_password_first(pages):
    for path in (CODE_PAGE, ENROL_PAGE):
        answer = pages.get(path, follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"] == "/login"


def test_a_code_form_without_its_csrf_token_is_refused(pages, container):
    user = container.users.get_by_email("coordinator@example.org")
    _password(pages, "coordinator@example.org")
    secret = secret_on_page(pages.get(ENROL_PAGE).text)
    refused = pages.post(ENROL_PAGE, data={"csrf_token": "forged", "code": _code(secret, T0), "next": "/"},
                         follow_redirects=False)
    assert refused.status_code == 403
    assert container.users.totp_secret(user.id) is None


def test_the_enrolment_page_in_english(pages):
    _password(pages, "admin@example.org")
    page = pages.get(f"{ENROL_PAGE}?lang=en")
    assert "Set up sign-in with a code" in page.text and "QR code to scan with an authenticator app" in page.text


def test_the_support_helper_signs_in_again_and_again(container, world, clock):
    """Several sign-ins of one coordinator within one 30-second step: each gets a fresh code."""
    for _ in range(3):
        with _client(container) as client:
            sign_in_with_second_factor(client, container, "coordinator@example.org", next_url="/wpisy")
            assert client.get("/wpisy", follow_redirects=False).status_code == 200
