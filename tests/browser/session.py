"""What every browser test does around its pages: wait for a page to settle, check it (axe, no failed request,
320 px reflow), sign in with a password, and sign in a coordinator or admin through the TOTP enrolment."""

from __future__ import annotations

import pyotp
from playwright.sync_api import Page, Response

from tests.browser import harness
from tests.support.pages import PASSWORD


def settle(page: Page) -> None:
    """Waits until the page has loaded everything (fonts included): a request still in flight when the
    next navigation starts is aborted by the browser, which would read as a failed request. Waits for
    the requests themselves (harness.wait_for_requests), not for networkidle's 500 ms of quiet."""
    page.wait_for_load_state("load")
    harness.wait_for_requests(page)


def open_page(page: Page, url: str) -> Response | None:
    """`page.goto(url)`, then `settle`; returns the main document's response."""
    response = page.goto(url, wait_until="load")
    settle(page)
    return response


def check_page(page: Page) -> None:
    harness.assert_accessible(page)
    harness.assert_no_failed_requests(page)
    harness.assert_reflows(page)


def sign_in(page: Page, server, email: str, password: str = PASSWORD) -> None:
    """Password sign-in; a role with a second factor lands on the code (or enrolment) page."""
    open_page(page, server.url_for("/login"))
    page.fill("#email", email)
    page.fill("#password", password)
    page.locator("button[type=submit]").click()
    settle(page)


def enrol_and_sign_in(page: Page, server, email: str) -> None:
    """The first sign-in of a coordinator or admin: password, then the TOTP app set up from the shown secret."""
    sign_in(page, server, email)
    assert "/logowanie/kod/konfiguracja" in page.url, page.url
    secret = page.locator("#totp-secret").get_attribute("data-secret")
    page.fill("#code", pyotp.TOTP(secret).now())
    page.locator("button[type=submit].govuk-button").last.click()
    settle(page)
