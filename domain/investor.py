"""Investor service (issue 14): confidential investor inquiries, the investment-site database, staff training in
the service standard, and the municipality's response-time standard — as events in the log.

- `InvestorInquiry`: an investor known only by a codename (no company name is ever stored), its sectors and
  needs, when it was received and by when the standard says it must be answered (`due_on`, received + N working
  days, computed once on receipt with the municipality's N), the answer (date, sites offered) and the outcome.
  Its events show the audit trail the codename only (`AUDIT_FIELDS`): who did what and when stays auditable,
  the investor's needs stay with the investor service.
- `InvestmentSite`: a site of the municipality's database (area, zoning, utilities, ownership, status,
  location), its photos (the bytes are kept by infra/site_photos.py; the event holds the photo's id, type, size
  and hash) and the networks it is shared with (read-only for their other members).
- `ServiceTraining`: one person trained in one module of the standard (seed 002's training panels and
  implementation package), on a date, with or without a certificate; the person is a user or a contact person
  of the person directory, by id (no name in the log).
- `ServiceStandard`: one per municipality (a stable id), the number of working days an inquiry may wait.

Working days are Monday to Friday except Polish public holidays: the domain asks a `WorkingCalendar`
(infra/working_days.py implements it with the `holidays` package); `WEEKDAYS` is a fallback without holidays.
"""

from __future__ import annotations

import math
import re
from datetime import date, timedelta
from typing import Any, Protocol
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate

from domain.base import SplotEvent, actor_fields
from domain.errors import InvariantViolated, Message, ValidationFailed, bilingual
from domain.values import Actor, check_text, stable_id

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
class InvestorInquiry(Aggregate):
    """An investor inquiry under a codename. Every event names the codename, the only thing the audit trail shows."""

    TOPIC = "splot:InvestorInquiry"

    class Created(SplotEvent, Aggregate.Created):
        TOPIC = "splot:InvestorInquiry.Created"
        AUDIT_FIELDS = ("codename",)
        network_id: UUID  # the municipality's home network: where the audit trail shows it
        codename: str

    class Received(Created):
        TOPIC = "splot:InvestorInquiry.Received"
        sectors: list[str]
        needs: dict[str, Any]
        received_on: date
        due_on: date
        standard_days: int  # the municipality's standard when it was received
        notes: str | None

        def apply(self, inquiry: InvestorInquiry) -> None:
            inquiry.network_id, inquiry.codename = self.network_id, self.codename
            inquiry.received_on, inquiry.due_on, inquiry.standard_days = self.received_on, self.due_on, \
                self.standard_days
            inquiry.answered_on, inquiry.outcome = None, "open"

    class DetailsChanged(SplotEvent, Aggregate.Event):
        TOPIC = "splot:InvestorInquiry.DetailsChanged"
        AUDIT_FIELDS = ("codename",)
        codename: str
        sectors: list[str]
        needs: dict[str, Any]
        received_on: date
        due_on: date
        notes: str | None

        def apply(self, inquiry: InvestorInquiry) -> None:
            inquiry.codename, inquiry.received_on, inquiry.due_on = self.codename, self.received_on, self.due_on

    class Answered(SplotEvent, Aggregate.Event):
        TOPIC = "splot:InvestorInquiry.Answered"
        AUDIT_FIELDS = ("codename",)
        codename: str
        answered_on: date
        site_ids: list[str]

        def apply(self, inquiry: InvestorInquiry) -> None:
            inquiry.answered_on = self.answered_on

    class OutcomeSet(SplotEvent, Aggregate.Event):
        TOPIC = "splot:InvestorInquiry.OutcomeSet"
        AUDIT_FIELDS = ("codename",)
        codename: str
        outcome: str
        decided_on: date

        def apply(self, inquiry: InvestorInquiry) -> None:
            inquiry.outcome = self.outcome

    @classmethod
    def receive(cls, *, network_id: UUID, codename: str, sectors: list[str], needs: dict[str, Any],
                received_on: date, due_on: date, standard_days: int, notes: str | None,
                actor: Actor) -> InvestorInquiry:
        return cls._create(cls.Received, id=uuid4(), network_id=network_id, codename=codename, sectors=sectors,
                           needs=needs, received_on=received_on, due_on=due_on, standard_days=standard_days,
                           notes=notes, **actor_fields(actor))

    def change(self, *, codename: str, sectors: list[str], needs: dict[str, Any], received_on: date, due_on: date,
               notes: str | None, actor: Actor) -> None:
        if self.answered_on is not None and received_on > self.answered_on:
            raise InvariantViolated(bilingual("Data wpływu nie może być późniejsza niż data odpowiedzi.",
                                              "The date received cannot be after the date answered."),
                                    field="received_on")
        self.trigger_event(self.DetailsChanged, codename=codename, sectors=sectors, needs=needs,
                           received_on=received_on, due_on=due_on, notes=notes, **actor_fields(actor))

    def answer(self, *, answered_on: date, site_ids: list[str], actor: Actor) -> None:
        if self.answered_on is not None:
            raise InvariantViolated(bilingual(f"Na to zapytanie odpowiedziano już {self.answered_on.isoformat()}.",
                                              f"This inquiry was already answered on {self.answered_on.isoformat()}."),
                                    field="answered_on")
        if answered_on < self.received_on:
            raise InvariantViolated(bilingual("Data odpowiedzi nie może być wcześniejsza niż data wpływu "
                                              f"({self.received_on.isoformat()}).",
                                              f"The answer cannot be dated before the inquiry was received "
                                              f"({self.received_on.isoformat()})."), field="answered_on")
        self.trigger_event(self.Answered, codename=self.codename, answered_on=answered_on, site_ids=site_ids,
                           **actor_fields(actor))

    def set_outcome(self, *, outcome: str, decided_on: date, actor: Actor) -> None:
        if decided_on < self.received_on:
            raise InvariantViolated(bilingual("Data decyzji nie może być wcześniejsza niż data wpływu zapytania.",
                                              "The decision cannot be dated before the inquiry was received."),
                                    field="decided_on")
        if outcome == self.outcome:
            raise InvariantViolated(bilingual("Zapytanie ma już ten wynik.", "The inquiry has this outcome already."),
                                    field="outcome")
        self.trigger_event(self.OutcomeSet, codename=self.codename, outcome=outcome, decided_on=decided_on,
                           **actor_fields(actor))


class InvestmentSite(Aggregate):
    """A site of the investment-site database; every change is an event with who and when."""

    TOPIC = "splot:InvestmentSite"

    class Created(SplotEvent, Aggregate.Created):
        TOPIC = "splot:InvestmentSite.Created"
        network_id: UUID  # the owner municipality's home network

    class Registered(Created):
        TOPIC = "splot:InvestmentSite.Registered"
        fields: dict[str, Any]  # check_site_fields

        def apply(self, site: InvestmentSite) -> None:
            site.network_id, site.fields, site.photos, site.shared_with = self.network_id, dict(self.fields), [], []

    class Changed(SplotEvent, Aggregate.Event):
        TOPIC = "splot:InvestmentSite.Changed"
        changes: dict[str, Any]  # only the fields whose value changed

        def apply(self, site: InvestmentSite) -> None:
            site.fields = {**site.fields, **self.changes}

    class PhotoAdded(SplotEvent, Aggregate.Event):
        TOPIC = "splot:InvestmentSite.PhotoAdded"
        photo_id: str
        content_type: str
        size: int
        sha256: str
        caption: str

        def apply(self, site: InvestmentSite) -> None:
            site.photos = [*site.photos, self.photo_id]

    class PhotoRemoved(SplotEvent, Aggregate.Event):
        TOPIC = "splot:InvestmentSite.PhotoRemoved"
        photo_id: str

        def apply(self, site: InvestmentSite) -> None:
            site.photos = [p for p in site.photos if p != self.photo_id]

    class SharingChanged(SplotEvent, Aggregate.Event):
        TOPIC = "splot:InvestmentSite.SharingChanged"
        network_ids: list[str]  # the shared networks its other members see it in (read-only)

        def apply(self, site: InvestmentSite) -> None:
            site.shared_with = list(self.network_ids)

    @classmethod
    def register(cls, *, network_id: UUID, fields: dict[str, Any], actor: Actor) -> InvestmentSite:
        return cls._create(cls.Registered, id=uuid4(), network_id=network_id, fields=fields, **actor_fields(actor))

    def change(self, *, fields: dict[str, Any], actor: Actor) -> None:
        changes = {k: v for k, v in fields.items() if self.fields.get(k) != v}
        if not changes:
            raise InvariantViolated(bilingual("Nic się nie zmieniło.", "Nothing has changed."), field="form")
        self.trigger_event(self.Changed, changes=changes, **actor_fields(actor))

    def add_photo(self, *, photo_id: str, content_type: str, size: int, sha256: str, caption: str,
                  actor: Actor) -> None:
        if len(self.photos) >= MAX_PHOTOS:
            raise InvariantViolated(bilingual(f"Teren ma już {MAX_PHOTOS} zdjęć; usuń któreś, zanim dodasz nowe.",
                                              f"The site has {MAX_PHOTOS} photos already; remove one first."),
                                    field="photo")
        self.trigger_event(self.PhotoAdded, photo_id=photo_id, content_type=content_type, size=size, sha256=sha256,
                           caption=caption, **actor_fields(actor))

    def remove_photo(self, *, photo_id: str, actor: Actor) -> None:
        if photo_id not in self.photos:
            raise InvariantViolated(bilingual("Nie ma takiego zdjęcia tego terenu.", "The site has no such photo."),
                                    field="photo_id")
        self.trigger_event(self.PhotoRemoved, photo_id=photo_id, **actor_fields(actor))

    def share(self, *, network_ids: list[str], actor: Actor) -> None:
        if sorted(network_ids) == sorted(self.shared_with):
            raise InvariantViolated(bilingual("Teren jest już udostępniony dokładnie tak.",
                                              "The site is shared exactly so already."), field="network_ids")
        self.trigger_event(self.SharingChanged, network_ids=sorted(network_ids), **actor_fields(actor))


MAX_PHOTOS = 12


class ServiceTraining(Aggregate):
    """One person trained in one module of the investor-service standard."""

    TOPIC = "splot:ServiceTraining"

    class Created(SplotEvent, Aggregate.Created):
        TOPIC = "splot:ServiceTraining.Created"
        network_id: UUID

    class Recorded(Created):
        TOPIC = "splot:ServiceTraining.Recorded"
        trainee_user_id: str | None  # a user of the municipality, or
        trainee_person_id: str | None  # a contact person of the person directory (of an institution)
        module: str
        held_on: date
        certificate: bool

        def apply(self, training: ServiceTraining) -> None:
            training.network_id, training.removed = self.network_id, False

    class Removed(SplotEvent, Aggregate.Event):
        TOPIC = "splot:ServiceTraining.Removed"
        reason: str

        def apply(self, training: ServiceTraining) -> None:
            training.removed = True

    @classmethod
    def record(cls, *, network_id: UUID, trainee_user_id: str | None, trainee_person_id: str | None, module: str,
               held_on: date, certificate: bool, actor: Actor) -> ServiceTraining:
        if (trainee_user_id is None) == (trainee_person_id is None):
            raise ValidationFailed(bilingual("Wybierz uczestnika: użytkownika albo osobę z instytucji.",
                                             "Choose the trainee: a user or a person of an institution."),
                                   field="trainee")
        return cls._create(cls.Recorded, id=uuid4(), network_id=network_id, trainee_user_id=trainee_user_id,
                           trainee_person_id=trainee_person_id, module=module, held_on=held_on,
                           certificate=bool(certificate), **actor_fields(actor))

    def remove(self, *, reason: str, actor: Actor) -> None:
        if self.removed:
            raise InvariantViolated(bilingual("Ten wpis szkolenia jest już usunięty.",
                                              "This training entry is removed already."), field="training_id")
        self.trigger_event(self.Removed, reason=check_text(reason, field="reason", max_length=500),
                           **actor_fields(actor))


class ServiceStandard(Aggregate):
    """A municipality's investor-service standard: how many working days an inquiry may wait for an answer."""

    TOPIC = "splot:ServiceStandard"

    class Created(SplotEvent, Aggregate.Created):
        TOPIC = "splot:ServiceStandard.Created"
        network_id: UUID
        municipality_id: UUID
        working_days: int

        def apply(self, standard: ServiceStandard) -> None:
            standard.working_days = self.working_days

    class ResponseTimeChanged(SplotEvent, Aggregate.Event):
        TOPIC = "splot:ServiceStandard.ResponseTimeChanged"
        working_days: int

        def apply(self, standard: ServiceStandard) -> None:
            standard.working_days = self.working_days

    @staticmethod
    def id_for(municipality_id: UUID) -> UUID:
        return stable_id("investor-service-standard", str(municipality_id))

    @classmethod
    def start(cls, *, municipality_id: UUID, network_id: UUID, working_days: int, actor: Actor) -> ServiceStandard:
        return cls._create(cls.Created, id=cls.id_for(municipality_id), network_id=network_id,
                           municipality_id=municipality_id, working_days=working_days, **actor_fields(actor))

    def set_working_days(self, working_days: int, actor: Actor) -> None:
        if working_days == self.working_days:
            raise InvariantViolated(bilingual("Standard ma już ten czas odpowiedzi.",
                                              "The standard has this response time already."), field="working_days")
        self.trigger_event(self.ResponseTimeChanged, working_days=working_days, **actor_fields(actor))
