#!/usr/bin/env python3
"""Writes the stored event corpus (tests/fixtures/events/): every event type Splot stores, as stored.

    .venv/bin/python scripts/write-event-corpus.py             # refuses when a corpus exists
    .venv/bin/python scripts/write-event-corpus.py --expected  # only recompute expected-read-models.json
    .venv/bin/python scripts/write-event-corpus.py --append STEP...  # add a new event type's events

The history is built through the domain on a real SQLite store (with its audit chain), on a clock that
starts on 7 January 2014 and is moved as the story goes (so recorded times are fixed in the corpus):
the demo network of infra/demo.py (2009–2013), then what the demo does not produce — a firm known by its
REGON only, an institution renamed and one deactivated, a correction that moves a meeting to another
year, a reported indicator with its values, a target and stage progress changed, a task report published,
writes with an Idempotency-Key (first use and, after expiry, use again), 2012 signed off, closed, reopened
for one institution, corrected and closed again, and the DPO's subject-access export and erasure.

The corpus is the record of what this version wrote: it is written once and never regenerated (a later
version must decode it through upcasters; docs/reliability.md, "Schema evolution"). A new event type gets
a step (a function of this module, listed in HISTORY_EXTRAS) and is appended with `--append STEP`: the
corpus is loaded into a fresh store, the step runs on top of it a day after the corpus's last event, and
only the events it stores are added to the file (the expectation is recomputed; review its diff).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable
from uuid import UUID

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import eventsourcing.domain  # noqa: E402

from domain.application import DEFAULT_MUNICIPALITY_ID, DEFAULT_NETWORK_ID  # noqa: E402
from domain.policy import Role, User  # noqa: E402
from domain.values import Actor, stable_id  # noqa: E402
from infra.closing import close_year  # noqa: E402
from infra.container import Container, bootstrap, build_container  # noqa: E402
from infra import demo  # noqa: E402
from infra.demo import load_demo  # noqa: E402
from infra.settings import Settings  # noqa: E402
from infra.verify import verify_log  # noqa: E402
from projections.activity_register.queries import list_records  # noqa: E402
from tests.factories import valid_regon  # noqa: E402
from tests.support import corpus  # noqa: E402

NET = DEFAULT_NETWORK_ID
COORDINATOR = Actor(user_id="demo")


class Clock:
    """The events' clock (`eventsourcing.domain.datetime_now_with_tzinfo`), 1 ms a tick, moved by the story."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        self.now += timedelta(milliseconds=1)
        return self.now

    def move_to(self, day: date, hour: int = 9) -> None:
        self.now = max(self.now, datetime(day.year, day.month, day.day, hour, tzinfo=timezone.utc))


def _institution(short: str) -> UUID:
    """A demo institution's id (infra/demo.py gives them stable ids from their short names)."""
    return stable_id("demo", short)


def _staff(short: str) -> Actor:
    return Actor(user_id="demo", institution_id=_institution(short))


def _record_of(c: Container, *, kind: str, year: int, owner: str | None = None) -> dict[str, Any]:
    c.runner.catch_up()
    with c.views.transaction() as tx:
        rows, _ = list_records(tx, kind=kind, year=year, limit=500)
    for row in rows:
        if row["status"] != "retracted" and (owner is None or row["owner_institution_id"] == str(_institution(owner))):
            return row
    raise RuntimeError(f"the demo has no live {kind} of {year} owned by {owner}")


# ---------------------------------------------------------------------------- the steps beyond the demo
def registry_changes(c: Container, clock: Clock) -> None:
    clock.move_to(date(2014, 1, 8))
    app = c.app
    app.registry.register_firm(network_id=NET, name="DEMO Piekarnia Rodzinna s.c. (REGON)", nip=None,
                               regon=valid_regon(2014), actor=COORDINATOR)
    app.registry.rename_institution(institution_id=_institution("CITT"), name="Centrum Innowacji i Transferu "
                                    "Technologii w Lesznie", short_name="CITT Leszno", actor=COORDINATOR)
    foundation = app.registry.register_institution(
        network_id=NET, name="DEMO Fundacja Wspierania Przedsiębiorczości", short_name="FWP", kind="other",
        actor=COORDINATOR).id
    app.registry.deactivate_institution(institution_id=foundation, reason="DEMO Fundacja zakończyła działalność",
                                        actor=COORDINATOR)


def record_changes(c: Container, clock: Clock) -> None:
    """A correction that moves a meeting from 2011 to 2012 (its count moves with it)."""
    clock.move_to(date(2014, 1, 9))
    meeting = _record_of(c, kind="meeting", year=2011)
    c.app.records.correct_record(record_id=UUID(meeting["record_id"]), expected_version=meeting["version"],
                                 reason="DEMO Błędny rok spotkania", changes={"occurred_on": date(2012, 3, 14)},
                                 actor=Actor(user_id="demo", institution_id=UUID(meeting["owner_institution_id"])))


def strategy_changes(c: Container, clock: Clock) -> None:
    clock.move_to(date(2014, 1, 10))
    s = c.app.strategy
    s.define_indicator(indicator={
        "code": "I.3.5.W9", "task_code": "I.3.5", "name": "DEMO Liczba podmiotów gospodarki narodowej (GUS)",
        "level": "impact", "sources": ["GUS"], "targets": {"2012": 6500, "2013": 6600},
        "rule": {"kind": "reported"}}, actor=COORDINATOR, reason="DEMO wskaźnik oddziaływania z danych GUS")
    s.report_indicator_value(indicator_code="I.3.5.W9", year=2012, value=6488, source="GUS", actor=COORDINATOR,
                             note="DEMO Bank Danych Lokalnych")
    s.report_indicator_value(indicator_code="I.3.5.W9", year=2013, value="bd", source="GUS", actor=COORDINATOR,
                             note="DEMO dane objęte tajemnicą statystyczną")
    targets = dict(s.get_strategy().indicators["III.1.3.W2"]["targets"])
    s.set_targets(indicator_code="III.1.3.W2", targets={**targets, "2013": 3}, reason="DEMO korekta planu na 2013",
                  actor=COORDINATOR)
    s.change_rule(indicator_code="III.1.3.W3", rule={"kind": "count_shared", "record_kind": "meeting",
                                                     "min_network_institutions": 3},
                  reason="DEMO spotkanie sieci to co najmniej trzy instytucje", actor=COORDINATOR)
    s.report_stages_progress(task_code="III.1.3", progress={(4, 2013): 2}, actor=COORDINATOR,
                             note="DEMO monitoring za 2013")
    s.publish_report(task_code="III.1.3", title="DEMO Sprawozdanie z realizacji zadania III.1.3 za 2013 r.",
                     actor=COORDINATOR)


def idempotent_writes(c: Container, clock: Clock) -> None:
    """An API write with an Idempotency-Key, and the same key used again after it expired."""
    clock.move_to(date(2014, 1, 13))
    staff = _staff("PUP")
    fields = {"network_id": NET, "occurred_on": date(2013, 12, 16), "institution_id": staff.institution_id,
              "with_institution_id": _institution("LCB"), "channel": "email",
              "summary": "DEMO Kontakt zapisany przez API z kluczem Idempotency-Key"}
    for attempt in (1, 2):
        if attempt == 2:
            clock.now += timedelta(hours=25)  # past the key's expiry (24 h): the same key names a new request
        claim = c.idempotency.claim("demo", "demo-key-0001", f"sha256:demo-request-{attempt}")
        with c.idempotency.pending(claim, 201):
            c.app.records.record("contact", {**fields, "summary": f"{fields['summary']} ({attempt})"}, staff)


def year_closing(c: Container, clock: Clock) -> None:
    """2012: every member signs off, the coordinator closes, reopens it for RIPH, RIPH corrects, closed again."""
    clock.move_to(date(2014, 1, 20))
    years = c.app.years
    for institution in years.required_sign_offs(NET, 2012):
        years.sign_off_year(network_id=NET, year=2012, institution_id=institution,
                            actor=Actor(user_id="demo", institution_id=institution))
    close_year(c, network_id=NET, year=2012, actor=COORDINATOR)
    clock.move_to(date(2014, 2, 3))
    years.reopen_year(network_id=NET, year=2012, institution_id=_institution("RIPH"),
                      reason="DEMO Korekta po kontroli wewnętrznej", actor=COORDINATOR)
    record = _record_of(c, kind="meeting", year=2012, owner="RIPH")
    c.app.records.correct_record(record_id=UUID(record["record_id"]), expected_version=record["version"],
                                 reason="DEMO Uzupełniony temat spotkania", changes={"topic": "DEMO Fundusze UE dla MŚP"},
                                 actor=_staff("RIPH"))
    clock.move_to(date(2014, 2, 4))
    years.sign_off_year(network_id=NET, year=2012, institution_id=_institution("RIPH"), actor=_staff("RIPH"))
    close_year(c, network_id=NET, year=2012, actor=COORDINATOR)


def personal_data(c: Container, clock: Clock) -> None:
    """The DPO exports what is held about one contact person and erases another."""
    clock.move_to(date(2014, 2, 10))
    dpo = User(id=UUID("00000000-0000-4000-8000-00000000d0d0"), email="iod@demo.splot.local", role=Role.DPO,
               institution_id=None, active=True, municipality_id=DEFAULT_MUNICIPALITY_ID)
    c.runner.catch_up()
    ids = _person_ids(c)
    c.use_cases.privacy.export(dpo, ids[0], format="json")
    c.use_cases.privacy.erase(dpo, ids[1], legal_ground="b")


def _person_ids(c: Container) -> list[UUID]:
    with c.views.transaction() as tx:
        rows = tx.execute("SELECT DISTINCT party_id FROM activity_parties WHERE party_type = 'person' ORDER BY party_id")
    return [UUID(r["party_id"]) for r in rows]


def shared_networks(c: Container, clock: Clock) -> None:
    """Issue 14: a metropolitan network; the demo municipality and a second one join it, the demo shares one
    indicator with it, the second leaves."""
    clock.move_to(date(2014, 3, 3))
    registry = c.app.registry
    second = stable_id("demo", "municipality", "second")
    registry.register_municipality(name="DEMO Gmina Druga", teryt=None, actor=COORDINATOR, id=second)
    network = stable_id("demo", "network", "metropolitan")
    registry.register_shared_network(name="DEMO Metropolia", kind="municipal_network", actor=COORDINATOR, id=network)
    registry.admit_municipality(network_id=network, municipality_id=DEFAULT_MUNICIPALITY_ID,
                                joined_on=date(2014, 1, 1), actor=COORDINATOR)
    registry.admit_municipality(network_id=network, municipality_id=second, joined_on=date(2014, 2, 1),
                                actor=COORDINATOR)
    registry.share_indicators(network_id=network, municipality_id=DEFAULT_MUNICIPALITY_ID,
                              indicator_codes=["III.1.3.W2"], actor=COORDINATOR)
    clock.move_to(date(2014, 3, 4))
    registry.release_municipality(network_id=network, municipality_id=second, left_on=date(2014, 3, 1),
                                  actor=COORDINATOR)


def security_events(c: Container, clock: Clock) -> None:
    """Issue 12: the security events. An admin adds a lead (with a link, with which the lead sets the password),
    issues a new link and changes the lead's institution; the lead signs in, issues an API token, the admin
    revokes it and disables the lead, who then fails to sign in; a coordinator enrols a second factor after a
    wrong code, signs in and out; an unknown account fails until the throttle refuses."""
    import pyotp

    from domain.errors import ValidationFailed
    from domain.use_cases.sign_in import SignInRefused, SignInThrottled
    from domain.use_cases.users import OPERATOR

    clock.move_to(date(2014, 3, 10))
    c.runner.catch_up()
    users, sign_in, address, password = c.use_cases.users, c.use_cases.sign_in, "192.0.2.10", "DEMO hasło bardzo długie"
    admin = users.add(OPERATOR, email="admin@demo.splot.local", password=password, role="admin",
                      municipality_id=DEFAULT_MUNICIPALITY_ID)
    link = users.invite(admin, email="kierownik@demo.splot.local", role="lead", institution_id=_institution("RIPH"))
    users.set_password_with_link(link.path.rsplit("/", 1)[-1], password=password, repeated=password)
    users.issue_password_link(admin, link.user.id)
    lead = users.set_role(admin, link.user.id, role="lead", institution_id=_institution("LCB"))
    sign_in.sign_in(lead.email, password, address=address)
    token = users.create_my_token(lead, name="DEMO integracja")
    users.revoke_token(admin, token.id)
    users.disable(admin, lead.id)
    _refused(lambda: sign_in.sign_in(lead.email, password, address=address), SignInRefused)
    coordinator = users.add(admin, email="koordynator@demo.splot.local", password=password, role="coordinator")
    sign_in.sign_in(coordinator.email, password, address=address)  # asks for the enrolment
    secret = c.users.pending_totp_secret(coordinator.id)
    right = pyotp.TOTP(secret).now()
    _refused(lambda: sign_in.give_code(coordinator, "000000" if right != "000000" else "111111", address=address,
                                       enrolling=True), ValidationFailed)
    sign_in.give_code(coordinator, right, address=address, enrolling=True)
    sign_in.sign_out(coordinator, address=address)
    for _ in range(6):  # the sixth is throttled
        _refused(lambda: sign_in.sign_in("nieznany@demo.splot.local", "DEMO zgadywane hasło", address="198.51.100.7"),
                 SignInRefused, SignInThrottled)


def record_redaction(c: Container, clock: Clock) -> None:
    """Issue 12: the DPO redacts the free text of one contact record (its key destroyed; the act names the record,
    its version and the ground, never the text)."""
    clock.move_to(date(2014, 3, 12))
    dpo = User(id=UUID("00000000-0000-4000-8000-00000000d0d0"), email="iod@demo.splot.local", role=Role.DPO,
               institution_id=None, active=True, municipality_id=DEFAULT_MUNICIPALITY_ID)
    c.runner.catch_up()
    with c.views.transaction() as tx:
        record = tx.execute("SELECT record_id FROM activity_records WHERE kind = 'contact' AND status = 'active' "
                            "ORDER BY record_id LIMIT 1")[0]["record_id"]
    c.use_cases.privacy.redact(dpo, UUID(record), legal_ground="a")


def second_factor_reset(c: Container, clock: Clock) -> None:
    """Issue 12: the operator resets a coordinator's second factor after a lost phone (`splot user
    reset-second-factor`)."""
    from domain.use_cases.users import OPERATOR

    clock.move_to(date(2014, 3, 11))
    c.runner.catch_up()
    coordinator = c.use_cases.users.add(OPERATOR, email="koordynator2@demo.splot.local", password="DEMO hasło bardzo długie",
                                        role="coordinator", municipality_id=DEFAULT_MUNICIPALITY_ID)
    c.use_cases.users.reset_second_factor(OPERATOR, coordinator.id)


def _refused(attempt: Callable[[], object], *refusals: type[Exception]) -> None:
    try:
        attempt()
    except refusals:
        return
    raise RuntimeError("the attempt was expected to be refused")


def good_practices(c: Container, clock: Clock) -> None:
    """Issue 14: the demo coordinator publishes a good practice to the metropolitan network, revises it,
    attaches two documents and removes one, links the meeting where it was presented; a second one is
    withdrawn."""
    clock.move_to(date(2014, 3, 10))
    coordinator = User(id=UUID("00000000-0000-4000-8000-00000000c00d"), email="koordynator@demo.splot.local",
                       role=Role.COORDINATOR, institution_id=None, active=True, municipality_id=DEFAULT_MUNICIPALITY_ID)
    c.runner.catch_up()
    practices = c.use_cases.practices
    network = stable_id("demo", "network", "metropolitan")
    fields = {"network_id": network, "institution_id": _institution("RIPH"), "tags": ["DEMO", "inkubator"],
              "year": 2012}
    practice = practices.publish(coordinator, title="DEMO Inkubator przy izbie", description="DEMO Opis praktyki",
                                 **fields).id
    practices.revise(coordinator, practice, expected_version=1, title="DEMO Inkubator przy izbie",
                     description="DEMO Opis praktyki, uzupełniony", tags=["DEMO", "inkubator"], year=2012)
    practices.attach(coordinator, practice, filename="prezentacja.pdf", data=b"%PDF-1.4\n% DEMO\n%%EOF\n")
    practices.attach(coordinator, practice, filename="zdjecie.png", data=b"\x89PNG\r\n\x1a\n DEMO")
    c.runner.catch_up()
    document = next(d["id"] for d in practices.practice(coordinator, practice).documents
                    if d["filename"] == "zdjecie.png")
    practices.remove_document(coordinator, practice, document)
    meeting = _record_of(c, kind="meeting", year=2012, owner="RIPH")
    practices.link_presentation(coordinator, practice, record_id=UUID(meeting["record_id"]))
    second = practices.publish(coordinator, title="DEMO Praktyka wycofana", description="DEMO", **fields).id
    practices.withdraw(coordinator, second, reason="DEMO Opublikowana omyłkowo")


def calendar_events(c: Container, clock: Clock) -> None:
    """Issue 14: the demo coordinator publishes events to the network's calendar: one edited, moved to a whole
    day and cancelled; one held (an online meeting with an industry) whose attendance becomes a meeting record."""
    clock.move_to(date(2014, 3, 14))
    coordinator = User(id=UUID("00000000-0000-4000-8000-00000000c00d"), email="koordynator@demo.splot.local",
                       role=Role.COORDINATOR, institution_id=None, active=True, municipality_id=DEFAULT_MUNICIPALITY_ID)
    c.runner.catch_up()
    calendar = c.use_cases.calendar
    calendar.commands.now = lambda: datetime(2014, 3, 14, 9, 0)  # the calendar's Warsaw wall clock in the story
    riph, citt = _institution("RIPH"), _institution("CITT")
    first = calendar.publish(coordinator, network_id=NET, organiser_id=riph, starts_at=datetime(2014, 3, 20, 10, 0),
                             ends_at=datetime(2014, 3, 20, 12, 0), title="DEMO Warsztaty eksportowe", kind="workshop",
                             place="DEMO Leszno, ul. Karasia 15", invited_ids=[citt], description="DEMO")
    calendar.edit(coordinator, first.id, expected_version=1, changes={"title": "DEMO Warsztaty eksportowe dla firm"})
    calendar.move(coordinator, first.id, expected_version=2, starts_at=date(2014, 3, 21), ends_at=date(2014, 3, 21),
                  all_day=True)
    calendar.cancel(coordinator, first.id, expected_version=3, reason="DEMO Prelegent zachorował")
    held = calendar.publish(coordinator, network_id=NET, organiser_id=riph, starts_at=datetime(2014, 3, 17, 10, 0),
                            ends_at=datetime(2014, 3, 17, 11, 30), title="DEMO Spotkanie z branżą spożywczą",
                            kind="industry_meeting", online_url="https://spotkanie.example/demo", invited_ids=[citt])
    clock.move_to(date(2014, 3, 17), hour=13)
    calendar.commands.now = lambda: datetime(2014, 3, 17, 14, 0)
    calendar.record_attendance(coordinator, held.id, institution_ids=[riph, citt], meeting_kind="network_meeting")


def investor_service(c: Container, clock: Clock) -> None:
    """Issue 14: the demo coordinator sets the standard's response time (and changes it), registers an investment
    site (updated, a photo added and removed, shared with a network), records an inquiry under codename (corrected,
    answered offering the site, the investor's choice), and a training (recorded, then removed)."""
    import io

    from PIL import Image

    clock.move_to(date(2014, 4, 1))
    coordinator = User(id=UUID("00000000-0000-4000-8000-00000000c00d"), email="koordynator@demo.splot.local",
                       role=Role.COORDINATOR, institution_id=None, active=True, municipality_id=DEFAULT_MUNICIPALITY_ID)
    c.runner.catch_up()
    uc = c.use_cases.investor
    uc.set_standard(coordinator, 10)
    uc.set_standard(coordinator, 14)
    fields = {"name": "DEMO Strefa Gronówko", "area_ha": "12,5", "zoning": "P/U", "utilities": ["water", "power"],
              "ownership": "municipal", "status": "available", "address": "DEMO ul. Przemysłowa 1, Leszno",
              "plots": "101/2, 101/3", "latitude": "51.84", "longitude": "16.57"}
    site = uc.register_site(coordinator, fields).id
    uc.change_site(coordinator, site, {**fields, "status": "reserved"})
    buffer = io.BytesIO()
    Image.new("RGB", (8, 6), (30, 110, 70)).save(buffer, format="PNG")
    uc.add_photo(coordinator, site, data=buffer.getvalue(), caption="DEMO Widok z drona")
    photo = c.app.repository.get(site).photos[0]
    uc.remove_photo(coordinator, site, photo)
    aggregate = c.app.repository.get(site)
    aggregate.share(network_ids=[str(NET)], actor=coordinator.actor)
    c.app._save(aggregate)
    inquiry = uc.receive(coordinator, codename="DEMO Orzeł", sectors=["food"], needs={"area_ha": "8", "jobs": 120},
                         received_on=date(2014, 3, 3)).id
    uc.change(coordinator, inquiry, codename="DEMO Orzeł", sectors=["food", "logistics"], needs={"jobs": 150},
              received_on=date(2014, 3, 3), notes="DEMO")
    uc.answer(coordinator, inquiry, answered_on=date(2014, 3, 12), site_ids=[str(site)])
    uc.set_outcome(coordinator, inquiry, outcome="chose_us", decided_on=date(2014, 3, 28))
    from domain.investor import ServiceTraining  # the trainee by id: the loaded store has no directory rows

    training = ServiceTraining.record(network_id=NET, trainee_user_id=str(coordinator.id), trainee_person_id=None,
                                      module="staff_panel", held_on=date(2014, 3, 20), certificate=True,
                                      actor=coordinator.actor)
    training.remove(reason="DEMO Zapisane omyłkowo", actor=coordinator.actor)
    c.app._save(training)


# Steps in story order. A new event type: add its step here (or extend one) and append it with --append.
HISTORY_EXTRAS: list[Callable[[Container, Clock], None]] = [
    registry_changes, record_changes, strategy_changes, idempotent_writes, year_closing, personal_data,
    shared_networks, security_events, good_practices, record_redaction, calendar_events, second_factor_reset,
    investor_service,
]


# ---------------------------------------------------------------------------- writing
def stored_events(c: Container) -> list[corpus.CorpusEvent]:
    events, start = [], 1
    while page := c.app.recorder.select_notifications(start, 1000, inclusive_of_start=True):
        events += [corpus.CorpusEvent(n.id, n) for n in page]
        start = page[-1].id + 1
    return events


def write_corpus(events: list[corpus.CorpusEvent]) -> None:
    corpus.CORPUS_DIR.mkdir(parents=True, exist_ok=True)
    corpus.CORPUS_FILE.write_text("".join(corpus.stored_event_line(e.notification_id, e.stored) + "\n"
                                          for e in events), encoding="utf-8")
    corpus.MANIFEST_FILE.write_text(json.dumps(corpus.manifest(events), ensure_ascii=False, indent=1) + "\n",
                                    encoding="utf-8")


def loaded_store(directory: Path, events: list[corpus.CorpusEvent]) -> Container:
    """A fresh SQLite store holding exactly the corpus (not bootstrapped: the corpus has its own start)."""
    c = build_container(Settings(data_dir=directory))
    corpus.load_into(c.app, events)
    return c


def write_expected(events: list[corpus.CorpusEvent], directory: Path) -> dict[str, Any]:
    with loaded_store(directory, events) as c:
        figures = corpus.read_model_figures(c, network_id=NET, as_of=corpus.REPORTS_AS_OF)
        chain = verify_log(c.app.recorder)
        if not chain.ok:
            raise RuntimeError(f"the audit chain over the corpus does not check: {chain.finding.describe()}")
        figures["audit_chain"] = {"events": chain.head_seq, "head_hash": chain.head_hash}
    text = json.dumps(figures, ensure_ascii=False, indent=None, separators=(",", ":"), sort_keys=True)
    corpus.EXPECTED_FILE.write_text(text.replace('],["', '],\n["') + "\n", encoding="utf-8")
    return figures


# The demo's two largest volumes, a fifth of the strategy's figures here: every event type stays, the file
# stays small (the other volumes are the demo's own).
SCALED_DEMO_VOLUMES = {"FIRM_INFORMATION": {2009: 32, 2010: 4, 2011: 0, 2012: 54, 2013: 56},
                       "ENTREPRENEUR_MEETINGS": {2009: 0, 2010: 2, 2011: 8, 2012: 9, 2013: 8}}


def build_history(directory: Path, clock: Clock) -> list[corpus.CorpusEvent]:
    for name, volumes in SCALED_DEMO_VOLUMES.items():
        setattr(demo, name, volumes)
    with build_container(Settings(data_dir=directory)) as c:
        bootstrap(c)
        load_demo(c)
        for step in HISTORY_EXTRAS:
            step(c, clock)
        return stored_events(c)


def append_steps(names: list[str], directory: Path, clock: Clock) -> list[corpus.CorpusEvent]:
    """The corpus with the events of the named steps, run on the corpus as loaded, appended."""
    steps = {step.__name__: step for step in HISTORY_EXTRAS}
    unknown = [n for n in names if n not in steps]
    if unknown:
        raise SystemExit(f"No step {', '.join(unknown)} in HISTORY_EXTRAS ({', '.join(steps)}).")
    events = corpus.read_corpus()
    last = max(datetime.fromisoformat(corpus.state_of(e.stored)["timestamp"]["_data_"]) for e in events)
    clock.now = last + timedelta(days=1)
    with loaded_store(directory, events) as c:
        for name in names:
            steps[name](c, clock)
        added = [e for e in stored_events(c) if e.notification_id > events[-1].notification_id]
    return events + added


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--expected", action="store_true", help="only recompute expected-read-models.json")
    parser.add_argument("--append", nargs="+", metavar="STEP", help="append the events of these steps (a new "
                        "event type's) to the committed corpus")
    parser.add_argument("--force", action="store_true", help="overwrite an existing corpus (only before it is "
                        "committed: a committed corpus is the record of what an earlier version wrote)")
    args = parser.parse_args(argv)
    clock = Clock(datetime(2014, 1, 7, 8, 0, tzinfo=timezone.utc))
    eventsourcing.domain.datetime_now_with_tzinfo = clock  # the events' clock: fixed recorded times
    with tempfile.TemporaryDirectory(prefix="splot-corpus-") as tmp:
        if args.expected:
            events = corpus.read_corpus()
        elif args.append:
            events = append_steps(args.append, Path(tmp) / "append", clock)
            write_corpus(events)
        else:
            if corpus.CORPUS_FILE.exists() and not args.force:
                print(f"{corpus.CORPUS_FILE} exists: the corpus is written once (see --help).", file=sys.stderr)
                return 2
            events = build_history(Path(tmp) / "history", clock)
            missing = corpus.missing_event_types(events)
            if missing:
                print(f"The history stores no event of: {', '.join(missing)}; add a step.", file=sys.stderr)
                return 1
            write_corpus(events)
        write_expected(events, Path(tmp) / "loaded")
    print(f"{len(events)} events of {len({e.stored.topic for e in events})} types in {corpus.CORPUS_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
