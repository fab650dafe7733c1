"""The coordinator's strategy changes over the JSON API (the same use cases as the pages): targets replaced
and seen in the report, a bool or a word refused with nothing stored, a rule previewed in words then
changed, a reported value, stage progress in one change (and "nothing changed" said), a closed year refused.
`STRATEGY_CHANGE_ROUTES` gives the role matrix (tests/e2e/api/test_authorization_matrix.py) its rows."""

from __future__ import annotations

from domain.values import Actor
from tests.support.world import auth

V1 = "/api/v1"
TASK = "III.1.3"
CONTACTS = "III.1.3.W2"


def _report(client, world) -> dict:
    return client.get(f"{V1}/strategy/tasks/{TASK}/report", headers=auth(world.tokens["auditor"])).json()


def _indicator(report: dict, code: str) -> dict:
    return next(i for i in report["indicators"] if i["code"] == code)


def test_targets_are_replaced_and_reach_the_report(client, world):
    answer = client.put(f"{V1}/strategy/indicators/{CONTACTS}/targets", headers=auth(world.tokens["coordinator"]),
                        json={"targets": {"2009": "-", "2010": 3, "2011": "bd", "2012": 0, "2013": 2.5},
                              "reason": "Uchwała"})
    assert answer.status_code == 200, answer.text
    years = _indicator(_report(client, world), CONTACTS)["years"]
    assert [years[y]["target"] for y in ("2009", "2010", "2011", "2012", "2013")] == ["-", 3, "bd", 0, 2.5]


def test_a_bool_or_a_word_is_refused_and_nothing_is_stored(client, container, world):
    before = container.runner.log_position()
    for targets in ({"2010": True}, {"2010": "dużo"}, {"1999": 1}):
        answer = client.put(f"{V1}/strategy/indicators/{CONTACTS}/targets",
                            headers=auth(world.tokens["coordinator"]), json={"targets": targets, "reason": "x"})
        assert answer.status_code in (400, 422), (targets, answer.text)
        assert answer.headers["content-type"].startswith("application/problem+json")
    assert container.runner.log_position() == before


def test_a_rule_is_previewed_in_words_then_changed_and_a_value_reported(client, container, world):
    coordinator = auth(world.tokens["coordinator"])
    before = container.runner.log_position()
    preview = client.post(f"{V1}/strategy/indicators/III.1.3.W4/rule/preview", headers=coordinator,
                          json={"rule": {"kind": "reported"}})
    assert preview.status_code == 200 and "GUS" in preview.json()["words"] and not preview.json()["unchanged"]
    assert container.runner.log_position() == before
    changed = client.put(f"{V1}/strategy/indicators/III.1.3.W4/rule", headers=coordinator,
                         json={"rule": {"kind": "reported"}, "reason": "Dane zewnętrzne"})
    assert changed.status_code == 200, changed.text
    value = client.post(f"{V1}/strategy/indicators/III.1.3.W4/values", headers=coordinator,
                        json={"year": 2011, "value": 6, "source": "WPiR"})
    assert value.status_code == 201, value.text
    assert _indicator(_report(client, world), "III.1.3.W4")["years"]["2011"]["actual"] == 6
    unknown = client.post(f"{V1}/strategy/indicators/III.1.3.W4/rule/preview", headers=coordinator,
                          json={"rule": {"kind": "sum"}})
    assert unknown.status_code in (400, 422)


def test_stage_progress_in_one_change(client, container, world):
    coordinator = auth(world.tokens["coordinator"])
    before = container.app.strategy.get_strategy().version
    body = {"progress": [{"stage": 4, "year": 2013, "realised": 2.5}, {"stage": 2, "year": 2013, "realised": 10}]}
    answer = client.post(f"{V1}/strategy/tasks/{TASK}/stage-progress", headers=coordinator, json=body)
    assert answer.status_code == 200 and answer.json()["notification_id"] is not None
    assert container.app.strategy.get_strategy().version == before + 1  # stage 2 already had 10 in 2013: one event
    again = client.post(f"{V1}/strategy/tasks/{TASK}/stage-progress", headers=coordinator, json=body)
    assert again.status_code == 200 and again.json()["notification_id"] is None  # nothing differed: nothing saved
    assert again.json()["version"] == answer.json()["version"]
    over = client.post(f"{V1}/strategy/tasks/{TASK}/stage-progress", headers=coordinator,
                       json={"progress": [{"stage": 4, "year": 2012, "realised": 2}, {"stage": 2, "year": 2012,
                                                                                       "realised": 90}]})
    assert over.status_code in (400, 409, 422)
    assert container.app.strategy.get_strategy().version == before + 1


REPORTED = "III.1.3.W4"


def make_reported(container, world) -> None:
    """The matrix's cell for entered values needs an indicator whose rule is `reported`."""
    container.app.strategy.change_rule(indicator_code=REPORTED, rule={"kind": "reported"}, reason="test",
                                       actor=Actor(user_id="setup"))


def _matrix_routes() -> dict:
    from tests.e2e.api.test_authorization_matrix import Route, same

    coordinator_only = {"staff": same(403), "lead": same(403), "auditor": same(403), "admin": same(403)}
    return {
        "PUT strategy/indicators/{code}/targets": Route(
            "PUT", lambda w, s: f"/strategy/indicators/{CONTACTS}/targets",
            lambda w, s: {"targets": {"2010": 4}, "reason": "x"}, {**coordinator_only, "coordinator": same(200)}),
        "POST strategy/indicators/{code}/values": Route(
            "POST", lambda w, s: f"/strategy/indicators/{REPORTED}/values",
            lambda w, s: {"year": 2010, "value": 1}, {**coordinator_only, "coordinator": same(201)},
            setup=make_reported),
        "POST strategy/tasks/{code}/stage-progress": Route(
            "POST", lambda w, s: f"/strategy/tasks/{TASK}/stage-progress",
            lambda w, s: {"progress": [{"stage": 4, "year": 2013, "realised": 2}]},
            {**coordinator_only, "coordinator": same(200)}),
        "POST strategy/indicators/{code}/rule/preview": Route(
            "POST", lambda w, s: f"/strategy/indicators/{CONTACTS}/rule/preview",
            lambda w, s: {"rule": {"kind": "reported"}}, {**coordinator_only, "coordinator": same(200)}),
        "PUT strategy/indicators/{code}/rule": Route(
            "PUT", lambda w, s: f"/strategy/indicators/{CONTACTS}/rule",
            lambda w, s: {"rule": {"kind": "reported"}, "reason": "x"}, {**coordinator_only, "coordinator": same(200)}),
    }


def __getattr__(name: str):
    if name == "STRATEGY_CHANGE_ROUTES":  # lazy: the matrix module imports this one
        return _matrix_routes()
    raise AttributeError(name)


def test_a_retry_with_the_same_key_answers_as_the_first_time(client, container, world):
    headers = {**auth(world.tokens["coordinator"]), "Idempotency-Key": "targets-2013-03-05"}
    body = {"targets": {"2010": 8}, "reason": "Uchwała"}
    first = client.put(f"{V1}/strategy/indicators/{CONTACTS}/targets", headers=headers, json=body)
    version = container.app.strategy.get_strategy().version
    again = client.put(f"{V1}/strategy/indicators/{CONTACTS}/targets", headers=headers, json=body)
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json() and container.app.strategy.get_strategy().version == version
