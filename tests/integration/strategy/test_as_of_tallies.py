"""An as-of report from the tallies by recorded day (projections/indicator_values/history.py) equals the
recomputation over the record versions known then (`queries._computed_rows`, the oracle) for every day of a
randomised history: records, corrections that move them across years, retractions, rule changes, a network
member leaving and a rename, recorded over many days — incrementally, after a rebuild in pages that span days
(and days that span pages), and when only the tallies by day are rebuilt while the other read models are
already at the log's end."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import eventsourcing.domain
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.application import DEFAULT_NETWORK_ID
from domain.errors import InvariantViolated
from domain.values import WARSAW
from infra.container import all_projections, bootstrap, build_container
from infra.projection_runner import TRACKING_TABLE, ProjectionRunner
from infra.settings import Settings
from projections.base import end_of_warsaw_day
from projections.indicator_values.facts import strategy_state
from projections.indicator_values.history import HISTORY_TABLE
from projections.indicator_values.queries import _computed_rows, tallied_rows, task_report
from tests.integration.strategy.test_properties import FIRMS, apply, operation
from tests.integration.strategy.test_tallies import RULES
from tests.support.strategy import SID, STAFF, build_network

START = datetime(2014, 1, 2, 12, 0, tzinfo=timezone.utc)
# Minutes to the next step: mostly several steps a day, sometimes days without any.
gap = st.one_of(st.integers(0, 8 * 60), st.integers(0, 8 * 60), st.integers(0, 3 * 24 * 60))
record_step = st.tuples(st.tuples(operation, st.booleans(), st.one_of(st.none(), st.integers(-200, 200))), gap)
# Every history changes what contributions depend on, each at a place of its own among the records: a rule, a
# rename (sources go by short name), a member leaving (records needing two network members).
context_changes = st.tuples(
    st.tuples(st.tuples(st.just("rule"), st.sampled_from(sorted(RULES))), gap),
    st.tuples(st.tuples(st.just("rename"), st.sampled_from(["LCB", "CITT"])), gap),
    st.tuples(st.tuples(st.just("leave"), st.sampled_from(["PUP", "RIPH"])), gap),
    st.tuples(st.tuples(st.just("rule"), st.sampled_from(sorted(RULES))), gap),
)


def tick(now: dict) -> datetime:
    """The test's clock: where the test set it, a millisecond later at every reading (events are never
    recorded in the same instant, as on a real clock)."""
    now["now"] += timedelta(milliseconds=1)
    return now["now"]


def row_key(r: dict) -> tuple:
    return (r["indicator_code"], r["year"], r["institution_id"], r["source"])


def days_of(container) -> list[date]:
    with container.views.transaction() as tx:
        span = tx.execute("SELECT MIN(recorded_from) AS a, MAX(recorded_from) AS b FROM strategy_versions")[0]
        first, last = span["a"], span["b"]
        last_record = tx.execute("SELECT MAX(recorded_from) AS b FROM activity_versions")[0]["b"]
    moments = [datetime.strptime(t, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)
               for t in (first, last, last_record) if t]
    lo, hi = min(moments).astimezone(WARSAW).date(), max(moments).astimezone(WARSAW).date() + timedelta(days=1)
    return [lo - timedelta(days=1) + timedelta(days=i) for i in range((hi - lo).days + 2)]


def check_every_day(container) -> int:
    compared, days = 0, days_of(container)
    with container.views.transaction() as tx:
        for day in days:
            bound = end_of_warsaw_day(day)
            state = strategy_state(tx, SID, bound)
            for task in sorted(state.tasks):
                fast = sorted(tallied_rows(tx, state, SID, task, day, bound), key=row_key)
                slow = sorted(_computed_rows(tx, state, task, bound), key=row_key)
                assert fast == slow, (day, task)
                compared += len(slow)
    return compared


def history_rows(container) -> list[tuple]:
    """The tallies by day, a tally's consecutive rows of the same count as one (a day's changes that cancel
    out within a page leave none, across pages they may close a row and open its like)."""
    with container.views.transaction() as tx:
        rows = tx.execute(f"SELECT * FROM {HISTORY_TABLE} ORDER BY strategy_id, indicator_code, year, leaf, scope, "
                          "tally_key, since")
    out: list[list] = []
    for r in rows:
        key = (r["strategy_id"], r["indicator_code"], r["year"], r["leaf"], r["scope"], r["tally_key"])
        if out and out[-1][0] == key and out[-1][2] == r["since"] and out[-1][3] == r["n"]:
            out[-1][2] = r["until"]
        else:
            out.append([key, r["since"], r["until"], r["n"]])
    return [tuple(row) for row in out]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(record_step, min_size=1, max_size=12), context_changes, st.lists(st.integers(0, 12), min_size=4,
                                                                                   max_size=4))
def test_as_of_report_from_tallies_by_day_equals_the_recomputation_on_every_day(records, changes, places):
    steps = list(records)
    for change, place in sorted(zip(changes, places), key=lambda c: -c[1]):
        steps.insert(min(place, len(steps)), change)
    now = {"now": START}
    original = eventsourcing.domain.datetime_now_with_tzinfo
    eventsourcing.domain.datetime_now_with_tzinfo = lambda: tick(now)
    container = build_container(Settings(in_memory=True))
    try:
        bootstrap(container)
        net = build_network(container, DEFAULT_NETWORK_ID, firms=FIRMS)
        memberships: set[tuple] = set()  # one membership per firm and cluster, as `independent` keeps them
        renamed = 0
        for item, minutes in steps:
            now["now"] += timedelta(minutes=minutes)
            if len(item) == 3:
                op, retract, move = item
                if op[0] == "cluster":
                    if (op[1], op[2]) in memberships:
                        continue
                    memberships.add((op[1], op[2]))
                try:
                    apply(net, op, retract, move)
                except InvariantViolated:  # an institution gone from the network organising a meeting: refused
                    pass
            elif item[0] == "rule":
                container.app.strategy.change_rule(indicator_code=item[1], rule=RULES[item[1]], reason="test",
                                                   actor=STAFF)
            elif item[0] == "rename":
                renamed += 1
                container.app.registry.rename_institution(institution_id=net.ids[item[1]], name=f"Nowa {renamed}",
                                                          short_name=f"{item[1]}{renamed}", actor=STAFF)
            else:
                try:
                    container.app.registry.leave_network(network_id=DEFAULT_NETWORK_ID, institution_id=net.ids[item[1]],
                                                         left_on=date(2011, 6, 30), actor=STAFF)
                except InvariantViolated:  # left already
                    pass
            if minutes % 3 == 0:  # the read models follow in pages of different lengths
                container.runner.catch_up()
        container.runner.catch_up()
        assert check_every_day(container) > 0
        incremental = history_rows(container)

        container.runner.page_size = container.runner.max_page_size = 3  # pages span days, days span pages
        container.runner.rebuild()
        assert history_rows(container) == incremental
        check_every_day(container)

        with container.views.transaction(write=True) as tx:  # only the tallies by day are rebuilt, the rest current
            tx.execute(f"DELETE FROM {TRACKING_TABLE} WHERE name = 'indicator_history'")
            tx.execute(f"DROP TABLE {HISTORY_TABLE}")
        runner = ProjectionRunner(container.app, container.views, all_projections(), page_size=3)
        runner.max_page_size = 3
        runner.catch_up()
        assert history_rows(container) == incremental
        check_every_day(container)
    finally:
        container.close()
        eventsourcing.domain.datetime_now_with_tzinfo = original


def test_an_as_of_report_reads_the_tallies_not_the_records():
    """The as-of report is answered from the tallies by day: with them emptied it counts nothing, while the
    recomputation still counts the day's meeting (so the report does not recompute)."""
    now = {"now": START}
    original = eventsourcing.domain.datetime_now_with_tzinfo
    eventsourcing.domain.datetime_now_with_tzinfo = lambda: tick(now)
    container = build_container(Settings(in_memory=True))
    try:
        bootstrap(container)
        net = build_network(container, DEFAULT_NETWORK_ID, firms=FIRMS)
        net.meeting(date(2011, 3, 1), "LCB", "RIPH", "CITT")
        container.runner.catch_up()
        day = START.astimezone(WARSAW).date()
        with container.views.transaction() as tx:
            before = task_report(tx, "III.1.3", strategy_id=SID, as_of=day)
        with container.views.transaction(write=True) as tx:
            tx.execute(f"DELETE FROM {HISTORY_TABLE}")
        with container.views.transaction() as tx:
            after = task_report(tx, "III.1.3", strategy_id=SID, as_of=day)
            state = strategy_state(tx, SID, end_of_warsaw_day(day))
            slow = _computed_rows(tx, state, "III.1.3", end_of_warsaw_day(day))
        meetings = next(i for i in before["indicators"] if i["code"] == "III.1.3.W3")
        assert meetings["years"]["2011"]["actual"] == 1
        assert next(i for i in after["indicators"] if i["code"] == "III.1.3.W3")["years"]["2011"]["actual"] == 0
        assert next(r for r in slow if r["indicator_code"] == "III.1.3.W3" and r["year"] == 2011
                    and r["institution_id"] == "" and r["source"] == "")["actual"] == 1
    finally:
        container.close()
        eventsourcing.domain.datetime_now_with_tzinfo = original
