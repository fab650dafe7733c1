"""Follow-up reminders: what a user's institution owes on a day — follow-ups of meeting records due
tomorrow, due today, and overdue (up to OVERDUE_DAYS back: a follow-up has no "done" mark, so an old one
would otherwise be repeated every morning for ever). The daily digest e-mail (`splot digest send`,
infra/mail.py) sends each user this, as that user sees it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from domain.policy import Action, User, authorize, may
from domain.use_cases.calendar import CalendarUseCases

OVERDUE_DAYS = 30


@dataclass(frozen=True)
class DueFollowUps:
    on: date
    tomorrow: list[dict[str, Any]] = field(default_factory=list)
    today: list[dict[str, Any]] = field(default_factory=list)
    overdue: list[dict[str, Any]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.tomorrow or self.today or self.overdue)


class ReminderUseCases:
    def __init__(self, calendar: CalendarUseCases) -> None:
        self.calendar = calendar

    def due(self, user: User, *, on: date) -> DueFollowUps:
        """The follow-ups the user's institution owes around `on` (none for a user of no institution)."""
        authorize(user, Action.READ_CALENDAR)
        if user.institution_id is None or not may(user, Action.READ_RECORDS):
            return DueFollowUps(on)
        items = self.calendar.follow_ups_of(user, user.institution_id)
        return DueFollowUps(
            on,
            tomorrow=[i for i in items if i["due_on"] == on + timedelta(days=1)],
            today=[i for i in items if i["due_on"] == on],
            overdue=[i for i in items if on - timedelta(days=OVERDUE_DAYS) <= i["due_on"] < on])
