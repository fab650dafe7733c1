"""The coordinator's strategy actions cannot change a closed year's numbers either.

Targets, reported indicator values and stage plan/progress for a closed year are refused until the
coordinator reopens the year for the strategy (with a reason); a rule change stays allowed (it applies
to every year's current values, published versions keep their rule) and says so; a strategy file that
would change a closed year's targets fails as a whole.
"""

from __future__ import annotations

from datetime import date

import pytest

from domain.application import DEFAULT_NETWORK_ID
from domain.closing import report_diff
from domain.errors import InvariantViolated, ValidationFailed
from infra.closing import close_year, reproduce_report
from infra.strategy_loader import default_strategy_text, load_strategy_file
from tests.integration.audit.test_year_closing import COORDINATOR, clock, sign_off_all, world  # noqa: F401 (fixtures)

NET = DEFAULT_NETWORK_ID
CLOSING_DAY = date(2013, 1, 20)
REPORTED_SUFFIX = "W9"  # an indicator with a `reported` rule, defined here (the default strategy has none)


def contacts_indicator_code(app) -> str:
    strategy = app.strategy.get_strategy()
    return next(code for code, i in strategy.indicators.items() if "kontakt" in i["name"].lower())


def reported_code(app) -> str:
    return f"{app.strategy.get_strategy().indicators[contacts_indicator_code(app)]['task_code']}.{REPORTED_SUFFIX}"


def stage_with_2012_progress(app) -> tuple[str, int, float]:
    """(task, stage number, realised) of a stage that plans and reports something in 2012."""
    for code, task in app.strategy.get_strategy().tasks.items():
        for key, realised in task["progress"].items():
            number_, year = key.split(":")
            if year == "2012":
                return code, int(number_), realised
    raise AssertionError("the default strategy reports no 2012 stage progress")


@pytest.fixture
def closed_2012(world, clock):  # noqa: F811
    container, ids = world
    app = container.app
    task_code = app.strategy.get_strategy().indicators[contacts_indicator_code(app)]["task_code"]
    app.strategy.define_indicator(indicator={"code": reported_code(app), "task_code": task_code, "name": "Liczba podmiotów (GUS)",
                                             "level": "result", "sources": ["GUS"], "targets": {"2012": 10, "2013": 12},
                                             "rule": {"kind": "reported"}}, actor=COORDINATOR)
    app.strategy.report_indicator_value(indicator_code=reported_code(app), year=2012, value=9, source="GUS", actor=COORDINATOR)
    sign_off_all(container, ids)
    clock.move_to(CLOSING_DAY)
    close_year(container, network_id=NET, year=2012, actor=COORDINATOR)
    return container, ids


def refused_and_nothing_stored(app, change, field_part: str) -> InvariantViolated:
    position = app.recorder.max_notification_id()
    with pytest.raises(InvariantViolated) as refused:
        change()
    assert app.recorder.max_notification_id() == position
    assert "2012" in refused.value.message and "(" in refused.value.message  # Polish first, English in brackets
    assert field_part in refused.value.field and "2012" in refused.value.field
    return refused.value


def test_targets_for_a_closed_year_are_refused_and_other_years_go_through(closed_2012):
    container, _ = closed_2012
    app = container.app
    code = contacts_indicator_code(app)
    targets = dict(app.strategy.get_strategy().indicators[code]["targets"])
    error = refused_and_nothing_stored(app, lambda: app.strategy.set_targets(
        indicator_code=code, targets={**targets, "2012": targets["2012"] + 1}, reason="korekta",
        actor=COORDINATOR), code)
    assert "strategi" in error.message
    # Removing the closed year's target is a change too.
    without_2012 = {y: v for y, v in targets.items() if y != "2012"}
    refused_and_nothing_stored(app, lambda: app.strategy.set_targets(indicator_code=code, targets=without_2012,
                                                                     reason="korekta", actor=COORDINATOR), code)
    app.strategy.set_targets(indicator_code=code, targets={**targets, "2013": targets["2013"] + 1}, reason="korekta 2013",
                             actor=COORDINATOR)
    assert app.strategy.get_strategy().indicators[code]["targets"]["2013"] == targets["2013"] + 1


def test_reported_values_for_a_closed_year_are_refused(closed_2012):
    container, _ = closed_2012
    app = container.app
    code = reported_code(app)
    refused_and_nothing_stored(app, lambda: app.strategy.report_indicator_value(
        indicator_code=code, year=2012, value=11, source="GUS", actor=COORDINATOR), code)
    before = app.recorder.max_notification_id()
    app.strategy.report_indicator_value(indicator_code=code, year=2013, value=11, source="GUS", actor=COORDINATOR)
    assert app.recorder.max_notification_id() == before + 2  # the value and the network's closing gate


def test_stage_progress_for_a_closed_year_is_refused(closed_2012):
    container, _ = closed_2012
    app = container.app
    task_code, stage, realised = stage_with_2012_progress(app)
    refused_and_nothing_stored(app, lambda: app.strategy.report_stage_progress(
        task_code=task_code, stage_number=stage, year=2012, realised=realised / 2, actor=COORDINATOR), task_code)


def test_a_rule_change_goes_through_says_published_versions_are_unaffected_and_leaves_them(closed_2012, clock,  # noqa: F811
                                                                                          tmp_path):
    container, _ = closed_2012
    app = container.app
    clock.move_to(date(2013, 2, 1))
    v1 = app.years.report_version(network_id=NET, year=2012, version=1)
    text = default_strategy_text().replace('rule = { kind = "count", record_kind = "contact" }',
                                           'rule = { kind = "count", record_kind = "meeting" }')
    assert text != default_strategy_text()
    path = tmp_path / "strategia.toml"
    path.write_text(text, encoding="utf-8")
    result = load_strategy_file(app, path, actor=COORDINATOR)
    assert result.new_events == 1
    [note] = result.notes
    assert "opublikowane wersje" in note and "published report versions" in note and "2012" in note
    assert app.years.report_version(network_id=NET, year=2012, version=1) == v1
    assert reproduce_report(container, network_id=NET, year=2012, as_of=CLOSING_DAY) == v1["report"]


def test_a_strategy_file_changing_a_closed_years_target_fails_as_a_whole(closed_2012, tmp_path):
    container, _ = closed_2012
    app = container.app
    original = default_strategy_text()
    # One change in an open year (2013), one in the closed year (2012): neither may be recorded.
    text = original.replace("targets = { 2009 = 3, 2010 = 30, 2011 = 6, 2012 = 7, 2013 = 2 }",
                            "targets = { 2009 = 3, 2010 = 30, 2011 = 6, 2012 = 8, 2013 = 2 }")
    text = text.replace("targets = { 2009 = 4, 2010 = 10, 2011 = 3, 2012 = 1, 2013 = 5 }",
                        "targets = { 2009 = 4, 2010 = 10, 2011 = 3, 2012 = 1, 2013 = 6 }")
    assert text.count("\n") == original.count("\n") and len(text) == len(original) and text != original
    path = tmp_path / "strategia.toml"
    path.write_text(text, encoding="utf-8")
    strategy_before = app.strategy.get_strategy()
    position = app.recorder.max_notification_id()
    with pytest.raises(InvariantViolated, match="2012") as refused:
        load_strategy_file(app, path, actor=COORDINATOR)
    assert "targets.2012" in refused.value.field
    assert app.recorder.max_notification_id() == position
    assert app.strategy.get_strategy().version == strategy_before.version


def test_after_a_strategy_reopen_the_change_goes_through_and_version_2_differs_by_exactly_it(closed_2012, clock):  # noqa: F811
    container, _ = closed_2012
    app = container.app
    code = contacts_indicator_code(app)
    targets = dict(app.strategy.get_strategy().indicators[code]["targets"])
    with pytest.raises(ValidationFailed):
        app.years.reopen_year(network_id=NET, year=2012, institution_id=None, reason="  ", actor=COORDINATOR)
    app.years.reopen_year(network_id=NET, year=2012, institution_id=None, reason="Korekta celu po uchwale rady",
                            actor=COORDINATOR)
    with pytest.raises(InvariantViolated, match="strategi"):
        app.years.reopen_year(network_id=NET, year=2012, institution_id=None, reason="drugi raz", actor=COORDINATOR)
    reporting_year = app.years.get_reporting_year(NET, 2012)
    assert reporting_year.signed_off  # a strategy reopen takes no lead's sign-off back
    # Records of the year stay frozen: the reopening is for the strategy only.
    assert not reporting_year.is_open_for(next(iter(reporting_year.signed_off)))

    app.strategy.set_targets(indicator_code=code, targets={**targets, "2012": targets["2012"] + 5},
                             reason="Korekta celu po uchwale rady", actor=COORDINATOR)
    close_year(container, network_id=NET, year=2012, actor=COORDINATOR)  # no new sign-off needed
    v1 = app.years.report_version(network_id=NET, year=2012, version=1)
    v2 = app.years.report_version(network_id=NET, year=2012, version=2)
    changes = report_diff(v1["report"], v2["report"])
    # Exactly that target and what follows from it in the same indicator's row (the 2012 percentage and
    # the cumulative targets from 2012 on); nothing else in the report.
    [target] = [c for c in changes if c["path"].endswith("/years/2012/target")]
    assert (target["old"], target["new"]) == (targets["2012"], targets["2012"] + 5)
    row = target["path"].removesuffix("years/2012/target")
    assert all(c["path"].startswith(row) for c in changes)
    derived = {c["path"].removeprefix(row): c for c in changes if c is not target}
    assert set(derived) - {"years/2012/percent"} == {f"years/{y}/cumulative_target" for y in targets
                                                    if int(y) >= 2012}
    assert all(c["new"] - c["old"] == 5 for key, c in derived.items() if key.endswith("cumulative_target"))
    # Closed again: the next change needs another reopen.
    refused_and_nothing_stored(app, lambda: app.strategy.set_targets(indicator_code=code, targets=targets, reason="cofnięcie",
                                                                     actor=COORDINATOR), code)


def test_splot_strategy_load_on_a_real_store_states_the_rule_effect_and_refuses_a_closed_years_target(
        sqlite_settings, monkeypatch, tmp_path):
    from typer.testing import CliRunner

    from infra.cli import app as cli_app
    from infra.container import bootstrap, build_container

    container = build_container(sqlite_settings)
    try:
        bootstrap(container)
        close_year(container, network_id=NET, year=2012, actor=COORDINATOR)  # no members yet: no sign-offs due
        position = container.app.recorder.max_notification_id()
    finally:
        container.close()
    monkeypatch.setenv("SPLOT_DATA_DIR", str(sqlite_settings.data_dir))
    runner = CliRunner()
    original = default_strategy_text()

    changed_target = tmp_path / "cel.toml"
    changed_target.write_text(original.replace("2011 = 6, 2012 = 7,", "2011 = 6, 2012 = 8,"), encoding="utf-8")
    refused = runner.invoke(cli_app, ["strategy", "load", str(changed_target)], catch_exceptions=False)
    assert refused.exit_code == 1 and "targets.2012" in "".join(refused.output.split())

    changed_rule = tmp_path / "regula.toml"
    changed_rule.write_text(original.replace('record_kind = "contact" }', 'record_kind = "meeting" }'),
                            encoding="utf-8")
    loaded = runner.invoke(cli_app, ["strategy", "load", str(changed_rule)], catch_exceptions=False)
    assert loaded.exit_code == 0, loaded.output
    said = " ".join(loaded.output.split())  # the console may wrap long lines
    assert "opublikowane wersje" in said and "published report versions" in said

    container = build_container(sqlite_settings)
    try:
        assert container.app.recorder.max_notification_id() == position + 1  # the rule change only
    finally:
        container.close()
