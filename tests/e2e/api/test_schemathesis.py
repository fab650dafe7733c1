"""Schemathesis against the app in-process: generated valid and invalid input for every operation.

Checks: no 500, every status documented, content types, bodies and headers as documented, and every
request generated to be invalid refused with a 4xx.

Random UUIDs almost never name a real institution, firm or record, so left alone the generated
requests stop at the first lookup (404/422) and the domain behind it is never exercised. So every
*positive* case (schema-valid by construction) is fed from the world it runs against before it is
sent: id fields, id path parameters and id query filters are drawn (by one seeded generator, so runs
repeat exactly) mostly from the ids that exist, including the ones earlier cases have
created; business dates from the years the world is open for; a firm gets a valid NIP/REGON; an
institution a unique short name; a correction the record's current version and a change of a field
its kind has. A share of the draws keeps the generated value, so unknown ids are still sent too.
*Negative* cases are left exactly as generated: their invalid part must reach the API.

Each operation runs as the role that may perform it (coordinator for almost everything, the RIPH lead
for sign-offs, the admin for users), so the writes go through the policy to the domain. At the end
the number of requests, the statuses and the 2xx per operation are printed (run with -s; with
SHOW_REFUSALS=1 also why each refused positive case was refused).
"""

from __future__ import annotations
from domain.application import DEFAULT_MUNICIPALITY_ID

import os
import re
from collections import Counter
import random
from datetime import date, timedelta
from typing import Any
from uuid import UUID

import pytest
import schemathesis
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.core.parameters import ParameterLocation
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.app import create_app
from domain.application import DEFAULT_NETWORK_ID
from domain.values import Actor
from infra.closing import close_year
from infra.container import bootstrap, build_container
from infra.settings import Settings
from infra.users import UserStore
from tests.support.world import auth, build_world
from tests.support.calendar_fuzz import feed_calendar  # the calendar's writes (issue 14)
from tests.support.investor_fuzz import feed_investor  # the investor service's writes (issue 14)
from tests.factories import valid_nip, valid_regon
from tests.support.practice_fuzz import feed_practices  # the shared networks' and practices' operations (issue 14)

EXAMPLES_PER_OPERATION = 60
# No 500, nothing outside the documented schema, and every negative case refused. The last check is sound
# here because feed() leaves negative cases exactly as generated, and the API now refuses unknown and
# repeated query parameters (before that an unnamed extra parameter, dropped when serialised, made a
# valid request look like an accepted invalid one).
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          response_headers_conformance, negative_data_rejection]

# Years closed, reopened and signed off during the run (the last one is closed before it starts, so its
# report version 1 can be read). Every world institution joins the network on 2009-01-01, so nobody's
# sign-off is needed to close these, and closing them never blocks the records, all dated 2009 or later.
CLOSING_YEARS = tuple(range(2000, 2009))  # each can be signed off and closed once per run
RECORD_DAYS = (date(2009, 1, 2), date(2014, 12, 31))  # joins, records, follow-ups
LEAVE_DAYS = (date(2015, 1, 1), date(2020, 12, 31))  # after every join
CORRECTABLE = {  # a field each kind has, holding free text, so a correction can change it
    "contact": ("summary",),
    "meeting": ("title", "topic", "minutes"),
    "information_exchange": ("subject",),
    "conclusion": ("title",),
}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

# Loaded at import (schemathesis' fixture-based lazy loader does not work with pytest 9): one store for
# the whole module, with the same world as the other API tests.
CONTAINER = build_container(Settings(in_memory=True))
bootstrap(CONTAINER)
WORLD = build_world(CONTAINER, DEFAULT_NETWORK_ID)
close_year(CONTAINER, network_id=DEFAULT_NETWORK_ID, year=CLOSING_YEARS[-1], actor=Actor(user_id="setup"))
APP = create_app(CONTAINER)
# One indicator takes entered values, so that POST .../values has somewhere to succeed.
REPORTED_INDICATOR = "III.1.3.W4"
CONTAINER.app.strategy.change_rule(indicator_code=REPORTED_INDICATOR, rule={"kind": "reported"}, reason="fuzz",
                                   actor=Actor(user_id="setup"))
VALID_RULES = [{"kind": "reported"}, {"kind": "count", "record_kind": "contact"},
               {"kind": "gauge", "membership": "network_institutions", "at": "year_end"},
               {"kind": "count_shared", "record_kind": "meeting", "subkinds": ["network_meeting"]}]
# The data-protection officer (issue 12): the privacy routes run as them, over the persons the pools add.
_DIRECTORY = UserStore(CONTAINER.directory_db, hasher=PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
_DIRECTORY.add(email="iod@example.org", password="correct horse battery", role="dpo",
               municipality_id=DEFAULT_MUNICIPALITY_ID)
DPO_TOKEN = _DIRECTORY.create_token("iod@example.org").token
schema = schemathesis.openapi.from_asgi("/api/openapi.json", APP)


def _disposable_users(count: int) -> list[str]:
    """Users the admin may disable during the run (never the ones whose tokens the run uses)."""
    users = UserStore(CONTAINER.directory_db, hasher=PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    return [str(users.add(email=f"fuzz{n}@example.org", password="correct horse battery", role="staff",
                          institution_id=WORLD.citt, municipality_id=DEFAULT_MUNICIPALITY_ID).id) for n in range(count)]


def _strategy_codes() -> tuple[list[str], list[str]]:
    with TestClient(APP) as client:
        tasks = client.get("/api/v1/strategy/tasks", headers=auth(WORLD.tokens["coordinator"])).json()["items"]
        task_codes = [task["code"] for task in tasks]
        report = client.get(f"/api/v1/strategy/tasks/{task_codes[0]}/report",
                            headers=auth(WORLD.tokens["coordinator"])).json()
    return task_codes, [indicator["code"] for indicator in report["indicators"]]


class Pools:
    """The ids that exist, growing as the run creates institutions, firms and records."""

    def __init__(self) -> None:
        self.institutions = [str(i) for i in (WORLD.riph, WORLD.citt, WORLD.wpir, WORLD.lcb)]
        self.created_institutions: list[str] = []  # created by the run: may join the network
        self.network_joiners: list[str] = []  # joined during the run: the only ones that may leave again
        self.clusters = [str(WORLD.cluster), str(WORLD.own_cluster)]
        self.firms = [str(WORLD.firm_a), str(WORLD.firm_b)]
        self.records = {str(r): "contact" for r in (WORLD.own_record, WORLD.shared_record, WORLD.other_record)}
        self.meetings: list[str] = []
        self.memberships = [(str(c), str(WORLD.firm_a)) for c in (WORLD.cluster, WORLD.own_cluster)]
        self.users = _disposable_users(12)
        self.persons = [str(CONTAINER.persons.add(name=f"Osoba {n}", institution_id=WORLD.riph))  # some erased
                        for n in range(20)]
        self.task_codes, self.indicator_codes = _strategy_codes()
        self.serial = 0  # unique short names, NIPs and idempotency keys

    def next(self) -> int:
        self.serial += 1
        return self.serial

    def remember(self, operation: str, path: dict[str, Any], body: Any, response_body: dict) -> None:
        """Takes the id of what a 201 created into the pools the next cases draw from."""
        created = response_body.get("id")
        if operation == "POST /api/v1/clusters/{cluster_institution_id}/members":
            self.memberships.append((path["cluster_institution_id"], body["firm_id"]))
        elif operation == "POST /api/v1/network/members":
            self.network_joiners.append(body["institution_id"])
        if not created:
            return
        if operation == "POST /api/v1/institutions":
            (self.clusters if body.get("kind") == "cluster" else self.institutions).append(created)
            if body.get("kind") != "cluster":
                self.created_institutions.append(created)
        elif operation == "POST /api/v1/firms":
            self.firms.append(created)
        elif operation == "POST /api/v1/persons":
            self.persons.append(created)
        elif operation in RECORD_CREATES:
            self.records[created] = RECORD_CREATES[operation]
            if RECORD_CREATES[operation] == "meeting":
                self.meetings.append(created)


RECORD_CREATES = {
    "POST /api/v1/contacts": "contact",
    "POST /api/v1/meetings": "meeting",
    "POST /api/v1/information-exchanges": "information_exchange",
    "POST /api/v1/conclusions": "conclusion",
}
POOLS = Pools()
# One seeded generator for the feeding: hypothesis runs derandomized, so the whole run repeats exactly.
# (Drawing through `@schema.given(st.data())` instead would switch off schemathesis' coverage phase.)
RNG = random.Random(4)
REQUESTS: Counter[tuple[str, int]] = Counter()
POSITIVE_REQUESTS: Counter[tuple[str, int]] = Counter()


@pytest.fixture(scope="module", autouse=True)
def _close_store():
    yield
    CONTAINER.close()


# ------------------------------------------------------------------ feeding positive cases


def _existing_or_generated(pool: list[str], generated: Any) -> Any:
    """Mostly an id that exists; one draw in five keeps the generated (almost surely unknown) one."""
    if not pool or RNG.randint(0, 4) == 0:
        return generated
    return RNG.choice(pool)


def _day(days: tuple[date, date]) -> str:
    return (days[0] + timedelta(days=RNG.randint(0, (days[1] - days[0]).days))).isoformat()


def _text(value: Any) -> Any:
    """Generated text without control characters or blanks (the API refuses both, by design)."""
    if not isinstance(value, str):
        return value
    cleaned = _CONTROL.sub("", value)
    return cleaned if cleaned.strip() else "Tekst"


def _feed_body(body: dict[str, Any]) -> None:
    single = {"institution_id": POOLS.institutions, "with_institution_id": POOLS.institutions,
              "organiser_id": POOLS.institutions, "from_institution_id": POOLS.institutions,
              "with_firm_id": POOLS.firms, "firm_id": POOLS.firms, "meeting_id": POOLS.meetings}
    lists = {"institution_ids": POOLS.institutions, "to_institution_ids": POOLS.institutions,
             "firm_ids": POOLS.firms, "to_firm_ids": POOLS.firms}
    for key, value in list(body.items()):
        if key in single and value is not None:
            body[key] = _existing_or_generated(single[key], value)
        elif key in lists and isinstance(value, list):
            body[key] = (RNG.sample(lists[key], k=min(len(lists[key]), RNG.randint(1, 3)))
                         if RNG.randint(0, 4) else value)
        elif key in ("occurred_on", "joined_on", "due_on"):
            body[key] = _day(RECORD_DAYS)
        elif key == "left_on":
            body[key] = _day(LEAVE_DAYS)
        elif key == "network_id":
            body[key] = str(DEFAULT_NETWORK_ID)
        elif key == "person_ids":
            body[key] = []  # the test world has no person directory entries
        elif key == "follow_ups" and isinstance(value, list):
            for follow_up in value:
                if isinstance(follow_up, dict):
                    _feed_body(follow_up)
        else:
            body[key] = _text(value)


def _current_version(record_id: str) -> int | None:
    try:
        return CONTAINER.app.repository.get(UUID(record_id)).version
    except Exception:  # an unknown id: the generated expected_version stays
        return None


COUNTERPARTY_FIELDS = {  # where a record of each kind names the other side (the domain wants one)
    "contact": (("with_institution_id", False), ("with_firm_id", False)),
    "meeting": (("institution_ids", True), ("firm_ids", True)),
    "information_exchange": (("to_institution_ids", True), ("to_firm_ids", True)),
}


def _ensure_counterparty(kind: str, body: dict[str, Any]) -> None:
    """Optional fields are rarely generated, but a contact, meeting or exchange needs another party."""
    fields = COUNTERPARTY_FIELDS.get(kind)
    if fields is None or any(body.get(name) for name, _ in fields):
        return
    name, is_list = RNG.choice(fields)
    pool = POOLS.firms if "firm" in name else POOLS.institutions
    chosen = RNG.choice(pool)
    body[name] = [chosen] if is_list else chosen


def _feed_operation(operation: str, case: Any) -> None:
    """Operation-specific feeding: what the generic field rules cannot know."""
    body, path = case.body, case.path_parameters
    if operation == "POST /api/v1/institutions":
        body["short_name"] = f"F{POOLS.next()}"
        if body.get("kind") == "cluster":
            body["coordinator_id"] = RNG.choice(POOLS.institutions)
        else:
            body.pop("coordinator_id", None)
    elif operation == "POST /api/v1/firms":
        serial = POOLS.next()
        which = RNG.choice(["nip", "regon", "both"])
        body["nip"] = valid_nip(1000 + serial) if which in ("nip", "both") else None
        body["regon"] = valid_regon(1000 + serial) if which in ("regon", "both") else None
    elif operation in ("POST /api/v1/records/{record_id}/corrections", "POST /api/v1/records/{record_id}/retractions"):
        version = _current_version(path["record_id"])
        if version is not None and RNG.randint(0, 4):
            body["expected_version"] = version
        kind = POOLS.records.get(path["record_id"])
        if kind and "changes" in body and RNG.randint(0, 4):
            field = RNG.choice(CORRECTABLE[kind])
            body["changes"] = {field: f"Poprawione {POOLS.next()}"}
    elif operation in RECORD_CREATES:
        _ensure_counterparty(RECORD_CREATES[operation], body)
    elif operation == "POST /api/v1/audit/years/{year}/sign-offs":
        body["institution_id"] = _existing_or_generated([str(WORLD.riph)], body["institution_id"])
    elif operation.endswith("/rule/preview") or operation.endswith("/rule"):
        if RNG.randint(0, 3):
            body["rule"] = RNG.choice(VALID_RULES)
    elif operation.endswith("/values"):
        body.update(year=RNG.choice([y for y in range(2009, 2014) if y not in CLOSING_YEARS]),
                    value=RNG.choice([0, 3, 12.5, "bd"]), source=RNG.choice(["WPiR", ""]))
    elif operation == "POST /api/v1/network/members":
        body["institution_id"] = _existing_or_generated(POOLS.created_institutions, body["institution_id"])
    elif operation in ("POST /api/v1/persons", "PATCH /api/v1/persons/{person_id}"):
        if "email" in body and RNG.randint(0, 4):
            body["email"] = RNG.choice([None, f"osoba{POOLS.next()}@example.org"])
        if "phone" in body and RNG.randint(0, 4):
            body["phone"] = RNG.choice([None, "+48 65 529 00 00"])
    feed_calendar(operation, case, CONTAINER, WORLD, RNG)  # only operations under /api/v1/calendar/events
    feed_investor(operation, case, CONTAINER, RNG)  # only operations under /api/v1/investor/


def _feed_path(operation: str, path: dict[str, Any]) -> None:
    if operation.endswith("/members/{firm_id}/leave") and RNG.randint(0, 4):
        path["cluster_institution_id"], path["firm_id"] = RNG.choice(POOLS.memberships)
        return
    pools = {"record_id": list(POOLS.records), "cluster_institution_id": POOLS.clusters, "firm_id": POOLS.firms,
             "institution_id": POOLS.network_joiners, "user_id": POOLS.users, "person_id": POOLS.persons,
             "version": ["1", "2"], "other": ["1", "2"]}
    for key, value in list(path.items()):
        if key in pools:
            path[key] = _existing_or_generated(pools[key], value)
        elif key == "code" and operation.endswith("/values"):
            path[key] = _existing_or_generated([REPORTED_INDICATOR], value)
        elif key == "code":
            codes = POOLS.indicator_codes if "/indicators/" in operation else POOLS.task_codes
            path[key] = _existing_or_generated(codes, value)
        elif key == "year":
            if "/reports/" in operation:  # reads run before the closings: only the last year has a version
                years = [str(CLOSING_YEARS[-1])]
            elif "/audit/" in operation:
                years = [str(y) for y in CLOSING_YEARS]
            else:
                years = [str(y) for y in range(2009, 2015)]
            path[key] = _existing_or_generated(years, value)


def _feed_query(query: dict[str, Any]) -> None:
    pools = {"institution": POOLS.institutions, "record": list(POOLS.records)}
    for key, value in list(query.items()):
        if key in pools:
            query[key] = _existing_or_generated(pools[key], value)
        elif key == "as_of":
            query[key] = _existing_or_generated([_day(RECORD_DAYS)], value)


def feed(case: Any) -> None:
    """Points a positive case at the world (see the module docstring); negative cases stay as generated."""
    if case.meta is None or case.meta.generation.mode != GenerationMode.POSITIVE:
        return
    operation = case.operation.label
    if case.path_parameters:
        _feed_path(operation, case.path_parameters)
    if isinstance(case.body, dict):
        _feed_body(case.body)
        _feed_operation(operation, case)
    if case.query:
        _feed_query(case.query)
    if case.headers and "Idempotency-Key" in case.headers:
        case.headers["Idempotency-Key"] = f"fuzz-{POOLS.next()}"  # a reused key would replay or clash
    feed_practices(operation, case, CONTAINER, WORLD, RNG)  # only /api/v1/shared-networks and /api/v1/practices


def headers_for(case: Any) -> dict[str, str]:
    """The bearer token of the role that may call the operation — except when schemathesis made the
    headers themselves invalid (e.g. dropped the required Authorization): adding a token then would
    turn its negative case back into a valid request."""
    if case.meta is not None:
        header = case.meta.components.get(ParameterLocation.HEADER)
        if header is not None and header.mode == GenerationMode.NEGATIVE:
            return {}
    return auth(token_for(case.operation.label))


def token_for(operation: str) -> str:
    if operation.endswith("/sign-offs"):
        return WORLD.tokens["lead"]
    if "/api/v1/users" in operation:
        return WORLD.tokens["admin"]
    if "/api/v1/privacy/" in operation or operation.endswith(("/erasure", "/subject-access")):
        return DPO_TOKEN
    return WORLD.tokens["coordinator"]


# ------------------------------------------------------------------ the run


@schema.parametrize()
@settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None,
          suppress_health_check=list(HealthCheck), derandomize=True)
def test_api_conforms_to_its_documentation(case):
    feed(case)
    operation = case.operation.label
    response = case.call_and_validate(headers=headers_for(case), checks=CHECKS)
    REQUESTS[(operation, response.status_code)] += 1
    if case.meta is not None and case.meta.generation.mode == GenerationMode.POSITIVE:
        POSITIVE_REQUESTS[(operation, response.status_code)] += 1
        if response.status_code >= 400 and os.environ.get("SHOW_REFUSALS"):  # why positive cases fail
            print("refused:", operation, response.status_code, response.text[:300], case.body, case.path_parameters)
    if response.status_code == 201 and isinstance(case.body, dict):
        POOLS.remember(operation, case.path_parameters or {}, case.body, response.json())
    assert response.status_code != 500


def test_zz_report_generated_requests():
    """Runs after the schemathesis tests (file order): says what they sent and what came back."""
    total = sum(REQUESTS.values())
    if total == 0:
        pytest.skip("the schemathesis tests were not selected in this run")
    by_status: Counter[int] = Counter()
    successes: Counter[str] = Counter()
    for (operation, status), count in REQUESTS.items():
        by_status[status] += count
        successes[operation] += count if 200 <= status < 300 else 0
    operations = sorted({operation for operation, _ in REQUESTS})
    print(f"\nschemathesis: {total} generated requests over {len(operations)} operations "
          f"({sum(POSITIVE_REQUESTS.values())} positive); by status: {dict(sorted(by_status.items()))}")
    for operation in operations:
        statuses = {s: c for (o, s), c in sorted(REQUESTS.items()) if o == operation}
        print(f"  {successes[operation]:4d} x 2xx  {operation}  {statuses}")
    assert by_status[500] == 0
    writes = [o for o in operations if o.startswith("POST ")]
    assert not [o for o in writes if successes[o] < 3], "every write operation succeeds a few times"
