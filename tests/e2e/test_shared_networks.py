"""Two municipalities in one metropolitan network, end to end through the pages (issue 14): each sees only its
own records plus what the network shares (its good practices, the comparison of shared indicators); a
municipality that left the network no longer sees it (after its left_on); the comparison shows each city's
figures exactly as its own strategy report does; a practice is not found (404) for a non-member, and its
documents neither. The deployment admin creates the network and admits the cities on the admin page."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path
from typing import Iterator
from uuid import UUID

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from api.app import create_app
from domain.application import DEFAULT_MUNICIPALITY_ID
from domain.use_cases.users import OPERATOR
from infra.container import Container
from infra.strategy_loader import load_strategy_file
from infra.users import UserStore
from tests.e2e.test_two_municipalities import SECOND_STRATEGY
from tests.support.pages import PASSWORD, csrf_token, sign_in
from tests.support.second_factor import sign_in_with_second_factor

PDF_BYTES = b"%PDF-1.4\n% Prezentacja\ntrailer<<>>\n%%EOF\n"
CODE, TASK = "III.1.3.W2", "III.1.3"


class Cities:
    def __init__(self, container: Container, tmp_path: Path) -> None:
        uc = self.uc = container.use_cases
        self.container = container
        self.gniezno = uc.registry.add_municipality(OPERATOR, name="Miasto Gniezno", teryt="3003011",
                                                    network_name="Sieć instytucji Gniezna").id
        self.kalisz = uc.registry.add_municipality(OPERATOR, name="Miasto Kalisz", teryt="3061011",
                                                   network_name="Sieć instytucji Kalisza").id
        strategy_file = tmp_path / "gniezno.toml"
        strategy_file.write_text(SECOND_STRATEGY, encoding="utf-8")
        load_strategy_file(container.app, strategy_file,
                           network_id=uc.registry.scopes.of_municipality(self.gniezno).home_network_id)
        self.users = UserStore(container.directory_db,
                               hasher=PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
        self.users.add(email="admin@splot.example.org", password=PASSWORD, role="admin")
        self.people = {}
        for city, municipality in (("leszno", DEFAULT_MUNICIPALITY_ID), ("gniezno", self.gniezno),
                                   ("kalisz", self.kalisz)):
            coordinator = self.users.add(email=f"coordinator@{city}.example.org", password=PASSWORD,
                                         role="coordinator", municipality_id=municipality)
            institution = uc.registry.register_institution(coordinator, name=f"Izba {city}", short_name=f"IZ{city[:3].upper()}",
                                                           kind="chamber").id
            partner = uc.registry.register_institution(coordinator, name=f"Urząd {city}", short_name=f"UM{city[:3].upper()}",
                                                       kind="city_department").id
            for i in (institution, partner):
                uc.registry.join_network(coordinator, institution_id=i, joined_on=date(2010, 1, 1))
            staff = self.users.add(email=f"staff@{city}.example.org", password=PASSWORD, role="staff",
                                   institution_id=institution, municipality_id=municipality)
            self.people[city] = {"coordinator": coordinator, "staff": staff, "institution": institution,
                                 "partner": partner}

    def contacts(self, city: str, days: list[str]) -> list[UUID]:
        p = self.people[city]
        return [self.uc.records.record(p["coordinator"], "contact", {
            "occurred_on": date.fromisoformat(day), "institution_id": p["institution"],
            "with_institution_id": p["partner"], "channel": "phone", "summary": f"Kontakt {city}"}).id for day in days]

    def client(self, email: str) -> TestClient:
        client = TestClient(create_app(self.container), base_url="https://testserver")
        client.__enter__()
        if email.startswith(("coordinator", "admin")):
            sign_in_with_second_factor(client, self.container, email)
        else:
            sign_in(client, email)
        return client


@pytest.fixture
def cities(container: Container, tmp_path: Path) -> Iterator[Cities]:
    yield Cities(container, tmp_path)


def _date(prefix: str, day: date) -> dict[str, str]:
    return {f"{prefix}-day": str(day.day), f"{prefix}-month": str(day.month), f"{prefix}-year": str(day.year)}


def _metro_through_the_admin_page(cities: Cities) -> UUID:
    admin = cities.client("admin@splot.example.org")
    token = csrf_token(admin, "/admin/sieci")
    done = admin.post("/admin/sieci", data={"csrf_token": token, "name": "Metropolia Wielkopolska",
                                            "kind": "municipal_network"}, follow_redirects=False)
    assert done.status_code == 303
    network = next(n.id for n in cities.uc.shared_networks.networks(OPERATOR))
    for municipality in (DEFAULT_MUNICIPALITY_ID, cities.gniezno):
        done = admin.post("/admin/sieci/gminy", data={"csrf_token": token, "network_id": str(network),
                                                      "municipality_id": str(municipality),
                                                      **_date("joined_on", date(2011, 1, 1))}, follow_redirects=False)
        assert done.status_code == 303, done.text
    page = admin.get("/admin/sieci")
    assert "Metropolia Wielkopolska" in page.text and "Miasto Gniezno" in page.text and "1 stycznia 2011" in page.text
    # a refused admission (the future is no business date) names its field and stores nothing
    before = cities.container.runner.log_position()
    refused = admin.post("/admin/sieci/gminy", data={"csrf_token": token, "network_id": str(network),
                                                     "municipality_id": str(cities.kalisz),
                                                     **_date("joined_on", date.today() + timedelta(days=3))})
    assert refused.status_code == 422 and 'href="#joined_on-day"' in refused.text
    assert cities.container.runner.log_position() == before
    # only the deployment's admin has the page
    assert cities.client("coordinator@gniezno.example.org").get("/admin/sieci").status_code == 403
    return network


def _publish_practice(client: TestClient, network: UUID, institution: UUID) -> str:
    token = csrf_token(client, "/dobre-praktyki/nowa")
    done = client.post("/dobre-praktyki/nowa", data={
        "csrf_token": token, "network_id": str(network), "institution_id": str(institution),
        "title": "Inkubator przy urzędzie", "description": "Biura dla młodych firm przez dwa lata.",
        "tags": "inkubator, start-upy", "year": "2012"}, follow_redirects=False)
    assert done.status_code == 303, done.text
    return re.fullmatch(r"/dobre-praktyki/([0-9a-f-]{36})", done.headers["location"]).group(1)


def test_two_cities_share_practices_but_nothing_else_and_a_leaver_loses_the_network(cities: Cities):
    network = _metro_through_the_admin_page(cities)
    leszno_record, = cities.contacts("leszno", ["2012-03-05"])
    leszno, gniezno = cities.client("staff@leszno.example.org"), cities.client("staff@gniezno.example.org")
    kalisz = cities.client("staff@kalisz.example.org")

    practice = _publish_practice(leszno, network, cities.people["leszno"]["institution"])
    token = csrf_token(leszno, f"/dobre-praktyki/{practice}")
    attached = leszno.post(f"/dobre-praktyki/{practice}/dokumenty", data={"csrf_token": token},
                           files={"file": ("prezentacja.pdf", PDF_BYTES, "application/octet-stream")},
                           follow_redirects=False)
    assert attached.status_code == 303, attached.text
    refused = leszno.post(f"/dobre-praktyki/{practice}/dokumenty", data={"csrf_token": token},
                          files={"file": ("skrypt.pdf", b"#!/bin/sh\nrm -rf /\n", "application/pdf")})
    assert refused.status_code == 422 and "Można dołączyć tylko dokument PDF" in refused.text

    # Gniezno sees the practice and its document ...
    shown = gniezno.get(f"/dobre-praktyki/{practice}")
    assert shown.status_code == 200 and "Inkubator przy urzędzie" in shown.text and "Izba leszno" in shown.text
    document_url = re.search(rf'href="(/dobre-praktyki/{practice}/dokumenty/[0-9a-f-]{{36}})"', shown.text).group(1)
    download = gniezno.get(document_url)
    assert download.status_code == 200 and download.content == PDF_BYTES
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["content-disposition"].startswith("attachment;")
    assert download.headers["x-content-type-options"] == "nosniff"
    assert "Inkubator przy urzędzie" in gniezno.get("/dobre-praktyki?q=mlodych").text
    assert "Żadna praktyka nie pasuje do wyszukiwania" in gniezno.get("/dobre-praktyki?q=nic-takiego").text
    # ... but none of Leszno's own records or institutions
    assert gniezno.get(f"/wpisy/{leszno_record}").status_code == 404
    assert str(leszno_record) not in gniezno.get("/wpisy").text
    assert "IZLES" not in gniezno.get("/katalog/instytucje").text
    # a municipality outside the network: not found, the document neither
    assert kalisz.get(f"/dobre-praktyki/{practice}").status_code == 404
    assert kalisz.get(document_url).status_code == 404
    assert "Inkubator przy urzędzie" not in kalisz.get("/dobre-praktyki").text
    assert kalisz.get(f"/sieci-wspolne/{network}").status_code == 404

    # Gniezno leaves the network on the last day before today: from today it sees nothing of it
    yesterday = cities.container.app.today() - timedelta(days=1)
    admin = cities.client("admin@splot.example.org")
    left = admin.post("/admin/sieci/wystapienie", data={"csrf_token": csrf_token(admin, "/admin/sieci"),
                                                        "membership": f"{network}/{cities.gniezno}",
                                                        **_date("left_on", yesterday)}, follow_redirects=False)
    assert left.status_code == 303, left.text
    assert gniezno.get(f"/dobre-praktyki/{practice}").status_code == 404
    assert gniezno.get(document_url).status_code == 404
    assert gniezno.get(f"/sieci-wspolne/{network}").status_code == 404
    assert gniezno.get(f"/sieci-wspolne/{network}/porownanie").status_code == 404
    assert "Metropolia Wielkopolska" not in gniezno.get("/sieci-wspolne").text
    assert leszno.get(f"/dobre-praktyki/{practice}").status_code == 200  # Leszno still a member
    # and its history is kept: it was a member until yesterday
    members = {m.municipality_id: m for m in cities.uc.shared_networks.network(OPERATOR, network).members}
    assert members[cities.gniezno].left_on == yesterday
    scope = cities.uc.registry.scopes.of_municipality(cities.gniezno)
    assert scope.shared_network_ids_on(yesterday) == {network} and scope.shared_network_ids == frozenset()


def test_the_comparison_shows_each_citys_figures_as_its_own_report_does(cities: Cities):
    network = _metro_through_the_admin_page(cities)
    cities.contacts("leszno", ["2011-02-01", "2012-03-05"])
    cities.contacts("gniezno", ["2011-04-01", "2011-05-01", "2012-01-10", "2012-02-10", "2012-03-10"])
    for city in ("leszno", "gniezno"):
        coordinator = cities.client(f"coordinator@{city}.example.org")
        page = coordinator.get(f"/sieci-wspolne/{network}")
        assert page.status_code == 200 and 'name="indicator_codes"' in page.text
        shared = coordinator.post(f"/sieci-wspolne/{network}/wskazniki",
                                  data={"csrf_token": csrf_token(coordinator, f"/sieci-wspolne/{network}"),
                                        "indicator_codes": [CODE]}, follow_redirects=False)
        assert shared.status_code == 303, shared.text

    reader = cities.client("staff@gniezno.example.org")
    page = reader.get(f"/sieci-wspolne/{network}/porownanie")
    assert page.status_code == 200
    comparison = cities.uc.shared_networks.compare(cities.people["gniezno"]["staff"], network)
    [indicator] = comparison.indicators
    assert indicator.code == CODE
    assert {c.municipality_id for c in indicator.cities} == {DEFAULT_MUNICIPALITY_ID, cities.gniezno}
    for city in ("leszno", "gniezno"):
        own = cities.uc.strategy.task_report(cities.people[city]["coordinator"], TASK)
        own_row = next(i for i in own["indicators"] if i["code"] == CODE)
        figures = next(c for c in indicator.cities
                       if c.municipality_id == (DEFAULT_MUNICIPALITY_ID if city == "leszno" else cities.gniezno))
        for year, cell in own_row["years"].items():
            assert figures.years[year]["actual"] == cell["actual"], (city, year)
            assert figures.years[year]["target"] == cell["target"], (city, year)
        # the page's table says the same numbers, in the city's row
        row = re.search(rf'data-city="{re.escape(figures.city)}">(.*?)</tr>', page.text, re.S).group(1)
        for year in comparison.years:
            actual = own_row["years"].get(year, {}).get("actual")
            if isinstance(actual, int):
                assert re.search(rf'data-year="{year}">{actual}(<|$)', row), (city, year, actual)
        assert figures.rule.pl in page.text  # the rule in words beside the city
    csv = reader.get(f"/sieci-wspolne/{network}/porownanie.csv")
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert "Miasto Gniezno" in csv.text and CODE in csv.text

    # Kalisz (no member) is refused the comparison; a city that shares nothing does not appear
    assert cities.client("staff@kalisz.example.org").get(f"/sieci-wspolne/{network}/porownanie").status_code == 404
    cities.uc.shared_networks.share_indicators(cities.people["gniezno"]["coordinator"], network_id=network,
                                               indicator_codes=[])
    after = cities.uc.shared_networks.compare(cities.people["leszno"]["staff"], network)
    assert [c.municipality_id for i in after.indicators for c in i.cities] == [DEFAULT_MUNICIPALITY_ID]


def test_a_municipality_registers_nothing_into_a_shared_network(cities: Cities):
    """A coordinator's registry writes go to the municipality's own networks only: naming a shared network it is a
    member of is refused as an unknown network, and nothing is stored (else its institutions would be written
    into a space every other member municipality reads)."""
    from domain.errors import UnknownReference

    network = _metro_through_the_admin_page(cities)
    coordinator = cities.people["gniezno"]["coordinator"]
    assert network in cities.uc.registry.scopes.of(coordinator).network_ids  # a member: the network is in scope
    before = cities.container.runner.log_position()
    with pytest.raises(UnknownReference):
        cities.uc.registry.register_institution(coordinator, name="Izba w metropolii", short_name="IZMET",
                                                kind="chamber", network_id=network)
    with pytest.raises(UnknownReference):
        cities.uc.registry.join_network(coordinator, institution_id=cities.people["gniezno"]["institution"],
                                        joined_on=date(2012, 1, 1), network_id=network)
    with pytest.raises(UnknownReference):
        cities.uc.registry.register_firm(coordinator, name="Firma w metropolii", nip=None, regon=None,
                                         network_id=network)
    assert cities.container.runner.log_position() == before
    # the municipality's own network still takes them
    home = cities.uc.registry.scopes.of(coordinator).home_network_id
    assert cities.uc.registry.register_institution(coordinator, name="Izba w domu", short_name="IZDOM",
                                                   kind="chamber", network_id=home).id
