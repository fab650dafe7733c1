"""The investor-service pages in a real browser (Debian chromium, issue 14): the investor service records an
inquiry and a site through the forms (a form sent empty shows its error summary, focusable), answers the inquiry
offering the site, uploads a photo; every page — inquiries, an inquiry, the forms, the indicators, training,
sites, a site with its photo — in Polish and English has no serious or critical axe violation, reflows at
320 px and loads nothing from outside 127.0.0.1."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from domain.application import DEFAULT_MUNICIPALITY_ID
from tests.browser.session import check_page, open_page, settle, sign_in
from tests.support.pages import PASSWORD

OFFICER = "inwestor@example.org"


@pytest.fixture(scope="module")
def officer(live_server) -> str:
    live_server.container.users.add(email=OFFICER, password=PASSWORD, role="investor_service",
                                    municipality_id=DEFAULT_MUNICIPALITY_ID)
    return OFFICER


def _fill_date(page, prefix: str, day: str, month: str, year: str) -> None:
    page.fill(f"#{prefix}-day", day)
    page.fill(f"#{prefix}-month", month)
    page.fill(f"#{prefix}-year", year)


def test_the_investor_service_works_through_its_pages(live_server, officer, page, tmp_path):
    sign_in(page, live_server, officer)
    page.get_by_role("link", name="Obsługa inwestora").first.click()
    settle(page)
    assert page.url.endswith("/inwestorzy")

    open_page(page, live_server.url_for("/tereny/nowy"))
    page.locator("button[type=submit].govuk-button").click()  # empty: the summary names the fields
    settle(page)
    assert page.locator(".govuk-error-summary").is_visible()
    page.fill("#name", "Strefa Gronówko")
    page.fill("#area_ha", "12,5")
    page.fill("#zoning", "P/U")
    page.check("#utilities-0")
    page.select_option("#ownership", "municipal")
    page.select_option("#status", "available")
    page.fill("#address", "ul. Przemysłowa 1, Leszno")
    page.fill("#plots", "101/2")
    page.locator("button[type=submit].govuk-button").click()
    settle(page)
    assert page.locator("h1").inner_text() == "Strefa Gronówko"
    site_url = page.url.split("?")[0]

    image = tmp_path / "teren.png"
    buffer = io.BytesIO()
    Image.new("RGB", (60, 40), (30, 110, 70)).save(buffer, format="PNG")
    image.write_bytes(buffer.getvalue())
    page.set_input_files("#photo", str(image))
    page.fill("#caption", "Widok terenu od strony drogi")
    page.get_by_role("button", name="Wyślij zdjęcie").click()
    settle(page)
    assert page.locator("img[alt='Widok terenu od strony drogi']").evaluate("img => img.naturalWidth") == 60

    open_page(page, live_server.url_for("/inwestorzy/nowe"))
    page.fill("#codename", "Orzeł")
    page.check("#sectors-2")
    _fill_date(page, "received_on", "2", "3", "2026")
    page.fill("#needs_text", "Hala i chłodnia")
    page.locator("button[type=submit].govuk-button").click()
    settle(page)
    assert page.locator("h1").inner_text() == "Orzeł"
    inquiry_url = page.url.split("?")[0]
    _fill_date(page, "answered_on", "6", "3", "2026")
    page.check("#site_ids-0")
    page.get_by_role("button", name="Zapisz odpowiedź").click()
    settle(page)
    assert "w terminie standardu" in page.locator(".govuk-summary-list").inner_text()

    for language in ("pl", "en"):
        for path in ("/inwestorzy", inquiry_url, inquiry_url + "/zmien", "/inwestorzy/nowe", "/inwestorzy/wskazniki",
                     "/inwestorzy/szkolenia", "/tereny", "/tereny?min_area_ha=5&utilities=water", site_url,
                     site_url + "/zmien", "/tereny/nowy"):
            url = path if path.startswith("http") else live_server.url_for(path)
            open_page(page, url + ("&" if "?" in url else "?") + f"lang={language}")
            assert page.locator("html").get_attribute("lang") == language
            check_page(page)


def test_a_form_with_errors_is_accessible_too(live_server, officer, new_page):
    page = new_page(locale="en-GB")
    sign_in(page, live_server, officer)
    open_page(page, live_server.url_for("/inwestorzy/nowe?lang=en"))
    page.locator("button[type=submit].govuk-button").click()
    settle(page)
    assert page.title().startswith("Error:") or page.title().startswith("Błąd:")
    check_page(page)
