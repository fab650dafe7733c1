"""Fixtures of the browser suite (tests/browser; every test here is marked `browser`).

- `live_server` (module scope): the real app over a fresh SQLite store, on 127.0.0.1; a
  `harness.LiveServer` with `.url`, `.url_for(path)` and `.container` (to seed data or count events).
- `browser` (session scope): Debian's chromium through playwright.sync_api.
- `page`: a new context and page, locale pl-PL, JavaScript on, every request routed and recorded
  (see `harness.watch`); `page_no_js`: the same with JavaScript off; `new_page(**context_options)`:
  a factory for other variants, e.g. `new_page(locale="en-GB")` or
  `new_page(extra_http_headers={"Accept-Language": "en"})`.

The suite is skipped when /usr/bin/chromium is missing, except under CI (CI=true), where that is an
error: `make test` installs chromium (scripts/ensure-system-deps.sh) and axe-core (`make browser-deps`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.browser import harness

HERE = Path(__file__).parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Marks every test of this folder `browser`; skips them all when chromium is missing outside CI.
    (A hook in this conftest sees the whole session's items: only ours are touched.)"""
    ours = [item for item in items if HERE in Path(str(item.path)).parents]
    missing = not harness.CHROMIUM.exists() and not harness.running_under_ci()
    skip = pytest.mark.skip(reason=f"{harness.CHROMIUM} is missing (`make test` installs Debian's chromium "
                                   "via scripts/ensure-system-deps.sh)")
    for item in ours:
        item.add_marker(pytest.mark.browser)
        if missing:
            item.add_marker(skip)


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[harness.LiveServer]:
    with harness.live_server_on(tmp_path_factory.mktemp("live-server") / "var") as server:
        yield server


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not harness.CHROMIUM.exists():
        pytest.fail(f"CI=true and {harness.CHROMIUM} is missing: scripts/ensure-system-deps.sh must install "
                    "Debian's chromium before the browser suite runs")
    with sync_playwright() as playwright:
        chromium = harness.launch_chromium(playwright)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def new_page(browser: Browser) -> Iterator[Callable[..., Page]]:
    """`new_page(**options)`: a page in a new watched context; options go to `browser.new_context`
    (locale defaults to pl-PL). Everything made is closed after the test."""
    contexts = []

    def make(**options: Any) -> Page:
        options.setdefault("locale", harness.DEFAULT_LOCALE)
        context = browser.new_context(**options)
        contexts.append(context)
        harness.watch(context, javascript=options.get("java_script_enabled", True))
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page: Callable[..., Page]) -> Page:
    return new_page()


@pytest.fixture
def page_no_js(new_page: Callable[..., Page]) -> Page:
    return new_page(java_script_enabled=False)
