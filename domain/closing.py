"""Closing a reporting year: sign-offs, numbered report versions, reopening for one institution.

Institution leads sign off their institution's records for a year; the coordinator then closes
the year, which freezes a numbered report version (a snapshot of the task tables, computed by the
read models and handed in, with its SHA-256 over a canonical JSON encoding). After closing, a new
record, correction or retraction of that year is refused for an institution until the
coordinator reopens the year for it with a reason; its lead signs off again and the next close
publishes version 2. Every version stays in the log and can be read and compared.

The coordinator's strategy figures for a closed year (targets, reported indicator values, stage plan
and progress) are frozen the same way: the coordinator reopens the year for the strategy itself (a
`Reopened` event with no institution), which needs no lead's sign-off before the next close.

One `ReportingYear` aggregate per (network, year), with a deterministic id, so a use case can
find it without a query. Roles (lead, coordinator) are checked at the API; the domain checks
the order of things.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate

from domain.base import SplotEvent, actor_fields
from domain.closing_gate import ClosingGates, take_year_checks
from domain.errors import InvariantViolated, NotFound, ValidationFailed, VersionConflict, bilingual
from domain.values import Actor, check_text, stable_id

if TYPE_CHECKING:
    from domain.application import Splot

FIRST_YEAR, LAST_YEAR = 2000, 2100
STRATEGY_SCOPE = "strategy"  # the key of a reopening for the strategy itself (Reopened.institution_id is None)


def reporting_year_id(network_id: UUID, year: int) -> UUID:
    return stable_id("reporting-year", str(network_id), str(year))


def report_hash(report: Any) -> str:
    """SHA-256 over the canonical JSON of a report (sorted keys, no spaces, UTF-8)."""
    body = json.dumps(report, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def report_diff(old: Any, new: Any, path: str = "") -> list[dict[str, Any]]:
    """Every leaf that differs between two report versions: [{path, old, new}] (None where absent)."""
    if isinstance(old, dict) and isinstance(new, dict):
        changes = []
        for key in sorted(set(old) | set(new), key=str):
            changes += report_diff(old.get(key), new.get(key), f"{path}/{key}")
        return changes
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        changes = []
        for i, (a, b) in enumerate(zip(old, new)):
            changes += report_diff(a, b, f"{path}[{i}]")
        return changes
    return [] if old == new else [{"path": path or "/", "old": old, "new": new}]


class ReportingYear(Aggregate):
    TOPIC = "splot:ReportingYear"

    class Created(SplotEvent, Aggregate.Created):
        TOPIC = "splot:ReportingYear.Created"

    class Started(Created):
        TOPIC = "splot:ReportingYear.Started"
        network_id: UUID
        year: int

        def apply(self, ry: ReportingYear) -> None:
            ry.network_id = self.network_id
            ry.year = self.year
            ry.signed_off = {}
            ry.closed = False
            ry.reopened = {}
            ry.versions = []
            ry.sealed = False

    class SignedOff(SplotEvent, Aggregate.Event):
        TOPIC = "splot:ReportingYear.SignedOff"
        institution_id: UUID

        def apply(self, ry: ReportingYear) -> None:
            ry.signed_off[self.institution_id] = self.actor_user_id

    class Sealed(SplotEvent, Aggregate.Event):
        """First step of a close: from here on no write of the year goes through (it conflicts at the
        network's `ClosingGate`), so the report frozen next holds exactly the log before this event."""
        TOPIC = "splot:ReportingYear.Sealed"
        report_version: int  # the version the close will publish

        def apply(self, ry: ReportingYear) -> None:
            ry.sealed = True

    class Closed(SplotEvent, Aggregate.Event):
        TOPIC = "splot:ReportingYear.Closed"
        report_version: int
        report: dict[str, Any]
        report_hash: str
        report_as_of: str  # the snapshot shows what was recorded by the end of this Warsaw day (ISO date)
        signed_off_by: dict[str, str]  # institution id -> user who signed off

        def apply(self, ry: ReportingYear) -> None:
            ry.closed = True
            ry.sealed = False
            ry.reopened = {}
            ry.versions.append({
                "version": self.report_version, "report": self.report, "report_hash": self.report_hash,
                "report_as_of": self.report_as_of, "closed_at": self.timestamp, "closed_by": self.actor_user_id,
                "signed_off_by": dict(self.signed_off_by),
            })

    class Reopened(SplotEvent, Aggregate.Event):
        TOPIC = "splot:ReportingYear.Reopened"
        institution_id: UUID | None  # None: reopened for the strategy (targets, values, stage progress)
        reason: str

        def apply(self, ry: ReportingYear) -> None:
            if self.institution_id is None:
                ry.reopened[STRATEGY_SCOPE] = self.reason
                return
            ry.reopened[self.institution_id] = self.reason
            ry.signed_off.pop(self.institution_id, None)

    @classmethod
    def start(cls, network_id: UUID, year: int, actor: Actor) -> ReportingYear:
        return cls._create(cls.Started, id=reporting_year_id(network_id, year), network_id=network_id, year=year,
                           **actor_fields(actor))

    # ------------------------------------------------------------------ rules
    @property
    def is_sealed(self) -> bool:
        """A close has begun and not finished: nothing of the year may change (stores before the seal had none)."""
        return getattr(self, "sealed", False)

    def is_open_for(self, institution_id: UUID | None) -> bool:
        if self.is_sealed:
            return False
        return not self.closed or (institution_id is not None and institution_id in self.reopened)

    def is_open_for_strategy(self) -> bool:
        return not self.is_sealed and (not self.closed or STRATEGY_SCOPE in self.reopened)

    def latest_version_number(self) -> int:
        """The number of the last published version; while sealed, the one being published."""
        return len(self.versions) + (1 if self.is_sealed else 0)

    def sign_off(self, institution_id: UUID, actor: Actor) -> None:
        if not self.is_open_for(institution_id):
            raise InvariantViolated(bilingual(f"Rok {self.year} jest zamknięty; podpisanie wymaga ponownego otwarcia.",
                                              f"Year {self.year} is closed; signing off needs it reopened."),
                                    field="year")
        if institution_id in self.signed_off:
            raise InvariantViolated(bilingual(f"Instytucja już podpisała rok {self.year}.",
                                              f"The institution has already signed off {self.year}."),
                                    field="institution_id")
        self.trigger_event(self.SignedOff, institution_id=institution_id, **actor_fields(actor))

    def seal(self, *, required: list[UUID], actor: Actor) -> None:
        """Begins a close (see `Sealed`); does nothing when a close has already begun."""
        if self.is_sealed:
            return
        self._check_may_close(required)
        self.trigger_event(self.Sealed, report_version=len(self.versions) + 1, **actor_fields(actor))

    def _check_may_close(self, required: list[UUID]) -> None:
        if self.closed and not self.reopened and not self.is_sealed:
            version = self.versions[-1]["version"]
            raise InvariantViolated(bilingual(f"Rok {self.year} jest już zamknięty (wersja {version}); "
                                              "nic nie zostało ponownie otwarte.",
                                              f"Year {self.year} is already closed (version {version}); "
                                              "nothing has been reopened."), field="year")
        missing = [i for i in required if i not in self.signed_off]
        if missing:
            ids = ", ".join(str(i) for i in missing)
            raise InvariantViolated(bilingual(
                f"Rok {self.year} nie może zostać zamknięty: brak podpisu {len(missing)} instytucji ({ids}).",
                f"Year {self.year} cannot be closed: {len(missing)} "
                f"{'institution has' if len(missing) == 1 else 'institutions have'} not signed off ({ids})."),
                field="year")

    def close(self, *, required: list[UUID], report: dict[str, Any], report_as_of: date, actor: Actor) -> None:
        self._check_may_close(required)
        if not isinstance(report, dict) or not report:
            raise ValidationFailed(bilingual("Zamknięcie roku wymaga utrwalonego raportu.",
                                             "A closing needs the report snapshot."), field="report")
        if isinstance(report_as_of, datetime) or not isinstance(report_as_of, date):
            raise ValidationFailed(bilingual("Pole report_as_of musi być datą kalendarzową.",
                                             "report_as_of must be a calendar date."), field="report_as_of")
        self.trigger_event(
            self.Closed, report_version=len(self.versions) + 1, report=report, report_hash=report_hash(report),
            report_as_of=report_as_of.isoformat(), signed_off_by={str(k): v for k, v in self.signed_off.items()},
            **actor_fields(actor))

    def reopen(self, institution_id: UUID | None, reason: str, actor: Actor) -> None:
        """Reopens for one institution, or for the strategy itself when `institution_id` is None."""
        if not self.closed:
            raise InvariantViolated(bilingual(f"Rok {self.year} nie jest zamknięty.", f"Year {self.year} is not closed."),
                                    field="year")
        if self.is_sealed:
            raise InvariantViolated(bilingual(
                f"Trwa zamykanie roku {self.year} (wersja {len(self.versions) + 1}); zamknij go ponownie, "
                "aby dokończyć, a potem otwórz.",
                f"Year {self.year} is being closed (version {len(self.versions) + 1}); close it again to finish, "
                "then reopen it."), field="year")
        if institution_id is None and STRATEGY_SCOPE in self.reopened:
            raise InvariantViolated(bilingual(f"Rok {self.year} jest już otwarty dla zmian strategii.",
                                              f"Year {self.year} is already open for strategy changes."),
                                    field="institution_id")
        if institution_id is not None and institution_id in self.reopened:
            raise InvariantViolated(bilingual(f"Rok {self.year} jest już otwarty dla tej instytucji.",
                                              f"Year {self.year} is already open for this institution."),
                                    field="institution_id")
        self.trigger_event(self.Reopened, institution_id=institution_id,
                           reason=check_text(reason, field="reason", max_length=1000), **actor_fields(actor))

    def report_version(self, number: int) -> dict[str, Any]:
        for v in self.versions:
            if v["version"] == number:
                return v
        raise NotFound(bilingual(f"Rok {self.year} nie ma wersji raportu {number}.",
                                 f"Year {self.year} has no report version {number}."), field="version")


def check_year(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not FIRST_YEAR <= value <= LAST_YEAR:
        raise ValidationFailed(bilingual(f"Pole year musi być rokiem od {FIRST_YEAR} do {LAST_YEAR}.",
                                         f"year must be a whole year between {FIRST_YEAR} and {LAST_YEAR}."),
                               field="year")
    return value


class YearClosingCommands:
    """Composed into the event store as `Splot.years`; records, memberships and the strategy ask it whether
    a year is open."""

    def __init__(self, store: Splot) -> None:
        self.store = store
        self.gates = ClosingGates(store)  # serialises closes with the writes of their years

    def get_reporting_year(self, network_id: UUID, year: int) -> ReportingYear | None:
        try:
            return self.store.repository.get(reporting_year_id(network_id, check_year(year)))
        except AggregateNotFoundError:
            return None

    def check_year_open(self, network_id: UUID, day: date, institution_id: UUID | None,
                        field: str = "occurred_on") -> None:
        """Raises when `day`'s year is closed for the institution whose record would change. The check is
        noted with the gate's version read before it, so the save that follows conflicts with a close
        that seals the year in between (see ClosingGate)."""
        head = self.gates.head(network_id)
        reporting_year = self.get_reporting_year(network_id, day.year)
        if reporting_year is not None and not reporting_year.is_open_for(institution_id):
            raise InvariantViolated(bilingual(
                f"Rok {day.year} jest zamknięty (wersja raportu {reporting_year.latest_version_number()}): "
                "zmiana wpisu z tego roku wymaga ponownego otwarcia roku przez koordynatora.",
                f"Year {day.year} is closed; the coordinator must reopen it for this institution first."),
                field=field)
        self.gates.note(network_id, day.year, head,
                         lambda: self.check_year_open(network_id, day, institution_id, field))

    def check_membership_years_open(self, network_id: UUID, day: date, institution_id: UUID, *, today: date,
                                    field: str) -> None:
        """A membership dated `day` counts at the end of its year and of every later year (year-end gauges,
        required sign-offs), so each of those years must be open for the institution concerned."""
        for year in range(day.year, today.year + 1):
            self.check_year_open(network_id, date(year, 12, 31), institution_id, field=field)

    def check_record_year_open(self, record: Any) -> None:
        """A record of a closed year cannot be created, corrected or retracted (its owner's year must be open)."""
        self.check_year_open(record.network_id, record.occurred_on, record.owner_institution_id)

    def check_strategy_year_open(self, network_id: UUID, year: int, *, field: str, what: tuple[str, str]) -> None:
        """Raises when `year` is closed and not reopened for the strategy: `what` (Polish, English) names the
        figure that would change, e.g. ("wartości docelowe wskaźnika X", "targets of indicator X")."""
        head = self.gates.head(network_id)
        reporting_year = self.get_reporting_year(network_id, year)
        if reporting_year is not None and not reporting_year.is_open_for_strategy():
            version = reporting_year.latest_version_number()
            raise InvariantViolated(bilingual(
                f"Rok {year} jest zamknięty (wersja raportu {version}): zmiana {what[0]} za ten rok wymaga "
                "ponownego otwarcia roku dla strategii przez koordynatora.",
                f"Year {year} is closed (report version {version}); changing the {what[1]} for it needs the "
                "coordinator to reopen the year for the strategy first."), field=field)
        self.gates.note(network_id, year, head,
                         lambda: self.check_strategy_year_open(network_id, year, field=field, what=what))

    def published_years(self, network_id: UUID, years: Any) -> list[int]:
        """Those of `years` that have at least one published (closed) report version."""
        return [y for y in sorted(set(years)) if FIRST_YEAR <= y <= LAST_YEAR
                and (ry := self.get_reporting_year(network_id, y)) is not None and ry.versions]

    def required_sign_offs(self, network_id: UUID, year: int) -> list[UUID]:
        """Every institution that was a member of the network at some time during the year."""
        network = self.store.get_network(network_id)
        first, last = date(year, 1, 1), date(year, 12, 31)
        return [i for i, intervals in network.members.items()
                if any(start <= last and (end is None or end >= first) for start, end in intervals)]

    def _reporting_year(self, network_id: UUID, year: int, actor: Actor) -> ReportingYear:
        self.store.get_network(network_id)
        return self.get_reporting_year(network_id, year) or ReportingYear.start(network_id, year, actor)

    def sign_off_year(self, *, network_id: UUID, year: int, institution_id: UUID, actor: Actor):
        year = check_year(year)
        self.store.get_institution(institution_id)
        reporting_year = self._reporting_year(network_id, year, actor)
        reporting_year.sign_off(institution_id, actor)
        return self.store._save(reporting_year)

    def seal_year(self, *, network_id: UUID, year: int, actor: Actor, attempts: int = 20):
        """First step of a close: checks that the year may close and seals it (see ReportingYear.Sealed), in
        one transaction with the network's gate, so a write of the year either commits before the seal (and
        is in the report frozen next) or is refused. Returns `Saved` with the seal's log position; a year
        already sealed (a close that did not finish) is returned as it is."""
        year = check_year(year)
        for _ in range(attempts):
            take_year_checks()
            reporting_year = self._reporting_year(network_id, year, actor)
            if reporting_year.is_sealed:
                return self.store._saved(reporting_year)
            reporting_year.seal(required=self.required_sign_offs(network_id, year), actor=actor)
            self.gates.seal(network_id, year)
            try:
                return self.store._save(reporting_year, answer=False)
            except VersionConflict:
                continue  # another seal, sign-off or reopening came first: look again
        raise VersionConflict(bilingual(f"Rok {year} zmieniał się zbyt często, by go zamknąć; spróbuj ponownie.",
                                        f"Year {year} kept changing while being closed; try again."))

    def close_year(self, *, network_id: UUID, year: int, report: dict[str, Any], report_as_of: date,
                   actor: Actor):
        """Publishes the report version of a sealed year. The use cases seal first and compute `report` after
        the seal; a year not sealed yet is closed and gated in one transaction (the report was computed
        before it, so writes between the two are refused only from the close on)."""
        year = check_year(year)
        take_year_checks()
        reporting_year = self._reporting_year(network_id, year, actor)
        if not reporting_year.is_sealed:
            self.gates.seal(network_id, year)
        reporting_year.close(required=self.required_sign_offs(network_id, year), report=report,
                             report_as_of=report_as_of, actor=actor)
        return self.store._save(reporting_year)

    def reopen_year(self, *, network_id: UUID, year: int, institution_id: UUID | None, reason: str, actor: Actor):
        """Reopens a closed year for one institution's records, or (institution_id None) for the strategy's
        figures of that year: targets, reported values, stage plan and progress."""
        year = check_year(year)
        if institution_id is not None:
            self.store.get_institution(institution_id)
        reporting_year = self.get_reporting_year(network_id, year)
        if reporting_year is None:
            raise InvariantViolated(bilingual(f"Rok {year} nie jest zamknięty.", f"Year {year} is not closed."),
                                    field="year")
        reporting_year.reopen(institution_id, reason, actor)
        return self.store._save(reporting_year)

    def report_version(self, *, network_id: UUID, year: int, version: int) -> dict[str, Any]:
        reporting_year = self.get_reporting_year(network_id, year)
        if reporting_year is None:
            raise NotFound(bilingual(f"Rok {year} nie został zamknięty.", f"Year {year} has not been closed."),
                           field="year")
        return reporting_year.report_version(version)
