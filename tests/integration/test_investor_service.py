"""Investor service on the use cases (issue 14): an inquiry's due date by the standard in Polish working days,
who sees inquiries (NotFound for everyone else), the audit trail naming the codename only, and the indicators
equal to values computed here from the test's own dates — an unanswered past-due inquiry included."""

from __future__ import annotations

from datetime import date, timedelta
from statistics import median
from uuid import uuid4

import pytest

from domain.application import DEFAULT_MUNICIPALITY_ID
from domain.errors import NotFound, ValidationFailed
from domain.investor_values import add_working_days
from domain.policy import Forbidden, Role, User
from infra.container import Container
from infra.working_days import PolishWorkingDays
from projections.base import unpack_changes

TODAY = date(2026, 3, 16)


def _user(role: Role, municipality=DEFAULT_MUNICIPALITY_ID) -> User:
    return User(id=uuid4(), email=f"{role.value}-{uuid4().hex[:6]}@example.org", role=role, institution_id=None,
                active=True, municipality_id=municipality)


@pytest.fixture
def uc(container: Container):
    investor = container.use_cases.investor
    investor.today = lambda: TODAY
    return investor


SITE = {"name": "Strefa Gronówko", "area_ha": "12,5", "zoning": "P/U (MPZP Gronówko 2019)", "utilities": ["water", "power"],
        "ownership": "municipal", "status": "available", "address": "ul. Przemysłowa, Leszno", "plots": "101/2, 101/3"}


def test_the_due_date_counts_polish_working_days(uc):
    officer = _user(Role.INVESTOR_SERVICE)
    # received on Friday 19 December 2025: 22, 23, 29, 30, 31 December (24-26 are holidays, Christmas Eve since
    # 2025), 2, 5 January (1 and 6 are holidays), 7, 8, 9, 12, 13, 14, 15 January: the 14th working day
    saved = uc.receive(officer, codename="Jodła", sectors=["logistics"], needs={}, received_on=date(2025, 12, 19))
    view = uc.inquiry(officer, saved.id)
    assert view.standard_days == 14
    assert view.due_on == add_working_days(PolishWorkingDays(), date(2025, 12, 19), 14).isoformat() == "2026-01-15"


def test_only_investor_service_and_the_coordinator_see_inquiries(uc, container):
    officer, coordinator = _user(Role.INVESTOR_SERVICE), _user(Role.COORDINATOR)
    saved = uc.receive(officer, codename="Orzeł", sectors=["automotive"],
                       needs={"area_ha": "20", "utilities": ["power", "rail"], "jobs": "300", "text": "Hala 20 tys. m²"},
                       received_on=date(2026, 3, 2), notes="Spotkanie w ratuszu")
    assert [i.codename for i in uc.inquiries(coordinator)] == ["Orzeł"]
    for role in (Role.STAFF, Role.LEAD, Role.AUDITOR, Role.DPO, Role.ADMIN):
        with pytest.raises(NotFound):
            uc.inquiry(_user(role), saved.id)
        with pytest.raises(NotFound):
            uc.inquiries(_user(role))
    other_city = container.use_cases.registry.add_municipality(
        User(id=uuid4(), email="root@example.org", role=Role.ADMIN, institution_id=None, active=True),
        name="Miasto Gniezno", teryt="3003011", network_name="Sieć Gniezna").id
    stranger = _user(Role.INVESTOR_SERVICE, municipality=other_city)
    with pytest.raises(NotFound):
        uc.inquiry(stranger, saved.id)
    assert uc.inquiries(stranger) == []


def test_the_audit_trail_names_the_codename_only(uc, container):
    officer = _user(Role.INVESTOR_SERVICE)
    saved = uc.receive(officer, codename="Sokół", sectors=["food"], needs={"text": "Zakład przetwórstwa owoców"},
                       received_on=date(2026, 3, 2), notes="Poufne: rozmowy z zarządem")
    uc.answer(officer, saved.id, answered_on=date(2026, 3, 5), site_ids=[])
    container.runner.catch_up()
    rows = container.views.transaction
    with rows() as tx:
        entries = tx.execute("SELECT event_type, changes_json FROM audit_entries WHERE record_id = ?", (str(saved.id),))
    assert [e["event_type"] for e in entries] == ["InvestorInquiry.Received", "InvestorInquiry.Answered"]
    for entry in entries:
        fields = {c["field"] for c in unpack_changes(entry["changes_json"])}
        assert fields == {"codename"}, fields
        assert "owoców" not in entry["changes_json"] and "Poufne" not in entry["changes_json"]


def test_indicators_equal_values_computed_from_the_dates(uc):
    officer = _user(Role.INVESTOR_SERVICE)
    uc.set_standard(_user(Role.COORDINATOR), 10)
    site = uc.register_site(officer, SITE).id
    site2 = uc.register_site(officer, {**SITE, "name": "Teren przy obwodnicy", "status": "reserved"}).id
    calendar = PolishWorkingDays()
    # (received, answered or None, sites offered, withdrawn on)
    cases = [(date(2025, 2, 3), date(2025, 2, 10), [site], None),  # within the standard
             (date(2025, 5, 5), date(2025, 6, 20), [site, site2], None),  # late
             (date(2025, 11, 3), None, [], None),  # unanswered, past due in 2025
             (date(2025, 12, 1), date(2026, 1, 8), [site2], None),  # answered in 2026, late
             (date(2026, 1, 12), None, [], date(2026, 1, 14)),  # withdrawn before its due date: leaves the figures
             (date(2026, 3, 12), None, [], None)]  # open, not yet due on TODAY
    for n, (received, answered, sites, withdrawn) in enumerate(cases):
        saved = uc.receive(officer, codename=f"K-{n}", sectors=["other"], needs={}, received_on=received)
        if answered:
            uc.answer(officer, saved.id, answered_on=answered, site_ids=sites)
        if withdrawn:
            uc.set_outcome(officer, saved.id, outcome="withdrawn", decided_on=withdrawn)

    expected: dict[int, dict] = {}
    for received, answered, sites, withdrawn in cases:
        due = add_working_days(calendar, received, 10)
        if answered:
            e = expected.setdefault(answered.year, {"handled": 0, "within": 0, "overdue": 0, "days": [], "sites": 0})
            e["handled"] += 1
            e["within"] += answered <= due
            e["days"].append((answered - received).days)
            e["sites"] += len(sites)
        elif (withdrawn or TODAY) > due:
            e = expected.setdefault(due.year, {"handled": 0, "within": 0, "overdue": 0, "days": [], "sites": 0})
            e["overdue"] += 1
            e["days"].append(((withdrawn or TODAY) - received).days)
    rows = uc.indicators(_user(Role.AUDITOR))
    assert [r.year for r in rows] == sorted(expected) == [2025, 2026]
    for row in rows:
        e = expected[row.year]
        assert row.handled == e["handled"]
        assert row.overdue_unanswered == e["overdue"]
        assert row.median_days == median(e["days"])
        assert row.share_within == pytest.approx(e["within"] / (e["handled"] + e["overdue"]))
        assert row.sites_per_inquiry == pytest.approx(e["sites"] / e["handled"])
    # and the figures, spelled out: 2025 has two answered (7 and 46 days) and one overdue since 3 Nov 2025
    assert rows[0].handled == 2 and rows[0].overdue_unanswered == 1 and rows[0].answered_within == 1
    assert rows[0].median_days == 46.0 and rows[0].share_within == pytest.approx(1 / 3)


def test_a_bad_inquiry_is_refused_and_nothing_is_stored(uc, container):
    officer = _user(Role.INVESTOR_SERVICE)
    before = container.app.recorder.max_notification_id()
    for bad in ({"sectors": []}, {"sectors": ["aerospace"]}, {"codename": ""}, {"received_on": TODAY + timedelta(days=400)},
                {"needs": {"area_ha": "-3"}}, {"needs": {"jobs": "dużo"}}):
        args = {"codename": "Zła", "sectors": ["food"], "needs": {}, "received_on": date(2026, 3, 2), **bad}
        with pytest.raises(ValidationFailed):
            uc.receive(officer, **args)
    with pytest.raises(Forbidden):
        uc.set_standard(officer, 5)
    assert container.app.recorder.max_notification_id() == before


def test_a_shared_site_is_seen_read_only_by_the_members_of_the_network_while_they_are_members(uc, container):
    admin = User(id=uuid4(), email="root@example.org", role=Role.ADMIN, institution_id=None, active=True)
    gniezno = container.use_cases.registry.add_municipality(admin, name="Miasto Gniezno", teryt="3003011",
                                                            network_name="Sieć Gniezna").id
    shared = container.use_cases.shared_networks
    network = shared.add(admin, name="Obszar metropolitalny", kind="municipal_network").id
    for member in (DEFAULT_MUNICIPALITY_ID, gniezno):
        shared.admit(admin, network_id=network, municipality_id=member, joined_on=date(2020, 1, 1))
    officer, theirs = _user(Role.INVESTOR_SERVICE), _user(Role.INVESTOR_SERVICE, municipality=gniezno)
    site = uc.register_site(officer, SITE).id
    assert [n for n, _ in uc.sharing_choices(officer)] == [str(network)]
    with pytest.raises(NotFound):
        uc.site(theirs, site)  # not shared yet
    uc.share_site(officer, site, [str(network)])
    view = uc.site(theirs, site)
    assert not view.own and view.owner and [s.id for s in uc.sites(theirs)] == [str(site)]
    with pytest.raises(Forbidden):
        uc.change_site(theirs, site, {**SITE, "status": "sold"})
    with pytest.raises(ValidationFailed):
        uc.share_site(officer, site, [str(uuid4())])  # a network the municipality is not in
    shared.release(admin, network_id=network, municipality_id=gniezno, left_on=container.app.today() - timedelta(days=1))
    with pytest.raises(NotFound):
        uc.site(theirs, site)  # Gniezno left the network yesterday
    assert uc.sites(theirs) == []
