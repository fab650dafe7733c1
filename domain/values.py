"""Value types and pure validation rules shared by the aggregates."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timezone
from enum import StrEnum
from uuid import UUID, uuid5
from zoneinfo import ZoneInfo

from stdnum.exceptions import ValidationError as StdnumInvalid
from stdnum.pl import nip as stdnum_nip
from stdnum.pl import regon as stdnum_regon

from domain.errors import InvalidBusinessDate, Message, ValidationFailed, bilingual

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


# Characters no text may hold: C0 controls except tab, line feed and carriage return, DEL, the C1 controls
# (U+0080–U+009F), the bidi embeddings and overrides (U+202A–U+202E) and isolates (U+2066–U+2069), which
# can make a name read backwards on screen and in exports, and lone surrogates (not storable as UTF-8;
# PostgreSQL text cannot hold U+0000 either). The one place of this rule: the domain's `check_text` and the
# JSON API's body check (api/schemas/common.py) both ask `forbidden_character`.
_FORBIDDEN_CHARACTER = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def forbidden_character(text: str) -> str | None:
    """The first character of `text` that no text may hold (see above), or None."""
    found = _FORBIDDEN_CHARACTER.search(text)
    return found.group() if found else None


def forbidden_character_message(char: str, field: str) -> Message:
    return bilingual(f"{field}: znak U+{ord(char):04X} (sterujący lub zmieniający kierunek tekstu) jest niedozwolony.",
                     f"{field}: character U+{ord(char):04X} (a control or text-direction character) is not allowed.")


def comparison_key(text: str) -> str:
    """What two names are compared by, for uniqueness and duplicate warnings: NFKC (full-width letters,
    ligatures and NFD forms become their plain equivalents), casefolded, without format characters
    (Unicode category Cf: zero-width spaces and joiners, bidi marks, soft hyphens) and with runs of
    white space as one space. The name itself is stored as typed."""
    text = unicodedata.normalize("NFKC", text or "")
    text = "".join(c for c in text if unicodedata.category(c) != "Cf")
    return " ".join(unicodedata.normalize("NFKC", text.casefold()).split())


def check_query_day(value: date, *, field: str) -> date:
    """A whole Warsaw day used as a time bound (an as-of date, the audit trail's from/to): its start and the
    next midnight must be instants a UTC timestamp can hold, so 0001-01-01 and 9999-12-31 are refused, not a
    crash. A day in the future is fine: as of then means as known now."""
    try:
        datetime.combine(value, datetime.min.time(), tzinfo=WARSAW).astimezone(timezone.utc)
        datetime.combine(date.fromordinal(value.toordinal() + 1), datetime.min.time(),
                         tzinfo=WARSAW).astimezone(timezone.utc)
    except (OverflowError, ValueError):
        raise ValidationFailed(bilingual(f"Data {value.isoformat()} w polu {field} jest poza obsługiwanym zakresem.",
                                         f"{field} {value.isoformat()} is outside the supported range."),
                               field=field) from None
    return value


def check_instant(value: datetime, *, field: str) -> datetime:
    """A timestamp bound (naive = UTC) that UTC can hold: 0001-01-01T00:00:00+00:01 is before year 1 in UTC."""
    try:
        return (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)
    except (OverflowError, ValueError):
        raise ValidationFailed(bilingual(f"Czas {value.isoformat()} w polu {field} jest poza obsługiwanym zakresem "
                                         f"(w UTC przed rokiem 1 albo po roku 9999).",
                                         f"{field} {value.isoformat()} is outside the supported range (before year 1 "
                                         f"or after 9999 in UTC)."), field=field) from None


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
    char = forbidden_character(text)
    if char is not None:
        raise ValidationFailed(forbidden_character_message(char, field), field=field)
    return text


def check_choice(value: object, choices: type[StrEnum], *, field: str) -> str:
    try:
        return choices(value).value
    except ValueError:
        allowed = ", ".join(c.value for c in choices)
        raise ValidationFailed(bilingual(f"Pole {field} musi mieć jedną z wartości: {allowed}; podano {value!r}.",
                                         f"{field} must be one of: {allowed}; got {value!r}."),
                               field=field) from None


def _ascii_digits(value: str, name: str, field: str, *, prefix: str | None = None) -> str:
    """The identifier with spaces and dashes (and an optional country prefix) removed, if what is left is
    ASCII digits. A digit of another script (full-width, Arabic-Indic, Devanagari, ...) is refused by name
    rather than converted: converted, one number could be typed several ways past its uniqueness claim."""
    text = re.sub(r"[\s-]", "", value or "")
    if prefix and text[:len(prefix)].upper() == prefix:
        text = text[len(prefix):]
    for char in text:
        if char not in "0123456789" and unicodedata.category(char) == "Nd":
            raise ValidationFailed(
                bilingual(f"{name} zawiera cyfrę spoza zakresu 0–9 ({unicodedata.name(char, 'U+%04X' % ord(char))}): "
                          f"wpisz cyfry 0–9.",
                          f"{name} contains a digit other than 0–9 ({unicodedata.name(char, 'U+%04X' % ord(char))}): "
                          f"type the digits 0–9."), field=field)
    return text


def normalise_nip(value: str, *, field: str = "nip") -> str:
    """Validates a Polish NIP (10 ASCII digits, checksum by python-stdnum); returns the bare digits.

    Spaces, dashes and a `PL` prefix are removed first."""
    digits = _ascii_digits(value, "NIP", field, prefix="PL")
    if not re.fullmatch(r"[0-9]{10}", digits):
        raise ValidationFailed(bilingual("NIP musi mieć dokładnie 10 cyfr.", "NIP must have exactly 10 digits."), field=field)
    try:
        return stdnum_nip.validate(digits)
    except StdnumInvalid:
        raise ValidationFailed(bilingual(f"NIP {digits} ma błędną cyfrę kontrolną.", f"NIP {digits} has a wrong check digit."),
                               field=field) from None


def normalise_regon(value: str, *, field: str = "regon") -> str:
    """Validates a REGON (9 or 14 ASCII digits, check digits by python-stdnum); returns the bare digits."""
    digits = _ascii_digits(value, "REGON", field)
    if not re.fullmatch(r"[0-9]{9}|[0-9]{14}", digits):
        raise ValidationFailed(bilingual("REGON musi mieć 9 lub 14 cyfr.", "REGON must have 9 or 14 digits."), field=field)
    try:
        return stdnum_regon.validate(digits)
    except StdnumInvalid:
        raise ValidationFailed(bilingual(f"REGON {digits} ma błędną cyfrę kontrolną.",
                                         f"REGON {digits} has a wrong check digit."), field=field) from None


def nip_check_digit(first_nine: str) -> int | None:
    """The check digit that completes a 9-digit NIP prefix, or None when none exists (used by demo data)."""
    checksum = stdnum_nip.checksum(first_nine + "0")
    return None if checksum == 10 else checksum


def regon_check_digit(first_eight: str) -> int:
    return int(stdnum_regon.calc_check_digit(first_eight))
