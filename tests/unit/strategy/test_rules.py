"""Each rule kind against hand-built facts, with the expected values worked out by hand."""

from __future__ import annotations

from datetime import date

import pytest

from domain.errors import ValidationFailed
from domain.strategy.rule_words import describe
from domain.strategy.rules import (
    MembershipFact,
    RecordFact,
    ReportedFact,
    YearFacts,
    check_rule,
    evaluate,
    percent_achieved,
)
from domain.strategy.values import check_year_value

A, B, C, D = "inst-a", "inst-b", "inst-c", "inst-d"  # D is not in the network
SOURCES = {A: frozenset({"wpir"}), B: frozenset({"lcb"}), C: frozenset({"riph"}),
           "cluster-food": frozenset({"ks", "lcb"}), "cluster-build": frozenset({"kb", "wpir"})}


def record(n: int, kind: str, day: date, owner: str, *others: str, firms: tuple[str, ...] = (),
           subkind: str | None = None) -> RecordFact:
    return RecordFact(f"r{n}", 1, kind, subkind, day, owner, (owner, *others), firms)


def facts(year: int, records=(), clusters=(), reported=None) -> YearFacts:
    return YearFacts(
        year=year, records=list(records),
        network_members=[MembershipFact("net", i, date(2009, 1, 1), None) for i in (A, B, C)],
        cluster_members=list(clusters),
        firm_keys={"f1": "nip:1", "f2": "nip:2", "f3": "nip:3", "f1-again": "nip:1"},
        institution_sources=SOURCES, reported=reported or {},
    )


def test_count_counts_records_of_the_kind_and_year_with_owner_view():
    rule = check_rule({"kind": "count", "record_kind": "contact"})
    year = facts(2010, [record(1, "contact", date(2010, 1, 5), A, B), record(2, "contact", date(2010, 7, 1), B),
                        record(3, "contact", date(2011, 1, 1), A), record(4, "meeting", date(2010, 3, 3), A, B)])
    result = evaluate(rule, year, sources=["WPiR", "LCB"])
    assert result.value == 2
    assert result.by_institution == {A: 1, B: 1}  # the owner's view only: r1 is not counted for B
    assert result.by_source == {"WPiR": 1, "LCB": 1}
    assert [e.ref for e in result.evidence] == ["r1", "r2"]


def test_meeting_of_three_institutions_is_one_for_the_network_and_one_for_each():
    rule = check_rule({"kind": "count_shared", "record_kind": "meeting", "min_network_institutions": 2})
    result = evaluate(rule, facts(2012, [record(1, "meeting", date(2012, 5, 5), A, B, C)]), sources=["WPiR", "LCB"])
    assert result.value == 1
    assert result.by_institution == {A: 1, B: 1, C: 1}
    assert sum(result.by_institution.values()) == 3  # the network total is not the sum of the views
    assert result.by_source == {"WPiR": 1, "LCB": 1}


def test_network_institution_filter_ignores_institutions_outside_the_network():
    rule = check_rule({"kind": "count_shared", "record_kind": "meeting", "min_network_institutions": 2})
    year = facts(2012, [record(1, "meeting", date(2012, 5, 5), A, D), record(2, "meeting", date(2012, 6, 5), A, B)])
    assert evaluate(rule, year).value == 1


def test_subkind_and_firm_filters():
    conclusions = check_rule({"kind": "count", "record_kind": "conclusion", "subkinds": ["expertise", "conclusion"]})
    year = facts(2011, [record(1, "conclusion", date(2011, 2, 2), A, subkind="expertise"),
                        record(2, "conclusion", date(2011, 2, 3), A, subkind="needs_analysis"),
                        record(3, "conclusion", date(2011, 2, 4), A, subkind="conclusion")])
    assert evaluate(conclusions, year).value == 2
    with_firms = check_rule({"kind": "count_shared", "record_kind": "meeting", "min_firms": 1})
    year = facts(2011, [record(1, "meeting", date(2011, 2, 2), A, B), record(2, "meeting", date(2011, 3, 2), A,
                                                                              firms=("f1",))])
    assert evaluate(with_firms, year).value == 1


def test_distinct_count_counts_a_firm_once_over_the_year():
    rule = check_rule({"kind": "distinct_count", "record_kind": "meeting", "key": "firm"})
    year = facts(2013, [record(1, "meeting", date(2013, 1, 1), A, firms=("f1", "f2")),
                        record(2, "meeting", date(2013, 9, 1), B, firms=("f1-again",)),  # same NIP as f1
                        record(3, "meeting", date(2013, 10, 1), B, firms=("f3",))])
    result = evaluate(rule, year, sources=["LCB"])
    assert result.value == 3
    assert result.by_institution == {A: 2, B: 2}
    assert result.by_source == {"LCB": 2}


def test_gauge_at_year_end_skips_a_firm_that_left_in_june_and_counts_a_firm_in_two_clusters_once():
    rule = check_rule({"kind": "gauge", "membership": "cluster_firms", "at": "year_end"})
    clusters = [MembershipFact("cluster-food", "f1", date(2010, 3, 1), None),
                MembershipFact("cluster-build", "f1", date(2011, 3, 1), None),
                MembershipFact("cluster-food", "f2", date(2010, 3, 1), date(2012, 6, 15)),
                MembershipFact("cluster-build", "f3", date(2012, 12, 31), None)]
    result = evaluate(rule, facts(2012, clusters=clusters), sources=["LCB", "WPiR"])
    assert result.value == 2  # f1 (in both clusters, once) and f3 (joined on 31 December); f2 left in June
    assert result.by_institution == {"cluster-build": 2, "cluster-food": 1}
    assert result.by_source == {"LCB": 1, "WPiR": 2}
    during = check_rule({"kind": "gauge", "membership": "cluster_firms", "at": "during_year"})
    assert evaluate(during, facts(2012, clusters=clusters)).value == 3
    assert evaluate(rule, facts(2009, clusters=clusters)).value == 0


def test_boolean_needs_every_condition():
    rule = check_rule({"kind": "boolean", "conditions": [
        {"at_least": 2, "rule": {"kind": "gauge", "membership": "network_institutions"}},
        {"at_least": 1, "rule": {"kind": "count_shared", "record_kind": "meeting", "min_network_institutions": 2}},
    ]})
    assert evaluate(rule, facts(2010, [record(1, "meeting", date(2010, 4, 4), A, B)])).value == 1
    assert evaluate(rule, facts(2010, [record(1, "meeting", date(2010, 4, 4), A, D)])).value == 0
    lonely = facts(2010, [record(1, "meeting", date(2010, 4, 4), A, B)])
    lonely.network_members = [MembershipFact("net", A, date(2009, 1, 1), None),
                              MembershipFact("net", B, date(2009, 1, 1), date(2010, 6, 30))]
    assert evaluate(rule, lonely).value == 0  # only one member on 31 December


def test_ratio_aggregates_numerator_and_denominator_separately_and_is_bd_without_denominator():
    rule = check_rule({"kind": "ratio", "percent": True,
                       "numerator": {"kind": "count", "record_kind": "contact"},
                       "denominator": {"kind": "count", "record_kind": "meeting"}})
    year = facts(2010, [record(1, "contact", date(2010, 1, 1), A), record(2, "meeting", date(2010, 1, 1), A),
                        record(3, "meeting", date(2010, 1, 2), A), record(4, "meeting", date(2010, 1, 3), B),
                        record(5, "meeting", date(2010, 1, 4), B)])
    result = evaluate(rule, year)
    assert result.value == 25  # 1 contact / 4 meetings
    assert result.by_institution == {A: 50, B: 0}
    assert evaluate(rule, facts(2010, [record(1, "contact", date(2010, 1, 1), A)])).value == "bd"


def test_reported_value_is_the_latest_entry_and_bd_when_none():
    rule = check_rule({"kind": "reported"})
    entries = [ReportedFact(2011, "", 120, "GUS", "c", "t1"), ReportedFact(2011, "", 0, "GUS korekta", "c", "t2"),
               ReportedFact(2012, "GUS", "bd", "tajemnica statystyczna", "c", "t3")]
    year = facts(2011, reported={"X.1.1.W1": entries})
    assert evaluate(rule, year, indicator_code="X.1.1.W1").value == 0  # a real zero, the later entry
    assert evaluate(rule, facts(2012, reported={"X.1.1.W1": entries}), indicator_code="X.1.1.W1",
                    sources=["GUS"]).value == "bd"
    assert evaluate(rule, facts(2013), indicator_code="X.1.1.W1").value == "bd"


def test_percent_achieved_keeps_dash_and_bd_apart_from_zero():
    assert percent_achieved(10, 5) == 50.0
    assert percent_achieved("-", 5) is None
    assert percent_achieved(10, "bd") is None
    assert percent_achieved(0, 0) is None
    assert percent_achieved(10, 0) == 0.0
    assert percent_achieved(5, 4, "decrease") == 100.0


def test_year_values_parse_to_three_distinct_things():
    assert check_year_value("-", field="v") == "-"
    assert check_year_value("–", field="v") == "-"
    assert check_year_value("bd", field="v") == "bd"
    assert check_year_value(0, field="v") == 0
    assert check_year_value("1,5", field="v") == 1.5
    assert len({repr(check_year_value(v, field="v")) for v in ("-", "bd", 0)}) == 3
    with pytest.raises(ValidationFailed):
        check_year_value(True, field="v")
    with pytest.raises(ValidationFailed):
        check_year_value("brak", field="v")


@pytest.mark.parametrize("rule, field", [
    ({"kind": "sum"}, "rule.kind"),
    ({"kind": "count", "record_kind": "visit"}, "rule.record_kind"),
    ({"kind": "count", "record_kind": "meeting", "subkinds": ["expertise"]}, "rule.subkinds"),
    ({"kind": "count", "record_kind": "meeting", "min_firms": -1}, "rule.min_firms"),
    ({"kind": "count", "record_kind": "meeting", "colour": "red"}, "rule"),
    ({"kind": "gauge", "membership": "friends"}, "rule.membership"),
    ({"kind": "boolean", "conditions": []}, "rule.conditions"),
    ({"kind": "ratio", "numerator": {"kind": "reported"}, "denominator": {"kind": "count", "record_kind": "contact"}},
     "rule.numerator.kind"),
])
def test_bad_rules_are_refused_naming_the_field(rule, field):
    with pytest.raises(ValidationFailed) as error:
        check_rule(rule)
    assert error.value.field == field


def test_every_kind_has_plain_words_in_polish_and_english():
    for rule in ({"kind": "count", "record_kind": "contact"}, {"kind": "reported"},
                 {"kind": "gauge", "membership": "cluster_firms"},
                 {"kind": "distinct_count", "record_kind": "meeting"},
                 {"kind": "ratio", "numerator": {"kind": "count", "record_kind": "meeting"},
                  "denominator": {"kind": "gauge", "membership": "network_institutions"}},
                 {"kind": "boolean", "conditions": [{"rule": {"kind": "count", "record_kind": "meeting"}}]}):
        text = describe(check_rule(rule))
        for words in (text.pl, text.en):
            assert words and (words[0].isupper() or words[0].isdigit()) and words.endswith(".")
        assert text.pl != text.en and text == f"{text.pl} ({text.en})"


def test_rule_words_name_the_filters_in_both_languages():
    text = describe(check_rule({"kind": "count_shared", "record_kind": "meeting", "subkinds": ["workshop"],
                                "min_network_institutions": 2, "min_firms": 1}))
    assert "rodzaj: warsztaty" in text.pl and "co najmniej 2 instytucji sieci" in text.pl
    assert "co najmniej 1 firmy" in text.pl and "liczy się raz dla sieci" in text.pl
    assert "kind: workshops" in text.en and "at least 2 network institutions" in text.en
    assert "at least 1 firm taking part" in text.en and "once for the network" in text.en
