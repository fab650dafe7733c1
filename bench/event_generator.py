"""A deterministic generator of realistic Splot stores of any size, written through the domain in batches.

The demo network (infra/demo.py: Leszno's institutions, clusters, firms and the default strategy with its
indicators) is loaded first; then, until the log holds `events` events: more firms (each with its NIP's
uniqueness claim, as `register_firm` writes it), those firms joining the two clusters and some leaving them,
and records of every kind (contacts, meetings with several parties, information exchanges to firms,
conclusions) over the strategy's years, with corrections and retractions of earlier records. Every aggregate
is made by the domain's own methods (`Firm.register`, `UniqueKey.claim`, `Institution.admit_firm`,
`Record.create`, `Record.correct`, `Record.retract`: every field normalised and checked, the records' free
text sealed under per-record keys by the store's mapper) and saved `batch` aggregates per `app.save` (one
transaction, one fsync) — skipping only the per-command replays of the reference checks, which the
generator knows hold. The read models are not fed while generating: the caller catches them up once at the
end. The same seed gives the same store (the same events in the same order; ids and timestamps differ).

    from bench.event_generator import generate
    stats = generate(container, events=100_000, seed=13)
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Callable
from uuid import UUID

from domain.application import DEFAULT_NETWORK_ID
from domain.records import Record
from domain.registry import Firm, UniqueKey
from domain.unique_keys import claim_key
from domain.values import Actor
from infra.demo import CLUSTERS, INSTITUTIONS, _valid_nip, load_demo, stable_id

YEARS = (2009, 2010, 2011, 2012, 2013)
BATCH = 2000  # aggregates per save: one transaction each (bigger batches gain little: sealing dominates)


@dataclass
class Generated:
    events: int
    records: int
    corrections: int
    retractions: int
    seconds: float


def generate(container: Any, *, events: int, seed: int = 13, batch_size: int = BATCH,
             progress: Callable[[int], None] | None = None) -> Generated:
    """Fills the container's (bootstrapped, empty) store until its log holds at least `events` events."""
    app = container.app
    start = time.perf_counter()
    load_demo(container)
    rng = random.Random(seed)
    net = DEFAULT_NETWORK_ID
    ids = {short: stable_id("demo", short) for short, _, _ in INSTITUTIONS + CLUSTERS}
    members = [s for s, _, _ in INSTITUTIONS if s != "Cech"]
    with container.views.transaction() as tx:
        rows = list(tx.execute("SELECT id, nip FROM registry_firms ORDER BY registered_at, id"))
    firms = [UUID(r["id"]) for r in rows]
    nips = {r["nip"] for r in rows if r["nip"]}
    actor = Actor(user_id="bench")
    # More firms (a region's register has thousands), then cluster memberships of some of them.
    pending: list[Any] = []
    new_firms: list[UUID] = []
    for n in range(min(2000, max(0, events // 500))):
        nip = _valid_nip(rng)
        while nip in nips:
            nip = _valid_nip(rng)
        nips.add(nip)
        firm = Firm.register(network_id=net, name=f"BENCH Firma {n + 1}", nip=nip, regon=None, actor=actor)
        pending += [firm, UniqueKey.claim(scope="firm_nip", network_id=net, value=claim_key("firm_nip", nip),
                                          owner_id=firm.id, actor=actor)]
        new_firms.append(firm.id)
    firms += new_firms
    pending += _memberships(app, rng, ids, new_firms, actor)
    position = app.recorder.max_notification_id() or 0
    for first in range(0, len(pending), batch_size):
        position = _save(app, pending[first:first + batch_size], progress, position)
    recent: list[Record] = []  # records still in memory, to correct or retract
    records = corrections = retractions = 0
    batch: list[Record] = []
    while position < events:
        roll = rng.random()
        if roll < 0.04 and recent:
            record = recent.pop(rng.randrange(len(recent)))
            staff = Actor(user_id="bench", institution_id=record.owner_institution_id)
            if rng.random() < 0.25:
                record.retract(reason="BENCH Wpis zdublowany", actor=staff)
                retractions += 1
            else:
                _correct(rng, record, staff)
                corrections += 1
                recent.append(record)
            if record not in batch:
                batch.append(record)
        else:
            record = _new_record(rng, net, ids, members, firms)
            batch.append(record)
            recent.append(record)
            records += 1
            if len(recent) > 5000:
                recent = recent[-2500:]
        if len(batch) >= batch_size:
            position = _save(app, batch, progress, position)
            batch = []
            recent = [r for r in recent if not r.retracted][-2500:]
    if batch:
        position = _save(app, batch, progress, position)
    return Generated(position, records, corrections, retractions, time.perf_counter() - start)


def _memberships(app: Any, rng: random.Random, ids: dict[str, UUID], firms: list[UUID], actor: Actor) -> list[Any]:
    """About a third of the new firms join a cluster on a day of 2009-2012; one in five of those leaves a year
    or two later. The clusters are loaded once and changed in memory (their own checks run)."""
    clusters = [app.repository.get(ids[short]) for short in ("KS", "KB")]
    for firm in firms:
        if rng.random() >= 0.33:
            continue
        cluster = rng.choice(clusters)
        joined = date(rng.choice(YEARS[:4]), 1, 1) + timedelta(days=rng.randrange(360))
        cluster.admit_firm(firm, joined, actor)
        if rng.random() < 0.2:
            cluster.release_firm(firm, min(date(2013, 12, 31), joined + timedelta(days=rng.randrange(200, 700))),
                                 actor)
    return [c for c in clusters if c.pending_events]


def _save(app: Any, batch: list[Any], progress: Callable[[int], None] | None, before: int) -> int:
    app.save(*batch)
    after = app.recorder.max_notification_id() or 0
    if progress:
        progress(after - before)
    return after


def _day(rng: random.Random) -> date:
    year = rng.choice(YEARS)
    return date(year, 1, 1) + timedelta(days=rng.randrange(365))


def _new_record(rng: random.Random, net: UUID, ids: dict[str, UUID], members: list[str], firms: list[UUID]) -> Record:
    kind = rng.choices(("contact", "meeting", "information_exchange", "conclusion"), (35, 30, 30, 5))[0]
    day = _day(rng)
    if kind == "contact":
        who, other = rng.sample(members, 2)
        fields = {"network_id": net, "occurred_on": day, "institution_id": ids[who],
                  "with_institution_id": ids[other], "channel": rng.choice(["in_person", "phone", "email"]),
                  "summary": f"BENCH Kontakt {who} – {other} w sprawie współpracy nr {rng.randrange(10**6)}"}
    elif kind == "meeting":
        organiser = rng.choice(members)
        if rng.random() < 0.5:
            guests = rng.sample([s for s in members if s != organiser], rng.randint(1, 3))
            fields = {"network_id": net, "occurred_on": day, "title": "BENCH Spotkanie sieci",
                      "kind": "network_meeting", "organiser_id": ids[organiser],
                      "institution_ids": [ids[g] for g in guests], "firm_ids": [],
                      "topic": "Wspólna oferta dla firm", "minutes": "BENCH Protokół: ustalenia i podział zadań."}
        else:
            fields = {"network_id": net, "occurred_on": day, "title": "BENCH Spotkanie z przedsiębiorcami",
                      "kind": rng.choice(["entrepreneurs_meeting", "workshop", "study_visit"]),
                      "organiser_id": ids[organiser], "institution_ids": [],
                      "firm_ids": rng.sample(firms, rng.randint(2, 6)), "topic": "Dotacje i finansowanie"}
    elif kind == "information_exchange":
        sender = rng.choice(members)
        fields = {"network_id": net, "occurred_on": day, "from_institution_id": ids[sender],
                  "to_institution_ids": [], "to_firm_ids": rng.sample(firms, rng.randint(1, 4)),
                  "subject": "BENCH Informacja o programie wsparcia", "channel": rng.choice(["email", "website", "letter"])}
    else:
        authors = rng.sample(members, rng.randint(1, 2))
        fields = {"network_id": net, "occurred_on": day, "title": f"BENCH Ekspertyza {day.year}",
                  "kind": rng.choice(["expertise", "conclusion", "needs_analysis", "cooperation_concept"]),
                  "institution_ids": [ids[a] for a in authors]}
    owner = fields.get("institution_id") or fields.get("organiser_id") or fields.get("from_institution_id") \
        or fields["institution_ids"][0]
    return Record.create(kind, fields, Actor(user_id="bench", institution_id=owner), today=date(2014, 1, 1))


def _correct(rng: random.Random, record: Record, actor: Actor) -> None:
    """A correction staff make: another business date (often another year), or another title or channel."""
    if rng.random() < 0.5:
        changes: dict[str, Any] = {"occurred_on": _day(rng)}
        if changes["occurred_on"] == record.fields["occurred_on"]:
            changes["occurred_on"] += timedelta(days=1)
    elif "channel" in record.fields:
        changes = {"channel": "phone" if record.fields["channel"] != "phone" else "email"}
    else:
        field = next(f for f in ("title", "summary", "subject") if f in record.fields)
        changes = {field: f"{record.fields[field]} (poprawione {rng.randrange(1000)})"}
    record.correct(changes=changes, reason="BENCH Poprawka", actor=actor, today=date(2014, 1, 1))
