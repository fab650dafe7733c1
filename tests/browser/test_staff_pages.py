"""The staff pages in a real browser (Debian chromium), as issue 9's acceptance asks: a staff member signs
in, logs a meeting of three institutions and two firms by picking each by name, sees it in the register
and the indicator of that year go up by exactly one — with JavaScript on and off; every page, in Polish
and English, error states and each role's signed-in pages included, has no serious or critical axe
violation, reflows at 320 px, and loads with no failed request while the browser may reach only
127.0.0.1.

`SPLOT_SCREENSHOTS=docs/screenshots pytest tests/browser/test_staff_pages.py -k screenshots` (or
`make screenshots`) writes the screenshots kept in docs/screenshots/.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from domain.application import DEFAULT_NETWORK_ID
from tests.browser import harness
from tests.browser.session import check_page, open_page, settle
from tests.support.pages import PASSWORD
from tests.support.world import World, build_world

REFLOW = {"width": harness.REFLOW_WIDTH, "height": harness.REFLOW_HEIGHT}


@pytest.fixture(scope="module")
def world(live_server) -> World:
    container = live_server.container
    world = build_world(container, DEFAULT_NETWORK_ID)
    container.runner.catch_up()
    return world


def sign_in(page: Page, server, email: str) -> None:
    open_page(page, server.url_for("/login"))
    page.get_by_label("Adres e-mail").fill(email)
    page.get_by_label("Hasło").fill(PASSWORD)
    page.get_by_role("button", name="Zaloguj się").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Strona główna")
    settle(page)


def meetings(server, year: int) -> int:
    container = server.container
    coordinator = container.users.get_by_email("coordinator@example.org")
    report = container.use_cases.strategy.task_report(coordinator, "III.1.3")
    [indicator] = [i for i in report["indicators"] if i["code"] == "III.1.3.W3"]
    return indicator["years"][str(year)]["actual"]


def log_meeting(page: Page, title: str) -> None:
    page.get_by_role("link", name="Zapisz spotkanie").click()
    page.get_by_role("group", name="Data zdarzenia").get_by_label("Dzień").fill("14.03.2012")
    page.get_by_label("Tytuł").fill(title)
    page.get_by_label("Spotkanie sieci").check()
    page.get_by_label("CITT – Instytucja CITT").check()
    page.get_by_label("WPiR – Instytucja WPiR").check()
    firms = page.get_by_role("listbox", name="Firmy")
    firm_b = firms.locator("option", has_text="Firma B").inner_text()
    firms.select_option(label=["Firma A (NIP 5260250274)", firm_b])
    page.get_by_role("button", name="Dalej").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sprawdź odpowiedzi")
    settle(page)
    page.get_by_role("button", name="Zapisz").click()
    expect(page.get_by_text("Wpis został zapisany.")).to_be_visible()
    settle(page)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_staff_log_a_meeting_of_three_institutions_and_two_firms(live_server, world, new_page, javascript):
    page = new_page(java_script_enabled=javascript)
    sign_in(page, live_server, "staff@example.org")
    before = meetings(live_server, 2012)
    title = f"Spotkanie sieci w sprawie targów ({'js' if javascript else 'bez js'})"
    log_meeting(page, title)
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    assert "14 marca 2012" in page.content()
    page.get_by_role("link", name="Wpisy").click()
    expect(page.get_by_role("link", name=title)).to_be_visible()
    settle(page)
    assert meetings(live_server, 2012) == before + 1
    harness.assert_no_failed_requests(page)


def test_an_empty_form_shows_the_error_summary_focused_at_the_top(live_server, world, page):
    sign_in(page, live_server, "staff@example.org")
    before = live_server.container.runner.log_position()
    open_page(page, live_server.url_for("/wpisy/nowy/meeting"))
    page.get_by_role("button", name="Dalej").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    assert page.title().startswith("Błąd:")
    first_link = summary.get_by_role("link").first
    target = first_link.get_attribute("href")
    first_link.click()
    expect(page.locator(target)).to_be_focused()
    assert live_server.container.runner.log_position() == before


# ---------------------------------------------------------------------------------------------- every page
SIGNED_IN_PAGES = ["/", "/wpisy", "/wpisy/nowy/meeting", "/wpisy/nowy/contact", "/wpisy/nowy/information_exchange",
                   "/wpisy/nowy/conclusion", "/haslo", "/deklaracja-dostepnosci", "/nie-ma-takiej-strony",
                   "/katalog", "/katalog/instytucje", "/katalog/firmy", "/katalog/firmy/nowa", "/katalog/osoby",
                   "/katalog/osoby/nowa"]


@pytest.mark.parametrize("language", ["pl", "en"])
def test_every_page_is_accessible_reflows_and_loads_only_local_files(live_server, world, new_page, language):
    page = new_page(locale="pl-PL" if language == "pl" else "en-GB")
    open_page(page, live_server.url_for(f"/login?lang={language}"))
    assert page.locator("html").get_attribute("lang") == language
    check_page(page)
    # the sign-in page with an error
    page.fill("#email", "staff@example.org")
    page.fill("#password", "wrong password")
    page.set_viewport_size(REFLOW)
    page.locator("button[type=submit]").click()
    settle(page)
    assert page.locator(".govuk-error-summary").count() == 1
    harness.assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= harness.REFLOW_WIDTH
    page.set_viewport_size({"width": 1280, "height": 800})
    page.fill("#email", "staff@example.org")
    page.fill("#password", PASSWORD)
    page.locator("button[type=submit]").click()
    page.wait_for_url(live_server.url_for("/"))
    settle(page)
    for path in SIGNED_IN_PAGES:
        open_page(page, live_server.url_for(path))
        check_page(page)
    # a form with errors, the check-answers step, a record, its correction and retraction forms
    page.set_viewport_size(REFLOW)
    open_page(page, live_server.url_for("/wpisy/nowy/meeting"))
    page.locator("button[type=submit].govuk-button").last.click()
    settle(page)
    assert page.locator(".govuk-error-summary").count() == 1
    harness.assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= harness.REFLOW_WIDTH
    open_page(page, live_server.url_for(f"/wpisy/{world.own_record}"))
    check_page(page)
    for suffix in ("korekta", "wycofanie"):
        open_page(page, live_server.url_for(f"/wpisy/{world.own_record}/{suffix}"))
        check_page(page)
    harness.assert_no_failed_requests(page)


@pytest.mark.parametrize("email", ["lead@example.org", "auditor@example.org"])
def test_the_signed_in_pages_of_other_roles(live_server, world, page, email):
    open_page(page, live_server.url_for("/login"))
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.locator("button[type=submit]").click()
    page.wait_for_url(live_server.url_for("/"))
    settle(page)
    for path in ("/", "/wpisy", "/haslo"):
        open_page(page, live_server.url_for(path))
        check_page(page)


# ---------------------------------------------------------------------------------------------- screenshots
@pytest.mark.skipif(not os.environ.get("SPLOT_SCREENSHOTS"), reason="set SPLOT_SCREENSHOTS=DIR to write them")
def test_screenshots(live_server, world, page):
    folder = Path(os.environ["SPLOT_SCREENSHOTS"])
    sign_in(page, live_server, "staff@example.org")
    page.set_viewport_size({"width": 1200, "height": 900})
    harness.screenshot(page, folder / "strona-glowna.png")
    open_page(page, live_server.url_for("/wpisy/nowy/meeting"))
    harness.screenshot(page, folder / "formularz-spotkania.png")
    page.get_by_role("button", name="Dalej").click()
    harness.screenshot(page, folder / "formularz-spotkania-bledy.png")
    open_page(page, live_server.url_for("/"))
    log_meeting(page, "Spotkanie sieci instytucji w sprawie targów pracy")
    harness.screenshot(page, folder / "wpis.png")


def test_a_long_list_of_firms_can_be_searched_by_name_or_nip(live_server, world, page):
    from tests.factories import valid_nip
    from domain.values import Actor

    app = live_server.container.app
    for n in range(10):
        app.registry.register_firm(network_id=DEFAULT_NETWORK_ID, name=f"Piekarnia Łódzka {n}",
                                   nip=valid_nip(9000 + n), regon=None, actor=Actor("setup"))
    sign_in(page, live_server, "staff@example.org")
    open_page(page, live_server.url_for("/wpisy/nowy/meeting"))
    search = page.get_by_label("Szukaj na liście: Firmy", exact=False)
    search.fill("lodzka 7")  # without the Polish letter, any case
    visible = page.locator("select[name=firm_ids] option:not([hidden])")
    expect(visible).to_have_count(1)
    assert visible.inner_text().startswith("Piekarnia Łódzka 7")
    search.fill("")
    expect(page.locator("select[name=firm_ids] option:not([hidden])")).to_have_count(12)
    harness.assert_accessible(page)


@pytest.mark.parametrize("email", ["coordinator@example.org", "admin@example.org"])
def test_coordinators_and_admins_enrol_a_second_factor_and_their_pages_are_accessible(live_server, world, page, email):
    import pyotp

    open_page(page, live_server.url_for("/login"))
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.locator("button[type=submit]").click()
    settle(page)
    assert "/logowanie/kod/konfiguracja" in page.url
    check_page(page)  # the enrolment page, QR code included
    secret = page.locator("#totp-secret").get_attribute("data-secret")
    page.fill("#code", pyotp.TOTP(secret).now())
    page.locator("button[type=submit].govuk-button").last.click()
    settle(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Strona główna")
    for path in ("/", "/wpisy", "/katalog", "/haslo") if "coordinator" in email else ("/", "/katalog", "/haslo"):
        open_page(page, live_server.url_for(path))
        check_page(page)


def test_correct_the_meeting_into_another_year_then_retract_it(live_server, world, page):
    sign_in(page, live_server, "staff@example.org")
    title = "Spotkanie do poprawienia"
    log_meeting(page, title)
    record_url = page.url.split("?")[0]
    in_2012, in_2013 = meetings(live_server, 2012), meetings(live_server, 2013)
    page.get_by_role("link", name="Popraw").click()
    settle(page)
    when = page.get_by_role("group", name="Data zdarzenia")
    when.get_by_label("Dzień").fill("5")
    when.get_by_label("Miesiąc").fill("6")
    when.get_by_label("Rok").fill("2013")
    page.get_by_label("Dlaczego wpis jest poprawiany?").fill("Pomyłka w dacie spotkania")
    page.get_by_role("button", name="Zapisz poprawkę").click()
    expect(page.get_by_text("Zmiana została zapisana.")).to_be_visible()
    settle(page)
    assert meetings(live_server, 2012) == in_2012 - 1 and meetings(live_server, 2013) == in_2013 + 1
    history = page.get_by_role("region", name="Każda wersja tego wpisu; czas warszawski")
    expect(history).to_contain_text("14 marca 2012")
    expect(history).to_contain_text("5 czerwca 2013")
    expect(history).to_contain_text("Pomyłka w dacie spotkania")
    check_page(page)
    page.get_by_role("link", name="Wycofaj").click()
    settle(page)
    page.get_by_label("Dlaczego wpis jest wycofywany?").fill("Spotkanie się nie odbyło")
    page.get_by_role("button", name="Wycofaj wpis").click()
    settle(page)
    assert page.url.split("?")[0] == record_url
    expect(page.get_by_text("Ten wpis został wycofany")).to_be_visible()
    assert meetings(live_server, 2013) == in_2013
    open_page(page, live_server.url_for("/wpisy?text=poprawienia"))
    expect(page.get_by_role("link", name=title)).to_be_visible()  # still listed, as retracted
    expect(page.get_by_text("wycofany").first).to_be_visible()
