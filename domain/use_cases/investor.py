"""The investor service's use cases (issue 14): inquiries under codename, the investment-site database, training
in the service standard, the standard's response time and the indicators. Over 400 lines: one area whose four
parts share the same scope and reach rules, kept together so the confidentiality rule lives in one place.

Who sees what (domain/policy.py): an inquiry only the municipality's investor-service staff and its coordinator;
anyone else — another role, another municipality — gets `NotFound` for the list and for each inquiry alike, so
that not even an inquiry's existence leaks. Sites: every role of the municipality reads its own, and the sites
that another municipality shares with a shared network both belong to (read-only: only the owner changes them).
Dates are Warsaw business dates (not in the future, not before 2000).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Callable, Collection, Protocol
from uuid import UUID, uuid4

from domain.application import Saved, Splot
from domain.errors import InvalidBusinessDate, InvariantViolated, Message, NotFound, ValidationFailed, bilingual
from domain.investor import InvestmentSite, InvestorInquiry, ServiceStandard, ServiceTraining
from domain.investor_values import (
    DEFAULT_RESPONSE_WORKING_DAYS,
    OUTCOMES,
    OWNERSHIP,
    SECTORS,
    SITE_STATUSES,
    TRAINING_MODULES,
    UTILITIES,
    WEEKDAYS,
    WorkingCalendar,
    add_working_days,
    area_ha_text,
    check_area_ha,
    check_codename,
    check_module,
    check_needs,
    check_outcome,
    check_sectors,
    check_site_fields,
    check_standard_days,
)
from domain.labels import event_label, field_label
from domain.policy import Action, Forbidden, User, authorize, may
from domain.ports import Accounts, ContactPersons, ReadModels, Row
from domain.use_cases.scope import Scope, Scopes
from domain.values import check_text, comparison_key

INQUIRY_NOT_FOUND = bilingual("Nie ma takiego zapytania inwestora.", "No such investor inquiry.")
SITE_NOT_FOUND = bilingual("Nie ma takiego terenu inwestycyjnego.", "No such investment site.")


class SitePhotos(Protocol):
    """Where the photos' bytes are kept (infra/site_photos.py): checked, stored, served back."""

    def inspect(self, data: bytes) -> str: ...  # the media type of an accepted image; ValidationFailed otherwise
    def put(self, photo_id: str, site_id: str, content_type: str, data: bytes) -> None: ...
    def get(self, photo_id: str) -> tuple[str, bytes] | None: ...
    def delete(self, photo_id: str) -> None: ...


@dataclass(frozen=True)
class Standard:
    working_days: int
    is_default: bool  # True: the municipality has not set its own (DEFAULT_RESPONSE_WORKING_DAYS)


@dataclass(frozen=True)
class InquiryView:
    id: str
    codename: str
    sectors: list[str]
    sector_words: list[Message]
    needs: dict[str, Any]
    utility_words: list[Message]
    received_on: str
    due_on: str
    standard_days: int
    answered_on: str | None
    overdue: bool  # unanswered and past its due date, today
    within_standard: bool | None  # None while unanswered
    sites_offered: list[dict[str, str]]  # {id, name}
    outcome: str
    outcome_words: Message
    decided_on: str | None
    notes: str | None
    updated_at: str
    version: int


@dataclass(frozen=True)
class SiteView:
    id: str
    name: str
    area_ha: str
    zoning: str
    utilities: list[str]
    utility_words: list[Message]
    ownership: str
    ownership_words: Message
    status: str
    status_words: Message
    address: str
    plots: str
    latitude: float | None
    longitude: float | None
    description: str | None
    own: bool  # False: another municipality shares it with a network of ours (read-only)
    owner: str  # the owner municipality's name
    shared_with: list[dict[str, str]]  # {id, name} of the networks it is shared with
    updated_at: str
    photos: list[Row] = field(default_factory=list)
    history: list[Row] = field(default_factory=list)  # newest first: {recorded_at, by, event_type, changes}


@dataclass(frozen=True)
class TrainingView:
    id: str
    trainee: str  # a user's e-mail, or a person's name
    institution: str | None
    module: str
    module_words: Message
    held_on: str
    certificate: bool


def _choices(table: dict[str, Message]) -> list[tuple[str, Message]]:
    return list(table.items())


class InvestorUseCases:
    def __init__(self, store: Splot, reads: ReadModels, scopes: Scopes, *, accounts: Accounts | None = None,
                 persons: ContactPersons | None = None, calendar: WorkingCalendar = WEEKDAYS,
                 photos: SitePhotos | None = None, today: Callable[[], date] | None = None) -> None:
        self.store, self.reads, self.scopes = store, reads, scopes
        self.accounts, self.persons, self.calendar, self.photos = accounts, persons, calendar, photos
        self.today = today or store.today

    # ------------------------------------------------------------------ shared helpers
    def _q(self, query: str, **params: Any) -> Any:
        return self.reads.investor_service(query, **params)

    def _home(self, user: User) -> tuple[Scope, UUID]:
        scope = self.scopes.of(user)
        if scope.home_network_id is None or user.municipality_id is None:
            raise NotFound(bilingual("Obsługa inwestora należy do gminy; to konto nie ma gminy.",
                                     "Investor service belongs to a municipality; this account has none."))
        return scope, scope.home_network_id

    def _date(self, value: object, field: str) -> date:
        if isinstance(value, str):
            try:
                value = date.fromisoformat(value)
            except ValueError:
                raise InvalidBusinessDate(bilingual(f"Pole {field} musi być datą (RRRR-MM-DD).",
                                                    f"{field} must be a date (YYYY-MM-DD)."), field=field) from None
        return self.store._business_date(value, field)

    def choices(self, user: User) -> dict[str, list[tuple[str, Message]]]:
        """The lists the forms offer (sectors, utilities, ownership, statuses, outcomes, training modules)."""
        if not (may(user, Action.READ_SITES) or may(user, Action.READ_INQUIRIES)):
            authorize(user, Action.READ_SITES)
        return {"sectors": _choices(SECTORS), "utilities": _choices(UTILITIES), "ownership": _choices(OWNERSHIP),
                "statuses": _choices(SITE_STATUSES), "outcomes": _choices(OUTCOMES),
                "modules": _choices(TRAINING_MODULES)}

    def site_choices(self, user: User) -> dict[str, list[tuple[str, Message]]]:
        """The lists of the site form, for a user who may add sites."""
        authorize(user, Action.MANAGE_SITES)
        return self.choices(user)

    # ------------------------------------------------------------------ the standard
    def standard(self, user: User) -> Standard:
        if not (may(user, Action.READ_INQUIRIES) or may(user, Action.READ_INVESTOR_SERVICE)):
            authorize(user, Action.READ_INVESTOR_SERVICE)
        _, _ = self._home(user)
        return self._standard(user.municipality_id)

    def _standard(self, municipality_id: UUID | None) -> Standard:
        row = self._q("standard", municipality_id=str(municipality_id))
        return Standard(row["working_days"], False) if row else Standard(DEFAULT_RESPONSE_WORKING_DAYS, True)

    def set_standard(self, user: User, working_days: object) -> Saved:
        authorize(user, Action.SET_SERVICE_STANDARD)
        _, home = self._home(user)
        days = check_standard_days(working_days)
        standard_id = ServiceStandard.id_for(user.municipality_id)  # type: ignore[arg-type]
        if self.store.exists(standard_id):
            standard = self.store.repository.get(standard_id)
            standard.set_working_days(days, user.actor)
        else:
            standard = ServiceStandard.start(municipality_id=user.municipality_id,  # type: ignore[arg-type]
                                             network_id=home, working_days=days, actor=user.actor)
        return self.store._save(standard)

    # ------------------------------------------------------------------ inquiries (confidential)
    def _inquiry_scope(self, user: User) -> tuple[Scope, UUID]:
        """NotFound, not Forbidden, for anyone who may not see inquiries: their existence does not leak."""
        if not may(user, Action.READ_INQUIRIES):
            raise NotFound(INQUIRY_NOT_FOUND, field="inquiry_id")
        return self._home(user)

    def _inquiry_row(self, user: User, inquiry_id: object) -> Row:
        _, home = self._inquiry_scope(user)
        row = self._q("inquiry", inquiry_id=str(inquiry_id))
        if row is None or row["network_id"] != str(home):
            raise NotFound(INQUIRY_NOT_FOUND, field="inquiry_id")
        return row

    def _inquiry_view(self, row: Row, site_names: dict[str, str]) -> InquiryView:
        today = self.today()
        answered = row["answered_on"]
        return InquiryView(
            id=row["id"], codename=row["codename"], sectors=row["sectors"],
            sector_words=[SECTORS[s] for s in row["sectors"] if s in SECTORS], needs=row["needs"],
            utility_words=[UTILITIES[u] for u in row["needs"].get("utilities") or [] if u in UTILITIES],
            received_on=row["received_on"], due_on=row["due_on"], standard_days=row["standard_days"],
            answered_on=answered,
            overdue=answered is None and row["outcome"] == "open" and today.isoformat() > row["due_on"],
            within_standard=None if answered is None else answered <= row["due_on"],
            sites_offered=[{"id": s, "name": site_names.get(s, s)} for s in row["site_ids"]],
            outcome=row["outcome"], outcome_words=OUTCOMES[row["outcome"]], decided_on=row["decided_on"],
            notes=row["notes"], updated_at=row["updated_at"], version=row["version"])

    def _site_names(self, user: User) -> dict[str, str]:
        return {s["id"]: s["name"] for s in self._site_rows(user)}

    def inquiries(self, user: User) -> list[InquiryView]:
        _, home = self._inquiry_scope(user)
        names = self._site_names(user)
        return [self._inquiry_view(r, names) for r in self._q("inquiries", network_ids=[str(home)])]

    def inquiry(self, user: User, inquiry_id: object) -> InquiryView:
        return self._inquiry_view(self._inquiry_row(user, inquiry_id), self._site_names(user))

    def _checked_codename(self, home: UUID, codename: object, *, except_id: str | None = None) -> str:
        codename = check_codename(codename)
        key = comparison_key(codename)
        for row in self._q("inquiries", network_ids=[str(home)]):
            if row["id"] != except_id and comparison_key(row["codename"]) == key:
                raise InvariantViolated(bilingual(f"Kryptonim „{codename}” nosi już inne zapytanie; wybierz inny.",
                                                  f"Another inquiry is codenamed “{codename}”; choose another."),
                                        field="codename")
        return codename

    def receive(self, user: User, *, codename: object, sectors: object, needs: object, received_on: object,
                notes: object = None) -> Saved:
        """A new inquiry; its due date is the receipt plus the municipality's standard, in working days."""
        _, home = self._inquiry_scope(user)
        authorize(user, Action.MANAGE_INQUIRIES)
        codename = self._checked_codename(home, codename)
        sectors, needs = check_sectors(sectors), check_needs(needs)
        received = self._date(received_on, "received_on")
        notes_text = check_text(notes, field="notes", max_length=4000, required=False) or None
        days = self._standard(user.municipality_id).working_days
        inquiry = InvestorInquiry.receive(network_id=home, codename=codename, sectors=sectors, needs=needs,
                                          received_on=received, due_on=add_working_days(self.calendar, received, days),
                                          standard_days=days, notes=notes_text, actor=user.actor)
        return self.store._save(inquiry)

    def change(self, user: User, inquiry_id: object, *, codename: object, sectors: object, needs: object,
               received_on: object, notes: object = None) -> Saved:
        """Corrects an inquiry's details; a new receipt date moves the due date (by the standard it was received
        under)."""
        row = self._inquiry_row(user, inquiry_id)
        authorize(user, Action.MANAGE_INQUIRIES)
        codename = self._checked_codename(UUID(row["network_id"]), codename, except_id=row["id"])
        sectors, needs = check_sectors(sectors), check_needs(needs)
        received = self._date(received_on, "received_on")
        notes_text = check_text(notes, field="notes", max_length=4000, required=False) or None
        inquiry = self.store.repository.get(UUID(row["id"]))
        inquiry.change(codename=codename, sectors=sectors, needs=needs, received_on=received,
                       due_on=add_working_days(self.calendar, received, inquiry.standard_days), notes=notes_text,
                       actor=user.actor)
        return self.store._save(inquiry)

    def answer(self, user: User, inquiry_id: object, *, answered_on: object, site_ids: Collection[object]) -> Saved:
        """The answer to the investor, with the sites offered (any the user's municipality may see)."""
        row = self._inquiry_row(user, inquiry_id)
        authorize(user, Action.MANAGE_INQUIRIES)
        answered = self._date(answered_on, "answered_on")
        visible = self._site_names(user)
        picked = []
        for value in site_ids or []:
            if str(value) not in visible:
                raise ValidationFailed(bilingual("Wybierz tereny z listy.", "Choose the sites from the list."),
                                       field="site_ids")
            if str(value) not in picked:
                picked.append(str(value))
        inquiry = self.store.repository.get(UUID(row["id"]))
        inquiry.answer(answered_on=answered, site_ids=picked, actor=user.actor)
        return self.store._save(inquiry)

    def set_outcome(self, user: User, inquiry_id: object, *, outcome: object, decided_on: object) -> Saved:
        row = self._inquiry_row(user, inquiry_id)
        authorize(user, Action.MANAGE_INQUIRIES)
        outcome = check_outcome(outcome)
        decided = self._date(decided_on, "decided_on")
        inquiry = self.store.repository.get(UUID(row["id"]))
        inquiry.set_outcome(outcome=outcome, decided_on=decided, actor=user.actor)
        return self.store._save(inquiry)

    # ------------------------------------------------------------------ indicators
    def indicators(self, user: User, *, as_of: date | None = None) -> list[Any]:
        """Per year (projections/investor_service/indicators.py says how each figure is counted), as of today."""
        authorize(user, Action.READ_INVESTOR_SERVICE)
        _, home = self._home(user)
        return self._q("yearly_indicators", network_ids=[str(home)], as_of=as_of or self.today())

    # ------------------------------------------------------------------ sites
    def _shared_networks(self, scope: Scope) -> list[Row]:
        return [n for n in self.reads.networks() if scope.includes(n["id"]) and UUID(n["id"]) != scope.home_network_id]

    def _site_rows(self, user: User) -> list[Row]:
        scope, home = self._home(user)
        shared = [n["id"] for n in self._shared_networks(scope)]
        return self._q("sites", own_network_ids=[str(home)], shared_network_ids=shared)

    def _site_context(self, user: User) -> dict[str, Any]:
        """What every site view of one answer shares: networks by id, their owner municipality's name, the home."""
        networks = {n["id"]: n for n in self.reads.networks()}
        names = {m["id"]: m["name"] for m in self.reads.municipalities()}
        owners = {n["id"]: names.get(n["municipality_ids"].split(",")[0], "") for n in networks.values()
                  if n["municipality_ids"]}
        return {"networks": networks, "owners": owners, "home": self.scopes.of(user).home_network_id}

    def _site_view(self, user: User, row: Row, *, detail: bool = False,
                   context: dict[str, Any] | None = None) -> SiteView:
        context = context or self._site_context(user)
        networks, home = context["networks"], context["home"]
        own = home is not None and row["network_id"] == str(home)
        photos = self._q("site_photos", site_id=row["id"]) if detail else []
        history = []
        if detail:
            emails = {str(u.id): u.email for u in self.accounts.list()} if self.accounts is not None else {}
            history = [{**h, "by": emails.get(h["user_id"] or "", h["user_id"]),
                        "label": event_label(f"InvestmentSite.{h['event_type']}"),
                        "changed_fields": [field_label("area_ha" if k == "area_m2" else k) for k in h["changes"]]
                        if h["event_type"] == "Changed" else []}
                       for h in self._q("site_history", site_id=row["id"])]
        return SiteView(
            id=row["id"], name=row["name"], area_ha=area_ha_text(row["area_m2"]) or "", zoning=row["zoning"],
            utilities=row["utilities"], utility_words=[UTILITIES[u] for u in row["utilities"] if u in UTILITIES],
            ownership=row["ownership"], ownership_words=OWNERSHIP[row["ownership"]], status=row["status"],
            status_words=SITE_STATUSES[row["status"]], address=row["address"], plots=row["plots"],
            latitude=row["latitude"], longitude=row["longitude"], description=row["description"], own=own,
            owner=context["owners"].get(row["network_id"], ""),
            shared_with=[{"id": n, "name": networks[n]["name"] if n in networks else n} for n in row["shared_with"]],
            updated_at=row["updated_at"], photos=photos, history=history)

    def sites(self, user: User, *, status: str | None = None, min_area_ha: object = None,
              max_area_ha: object = None, utilities: Collection[str] = ()) -> list[SiteView]:
        """The sites the user may see, filtered: a status, an area range (hectares), utilities all present."""
        authorize(user, Action.READ_SITES)
        if status and status not in SITE_STATUSES:
            raise ValidationFailed(bilingual("Wybierz stan terenu z listy.", "Choose the site's status from the list."),
                                   field="status")
        low = check_area_ha(min_area_ha, field="min_area_ha", required=False)
        high = check_area_ha(max_area_ha, field="max_area_ha", required=False)
        wanted = set(utilities or ())
        if wanted - set(UTILITIES):
            raise ValidationFailed(bilingual("Wybierz media z listy.", "Choose the utilities from the list."),
                                   field="utilities")
        rows = [r for r in self._site_rows(user) if (not status or r["status"] == status)
                and (low is None or r["area_m2"] >= low) and (high is None or r["area_m2"] <= high)
                and wanted <= set(r["utilities"])]
        context = self._site_context(user)
        return [self._site_view(user, r, context=context) for r in rows]

    def _visible_site(self, user: User, site_id: object) -> Row:
        authorize(user, Action.READ_SITES)
        for row in self._site_rows(user):
            if row["id"] == str(site_id):
                return row
        raise NotFound(SITE_NOT_FOUND, field="site_id")

    def site(self, user: User, site_id: object) -> SiteView:
        return self._site_view(user, self._visible_site(user, site_id), detail=True)

    def _own_site(self, user: User, site_id: object) -> InvestmentSite:
        """A site the user's municipality owns (a shared one is read-only: Forbidden), loaded for a change."""
        row = self._visible_site(user, site_id)
        authorize(user, Action.MANAGE_SITES)
        _, home = self._home(user)
        if row["network_id"] != str(home):
            raise Forbidden(bilingual("Ten teren należy do innej gminy: możesz go tylko przeglądać.",
                                      "This site belongs to another municipality: you may only view it."),
                            field="site_id")
        return self.store.repository.get(UUID(row["id"]))

    def _check_site_name(self, user: User, home: UUID, name: str, except_id: str | None = None) -> None:
        key = comparison_key(name)
        for row in self._q("sites", own_network_ids=[str(home)], shared_network_ids=[]):
            if row["id"] != except_id and comparison_key(row["name"]) == key:
                raise InvariantViolated(bilingual(f"Teren o nazwie „{name}” już jest w bazie.",
                                                  f"A site named “{name}” is in the database already."), field="name")

    def register_site(self, user: User, fields: dict[str, Any]) -> Saved:
        authorize(user, Action.MANAGE_SITES)
        _, home = self._home(user)
        checked = check_site_fields(fields)
        self._check_site_name(user, home, checked["name"])
        return self.store._save(InvestmentSite.register(network_id=home, fields=checked, actor=user.actor))

    def change_site(self, user: User, site_id: object, fields: dict[str, Any]) -> Saved:
        site = self._own_site(user, site_id)
        checked = check_site_fields(fields)
        self._check_site_name(user, site.network_id, checked["name"], except_id=str(site.id))
        site.change(fields=checked, actor=user.actor)
        return self.store._save(site)

    def sharing_choices(self, user: User) -> list[tuple[str, str]]:
        """The shared networks (metropolitan, inter-city) the user's municipality belongs to: (id, name)."""
        authorize(user, Action.MANAGE_SITES)
        scope, _ = self._home(user)
        return [(n["id"], n["name"]) for n in sorted(self._shared_networks(scope), key=lambda n: n["name"])]

    def share_site(self, user: User, site_id: object, network_ids: Collection[object]) -> Saved:
        site = self._own_site(user, site_id)
        allowed = {n for n, _ in self.sharing_choices(user)}
        picked = sorted({str(n) for n in network_ids or []})
        if set(picked) - allowed:
            raise ValidationFailed(bilingual("Wybierz sieci z listy.", "Choose the networks from the list."),
                                   field="network_ids")
        site.share(network_ids=picked, actor=user.actor)
        return self.store._save(site)

    def add_photo(self, user: User, site_id: object, *, data: bytes, caption: object) -> Saved:
        """A photo of the site: its bytes checked and kept by the photo store first, then the event; a failed save
        deletes the bytes again."""
        site = self._own_site(user, site_id)
        if self.photos is None:
            raise InvariantViolated(bilingual("To wdrożenie nie przechowuje zdjęć.", "This deployment keeps no photos."),
                                    field="photo")
        caption_text = check_text(caption, field="caption", max_length=300)
        content_type = self.photos.inspect(data)
        photo_id = str(uuid4())
        site.add_photo(photo_id=photo_id, content_type=content_type, size=len(data),
                       sha256=hashlib.sha256(data).hexdigest(), caption=caption_text, actor=user.actor)
        self.photos.put(photo_id, str(site.id), content_type, data)
        try:
            return self.store._save(site)
        except BaseException:
            self.photos.delete(photo_id)
            raise

    def remove_photo(self, user: User, site_id: object, photo_id: object) -> Saved:
        site = self._own_site(user, site_id)
        site.remove_photo(photo_id=str(photo_id), actor=user.actor)
        saved = self.store._save(site)
        if self.photos is not None:
            self.photos.delete(str(photo_id))
        return saved

    def photo(self, user: User, site_id: object, photo_id: object) -> tuple[str, bytes]:
        """A photo's media type and bytes, for a site the user may see."""
        row = self._visible_site(user, site_id)
        listed = {p["photo_id"] for p in self._q("site_photos", site_id=row["id"])}
        found = self.photos.get(str(photo_id)) if self.photos is not None and str(photo_id) in listed else None
        if found is None:
            raise NotFound(bilingual("Nie ma takiego zdjęcia.", "No such photo."), field="photo_id")
        return found

    # ------------------------------------------------------------------ training
    def training_choices(self, user: User) -> dict[str, list[tuple[str, str]]]:
        """Who may be named as trained: the municipality's users (by e-mail) and the contact persons of its
        institutions (by name and institution)."""
        authorize(user, Action.MANAGE_TRAINING)
        scope, _ = self._home(user)
        users = sorted(((str(u.id), u.email) for u in (self.accounts.list() if self.accounts else [])
                        if u.municipality_id == user.municipality_id and u.active), key=lambda c: c[1])
        institutions = {i["id"]: i["short_name"] for i in self.reads.institutions(network_ids=scope.network_texts)}
        persons = [(str(p.id), f"{p.name} ({institutions.get(str(p.institution_id), '')})")
                   for p in (self.persons.list(institution_ids=list(institutions)) if self.persons else [])]
        return {"users": users, "persons": persons, "modules": [(k, v) for k, v in TRAINING_MODULES.items()]}

    def record_training(self, user: User, *, trainee_user_id: object = None, trainee_person_id: object = None,
                        module: object, held_on: object, certificate: bool) -> Saved:
        authorize(user, Action.MANAGE_TRAINING)
        _, home = self._home(user)
        choices = self.training_choices(user)
        trainee_user = str(trainee_user_id) if trainee_user_id else None
        trainee_person = str(trainee_person_id) if trainee_person_id else None
        if trainee_user is not None and trainee_user not in {u for u, _ in choices["users"]}:
            raise ValidationFailed(bilingual("Wybierz użytkownika z listy.", "Choose the user from the list."),
                                   field="trainee_user_id")
        if trainee_person is not None and trainee_person not in {p for p, _ in choices["persons"]}:
            raise ValidationFailed(bilingual("Wybierz osobę z listy.", "Choose the person from the list."),
                                   field="trainee_person_id")
        training = ServiceTraining.record(network_id=home, trainee_user_id=trainee_user,
                                          trainee_person_id=trainee_person, module=check_module(module),
                                          held_on=self._date(held_on, "held_on"), certificate=bool(certificate),
                                          actor=user.actor)
        return self.store._save(training)

    def trainings(self, user: User) -> list[TrainingView]:
        authorize(user, Action.READ_INVESTOR_SERVICE)
        scope, home = self._home(user)
        emails = {str(u.id): u.email for u in self.accounts.list()} if self.accounts is not None else {}
        institutions = {i["id"]: i["short_name"] for i in self.reads.institutions(network_ids=scope.network_texts)}
        views = []
        for row in self._q("trainings", network_ids=[str(home)]):
            institution = None
            if row["trainee_user_id"]:
                trainee = emails.get(row["trainee_user_id"], row["trainee_user_id"])
            else:
                try:
                    person = self.persons.get(UUID(row["trainee_person_id"])) if self.persons else None
                except NotFound:  # erased since (RODO art. 17): the entry stays, the name is gone
                    person = None
                trainee = (person.name if person is not None and person.name else
                           bilingual("osoba usunięta", "erased person"))
                institution = institutions.get(str(person.institution_id)) if person is not None else None
            views.append(TrainingView(id=row["id"], trainee=trainee, institution=institution, module=row["module"],
                                      module_words=TRAINING_MODULES.get(row["module"], Message.untranslated(
                                          row["module"])), held_on=row["held_on"],
                                      certificate=bool(row["certificate"])))
        return views
