"""Security events in the audit trail (issue 12): every sign-in outcome, change of an account's access and API
token is an event of the log, written by the use cases, holding no password, token, TOTP code or typed e-mail;
throttled floods write one event per window; auditors read them in their municipality's trail, staff do not."""

from __future__ import annotations

import json
from uuid import UUID

import pyotp
import pytest

from domain.application import DEFAULT_MUNICIPALITY_ID
from domain.errors import NotFound, ValidationFailed
from domain.policy import Forbidden
from domain.security_log import DEPLOYMENT_SCOPE
from domain.use_cases.audit import AuditFilter
from domain.use_cases.sign_in import SignInRefused, SignInThrottled, SignInUseCases
from domain.use_cases.users import OPERATOR
from infra.throttle import SignInThrottle
from tests.support.pages import PASSWORD
from tests.support.world import world  # noqa: F401 (fixture)

ADDRESS = "203.0.113.9"
UNKNOWN = "kto.inny.jan.kowalski@example.org"


def stored(container, since: int = 0) -> list[tuple[str, dict]]:
    """(topic, state) of every event stored after position `since`."""
    notifications = container.app.recorder.select_notifications(since + 1, 100_000, inclusive_of_start=True)
    return [(n.topic, json.loads(n.state)) for n in notifications]


def security(container, since: int = 0) -> list[tuple[str, dict]]:
    return [(t, s) for t, s in stored(container, since)
            if t.split(":")[1].split(".")[0] in ("SignIn", "AccountChange", "ApiTokenChange")]


def position(container) -> int:
    return container.app.recorder.max_notification_id() or 0


def topics(events) -> list[str]:
    return [t.removeprefix("splot:") for t, _ in events]


def user(container, role: str):
    return container.users.get_by_email(f"{role}@example.org")


def test_a_sign_in_and_a_sign_out_are_events_of_the_account_in_its_municipality(container, world):
    start = position(container)
    result = container.use_cases.sign_in.sign_in("staff@example.org", PASSWORD, address=ADDRESS)
    container.use_cases.sign_in.sign_out(result.user, address=ADDRESS)
    events = security(container, start)
    assert topics(events) == ["SignIn.Succeeded", "SignIn.SignedOut"]
    state = events[0][1]
    assert state["user_id"] == str(result.user.id) == state["actor_user_id"]
    assert state["address"] == ADDRESS and state["second_factor"] is False
    assert UUID(state["network_id"]["_data_"]) == container.use_cases.users.scopes.of(result.user).home_network_id
    raw = json.dumps(stored(container, start))
    assert "staff@example.org" not in raw and PASSWORD not in raw


def test_a_failed_sign_in_naming_no_account_keeps_only_unknown_account_and_the_address(container, world):
    start = position(container)
    with pytest.raises(SignInRefused):
        container.use_cases.sign_in.sign_in(UNKNOWN, "zgadywane hasło 123", address=ADDRESS)
    (topic, state), = security(container, start)
    assert topic == "splot:SignIn.Failed"
    assert state["failure"] == "unknown_account" and state["user_id"] is None and state["address"] == ADDRESS
    assert state["actor_user_id"] == "anonymous"
    assert UUID(state["network_id"]["_data_"]) == DEPLOYMENT_SCOPE
    raw = json.dumps(stored(container, start))
    assert "kowalski" not in raw.lower() and "zgadywane" not in raw


def test_a_wrong_password_and_a_disabled_account_are_told_apart_in_the_trail_not_on_the_form(container, world):
    start = position(container)
    staff = user(container, "staff")
    for _ in range(2):
        with pytest.raises(SignInRefused) as refused:
            container.use_cases.sign_in.sign_in("staff@example.org", "not the password", address=ADDRESS)
        assert "e-mail lub hasło" in str(refused.value)  # the form never says which
        container.use_cases.users.disable(user(container, "admin"), staff.id)
    events = security(container, start)
    assert topics(events) == ["SignIn.Failed", "AccountChange.UserDisabled", "SignIn.Failed"]
    assert [s.get("failure") for _, s in events] == ["wrong_password", None, "account_disabled"]
    assert events[0][1]["user_id"] == str(staff.id)
    assert "not the password" not in json.dumps(stored(container, start))


def test_an_empty_form_is_no_attempt_and_writes_nothing(container, world):
    start = position(container)
    with pytest.raises(SignInRefused):
        container.use_cases.sign_in.sign_in("staff@example.org", "", address=ADDRESS)
    assert security(container, start) == []


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_throttled_flood_writes_one_event_per_window_not_one_per_attempt(container, world):
    clock = Clock()
    throttle = SignInThrottle(clock=clock)
    uc = SignInUseCases(container.users, container.use_cases.users, container.use_cases.users.security, throttle,
                        clock=clock)
    start = position(container)
    for attempt in range(60):  # 5 failures, then the account is refused without a check
        clock.now += 1
        with pytest.raises((SignInRefused, SignInThrottled)):
            uc.sign_in("lead@example.org", f"guess {attempt}", address=ADDRESS)
    events = security(container, start)
    assert topics(events) == ["SignIn.Failed"] * 5 + ["SignIn.Throttled"]
    assert events[-1][1]["stage"] == "password" and events[-1][1]["user_id"] == str(user(container, "lead").id)
    # the same address trying other accounts in the window: still no new event
    refusals = []
    for n in range(30):
        with pytest.raises((SignInRefused, SignInThrottled)) as refused:
            uc.sign_in(f"inny{n}@example.org", "guess", address=ADDRESS)
        refusals.append(refused.type)
    assert refusals == [SignInRefused] * 15 + [SignInThrottled] * 15  # the address's 20 failures in the window
    assert topics(security(container, start)) == ["SignIn.Failed"] * 5 + ["SignIn.Throttled"] + ["SignIn.Failed"] * 15
    clock.now += throttle.window + 1  # a new window: the flood goes on, one more event
    for attempt in range(6):
        with pytest.raises((SignInRefused, SignInThrottled)):
            uc.sign_in("lead@example.org", f"again {attempt}", address=ADDRESS)
    assert topics(security(container, start))[-1] == "SignIn.Throttled"
    assert topics(security(container, start)).count("SignIn.Throttled") == 2


def test_the_second_factor_failure_success_and_enrolment_are_events_without_the_code(container, world):
    coordinator = user(container, "coordinator")
    uc = container.use_cases.sign_in
    start = position(container)
    assert uc.sign_in("coordinator@example.org", PASSWORD, address=ADDRESS).step.value == "enrol"
    assert security(container, start) == []  # the password alone is not a sign-in
    secret = container.users.pending_totp_secret(coordinator.id)
    code = pyotp.TOTP(secret).now()
    wrong = "000000" if code != "000000" else "111111"
    with pytest.raises(ValidationFailed):
        uc.give_code(coordinator, "12", address=ADDRESS, enrolling=True)  # a typing error: not recorded
    with pytest.raises(ValidationFailed):
        uc.give_code(coordinator, wrong, address=ADDRESS, enrolling=True)
    uc.give_code(coordinator, code, address=ADDRESS, enrolling=True)
    events = security(container, start)
    assert topics(events) == ["SignIn.SecondFactorFailed", "AccountChange.SecondFactorEnrolled", "SignIn.Succeeded"]
    assert events[-1][1]["second_factor"] is True
    raw = json.dumps(stored(container, start))
    assert code not in raw and wrong not in raw and secret not in raw


def test_account_changes_are_events_with_what_changed_and_who_changed_it(container, world):
    admin = user(container, "admin")
    uc = container.use_cases.users
    start = position(container)
    link = uc.invite(admin, email="nowa.osoba@example.org", role="staff", institution_id=world.riph)
    uc.set_password_with_link(link.path.rsplit("/", 1)[-1], password="nowe hasło bardzo długie",
                              repeated="nowe hasło bardzo długie")
    uc.issue_password_link(admin, link.user.id)
    uc.set_role(admin, link.user.id, role="lead", institution_id=world.citt)
    uc.set_role(admin, link.user.id, role="lead", institution_id=world.citt)  # nothing changes: no event
    lead = container.users.get(link.user.id)
    uc.change_password(lead, current="nowe hasło bardzo długie", new="inne hasło bardzo długie",
                       repeated="inne hasło bardzo długie")
    uc.disable(admin, lead.id)
    uc.disable(admin, lead.id)  # already disabled: no event
    added = uc.add(OPERATOR, email="auditor2@example.org", password="hasło audytora 2", role="auditor")
    events = security(container, start)
    assert topics(events) == ["AccountChange.UserAdded", "AccountChange.PasswordSet", "AccountChange.PasswordLinkIssued",
                              "AccountChange.AccessChanged", "AccountChange.PasswordSet", "AccountChange.UserDisabled",
                              "AccountChange.UserAdded"]
    states = [s for _, s in events]
    assert all(s["user_id"] == str(link.user.id) for s in states[:6]) and states[6]["user_id"] == str(added.id)
    assert states[0]["invited"] is True and states[0]["role"] == "staff" and states[6]["invited"] is False
    assert [states[1]["how"], states[4]["how"]] == ["link", "changed"]
    assert states[1]["actor_user_id"] == states[4]["actor_user_id"] == str(link.user.id)  # the person themselves
    access = states[3]
    assert (access["previous_role"], access["role"]) == ("staff", "lead")
    assert (access["previous_institution_id"]["_data_"], access["institution_id"]["_data_"]) == (world.riph.hex,
                                                                                                world.citt.hex)
    assert states[3]["actor_user_id"] == str(admin.id) and states[6]["actor_user_id"] == OPERATOR.actor.user_id
    raw = json.dumps(stored(container, start))
    assert "nowa.osoba@example.org" not in raw and "hasło bardzo długie" not in raw
    assert link.path.rsplit("/", 1)[-1] not in raw


def test_an_api_token_issued_and_revoked_is_an_event_without_the_token_or_its_name(container, world):
    staff, admin = user(container, "staff"), user(container, "admin")
    start = position(container)
    issued = container.use_cases.users.create_my_token(staff, name="Integracja z EZD Jana Nowaka")
    container.use_cases.users.revoke_token(admin, issued.id)
    events = security(container, start)
    assert topics(events) == ["ApiTokenChange.Issued", "ApiTokenChange.Revoked"]
    assert all(s["token_id"] == issued.id and s["user_id"] == str(staff.id) for _, s in events)
    assert [s["actor_user_id"] for _, s in events] == [str(staff.id), str(admin.id)]
    raw = json.dumps(stored(container, start))
    assert issued.token not in raw and "Nowaka" not in raw


def test_auditors_read_the_security_events_of_their_municipality_and_staff_do_not(container, world):
    uc = container.use_cases
    uc.sign_in.sign_in("lead@example.org", PASSWORD, address=ADDRESS)
    with pytest.raises(SignInRefused):
        uc.sign_in.sign_in(UNKNOWN, "zgadywane hasło 123", address=ADDRESS)
    other = uc.users.add(OPERATOR, email="audytor.drugiej@example.org", password="hasło audytora drugiej gminy",
                         role="auditor", municipality_id=second_municipality(container))
    uc.sign_in.sign_in("audytor.drugiej@example.org", "hasło audytora drugiej gminy", address="198.51.100.1")
    auditor = user(container, "auditor")
    signed = uc.audit.trail(auditor, AuditFilter(kind="sign_in"), limit=100).entries
    lead = str(user(container, "lead").id)
    assert [(e["event_type"], e["user_id"]) for e in signed] == [("SignIn.Succeeded", lead),
                                                                  ("SignIn.Failed", "anonymous")]
    # the other municipality's auditor sees their own sign-in and the deployment's, not the lead's
    theirs = uc.audit.trail(other, AuditFilter(kind="sign_in"), limit=100).entries
    assert [(e["event_type"], e["user_id"]) for e in theirs] == [("SignIn.Failed", "anonymous"),
                                                                  ("SignIn.Succeeded", str(other.id))]
    accounts = uc.audit.trail(auditor, AuditFilter(kind="account_change"), limit=100).entries
    assert accounts == []  # the other municipality's new auditor is theirs
    assert [e["event_type"] for e in uc.audit.trail(other, AuditFilter(kind="account_change")).entries] == [
        "AccountChange.UserAdded"]
    for role in ("staff", "lead", "admin"):
        with pytest.raises(Forbidden):
            uc.audit.trail(user(container, role), AuditFilter(kind="sign_in"))


def second_municipality(container) -> UUID:
    saved = container.app.registry.add_municipality(name="Gmina Druga", teryt=None, network_name="Sieć Druga",
                                                    actor=OPERATOR.actor)
    container.runner.catch_up()
    found = [m for m in container.use_cases.users.reads.municipalities() if m["id"] != str(DEFAULT_MUNICIPALITY_ID)]
    assert [m["id"] for m in found] == [str(saved.id)]
    return saved.id


def test_the_operators_token_and_second_factor_commands_are_audited_too(container, world):
    uc = container.use_cases.users
    staff, coordinator = user(container, "staff"), user(container, "coordinator")
    start = position(container)
    first = uc.issue_token_for(OPERATOR, staff.id)
    second = uc.issue_token_for(OPERATOR, staff.id)
    assert uc.revoke_token_of(OPERATOR, first.token) == 1  # named by the token itself
    assert uc.revoke_token_of(OPERATOR, second.id) == 1  # by its id
    with pytest.raises(NotFound):
        uc.revoke_token_of(OPERATOR, second.id)  # already revoked
    uc.issue_token_for(OPERATOR, staff.id)
    assert uc.revoke_tokens_of(OPERATOR, staff.id) == 2  # the new one and the world's
    uc.reset_second_factor(OPERATOR, coordinator.id)
    events = security(container, start)
    assert topics(events) == ["ApiTokenChange.Issued", "ApiTokenChange.Issued", "ApiTokenChange.Revoked",
                              "ApiTokenChange.Revoked", "ApiTokenChange.Issued", "ApiTokenChange.Revoked",
                              "ApiTokenChange.Revoked", "AccountChange.SecondFactorReset"]
    assert [s["token_id"] for _, s in events[2:4]] == [first.id, second.id]
    raw = json.dumps(stored(container, start))
    assert first.token not in raw and second.token not in raw
    for refused in (lambda: uc.issue_token_for(staff, coordinator.id), lambda: uc.revoke_tokens_of(staff, staff.id),
                    lambda: uc.reset_second_factor(coordinator, staff.id)):
        with pytest.raises(Forbidden):
            refused()
