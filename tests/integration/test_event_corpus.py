"""Schema evolution: the stored corpus of what v1 wrote (tests/fixtures/events/) must be read by every later version.

The corpus is loaded, as stored, into a fresh SQLite store through the library's recorder; then every event
decodes with today's classes and carries every field they require (after upcasters), every aggregate replays,
the read models over it equal the stored expectation, the audit chain checks and the frozen year reports
reproduce. A new event type without corpus events, or a new required field without an upcaster, fails here
with a message naming the type and what to add (docs/reliability.md, "Schema evolution").
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date
from uuid import UUID

import eventsourcing.utils
import pytest
from eventsourcing.domain import Aggregate
from eventsourcing.utils import get_topic, resolve_topic

from domain.application import DEFAULT_NETWORK_ID
from domain.base import SplotEvent
from domain.closing import ReportingYear, report_hash, reporting_year_id
from domain.records import Record
from infra.closing import reproduce_report
from infra.container import build_container
from infra.settings import Settings
from infra.verify import verify_log
from tests.support import corpus
from tests.unit.domain.test_topics import PINNED


ON_PURPOSE = (". If a projection's output changed on purpose, recompute the expectation with "
              "`scripts/write-event-corpus.py --expected` and review its diff; the corpus itself stays as it is.")


@pytest.fixture(scope="module")
def events() -> list[corpus.CorpusEvent]:
    return corpus.read_corpus()


@pytest.fixture(scope="module")
def loaded(tmp_path_factory, events):
    """A fresh SQLite store (with its audit chain) holding exactly the corpus, read models caught up."""
    container = build_container(Settings(data_dir=tmp_path_factory.mktemp("corpus") / "var"))
    corpus.load_into(container.app, events)
    container.runner.catch_up()
    yield container
    container.close()


def test_the_corpus_holds_every_event_type_the_domain_stores(events):
    assert corpus.unknown_topics(events) == []
    missing = corpus.missing_event_types(events)
    assert missing == [], (f"No corpus events of {', '.join(missing)}: add a step that stores them to "
                           "scripts/write-event-corpus.py and append them (docs/reliability.md, Schema evolution)")


def test_the_domain_walk_finds_every_pinned_topic_and_the_ones_the_pins_miss():
    """The walk over the domain's aggregates is what makes a new event type fail the test above."""
    found = set(corpus.domain_event_classes()) | {get_topic(a) for a in corpus.domain_aggregates()}
    assert PINNED <= found
    assert "splot:PersonalDataAct.PersonErased" in found  # defined in domain/privacy.py, which PINNED leaves out
    assert "splot:Record.Created" not in corpus.stored_event_types()  # a base: its kinds are stored
    assert "splot:Record.MeetingHeld" in corpus.stored_event_types()


def test_the_manifest_describes_the_corpus(events):
    stored = json.loads(corpus.MANIFEST_FILE.read_text(encoding="utf-8"))
    assert corpus.manifest(events) == stored
    assert [e.notification_id for e in events] == list(range(1, len(events) + 1))


def test_every_stored_event_decodes_with_todays_classes_and_carries_their_fields(loaded, events):
    mapper = loaded.app.mapper
    read_back = [n for n in loaded.app.recorder.select_notifications(1, len(events) + 1, inclusive_of_start=True)]
    assert [(n.id, n.topic, n.state) for n in read_back] == [
        (e.notification_id, e.stored.topic, e.stored.state) for e in events]
    by_type: dict[str, int] = defaultdict(int)
    for notification in read_back:
        event = mapper.to_domain_event(notification)
        assert get_topic(type(event)) == notification.topic
        assert event.originator_version == notification.originator_version
        by_type[notification.topic] += 1
    assert sum(by_type.values()) == len(events) and len(by_type) == len(corpus.stored_event_types())
    problems = corpus.field_problems(mapper, events)
    assert not problems, "\n".join(problems)


def test_every_aggregate_replays_to_its_last_version(loaded, events):
    last: dict[str, int] = {}
    kind: dict[str, str] = {}
    for e in events:
        key = str(e.stored.originator_id)
        last[key] = max(last.get(key, 0), e.stored.originator_version)
        if e.stored.originator_version == 1:
            kind[key] = corpus.state_of(e.stored)["originator_topic"]
    for aggregate_id, version in last.items():
        aggregate = loaded.app.repository.get(UUID(aggregate_id))
        assert aggregate.version == version
        assert get_topic(type(aggregate)) == kind[aggregate_id]
    assert len(last) > 100


def test_the_read_models_over_the_corpus_equal_the_stored_expectation(loaded):
    expected = json.loads(corpus.EXPECTED_FILE.read_text(encoding="utf-8"))
    actual = json.loads(json.dumps(corpus.read_model_figures(loaded, network_id=DEFAULT_NETWORK_ID,
                                                             as_of=corpus.REPORTS_AS_OF)))
    for section in ("registry", "register", "register_versions", "audit_entries", "task_reports"):
        if isinstance(expected[section], list):
            differing = [(i, a, b) for i, (a, b) in enumerate(zip(actual[section], expected[section])) if a != b]
            assert len(actual[section]) == len(expected[section]), section
            assert differing[:3] == [], f"{section}: {len(differing)} rows differ (row, now, expected){ON_PURPOSE}"
        assert actual[section] == expected[section], f"{section} differs{ON_PURPOSE}"
    assert set(actual) == set(expected) - {"audit_chain"}


def test_the_audit_chain_checks_over_the_corpus(loaded, events):
    result = verify_log(loaded.app.recorder)
    assert result.ok, result.finding and result.finding.describe()
    assert result.events_checked == len(events)
    expected = json.loads(corpus.EXPECTED_FILE.read_text(encoding="utf-8"))["audit_chain"]
    assert (result.head_seq, result.head_hash) == (expected["events"], expected["head_hash"])


def test_the_years_closed_in_the_corpus_reproduce_their_frozen_reports(loaded):
    reporting_year: ReportingYear = loaded.app.repository.get(reporting_year_id(DEFAULT_NETWORK_ID, 2012))
    assert [v["version"] for v in reporting_year.versions] == [1, 2]
    for version in reporting_year.versions:
        assert report_hash(version["report"]) == version["report_hash"]
        again = reproduce_report(loaded, network_id=DEFAULT_NETWORK_ID, year=2012,
                                 as_of=date.fromisoformat(version["report_as_of"]))
        assert again == version["report"], f"2012 version {version['version']} no longer reproduces"


# ------------------------------------------------------------------------------------------------ the guards
# A later version of `Record.MeetingHeld` with one more required field, made by subclassing today's class (so
# whatever class version and upcasters it has by then are kept) and resolving its stored topic to the subclass.
NOW = getattr(Record.MeetingHeld, "class_version", 1)
UPCAST = f"upcast_v{NOW}_v{NOW + 1}"


def _later_meeting_held(monkeypatch, *, bump: bool, upcast=None) -> type:
    class MeetingHeld(Record.MeetingHeld):
        corpus_test_venue: str

    if bump:
        MeetingHeld.class_version = NOW + 1
    if upcast is not None:
        setattr(MeetingHeld, UPCAST, staticmethod(upcast))
    monkeypatch.setitem(eventsourcing.utils._topic_cache, Record.MeetingHeld.TOPIC, MeetingHeld)
    assert resolve_topic(Record.MeetingHeld.TOPIC) is MeetingHeld
    return MeetingHeld


def test_a_required_field_added_without_an_upcaster_fails_naming_the_type_and_the_upcaster(loaded, events,
                                                                                          monkeypatch):
    assert not corpus.field_problems(loaded.app.mapper, events), "today's classes must read the corpus first"
    _later_meeting_held(monkeypatch, bump=False)
    [problem] = corpus.field_problems(loaded.app.mapper, events)
    assert problem.startswith("splot:Record.MeetingHeld ")
    assert "corpus_test_venue" in problem and f"class_version {'=' if NOW == 1 else 'to'} {NOW + 1}" in problem
    assert UPCAST in problem


def test_an_upcaster_that_leaves_the_new_field_unset_is_named_too(loaded, events, monkeypatch):
    def wrong_name(state: dict) -> None:
        state["place"] = "?"

    _later_meeting_held(monkeypatch, bump=True, upcast=wrong_name)
    [problem] = corpus.field_problems(loaded.app.mapper, events)
    assert problem.startswith("splot:Record.MeetingHeld ") and "corpus_test_venue" in problem
    assert f"upcast_v{NOW + 1}_v{NOW + 2}" in problem and UPCAST in problem


def test_a_field_added_with_its_upcaster_reads_the_old_corpus(loaded, events, monkeypatch):
    def fill_venue(state: dict) -> None:
        state["corpus_test_venue"] = ""

    later = _later_meeting_held(monkeypatch, bump=True, upcast=fill_venue)
    assert corpus.field_problems(loaded.app.mapper, events) == []
    meetings = [e for e in events if e.stored.topic == Record.MeetingHeld.TOPIC]
    decoded = loaded.app.mapper.to_domain_event(meetings[0].stored)
    assert isinstance(decoded, later) and decoded.corpus_test_venue == ""
    assert loaded.app.mapper.to_stored_event(decoded).state.count(f'"class_version":{NOW + 1}'.encode()) == 1


def test_a_new_event_type_without_corpus_events_is_named(events, monkeypatch):
    class Archived(SplotEvent, Aggregate.Event):
        TOPIC = "splot:Record.Archived"
        reason: str

    monkeypatch.setattr(Record, "Archived", Archived, raising=False)
    assert corpus.missing_event_types(events) == ["splot:Record.Archived"]
