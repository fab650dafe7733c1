"""Indicator values computed from recorded events, through the use cases and the read model."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

import eventsourcing.domain
from domain.errors import InvariantViolated, NotFound, ValidationFailed
from domain.values import warsaw_today
from infra.container import bootstrap, build_container
from infra.settings import Settings
from projections.indicator_values.projection import stored_rows
from projections.indicator_values.queries import (
    indicator_events,
    list_publications,
    list_tasks,
    published_report,
    rule_versions,
    task_report,
)
from tests.support.strategy import SID, STAFF, build_network, totals, value

CONTACTS = "III.1.3.W2"
NETWORK_MEETINGS = "III.1.3.W3"
NETWORK_EXISTS = "III.1.3.W1"
CONCLUSIONS = "III.1.3.W4"
CLUSTER_FIRMS = "I.3.5.W3"
FIRM_INFORMATION = "I.3.5.W4"
ENTREPRENEUR_MEETINGS = "I.3.5.W5"


@pytest.fixture
def net(container, network_id):
    network = build_network(container, network_id)
    network.catch_up()
    return network


@pytest.fixture
def clock(monkeypatch):
    """Recorded time under the test's control (events take their timestamps from it)."""
    now = {"now": datetime(2014, 1, 2, 12, 0, tzinfo=timezone.utc)}
    monkeypatch.setattr(eventsourcing.domain, "datetime_now_with_tzinfo", lambda: now["now"])
    return now


@pytest.fixture
def clocked_net(clock, network_id):
    """A network whose strategy and registry were recorded on 2 January 2014."""
    container = build_container(Settings(in_memory=True))
    bootstrap(container)
    network = build_network(container, network_id)
    network.catch_up()
    yield network
    container.close()


def test_default_strategy_is_loaded_with_both_leszno_tasks(container):
    container.runner.catch_up()
    with container.views.transaction() as tx:
        tasks = {t["code"]: t for t in list_tasks(tx, strategy_id=SID)}
        report = task_report(tx, "III.1.3", strategy_id=SID)
    assert set(tasks) == {"III.1.3", "I.3.5"}
    assert tasks["III.1.3"]["progress"] == 72.5  # 10 + 0+10+10+10+10 + 10+8 + 1.5+0+2+1
    assert tasks["I.3.5"]["progress"] == 91
    assert tasks["III.1.3"]["planned"] == tasks["I.3.5"]["planned"] == 100
    assert [i["name"] for i in report["indicators"]] == [
        "Sieć współpracy jednostek okołobiznesowych", "Ilość nawiązanych kontaktów",
        "Ilość wymienionych informacji", "Ilość wypracowanych wniosków i założeń"]
    assert [i["years"]["2010"]["target"] for i in report["indicators"]] == [1, 30, 10, 2]
    assert report["stages"][3]["years"]["2010"] == {"realised": 1.5, "planned": 2.5}
    assert report["stages"][0]["years"]["2010"] == "-"


def test_a_retracted_record_stops_counting(net):
    saved = net.contact(date(2011, 3, 1), "WPiR", "RIPH")
    net.contact(date(2011, 4, 1), "WPiR", "CITT")
    assert value(net.container, CONTACTS, 2011) == 2
    net.app.records.retract_record(record_id=saved.id, expected_version=saved.version, reason="wpisany dwa razy",
                                   actor=STAFF)
    assert value(net.container, CONTACTS, 2011) == 1
    with net.container.views.transaction() as tx:
        assert [e["record_id"] for e in indicator_events(tx, CONTACTS, 2011, strategy_id=SID)] != [str(saved.id)]
        assert len(indicator_events(tx, CONTACTS, 2011, strategy_id=SID)) == 1


def test_a_correction_that_moves_the_date_moves_the_count_to_the_other_year(net):
    saved = net.contact(date(2011, 12, 20), "WPiR", "RIPH")
    assert (value(net.container, CONTACTS, 2011), value(net.container, CONTACTS, 2012)) == (1, 0)
    net.app.records.correct_record(record_id=saved.id, expected_version=saved.version, reason="zła data",
                                   changes={"occurred_on": date(2012, 1, 3)}, actor=STAFF)
    assert (value(net.container, CONTACTS, 2011), value(net.container, CONTACTS, 2012)) == (0, 1)
    with net.container.views.transaction() as tx:
        assert task_report(tx, "III.1.3", strategy_id=SID)["indicators"][1]["years"]["2012"]["cumulative"] == 1


def test_an_event_late_on_31_december_warsaw_time_counts_in_that_year(net):
    late_evening = datetime(2012, 12, 31, 22, 45, tzinfo=timezone.utc)  # 23:45 in Warsaw, already 2013 in UTC+2
    business_date = warsaw_today(late_evening)
    assert business_date == date(2012, 12, 31)
    net.meeting(business_date, "WPiR", "RIPH")
    net.meeting(date(2013, 1, 1), "WPiR", "RIPH")
    assert value(net.container, NETWORK_MEETINGS, 2012) == 1
    assert value(net.container, NETWORK_MEETINGS, 2013) == 1


def test_a_firm_that_left_the_cluster_in_june_is_not_counted_at_year_end(net):
    net.join_cluster("KS", 0, date(2010, 2, 1))
    net.join_cluster("KS", 1, date(2010, 2, 1))
    net.join_cluster("KB", 1, date(2010, 5, 1))  # the same firm in two clusters counts once
    net.leave_cluster("KS", 0, date(2011, 6, 15))
    net.catch_up()
    with net.container.views.transaction() as tx:
        assert {y: v for y, v in totals(tx, CLUSTER_FIRMS).items() if y in (2010, 2011)} == {2010: 2, 2011: 1}
        report = task_report(tx, "I.3.5", strategy_id=SID)
    firms = report["indicators"][2]
    assert firms["by_source"]["LCB"]["2010"] == 2 and firms["by_source"]["WPiR"]["2010"] == 1
    assert firms["by_source"]["LCB"]["2011"] == 1
    with net.container.views.transaction() as tx:
        members = indicator_events(tx, CLUSTER_FIRMS, 2011, strategy_id=SID)
    assert {(m["group_name"], m["member_name"]) for m in members} == {("KS", "Firma 1"), ("KB", "Firma 1")}


def test_a_meeting_of_three_institutions_is_one_for_the_network_and_one_in_each_view(net):
    net.meeting(date(2010, 5, 5), "WPiR", "RIPH", "CITT")
    net.catch_up()
    ids = net.ids
    with net.container.views.transaction() as tx:
        rows = [r for r in stored_rows(tx, strategy_id=SID)
                if r["indicator_code"] == NETWORK_MEETINGS and r["year"] == 2010]
        by_institution = {r["institution_id"]: r["actual"] for r in rows if r["institution_id"]}
        network_total = [r["actual"] for r in rows if r["institution_id"] == "" and r["source"] == ""]
        assert network_total == [1]
        assert by_institution == {str(ids["WPiR"]): 1, str(ids["RIPH"]): 1, str(ids["CITT"]): 1}
        for short in ("WPiR", "RIPH", "CITT"):
            assert len(indicator_events(tx, NETWORK_MEETINGS, 2010, strategy_id=SID,
                                        institution_id=str(ids[short]))) == 1
        assert indicator_events(tx, NETWORK_MEETINGS, 2010, institution_id=str(ids["PUP"]), strategy_id=SID) == []
    assert value(net.container, NETWORK_EXISTS, 2010) == 1
    assert value(net.container, NETWORK_EXISTS, 2011) == 0  # members, but no meeting in 2011


def test_party_filters_and_conclusion_kinds(net):
    net.meeting(date(2012, 3, 3), "LCB", firms=2, kind="entrepreneurs_meeting")
    net.meeting(date(2012, 3, 4), "WPiR", "RIPH")  # no firm
    net.information(date(2012, 4, 4), "LCB", firms=1)
    net.information(date(2012, 4, 5), "LCB", firms=0, institutions=("RIPH",))  # to an institution only
    net.conclusion(date(2012, 5, 5), "expertise", "WPiR")
    net.conclusion(date(2012, 5, 6), "needs_analysis", "WPiR")
    assert value(net.container, ENTREPRENEUR_MEETINGS, 2012) == 1
    assert value(net.container, FIRM_INFORMATION, 2012) == 1
    assert value(net.container, CONCLUSIONS, 2012) == 1
    assert value(net.container, "I.3.5.W1", 2012) == 1


def test_dash_zero_and_bd_stay_distinct_in_the_report(net):
    net.app.strategy.set_targets(indicator_code=CONTACTS, targets={"2009": "-", "2010": 0, "2011": "bd", "2012": 7,
                                                                  "2013": 2}, reason="korekta planu", actor=STAFF)
    net.catch_up()
    with net.container.views.transaction() as tx:
        years = task_report(tx, "III.1.3", strategy_id=SID)["indicators"][1]["years"]
    assert [years[y]["target"] for y in ("2009", "2010", "2011")] == ["-", 0, "bd"]
    assert years["2010"]["actual"] == 0 and years["2010"]["percent"] is None


def test_an_as_of_report_is_unchanged_by_later_records(clocked_net, clock):
    net = clocked_net
    clock["now"] = datetime(2014, 1, 10, 12, 0, tzinfo=timezone.utc)
    net.contact(date(2013, 2, 1), "WPiR", "RIPH")
    net.meeting(date(2013, 2, 2), "WPiR", "RIPH")
    net.catch_up()
    with net.container.views.transaction() as tx:
        before = task_report(tx, "III.1.3", as_of=date(2014, 1, 10), strategy_id=SID)
    clock["now"] = datetime(2014, 2, 20, 9, 0, tzinfo=timezone.utc)
    late = net.contact(date(2013, 3, 1), "WPiR", "CITT")
    net.meeting(date(2013, 5, 5), "RIPH", "CITT")
    net.app.strategy.set_targets(indicator_code=CONTACTS, targets={"2013": 99}, reason="nowy plan", actor=STAFF)
    net.app.records.retract_record(record_id=late.id, expected_version=late.version, reason="pomyłka", actor=STAFF)
    net.catch_up()
    with net.container.views.transaction() as tx:
        again = task_report(tx, "III.1.3", as_of=date(2014, 1, 10), strategy_id=SID)
        now = task_report(tx, "III.1.3", strategy_id=SID)
        assert len(indicator_events(tx, NETWORK_MEETINGS, 2013, as_of=date(2014, 1, 10), strategy_id=SID)) == 1
        assert len(indicator_events(tx, NETWORK_MEETINGS, 2013, strategy_id=SID)) == 2
    assert again == before
    assert before["indicators"][1]["years"]["2013"] == {"target": 2, "actual": 1, "percent": 50.0,
                                                        "cumulative": 1, "cumulative_target": 48}
    assert now["indicators"][1]["years"]["2013"]["target"] == 99
    assert now["indicators"][2]["years"]["2013"]["actual"] == 2


def test_an_as_of_report_for_today_equals_the_maintained_values(net):
    net.meeting(date(2010, 5, 5), "WPiR", "RIPH", firms=1)
    net.join_cluster("KB", 0, date(2010, 1, 1))
    net.contact(date(2011, 1, 1), "WPiR", "PUP")
    net.catch_up()
    with net.container.views.transaction() as tx:
        for code in ("III.1.3", "I.3.5"):
            current = task_report(tx, code, strategy_id=SID)
            as_of_today = task_report(tx, code, as_of=warsaw_today() + timedelta(days=1), strategy_id=SID)
            assert as_of_today["indicators"] == current["indicators"]


def test_changing_a_rule_recomputes_but_an_earlier_report_keeps_the_old_rule(clocked_net, clock):
    net = clocked_net
    clock["now"] = datetime(2014, 1, 10, 12, 0, tzinfo=timezone.utc)
    net.meeting(date(2012, 3, 3), "WPiR", "RIPH")
    net.meeting(date(2012, 3, 4), "WPiR", firms=1, kind="entrepreneurs_meeting")
    assert value(net.container, NETWORK_MEETINGS, 2012) == 1
    clock["now"] = datetime(2014, 3, 1, 12, 0, tzinfo=timezone.utc)
    net.app.strategy.change_rule(indicator_code=NETWORK_MEETINGS, rule={"kind": "count_shared", "record_kind": "meeting"},
                                 reason="liczymy wszystkie spotkania", actor=STAFF)
    assert value(net.container, NETWORK_MEETINGS, 2012) == 2
    with net.container.views.transaction() as tx:
        old = task_report(tx, "III.1.3", as_of=date(2014, 1, 31), strategy_id=SID)["indicators"][2]
        new = task_report(tx, "III.1.3", strategy_id=SID)["indicators"][2]
        versions = rule_versions(tx, NETWORK_MEETINGS, strategy_id=SID)
    assert (old["years"]["2012"]["actual"], old["rule_version"]) == (1, 1)
    assert (new["years"]["2012"]["actual"], new["rule_version"]) == (2, 2)
    assert "co najmniej 2 instytucji sieci" in old["rule"] and "co najmniej 2" not in new["rule"]
    assert [v["reason"] for v in versions][-1] == "liczymy wszystkie spotkania"


def test_reported_values_entered_by_a_coordinator(container, network_id):
    container.app.strategy.apply_strategy({
        "goals": [{"code": "IV", "name": "Cel testowy"}],
        "programmes": [{"goal": "IV", "code": "IV.1", "name": "Program testowy"}],
        "tasks": [{"programme": "IV.1", "code": "IV.1.1", "name": "Zadanie testowe", "years": [2011, 2012, 2013],
                            "indicators": [{"code": "IV.1.1.W1", "name": "Liczba podmiotów gospodarczych", "level": "impact",
                                            "sources": ["GUS"], "targets": {"2011": 100, "2012": "bd", "2013": "-"},
                                            "rule": {"kind": "reported"}}]}],
    }, actor=STAFF, reason="test", network_id=network_id)
    container.app.strategy.report_indicator_value(indicator_code="IV.1.1.W1", year=2011, value=0, source="GUS",
                                                  note="dane GUS", actor=STAFF)
    container.app.strategy.report_indicator_value(indicator_code="IV.1.1.W1", year=2012, value="bd", source="GUS",
                                                  note="tajemnica statystyczna", actor=STAFF)
    with pytest.raises(InvariantViolated):
        container.app.strategy.report_indicator_value(indicator_code=CONTACTS, year=2011, value=3, actor=STAFF)
    with pytest.raises(ValidationFailed):
        container.app.strategy.report_indicator_value(indicator_code="IV.1.1.W1", year=2011, value=3, source="LCB",
                                                      actor=STAFF)
    container.runner.catch_up()
    with container.views.transaction() as tx:
        years = task_report(tx, "IV.1.1", strategy_id=SID)["indicators"][0]["years"]
        evidence = indicator_events(tx, "IV.1.1.W1", 2011, strategy_id=SID)
    assert [(years[y]["target"], years[y]["actual"]) for y in ("2011", "2012", "2013")] == [
        (100, 0), ("bd", "bd"), ("-", "bd")]
    assert years["2011"]["percent"] == 0.0
    assert evidence[0]["note"] == "dane GUS" and evidence[0]["recorded_by"] == STAFF.user_id


def test_unknown_codes_raise_not_found(container):
    container.runner.catch_up()
    with container.views.transaction() as tx:
        with pytest.raises(NotFound) as error:
            task_report(tx, "IX.9.9", strategy_id=SID)
        assert error.value.field == "task_code"
        with pytest.raises(NotFound):
            indicator_events(tx, "IX.9.9.W1", 2010, strategy_id=SID)


def test_planned_stage_shares_must_sum_to_100_and_nothing_is_stored_otherwise(container):
    version = container.app.strategy.get_strategy().version
    stages = [{"number": 1, "name": "Etap", "planned": {"2009": 60}}, {"number": 2, "name": "Drugi",
                                                                       "planned": {"2010": 30}}]
    with pytest.raises(InvariantViolated) as error:
        container.app.strategy.plan_stages(task_code="III.1.3", stages=stages, reason="nowy plan", actor=STAFF)
    assert "90" in error.value.message and error.value.field == "stages"
    with pytest.raises(InvariantViolated):  # realised more than planned
        container.app.strategy.report_stage_progress(task_code="III.1.3", stage_number=4, year=2011, realised=3, actor=STAFF)
    with pytest.raises(InvariantViolated):  # nothing planned that year
        container.app.strategy.report_stage_progress(task_code="III.1.3", stage_number=1, year=2011, realised=1, actor=STAFF)
    assert container.app.strategy.get_strategy().version == version


def test_indicator_codes_are_unique_across_tasks(container):
    with pytest.raises((InvariantViolated, ValidationFailed)):
        container.app.strategy.define_indicator(indicator={
            "code": "III.1.3.W1", "task_code": "I.3.5", "name": "Duplikat", "level": "product",
            "rule": {"kind": "count", "record_kind": "contact"}}, actor=STAFF)


def test_programme_progress_is_the_weighted_mean_of_its_tasks(container, network_id):
    """The published Leszno portal: 20%·86 + 20%·45 + 20%·100 + 10%·75 + 20%·91 + 10%·9 = 72.8 %."""
    tasks = []
    for n, (weight, progress) in enumerate([(20, 86), (20, 45), (20, 100), (10, 75), (20, 91), (10, 9)], start=1):
        tasks.append({"programme": "V.1", "code": f"V.1.{n}", "name": f"Zadanie {n}", "weight": weight,
                      "years": [2010], "stages": [{"number": 1, "name": "Całość", "planned": {"2010": 100},
                                                   "realised": {"2010": progress}}]})
    container.app.strategy.apply_strategy({"goals": [{"code": "V", "name": "Cel"}],
                                           "programmes": [{"goal": "V", "code": "V.1", "name": "Program"}], "tasks": tasks},
                                          actor=STAFF, reason="test", network_id=network_id)
    container.runner.catch_up()
    with container.views.transaction() as tx:
        summary = {t["code"]: t for t in list_tasks(tx, strategy_id=SID)}
    assert summary["V.1.1"]["programme"]["progress"] == pytest.approx(72.8)
    assert summary["V.1.1"]["goal"]["progress"] == pytest.approx(72.8)


def test_a_published_report_is_reproduced_exactly_after_later_changes(clocked_net, clock):
    net = clocked_net
    clock["now"] = datetime(2014, 1, 10, 8, 0, tzinfo=timezone.utc)
    net.meeting(date(2013, 4, 4), "WPiR", "RIPH")
    net.meeting(date(2013, 4, 5), "LCB", firms=1, kind="entrepreneurs_meeting")
    net.catch_up()
    with net.container.views.transaction() as tx:
        snapshot = task_report(tx, "III.1.3", strategy_id=SID)
    clock["now"] = datetime(2014, 1, 10, 9, 0, tzinfo=timezone.utc)
    number = net.app.strategy.publish_report(task_code="III.1.3", title="Sprawozdanie za 2013 r.", actor=STAFF).version
    clock["now"] = datetime(2014, 1, 10, 15, 0, tzinfo=timezone.utc)  # the same day, after publication
    net.app.strategy.change_rule(indicator_code=NETWORK_MEETINGS, rule={"kind": "count_shared", "record_kind": "meeting"},
                                 reason="wszystkie spotkania", actor=STAFF)
    net.meeting(date(2013, 6, 6), "WPiR", "CITT")
    net.app.strategy.report_stage_progress(task_code="III.1.3", stage_number=4, year=2013, realised=2.5, actor=STAFF)
    net.catch_up()
    with net.container.views.transaction() as tx:
        published = published_report(tx, number, strategy_id=SID)
        current = task_report(tx, "III.1.3", strategy_id=SID)
        same_day = task_report(tx, "III.1.3", as_of=date(2014, 1, 10), strategy_id=SID)
        assert [p["number"] for p in list_publications(tx, "III.1.3", strategy_id=SID)] == [number]
        with pytest.raises(NotFound):
            published_report(tx, number + 1000, strategy_id=SID)
    for part in ("indicators", "stages"):
        assert published[part] == snapshot[part]
    assert published["progress"]["realised"] == 72.5 and current["progress"]["realised"] == 74
    assert published["indicators"][2]["years"]["2013"]["actual"] == 1
    assert current["indicators"][2]["years"]["2013"]["actual"] == 3
    assert same_day["indicators"][2]["years"]["2013"]["actual"] == 3  # a date-level as-of sees the later change
    assert published["publication"]["title"] == "Sprawozdanie za 2013 r."


def test_a_second_strategy_cannot_be_started(container, network_id):
    with pytest.raises(InvariantViolated) as error:
        container.app.strategy.start_strategy(name="Druga strategia", network_id=network_id, actor=STAFF)
    assert error.value.field == "strategy"
