"""The indicator values kept from tallies (projections/indicator_values/tallies.py) equal the domain's own
evaluation of the whole year's facts, for every kind of rule that reads records (counts, shared counts,
distinct counts of firms and of institutions, booleans and ratios of them, a gauge beside them), after
any mix of records, corrections, retractions, memberships and a rename — and after a rebuild."""

from __future__ import annotations

from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.application import DEFAULT_NETWORK_ID
from domain.errors import InvariantViolated
from infra.container import bootstrap, build_container
from infra.settings import Settings
from projections.indicator_values.compute import computable, indicator_rows
from projections.indicator_values.facts import strategy_state, year_facts
from projections.indicator_values.projection import stored_rows
from tests.integration.strategy.test_properties import FIRMS, apply, independent, operation
from tests.support.strategy import SID, STAFF, build_network

MEETINGS = {"kind": "count_shared", "record_kind": "meeting", "subkinds": [], "min_network_institutions": 2,
            "min_firms": 0}
RULES = {  # indicator -> the rule it is given for the test
    "III.1.3.W1": {"kind": "ratio", "percent": True,
                   "numerator": {"kind": "count_shared", "record_kind": "meeting", "min_firms": 1},
                   "denominator": {"kind": "count", "record_kind": "meeting"}},
    "III.1.3.W2": {"kind": "distinct_count", "record_kind": "meeting", "key": "firm"},
    "III.1.3.W3": {"kind": "distinct_count", "record_kind": "information_exchange", "key": "institution"},
    "III.1.3.W4": {"kind": "boolean", "conditions": [
        {"at_least": 1, "rule": {"kind": "gauge", "membership": "network_institutions", "at": "year_end"}},
        {"at_least": 2, "rule": MEETINGS}]},
}


def full_evaluation(tx) -> list[dict]:
    """Every computable indicator's rows from the year's whole facts (what the read model kept before tallies)."""
    state = strategy_state(tx, SID)
    cache: dict[int, object] = {}

    def facts_for(year: int):
        if year not in cache:
            cache[year] = year_facts(tx, state.network_id, year, reported=state.reported)
        return cache[year]

    rows = [row for code in sorted(state.indicators) if computable(state, code)
            for row in indicator_rows(state, code, facts_for)]
    return sorted(rows, key=lambda r: (r["indicator_code"], r["year"], r["institution_id"], r["source"]))


def check(container) -> list[dict]:
    container.runner.catch_up()
    with container.views.transaction() as tx:
        kept, expected = stored_rows(tx, strategy_id=SID), full_evaluation(tx)
    assert kept == expected
    return kept


def network_with_test_rules(container):
    """The test network, with every indicator in RULES given its test rule (shared by the tallies' and the
    drill-down evidence's randomised tests)."""
    net = build_network(container, DEFAULT_NETWORK_ID, firms=FIRMS)
    for code, rule in RULES.items():
        container.app.strategy.change_rule(indicator_code=code, rule=rule, reason="test", actor=STAFF)
    return net


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(operation, st.booleans(), st.one_of(st.none(), st.integers(-200, 200))),
                min_size=1, max_size=14), st.integers(0, 14), st.booleans())
def test_values_from_tallies_equal_the_rules_over_the_whole_year(operations, split, rename):
    container = build_container(Settings(in_memory=True))
    try:
        bootstrap(container)
        net = network_with_test_rules(container)
        operations = independent(operations)
        for op, retract, move in operations[:split]:
            apply(net, op, retract, move)
        check(container)
        if rename:  # sources go by short name: every value may change
            container.app.registry.rename_institution(institution_id=net.ids["LCB"], name="Centrum", short_name="LCB2",
                                                      actor=STAFF)
        container.app.registry.leave_network(network_id=DEFAULT_NETWORK_ID, institution_id=net.ids["PUP"],
                                             left_on=date(2011, 6, 30), actor=STAFF)
        for op, retract, move in operations[split:]:
            try:
                apply(net, op, retract, move)
            except InvariantViolated:  # PUP, gone since mid-2011, organising a network meeting: refused, nothing saved
                pass
        kept = check(container)
        container.runner.rebuild()
        assert check(container) == kept
    finally:
        container.close()
