"""The event store: the only way the outside world changes Splot's state.

`Splot` saves and loads aggregates; the commands live in four objects composed over it, one per
area: `store.registry` (domain/registry_commands.py), `store.records` (domain/record_commands.py),
`store.strategy` (domain/strategy/use_cases.py) and `store.years` (domain/closing.py). Each
command loads what it needs, checks every input and cross-aggregate rule, and saves all new events
in one transaction, returning `Saved` (id, version, notification id) so a caller can wait until its
read models have caught up. A failed check raises a DomainError and saves nothing. Cross-area rules
go through the store's attributes (records and memberships ask `store.years` whether a year is open).
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass
from datetime import date
from typing import Any, Callable, Mapping, TypeVar
from uuid import UUID

from copy import deepcopy

from eventsourcing.application import AggregateNotFoundError, Application, LRUCache, Repository, project_aggregate
from eventsourcing.domain import Aggregate
from eventsourcing.utils import Environment, strtobool
from eventsourcing.persistence import IntegrityError, JSONTranscoder, Mapper, Notification, Recording

from domain.base import DateAsISO, SplotEvent
from domain.closing import ReportingYear, YearClosingCommands
from domain.closing_gate import take_year_checks
from domain.group_commit import GroupCommit, SaveAlone
from domain.idempotency import KeyTaken, current_pending_key
from domain.ports import PersonDirectory
from domain.errors import InvariantViolated, NotFound, UnknownReference, VersionConflict, bilingual
from domain.record_commands import RecordCommands
from domain.records import Record
from domain.registry import Firm, Institution, Municipality, Network, UniqueKey
from domain.registry_commands import DEFAULT_MUNICIPALITY_ID, DEFAULT_NETWORK_ID, RegistryCommands
from domain.strategy.use_cases import StrategyCommands
from domain.values import Actor, check_business_date, warsaw_today

A = TypeVar("A", bound=Aggregate)

CACHED_TYPES = (Network, Municipality, Institution, Firm, ReportingYear)

__all__ = ["DEFAULT_MUNICIPALITY_ID", "DEFAULT_NETWORK_ID", "Saved", "Splot"]


class ReferenceCache(LRUCache):
    """The repository's cache, holding only the small, long-lived aggregates a record's checks read (networks,
    municipalities, institutions, firms, reporting years): records, keys and the strategy are replayed as
    before (a record's free text never stays in memory)."""

    def put(self, key: Any, value: Any) -> Any:
        """The evicted entry as the library's cache returns it, or None when `value` is not of a cached kind."""
        if isinstance(value, CACHED_TYPES):
            return super().put(key, value) or (None, None)
        return None


class ReferenceRepository(Repository):
    """The library's repository with a copy-on-write cache. The library fast-forwards a cached aggregate in place
    under its lock but copies it after releasing it, so a copy taken while another thread applied the next events
    could mix old and new fields (a reporting year seen half closed: `closed` and `reopened` from before a close,
    `sealed` from after it). Here a cached aggregate is never changed once cached: newer events are applied to a
    copy, which then replaces it in the cache (under a lock per aggregate, so two threads do not both replay).

    So a caller that only reads (`readonly=True`: the reference and year checks of a write) is handed the cached
    object itself, with no copy; every other caller gets its own deep copy, as from the library (issue 13: the
    copies were a quarter of a write's use-case CPU, and they grow with a network's members)."""

    STRIPES = 64

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._stripes = [threading.Lock() for _ in range(self.STRIPES)]

    def get(self, aggregate_id: Any, *, version: int | None = None, readonly: bool = False,
            projector_func: Any = None, deepcopy_from_cache: bool = True, **kwargs: Any) -> Any:
        if version is not None or not self.cache or projector_func is not None or kwargs:
            return super().get(aggregate_id, version=version, deepcopy_from_cache=deepcopy_from_cache, **kwargs,
                               **({"projector_func": projector_func} if projector_func is not None else {}))
        with self._stripes[hash(aggregate_id) % self.STRIPES]:
            try:
                aggregate = self.cache.get(aggregate_id)
            except KeyError:
                aggregate = self._reconstruct_aggregate(aggregate_id, None, project_aggregate)
                if self.cache.put(aggregate_id, aggregate) is None:  # not a cached kind: nobody else holds it
                    return aggregate
            else:
                if self.fastforward:
                    new_events = list(self.event_store.get(originator_id=aggregate_id, gt=aggregate.version))
                    if new_events:
                        aggregate = project_aggregate(deepcopy(aggregate), new_events)  # the cached one stays as is
                        if aggregate is None:
                            raise AggregateNotFoundError(aggregate_id)
                        self.cache.put(aggregate_id, aggregate)
        return aggregate if readonly or not (deepcopy_from_cache and self.deepcopy_from_cache) else deepcopy(aggregate)

    def get_many(self, aggregate_ids: Any) -> dict[Any, Any]:
        """Read-only aggregates by id (`get(readonly=True)` for each; those that do not exist are left out), the
        cached ones brought up to the log by ONE read of all their newer events where the recorder offers it
        (`select_newer_events`, infra/audit_chain.py) instead of one read — one transaction — each."""
        select = getattr(self.event_store.recorder, "select_newer_events", None)
        found: dict[Any, Any] = {}
        cached: dict[Any, Any] = {}
        for aggregate_id in dict.fromkeys(aggregate_ids):
            try:
                if select is None or not self.cache or not self.fastforward:
                    raise KeyError(aggregate_id)
                cached[aggregate_id] = self.cache.get(aggregate_id)
            except KeyError:
                try:
                    found[aggregate_id] = self.get(aggregate_id, readonly=True)
                except AggregateNotFoundError:
                    pass
        newer: dict[Any, list[Any]] = {}
        if cached:
            mapper = self.event_store.mapper
            for stored in select({i: a.version for i, a in cached.items()}):
                newer.setdefault(stored.originator_id, []).append(mapper.to_domain_event(stored))
        for aggregate_id, aggregate in cached.items():
            events = newer.get(aggregate_id)
            if events:
                with self._stripes[hash(aggregate_id) % self.STRIPES]:
                    try:
                        latest = self.cache.get(aggregate_id)  # another thread may have moved it on meanwhile
                    except KeyError:
                        latest = aggregate
                    events = [e for e in events if e.originator_version > latest.version]
                    if events:
                        latest = project_aggregate(deepcopy(latest), events)  # the cached one stays as it is
                        if latest is None:
                            continue
                        self.cache.put(aggregate_id, latest)
                aggregate = latest
            found[aggregate_id] = aggregate
        return found


@dataclass(frozen=True)
class Saved:
    id: UUID
    version: int
    notification_id: int | None


class Splot(Application):
    """The Splot event store, with its commands composed per area (registry, records, strategy, closing)."""

    name = "splot"  # pinned: PostgreSQL tables are named after it

    def __init__(
        self,
        env: dict[str, str] | None = None,
        *,
        person_directory: PersonDirectory | None = None,
        today: Callable[[], date] = warsaw_today,
        mapper_factory: Callable[..., Mapper] | None = None,
    ) -> None:
        # The mapper, when given: built with (transcoder=, cipher=, compressor=) — infra's FieldCipherMapper
        # (infra/field_cipher.py) seals records' free text under per-record keys; the domain knows nothing of it.
        self._mapper_factory = mapper_factory
        super().__init__(env=env)
        self.person_directory = person_directory
        self.today = today
        self.registry = RegistryCommands(self)
        self.records = RecordCommands(self)
        self.strategy = StrategyCommands(self)
        self.years = YearClosingCommands(self)  # reporting years: sign-offs, closing, reopening
        # Concurrent saves committed together, one transaction each batch (domain/group_commit.py); off: one by one.
        self.group_commit = GroupCommit(self) if strtobool(self.env.get("SPLOT_GROUP_COMMIT", "y")) else None

    def construct_env(self, name: str, env: Mapping[str, str] | None = None) -> Environment:
        """Configuration comes only from `env` (built by infra.settings), never from os.environ."""
        return Environment(name, {**type(self).env, **(env or {})})

    def construct_mapper(self) -> Mapper:
        if self._mapper_factory is None:
            return super().construct_mapper()
        return self._mapper_factory(transcoder=self.construct_transcoder(), cipher=self.factory.cipher(),
                                    compressor=self.factory.compressor())

    def construct_repository(self) -> Repository:
        """The library's repository, with a cache of the aggregates a write checks its references against
        (`ReferenceCache`): a cached aggregate is brought up to the log by one indexed read of its newer
        events (the library's fast-forward) and handed out as a copy, so it is exactly the replay's answer,
        whichever process wrote since. SPLOT_REFERENCE_CACHE: how many (0: no cache, every read replays)."""
        size = int(self.env.get("SPLOT_REFERENCE_CACHE", "10000") or 0)
        if size <= 0:
            return super().construct_repository()
        repository = ReferenceRepository(event_store=self.events, snapshot_store=self.snapshots)
        repository.cache = ReferenceCache(size)
        return repository

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())

    def save(self, *objs: Any, stored_events: list[Any] | None = None, **kwargs: Any) -> list[Recording]:
        """The library's save; with `stored_events` (the same events, mapped already by their callers' threads:
        domain/group_commit.py), `EventStore.put` without mapping again: one insert, one transaction."""
        if stored_events is None:
            return super().save(*objs, **kwargs)
        ids = self.recorder.insert_events(stored_events, **kwargs)
        return [Recording(e, Notification(originator_id=s.originator_id, originator_version=s.originator_version,
                                          topic=s.topic, state=s.state, id=n))
                for e, s, n in zip(objs, stored_events, ids or [None] * len(objs), strict=True)]

    # ------------------------------------------------------------------ helpers
    GATE_ATTEMPTS = 200  # writes of one network race for its closing gate; each lost race costs a re-check

    def _save(self, *aggregates: Aggregate, answer: bool = True) -> Saved:
        """Saves the aggregates' new events in one transaction, together with

        - one event on each closing gate whose network's years the command found open (`ClosingGate`):
          when another save took that gate version first, the years are checked again (a sealed year
          refuses now) and the save is retried;
        - the pending Idempotency-Key of the request, if any and `answer` (the save whose result the
          request answers with): `KeyTaken` when a request with the same key was saved first.
        """
        checks = take_year_checks()
        events = [event for aggregate in aggregates for event in aggregate.collect_events()]
        first = aggregates[0]
        actor = next(({"actor_user_id": e.actor_user_id, "actor_institution_id": e.actor_institution_id}
                      for e in events if isinstance(e, SplotEvent)),
                     {"actor_user_id": "system", "actor_institution_id": None})
        pending = current_pending_key() if answer else None
        key_events = list(pending.aggregate(first.id, first.version, actor).collect_events()) if pending else []
        recordings = self._save_in_group(events, checks, actor, key_events)
        for attempt in range(0 if recordings is not None else self.GATE_ATTEMPTS):
            try:
                with self.years.gates.locks(checks):  # in this process, gated saves of a network take turns
                    checks = self.years.gates.refresh(checks)  # the gates as they are now: a year sealed since refuses
                    gate_events = self.years.gates.events(checks, actor)
                    recordings = self.save(*events, *gate_events, *key_events)  # the key last: it answers
                break
            except IntegrityError as error:
                if pending is not None and self.years.gates.stream_head(pending.id) >= key_events[0].originator_version:
                    raise KeyTaken(pending.id) from error
                if not gate_events or not self.years.gates.moved(gate_events):
                    raise VersionConflict(bilingual(
                        "Ktoś inny zmienił ten wpis w tym samym czasie; wczytaj go ponownie i spróbuj jeszcze raz.",
                        "Someone else changed this record at the same time; reload it and try again.")) from error
                time.sleep(random.random() * 0.0005 * min(attempt + 1, 10))  # another write passed first
        else:
            if recordings is None:
                raise VersionConflict(bilingual("Zbyt wiele równoczesnych zapisów; spróbuj ponownie.",
                                                "Too many writes at the same time; try again."))
        if pending is not None:
            pending.used = True
        notification_ids = [r.notification.id for r in recordings if r.notification is not None]
        return Saved(first.id, first.version, max(notification_ids) if notification_ids else None)

    def _save_in_group(self, events: list, checks: tuple, actor: dict, key_events: list) -> list | None:
        """The recordings of a save committed with the saves that arrived with it (domain/group_commit.py), or
        None when it must be saved alone: group commit is off, it seals a year, or its batch conflicted."""
        if self.group_commit is None or any(c.sealing for c in checks):
            return None
        try:
            return self.group_commit.save(events, checks, actor, key_events)
        except SaveAlone:
            return None

    def _saved(self, aggregate: Aggregate) -> Saved:
        """`Saved` for an aggregate as stored, nothing new saved (so no log position to wait for)."""
        return Saved(aggregate.id, aggregate.version, None)

    def _read_many(self, aggregate_ids: Any) -> dict[UUID, Aggregate]:
        """Read-only aggregates by id, those that exist (the ids that are no UUID left out): a write's reference
        checks read them all at once (`ReferenceRepository.get_many`) and hand them to `_load(found=...)`."""
        ids = []
        for value in aggregate_ids:
            try:
                ids.append(value if isinstance(value, UUID) else UUID(str(value)))
            except ValueError:
                continue
        if isinstance(self.repository, ReferenceRepository):
            return self.repository.get_many(ids)
        found = {}
        for aggregate_id in dict.fromkeys(ids):
            try:
                found[aggregate_id] = self.repository.get(aggregate_id)
            except AggregateNotFoundError:
                pass
        return found

    def _load(self, cls: type[A], aggregate_id: object, *, field: str, what: str, readonly: bool = False,
              found: Mapping[UUID, Aggregate] | None = None) -> A:
        """The aggregate, or UnknownReference. `readonly`: the caller only reads it (a reference check), so it may
        be handed the cached object itself, not a copy — it must never change it. `found`: aggregates read
        already (`_read_many`), used when they hold this one."""
        if not isinstance(aggregate_id, UUID):
            try:
                aggregate_id = UUID(str(aggregate_id))
            except ValueError:
                raise UnknownReference(what, aggregate_id, field=field) from None
        try:
            if found is not None and aggregate_id in found:
                aggregate = found[aggregate_id]
            elif readonly and isinstance(self.repository, ReferenceRepository):
                aggregate = self.repository.get(aggregate_id, readonly=True)
            else:
                aggregate = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            raise UnknownReference(what, aggregate_id, field=field) from None
        if not isinstance(aggregate, cls):
            raise UnknownReference(what, aggregate_id, field=field)
        return aggregate

    def _claim(self, scope: str, network_id: UUID, value: str, owner_id: UUID, actor: Actor, *, field: str,
               taken: str, taken_pl: str) -> UniqueKey:
        """A claim on a unique value, refused with a clear error when the value is already claimed.

        `taken` and `taken_pl` are the English and Polish sentence templates, with {value}."""
        key_id = UniqueKey.id_for(scope, network_id, value)
        try:
            existing = self.repository.get(key_id)
        except AggregateNotFoundError:
            return UniqueKey.claim(scope=scope, network_id=network_id, value=value, owner_id=owner_id, actor=actor)
        raise InvariantViolated(bilingual(f"{taken_pl.format(value=value)} (identyfikator {existing.owner_id}).",
                                          f"{taken.format(value=value)} (id {existing.owner_id})."), field=field)

    def _business_date(self, value: object, field: str) -> date:
        return check_business_date(value, field=field, today=self.today())

    def exists(self, aggregate_id: UUID) -> bool:
        try:
            self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return False
        return True

    # ------------------------------------------------------------------ reading aggregates
    def get_network(self, network_id: object, field: str = "network_id", *, readonly: bool = False,
                    found: Mapping[UUID, Aggregate] | None = None) -> Network:
        return self._load(Network, network_id, field=field, what="network", readonly=readonly, found=found)

    def get_institution(self, institution_id: object, field: str = "institution_id", *,
                        readonly: bool = False, found: Mapping[UUID, Aggregate] | None = None) -> Institution:
        return self._load(Institution, institution_id, field=field, what="institution", readonly=readonly,
                          found=found)

    def get_firm(self, firm_id: object, field: str = "firm_id") -> Firm:
        return self._load(Firm, firm_id, field=field, what="firm")

    def get_record(self, record_id: object) -> Record:
        try:
            return self._load(Record, record_id, field="record_id", what="record")
        except UnknownReference as error:
            raise NotFound(bilingual(f"Nie ma wpisu o identyfikatorze {record_id}.", f"No record with id {record_id}."),
                           field="record_id") from error
