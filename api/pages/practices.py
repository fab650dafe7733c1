"""The good-practice library (issue 14) at /dobre-praktyki: search and filters, a practice's page with its
documents and the meetings where it was presented, publishing, attaching a document (multipart, at most
10 MB, its type read from its bytes by the use case), linking a meeting, withdrawing. Every route calls one
use case of `uc.practices`; a document is served only to those who may see the practice, as an attachment.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from api.deps import get_container
from api.pages.i18n import request_language
from api.pages.web import PageUser, field_errors, render, say, see_other, verified_form
from domain.errors import DomainError, NotFound, ValidationFailed, bilingual
from domain.policy import User
from domain.use_cases.practices import MAX_DOCUMENT_BYTES, PracticeFilter
from infra.exports.stamp import content_disposition

router = APIRouter()

UPLOAD_MAX_BODY_BYTES = MAX_DOCUMENT_BYTES + 256 * 1024  # a document and the form around it (api/app.py)
FIELD_IDS = {"title": "title", "description": "description", "tags": "tags", "year": "year",
             "network_id": "network_id", "institution_id": "institution_id", "file": "file",
             "record_id": "record_id", "reason": "reason", "form": "title"}


def _uc(request: Request):
    return get_container(request).use_cases.practices


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _uuid(value: Any, field: str) -> UUID:
    try:
        return UUID(_text(value))
    except ValueError:
        raise ValidationFailed(bilingual("Wybierz jedną z pozycji listy.", "Choose one of the list's items."),
                               field=field) from None


def _year(value: Any) -> int:
    text = _text(value)
    if not (text.isascii() and text.isdigit() and len(text) == 4):
        raise ValidationFailed(bilingual("Podaj rok czterema cyframi, na przykład 2012.",
                                         "Give the year as four digits, for example 2012."), field="year")
    return int(text)


def _tags(value: Any) -> list[str]:
    return [t for t in (_text(value).replace(";", ",").split(",")) if t.strip()]


def _practice_id(practice_id: str) -> UUID:
    try:
        return UUID(practice_id)
    except ValueError:
        raise NotFound(bilingual(f"Nie ma dobrej praktyki o identyfikatorze {practice_id}.",
                                 f"No good practice with id {practice_id}."), field="practice_id") from None


# ---------------------------------------------------------------------------------------------- the library
@router.get("/dobre-praktyki")
def library(request: Request, user: PageUser, q: str = "", miasto: str = "", tag: str = "", rok: str = "",
            siec: str = "") -> Response:
    language = request_language(request)
    errors: dict[str, str] = {}
    try:
        flt = PracticeFilter(text=q.strip() or None,
                             municipality_id=_uuid(miasto, "miasto") if miasto.strip() else None,
                             tag=tag.strip() or None, year=_year(rok) if rok.strip() else None,
                             network_id=_uuid(siec, "siec") if siec.strip() else None)
    except ValidationFailed as error:
        errors = {"rok" if error.field == "year" else error.field or "q": say(error.text, language)}
        flt = PracticeFilter(text=q.strip() or None)
    found = _uc(request).library(user, flt)
    return render(request, "practice_list.html", user, status_code=400 if errors else 200, library=found,
                  values={"q": q, "miasto": miasto, "tag": tag, "rok": rok, "siec": siec}, errors=errors,
                  field_ids={"rok": "rok", "miasto": "miasto", "siec": "siec", "q": "q"})


# ---------------------------------------------------------------------------------------------- publishing
def _new_form(request: Request, user: User, *, values: dict, errors: dict, status_code: int = 200) -> Response:
    choices = _uc(request).publishing_choices(user)
    return render(request, "practice_form.html", user, status_code=status_code, choices=choices, values=values,
                  errors=errors, field_ids=FIELD_IDS)


@router.get("/dobre-praktyki/nowa")
def new_practice(request: Request, user: PageUser) -> Response:
    return _new_form(request, user, values={}, errors={})


@router.post("/dobre-praktyki/nowa")
def publish(request: Request, user: PageUser, form: dict = Depends(verified_form)) -> Response:
    language = request_language(request)
    values = {k: _text(form.get(k)) for k in ("network_id", "institution_id", "title", "description", "tags", "year")}
    try:
        saved = _uc(request).publish(user, network_id=_uuid(values["network_id"], "network_id"),
                                     institution_id=_uuid(values["institution_id"], "institution_id"),
                                     title=values["title"], description=values["description"],
                                     tags=_tags(values["tags"]), year=_year(values["year"]))
    except DomainError as error:
        if error.code == "forbidden":
            raise
        return _new_form(request, user, values=values, errors=field_errors(error, language), status_code=422)
    return see_other(f"/dobre-praktyki/{saved.id}")


# ---------------------------------------------------------------------------------------------- one practice
def _page(request: Request, user: User, practice_id: UUID, *, errors: dict | None = None, values: dict | None = None,
          status_code: int = 200) -> Response:
    view = _uc(request).practice(user, practice_id)
    done = request.query_params.get("zapisano")
    return render(request, "practice.html", user, status_code=status_code, practice=view, errors=errors or {},
                  values=values or {}, field_ids=FIELD_IDS, done=done)


@router.get("/dobre-praktyki/{practice_id}")
def practice_page(request: Request, user: PageUser, practice_id: str) -> Response:
    return _page(request, user, _practice_id(practice_id))


@router.post("/dobre-praktyki/{practice_id}/dokumenty")
async def attach(request: Request, user: PageUser, practice_id: str, form: dict = Depends(verified_form)) -> Response:
    language = request_language(request)
    pid = _practice_id(practice_id)
    upload = form.get("file")
    try:
        if not hasattr(upload, "read"):
            raise ValidationFailed(bilingual("Wybierz plik do dołączenia.", "Choose a file to attach."), field="file")
        data = await upload.read(MAX_DOCUMENT_BYTES + 1)
        _uc(request).attach(user, pid, filename=upload.filename or "", data=data)
    except DomainError as error:
        if error.code in ("forbidden", "not_found"):
            raise
        return _page(request, user, pid, errors=field_errors(error, language), status_code=422)
    return see_other(f"/dobre-praktyki/{pid}?zapisano=dokument")


@router.get("/dobre-praktyki/{practice_id}/dokumenty/{document_id}")
def download(request: Request, user: PageUser, practice_id: str, document_id: str) -> Response:
    pid = _practice_id(practice_id)
    try:
        did = UUID(document_id)
    except ValueError:
        raise NotFound(bilingual("Nie ma takiego dokumentu.", "No such document."), field="document_id") from None
    document = _uc(request).document(user, pid, did)
    return document_response(document)


@router.post("/dobre-praktyki/{practice_id}/dokumenty/{document_id}/usuniecie")
def remove_document(request: Request, user: PageUser, practice_id: str, document_id: str,
                    form: dict = Depends(verified_form)) -> Response:
    pid = _practice_id(practice_id)
    try:
        did = UUID(document_id)
    except ValueError:
        raise NotFound(bilingual("Nie ma takiego dokumentu.", "No such document."), field="document_id") from None
    _uc(request).remove_document(user, pid, did)
    return see_other(f"/dobre-praktyki/{pid}?zapisano=usunieto")


@router.post("/dobre-praktyki/{practice_id}/spotkania")
def link_meeting(request: Request, user: PageUser, practice_id: str, form: dict = Depends(verified_form)) -> Response:
    language = request_language(request)
    pid = _practice_id(practice_id)
    try:
        _uc(request).link_presentation(user, pid, record_id=_uuid(form.get("record_id"), "record_id"))
    except DomainError as error:
        if error.code in ("forbidden", "not_found"):
            raise
        return _page(request, user, pid, errors=field_errors(error, language), status_code=422)
    return see_other(f"/dobre-praktyki/{pid}?zapisano=spotkanie")


@router.post("/dobre-praktyki/{practice_id}/wycofanie")
def withdraw(request: Request, user: PageUser, practice_id: str, form: dict = Depends(verified_form)) -> Response:
    language = request_language(request)
    pid = _practice_id(practice_id)
    reason = _text(form.get("reason"))
    try:
        _uc(request).withdraw(user, pid, reason=reason)
    except DomainError as error:
        if error.code in ("forbidden", "not_found"):
            raise
        return _page(request, user, pid, errors=field_errors(error, language), values={"reason": reason},
                     status_code=422)
    return see_other("/dobre-praktyki?wycofano=1")

def document_response(document) -> Response:
    """A stored document as a download: its checked type, as an attachment (never inline), never sniffed,
    never cached, sandboxed should a browser open it anyway."""
    return Response(document.data, media_type=document.content_type,
                    headers={"Content-Disposition": content_disposition(document.filename),
                             "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store",
                             "Content-Security-Policy": "sandbox"})
