"""Personal data (issue 12): the privacy notice (klauzula informacyjna, for everyone, linked from every page's
footer) and the data-protection officer's pages over `uc.privacy` — find a person by name, see everything
held about them, export it as JSON or PDF (recorded in the audit trail), erase them on a ground of
art. 17(1) RODO after a confirmation, and review the persons past the retention period; and redact the free
text of records (found by the text they hold, or from a person's page): the record's key destroyed, the act
audited, the record kept with its kind, date, parties and counts.

A person (or a record's text) is searched with a POST form, so that a name, e-mail or phone never travels in a URL (URLs are
written to the server's access log and the browser's history); a person's pages name them by id only.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from api.deps import get_container
from api.pages.i18n import request_language
from api.pages.web import MaybeUser, PageUser, field_errors, render, say, see_other, verified_form
from domain.errors import InvariantViolated, ValidationFailed
from infra.exports.stamp import content_disposition
from infra.exports.subject_access import subject_filename, subject_json, subject_pdf

router = APIRouter()
MEDIA = {"json": "application/json", "pdf": "application/pdf"}


@router.get("/ochrona-danych")
def notice(request: Request, user: MaybeUser) -> Response:
    settings = get_container(request).settings
    return render(request, "privacy_notice.html", user, controller=settings.privacy_controller,
                  dpo_contact=settings.privacy_dpo_contact, retention_years=settings.person_retention_years)


# ---------------------------------------------------------------------------------------------- finding
def _persons_page(request: Request, user: Any, *, query: str | None = None, found: list | None = None,
                  errors: dict[str, str] | None = None, erased: bool = False, status_code: int = 200) -> Response:
    acts = get_container(request).use_cases.privacy.acts(user)
    return render(request, "privacy_persons.html", user, status_code=status_code, acts=acts, query=query,
                  found=found, errors=errors or {}, field_ids={"q": "q"}, erased=erased)


@router.get("/ochrona-danych/osoby")
def persons(request: Request, user: PageUser, usunieto: str = "") -> Response:
    return _persons_page(request, user, erased=usunieto == "1")


@router.post("/ochrona-danych/osoby")
def search(request: Request, user: PageUser, form: dict = Depends(verified_form)) -> Response:
    query = str(form.get("q") or "").strip()
    try:
        found = get_container(request).use_cases.privacy.find(user, query)
    except ValidationFailed as error:
        return _persons_page(request, user, query=query, errors=field_errors(error, request_language(request)),
                             status_code=400)
    return _persons_page(request, user, query=query, found=found)


# ---------------------------------------------------------------------------------------------- one person
@router.get("/ochrona-danych/osoby/{person_id}")
def person(request: Request, person_id: UUID, user: PageUser) -> Response:
    access = get_container(request).use_cases.privacy.subject(user, person_id)
    return render(request, "privacy_person.html", user, access=access, p=access.person)


@router.post("/ochrona-danych/osoby/{person_id}/wydanie")
def export(request: Request, person_id: UUID, user: PageUser, form: dict = Depends(verified_form)) -> Response:
    extension = str(form.get("format") or "")
    access = get_container(request).use_cases.privacy.export(user, person_id, format=extension)  # json or pdf
    body = subject_json(access) if extension == "json" else subject_pdf(access, request_language(request))
    return Response(body, media_type=MEDIA[extension],
                    headers={"Content-Disposition": content_disposition(subject_filename(access, extension)),
                             "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"})


def _erase_form(request: Request, user: Any, person_id: UUID, *, values: dict[str, str],
                errors: dict[str, str], status_code: int = 200) -> Response:
    privacy = get_container(request).use_cases.privacy
    language = request_language(request)
    grounds = [(code, say(words, language)) for code, words in privacy.erasure_grounds(user)]
    return render(request, "privacy_erase.html", user, status_code=status_code, p=privacy.person(user, person_id),
                  grounds=grounds, values=values, errors=errors, field_ids={"legal_ground": "legal_ground-0"})


@router.get("/ochrona-danych/osoby/{person_id}/usun")
def erase_form(request: Request, person_id: UUID, user: PageUser) -> Response:
    return _erase_form(request, user, person_id, values={}, errors={})


@router.post("/ochrona-danych/osoby/{person_id}/usun")
def erase(request: Request, person_id: UUID, user: PageUser, form: dict = Depends(verified_form)) -> Response:
    values = {"legal_ground": str(form.get("legal_ground") or "")}
    try:
        get_container(request).use_cases.privacy.erase(user, person_id, legal_ground=values["legal_ground"])
    except ValidationFailed as error:
        return _erase_form(request, user, person_id, values=values,
                           errors=field_errors(error, request_language(request)), status_code=400)
    return see_other("/ochrona-danych/osoby?usunieto=1")


# ---------------------------------------------------------------------------------------------- retention
@router.get("/ochrona-danych/przeglad")
def retention(request: Request, user: PageUser) -> Response:
    review = get_container(request).use_cases.privacy.retention(user)
    return render(request, "privacy_retention.html", user, review=review)


# ---------------------------------------------------------------------------------------------- redaction of records
def _records_page(request: Request, user: Any, *, query: str | None = None, found: list | None = None,
                  errors: dict[str, str] | None = None, redacted: bool = False, status_code: int = 200) -> Response:
    return render(request, "privacy_redact_find.html", user, status_code=status_code, query=query, found=found,
                  errors=errors or {}, field_ids={"q": "q"}, redacted=redacted,
                  acts=[a for a in get_container(request).use_cases.privacy.acts(user) if a.record_id])


@router.get("/ochrona-danych/wpisy")
def records(request: Request, user: PageUser, usunieto: str = "") -> Response:
    return _records_page(request, user, redacted=usunieto == "1")


@router.post("/ochrona-danych/wpisy")
def find_records(request: Request, user: PageUser, form: dict = Depends(verified_form)) -> Response:
    """Records whose text holds what the DPO typed (POSTed: a name never reaches a URL or the access log)."""
    query = str(form.get("q") or "").strip()
    try:
        found = get_container(request).use_cases.privacy.find_records(user, query)
    except ValidationFailed as error:
        return _records_page(request, user, query=query, errors=field_errors(error, request_language(request)),
                             status_code=400)
    return _records_page(request, user, query=query, found=found)


def _redact_form(request: Request, user: Any, record_id: UUID, *, values: dict[str, str],
                 errors: dict[str, str], status_code: int = 200) -> Response:
    privacy = get_container(request).use_cases.privacy
    language = request_language(request)
    candidate = privacy.redaction_candidate(user, record_id)
    grounds = [(code, say(words, language)) for code, words in privacy.erasure_grounds(user)]
    return render(request, "privacy_redact.html", user, status_code=status_code, r=candidate, grounds=grounds,
                  values=values, errors=errors, field_ids={"legal_ground": "legal_ground-0"})


@router.get("/ochrona-danych/wpisy/{record_id}/redakcja")
def redact_form(request: Request, record_id: UUID, user: PageUser) -> Response:
    return _redact_form(request, user, record_id, values={}, errors={})


@router.post("/ochrona-danych/wpisy/{record_id}/redakcja")
def redact(request: Request, record_id: UUID, user: PageUser, form: dict = Depends(verified_form)) -> Response:
    values = {"legal_ground": str(form.get("legal_ground") or "")}
    try:
        get_container(request).use_cases.privacy.redact(user, record_id, legal_ground=values["legal_ground"])
    except (ValidationFailed, InvariantViolated) as error:  # no ground, or the text is gone already
        return _redact_form(request, user, record_id, values=values,
                            errors={"legal_ground": say(error.text, request_language(request))}, status_code=400)
    return see_other("/ochrona-danych/wpisy?usunieto=1")
