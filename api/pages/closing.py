"""Closing a reporting year from the pages (issue 10): the years and where each stands, one year's status
(who signed off and when, who is missing, reopened for whom and why, the published versions), a lead's
sign-off for their own institution, the coordinator's close (a confirmation page first) and reopening
(for an institution picked by name, or for the strategy; a reason always), a published version's frozen
figures, and the difference between two versions in words.

Every action is one use case of `uc.closing` (domain/use_cases/closing.py), which asks the policy first;
the templates offer only what `may(...)` allows. POST → 303 → GET with a banner named in the query.
"""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from api.deps import get_container
from api.pages.home import kind_labels
from api.pages.i18n import request_language
from api.pages.web import PageUser, field_errors, render, say, see_other, verified_form
from domain.errors import DomainError, InvariantViolated, ValidationFailed, bilingual
from domain.policy import Action, User, authorize

router = APIRouter()

STRATEGY = "strategia"  # the reopening for the strategy's own figures (targets, reported values, stages)


def figure(value: Any, language: str) -> str:
    """A frozen figure as the strategy prints it: "–" not planned, "bd" no data, 0 a real zero, a decimal comma
    in Polish; an absent value (a version without it) is said in words; a whole table in short JSON."""
    if value is None:
        return "(none)" if language == "en" else "(brak)"
    if value == "-":
        return "–"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        text = f"{value:.1f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))
        return text.replace(".", ",") if language == "pl" else text
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return str(value)


def _helpers(request: Request, user: User) -> dict[str, Any]:
    language = request_language(request)
    users = get_container(request).use_cases.users
    return {"figure": lambda value: figure(value, language),
            "who": lambda user_id: users.display_name(user, user_id),
            "kind_labels": kind_labels(language)}


def _uuid(value: Any, field: str) -> UUID:
    try:
        return UUID(str(value or "").strip())
    except ValueError:
        raise ValidationFailed(bilingual("Wybierz instytucję z listy.", "Choose an institution from the list."),
                               field=field) from None


# ---------------------------------------------------------------------------------------------- reading
@router.get("/lata")
def years(request: Request, user: PageUser) -> Response:
    summaries = get_container(request).use_cases.closing.years(user)
    return render(request, "closing_years.html", user, years=summaries)


def _status_page(request: Request, user: User, year: int, *, template: str = "closing_year.html",
                 status_code: int = 200, **context: Any) -> Response:
    status = get_container(request).use_cases.closing.status(user, year)
    missing = [s for s in status.sign_offs if s.signed_off_at is None]
    return render(request, template, user, status_code=status_code, status=status, missing=missing,
                  **_helpers(request, user), **context)


@router.get("/lata/{year}")
def year_status(request: Request, year: int, user: PageUser, podpisano: str = "", zamknieto: str = "",
                otwarto: str = "") -> Response:
    return _status_page(request, user, year, signed=bool(podpisano), closed_version=zamknieto,
                        reopened_for=otwarto, errors={}, field_ids={})


@router.get("/lata/{year}/wersje/{number}")
def version(request: Request, year: int, number: int, user: PageUser) -> Response:
    published = get_container(request).use_cases.closing.report_version(user, year, number)
    return render(request, "closing_version.html", user, year=year, version=published, **_helpers(request, user))


@router.get("/lata/{year}/wersje/{first}/roznice/{second}")
def difference(request: Request, year: int, first: int, second: int, user: PageUser) -> Response:
    comparison = get_container(request).use_cases.closing.compare_versions(user, year, first, second)
    return render(request, "closing_diff.html", user, comparison=comparison, **_helpers(request, user))


# ---------------------------------------------------------------------------------------------- signing off
@router.post("/lata/{year}/podpis")
def sign_off(request: Request, year: int, user: PageUser, form: dict = Depends(verified_form)) -> Response:
    """A lead signs off their own institution (the form names no institution: it is the lead's own)."""
    try:
        get_container(request).use_cases.closing.sign_off(user, year, institution_id=user.institution_id)
    except (InvariantViolated, ValidationFailed) as error:
        return _status_page(request, user, year, status_code=409, signed=False, closed_version="", reopened_for="",
                            errors={"sign-off": say(error.text, request_language(request))},
                            field_ids={"sign-off": "sign-off"})
    return see_other(f"/lata/{year}?podpisano=1")


# ---------------------------------------------------------------------------------------------- closing
@router.get("/lata/{year}/zamkniecie")
def confirm_close(request: Request, year: int, user: PageUser) -> Response:
    authorize(user, Action.CLOSE_YEAR)
    return _status_page(request, user, year, template="closing_close.html", refusal=None, errors={}, field_ids={})


@router.post("/lata/{year}/zamkniecie")
def close(request: Request, year: int, user: PageUser, form: dict = Depends(verified_form)) -> Response:
    try:
        closed = get_container(request).use_cases.closing.close(user, year)
    except InvariantViolated as error:
        return _status_page(request, user, year, template="closing_close.html", status_code=409,
                            refusal=say(error.text, request_language(request)), errors={}, field_ids={})
    return see_other(f"/lata/{year}?zamknieto={closed.report_version}")


# ---------------------------------------------------------------------------------------------- reopening
def _missing_reason(request: Request) -> str:
    return say(bilingual("Napisz, dlaczego rok jest ponownie otwierany.", "Say why the year is reopened."),
               request_language(request))


def _reopen_form(request: Request, user: User, year: int, scope: str, values: dict[str, Any],
                 errors: dict[str, str], status_code: int = 200) -> Response:
    return _status_page(request, user, year, template="closing_reopen.html", status_code=status_code,
                        for_strategy=scope == STRATEGY, values=values, errors=errors,
                        field_ids={"institution_id": "institution_id", "reason": "reason", "form": "reason",
                                   "year": "reason"})


@router.get("/lata/{year}/otwarcie/{scope}")
def reopen_form(request: Request, year: int, scope: str, user: PageUser) -> Response:
    authorize(user, Action.CLOSE_YEAR)
    return _reopen_form(request, user, year, _scope(scope), {}, {})


def _scope(scope: str) -> str:
    if scope not in (STRATEGY, "instytucja"):
        raise ValidationFailed(bilingual("Nieznany rodzaj ponownego otwarcia.", "Unknown kind of reopening."),
                               field="scope")
    return scope


@router.post("/lata/{year}/otwarcie/{scope}")
def reopen(request: Request, year: int, scope: str, user: PageUser, form: dict = Depends(verified_form)) -> Response:
    scope = _scope(scope)
    values = {"institution_id": str(form.get("institution_id") or ""), "reason": str(form.get("reason") or "")}
    try:
        institution = None if scope == STRATEGY else _uuid(values["institution_id"], "institution_id")
        get_container(request).use_cases.closing.reopen(user, year, institution_id=institution,
                                                        reason=values["reason"].strip())
    except (ValidationFailed, InvariantViolated) as error:
        errors = field_errors(error, request_language(request))
        if error.field == "reason" and not values["reason"].strip():
            errors = {"reason": _missing_reason(request)}
        return _reopen_form(request, user, year, scope, values, errors,
                            status_code=400 if isinstance(error, ValidationFailed) else 409)
    except DomainError as error:
        if error.field != "institution_id":
            raise
        return _reopen_form(request, user, year, scope, values, field_errors(error, request_language(request)),
                            status_code=400)
    return see_other(f"/lata/{year}?otwarto={STRATEGY if institution is None else institution}")
