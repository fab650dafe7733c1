"""Polish working days for the investor-service standard (domain/investor.py: a `WorkingCalendar`).

Monday to Friday except the public holidays of the Act of 18 January 1951 (Easter Monday, Corpus Christi,
Epiphany since 2011, Christmas Eve since 2025 ...), as the `holidays` package keeps them: the movable feasts
and the changes of law are its job, not ours.
"""

from __future__ import annotations

from datetime import date

import holidays


class PolishWorkingDays:
    def __init__(self) -> None:
        self._holidays = holidays.country_holidays("PL")  # fills in each year on first use

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self._holidays
