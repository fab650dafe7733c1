"""The downloads in a real browser (Debian chromium): the task page, a drill-down and the register with their
download links pass axe (no serious or critical violation), reflow at 320 px and load only local files, in
Polish and English; clicking a link downloads the file it names, with the page's as-of date carried over."""

from __future__ import annotations

from datetime import datetime

import pytest

from domain.application import DEFAULT_NETWORK_ID
from domain.values import WARSAW
from tests.browser import harness
from tests.browser.session import open_page, sign_in
from tests.support.world import World, build_world

AUDITOR = "auditor@example.org"
MAGIC = {"xlsx": b"PK\x03\x04", "pdf": b"%PDF-", "csv": "\ufeff".encode()}  # a zip, a PDF, UTF-8 with its BOM


@pytest.fixture(scope="module")
def world(live_server) -> World:
    container = live_server.container
    world = build_world(container, DEFAULT_NETWORK_ID)
    container.runner.catch_up()
    return world


@pytest.mark.parametrize("language", ["pl", "en"])
def test_pages_with_downloads_are_accessible_and_the_links_download(live_server, world, new_page, language):
    page = new_page(locale="pl-PL" if language == "pl" else "en-GB", accept_downloads=True)
    sign_in(page, live_server, AUDITOR)
    today = datetime.now(WARSAW).date().isoformat()
    for path in (f"/strategia/zadania/III.1.3?as_of={today}&", "/strategia/wskazniki/III.1.3.W2/2012?",
                 "/wpisy?year=2012&"):
        open_page(page, live_server.url_for(f"{path}lang={language}"))
        downloads = page.locator("#downloads")
        assert downloads.locator("h2").inner_text() == ("Pobierz" if language == "pl" else "Download")
        assert downloads.locator("a").count() >= 2
        harness.assert_accessible(page)
        harness.assert_no_failed_requests(page)
        harness.assert_reflows(page)
    open_page(page, live_server.url_for(f"/strategia/zadania/III.1.3?as_of={today}"))
    for fmt in ("xlsx", "pdf", "csv"):
        with page.expect_download() as info:
            page.locator(f'a[data-download="{fmt}"]').click()
        download = info.value
        assert download.suggested_filename == f"III.1.3-{today}.{fmt}"
        body = open(download.path(), "rb").read()
        assert body.startswith(MAGIC[fmt])
    harness.assert_no_failed_requests(page)
