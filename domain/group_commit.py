"""Group commit: concurrent saves of one process go to the store together, one transaction, one fsync.

With one fsync per commit and the store's single writer, saves that arrive together queue behind each
other's fsync (and, within a network, behind its closing gate's lock). Here the first save to arrive
becomes the leader: it takes every save queued behind it (up to `max_batch`), passes each one's closing
gates (domain/closing_gate.py) at consecutive versions, saves all their events in ONE `app.save`, and
wakes each caller with its own recordings. Nothing is answered before the commit that holds it.

A save whose batch fails on the store's unique key (a version conflict, a uniqueness claim, two requests
with one Idempotency-Key, a seal that took a gate version in between) is not failed: every member of that
batch is told to save alone, through the one-by-one path (`Splot._save`), so only the one that really
conflicts is refused. A member whose year was sealed since its check is refused on its own (its re-check
raises) and the others go on. Saves that seal a year never join a batch: they take the one-by-one path,
and a batch that raced them fails on the gate's unique version and is retried one by one, as above.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError, Recording

from domain.closing_gate import ClosingGate, ClosingGates, YearCheck, closing_gate_id

if TYPE_CHECKING:
    from domain.application import Splot


class SaveAlone(Exception):
    """The batch this save was in conflicted on the store's unique key: save it on its own."""


@dataclass
class _Member:
    events: list[Any]  # the aggregates' new events
    checks: tuple[YearCheck, ...]  # years found open by the command, with the gate versions seen
    actor: dict[str, Any]
    key_events: list[Any]  # the request's Idempotency-Key, saved last (it answers)
    stored: list[Any]  # `events` then `key_events`, mapped to stored events by the caller's own thread
    recordings: list[Any] | None = None
    error: BaseException | None = None
    done: bool = False


@dataclass
class BatchStats:
    batches: int = 0
    saves: int = 0
    largest: int = 0
    alone: int = 0  # members sent back to save one by one after a conflict in their batch
    sizes: dict[int, int] = field(default_factory=dict)


class GroupCommit:
    def __init__(self, store: Splot, *, max_batch: int = 256) -> None:
        self.store = store
        self.max_batch = max_batch
        self.stats = BatchStats()
        self._cond = threading.Condition()
        self._queue: list[_Member] = []
        self._leading = False
        self._prepare = getattr(store.mapper, "prepare_for_writing", None)

    def save(self, events: list[Any], checks: tuple[YearCheck, ...], actor: dict[str, Any],
             key_events: list[Any]) -> list[Any]:
        """The recordings of these events, saved with the gate events their checks need, once committed.
        Raises `SaveAlone` when the batch conflicted, or the error of its own re-check."""
        # Mapping (encoding; sealing free text, for which infra/field_cipher.py may commit a record's new key)
        # runs in the caller's thread before it joins a batch, so the leader's serial part is the insert and
        # its commit — unless the mapper can prepare a whole batch at once (`prepare_for_writing(events)`,
        # e.g. every new record's key in one transaction): then the leader prepares and maps the batch.
        batched = self._prepare is not None
        stored = [] if batched else [self.store.mapper.to_stored_event(e) for e in (*events, *key_events)]
        member = _Member(events, checks, actor, key_events, stored)
        with self._cond:
            self._queue.append(member)
            while not member.done:
                if self._leading:
                    self._cond.wait()
                    continue
                self._leading = True
                batch, self._queue = self._queue[:self.max_batch], self._queue[self.max_batch:]
                self._cond.release()
                try:
                    self._commit(batch)
                finally:
                    self._cond.acquire()
                    self._leading = False
                    for m in batch:
                        m.done = True
                    self._cond.notify_all()
        if member.error is not None:
            raise member.error
        return member.recordings  # type: ignore[return-value]

    def _commit(self, batch: list[_Member]) -> None:
        gates = self.store.years.gates
        if self._prepare is not None:
            try:
                self._prepare([e for m in batch for e in (*m.events, *m.key_events)])
                for m in batch:
                    m.stored = [self.store.mapper.to_stored_event(e) for e in (*m.events, *m.key_events)]
            except BaseException as error:
                for m in batch:
                    m.error = error
                return
        try:
            with gates.locks(tuple(c for m in batch for c in m.checks)):
                heads: dict[Any, int] = {}
                saving: list[tuple[_Member, int]] = []  # member, number of events it adds
                events: list[Any] = []
                stored: list[Any] = []
                fresh = _FreshChecks(gates, batch)
                for member in batch:
                    try:
                        checks = fresh.of(member)  # a year sealed since its check refuses it here
                    except Exception as error:
                        member.error = error
                        continue
                    gate_events = self._gate_events(checks, member.actor, heads)
                    split = len(member.events)
                    events += [*member.events, *gate_events, *member.key_events]
                    stored += [*member.stored[:split], *map(self.store.mapper.to_stored_event, gate_events),
                               *member.stored[split:]]
                    saving.append((member, split + len(gate_events) + len(member.key_events)))
                if not events:
                    return
                recordings = self._insert(events, stored)
        except IntegrityError:
            for member in batch:
                if member.error is None:
                    member.error = SaveAlone()
            self.stats.alone += len(batch)
            return
        except BaseException as error:
            for member in batch:
                if member.error is None:
                    member.error = error
            return
        position = 0
        for member, count in saving:
            member.recordings = recordings[position:position + count]
            position += count
        self.stats.batches += 1
        self.stats.saves += len(saving)
        self.stats.largest = max(self.stats.largest, len(saving))
        self.stats.sizes[len(saving)] = self.stats.sizes.get(len(saving), 0) + 1

    def _insert(self, events: list[Any], stored: list[Any]) -> list[Recording]:
        return self.store.save(*events, stored_events=stored)  # one transaction (Splot.save: the commit point)

    @staticmethod
    def _gate_events(checks: tuple[YearCheck, ...], actor: dict[str, Any], heads: dict[Any, int]) -> list[Aggregate.Event]:
        """One gate event per network checked, each after the gate's version so far in this batch (the
        refreshed checks carry the store's head; earlier members of the batch passed it already)."""
        events = []
        for network_id in sorted({c.network_id for c in checks}, key=str):
            mine = [c for c in checks if c.network_id == network_id]
            head = heads.get(network_id, min(c.gate_head for c in mine))
            events.append(ClosingGate.passing(network_id, head, sorted({c.year for c in mine}), actor))
            heads[network_id] = head + 1
        return events


class _FreshChecks:
    """`ClosingGates.refresh` for a whole batch: each network's gate head and the seals passed since the
    earliest check of the batch are read once; a member whose years were sealed after its own check is
    refreshed on its own (its re-check refuses it, or notes the year again when it is still open for it)."""

    def __init__(self, gates: ClosingGates, batch: list[_Member]) -> None:
        self.gates = gates
        self.heads: dict[Any, int] = {}
        self.seals: dict[Any, list[tuple[int, set[int]]]] = {}  # network -> [(gate version, years sealed)]
        for network_id in {c.network_id for m in batch for c in m.checks}:
            seen = min(c.gate_head for m in batch for c in m.checks if c.network_id == network_id)
            head = self.heads[network_id] = gates.head(network_id)
            self.seals[network_id] = []
            if head > seen:
                for stored in gates.store.recorder.select_events(closing_gate_id(network_id), gt=seen, lte=head):
                    if stored.topic != ClosingGate.Passed.TOPIC:  # decode only what may be a seal
                        event = gates.store.mapper.to_domain_event(stored)
                        if ClosingGate.seals(event):
                            self.seals[network_id].append((stored.originator_version, set(event.years)))

    def of(self, member: _Member) -> tuple[YearCheck, ...]:
        if any(check.year in years for check in member.checks
               for version, years in self.seals[check.network_id] if version > check.gate_head):
            return self.gates.refresh(member.checks)
        return tuple(YearCheck(c.network_id, c.year, self.heads[c.network_id], c.recheck, c.sealing)
                     for c in member.checks)
