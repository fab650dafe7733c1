"""Security events through the pages (issue 12): signing in and out on /login writes them; an auditor finds them on
/audyt by kind, named in words (the account by e-mail, "nieznane konto" for an attempt naming none), and staff
may not read the trail."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from api.app import create_app
from tests.support.pages import csrf_token, sign_in

UNKNOWN = "ktos.zupelnie.obcy@example.org"


def visible_text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_auditor_finds_sign_ins_and_failures_by_kind_and_staff_may_not(container, world):
    app = create_app(container)
    with TestClient(app, base_url="https://testserver") as visitor:
        token = csrf_token(visitor, "/login")
        failed = visitor.post("/login", data={"csrf_token": token, "email": UNKNOWN, "password": "zgadywane hasło",
                                              "next": "/"}, follow_redirects=False)
        assert failed.status_code == 400
    with TestClient(app, base_url="https://testserver") as staff:
        sign_in(staff, "staff@example.org")
        out = staff.post("/wyloguj", data={"csrf_token": csrf_token(staff, "/")}, follow_redirects=False)
        assert out.status_code == 303
        sign_in(staff, "staff@example.org")
        assert staff.get("/audyt", params={"kind": "sign_in"}).status_code == 403
    with TestClient(app, base_url="https://testserver") as auditor:
        sign_in(auditor, "auditor@example.org")
        form = auditor.get("/audyt")
        assert '<option value="sign_in"' in form.text and "Logowanie" in form.text
        page = auditor.get("/audyt", params={"kind": "sign_in"})
        assert page.status_code == 200
        text = visible_text(page.text)
        assert text.count("Nieudane logowanie") == 1 and "nieznane konto" in text and "testclient" in text
        assert text.count("Zalogowano") >= 3 and text.count("Wylogowano") == 1  # staff twice, the auditor once
        assert "staff@example.org" in text
        assert UNKNOWN not in page.text and "zgadywane" not in page.text
        english = visible_text(auditor.get("/audyt", params={"kind": "sign_in", "lang": "en"}).text)
        assert "Failed sign-in" in english and "unknown account" in english and "Signed out" in english
        records_only = visible_text(auditor.get("/audyt", params={"kind": "contact"}).text)
        assert "Zalogowano" not in records_only


def test_a_throttled_sign_in_answers_429_and_the_flood_writes_one_event(container, world):
    app = create_app(container)
    with TestClient(app, base_url="https://testserver") as visitor:
        token = csrf_token(visitor, "/login")
        start = container.app.recorder.max_notification_id()
        answers = [visitor.post("/login", data={"csrf_token": token, "email": "lead@example.org",
                                                "password": f"zła próba {n}", "next": "/"},
                                follow_redirects=False).status_code for n in range(12)]
        assert answers == [400] * 5 + [429] * 7
        topics = [n.topic for n in container.app.recorder.select_notifications(start + 1, 100, inclusive_of_start=True)]
        assert topics == ["splot:SignIn.Failed"] * 5 + ["splot:SignIn.Throttled"]
