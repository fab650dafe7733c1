"""The browser test harness: a live Splot on 127.0.0.1, Debian's chromium through Playwright, and the
checks every page must pass (axe-core WCAG 2.x A/AA, 320 px reflow, no failed request).

Fixtures over these live in conftest.py; page tests import the `assert_*` helpers from here.
Why these choices:
- Debian's /usr/bin/chromium with the flags FIELD-NOTES "Web stack" names; Playwright's own
  browser downloads (`playwright install`) are never used: the machines reach no browser host.
- Every request is routed: only 127.0.0.1 may be reached; anything else is aborted by the route
  handler before any connection is made, and recorded, so a page that would call a CDN fails.
- axe-core comes from npm (tests/browser/package.json) and is read from node_modules.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import urlsplit

import uvicorn
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, Request, Response, Route, WebSocketRoute

from api.app import create_app
from infra.container import Container, bootstrap, build_container
from infra.settings import Settings

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
AXE_JS = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_FAILING_IMPACTS = ("serious", "critical")
ALLOWED_HOST = "127.0.0.1"
REFLOW_WIDTH, REFLOW_HEIGHT = 320, 640
DEFAULT_LOCALE = "pl-PL"  # the pages are Polish first; a context always sends some Accept-Language


def running_under_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


# --- the live server -----------------------------------------------------------------------------

@dataclass
class LiveServer:
    """The real app served over HTTP on 127.0.0.1: `url` has no trailing slash."""

    url: str
    container: Container

    def url_for(self, path: str) -> str:
        return self.url + (path if path.startswith("/") else "/" + path)


@contextlib.contextmanager
def live_server_on(data_dir: Path, *, startup_timeout: float = 15.0) -> Iterator[LiveServer]:
    """A container over a fresh SQLite store in `data_dir`, bootstrapped, served by uvicorn in a
    background thread on a free port (the socket is bound here, so no other process can take it
    between choosing and serving). Stops the server and closes the container on exit."""
    container = build_container(Settings(data_dir=data_dir))
    try:
        bootstrap(container)
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((ALLOWED_HOST, 0))
        port = sock.getsockname()[1]
        config = uvicorn.Config(create_app(container), log_level="warning", access_log=False,
                                lifespan="on", timeout_graceful_shutdown=2)
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="live-server",
                                  daemon=True)
        thread.start()
        deadline = time.monotonic() + startup_timeout
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                server.should_exit = True
                raise RuntimeError(f"the live server did not start on {ALLOWED_HOST}:{port}")
            time.sleep(0.02)
        try:
            yield LiveServer(url=f"http://{ALLOWED_HOST}:{port}", container=container)
        finally:
            server.should_exit = True
            thread.join(timeout=10)
            sock.close()
            if thread.is_alive():
                raise RuntimeError("the live server did not shut down within 10 s")
    finally:
        container.close()


# --- the browser ---------------------------------------------------------------------------------

def launch_chromium(playwright: Playwright) -> Browser:
    """Debian's chromium. Playwright's `launch` gives it a new, empty temporary profile
    (--user-data-dir) of its own each time and deletes it on close."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)


@dataclass
class RequestLog:
    """What a watched context saw go wrong: outside requests it aborted, requests that failed, and
    sub-resource responses with status >= 400 (the main document's status is the test's to check)."""

    blocked: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # "URL (error text)"
    error_responses: list[str] = field(default_factory=list)  # "status URL"
    javascript: bool = True  # the context runs the pages' scripts (`java_script_enabled`)
    in_flight: int = 0  # requests started and neither finished nor failed yet (see `wait_for_requests`)

    def problems(self) -> list[str]:
        return ([f"blocked (not {ALLOWED_HOST}): {u}" for u in self.blocked]
                + [f"failed: {f}" for f in self.failed]
                + [f"HTTP {r}" for r in self.error_responses])


_logs: "weakref.WeakKeyDictionary[Any, RequestLog]" = weakref.WeakKeyDictionary()


def is_allowed(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https", "ws", "wss") and parts.hostname == ALLOWED_HOST


def _is_main_document(request: Request) -> bool:
    try:
        return request.is_navigation_request() and request.frame.parent_frame is None
    except Exception:  # a service worker's request has no frame
        return False


def watch(context: BrowserContext, *, javascript: bool = True) -> RequestLog:
    """Routes every request of `context` (all its pages): 127.0.0.1 continues, anything else is
    aborted before any connection and recorded; also records failed requests and sub-resource
    responses >= 400, and counts the requests in flight. Call before the first navigation;
    `javascript` must say whether the context was made with `java_script_enabled` (the default)."""
    log = RequestLog(javascript=javascript)
    _logs[context] = log

    def route(route: Route) -> None:
        url = route.request.url
        if is_allowed(url):
            route.continue_()
        else:
            log.blocked.append(url)
            route.abort("blockedbyclient")

    def route_ws(ws: WebSocketRoute) -> None:
        if is_allowed(ws.url):
            ws.connect_to_server()
        else:
            log.blocked.append(ws.url)
            ws.close(code=1008, reason="blocked by the test harness")

    def on_request(request: Request) -> None:
        log.in_flight += 1

    def on_finished(request: Request) -> None:
        log.in_flight -= 1

    def on_failed(request: Request) -> None:
        log.in_flight -= 1
        if request.url in log.blocked and (request.failure or "").startswith("net::ERR_BLOCKED_BY_CLIENT"):
            return  # already recorded as blocked
        if request.failure == "net::ERR_ABORTED":
            return  # cancelled by the browser because the page navigated or reloaded on: not a failure
        log.failed.append(f"{request.url} ({request.failure})")

    def on_response(response: Response) -> None:
        if response.status >= 400 and not _is_main_document(response.request):
            log.error_responses.append(f"{response.status} {response.url}")

    context.route("**/*", route)
    context.route_web_socket(lambda url: True, route_ws)
    context.on("request", on_request)
    context.on("requestfinished", on_finished)
    context.on("requestfailed", on_failed)
    context.on("response", on_response)
    return log


def request_log(page: Page) -> RequestLog:
    log = _logs.get(page.context)
    if log is None:
        raise AssertionError("this page's context is not watched: make it with the harness fixtures "
                             "(page, page_no_js, new_page) or call harness.watch(context) first")
    return log


def wait_for_requests(page: Page, timeout: float = 15.0) -> None:
    """Waits until the page's context has no request in flight and the page's fonts are loaded: what
    `wait_for_load_state("networkidle")` waits for, without its fixed 500 ms of quiet after the last
    request. (Playwright delivers the browser's events in order, so once an evaluate has answered,
    every request started before it has been counted.) Falls back to networkidle after `timeout` s."""
    log = request_log(page)
    deadline = time.monotonic() + timeout
    while True:
        fonts_loaded = page.evaluate("document.fonts ? document.fonts.status === 'loaded' : true")
        if fonts_loaded and log.in_flight <= 0:
            return
        if time.monotonic() > deadline:
            page.wait_for_load_state("networkidle")
            return
        page.wait_for_timeout(20)


# --- the checks ----------------------------------------------------------------------------------

def assert_no_failed_requests(page: Page) -> None:
    """Fails listing every outside request aborted, failed request and sub-resource >= 400 seen so
    far by the page's context."""
    problems = request_log(page).problems()
    assert not problems, f"{len(problems)} failed request(s) on {page.url}:\n  " + "\n  ".join(problems)


_axe_source: str | None = None


def _axe() -> str:
    global _axe_source
    if _axe_source is None:
        if not AXE_JS.is_file():
            raise AssertionError(f"{AXE_JS} is missing: run `make browser-deps` "
                                 "(npm ci --prefix tests/browser)")
        _axe_source = AXE_JS.read_text(encoding="utf-8")
    return _axe_source


_STATIC_COPY = """() => {
    const root = document.documentElement.cloneNode(true);
    root.querySelectorAll('script').forEach(e => e.remove());
    root.querySelectorAll('noscript').forEach(e => e.replaceWith(...e.childNodes));
    const head = root.querySelector('head') || root.insertBefore(document.createElement('head'), root.firstChild);
    const base = document.createElement('base');
    base.href = document.baseURI;
    head.insertBefore(base, head.firstChild);
    return '<!DOCTYPE html>' + root.outerHTML;
}"""

_RUN_AXE = """async (tags) => {
    const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
    return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
        helpUrl: v.helpUrl, targets: v.nodes.map(n => n.target.join(' '))}));
}"""


def _run_axe_in_place(page: Page) -> list[dict[str, Any]]:
    """axe is put into the page by an evaluate, which the page's Content-Security-Policy does not
    govern (a <script> tag would be refused by the app's `default-src 'self'`)."""
    if page.evaluate("typeof window.axe") != "object":
        page.evaluate(_axe() + "\n;typeof window.axe")
    return page.evaluate(_RUN_AXE, AXE_TAGS)


_scratch_pages: "weakref.WeakKeyDictionary[Browser, Page]" = weakref.WeakKeyDictionary()


def _scratch_page(browser: Browser) -> Page:
    """One JavaScript-on page per browser, in a context of its own that ignores CSP and is held to
    127.0.0.1 too, reused for every static copy (a new context costs about half a second)."""
    scratch = _scratch_pages.get(browser)
    if scratch is None or scratch.is_closed():
        context = browser.new_context(bypass_csp=True)
        watch(context)
        scratch = _scratch_pages[browser] = context.new_page()
    return scratch


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's violations of the WCAG 2.0/2.1 A and AA rules on the page as it is now.

    Where the page's scripts run (its context has JavaScript on), axe runs in the page itself. Where
    they do not (JavaScript off: the page has no timers for axe to run on), axe runs on a copy of the
    page as rendered (scripts dropped, <noscript> content kept, same base URL so its styles load, same
    viewport) in a scratch JavaScript-on page."""
    if request_log(page).javascript:
        return _run_axe_in_place(page)
    html = page.evaluate(_STATIC_COPY)
    browser = page.context.browser
    assert browser is not None
    copy = _scratch_page(browser)
    if page.viewport_size:
        copy.set_viewport_size(page.viewport_size)
    copy.set_content(html)
    return _run_axe_in_place(copy)


def assert_accessible(page: Page) -> None:
    """Fails listing every serious or critical axe violation (id, impact, help, target nodes)."""
    bad = [v for v in axe_violations(page) if v["impact"] in AXE_FAILING_IMPACTS]
    lines = [f"{v['id']} ({v['impact']}): {v['help']} — {', '.join(v['targets'][:10])}"
             + (f" and {len(v['targets']) - 10} more" if len(v["targets"]) > 10 else "") for v in bad]
    assert not bad, f"{len(bad)} serious/critical axe violation(s) on {page.url}:\n  " + "\n  ".join(lines)


_WIDEST = """(limit) => {
    const width = document.documentElement.clientWidth;
    const describe = (e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
        + (typeof e.className === 'string' && e.className.trim()
           ? '.' + e.className.trim().split(/\\s+/).join('.') : '');
    return [...document.body.querySelectorAll('*')]
        .map(e => ({e, right: Math.round(e.getBoundingClientRect().right + window.scrollX)}))
        .filter(x => x.right > width)
        .sort((a, b) => b.right - a.right)
        .slice(0, limit)
        .map(x => `${describe(x.e)} (right edge at ${x.right}px)`);
}"""


def assert_reflows(page: Page) -> None:
    """WCAG 1.4.10: at a 320×640 viewport the document is no wider than 320 px. The viewport is
    resized in place (as a person zooming in would see it): media queries and layout follow the new
    size at once, and the app's scripts lay nothing out by width. Names the widest offending
    elements. Restores the previous viewport size."""
    before = page.viewport_size
    page.set_viewport_size({"width": REFLOW_WIDTH, "height": REFLOW_HEIGHT})
    try:
        scroll_width = page.evaluate("document.documentElement.scrollWidth")  # reading it lays out anew
        widest = page.evaluate(_WIDEST, 5) if scroll_width > REFLOW_WIDTH else []
    finally:
        if before:
            page.set_viewport_size(before)
    assert scroll_width <= REFLOW_WIDTH, (
        f"{page.url} scrolls horizontally at {REFLOW_WIDTH} px: scrollWidth is {scroll_width}; widest: "
        + ("; ".join(widest) or "(no element found)"))


def screenshot(page: Page, path: str | os.PathLike[str]) -> Path:
    """A full-page PNG at `path` (parent folders made); returns the path."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(target), full_page=True)
    return target
