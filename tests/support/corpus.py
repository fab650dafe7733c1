"""The stored event corpus (tests/fixtures/events/): what v1 of Splot wrote, and how later code must read it.

`corpus.jsonl` holds every event of a small realistic history exactly as the library stored it: one line
per stored event, in notification order, with its topic, originator id and version and its `state` — the
JSON bytes the mapper wrote, kept as text so they are inserted back byte for byte. `manifest.json` lists,
per topic, how many events the corpus holds, the class version and the fields they were stored with.
`expected-read-models.json` holds what the read models say over the corpus (figures, not timestamps).

Written by `scripts/write-event-corpus.py`; read by tests/integration/test_event_corpus.py. The rules a
later version must keep (docs/reliability.md, "Schema evolution"):

- every event type the domain can store has events in the corpus (`missing_event_types`);
- every stored event decodes with today's classes and, after the class's upcasters, carries every field
  the class now requires (`field_problems`, which names the type and the upcaster it is missing).
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import json
import pkgutil
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Iterable
from uuid import UUID

from eventsourcing.domain import Aggregate, CanMutateAggregate
from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic, resolve_topic

import domain
from projections.base import creation_columns, unpack_changes
from projections.record_fields import record_fields

CORPUS_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "events"
CORPUS_FILE = CORPUS_DIR / "corpus.jsonl"
MANIFEST_FILE = CORPUS_DIR / "manifest.json"
EXPECTED_FILE = CORPUS_DIR / "expected-read-models.json"
# The expected task reports: as known after the demo alone (recorded on 7 January 2014) and after the whole story.
REPORTS_AS_OF = (date(2014, 1, 7), date(2014, 3, 1))
NOT_STORED = frozenset({"originator_id", "originator_version"})  # kept in their own columns, not in `state`


# ---------------------------------------------------------------------------- the domain's event types
def domain_aggregates() -> list[type[Aggregate]]:
    """Every aggregate class defined in the `domain` package, found by importing all its modules."""
    found: dict[str, type[Aggregate]] = {}
    for module_info in pkgutil.walk_packages(domain.__path__, prefix="domain."):
        module = importlib.import_module(module_info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, Aggregate) and cls is not Aggregate and cls.__module__.startswith("domain."):
                found[get_topic(cls)] = cls
    return [found[t] for t in sorted(found)]


def domain_event_classes() -> dict[str, type]:
    """topic -> event class, for every event class nested in a domain aggregate (the library's own
    generated `Event` base left out)."""
    events: dict[str, type] = {}
    for aggregate in domain_aggregates():
        for name, member in vars(aggregate).items():
            if isinstance(member, type) and issubclass(member, CanMutateAggregate) and name != "Event":
                events[get_topic(member)] = member
    return events


def stored_event_types() -> dict[str, type]:
    """The event classes the store can write: those no other domain event class extends. A base such as
    `Record.Created` only carries what its kinds share (`ContactEstablished`, `MeetingHeld`, ...)."""
    classes = domain_event_classes()
    return {topic: cls for topic, cls in classes.items()
            if not any(other is not cls and issubclass(other, cls) for other in classes.values())}


def required_fields(cls: type) -> set[str]:
    """The fields a decoded event must carry in its state: the dataclass fields without a default (a
    field with a plain default falls back to the class attribute; one with a factory does not)."""
    return {f.name for f in dataclasses.fields(cls)
            if f.default is dataclasses.MISSING and f.name not in NOT_STORED}


# ---------------------------------------------------------------------------- reading and writing the corpus
@dataclass(frozen=True)
class CorpusEvent:
    notification_id: int
    stored: StoredEvent


def stored_event_line(notification_id: int, stored: StoredEvent) -> str:
    return json.dumps({"notification_id": notification_id, "topic": stored.topic,
                       "originator_id": str(stored.originator_id), "originator_version": stored.originator_version,
                       "state": stored.state.decode("utf-8")}, ensure_ascii=False, sort_keys=True)


def read_corpus(path: Path = CORPUS_FILE) -> list[CorpusEvent]:
    events = []
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        events.append(CorpusEvent(row["notification_id"], StoredEvent(
            originator_id=UUID(row["originator_id"]), originator_version=row["originator_version"],
            topic=row["topic"], state=row["state"].encode("utf-8"))))
    return events


def state_of(stored: StoredEvent) -> dict[str, Any]:
    return json.loads(stored.state)


def manifest(events: Iterable[CorpusEvent]) -> dict[str, Any]:
    """Per topic: how many events, the class version and the state's fields they were stored with."""
    counts: Counter[str] = Counter()
    fields: dict[str, set[str]] = {}
    versions: dict[str, set[int]] = {}
    for event in events:
        state = state_of(event.stored)
        counts[event.stored.topic] += 1
        versions.setdefault(event.stored.topic, set()).add(int(state.get("class_version", 1)))
        fields.setdefault(event.stored.topic, set()).update(k for k in state if k != "class_version")
    return {"events": sum(counts.values()), "topics": {
        topic: {"count": counts[topic], "class_versions": sorted(versions[topic]), "fields": sorted(fields[topic])}
        for topic in sorted(counts)}}


def load_into(app: Any, events: list[CorpusEvent]) -> None:
    """Inserts the corpus into an empty store through the library's recorder, as stored: same bytes,
    same order (so the same notification ids)."""
    if app.recorder.max_notification_id():
        raise RuntimeError("the corpus is loaded into an empty store only")
    app.recorder.insert_events([e.stored for e in events])
    last = app.recorder.max_notification_id()
    if last != events[-1].notification_id:
        raise RuntimeError(f"the corpus ends at notification {events[-1].notification_id}, the store at {last}")


# ---------------------------------------------------------------------------- the guards
def missing_event_types(events: Iterable[CorpusEvent]) -> list[str]:
    """Event types the domain can store that the corpus has no event of."""
    present = {e.stored.topic for e in events}
    return sorted(topic for topic in stored_event_types() if topic not in present)


def unknown_topics(events: Iterable[CorpusEvent]) -> list[str]:
    """Topics of stored events that no longer resolve (a class renamed or removed without `register_topic`)."""
    problems = []
    for topic in sorted({e.stored.topic for e in events}):
        try:
            resolve_topic(topic)
        except Exception as error:  # TopicError, or the module itself gone
            problems.append(f"{topic}: {error}")
    return problems


def field_problems(mapper: Any, events: Iterable[CorpusEvent]) -> list[str]:
    """One message per event type whose stored events, decoded and upcast by today's mapper, lack a field
    that the class now requires — naming the type, the fields and the upcaster to write."""
    problems: dict[str, str] = {}
    for event in events:
        topic = event.stored.topic
        if topic in problems:
            continue
        cls = resolve_topic(topic)
        stored_version = int(state_of(event.stored).get("class_version", 1))
        decoded = mapper.to_domain_event(event.stored)
        missing = sorted(required_fields(cls) - set(vars(decoded)))
        if missing:
            now = getattr(cls, "class_version", 1)
            if now <= stored_version:
                fix = (f"set class_version = {stored_version + 1} on {cls.__qualname__} and add "
                       f"upcast_v{stored_version}_v{stored_version + 1}(state) filling {', '.join(missing)}")
            else:
                fix = (f"bump class_version to {now + 1} on {cls.__qualname__} and add upcast_v{now}_v{now + 1}(state) "
                       f"filling {', '.join(missing)} (or, if version {now} is new in this change and not yet "
                       f"released, fill them in upcast_v{now - 1}_v{now})")
            problems[topic] = (f"{topic} ({cls.__module__}.{cls.__qualname__}): the corpus's events, stored at "
                               f"class version {stored_version}, lack the required field(s) {', '.join(missing)}; "
                               f"{fix} (docs/reliability.md, Schema evolution)")
    return [problems[t] for t in sorted(problems)]


# ---------------------------------------------------------------------------- what the read models say
TIMESTAMP_COLUMNS = ("created_at", "updated_at", "recorded_at", "recorded_from", "recorded_to")


def _rows(tx: Any, sql: str, params: Iterable[Any] = ()) -> list[dict[str, Any]]:
    return [dict(row) for row in tx.execute(sql, list(params))]


def read_model_figures(container: Any, *, network_id: UUID, as_of: Iterable[date]) -> dict[str, Any]:
    """The figures the read models hold over the log: the network's task reports as known at the end of each
    day of `as_of` (as a year closing freezes them), the register's records and versions, the registry and
    the audit trail's entries — without the recorded times."""
    from projections.audit_trail.reports import year_report

    container.runner.catch_up()
    with container.views.transaction() as tx:
        reports = {day.isoformat(): year_report(tx, network_id=str(network_id), year=day.year, as_of=day)["tasks"]
                   for day in as_of}
        register = [
            [r["record_id"], r["kind"], r["subkind"], r["occurred_on"], r["version"], r["status"],
             r["owner_institution_id"], r["title"], record_fields(r)]
            for r in _rows(tx, "SELECT * FROM activity_records ORDER BY record_id")]
        versions = [[r["record_id"], r["version"], r["occurred_on"], r["recorded_to"] is None]
                    for r in _rows(tx, "SELECT * FROM activity_versions ORDER BY record_id, version")]
        audit = [[r["position"], r["event_type"], r["kind"], r["record_id"], r["version"], r["user_id"],
                  r["institution_id"], r["reason"], r["network_id"], unpack_changes(r["changes_json"], creation_columns(r))]
                 for r in _rows(tx, "SELECT * FROM audit_entries ORDER BY position")]
        registry = {
            "institutions": [[r["id"], r["name"], r["short_name"], r["kind"], r["active"], r["version"]]
                             for r in _rows(tx, "SELECT * FROM registry_institutions ORDER BY id")],
            "firms": [[r["id"], r["nip"], r["regon"], r["firm_key"]]
                      for r in _rows(tx, "SELECT * FROM registry_firms ORDER BY id")],
            "network_members": [[r["network_id"], r["institution_id"], r["seq"], r["joined_on"], r["left_on"]]
                                for r in _rows(tx, "SELECT * FROM registry_network_members WHERE recorded_to IS NULL "
                                                   "ORDER BY network_id, institution_id, seq")],
            "cluster_members": [[r["cluster_id"], r["firm_id"], r["seq"], r["joined_on"], r["left_on"]]
                                for r in _rows(tx, "SELECT * FROM registry_cluster_members WHERE recorded_to IS NULL "
                                                   "ORDER BY cluster_id, firm_id, seq")],
        }
    return {"task_reports": reports, "register": register, "register_versions": versions,
            "audit_entries": audit, "registry": registry}
