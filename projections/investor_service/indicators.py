"""The investor-service indicators, per year, computed from the inquiries as of a date (pure: no database).

- handled: inquiries answered in the year (by the answer's date);
- median response time, in CALENDAR days from receipt to answer, over the year's answered inquiries and its
  overdue ones (below) — calendar days because that is what an investor waits; the standard itself is set in
  working days and decides the due date, which is what "within the standard" compares against;
- share within the standard: answered in the year on or before the due date, over the year's answered and
  overdue inquiries;
- sites offered per inquiry: the sites offered in the year's answers over the inquiries answered in the year.

An overdue inquiry — no answer, and the due date passed before `as_of` (or before the investor withdrew it) —
counts in the year of its due date as not within the standard, and enters the median with the days it has
waited so far (until `as_of`, or until its withdrawal): a lower bound of its response time, so an unanswered
inquiry never makes the median look better. It is not "handled" and offers no sites. An inquiry withdrawn
unanswered before its due date leaves the indicators (nothing was owed). An open inquiry not yet due is in no
year yet.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from statistics import median
from typing import Any, Iterable


@dataclass(frozen=True)
class YearIndicators:
    year: int
    handled: int  # answered in the year
    answered_within: int  # of those, on or before the due date
    answered_late: int
    overdue_unanswered: int  # due in the year, unanswered as of the date
    median_days: float | None  # calendar days; None when the year has no answered or overdue inquiry
    share_within: float | None  # answered_within / (handled + overdue_unanswered); None when both are 0
    sites_offered: int
    sites_per_inquiry: float | None  # sites_offered / handled; None when nothing was handled


def _day(value: Any) -> date | None:
    return value if isinstance(value, date) or value is None else date.fromisoformat(value)


def indicators(inquiries: Iterable[dict[str, Any]], *, as_of: date) -> list[YearIndicators]:
    """One row per year that has an answered or overdue inquiry, oldest first. `inquiries` are rows of
    investor_inquiries (received_on, due_on, answered_on, outcome, decided_on, site_ids_json)."""
    years: dict[int, dict[str, Any]] = {}

    def year(y: int) -> dict[str, Any]:
        return years.setdefault(y, {"handled": 0, "within": 0, "overdue": 0, "days": [], "sites": 0})

    for row in inquiries:
        received, due = _day(row["received_on"]), _day(row["due_on"])
        answered, decided = _day(row.get("answered_on")), _day(row.get("decided_on"))
        if received is None or due is None:
            continue
        if answered is not None and answered <= as_of:
            entry = year(answered.year)
            entry["handled"] += 1
            entry["within"] += answered <= due
            entry["days"].append((answered - received).days)
            entry["sites"] += len(json.loads(row.get("site_ids_json") or "[]"))
            continue
        waited_until = decided if row.get("outcome") == "withdrawn" and decided is not None else as_of
        waited_until = min(waited_until, as_of)
        if waited_until > due:  # overdue: the standard was missed on the day after `due`
            entry = year(due.year)
            entry["overdue"] += 1
            entry["days"].append((waited_until - received).days)
    result = []
    for y in sorted(years):
        e = years[y]
        counted = e["handled"] + e["overdue"]
        result.append(YearIndicators(
            year=y, handled=e["handled"], answered_within=e["within"], answered_late=e["handled"] - e["within"],
            overdue_unanswered=e["overdue"], median_days=float(median(e["days"])) if e["days"] else None,
            share_within=e["within"] / counted if counted else None, sites_offered=e["sites"],
            sites_per_inquiry=e["sites"] / e["handled"] if e["handled"] else None))
    return result
