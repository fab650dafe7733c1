"""Closing a year end to end: seal it, bring the read models past the seal, freeze the report as of today, close.

The domain decides whether the year may close (sign-offs, reopened institutions); this module only
computes the snapshot it freezes (projections/audit_trail/reports.py) and hands it over.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import eventsourcing.domain

from domain.values import Actor, warsaw_today
from projections.audit_trail.reports import year_report


def closing_day() -> date:
    """Today in Warsaw on the clock that stamps events, so the report's as-of day matches the log."""
    return warsaw_today(eventsourcing.domain.datetime_now_with_tzinfo())


def close_year(container: Any, *, network_id: UUID, year: int, actor: Actor) -> Any:
    """Seal, then freeze the report from the read models caught up past the seal, then publish (as
    `uc.closing.close` does, without its roles and names)."""
    container.app.years.seal_year(network_id=network_id, year=year, actor=actor)
    as_of = closing_day()
    container.runner.catch_up()
    with container.views.transaction() as tx:
        report = year_report(tx, network_id=str(network_id), year=year, as_of=as_of)
    return container.app.years.close_year(network_id=network_id, year=year, report=report, report_as_of=as_of,
                                            actor=actor)


def reproduce_report(container: Any, *, network_id: UUID, year: int, as_of: date) -> dict[str, Any]:
    """The report as it would have been frozen on `as_of` (an auditor compares it with a published version)."""
    container.runner.catch_up()
    with container.views.transaction() as tx:
        return year_report(tx, network_id=str(network_id), year=year, as_of=as_of)
