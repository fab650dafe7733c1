"""The directory: the network's institutions and their membership over time, clusters with their firms,
firms (search, register one), and the contact persons of my institution (list, find, add, edit; a person's
page with the records naming them — their contact details only for the roles that may see them). Persons are
found with a POST form, so that a name or an e-mail never travels in a URL (URLs go to the server's log).

Registering a firm or adding a person from a record form without losing one's place: the form links to
`/katalog/firmy/nowa?wroc=<path>` (or `/katalog/osoby/nowa?wroc=<path>`); after saving, the page goes
back to that path (same-site paths only) with `firma=<id>` (or `osoba=<id>`) added, so the form can
pick the new entry. Without `wroc`, it goes to the list with a success banner.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode, urlsplit
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from api.deps import get_container
from api.pages.home import kind_labels
from api.pages.i18n import request_language
from api.pages.web import PageUser, field_errors, render, say, see_other, verified_form
from domain.errors import DomainError, UnknownReference, ValidationFailed, bilingual
from domain.policy import Action, User, authorize, scoped_to_institution
from domain.use_cases.people import PersonDetails

router = APIRouter()

# Institution kinds as the pages name them (English message ids; Polish in locale/pl/.../directory.po).
KIND_NAMES = {"chamber": "Chamber of commerce", "innovation_centre": "Innovation centre",
              "crafts_guild": "Crafts guild", "labour_office": "Labour office", "cluster": "Cluster",
              "business_centre": "Business support centre", "city_department": "City department",
              "incubator": "Business incubator", "other": "Other"}
FIRM_FIELDS = ("name", "nip", "regon")
PERSON_FIELDS = ("name", "position", "email", "phone", "institution_id", "firm_id")


def safe_return(path: object) -> str | None:
    """A `wroc` value the page may redirect to: a path of this site only (no scheme, host or `//`)."""
    if not isinstance(path, str) or not path.startswith("/") or path.startswith(("//", "/\\")):
        return None
    if any(ord(c) < 33 or c == "\\" for c in path) or len(path) > 500:
        return None
    parts = urlsplit(path)
    if parts.scheme or parts.netloc:
        return None
    return path


def _back(path: str, **params: str) -> str:
    return path + ("&" if "?" in path else "?") + urlencode(params)


def _text(form: dict[str, Any], name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _uuid(form: dict[str, Any], name: str) -> UUID | None:
    value = _text(form, name)
    if not value:
        return None
    try:
        return UUID(value)
    except ValueError:
        raise ValidationFailed(bilingual("Wybierz pozycję z listy.", "Choose an entry from the list."),
                               field=name) from None


# ---------------------------------------------------------------------------------------------- index
@router.get("/katalog")
def directory_index(request: Request, user: PageUser) -> Response:
    authorize(user, Action.READ_REGISTRY)
    return render(request, "directory_index.html", user)


# ---------------------------------------------------------------------------------------------- institutions
@router.get("/katalog/instytucje")
def institutions(request: Request, user: PageUser) -> Response:
    views = get_container(request).use_cases.registry.institution_directory(user)
    return render(request, "directory_institutions.html", user, institutions=views, kind_names=KIND_NAMES)


@router.get("/katalog/instytucje/{institution_id}")
def institution(request: Request, institution_id: UUID, user: PageUser) -> Response:
    view = get_container(request).use_cases.registry.institution(user, institution_id)
    return render(request, "directory_institution.html", user, view=view, kind_names=KIND_NAMES)


# ---------------------------------------------------------------------------------------------- firms
@router.get("/katalog/firmy")
def firms(request: Request, user: PageUser, q: str = "", zarejestrowano: str = "") -> Response:
    rows = get_container(request).use_cases.registry.find_firms(user, q)
    registered = next((r for r in rows if r["id"] == zarejestrowano), None) if zarejestrowano and not q else None
    return render(request, "directory_firms.html", user, firms=rows, query=q, registered=registered)


def _firm_form(request: Request, user: User, values: dict[str, Any], errors: dict[str, str], back: str | None,
               *, status_code: int = 200) -> Response:
    return render(request, "directory_firm_form.html", user, status_code=status_code, values=values, errors=errors,
                  field_ids={k: k if k in FIRM_FIELDS else "name" for k in errors}, back=back)


@router.get("/katalog/firmy/nowa")
def new_firm(request: Request, user: PageUser, wroc: str = "") -> Response:
    authorize(user, Action.REGISTER_FIRM)
    return _firm_form(request, user, {}, {}, safe_return(wroc))


@router.post("/katalog/firmy/nowa")
def register_firm(request: Request, user: PageUser, form: dict = Depends(verified_form)) -> Response:
    values = {name: _text(form, name) for name in FIRM_FIELDS}
    back = safe_return(form.get("wroc"))
    try:
        saved = get_container(request).use_cases.registry.register_firm(
            user, name=values["name"], nip=values["nip"] or None, regon=values["regon"] or None)
    except ValidationFailed as error:  # a refusal (Forbidden, another municipality) is the error page
        return _firm_form(request, user, values, field_errors(error, request_language(request)), back,
                          status_code=400)
    if back:
        return see_other(_back(back, firma=str(saved.id)))
    return see_other(f"/katalog/firmy?zarejestrowano={saved.id}")


# ---------------------------------------------------------------------------------------------- persons
@router.get("/katalog/osoby")
def persons(request: Request, user: PageUser, dodano: str = "", zmieniono: str = "") -> Response:
    people = get_container(request).use_cases.people.persons(user)
    return render(request, "directory_persons.html", user, persons=people, query=None, errors={},
                  added=next((p for p in people if str(p.id) == dodano), None),
                  changed=next((p for p in people if str(p.id) == zmieniono), None))


@router.post("/katalog/osoby")
def find_persons(request: Request, user: PageUser, form: dict = Depends(verified_form)) -> Response:
    query = _text(form, "q")
    try:
        people = get_container(request).use_cases.people.find(user, query)
    except ValidationFailed as error:
        return render(request, "directory_persons.html", user, status_code=400, persons=[], query=query,
                      errors=field_errors(error, request_language(request)), field_ids={"q": "q"}, added=None,
                      changed=None)
    return render(request, "directory_persons.html", user, persons=people, query=query, errors={}, added=None,
                  changed=None)



def _choices(request: Request, user: User) -> dict[str, Any]:
    """The institutions and firms a person may belong to, by name (staff: their own institution, fixed)."""
    registry = get_container(request).use_cases.registry
    institutions = [(r["id"], f"{r['short_name']} – {r['name']}") for r in registry.institutions(user)
                    if r["active"] or not scoped_to_institution(user)]
    own = next((c for c in institutions if c[0] == str(user.institution_id)), None) \
        if scoped_to_institution(user) else None
    firm_options = [(r["id"], f"{r['name']} ({'NIP ' + r['nip'] if r['nip'] else 'REGON ' + r['regon']})")
                    for r in registry.firms(user)]
    return {"institution_options": institutions, "own_institution": own, "firm_options": firm_options}


def _person_form(request: Request, user: User, values: dict[str, Any], errors: dict[str, str],
                 back: str | None, *, action: str, editing: bool, status_code: int = 200) -> Response:
    return render(request, "directory_person_form.html", user, status_code=status_code, values=values,
                  errors=errors, field_ids={k: k if k in PERSON_FIELDS else "name" for k in errors}, back=back,
                  action=action, editing=editing, **_choices(request, user))


def _details(form: dict[str, Any]) -> PersonDetails:
    return PersonDetails(name=_text(form, "name"), email=_text(form, "email") or None,
                         phone=_text(form, "phone") or None, position=_text(form, "position") or None,
                         institution_id=_uuid(form, "institution_id"), firm_id=_uuid(form, "firm_id"))


@router.get("/katalog/osoby/nowa")
def new_person(request: Request, user: PageUser, wroc: str = "") -> Response:
    authorize(user, Action.MANAGE_PERSONS)
    values = {"institution_id": str(user.institution_id)} if user.institution_id else {}
    return _person_form(request, user, values, {}, safe_return(wroc), action="/katalog/osoby/nowa", editing=False)


@router.post("/katalog/osoby/nowa")
def add_person(request: Request, user: PageUser, form: dict = Depends(verified_form)) -> Response:
    values = {name: _text(form, name) for name in PERSON_FIELDS}
    back = safe_return(form.get("wroc"))
    try:
        person_id = get_container(request).use_cases.people.add(user, _details(form))
    except (ValidationFailed, UnknownReference) as error:
        return _person_form(request, user, values, _errors(error, request), back, action="/katalog/osoby/nowa",
                            editing=False, status_code=400)
    if back:
        return see_other(_back(back, osoba=str(person_id)))
    return see_other(f"/katalog/osoby?dodano={person_id}")


@router.get("/katalog/osoby/{person_id}/zmien")
def edit_person_form(request: Request, person_id: UUID, user: PageUser) -> Response:
    authorize(user, Action.MANAGE_PERSONS)
    person = get_container(request).use_cases.people.person(user, person_id)
    values = {"name": person.name, "position": person.position or "", "email": person.email or "",
              "phone": person.phone or "", "institution_id": str(person.institution_id or ""),
              "firm_id": str(person.firm_id or "")}
    return _person_form(request, user, values, {}, None, action=f"/katalog/osoby/{person_id}/zmien", editing=True)


@router.post("/katalog/osoby/{person_id}/zmien")
def edit_person(request: Request, person_id: UUID, user: PageUser, form: dict = Depends(verified_form)) -> Response:
    values = {name: _text(form, name) for name in PERSON_FIELDS}
    try:
        get_container(request).use_cases.people.edit(user, person_id, _details(form))
    except (ValidationFailed, UnknownReference) as error:
        return _person_form(request, user, values, _errors(error, request), None,
                            action=f"/katalog/osoby/{person_id}/zmien", editing=True, status_code=400)
    return see_other(f"/katalog/osoby?zmieniono={person_id}")


def _errors(error: DomainError, request: Request) -> dict[str, str]:
    language = request_language(request)
    if isinstance(error, UnknownReference) and error.field in ("institution_id", "firm_id"):
        text = bilingual("Wybierz pozycję z listy.", "Choose an entry from the list.")
        return {error.field: say(text, language)}
    return field_errors(error, language)


# After /katalog/osoby/nowa: a path parameter typed UUID would answer 422 for "nowa".
@router.get("/katalog/osoby/{person_id}")
def person(request: Request, person_id: UUID, user: PageUser) -> Response:
    people = get_container(request).use_cases.people
    return render(request, "directory_person.html", user, p=people.person(user, person_id),
                  appearances=people.appearances(user, person_id), kind_labels=kind_labels(request_language(request)))
