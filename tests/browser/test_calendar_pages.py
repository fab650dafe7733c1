"""The events calendar in a real browser (Debian chromium), in Polish and English: staff open /kalendarz from
the menu, publish an event with the form (date boxes, times, a kind, a place, an invited institution), find
it on its page and in the calendar, create the secret feed addresses, and — once the event has started —
record its attendance; a refused form shows the error summary. Every page passes axe (no serious or
critical violation), reflows at 320 px and loads nothing from outside 127.0.0.1."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from playwright.sync_api import expect

from domain.application import DEFAULT_NETWORK_ID
from domain.values import warsaw_today
from tests.browser.session import check_page, open_page, settle, sign_in
from tests.support.world import World, build_world

STAFF = "staff@example.org"
DAY = warsaw_today() + timedelta(days=2)

WORDS = {
    "pl": {"menu": "Kalendarz", "publish": "Opublikuj wydarzenie", "submit": "Opublikuj wydarzenie", "title": "Tytuł", "kind": "Warsztaty",
           "day": "Dzień", "month": "Miesiąc", "year": "Rok", "start": "Godzina rozpoczęcia",
           "end": "Godzina zakończenia", "place": "Miejsce", "published": "Wydarzenie zostało opublikowane",
           "feeds": "Subskrybuj w swojej aplikacji kalendarzowej", "create": r"Utwórz (moje|nowe) adresy",
           "addresses": "Adresy kanałów", "problem": "Wystąpił problem", "attendance": "Zapisz obecność", "record": "Zapisz obecność",
           "recorded": "Obecność została zapisana"},
    "en": {"menu": "Calendar", "publish": "Publish an event", "submit": "Publish the event", "title": "Title", "kind": "Workshop",
           "day": "Day", "month": "Month", "year": "Year", "start": "Start time", "end": "End time",
           "place": "Place", "published": "The event has been published", "feeds": "Subscribe in your calendar app",
           "create": r"Create (my feed|new) addresses", "addresses": "Feed addresses", "problem": "There is a problem",
           "attendance": "Record attendance", "record": "Record the attendance", "recorded": "The attendance has been recorded"},
}


@pytest.fixture(scope="module")
def world(live_server) -> World:
    world = build_world(live_server.container, DEFAULT_NETWORK_ID)
    live_server.container.runner.catch_up()
    return world


@pytest.mark.parametrize("language", ["pl", "en"])
def test_publish_find_subscribe_and_record_attendance(live_server, world, new_page, language):
    words = WORDS[language]
    container = live_server.container
    page = new_page(locale="pl-PL" if language == "pl" else "en-GB")
    sign_in(page, live_server, STAFF)
    open_page(page, live_server.url_for(f"/?lang={language}"))
    page.get_by_role("link", name=words["menu"], exact=True).click()
    settle(page)
    assert "/kalendarz" in page.url, (page.url, page.locator("h1").all_text_contents())
    check_page(page)
    page.get_by_role("button", name=words["publish"], exact=True).click()
    settle(page)
    check_page(page)

    # A refused form: no title, no date.
    page.get_by_role("button", name=words["submit"], exact=True).click()
    settle(page)
    expect(page.get_by_role("heading", name=words["problem"])).to_be_visible()
    check_page(page)

    title = f"Warsztaty eksportowe ({language})"
    page.get_by_label(words["title"], exact=True).fill(title)
    page.get_by_label(words["kind"], exact=True).check()
    start = page.get_by_role("group", name=re.compile("Data rozpoczęcia|Start date"))
    start.get_by_label(words["day"]).fill(str(DAY.day))
    start.get_by_label(words["month"]).fill(str(DAY.month))
    start.get_by_label(words["year"]).fill(str(DAY.year))
    page.get_by_label(words["start"], exact=True).fill("10:00")
    page.get_by_label(words["end"], exact=True).fill("12:00")
    page.get_by_label(words["place"], exact=True).fill("Leszno, ul. Karasia 15")
    page.get_by_label(re.compile(r"^CITT")).check()
    page.get_by_role("button", name=words["submit"], exact=True).click()
    settle(page)
    expect(page.get_by_text(words["published"])).to_be_visible()
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    check_page(page)
    event_url = page.url.split("?")[0]

    open_page(page, live_server.url_for("/kalendarz"))
    expect(page.get_by_role("link", name=title)).to_be_visible()
    page.get_by_role("link", name=re.compile(words["feeds"])).click()
    settle(page)
    check_page(page)
    page.get_by_role("button", name=re.compile(words["create"])).click()  # new ones after the other language
    settle(page)
    expect(page.get_by_role("heading", name=words["addresses"], exact=True)).to_be_visible()
    assert page.locator("code", has_text="/kalendarz/ical/").count() >= 2
    check_page(page)

    started = datetime.combine(DAY, datetime.min.time()) + timedelta(hours=13)
    calendar, today = container.use_cases.calendar.commands.now, container.app.today
    container.use_cases.calendar.commands.now = lambda: started
    container.app.today = lambda: started.date()
    try:
        open_page(page, event_url)
        page.get_by_role("link", name=re.compile(words["attendance"])).click()
        settle(page)
        check_page(page)
        page.get_by_role("button", name=words["record"], exact=True).click()
        settle(page)
        expect(page.get_by_text(words["recorded"])).to_be_visible()
        check_page(page)
    finally:
        container.use_cases.calendar.commands.now, container.app.today = calendar, today
