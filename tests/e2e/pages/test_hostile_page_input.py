"""The inputs that answered 500 on the JSON API (issue 11, defect 5), on the pages: an as-of date at the end
of the calendar, audit days whose Warsaw midnight UTC cannot hold, cursors no query can bind, and text with
C1 controls or bidi overrides. A page answers with its error page (or its form with the error) and stores
nothing; never 500."""

from __future__ import annotations

import base64
import json
from typing import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from infra.container import Container
from tests.e2e.pages.test_record_pages import meeting_form
from tests.support.pages import csrf_token, sign_in
from tests.support.world import World


def _cursor(*values) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(values)).encode()).decode().rstrip("=")


@pytest.fixture
def auditor(container: Container, world: World) -> Iterator[TestClient]:
    with TestClient(create_app(container), base_url="https://testserver", raise_server_exceptions=False) as client:
        sign_in(client, "auditor@example.org")
        yield client


@pytest.fixture
def staff(container: Container, world: World) -> Iterator[TestClient]:
    with TestClient(create_app(container), base_url="https://testserver", raise_server_exceptions=False) as client:
        sign_in(client, "staff@example.org")
        yield client


@pytest.mark.parametrize("path", ["/strategia/zadania/III.1.3?as_of=9999-12-31",
                                  "/strategia/wskazniki/III.1.3.W2/2012?as_of=9999-12-31",
                                  "/strategia/wskazniki/III.1.3.W2/2012/csv?as_of=9999-12-31"])
def test_an_as_of_date_at_the_end_of_the_calendar_gets_the_error_page(auditor, path):
    page = auditor.get(path)
    assert page.status_code == 422, page.text[:500]
    assert page.headers["content-type"].startswith("text/html")
    assert "9999-12-31" in page.text and "poza obsługiwanym zakresem" in page.text


@pytest.mark.parametrize("field,day", [("to", "9999-12-31"), ("from", "0001-01-01"), ("to", "0001-01-01")])
def test_an_audit_day_beyond_what_a_timestamp_holds_is_shown_on_its_field(auditor, field, day):
    page = auditor.get("/audyt", params={field: day})
    assert page.status_code == 200, page.text[:500]  # the trail's form again, with the error on the field
    assert "poza obsługiwanym zakresem" in page.text and f'href="#{field}"' in page.text


@pytest.mark.parametrize("path", ["/audyt.csv?to=9999-12-31", "/audyt.xlsx?from=0001-01-01"])
def test_an_audit_download_with_such_a_day_gets_the_error_page(auditor, path):
    page = auditor.get(path)
    assert page.status_code == 422, page.text[:500]
    assert "poza obsługiwanym zakresem" in page.text


@pytest.mark.parametrize("path", [f"/audyt?cursor={_cursor('audit', 2**63)}",
                                  f"/wpisy?cursor={_cursor('register', chr(0xD800), 'x')}",
                                  f"/wpisy?cursor={_cursor('register', '2012-05-05', chr(0xDFFF))}"])
def test_a_cursor_no_query_can_bind_gets_the_error_page(auditor, path):
    page = auditor.get(path)
    assert page.status_code == 422, page.text[:500]
    assert page.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize("char", ["\x85", "\x9b", "\u202e", "\u2067"])
def test_a_meeting_title_with_a_c1_control_or_bidi_override_is_refused_and_stores_nothing(staff, container, world,
                                                                                        char):
    before = container.runner.log_position()
    form = {**meeting_form(world, csrf_token(staff, "/wpisy/nowy/meeting")), "title": f"Spotkanie{char}sieci"}
    for step in ("/wpisy/nowy/meeting", "/wpisy/nowy/meeting/zapisz"):
        page = staff.post(step, data=form, follow_redirects=False)
        assert page.status_code < 500 and page.status_code != 303, page.text[:500]
        assert f"U+{ord(char):04X}" in page.text
    assert container.runner.log_position() == before
