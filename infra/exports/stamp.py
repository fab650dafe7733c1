"""What every download says about itself, and what it is called.

- `as_of_words`: which state a table shows — "stan bieżący", "stan na 5 marca 2013" or "opublikowany
  raport nr 2 „...” z 5 marca 2013" — in Polish or English.
- `generated_words`: when the file was made, in Europe/Warsaw with the zone said.
- `filename` and `content_disposition`: `III.1.3-2013-03-05.xlsx`, sent as an attachment with an ASCII
  fallback and the UTF-8 name (RFC 6266 / RFC 5987), since a task code or a title may carry Polish letters.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timezone
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime

from domain.errors import Message, bilingual

WARSAW = ZoneInfo("Europe/Warsaw")
_UNSAFE_IN_NAME = re.compile(r'[^\w.\-]+', re.UNICODE)


def long_date(day: date | str, language: str) -> str:
    """"5 marca 2013" / "5 March 2013"."""
    if isinstance(day, str):
        day = date.fromisoformat(day[:10])
    return format_date(day, "d MMMM y", locale="en" if language == "en" else "pl")


def warsaw_time(moment: datetime | str, language: str) -> str:
    """"1 grudnia 2026, 11:05 (czas warszawski, UTC+01:00)": the wall-clock time in Warsaw and its offset."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    local = moment.astimezone(WARSAW)
    offset = local.strftime("%z")
    zone = f"UTC{offset[:3]}:{offset[3:]}"
    shown = format_datetime(local, "d MMMM y, HH:mm", tzinfo=WARSAW, locale="en" if language == "en" else "pl")
    return f"{shown} ({'Warsaw time' if language == 'en' else 'czas warszawski'}, {zone})"


def as_of_words(as_of: str | None, publication: dict[str, Any] | None, language: str) -> str:
    """Which state the table shows, in words."""
    if publication:
        when = long_date(publication["published_at"], language)
        return bilingual(f"opublikowany raport nr {publication['number']} „{publication['title']}” z {when}, "
                         "odtworzony bez późniejszych zmian",
                         f"published report no. {publication['number']} “{publication['title']}” of {when}, "
                         "reproduced without later changes").in_language(language)
    if as_of:
        return bilingual(f"stan na {long_date(as_of, language)} (tylko to, co zarejestrowano do końca tego dnia)",
                         f"as of {long_date(as_of, language)} (only what had been recorded by the end of that day)"
                         ).in_language(language)
    return bilingual("stan bieżący", "current state").in_language(language)


def generated_words(moment: datetime, language: str) -> str:
    return bilingual(f"wygenerowano {warsaw_time(moment, 'pl')}",
                     f"generated {warsaw_time(moment, 'en')}").in_language(language)


def now() -> datetime:
    return datetime.now(timezone.utc)


def filename(stem: str, *, as_of: str | None, publication: dict[str, Any] | None, moment: datetime,
             extension: str) -> str:
    """`III.1.3-2013-03-05.xlsx` (as of a date), `III.1.3-raport-2.pdf` (a published report), or the day it
    was made in Warsaw for the current state."""
    if publication:
        suffix = f"raport-{publication['number']}"
    elif as_of:
        suffix = as_of[:10]
    else:
        suffix = moment.astimezone(WARSAW).date().isoformat()
    return f"{stem}-{suffix}.{extension}"


def content_disposition(name: str) -> str:
    """`attachment; filename="ASCII"; filename*=UTF-8''...`: old clients read the ASCII fallback (Polish
    letters without their marks), the others the exact name."""
    clean = _UNSAFE_IN_NAME.sub("-", name).strip("-") or "eksport"
    ascii_name = unicodedata.normalize("NFKD", clean.replace("ł", "l").replace("Ł", "L"))
    ascii_name = ascii_name.encode("ascii", "ignore").decode("ascii") or "eksport"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(clean, safe='')}"


def title_line(what: str | Message, state: str, moment: datetime, language: str) -> str:
    """The first line of every file: what it holds — which state — when it was generated."""
    what = what.in_language(language) if isinstance(what, Message) else what
    return f"{what} — {state}; {generated_words(moment, language)}"
