"""Value types and pure validation rules shared by the aggregates."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from uuid import UUID, uuid5
from zoneinfo import ZoneInfo

from domain.errors import InvalidBusinessDate, ValidationFailed, bilingual

WARSAW = ZoneInfo("Europe/Warsaw")
EARLIEST_BUSINESS_DATE = date(2000, 1, 1)
SPLOT_NAMESPACE = UUID("5b1e7a0c-6c8e-4f5e-9d55-3a8f0b8b2c11")


def plural_pl(n: int, one: str, few: str, many: str) -> str:
    """The Polish noun form that goes with the number n: 1 instytucja, 2–4 instytucje, 5+ instytucji.

    The "few" form takes numbers ending in 2–4 except 12–14 (22 instytucje, 112 instytucji).
    """
    n = abs(n)
    if n == 1:
        return one
    if n % 10 in (2, 3, 4) and n % 100 not in (12, 13, 14):
        return few
    return many


def stable_id(*parts: str) -> UUID:
    """A deterministic id for things that must be found again without a query (defaults)."""
    return uuid5(SPLOT_NAMESPACE, "/".join(parts))


class InstitutionKind(StrEnum):
    CHAMBER = "chamber"
    INNOVATION_CENTRE = "innovation_centre"
    CRAFTS_GUILD = "crafts_guild"
    LABOUR_OFFICE = "labour_office"
    CLUSTER = "cluster"
    BUSINESS_CENTRE = "business_centre"
    CITY_DEPARTMENT = "city_department"
    INCUBATOR = "incubator"
    OTHER = "other"


class NetworkKind(StrEnum):
    INSTITUTION_NETWORK = "institution_network"  # a city's network of business-support institutions
    MUNICIPAL_NETWORK = "municipal_network"  # a metropolitan area's network of municipalities
    INTER_CITY_NETWORK = "inter_city_network"  # e.g. "Miasto Przedsiębiorcze"


class MeetingKind(StrEnum):
    NETWORK_MEETING = "network_meeting"
    ENTREPRENEURS_MEETING = "entrepreneurs_meeting"
    WORKSHOP = "workshop"
    STUDY_VISIT = "study_visit"
    ONLINE_MEETING = "online_meeting"


class Channel(StrEnum):
    IN_PERSON = "in_person"
    PHONE = "phone"
    EMAIL = "email"
    ONLINE = "online"
    LETTER = "letter"
    WEBSITE = "website"
    OTHER = "other"


class ConclusionKind(StrEnum):
    CONCLUSION = "conclusion"
    EXPERTISE = "expertise"
    NEEDS_ANALYSIS = "needs_analysis"
    COOPERATION_CONCEPT = "cooperation_concept"


class RecordKind(StrEnum):
    CONTACT = "contact"
    MEETING = "meeting"
    INFORMATION_EXCHANGE = "information_exchange"
    CONCLUSION = "conclusion"


@dataclass(frozen=True)
class Actor:
    """Who performs a use case: the signed-in user and the institution they act for."""

    user_id: str
    institution_id: UUID | None = None

    def __post_init__(self) -> None:
        if not self.user_id or not self.user_id.strip():
            raise ValidationFailed(bilingual("Należy wskazać działającego użytkownika.", "The acting user must be named."),
                                   field="actor")


def warsaw_today(now: datetime | None = None) -> date:
    """Today's calendar date in Europe/Warsaw (business dates are Warsaw dates)."""
    return (now or datetime.now(tz=WARSAW)).astimezone(WARSAW).date()


def check_business_date(value: object, *, field: str = "occurred_on", today: date | None = None) -> date:
    """A business date is a real calendar date, not in the future (Warsaw time), not before 2000."""
    if isinstance(value, datetime) or not isinstance(value, date):
        raise InvalidBusinessDate(bilingual(f"Pole {field} musi być datą kalendarzową (RRRR-MM-DD).",
                                            f"{field} must be a calendar date (YYYY-MM-DD)."), field=field)
    if value < EARLIEST_BUSINESS_DATE:
        raise InvalidBusinessDate(bilingual(f"Data {value.isoformat()} w polu {field} jest wcześniejsza niż 2000-01-01.",
                                            f"{field} {value.isoformat()} is before 2000-01-01."), field=field)
    limit = today or warsaw_today()
    if value > limit:
        raise InvalidBusinessDate(
            bilingual(f"Data {value.isoformat()} w polu {field} jest z przyszłości (dziś w Warszawie jest "
                      f"{limit.isoformat()}).",
                      f"{field} {value.isoformat()} is in the future (today is {limit.isoformat()} in Warsaw)."),
            field=field,
        )
    return value


def check_text(value: object, *, field: str, max_length: int = 2000, required: bool = True) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise ValidationFailed(bilingual(f"Pole {field} musi być tekstem.", f"{field} must be text."), field=field)
    text = value.strip()
    if required and not text:
        raise ValidationFailed(bilingual(f"Pole {field} nie może być puste.", f"{field} must not be empty."), field=field)
    if len(text) > max_length:
        raise ValidationFailed(bilingual(f"Pole {field} może mieć najwyżej {max_length} "
                                         f"{plural_pl(max_length, 'znak', 'znaki', 'znaków')}.",
                                         f"{field} is longer than {max_length} characters."), field=field)
    return text


def check_choice(value: object, choices: type[StrEnum], *, field: str) -> str:
    try:
        return choices(value).value
    except ValueError:
        allowed = ", ".join(c.value for c in choices)
        raise ValidationFailed(bilingual(f"Pole {field} musi mieć jedną z wartości: {allowed}; podano {value!r}.",
                                         f"{field} must be one of: {allowed}; got {value!r}."),
                               field=field) from None


_NIP_WEIGHTS = (6, 5, 7, 2, 3, 4, 5, 6, 7)
_REGON9_WEIGHTS = (8, 9, 2, 3, 4, 5, 6, 7)
_REGON14_WEIGHTS = (2, 4, 8, 5, 0, 9, 7, 3, 6, 1, 2, 4, 8)


def normalise_nip(value: str, *, field: str = "nip") -> str:
    """Validates a Polish NIP (10 digits, weighted mod-11 checksum); returns the bare digits."""
    digits = re.sub(r"[\s-]", "", value or "")
    if value and digits.upper().startswith("PL"):
        digits = digits[2:]
    if not re.fullmatch(r"\d{10}", digits):
        raise ValidationFailed(bilingual("NIP musi mieć dokładnie 10 cyfr.", "NIP must have exactly 10 digits."), field=field)
    checksum = sum(int(d) * w for d, w in zip(digits, _NIP_WEIGHTS)) % 11
    if checksum == 10 or checksum != int(digits[9]):
        raise ValidationFailed(bilingual(f"NIP {digits} ma błędną cyfrę kontrolną.", f"NIP {digits} has a wrong check digit."),
                               field=field)
    return digits


def normalise_regon(value: str, *, field: str = "regon") -> str:
    """Validates a REGON (9 or 14 digits, weighted mod-11 checksum, 10 counts as 0)."""
    digits = re.sub(r"[\s-]", "", value or "")
    if not re.fullmatch(r"\d{9}|\d{14}", digits):
        raise ValidationFailed(bilingual("REGON musi mieć 9 lub 14 cyfr.", "REGON must have 9 or 14 digits."), field=field)
    weights = _REGON9_WEIGHTS if len(digits) == 9 else _REGON14_WEIGHTS
    checksum = sum(int(d) * w for d, w in zip(digits, weights)) % 11 % 10
    if checksum != int(digits[-1]):
        raise ValidationFailed(bilingual(f"REGON {digits} ma błędną cyfrę kontrolną.",
                                         f"REGON {digits} has a wrong check digit."), field=field)
    return digits


def nip_check_digit(first_nine: str) -> int | None:
    """The check digit that completes a 9-digit NIP prefix, or None when none exists (used by demo data)."""
    checksum = sum(int(d) * w for d, w in zip(first_nine, _NIP_WEIGHTS)) % 11
    return None if checksum == 10 else checksum


def regon_check_digit(first_eight: str) -> int:
    return sum(int(d) * w for d, w in zip(first_eight, _REGON9_WEIGHTS)) % 11 % 10
