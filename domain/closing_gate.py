"""The closing gate: a close of a year and the writes of that year's network, serialised (issue 11, defect 3).

Split from domain/closing.py (the reporting year's rules) because it is the save path's business: every
command that finds a year open notes a `YearCheck` here, and `Splot._save` passes the network's gate
in the write's own transaction (`ClosingGates`). docs/reliability.md explains the design and its cost.
"""

from __future__ import annotations

import threading
from contextlib import ExitStack, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Iterator
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.utils import get_topic

from domain.base import SplotEvent
from domain.values import stable_id

if TYPE_CHECKING:
    from domain.application import Splot


def closing_gate_id(network_id: UUID) -> UUID:
    return stable_id("closing-gate", str(network_id))


class ClosingGate(Aggregate):
    """Serialises a year's close with the writes of that network's years (issue 11, defect 3).

    One event stream per network, never loaded: every write whose command checked that a year is open
    appends one event to it, at the version the gate had *before* that check, in the write's own
    transaction; a close's seal appends one too. So a write and a seal that saw the same gate cannot
    both commit: the loser hits the store's unique key, and `Splot._save` checks its years again (a
    sealed year now refuses it) and retries with the gate's new version.
    """

    TOPIC = "splot:ClosingGate"

    class Created(SplotEvent, Aggregate.Created):
        TOPIC = "splot:ClosingGate.Created"

    class Opened(Created):
        TOPIC = "splot:ClosingGate.Opened"
        network_id: UUID
        years: list[int]
        sealing: bool  # opened by a seal rather than a write

    class Passed(SplotEvent, Aggregate.Event):
        TOPIC = "splot:ClosingGate.Passed"
        years: list[int]

    class YearsSealed(SplotEvent, Aggregate.Event):
        """A seal (or a close) of `years` passed the gate: a write that checked those years before it must
        check them again."""
        TOPIC = "splot:ClosingGate.YearsSealed"
        years: list[int]

    @classmethod
    def passing(cls, network_id: UUID, head: int, years: list[int], actor: dict[str, Any], *,
                sealing: bool = False) -> Aggregate.Event:
        """The gate's next event after version `head`: built without loading the stream."""
        common = {"originator_id": closing_gate_id(network_id), "originator_version": head + 1,
                  "timestamp": cls.Event.create_timestamp(), "years": years, **actor,
                  "actor_institution_id": None}  # bookkeeping: not listed as the institution's work
        if head == 0:
            return cls.Opened(originator_topic=get_topic(cls), network_id=network_id, sealing=sealing, **common)
        return cls.YearsSealed(**common) if sealing else cls.Passed(**common)

    @classmethod
    def seals(cls, event: Any) -> bool:
        return isinstance(event, cls.YearsSealed) or (isinstance(event, cls.Opened) and event.sealing)


@dataclass(frozen=True)
class YearCheck:
    """A year found open by a command: the gate version seen before the check, and how to check again."""
    network_id: UUID
    year: int
    gate_head: int
    recheck: Callable[[], None]
    sealing: bool = False  # a seal's or a close's own passage, not a write's


_YEAR_CHECKS: ContextVar[tuple[YearCheck, ...]] = ContextVar("splot_year_checks", default=())


def take_year_checks() -> tuple[YearCheck, ...]:
    """The years checked since the last save in this context (and forget them): `Splot._save` gates them."""
    checks = _YEAR_CHECKS.get()
    _YEAR_CHECKS.set(())
    return checks


class ClosingGates:
    """The gates of a store's networks: reading them, noting checks, building their next events."""

    def __init__(self, store: Splot) -> None:
        self.store = store
        self._locks: dict[UUID, threading.Lock] = {}
        self._locks_lock = threading.Lock()

    @contextmanager
    def locks(self, checks: tuple[YearCheck, ...]) -> Iterator[None]:
        """Holds this process's lock of each gate the checks pass, from reading the gate to the commit: the
        store serialises writers anyway, and without it concurrent writes would keep taking each other's gate
        version and retrying. Other processes (API workers, the CLI) are kept apart by the gate's unique
        versions alone."""
        networks = sorted({c.network_id for c in checks}, key=str)
        with self._locks_lock:
            locks = [self._locks.setdefault(n, threading.Lock()) for n in networks]
        with ExitStack() as stack:
            for lock in locks:
                stack.enter_context(lock)
            yield

    def head(self, network_id: UUID) -> int:
        """The gate's current version (0: no write has passed it yet); one indexed read, no replay."""
        return self.stream_head(closing_gate_id(network_id))

    def stream_head(self, stream_id: UUID) -> int:
        last = self.store.recorder.select_events(stream_id, desc=True, limit=1)
        return last[0].originator_version if last else 0

    def note(self, network_id: UUID, year: int, gate_head: int, recheck: Callable[[], None],
                    sealing: bool = False) -> None:
        _YEAR_CHECKS.set(_YEAR_CHECKS.get() + (YearCheck(network_id, year, gate_head, recheck, sealing),))

    def seal(self, network_id: UUID, year: int) -> None:
        """The next save also passes the network's gate as a seal of `year` (a seal or a close)."""
        self.note(network_id, year, self.head(network_id), lambda: self.seal(network_id, year),
                         sealing=True)

    def refresh(self, checks: tuple[YearCheck, ...]) -> tuple[YearCheck, ...]:
        """The checks brought to the gates' current versions, just before a save: when only writes passed a
        gate since a check, the check still holds; a year sealed since is checked again (and refused)."""
        take_year_checks()
        fresh: list[YearCheck] = []
        for network_id in {c.network_id for c in checks}:
            mine = [c for c in checks if c.network_id == network_id]
            seen, head = min(c.gate_head for c in mine), self.head(network_id)
            sealed: set[int] = set()
            if head > seen:
                for stored in self.store.recorder.select_events(closing_gate_id(network_id), gt=seen, lte=head):
                    if stored.topic != ClosingGate.Passed.TOPIC:  # decode only what may be a seal
                        event = self.store.mapper.to_domain_event(stored)
                        if ClosingGate.seals(event):
                            sealed.update(event.years)
            for check in mine:
                if check.year in sealed and not check.sealing:
                    check.recheck()  # raises when the year is now sealed for this write; else notes itself
                else:
                    fresh.append(YearCheck(check.network_id, check.year, head, check.recheck, check.sealing))
        return (*fresh, *take_year_checks())

    def events(self, checks: tuple[YearCheck, ...], actor: dict[str, Any]) -> list[Aggregate.Event]:
        """One gate event per network checked, at the earliest version seen by its checks."""
        events = []
        for network_id in sorted({c.network_id for c in checks}, key=str):
            mine = [c for c in checks if c.network_id == network_id]
            events.append(ClosingGate.passing(network_id, min(c.gate_head for c in mine),
                                              sorted({c.year for c in mine}), actor,
                                              sealing=any(c.sealing for c in mine)))
        return events

    def moved(self, events: list[Aggregate.Event]) -> bool:
        """Whether another save took one of these gate versions (then the years are checked again)."""
        return any(self.stream_head(e.originator_id) >= e.originator_version for e in events)
