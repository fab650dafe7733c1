"""The current drill-down read from the evidence table (projections/indicator_values/evidence.py) equals the
domain's own evaluation of the whole year (the oracle: `rules.evaluate` over the year's facts, its evidence
described as the drill-down describes it), in order, page after page, for the network and for every
institution's view, for every kind of rule that reads records (counts, shared counts, distinct counts, a
ratio, a boolean with a gauge) — after any mix of records, corrections that move them across years,
retractions, memberships, a rename and a member leaving, and after a rebuild."""

from __future__ import annotations

from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.application import DEFAULT_NETWORK_ID
from domain.errors import InvariantViolated
from domain.strategy.rules import evaluate
from domain.values import warsaw_today
from infra.container import bootstrap, build_container
from infra.settings import Settings
from projections.indicator_values.compute import computable
from projections.indicator_values.drill_down import _entry, indicator_events, indicator_events_page
from projections.indicator_values.evidence import EVIDENCE_TABLE
from projections.indicator_values.facts import institution_names, strategy_state, year_facts
from tests.integration.strategy.test_properties import FIRMS, apply, independent, operation
from tests.integration.strategy.test_tallies import RULES, network_with_test_rules
from tests.support.strategy import SID, STAFF, build_network

YEARS = range(2009, 2015)


def oracle(tx, code: str, year: int, institution_id: str | None) -> list[dict]:
    state = strategy_state(tx, SID)
    indicator = state.indicators[code]
    facts = year_facts(tx, state.network_id, year, reported=state.reported)
    items = evaluate(state.rules[code]["rule"], facts, indicator_code=code, sources=indicator["sources"]).evidence
    items = [e for e in items if institution_id is None or institution_id in e.institution_ids]
    firms = {r["id"]: r for r in tx.execute("SELECT id, name FROM registry_firms")}
    return [_entry(e, institution_names(tx, None), firms) for e in items]


def walk(tx, code: str, year: int, institution_id: str | None, limit: int) -> list[dict]:
    """Every page from the first by next_cursor; checks each page's total, offset and way back."""
    pages, cursor = [], None
    while True:
        page = indicator_events_page(tx, code, year, strategy_id=SID, institution_id=institution_id,
                                     cursor=cursor, limit=limit)
        pages.append(page)
        if page["next_cursor"] is None:
            break
        assert len(page["items"]) == limit
        cursor = page["next_cursor"]
    seen = [item for page in pages for item in page["items"]]
    for number, page in enumerate(pages):
        assert page["total"] == len(seen)
        assert page["offset"] == number * limit
        if number:  # the page before, by previous_cursor, is the one read before
            back = indicator_events_page(tx, code, year, strategy_id=SID, institution_id=institution_id,
                                         cursor=page["previous_cursor"] or None, limit=limit)
            assert back["items"] == pages[number - 1]["items"]
    return seen


def check(container, net, limit: int) -> int:
    container.runner.catch_up()
    compared = 0
    with container.views.transaction() as tx:
        state = strategy_state(tx, SID)
        for code in sorted(c for c in RULES if computable(state, c)):
            for year in YEARS:
                for institution_id in (None, *sorted(net.ids.values())):
                    institution_id = None if institution_id is None else str(institution_id)
                    expected = oracle(tx, code, year, institution_id)
                    assert walk(tx, code, year, institution_id, limit) == expected, (code, year, institution_id)
                    assert indicator_events(tx, code, year, strategy_id=SID,
                                            institution_id=institution_id) == expected
                    compared += len(expected)
    return compared


def evidence_rows(container) -> list[dict]:
    with container.views.transaction() as tx:
        return tx.execute(f"SELECT * FROM {EVIDENCE_TABLE} ORDER BY strategy_id, indicator_code, year, leaf, scope, "
                          "occurred_on, record_id")


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(operation, st.booleans(), st.one_of(st.none(), st.integers(-200, 200))),
                min_size=1, max_size=14), st.integers(0, 14), st.booleans(), st.integers(1, 3))
def test_drill_down_pages_from_the_table_equal_the_evaluation(operations, split, rename, limit):
    container = build_container(Settings(in_memory=True))
    try:
        bootstrap(container)
        net = network_with_test_rules(container)
        operations = independent(operations)
        for op, retract, move in operations[:split]:
            apply(net, op, retract, move)
        check(container, net, limit)
        if rename:  # sources go by short name
            container.app.registry.rename_institution(institution_id=net.ids["LCB"], name="Centrum", short_name="LCB2",
                                                      actor=STAFF)
        container.app.registry.leave_network(network_id=DEFAULT_NETWORK_ID, institution_id=net.ids["PUP"],
                                             left_on=date(2011, 6, 30), actor=STAFF)
        for op, retract, move in operations[split:]:
            try:
                apply(net, op, retract, move)
            except InvariantViolated:  # PUP, gone since mid-2011, organising a network meeting: refused
                pass
        check(container, net, limit)
        kept = evidence_rows(container)
        container.runner.rebuild()
        assert evidence_rows(container) == kept
        check(container, net, limit)
    finally:
        container.close()


def test_the_current_drill_down_reads_the_table_not_the_records():
    """With the evidence table emptied the current drill-down shows nothing, while the as-of one (evaluated)
    still shows the meeting: the current page does not re-evaluate the year."""
    container = build_container(Settings(in_memory=True))
    try:
        bootstrap(container)
        net = build_network(container, DEFAULT_NETWORK_ID, firms=FIRMS)
        net.meeting(date(2011, 3, 1), "LCB", "RIPH", "CITT")
        container.runner.catch_up()
        with container.views.transaction() as tx:
            before = indicator_events_page(tx, "III.1.3.W3", 2011, strategy_id=SID, limit=10)
        with container.views.transaction(write=True) as tx:
            tx.execute(f"DELETE FROM {EVIDENCE_TABLE}")
        with container.views.transaction() as tx:
            after = indicator_events_page(tx, "III.1.3.W3", 2011, strategy_id=SID, limit=10)
            as_of = indicator_events_page(tx, "III.1.3.W3", 2011, strategy_id=SID, limit=10, as_of=warsaw_today())  # the Warsaw day: UTC's can be a day behind
        assert before["total"] == 1 and [i["type"] for i in before["items"]] == ["record"]
        assert after["total"] == 0 and after["items"] == []
        assert as_of["items"] == before["items"]
    finally:
        container.close()
