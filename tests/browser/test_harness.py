"""Self-tests of the browser harness: each check must fail on a page that breaks it and pass on one
that does not, and the request guard must stop traffic that would leave 127.0.0.1."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import Page

from tests.browser import harness
from tests.browser.session import open_page
from tests.browser.harness import (assert_accessible, assert_no_failed_requests, assert_reflows,
                                   request_log, screenshot)

CLEAN = '<html lang="pl"><head><title>t</title></head><body><main><h1>Test</h1></main></body></html>'
OUTSIDE = "http://192.0.2.1/x.png"  # TEST-NET-1: routable nowhere


def test_the_live_server_answers_health(live_server: harness.LiveServer) -> None:
    with urllib.request.urlopen(live_server.url_for("/api/v1/health"), timeout=10) as response:
        assert response.status == 200
        body = json.load(response)
    assert body["status"] == "ok"
    assert body["log_position"] == live_server.container.runner.log_position() > 0  # bootstrap wrote events
    assert live_server.url.startswith("http://127.0.0.1:")


def test_a_page_without_alt_and_lang_fails_accessibility(page: Page) -> None:
    page.set_content('<html><body><img src="x.png"></body></html>')
    with pytest.raises(AssertionError) as failure:
        assert_accessible(page)
    message = str(failure.value)
    assert "image-alt (critical)" in message and "html-has-lang (serious)" in message
    assert "img" in message  # the offending node is named


def test_a_clean_minimal_page_passes_accessibility(page: Page) -> None:
    page.set_content(CLEAN)
    assert_accessible(page)
    assert harness.axe_violations(page) == []


def test_accessibility_is_checked_with_javascript_off_too(page_no_js: Page) -> None:
    page_no_js.set_content('<html><body><img src="x.png"></body></html>')
    with pytest.raises(AssertionError, match="image-alt"):
        assert_accessible(page_no_js)


def test_accessibility_is_checked_under_a_strict_csp(page: Page) -> None:
    page.set_content('<html><head><meta http-equiv="Content-Security-Policy" content="script-src \'none\'">'
                     '</head><body><img src="x.png"></body></html>')
    with pytest.raises(AssertionError, match="image-alt"):
        assert_accessible(page)


def test_a_600px_wide_element_fails_reflow(page: Page) -> None:
    page.set_content('<html lang="pl"><head><title>t</title></head><body><main>'
                     '<div id="wide" class="table big" style="width:600px">x</div></main></body></html>')
    with pytest.raises(AssertionError) as failure:
        assert_reflows(page)
    assert "div#wide.table.big" in str(failure.value)
    assert page.viewport_size == {"width": 1280, "height": 720}  # put back as it was


def test_a_clean_page_reflows(page: Page) -> None:
    page.set_content(CLEAN)
    assert_reflows(page)


def test_an_outside_request_is_aborted_by_the_harness_and_reported(page: Page) -> None:
    with page.expect_event("requestfailed") as failed:
        page.set_content(f'<html lang="pl"><head><title>t</title></head><body><img alt="" src="{OUTSIDE}">'
                         '</body></html>')
    # Aborted by our route handler (a network failure would read ERR_CONNECTION_* or ERR_ADDRESS_*)
    assert (failed.value.failure or "").startswith("net::ERR_BLOCKED_BY_CLIENT")  # ".Inspector": by the route
    assert request_log(page).blocked == [OUTSIDE]
    with pytest.raises(AssertionError, match="192.0.2.1"):
        assert_no_failed_requests(page)


def test_a_missing_subresource_is_reported_but_a_missing_page_is_the_tests_to_check(
        page: Page, live_server: harness.LiveServer) -> None:
    response = page.goto(live_server.url_for("/no-such-page"))
    assert response is not None and response.status == 404
    assert_no_failed_requests(page)  # the main document's status is not a sub-resource failure
    page.set_content(f'<html lang="pl"><head><title>t</title></head><body>'
                     f'<img alt="" src="{live_server.url_for("/no-such.png")}"></body></html>')
    with pytest.raises(AssertionError, match=r"HTTP 404 .*/no-such\.png"):
        assert_no_failed_requests(page)


def test_api_docs_load_with_no_failed_request(page: Page, live_server: harness.LiveServer,
                                              tmp_path: Path) -> None:
    response = page.goto(live_server.url_for("/api/docs"))
    assert response is not None and response.status == 200
    page.wait_for_selector(".swagger-ui .info .title", timeout=15_000)  # the spec was fetched and drawn
    page.wait_for_load_state("networkidle")
    assert_no_failed_requests(page)
    shot = screenshot(page, tmp_path / "shots" / "docs.png")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_javascript_off_and_locale_variants(new_page, page_no_js: Page,
                                            live_server: harness.LiveServer) -> None:
    page_no_js.set_content('<html><head><title>no-js</title></head>'
                           '<body><script>document.title = "js ran"</script></body></html>')
    assert page_no_js.title() == "no-js"
    english = new_page(locale="en-GB")
    with english.expect_request(lambda r: r.url.endswith("/api/v1/health")) as sent:
        english.goto(live_server.url_for("/api/v1/health"))
    assert sent.value.all_headers()["accept-language"].startswith("en-GB")
    assert english.evaluate("navigator.language") == "en-GB"


def test_axe_runs_inside_an_app_page_despite_its_csp(page: Page, live_server: harness.LiveServer) -> None:
    open_page(page, live_server.url_for("/login"))
    policy = page.evaluate("() => fetch(location.href).then(r => r.headers.get('content-security-policy'))")
    assert "default-src 'self'" in policy  # a <script> tag would be refused here
    assert_accessible(page)
    assert page.evaluate("typeof window.axe") == "object"  # run in the page itself, not on a copy


def test_settle_waits_for_every_request_and_the_fonts(page: Page, live_server: harness.LiveServer) -> None:
    open_page(page, live_server.url_for("/login"))
    assert request_log(page).in_flight == 0
    assert page.evaluate("document.fonts.status") == "loaded"
    assert page.evaluate("document.fonts.size") > 0  # the page does load fonts, so the wait was needed


def test_reflow_follows_a_media_query_without_a_reload(page: Page) -> None:
    page.set_content('<html lang="pl"><head><title>t</title><style>@media (max-width: 400px) '
                     '{ #narrow-only { width: 600px } }</style></head><body><main>'
                     '<div id="narrow-only">x</div></main></body></html>')
    with pytest.raises(AssertionError, match="div#narrow-only"):
        assert_reflows(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280  # fine at the width it had
