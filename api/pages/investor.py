"""Investor service pages (issue 14) over `uc.investor`: confidential inquiries (/inwestorzy — for anyone but the
investor service and the coordinator every one of these pages is 404, as the use cases answer), the indicators
per year (/inwestorzy/wskazniki), training in the standard (/inwestorzy/szkolenia), and the investment-site
database (/tereny: filters, a site with its photos and history, forms, a CSV export).

Ids in paths are taken as text: an id that names nothing is the use case's 404, never a 422.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from api.deps import get_container
from api.pages.i18n import request_language
from api.pages.record_forms import FormErrors, read_date
from api.pages.web import PageUser, render, say, see_other, verified_form
from domain.errors import DomainError, bilingual
from domain.policy import Action, may

router = APIRouter()

RECEIVED = bilingual("Data wpływu", "Date received")
ANSWERED = bilingual("Data odpowiedzi", "Date answered")
DECIDED = bilingual("Data decyzji", "Date of the decision")
HELD = bilingual("Data szkolenia", "Date of the training")
DATE_FIELDS = ("received_on", "answered_on", "decided_on", "held_on")


def _uc(request: Request):
    return get_container(request).use_cases.investor


def _list(form: dict[str, Any], name: str) -> list[str]:
    value = form.get(name)
    if value in (None, ""):
        return []
    return [str(v) for v in (value if isinstance(value, list) else [value]) if v]


def _text(form: dict[str, Any], name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _form_values(form: dict[str, Any]) -> dict[str, Any]:
    """The form as its fields show it again: the checkbox groups as lists, whatever was ticked."""
    values = {k: v for k, v in form.items() if k != "csrf_token"}
    for name in ("sectors", "utilities", "site_ids", "network_ids"):
        values[name] = _list(form, name)
    return values


def _errors(error: DomainError | FormErrors, language: str) -> dict[str, str]:
    if isinstance(error, FormErrors):
        return {k: say(v, language) for k, v in error.errors.items()}
    return {error.field or "form": say(error.text, language)}


FIELD_IDS = {"received_on": "received_on-day", "answered_on": "answered_on-day", "decided_on": "decided_on-day",
             "held_on": "held_on-day", "sectors": "sectors-0", "utilities": "utilities-0", "needs_text": "needs_text",
             "area_ha": "area_ha", "jobs": "jobs", "codename": "codename", "notes": "notes", "site_ids": "site_ids-0",
             "outcome": "outcome", "ownership": "ownership", "status": "status", "name": "name", "zoning": "zoning",
             "address": "address", "plots": "plots", "latitude": "latitude", "longitude": "longitude",
             "description": "description", "photo": "photo", "caption": "caption", "network_ids": "network_ids-0",
             "working_days": "working_days", "module": "module", "trainee": "trainee_user_id",
             "trainee_user_id": "trainee_user_id", "trainee_person_id": "trainee_person_id",
             "min_area_ha": "min_area_ha", "max_area_ha": "max_area_ha", "form": "main-content"}


def _date_values(name: str, iso: str | None) -> dict[str, str]:
    if not iso:
        return {}
    year, month, day = iso[:10].split("-")
    return {f"{name}-day": str(int(day)), f"{name}-month": str(int(month)), f"{name}-year": year}


# ---------------------------------------------------------------------------------------------- inquiries
@router.get("/inwestorzy")
def inquiries(request: Request, user: PageUser, zapisano: str = "") -> Response:
    uc = _uc(request)
    return render(request, "investor_inquiries.html", user, inquiries=uc.inquiries(user), standard=uc.standard(user),
                  saved=zapisano == "1")


def _inquiry_form(request: Request, user: Any, *, inquiry: Any = None, values: dict[str, Any],
                  errors: dict[str, str], status_code: int = 200) -> Response:
    uc = _uc(request)
    if inquiry is None:
        uc.inquiries(user)  # the same 404 as the list for anyone who may not see inquiries
    return render(request, "investor_inquiry_form.html", user, status_code=status_code, inquiry=inquiry,
                  choices=uc.choices(user), values=values, errors=errors, field_ids=FIELD_IDS,
                  standard=uc.standard(user))


def _read_inquiry(form: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    values = _form_values(form)
    received = read_date(form, "received_on", RECEIVED)
    args = {"codename": _text(form, "codename"), "sectors": values["sectors"], "received_on": received,
            "needs": {"area_ha": _text(form, "area_ha") or None, "utilities": values["utilities"],
                      "jobs": _text(form, "jobs") or None, "text": _text(form, "needs_text") or None},
            "notes": _text(form, "notes") or None}
    return values, args


@router.get("/inwestorzy/nowe")
def new_inquiry(request: Request, user: PageUser) -> Response:
    return _inquiry_form(request, user, values={}, errors={})


@router.post("/inwestorzy/nowe")
def receive(request: Request, user: PageUser, form: dict = Depends(verified_form)) -> Response:
    values: dict[str, Any] = {}
    try:
        values, args = _read_inquiry(form)
        saved = _uc(request).receive(user, **args)
    except (DomainError, FormErrors) as error:
        if isinstance(error, DomainError) and error.code in ("not_found", "forbidden"):
            raise
        values = values or _form_values(form)
        return _inquiry_form(request, user, values=values, errors=_errors(error, request_language(request)),
                             status_code=400)
    return see_other(f"/inwestorzy/{saved.id}?zapisano=1")


# ---------------------------------------------------------------------------------------------- indicators
@router.get("/inwestorzy/wskazniki")
def indicators(request: Request, user: PageUser, zapisano: str = "") -> Response:
    uc = _uc(request)
    return render(request, "investor_indicators.html", user, rows=uc.indicators(user), standard=uc.standard(user),
                  values={}, errors={}, field_ids=FIELD_IDS, saved=zapisano == "1")


@router.post("/inwestorzy/standard")
def set_standard(request: Request, user: PageUser, form: dict = Depends(verified_form)) -> Response:
    uc = _uc(request)
    try:
        uc.set_standard(user, _text(form, "working_days"))
    except DomainError as error:
        if error.code in ("not_found", "forbidden"):
            raise
        return render(request, "investor_indicators.html", user, status_code=400, rows=uc.indicators(user),
                      standard=uc.standard(user), values={"working_days": _text(form, "working_days")},
                      errors=_errors(error, request_language(request)), field_ids=FIELD_IDS, saved=False)
    return see_other("/inwestorzy/wskazniki?zapisano=1")


# ---------------------------------------------------------------------------------------------- training
def _trainings_page(request: Request, user: Any, *, values: dict[str, Any], errors: dict[str, str],
                    saved: bool = False, status_code: int = 200) -> Response:
    uc = _uc(request)
    choices = uc.training_choices(user) if may(user, Action.MANAGE_TRAINING) else None
    return render(request, "investor_trainings.html", user, status_code=status_code, trainings=uc.trainings(user),
                  choices=choices, values=values, errors=errors, field_ids=FIELD_IDS, saved=saved)


@router.get("/inwestorzy/szkolenia")
def trainings(request: Request, user: PageUser, zapisano: str = "") -> Response:
    return _trainings_page(request, user, values={}, errors={}, saved=zapisano == "1")


@router.post("/inwestorzy/szkolenia")
def record_training(request: Request, user: PageUser, form: dict = Depends(verified_form)) -> Response:
    values = {k: v for k, v in form.items() if k != "csrf_token"}
    try:
        held = read_date(form, "held_on", HELD)
        _uc(request).record_training(user, trainee_user_id=_text(form, "trainee_user_id") or None,
                                     trainee_person_id=_text(form, "trainee_person_id") or None,
                                     module=_text(form, "module"), held_on=held,
                                     certificate=_text(form, "certificate") == "yes")
    except (DomainError, FormErrors) as error:
        if isinstance(error, DomainError) and error.code in ("not_found", "forbidden"):
            raise
        return _trainings_page(request, user, values=values, errors=_errors(error, request_language(request)),
                               status_code=400)
    return see_other("/inwestorzy/szkolenia?zapisano=1")


# ---------------------------------------------------------------------------------------------- one inquiry
def _inquiry_page(request: Request, user: Any, inquiry_id: str, *, values: dict[str, Any] | None = None,
                  errors: dict[str, str] | None = None, saved: bool = False, status_code: int = 200) -> Response:
    uc = _uc(request)
    inquiry = uc.inquiry(user, inquiry_id)
    sites = [s for s in uc.sites(user)]
    return render(request, "investor_inquiry.html", user, status_code=status_code, inquiry=inquiry, sites=sites,
                  choices=uc.choices(user), values=values or {}, errors=errors or {}, field_ids=FIELD_IDS,
                  saved=saved)


@router.get("/inwestorzy/{inquiry_id}")
def inquiry(request: Request, inquiry_id: str, user: PageUser, zapisano: str = "") -> Response:
    return _inquiry_page(request, user, inquiry_id, saved=zapisano == "1")


@router.post("/inwestorzy/{inquiry_id}/odpowiedz")
def answer(request: Request, inquiry_id: str, user: PageUser, form: dict = Depends(verified_form)) -> Response:
    values = _form_values(form)
    try:
        answered = read_date(form, "answered_on", ANSWERED)
        _uc(request).answer(user, inquiry_id, answered_on=answered, site_ids=values["site_ids"])
    except (DomainError, FormErrors) as error:
        if isinstance(error, DomainError) and error.code in ("not_found", "forbidden"):
            raise
        return _inquiry_page(request, user, inquiry_id, values=values,
                             errors=_errors(error, request_language(request)), status_code=400)
    return see_other(f"/inwestorzy/{inquiry_id}?zapisano=1")


@router.post("/inwestorzy/{inquiry_id}/wynik")
def outcome(request: Request, inquiry_id: str, user: PageUser, form: dict = Depends(verified_form)) -> Response:
    values = {k: v for k, v in form.items() if k != "csrf_token"}
    try:
        decided = read_date(form, "decided_on", DECIDED)
        _uc(request).set_outcome(user, inquiry_id, outcome=_text(form, "outcome"), decided_on=decided)
    except (DomainError, FormErrors) as error:
        if isinstance(error, DomainError) and error.code in ("not_found", "forbidden"):
            raise
        return _inquiry_page(request, user, inquiry_id, values=values,
                             errors=_errors(error, request_language(request)), status_code=400)
    return see_other(f"/inwestorzy/{inquiry_id}?zapisano=1")


@router.get("/inwestorzy/{inquiry_id}/zmien")
def change_form(request: Request, inquiry_id: str, user: PageUser) -> Response:
    found = _uc(request).inquiry(user, inquiry_id)
    values = {"codename": found.codename, "sectors": found.sectors, "utilities": found.needs.get("utilities") or [],
              "area_ha": found.needs.get("area_ha") or "", "jobs": found.needs.get("jobs") or "",
              "needs_text": found.needs.get("text") or "", "notes": found.notes or "",
              **_date_values("received_on", found.received_on)}
    return _inquiry_form(request, user, inquiry=found, values=values, errors={})


@router.post("/inwestorzy/{inquiry_id}/zmien")
def change(request: Request, inquiry_id: str, user: PageUser, form: dict = Depends(verified_form)) -> Response:
    uc = _uc(request)
    found = uc.inquiry(user, inquiry_id)
    values = _form_values(form)
    try:
        values, args = _read_inquiry(form)
        uc.change(user, inquiry_id, **args)
    except (DomainError, FormErrors) as error:
        if isinstance(error, DomainError) and error.code in ("not_found", "forbidden"):
            raise
        return _inquiry_form(request, user, inquiry=found, values=values,
                             errors=_errors(error, request_language(request)), status_code=400)
    return see_other(f"/inwestorzy/{inquiry_id}?zapisano=1")
