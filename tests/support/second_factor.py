"""Signing in to the pages as a coordinator or admin: password, then the TOTP code (enrolling on first sign-in).

`sign_in_with_second_factor` works for every role (staff, leads and auditors are never asked for a code),
so a page test can use it for anyone. The code is computed from the secret as an authenticator app would
(pyotp): on enrolment read from the page, later the one stored in the directory. A code is never accepted
twice (nor an older one), so when the test has already used the steps around now, the second factor's
clock is moved on, as if the test had waited for the next code.
"""

from __future__ import annotations

import html
import re

import pyotp
from fastapi.testclient import TestClient

from infra.container import Container
from tests.support.pages import PASSWORD, csrf_token

CODE_PAGE = "/logowanie/kod"
ENROL_PAGE = "/logowanie/kod/konfiguracja"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_SECRET = re.compile(r'id="totp-secret" data-secret="([A-Z2-7]+)"')


def secret_on_page(page_html: str) -> str:
    """The secret the enrolment page shows for typing into an app by hand."""
    return _SECRET.search(page_html).group(1)


def last_step(container: Container, email: str) -> int | None:
    user = container.users.get_by_email(email)
    with container.directory_db.transaction() as tx:
        return tx.execute("SELECT totp_last_step FROM directory_users WHERE id = ?", (str(user.id),))[0]["totp_last_step"]


def fresh_code(container: Container, email: str, secret: str) -> str:
    """A code the server will accept now: the current step, or the first step after the last one used
    (moving the server's TOTP clock on when that step is more than one ahead)."""
    factor = container.users.second_factor
    now_step = int(factor.clock() // 30)
    used = last_step(container, email)
    step = now_step if used is None else max(now_step, used + 1)
    if step > now_step + 1:
        base, shift = factor.clock, (step - now_step) * 30
        factor.clock = lambda: base() + shift
    return pyotp.TOTP(secret).generate_otp(step)


def sign_in_with_second_factor(client: TestClient, container: Container, email: str, password: str = PASSWORD,
                               next_url: str = "/") -> None:
    """Signs `client` in fully as `email`, giving a TOTP code when the role needs one."""
    token = csrf_token(client, "/login")
    response = client.post("/login", data={"csrf_token": token, "email": email, "password": password, "next": next_url},
                           follow_redirects=False)
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    if not location.startswith(CODE_PAGE):
        assert location == next_url
        return
    page = client.get(location)
    assert page.status_code == 200, page.text
    if location.startswith(ENROL_PAGE):
        secret, path = secret_on_page(page.text), ENROL_PAGE
    else:
        secret, path = container.users.totp_secret(container.users.get_by_email(email).id), CODE_PAGE
    form_token = html.unescape(_CSRF.search(page.text).group(1))
    done = client.post(path, data={"csrf_token": form_token, "code": fresh_code(container, email, secret),
                                   "next": next_url}, follow_redirects=False)
    assert done.status_code == 303, done.text
    assert done.headers["location"] == next_url
