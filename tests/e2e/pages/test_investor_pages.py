"""Investor service pages end to end (issue 14), two municipalities sharing a metropolitan network: Leszno's
investor service records an inquiry under codename, answers it offering a site, and sees the indicators; the
inquiry is 404 for Gniezno's investor service, for Leszno's staff and auditor (no role), and nothing leaks in a
list; a site Leszno shares with the metropolitan network is on Gniezno's /tereny read-only; photos are checked
(a text file posing as a JPEG is refused, nothing stored) and served with their type; bad forms store nothing;
the indicators table equals values computed here from the inquiries' own dates, an unanswered past-due one
included, and the JSON says the same."""

from __future__ import annotations

import io
import re
from datetime import date
from statistics import median
from typing import Iterator

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from api.app import create_app
from domain.application import DEFAULT_MUNICIPALITY_ID
from domain.investor_values import add_working_days
from domain.use_cases.users import OPERATOR
from domain.values import Actor
from infra.container import Container
from infra.working_days import PolishWorkingDays
from tests.support.pages import PASSWORD, csrf_token, sign_in
from tests.support.second_factor import sign_in_with_second_factor
from tests.support.world import World

SITE_FORM = {"name": "Strefa Gronówko", "area_ha": "12,5", "zoning": "P/U", "utilities": ["water", "power"],
             "ownership": "municipal", "status": "available", "address": "ul. Przemysłowa 1, Leszno",
             "plots": "101/2, 101/3", "latitude": "51.84", "longitude": "16.57", "description": ""}


@pytest.fixture
def cities(container: Container, world: World) -> dict:
    uc = container.use_cases
    gniezno = uc.registry.add_municipality(OPERATOR, name="Miasto Gniezno", teryt="3003011",
                                           network_name="Sieć instytucji Gniezna").id
    metro = container.app.registry.register_network(
        name="Obszar metropolitalny", kind="municipal_network",
        municipality_ids=[DEFAULT_MUNICIPALITY_ID, gniezno], actor=Actor(user_id="setup")).id
    for email, role, municipality in (("inwestor@example.org", "investor_service", DEFAULT_MUNICIPALITY_ID),
                                      ("inwestor@gniezno.example.org", "investor_service", gniezno)):
        container.users.add(email=email, password=PASSWORD, role=role, municipality_id=municipality)
    container.runner.catch_up()
    return {"gniezno": gniezno, "metro": metro}


@pytest.fixture
def client(container: Container, cities) -> Iterator[TestClient]:
    with TestClient(create_app(container), base_url="https://testserver") as test_client:
        yield test_client


def _date(prefix: str, day: date) -> dict[str, str]:
    return {f"{prefix}-day": str(day.day), f"{prefix}-month": str(day.month), f"{prefix}-year": str(day.year)}


def _post(client: TestClient, path: str, data: dict, form_path: str, **kwargs):
    return client.post(path, data={"csrf_token": csrf_token(client, form_path), **data}, follow_redirects=False,
                       **kwargs)


def _add_site(client: TestClient, **changes) -> str:
    response = _post(client, "/tereny/nowy", {**SITE_FORM, **changes}, "/tereny/nowy")
    assert response.status_code == 303, response.text
    return response.headers["location"].split("/")[2].split("?")[0]


def _receive(client: TestClient, codename: str, received: date, **extra) -> str:
    response = _post(client, "/inwestorzy/nowe", {"codename": codename, "sectors": ["food", "logistics"],
                                                  **_date("received_on", received), "area_ha": "8",
                                                  "utilities": ["water"], "jobs": "120",
                                                  "needs_text": "Chłodnia i magazyn", **extra}, "/inwestorzy/nowe")
    assert response.status_code == 303, response.text
    return response.headers["location"].split("/")[2].split("?")[0]


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (20, 120, 60)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_an_inquiry_is_seen_only_by_its_own_investor_service(client, container, cities):
    sign_in(client, "inwestor@example.org")
    site = _add_site(client)
    inquiry = _receive(client, "Orzeł", date(2026, 3, 2))
    page = client.get(f"/inwestorzy/{inquiry}")
    assert page.status_code == 200 and "Orzeł" in page.text and "Chłodnia i magazyn" in page.text
    answered = _post(client, f"/inwestorzy/{inquiry}/odpowiedz", {**_date("answered_on", date(2026, 3, 6)),
                                                                  "site_ids": [site]}, f"/inwestorzy/{inquiry}")
    assert answered.status_code == 303
    page = client.get(f"/inwestorzy/{inquiry}").text
    assert "Strefa Gronówko" in page and "w terminie standardu" in page
    assert "Obsługa inwestora" in client.get("/").text  # the one menu link

    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    for email in ("inwestor@gniezno.example.org", "staff@example.org", "auditor@example.org"):
        other = TestClient(client.app, base_url="https://testserver")
        sign_in(other, email)
        for path in (f"/inwestorzy/{inquiry}", f"/inwestorzy/{inquiry}/zmien"):
            assert other.get(path).status_code == 404, (email, path)
        listing = other.get("/inwestorzy")
        if email.endswith("gniezno.example.org"):
            assert listing.status_code == 200 and "Orzeł" not in listing.text
        else:
            assert listing.status_code == 404 and "Orzeł" not in listing.text
            assert 'href="/inwestorzy"' not in other.get("/").text
        before = container.app.recorder.max_notification_id()
        token = csrf_token(other, "/profil")
        refused = other.post(f"/inwestorzy/{inquiry}/wynik", data={"csrf_token": token, "outcome": "withdrawn",
                                                                   **_date("decided_on", date(2026, 3, 9))},
                             follow_redirects=False)
        assert refused.status_code == 404 and container.app.recorder.max_notification_id() == before


def test_a_shared_site_is_visible_to_the_other_member_read_only(client, container, cities):
    sign_in(client, "inwestor@example.org")
    shared, private = _add_site(client), _add_site(client, name="Działka przy torach", status="reserved")
    response = _post(client, f"/tereny/{shared}/udostepnianie", {"network_ids": [str(cities["metro"])]},
                     f"/tereny/{shared}")
    assert response.status_code == 303
    other = TestClient(client.app, base_url="https://testserver")
    sign_in(other, "inwestor@gniezno.example.org")
    listing = other.get("/tereny").text
    assert "Strefa Gronówko" in listing and "Działka przy torach" not in listing
    page = other.get(f"/tereny/{shared}")
    assert page.status_code == 200 and "tylko do wglądu" in page.text
    assert f'action="/tereny/{shared}/zmien"' not in page.text and "/zdjecia\"" not in page.text
    assert other.get(f"/tereny/{private}").status_code == 404
    before = container.app.recorder.max_notification_id()
    token = csrf_token(other, f"/tereny/{shared}")
    refused = other.post(f"/tereny/{shared}/zmien", data={"csrf_token": token, **SITE_FORM, "status": "sold"},
                         follow_redirects=False)
    assert refused.status_code == 403 and container.app.recorder.max_notification_id() == before
    csv = other.get("/tereny.csv")
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert "Strefa Gronówko" in csv.content.decode("utf-8-sig") and "Działka" not in csv.content.decode("utf-8-sig")


def test_site_filters_photos_and_bad_forms(client, container, cities):
    sign_in(client, "inwestor@example.org")
    big = _add_site(client)
    _add_site(client, name="Mała działka", area_ha="0,8", utilities=["road"], status="sold")
    assert "Mała działka" not in client.get("/tereny?min_area_ha=5").text
    filtered = client.get("/tereny?utilities=road&status=sold").text
    assert "Mała działka" in filtered and "Strefa Gronówko" not in filtered
    assert client.get("/tereny?min_area_ha=dużo").status_code == 400

    before = container.app.recorder.max_notification_id()
    for bad in ({"area_ha": "-1"}, {"name": ""}, {"ownership": "kosmiczna"}, {"latitude": "91", "longitude": "1"},
                {"name": "strefa gronówko"}):  # the last: the same name as another site
        response = _post(client, "/tereny/nowy", {**SITE_FORM, **bad}, "/tereny/nowy")
        assert response.status_code == 400 and "govuk-error-summary" in response.text, bad
    fake = _post(client, f"/tereny/{big}/zdjecia", {"caption": "Widok z drona"}, f"/tereny/{big}",
                 files={"photo": ("zdjecie.jpg", b"<html>not an image</html>", "image/jpeg")})
    assert fake.status_code == 400 and "JPEG, PNG albo WebP" in fake.text
    assert container.app.recorder.max_notification_id() == before

    added = _post(client, f"/tereny/{big}/zdjecia", {"caption": "Widok z drona"}, f"/tereny/{big}",
                  files={"photo": ("teren.png", _png(), "application/octet-stream")})
    assert added.status_code == 303
    page = client.get(f"/tereny/{big}").text
    src = re.search(r'src="(/tereny/[^"]+/zdjecia/[^"]+)"', page).group(1)
    photo = client.get(src)
    assert photo.status_code == 200 and photo.headers["content-type"] == "image/png"
    assert photo.headers["x-content-type-options"] == "nosniff" and photo.content == _png()
    assert "Dodano zdjęcie terenu" in page  # the history: each change with who and when
    assert client.get(src.replace(src.rsplit("/", 1)[1], "nie-ma")).status_code == 404

    before = container.app.recorder.max_notification_id()
    for bad in ({"codename": ""}, {"sectors": []}, {"received_on-day": "31", "received_on-month": "2"}):
        data = {"codename": "Zła", "sectors": ["food"], **_date("received_on", date(2026, 3, 2)), **bad}
        response = _post(client, "/inwestorzy/nowe", data, "/inwestorzy/nowe")
        assert response.status_code == 400 and "govuk-error-summary" in response.text, bad
    assert container.app.recorder.max_notification_id() == before


def test_the_indicators_equal_values_computed_from_the_dates(client, container, cities):
    sign_in(client, "inwestor@example.org")
    site, site2 = _add_site(client), _add_site(client, name="Teren przy obwodnicy")
    today = container.app.today()
    calendar = PolishWorkingDays()
    # (received, answered or None, sites offered): one within the standard, one late, one past due unanswered
    cases = [(date(2025, 2, 3), date(2025, 2, 10), [site]), (date(2025, 5, 5), date(2025, 6, 20), [site, site2]),
             (date(2025, 11, 3), None, [])]
    for n, (received, answered, sites) in enumerate(cases):
        inquiry = _receive(client, f"Sokół-{n}", received)
        if answered:
            response = _post(client, f"/inwestorzy/{inquiry}/odpowiedz",
                             {**_date("answered_on", answered), "site_ids": sites}, f"/inwestorzy/{inquiry}")
            assert response.status_code == 303
    days, within, handled, offered, overdue = [], 0, 0, 0, 0
    for received, answered, sites in cases:
        due = add_working_days(calendar, received, 14)
        if answered:
            handled += 1
            within += answered <= due
            days.append((answered - received).days)
            offered += len(sites)
        else:
            assert today > due
            overdue += 1
            days.append((today - received).days)
    page = client.get("/inwestorzy/wskazniki")
    assert page.status_code == 200
    row = re.search(r"<th scope=\"row\" class=\"govuk-table__header\">2025</th>(.*?)</tr>", page.text, re.S).group(1)
    cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
    expected_median = f"{median(days):.1f}".replace(".0", "").replace(".", ",")
    share = f"{within / (handled + overdue) * 100:.1f}".replace(".", ",")
    assert cells == [str(handled), str(overdue), expected_median, f"{share}% ({within}/{handled + overdue})",
                     f"{offered / handled:.2f}".replace(".", ",")]
    assert "dni kalendarzowe" in page.text
    api_token = container.users.create_token("inwestor@example.org").token
    data = client.get("/api/v1/investor/indicators", headers={"Authorization": f"Bearer {api_token}"}).json()
    year = next(r for r in data["items"] if r["year"] == 2025)
    assert year["handled"] == handled and year["overdue_unanswered"] == overdue
    assert year["median_days"] == median(days) and year["share_within"] == pytest.approx(within / (handled + overdue))
    assert year["sites_per_inquiry"] == pytest.approx(offered / handled)


def test_training_and_the_standard(client, container, cities, world):
    sign_in_with_second_factor(client, container, "coordinator@example.org")
    response = _post(client, "/inwestorzy/standard", {"working_days": "0"}, "/inwestorzy/wskazniki")
    assert response.status_code == 400
    assert _post(client, "/inwestorzy/standard", {"working_days": "10"}, "/inwestorzy/wskazniki").status_code == 303
    assert "w ciągu 10 dni roboczych" in client.get("/inwestorzy").text
    person = container.persons.add(name="Halina Szkolona", institution_id=world.riph)
    page = client.get("/inwestorzy/szkolenia")
    assert "Halina Szkolona (RIPH)" in page.text
    saved = _post(client, "/inwestorzy/szkolenia", {"trainee_person_id": str(person), "module": "staff_panel",
                                                    **_date("held_on", date(2026, 2, 10)), "certificate": "yes"},
                  "/inwestorzy/szkolenia")
    assert saved.status_code == 303
    page = client.get("/inwestorzy/szkolenia").text
    assert "Halina Szkolona" in page and "panel szkoleniowy dla pracowników obsługujących inwestorów" in page
    before = container.app.recorder.max_notification_id()
    refused = _post(client, "/inwestorzy/szkolenia", {"module": "staff_panel", **_date("held_on", date(2026, 2, 10))},
                    "/inwestorzy/szkolenia")
    assert refused.status_code == 400 and container.app.recorder.max_notification_id() == before
