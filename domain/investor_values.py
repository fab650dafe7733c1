"""The investor service's values and their checks (issue 14): the choice tables (sectors, utilities, ownership,
statuses, outcomes, the standard's training modules), working days and the due date, and the checks of an
inquiry's and a site's fields — what the use cases check before the aggregates of domain/investor.py record it.

Working days are Monday to Friday except Polish public holidays: the domain asks a `WorkingCalendar`
(infra/working_days.py implements it with the `holidays` package); `WEEKDAYS` is a fallback without holidays.
"""

from __future__ import annotations

import math
import re
from datetime import date, timedelta
from typing import Any, Protocol

from domain.errors import Message, ValidationFailed, bilingual
from domain.values import check_text

# Seed 002 (the Lubuskie "investor service standards") names trained staff and an implementation package but no
# response time; 14 working days is Splot's default until a municipality sets its own (ServiceStandard).
DEFAULT_RESPONSE_WORKING_DAYS = 14
MAX_RESPONSE_WORKING_DAYS = 120

SECTORS: dict[str, Message] = {
    "manufacturing": bilingual("przemysł i produkcja", "manufacturing"),
    "automotive": bilingual("motoryzacja", "automotive"),
    "food": bilingual("przetwórstwo spożywcze", "food processing"),
    "logistics": bilingual("logistyka i magazyny", "logistics and warehousing"),
    "it_services": bilingual("IT i usługi dla biznesu", "IT and business services"),
    "energy": bilingual("energetyka", "energy"),
    "construction": bilingual("budownictwo", "construction"),
    "chemicals": bilingual("chemia i tworzywa", "chemicals and plastics"),
    "wood_furniture": bilingual("drzewny i meblarski", "wood and furniture"),
    "tourism": bilingual("turystyka", "tourism"),
    "other": bilingual("inna branża", "other sector"),
}

UTILITIES: dict[str, Message] = {
    "water": bilingual("woda", "water"),
    "sewage": bilingual("kanalizacja", "sewage"),
    "power": bilingual("energia elektryczna", "power"),
    "gas": bilingual("gaz", "gas"),
    "road": bilingual("dojazd drogą utwardzoną", "road access"),
    "rail": bilingual("bocznica kolejowa", "rail siding"),
}

OWNERSHIP: dict[str, Message] = {
    "municipal": bilingual("gminna", "municipal"),
    "county": bilingual("powiatowa", "county"),
    "state_treasury": bilingual("Skarbu Państwa", "State Treasury"),
    "private": bilingual("prywatna", "private"),
    "mixed": bilingual("mieszana", "mixed"),
}

SITE_STATUSES: dict[str, Message] = {
    "available": bilingual("dostępny", "available"),
    "reserved": bilingual("zarezerwowany", "reserved"),
    "sold": bilingual("sprzedany", "sold"),
}

OUTCOMES: dict[str, Message] = {
    "open": bilingual("w toku", "open"),
    "chose_us": bilingual("inwestor wybrał naszą gminę", "the investor chose us"),
    "chose_elsewhere": bilingual("inwestor wybrał inną lokalizację", "the investor chose elsewhere"),
    "withdrawn": bilingual("inwestor wycofał zapytanie", "the investor withdrew"),
}

# Seed 002: training for management and a separate panel for the staff who serve investors, then the "package for
# the local government" each implementing municipality receives.
TRAINING_MODULES: dict[str, Message] = {
    "management": bilingual("szkolenie dla kadry kierowniczej", "training for management"),
    "staff_panel": bilingual("panel szkoleniowy dla pracowników obsługujących inwestorów",
                             "training panel for the staff serving investors"),
    "investment_analysis": bilingual("analiza inwestycyjna JST i lokalnego rynku pracy",
                                     "investment analysis of the municipality and its labour market"),
    "expert_advice": bilingual("doradztwo indywidualne eksperta", "individual expert advice"),
    "drone_photos": bilingual("zdjęcia terenów inwestycyjnych z dronów", "drone photos of investment sites"),
    "promo_ebook": bilingual("e-book promocyjno-inwestycyjny w 3 językach", "promotional e-book in 3 languages"),
    "potential_presentation": bilingual("prezentacja potencjału inwestycyjno-gospodarczego w 3 językach",
                                        "presentation of the economic potential in 3 languages"),
}

NEEDS_FIELDS = ("area_ha", "utilities", "jobs", "text")  # what an inquiry's `needs` may hold
MAX_AREA_HA = 100_000  # 1,000 km²: more than any site


class WorkingCalendar(Protocol):
    def is_working_day(self, day: date) -> bool: ...


class _Weekdays:
    """Monday to Friday, no holidays: the fallback where no public-holiday calendar is wired."""

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5


WEEKDAYS: WorkingCalendar = _Weekdays()


def add_working_days(calendar: WorkingCalendar, start: date, days: int) -> date:
    """The `days`-th working day after `start` (the day of receipt itself does not count)."""
    day, left = start, days
    while left > 0:
        day += timedelta(days=1)
        if calendar.is_working_day(day):
            left -= 1
    return day


# ---------------------------------------------------------------------------------------------- checks
def _choice(value: object, choices: dict[str, Message], *, field: str, what_pl: str, what_en: str) -> str:
    if not isinstance(value, str) or value not in choices:
        raise ValidationFailed(bilingual(f"Wybierz {what_pl} z listy.", f"Choose {what_en} from the list."), field=field)
    return value


def _choices(values: object, choices: dict[str, Message], *, field: str, what_pl: str, what_en: str,
             required: bool) -> list[str]:
    if values is None:
        values = []
    if isinstance(values, str) or not isinstance(values, (list, tuple, set, frozenset)):
        raise ValidationFailed(bilingual(f"Pole {field} musi być listą.", f"{field} must be a list."), field=field)
    picked = [_choice(v, choices, field=field, what_pl=what_pl, what_en=what_en) for v in values]
    if required and not picked:
        raise ValidationFailed(bilingual(f"Wybierz co najmniej jedną pozycję: {what_pl}.",
                                         f"Choose at least one: {what_en}."), field=field)
    return [code for code in choices if code in set(picked)]  # the list's order, no repeats


def check_codename(value: object) -> str:
    codename = check_text(value, field="codename", max_length=80)
    if not re.fullmatch(r"[\w][\w .\-/]*", codename):
        raise ValidationFailed(bilingual("Kryptonim może zawierać litery, cyfry, spacje, kropki, kreski i ukośniki.",
                                         "A codename may hold letters, digits, spaces, dots, hyphens and slashes."),
                               field="codename")
    return codename


def check_area_ha(value: object, *, field: str, required: bool = True) -> int | None:
    """An area in hectares (up to 4 decimals, a dot or a comma), stored as square metres."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ValidationFailed(bilingual("Podaj powierzchnię w hektarach.", "Give the area in hectares."),
                                   field=field)
        return None
    if isinstance(value, bool):
        value = "x"
    text = str(value).strip().replace(",", ".")
    if not re.fullmatch(r"[0-9]{1,6}(\.[0-9]{1,4})?", text) or not 0 < float(text) <= MAX_AREA_HA:
        raise ValidationFailed(bilingual("Powierzchnia: liczba hektarów większa od zera, najwyżej 4 miejsca po "
                                         "przecinku (np. 12,5).",
                                         "Area: a number of hectares above zero, at most 4 decimals (e.g. 12.5)."),
                               field=field)
    whole, _, fraction = text.partition(".")
    return int(whole) * 10_000 + int((fraction + "0000")[:4])


def area_ha_text(area_m2: int | None) -> str | None:
    """Square metres as hectares, without trailing zeros: 125000 -> '12.5'."""
    if area_m2 is None:
        return None
    whole, rest = divmod(int(area_m2), 10_000)
    return f"{whole}.{rest:04d}".rstrip("0").rstrip(".")


def check_needs(value: object) -> dict[str, Any]:
    if value is None:
        value = {}
    if not isinstance(value, dict) or set(value) - set(NEEDS_FIELDS):
        raise ValidationFailed(bilingual("Potrzeby inwestora: powierzchnia, media, miejsca pracy i opis.",
                                         "The investor's needs: area, utilities, jobs and a description."),
                               field="needs")
    jobs = value.get("jobs")
    if jobs in (None, ""):
        jobs = None
    elif isinstance(jobs, bool) or not re.fullmatch(r"[0-9]{1,6}", str(jobs).strip()):
        raise ValidationFailed(bilingual("Liczba miejsc pracy: liczba całkowita (np. 120).",
                                         "Jobs: a whole number (e.g. 120)."), field="jobs")
    else:
        jobs = int(str(jobs).strip())
    area = check_area_ha(value.get("area_ha"), field="area_ha", required=False)
    return {"area_ha": area_ha_text(area),
            "utilities": _choices(value.get("utilities"), UTILITIES, field="utilities", what_pl="media",
                                  what_en="utilities", required=False),
            "jobs": jobs,
            "text": check_text(value.get("text"), field="needs_text", max_length=4000, required=False) or None}


def check_standard_days(value: object) -> int:
    if isinstance(value, bool) or not re.fullmatch(r"[0-9]{1,3}", str(value).strip()) \
            or not 1 <= int(str(value).strip()) <= MAX_RESPONSE_WORKING_DAYS:
        raise ValidationFailed(bilingual(f"Czas odpowiedzi: od 1 do {MAX_RESPONSE_WORKING_DAYS} dni roboczych.",
                                         f"Response time: 1 to {MAX_RESPONSE_WORKING_DAYS} working days."),
                               field="working_days")
    return int(str(value).strip())


def check_coordinate(value: object, *, field: str, limit: float) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = float(str(value).strip().replace(",", "."))
    except ValueError:
        number = math.nan
    if isinstance(value, bool) or not math.isfinite(number) or not -limit <= number <= limit:
        raise ValidationFailed(bilingual(f"Współrzędna: liczba od -{limit:g} do {limit:g} (np. 51.84).",
                                         f"A coordinate: a number from -{limit:g} to {limit:g} (e.g. 51.84)."),
                               field=field)
    return round(number, 6)


def check_site_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """Every field of a site, checked; the result is what the events store."""
    latitude = check_coordinate(fields.get("latitude"), field="latitude", limit=90)
    longitude = check_coordinate(fields.get("longitude"), field="longitude", limit=180)
    if (latitude is None) != (longitude is None):
        raise ValidationFailed(bilingual("Podaj obie współrzędne albo żadnej.", "Give both coordinates or neither."),
                               field="latitude" if latitude is None else "longitude")
    return {
        "name": check_text(fields.get("name"), field="name", max_length=200),
        "area_m2": check_area_ha(fields.get("area_ha"), field="area_ha"),
        "zoning": check_text(fields.get("zoning"), field="zoning", max_length=200),
        "utilities": _choices(fields.get("utilities"), UTILITIES, field="utilities", what_pl="media",
                              what_en="utilities", required=False),
        "ownership": _choice(fields.get("ownership"), OWNERSHIP, field="ownership", what_pl="formę własności",
                             what_en="the ownership"),
        "status": _choice(fields.get("status"), SITE_STATUSES, field="status", what_pl="stan terenu",
                          what_en="the site's status"),
        "address": check_text(fields.get("address"), field="address", max_length=300),
        "plots": check_text(fields.get("plots"), field="plots", max_length=1000),
        "latitude": latitude,
        "longitude": longitude,
        "description": check_text(fields.get("description"), field="description", max_length=4000,
                                  required=False) or None,
    }


def check_sectors(values: object) -> list[str]:
    return _choices(values, SECTORS, field="sectors", what_pl="branżę", what_en="a sector", required=True)


def check_outcome(value: object) -> str:
    return _choice(value, OUTCOMES, field="outcome", what_pl="wynik", what_en="the outcome")


def check_module(value: object) -> str:
    return _choice(value, TRAINING_MODULES, field="module", what_pl="moduł szkolenia", what_en="the training module")


# ---------------------------------------------------------------------------------------------- aggregates
