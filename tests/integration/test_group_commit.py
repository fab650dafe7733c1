"""Group commit (issue 13, domain/group_commit.py): concurrent saves committed together, conflicts isolated.

The leader of a batch is held inside its insert (a patched `_insert` waits on an event) while the other
writers queue behind it, so the next batch certainly holds all of them: the tests do not depend on timing.
"""

from __future__ import annotations

import threading
from datetime import date

import pytest

from domain.application import DEFAULT_NETWORK_ID
from domain.errors import VersionConflict
from domain.group_commit import GroupCommit
from domain.records import Record
from domain.values import Actor
from infra.container import open_container
from infra.idempotency import notification_id_of
from infra.verify import verify_log
from tests.support.world import build_world

NET = DEFAULT_NETWORK_ID


def _contact(app, world, n: int):
    return app.records.record("contact", {
        "network_id": NET, "occurred_on": date(2012, 1 + n % 12, 1 + n % 28), "institution_id": world.riph,
        "with_institution_id": world.citt, "channel": "phone", "summary": f"Kontakt {n}"},
        Actor(user_id="staff", institution_id=world.riph))


class Plug:
    """Holds the first batch's leader inside its insert until `queued` saves wait behind it."""

    def __init__(self, committer: GroupCommit, queued: int) -> None:
        self.committer, self.queued = committer, queued
        self.release = threading.Event()
        self.original = committer._insert
        self.plugged = False

    def __call__(self, events, stored):
        if not self.plugged:
            self.plugged = True
            assert self.release.wait(30)
        return self.original(events, stored)

    def wait_for_queue(self) -> None:
        for _ in range(3000):
            with self.committer._cond:
                if len(self.committer._queue) >= self.queued:
                    break
            threading.Event().wait(0.01)
        else:
            raise AssertionError(f"only {len(self.committer._queue)} saves queued")
        self.release.set()


def _run_plugged(container, world, writers) -> tuple[list, list[BaseException]]:
    """Runs one plug write and then `writers` (callables) at once, all queued behind the plug."""
    committer = container.app.group_commit
    plug = Plug(committer, queued=len(writers))
    committer._insert = plug  # type: ignore[method-assign]
    results, errors, lock = [], [], threading.Lock()

    def run(write) -> None:
        try:
            saved = write()
        except BaseException as error:  # noqa: BLE001 - collected for the assertions
            with lock:
                errors.append(error)
        else:
            with lock:
                results.append(saved)

    first = threading.Thread(target=run, args=(lambda: _contact(container.app, world, 0),))
    first.start()
    while not plug.plugged:
        threading.Event().wait(0.005)
    threads = [threading.Thread(target=run, args=(w,)) for w in writers]
    for t in threads:
        t.start()
    plug.wait_for_queue()
    for t in [first, *threads]:
        t.join(60)
    committer._insert = plug.original  # type: ignore[method-assign]
    return results, errors


@pytest.fixture
def store(sqlite_settings):
    container = open_container(sqlite_settings)
    world = build_world(container, NET)
    yield container, world
    container.close()


def test_a_conflict_in_a_batch_refuses_only_the_conflicting_save(store):
    container, world = store
    app = container.app
    record_id = _contact(app, world, 1).id
    actor = Actor(user_id="staff", institution_id=world.riph)

    def correct(summary: str):
        return lambda: app.records.correct_record(record_id=record_id, expected_version=1, reason="Poprawka",
                                                  changes={"summary": summary}, actor=actor)

    writers = [lambda n=n: _contact(app, world, 100 + n) for n in range(6)] + [correct("Pierwsza"), correct("Druga")]
    alone_before = app.group_commit.stats.alone
    results, errors = _run_plugged(container, world, writers)

    assert app.group_commit.stats.alone - alone_before >= len(writers)  # the batch conflicted: all retried alone
    assert len(results) == 1 + 6 + 1, errors  # the plug, six contacts, one of the two corrections
    assert [type(e) for e in errors] == [VersionConflict]
    record: Record = app.get_record(record_id)
    assert record.version == 2 and record.fields["summary"] in {"Pierwsza", "Druga"}
    assert len({s.id for s in results}) == 8  # the plug, six new records and the corrected one
    _answers_name_their_own_events(app, results)


def test_concurrent_writes_give_one_event_and_one_chain_link_each(store):
    container, world = store
    app = container.app
    before_events = app.recorder.max_notification_id()
    batches_before = app.group_commit.stats.batches
    n = 24
    results, errors = _run_plugged(container, world, [lambda i=i: _contact(app, world, 200 + i) for i in range(n)])

    assert not errors
    assert len(results) == n + 1
    assert app.group_commit.stats.largest >= n  # the queued writes went in one batch
    assert app.group_commit.stats.batches - batches_before <= 3
    created = [e for e in app.recorder.select_notifications(start=before_events + 1, limit=10_000)
               if e.topic == Record.ContactEstablished.TOPIC]
    assert sorted(c.originator_id for c in created) == sorted(s.id for s in results)  # N events, no doubles
    _answers_name_their_own_events(app, results)
    total = app.recorder.max_notification_id()
    result = verify_log(app.recorder)
    assert result.finding is None and result.events_checked == total == result.head_seq  # one link per event


def test_a_year_sealed_while_queued_refuses_the_queued_write_of_that_year(store):
    """The close race through a batch: writes checked before a seal and committed after it are re-checked."""
    container, world = store
    app = container.app
    for institution in (world.riph, world.citt, world.wpir, world.lcb):
        app.years.sign_off_year(network_id=NET, year=2012, institution_id=institution,
                                actor=Actor(user_id="lead", institution_id=institution))
    committer = app.group_commit
    checked = threading.Event()
    go = threading.Event()
    original = committer.save

    def slow_save(*args, **kwargs):  # the write's year was checked; the seal lands before it joins a batch
        checked.set()
        assert go.wait(30)
        return original(*args, **kwargs)

    committer.save = slow_save  # type: ignore[method-assign]
    outcome: list = []
    writer = threading.Thread(target=lambda: outcome.append(_try(lambda: _contact(app, world, 7))))
    writer.start()
    assert checked.wait(30)
    app.years.seal_year(network_id=NET, year=2012, actor=Actor(user_id="coordinator"))
    go.set()
    writer.join(30)
    committer.save = original  # type: ignore[method-assign]
    assert len(outcome) == 1 and isinstance(outcome[0], Exception) and "2012" in str(outcome[0])


def _answers_name_their_own_events(app, results) -> None:
    """Each answer's log position is that of its own write: the record's event, followed only by the closing
    gate's event saved with it (the batch's events are handed back to the right callers)."""
    assert len({s.notification_id for s in results}) == len(results)
    for saved in results:
        own = notification_id_of(app.recorder, saved.id, saved.version)
        assert own is not None and saved.notification_id == own + 1
        gate = app.recorder.select_notifications(start=saved.notification_id, limit=1)[0]
        assert gate.topic.startswith("splot:ClosingGate.")


def _try(call):
    try:
        return call()
    except Exception as error:  # noqa: BLE001
        return error


@pytest.mark.postgres
def test_concurrent_writes_on_postgres(postgres_settings):
    container = open_container(postgres_settings)
    try:
        world = build_world(container, NET)
        results, errors = _run_plugged(container, world,
                                       [lambda i=i: _contact(container.app, world, 300 + i) for i in range(12)])
        assert not errors and len(results) == 13
        assert container.app.group_commit.stats.largest >= 12
        result = verify_log(container.app.recorder)
        assert result.finding is None and result.events_checked == container.app.recorder.count_events()
    finally:
        container.close()
