"""Closing a reporting year as people do it: a lead signs off their institution's records, the coordinator
closes the year (freezing the next numbered report version) and reopens it, with a reason, for one
institution or for the strategy; anyone who may read it sees where the year stands.

The order of things is the domain's (domain/closing.py); this module adds who may, which network (the
user's municipality's), the frozen report (from the read models), and words a person can act on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Callable
from uuid import UUID

from domain.application import Saved, Splot
from domain.closing import FIRST_YEAR, LAST_YEAR, ReportingYear, check_year, report_diff
from domain.errors import InvariantViolated, bilingual
from domain.policy import Action, User, authorize, check_acts_for
from domain.ports import ReadModels
from domain.use_cases.scope import Scopes

__all__ = ["FIRST_YEAR", "LAST_YEAR", "ReportChange", "VersionComparison", "YearClosingUseCases", "YearStatus",
           "YearSummary"]


@dataclass(frozen=True)
class SignOff:
    institution_id: UUID
    short_name: str | None
    signed_off_by: str | None
    signed_off_at: datetime | None


@dataclass(frozen=True)
class Reopening:
    institution_id: UUID | None  # None: reopened for the strategy's figures
    short_name: str | None
    reason: str
    reopened_by: str | None
    reopened_at: datetime


@dataclass(frozen=True)
class YearStatus:
    year: int
    closed: bool
    sign_offs: list[SignOff]
    reopened: list[Reopening]
    versions: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class YearClosed:
    saved: Saved
    report_version: int
    report_hash: str


@dataclass(frozen=True)
class YearSummary:
    year: int
    closed: bool
    latest_version: int | None
    reopened: bool  # closed, but something was reopened since the last close


@dataclass(frozen=True)
class ReportChange:
    """One leaf of `report_diff`, located: which task, indicator or stage, which year and which figure,
    or which record; `path` stays for anything not recognised."""
    path: str
    old: Any
    new: Any
    area: str  # "indicator", "stage", "task", "record", "other"
    task_code: str | None = None
    item_code: str | None = None  # an indicator's code, a stage's number
    item_name: str | None = None
    year: str | None = None
    measure: str | None = None  # "target", "actual", "percent", "realised", "version", "source:LCB", ...
    record_id: str | None = None
    record_kind: str | None = None


@dataclass(frozen=True)
class VersionComparison:
    year: int
    first: dict[str, Any]  # the version's header (number, hash, as-of, closed at/by), no report
    second: dict[str, Any]
    changes: list[ReportChange]


def _header(version: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in version.items() if key != "report"}


def _path_parts(path: str) -> list[str | int]:
    parts: list[str | int] = []
    for name, index in re.findall(r"/([^/\[]+)|\[(\d+)\]", path):
        parts.append(int(index) if index else name)
    return parts


def _locate(change: dict[str, Any], old: dict[str, Any], new: dict[str, Any],
            short_names: dict[str, str]) -> ReportChange:
    parts = _path_parts(change["path"])
    base = {"path": change["path"], "old": change["old"], "new": change["new"]}
    if len(parts) >= 2 and parts[0] == "records":
        record_id = str(parts[1])
        kind = ((new.get("records") or {}).get(record_id) or (old.get("records") or {}).get(record_id) or {}).get("kind")
        measure = str(parts[2]) if len(parts) > 2 else None
        if measure == "owner_institution_id":
            base["old"], base["new"] = (short_names.get(str(v), v) if v else v for v in (base["old"], base["new"]))
        return ReportChange(**base, area="record", record_id=record_id, record_kind=kind, measure=measure)
    if len(parts) >= 2 and parts[0] == "tasks":
        task = str(parts[1])
        rest = parts[2:]
        if len(rest) >= 2 and rest[0] in ("indicators", "stages") and isinstance(rest[1], int):
            items = ((new.get("tasks") or {}).get(task) or (old.get("tasks") or {}).get(task) or {}).get(rest[0]) or []
            item = items[rest[1]] if rest[1] < len(items) else {}
            tail = [str(p) for p in rest[2:]]
            year = measure = None
            if len(tail) >= 3 and tail[0] == "years":
                year, measure = tail[1], ".".join(tail[2:])
            elif len(tail) == 2 and tail[0] == "years":
                year, measure = tail[1], "value"
            elif len(tail) >= 3 and tail[0] == "by_source":
                year, measure = tail[2], f"source:{tail[1]}"
            elif len(tail) >= 4 and tail[0] == "by_institution" and tail[2] == "years":
                rows = item.get("by_institution") or []
                row = rows[int(tail[1])] if tail[1].isdigit() and int(tail[1]) < len(rows) else {}
                year, measure = tail[3], f"institution:{row.get('short_name') or '?'}"
            elif tail:
                measure = ".".join(tail)
            if rest[0] == "indicators":
                return ReportChange(**base, area="indicator", task_code=task, item_code=item.get("code"),
                                    item_name=item.get("name"), year=year, measure=measure)
            return ReportChange(**base, area="stage", task_code=task, item_code=str(item.get("number", "")),
                                item_name=item.get("name"), year=year, measure=measure)
        return ReportChange(**base, area="task", task_code=task, measure=".".join(str(p) for p in rest) or None)
    return ReportChange(**base, area="other")


class YearClosingUseCases:
    def __init__(self, store: Splot, reads: ReadModels, scopes: Scopes, closing_day: Callable[[], date]) -> None:
        self.store = store
        self.reads = reads
        self.scopes = scopes
        self.closing_day = closing_day

    def _network(self, user: User) -> UUID:
        return self.scopes.of(user).network()

    def _short_names(self, user: User) -> dict[str, str]:
        rows = self.reads.institutions(network_ids=self.scopes.of(user).network_texts)
        return {row["id"]: row["short_name"] for row in rows}

    # ------------------------------------------------------------------ reading
    def status(self, user: User, year: int) -> YearStatus:
        """Sign-offs (who, when), closed or open, reopenings (for whom, why), published versions.
        The year's events are replayed for the times and authors the aggregate's state does not keep."""
        authorize(user, Action.READ_YEAR_STATUS)
        year = check_year(year)
        network_id = self._network(user)
        reporting_year = self.store.years.get_reporting_year(network_id, year)
        signed: dict[UUID, tuple[str | None, datetime]] = {}
        reopened: dict[UUID | None, tuple[str, str | None, datetime]] = {}
        for event in self.store.events.get(reporting_year.id) if reporting_year else ():
            if isinstance(event, ReportingYear.SignedOff):
                signed[event.institution_id] = (event.actor_user_id, event.timestamp)
            elif isinstance(event, ReportingYear.Reopened):
                signed.pop(event.institution_id, None)
                reopened[event.institution_id] = (event.reason, event.actor_user_id, event.timestamp)
            elif isinstance(event, ReportingYear.Closed):
                reopened.clear()
        labels = self._short_names(user)
        required = self.store.years.required_sign_offs(network_id, year)
        return YearStatus(
            year=year, closed=bool(reporting_year and reporting_year.closed),
            sign_offs=[SignOff(i, labels.get(str(i)), *signed.get(i, (None, None)))
                       for i in [*required, *(i for i in signed if i not in required)]],
            reopened=[Reopening(i, labels.get(str(i)), reason, by, at) for i, (reason, by, at) in reopened.items()],
            versions=list(reporting_year.versions) if reporting_year else [])

    def report_version(self, user: User, year: int, version: int) -> dict[str, Any]:
        authorize(user, Action.READ_AUDIT)
        return self.store.years.report_version(network_id=self._network(user), year=year, version=version)

    def report_diff(self, user: User, year: int, version: int, other: int) -> list[dict[str, Any]]:
        first, second = self.report_version(user, year, version), self.report_version(user, year, other)
        return report_diff(first["report"], second["report"])

    def years(self, user: User) -> list[YearSummary]:
        """The years a person may close: the strategy's task years (else the last five), newest first."""
        authorize(user, Action.READ_YEAR_STATUS)
        scope = self.scopes.of(user)
        network_id = scope.network()
        years: set[int] = set()
        for task in self.reads.tasks(strategy_id=str(scope.strategy_id)):
            years.update(int(y) for y in task.get("years") or ())
        if not years:
            today = self.closing_day().year
            years = set(range(today - 4, today + 1))
        summaries = []
        for year in sorted((y for y in years if FIRST_YEAR <= y <= LAST_YEAR), reverse=True):
            reporting_year = self.store.years.get_reporting_year(network_id, year)
            versions = list(reporting_year.versions) if reporting_year else []
            summaries.append(YearSummary(year=year, closed=bool(reporting_year and reporting_year.closed),
                                         latest_version=versions[-1]["version"] if versions else None,
                                         reopened=bool(reporting_year and reporting_year.closed
                                                       and reporting_year.reopened)))
        return summaries


    def compare_versions(self, user: User, year: int, version: int, other: int) -> VersionComparison:
        """Two published versions and every figure that differs between them, located for a reader."""
        first, second = self.report_version(user, year, version), self.report_version(user, year, other)
        short_names = self._short_names(user)
        changes = [_locate(c, first["report"], second["report"], short_names)
                   for c in report_diff(first["report"], second["report"])]
        return VersionComparison(year=year, first=_header(first), second=_header(second), changes=changes)

    # ------------------------------------------------------------------ changing
    def sign_off(self, user: User, year: int, *, institution_id: UUID) -> Saved:
        """A lead vouches for their own institution's records of the year."""
        authorize(user, Action.SIGN_OFF_YEAR)
        check_acts_for(user, [institution_id], field="institution_id")
        return self.store.years.sign_off_year(network_id=self._network(user), year=year,
                                                institution_id=institution_id, actor=user.actor)

    def close(self, user: User, year: int) -> YearClosed:
        """Seals the year (from then on its writes are refused), freezes the report from the read models
        brought past the seal — exactly the log before it, for the year's records — and publishes it as the
        next version; a refusal for missing sign-offs names them. A seal left by a close that did not
        finish is completed."""
        authorize(user, Action.CLOSE_YEAR)
        year = check_year(year)
        network_id = self._network(user)
        try:
            self.store.years.seal_year(network_id=network_id, year=year, actor=user.actor)
        except InvariantViolated:
            self._refuse_naming_missing_sign_offs(user, network_id, year)
            raise
        as_of = self.closing_day()
        report = self.reads.year_report(network_id=str(network_id), year=year, as_of=as_of)  # caught up past the seal
        saved = self.store.years.close_year(network_id=network_id, year=year, report=report, report_as_of=as_of,
                                            actor=user.actor)
        published = self.store.repository.get(saved.id, version=saved.version).versions[-1]
        return YearClosed(saved, published["version"], published["report_hash"])

    def reopen(self, user: User, year: int, *, institution_id: UUID | None, reason: str) -> Saved:
        authorize(user, Action.CLOSE_YEAR)
        return self.store.years.reopen_year(network_id=self._network(user), year=year, institution_id=institution_id,
                                              reason=reason, actor=user.actor)

    def _refuse_naming_missing_sign_offs(self, user: User, network_id: UUID, year: int) -> None:
        """The domain refuses a close with institution ids; a person reads short names (ids kept beside them)."""
        reporting_year = self.store.years.get_reporting_year(network_id, year)
        if reporting_year is not None and reporting_year.closed and not reporting_year.reopened:
            return  # refused because it is already closed: the domain's message says so
        signed = reporting_year.signed_off if reporting_year else {}
        missing = [str(i) for i in self.store.years.required_sign_offs(network_id, year) if i not in signed]
        if not missing:
            return
        short_names = self._short_names(user)
        named = ", ".join(f"{short_names.get(i, '?')} ({i})" for i in missing)
        raise InvariantViolated(
            bilingual(f"Rok {year} nie może zostać zamknięty: brak podpisu {len(missing)} instytucji: {named}.",
                      f"Year {year} cannot be closed: {len(missing)} institution(s) have not signed off: {named}."),
            field="year")
