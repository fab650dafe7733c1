"""Strategy values in the audit trail are said in words: targets per year with "–" and "bd" kept apart, a rule
described, an indicator or task by code and name, stages by number and name; other fields are left alone."""

from domain.labels import field_label, strategy_value_words


def test_targets_keep_not_planned_no_data_and_zero_apart():
    words = strategy_value_words("targets", {"2010": 3, "2009": "-", "2011": "bd", "2012": 0})
    assert words == "2009: –; 2010: 3; 2011: bd; 2012: 0"


def test_a_rule_is_described_in_both_languages():
    words = strategy_value_words("rule", {"kind": "reported"})
    assert "GUS" in words.pl and "GUS" in words.en and words.pl != words.en


def test_named_parts_and_stages():
    assert strategy_value_words("indicator", {"code": "III.1.3.W2", "name": "Ilość kontaktów"}) == \
        "III.1.3.W2 Ilość kontaktów"
    assert strategy_value_words("stages", [{"number": 1, "name": "Start"}, {"number": 2, "name": "Koniec"}]) == \
        "1. Start; 2. Koniec"


def test_other_fields_and_odd_values_are_left_alone():
    assert strategy_value_words("summary", {"a": 1}) is None
    assert strategy_value_words("rule", "not a rule") is None
    assert strategy_value_words("rule", {"kind": "count"}) is None  # a rule missing its settings: shown as it is
    assert field_label("targets").pl == "Wartości docelowe"
