"""Logging a record in under a minute, reading it, correcting and retracting it, the register.

New record: form → (POST) check answers, with a warning before a likely duplicate → (POST) save →
303 → the record's page with a confirmation. Each step calls the use case; a refusal shows the form
again with the error summary, the entered values kept, nothing saved.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from api.deps import get_container
from api.pages.i18n import long_date, request_language
from api.pages.record_forms import (
    HIDDEN_FIELDS,
    Choices,
    FormErrors,
    changed_fields,
    keep_unpickable,
    error_key,
    input_id,
    read_fields,
    values_from_fields,
    widgets,
)
from api.pages.web import PageUser, render, say, see_other, verified_form
from domain.errors import DomainError, NotFound, VersionConflict
from domain.labels import ERASED_PERSON
from domain.policy import User, scoped_to_institution
from domain.record_kinds import RECORD_KINDS, FieldSpec, FieldType, choice_label
from domain.values import RecordKind

router = APIRouter()


def _kind(kind: str) -> str:
    if kind not in RECORD_KINDS:
        raise NotFound("Nie ma takiego rodzaju wpisu (no such kind of record).", field="kind")
    return kind


def choices(request: Request, user: User) -> Choices:
    uc = get_container(request).use_cases
    institutions = [(r["id"], f"{r['short_name']} – {r['name']}") for r in uc.registry.institutions(user)
                    if r["active"]]
    firms = [(r["id"], f"{r['name']} ({'NIP ' + r['nip'] if r['nip'] else 'REGON ' + r['regon']})")
             for r in uc.registry.firms(user)]
    meetings, _ = uc.records.register(user, kind=RecordKind.MEETING.value, limit=100)
    persons = [(str(p.id), f"{p.name} – {p.firm_name or p.institution_name or ''}".rstrip(" –"))
               for p in uc.people.persons(user)]
    own = next(((i, label) for i, label in institutions if i == str(user.institution_id)), None) \
        if scoped_to_institution(user) else None
    return Choices(institutions, firms, [(m["record_id"], f"{m['occurred_on']} – {m['title']}") for m in meetings],
                   persons, own)


def _form_values(form: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in form.items() if k != "csrf_token"}


def _show_form(request: Request, user: User, kind: str, values: dict[str, Any], errors: dict[str, Any],
               *, status_code: int = 200) -> Response:
    language = request_language(request)
    widget_list = widgets(kind, choices(request, user), language)
    shown = {error_key(k): say(v, language) for k, v in errors.items()}
    return render(request, "record_form.html", user, status_code=status_code, kind=kind,
                  kind_label=RECORD_KINDS[kind].label.in_language(language), widgets=widget_list, values=values,
                  errors=shown, field_ids={error_key(k): input_id(widget_list, k) for k in errors})


@router.get("/wpisy/nowy/{kind}")
def new_record(request: Request, kind: str, user: PageUser) -> Response:
    kind = _kind(kind)
    values: dict[str, Any] = {}
    spec = RECORD_KINDS[kind]
    own = choices(request, user).own_institution
    if own is not None:
        values[spec.owner_field] = own[0]
    # Back from registering a firm or adding a person (the directory's ?wroc=): the new one is picked.
    for query, fields in (("firma", spec.firm_fields), ("osoba", (spec.person_field,))):
        if request.query_params.get(query) and fields:
            picked = request.query_params[query]
            values[fields[0]] = picked if spec.field(fields[0]).type is FieldType.UUID else [picked]
    return _show_form(request, user, kind, values, {})


def _checked(request: Request, user: User, kind: str, form: dict[str, Any]) -> dict[str, Any]:
    """The use case's normalised fields; FormErrors or a DomainError when the form cannot be saved."""
    fields = read_fields(kind, form)
    return get_container(request).use_cases.records.check(user, kind, fields)


@router.post("/wpisy/nowy/{kind}")
def check_answers(request: Request, kind: str, user: PageUser, form: dict = Depends(verified_form)) -> Response:
    kind = _kind(kind)
    values = _form_values(form)
    if "change" in form:
        return _show_form(request, user, kind, values, {})
    try:
        fields = _checked(request, user, kind, form)
    except FormErrors as error:
        return _show_form(request, user, kind, values, error.errors, status_code=400)
    except DomainError as error:
        return _show_form(request, user, kind, values, {error.field or "form": error.text}, status_code=400)
    uc = get_container(request).use_cases
    duplicates = uc.records.likely_duplicates(user, kind, fields)
    return render(request, "record_check.html", user, kind=kind, values=values, summary=summary(request, user, kind,
                  fields), duplicates=duplicates,
                  kind_label=RECORD_KINDS[kind].label.in_language(request_language(request)))


@router.post("/wpisy/nowy/{kind}/zapisz")
def save_record(request: Request, kind: str, user: PageUser, form: dict = Depends(verified_form)) -> Response:
    kind = _kind(kind)
    values = _form_values(form)
    try:
        fields = read_fields(kind, form)
        saved = get_container(request).use_cases.records.record(user, kind, fields)
    except FormErrors as error:
        return _show_form(request, user, kind, values, error.errors, status_code=400)
    except DomainError as error:
        return _show_form(request, user, kind, values, {error.field or "form": error.text}, status_code=400)
    return see_other(f"/wpisy/{saved.id}?zapisano=1")


# ---------------------------------------------------------------------------------------------- showing
def _names(request: Request, user: User) -> dict[str, str]:
    uc = get_container(request).use_cases
    names = {r["id"]: f"{r['short_name']} – {r['name']}" for r in uc.registry.institutions(user)}
    names |= {r["id"]: r["name"] for r in uc.registry.firms(user)}
    # Persons by name, and an erased person as "osoba usunięta" / "erased person" (issue 12).
    names |= {i: say(n, request_language(request)) for i, n in uc.people.names(user).items()}
    return names


def show_value(spec: FieldSpec | None, value: Any, names: dict[str, str], language: str) -> str:
    """A field's value as a person reads it: names, not ids; dates in words; choices labelled."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, list):
        if value and isinstance(value[0], dict):  # follow-ups
            return "; ".join(f"{item['action']} ({long_date(item['due_on'], language)}"
                             f"{', ' + names.get(str(item.get('institution_id')), '') if item.get('institution_id') else ''})"
                             for item in value)
        return ", ".join(names.get(str(v), str(v)) for v in value)
    text = str(value)
    if spec is not None and spec.type is FieldType.DATE:
        return long_date(text, language)
    if text in names:
        return names[text]
    if spec is not None and spec.type is FieldType.CHOICE:
        return choice_label(spec, text).in_language(language)
    return text


def summary(request: Request, user: User, kind: str, fields: dict[str, Any],
            names: dict[str, str] | None = None) -> list[tuple[str, str, str]]:
    """(field, label, value) for every field shown to people, in the spec's order."""
    language = request_language(request)
    names = names if names is not None else _names(request, user)
    return [(spec.name, spec.label.in_language(language), show_value(spec, fields.get(spec.name), names, language))
            for spec in RECORD_KINDS[kind].fields if spec.name not in HIDDEN_FIELDS]


def kind_label_of(kind: str, language: str) -> str:
    return RECORD_KINDS[kind].label.in_language(language)


def _spec(kind: str, name: str) -> FieldSpec | None:
    return next((f for f in RECORD_KINDS[kind].fields if f.name == name), None)


@router.get("/wpisy/{record_id}")
def record_page(request: Request, record_id: UUID, user: PageUser) -> Response:
    uc = get_container(request).use_cases
    view = uc.records.view(user, record_id)
    language = request_language(request)
    names = _names(request, user)
    record = view.record
    history, fields = [], {}
    for v in view.history:
        changes = []
        for name, value in v.changes.items():
            spec = _spec(record.kind, name)
            if v.event_type == "corrected" and spec is not None and name not in HIDDEN_FIELDS:
                changes.append((spec.label.in_language(language), show_value(spec, fields.get(name), names, language),
                                show_value(spec, value, names, language)))
        fields.update(v.changes)
        history.append({"version": v.version, "event_type": v.event_type, "recorded_at": v.recorded_at,
                        "who": uc.users.display_name(user, v.actor_user_id), "reason": v.reason, "changes": changes})
    title = str(record.fields.get(RECORD_KINDS[record.kind].title_field) or kind_label_of(record.kind, language))
    return render(request, "record.html", user, record=record, summary=summary(request, user, record.kind, record.fields, names),
                  history=history, saved=bool(request.query_params.get("zapisano")),
                  corrected=bool(request.query_params.get("poprawiono")),
                  kind_label=kind_label_of(record.kind, language), title=title,
                  may_change=uc.records.may_change(user, record))


# ---------------------------------------------------------------------------------------------- correcting
def _correction_form(request: Request, user: User, record, values: dict[str, Any], errors: dict[str, Any], *,
                     status_code: int = 200, conflict: list | None = None) -> Response:
    language = request_language(request)
    erased = {i: say(n, language) for i, n in get_container(request).use_cases.people.names(user).items()
              if n is ERASED_PERSON}
    widget_list = widgets(record.kind, choices(request, user), language, current=record.fields, erased=erased)
    shown = {error_key(k): say(v, language) for k, v in errors.items()}
    return render(request, "record_correct.html", user, status_code=status_code, record=record, widgets=widget_list,
                  values=values, errors=shown, conflict=conflict or [],
                  field_ids={**{error_key(k): input_id(widget_list, k) for k in errors}, "reason": "reason"},
                  kind_label=kind_label_of(record.kind, language))


@router.get("/wpisy/{record_id}/korekta")
def correction_form(request: Request, record_id: UUID, user: PageUser) -> Response:
    record = get_container(request).use_cases.records.visible(user, record_id)
    values = {**values_from_fields(record.kind, record.fields), "expected_version": str(record.version)}
    return _correction_form(request, user, record, values, {})


def _reason(form: dict[str, Any]) -> str:
    return str(form.get("reason", "") or "").strip()


def _expected_version(form: dict[str, Any]) -> int:
    try:
        return int(str(form.get("expected_version", "")))
    except ValueError:
        return 0


@router.post("/wpisy/{record_id}/korekta")
def correct(request: Request, record_id: UUID, user: PageUser, form: dict = Depends(verified_form)) -> Response:
    uc = get_container(request).use_cases
    record = uc.records.visible(user, record_id)
    values = _form_values(form)
    language = request_language(request)
    try:
        fields = keep_unpickable(record.kind, read_fields(record.kind, form), record.fields, choices(request, user))
        changes = changed_fields(record.kind, fields, record.fields)
        uc.records.correct(user, record.id, expected_version=_expected_version(form), reason=_reason(form),
                           changes=changes)
    except FormErrors as error:
        return _correction_form(request, user, record, values, error.errors, status_code=400)
    except VersionConflict as error:
        newer = [v for v in uc.records.view(user, record.id).history if v.version > _expected_version(form)]
        names = _names(request, user)
        conflict = [{"who": uc.users.display_name(user, v.actor_user_id), "when": v.recorded_at,
                     "event_type": v.event_type, "reason": v.reason,
                     "changes": [(spec.label.in_language(language), show_value(spec, value, names, language))
                                 for name, value in v.changes.items()
                                 if (spec := _spec(record.kind, name)) is not None and name not in HIDDEN_FIELDS]}
                    for v in newer]
        fresh = uc.records.visible(user, record.id)
        return _correction_form(request, user, fresh, {**values, "expected_version": str(fresh.version)},
                                {"form": error.text}, status_code=409, conflict=conflict)
    except DomainError as error:
        field = "reason" if error.field == "reason" else (error.field or "form")
        return _correction_form(request, user, record, values, {field: error.text}, status_code=400)
    return see_other(f"/wpisy/{record.id}?poprawiono=1")


@router.get("/wpisy/{record_id}/wycofanie")
def retraction_form(request: Request, record_id: UUID, user: PageUser) -> Response:
    record = get_container(request).use_cases.records.visible(user, record_id)
    return render(request, "record_retract.html", user, record=record, values={"expected_version": str(record.version)},
                  errors={}, field_ids={"reason": "reason", "form": "reason"},
                  kind_label=kind_label_of(record.kind, request_language(request)))


@router.post("/wpisy/{record_id}/wycofanie")
def retract(request: Request, record_id: UUID, user: PageUser, form: dict = Depends(verified_form)) -> Response:
    uc = get_container(request).use_cases
    record = uc.records.visible(user, record_id)
    try:
        uc.records.retract(user, record.id, expected_version=_expected_version(form), reason=_reason(form))
    except DomainError as error:
        language = request_language(request)
        return render(request, "record_retract.html", user, status_code=409 if isinstance(error, VersionConflict)
                      else 400, record=record, values=_form_values(form),
                      errors={"reason" if error.field in ("reason", None) else "form": say(error.text, language)},
                      field_ids={"reason": "reason", "form": "reason"}, kind_label=kind_label_of(record.kind, language))
    return see_other(f"/wpisy/{record.id}?poprawiono=1")


# ---------------------------------------------------------------------------------------------- the register
def _filters(request: Request) -> dict[str, Any]:
    """The register's filters from the query string; a value that is not one is ignored, and said so."""
    query = request.query_params
    filters: dict[str, Any] = {}
    if query.get("kind") in RECORD_KINDS:
        filters["kind"] = query["kind"]
    if (query.get("year") or "").isdigit() and 2000 <= int(query["year"]) <= 2100:
        filters["year"] = int(query["year"])
    for name, key in (("institution", "institution_id"), ("firm", "firm_id")):
        try:
            filters[key] = UUID(query[name]) if query.get(name) else None
        except ValueError:
            pass
    if query.get("text"):
        filters["text"] = query["text"][:200]
    return {k: v for k, v in filters.items() if v is not None}


@router.get("/wpisy")
def register(request: Request, user: PageUser) -> Response:
    uc = get_container(request).use_cases
    language = request_language(request)
    filters = _filters(request)
    cursor = request.query_params.get("cursor") or None
    rows, next_cursor = uc.records.register(user, cursor=cursor, limit=50, **filters)
    query = {k: request.query_params[k] for k in ("kind", "year", "institution", "firm", "text")
             if request.query_params.get(k)}
    c = choices(request, user)
    return render(request, "records.html", user, records=rows, query=query,
                  next_url=f"/wpisy?{urlencode({**query, 'cursor': next_cursor})}" if next_cursor else None,
                  kinds=[(k, kind_label_of(k, language)) for k in RECORD_KINDS],
                  institutions=c.institutions, firms=c.firms, own_only=scoped_to_institution(user),
                  kind_labels={k: kind_label_of(k, language) for k in RECORD_KINDS})


@router.get("/wpisy.csv")
def register_csv(request: Request) -> Response:
    """The register's CSV moved to /wpisy/pobierz/csv (api/pages/exports.py); old links and bookmarks follow it."""
    query = f"?{request.url.query}" if request.url.query else ""
    return RedirectResponse(f"/wpisy/pobierz/csv{query}", status_code=308)
