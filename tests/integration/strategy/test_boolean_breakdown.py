"""The boolean indicator III.1.3.W1 ("the network exists") broken down by institution and by source (issue 11,
defect 7): each view says whether the network exists in that view — LCB with the cluster it runs as members
and a network meeting it took part in: 1 for LCB and for the source LCB; an institution alone: a real 0 —
never a 0 for every cell; a gauge's own view holds the clusters an institution runs; a rule without an own
view gives None ("–"), not 0."""

from __future__ import annotations

from datetime import date

from domain.strategy.rules import MembershipFact, RecordFact, YearFacts, evaluate
from projections.indicator_values.queries import indicator_events, task_report
from tests.support.strategy import SID, STAFF, build_network

NETWORK_EXISTS = "III.1.3.W1"


def _indicator(report, code):
    return next(i for i in report["indicators"] if i["code"] == code)


def test_the_network_exists_in_the_view_of_lcb_and_of_its_source(container, network_id):
    net = build_network(container, network_id, members=("WPiR", "RIPH", "LCB"))
    net.app.registry.join_network(network_id=network_id, institution_id=net.ids["KS"], joined_on=date(2009, 1, 1),
                                  actor=STAFF)  # the food cluster LCB runs is a member too
    net.meeting(date(2012, 6, 1), "LCB", "RIPH")  # a network meeting LCB took part in
    net.catch_up()
    with container.views.transaction() as tx:
        indicator = _indicator(task_report(tx, "III.1.3", strategy_id=SID), NETWORK_EXISTS)
        lcb_events = indicator_events(tx, NETWORK_EXISTS, 2012, strategy_id=SID, institution_id=str(net.ids["LCB"]))
    assert indicator["years"]["2012"]["actual"] == 1
    by_institution = {row["short_name"]: row["years"] for row in indicator["by_institution"]}
    assert by_institution["LCB"]["2012"] == 1  # LCB and KS are members, LCB was at the meeting
    assert by_institution["RIPH"]["2012"] == 0  # a member at the meeting, but alone in its own view: a real 0
    assert by_institution["WPiR"]["2012"] == 0
    assert indicator["by_source"]["LCB"]["2012"] == 1
    assert indicator["by_source"]["WPiR"]["2012"] == 0  # WPiR's view: itself (and KB, not a member), no meeting
    assert indicator["by_source"]["LCB"]["2011"] == 0  # no meeting in 2011: a real 0
    # The drill-down for LCB lists its own view: its membership, its cluster's membership, its meeting.
    refs = {(e["type"], e.get("member_id") or e.get("record_id")) for e in lcb_events}
    assert ("membership", str(net.ids["LCB"])) in refs and ("membership", str(net.ids["KS"])) in refs
    assert any(kind == "record" for kind, _ in refs)
    assert all(str(net.ids["LCB"]) in [i["id"] for i in e["institutions"]] for e in lcb_events)


def _facts(**extra) -> YearFacts:
    members = [MembershipFact("net", i, date(2009, 1, 1), None) for i in ("lcb", "ks", "wpir")]
    meeting = RecordFact("m1", 1, "meeting", "network_meeting", date(2012, 6, 1), "lcb", ("lcb", "wpir"), ())
    return YearFacts(year=2012, records=[meeting], network_members=members, coordinators={"ks": "lcb"},
                     institution_sources={"lcb": frozenset({"lcb"}), "ks": frozenset({"ks", "lcb"}),
                                          "wpir": frozenset({"wpir"})}, **extra)


NETWORK_RULE = {"kind": "boolean", "conditions": [
    {"at_least": 2, "rule": {"kind": "gauge", "membership": "network_institutions", "at": "year_end"}},
    {"at_least": 1, "rule": {"kind": "count_shared", "record_kind": "meeting", "subkinds": [],
                             "min_network_institutions": 2, "min_firms": 0}}]}


def test_a_boolean_is_judged_in_each_view_by_its_conditions():
    result = evaluate(NETWORK_RULE, _facts(), sources=["LCB", "WPiR"])
    assert result.value == 1
    assert result.by_institution == {"ks": 0, "lcb": 1, "wpir": 0}  # ks: 1 member in its view, no meeting
    assert result.by_source == {"LCB": 1, "WPiR": 0}


def test_a_gauge_counts_the_clusters_an_institution_runs_in_its_view():
    gauge = {"kind": "gauge", "membership": "network_institutions", "at": "year_end"}
    assert evaluate(gauge, _facts(), sources=[]).by_institution == {"ks": 1, "lcb": 2, "wpir": 1}
    firms = {"kind": "gauge", "membership": "cluster_firms", "at": "year_end"}
    facts = _facts(cluster_members=[MembershipFact("ks", "f1", date(2010, 1, 1), None)], firm_keys={"f1": "nip:1"})
    result = evaluate(firms, facts, sources=[])
    assert result.value == 1 and result.by_institution == {"ks": 1, "lcb": 1}  # one firm, in both views


def test_a_boolean_over_a_rule_without_an_own_view_gives_none_not_zero():
    rule = {"kind": "boolean", "conditions": [{"at_least": 1, "rule": {"kind": "reported"}}]}
    result = evaluate(rule, _facts(), sources=["LCB"], indicator_code="X")
    assert result.by_institution == {}  # no institution has a view of a reported value
    assert result.by_source == {"LCB": "bd"}  # nothing reported for LCB: no data, not 0
    assert result.value == "bd"


def test_left_on_is_the_last_day_of_membership():
    gauge = {"kind": "gauge", "membership": "network_institutions", "at": "year_end"}
    for left_on, counted in ((date(2012, 12, 31), 1), (date(2012, 12, 30), 0)):
        facts = YearFacts(year=2012, network_members=[MembershipFact("net", "lcb", date(2009, 1, 1), left_on)])
        assert evaluate(gauge, facts, sources=[]).value == counted
