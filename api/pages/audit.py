"""The audit trail for auditors and coordinators (`READ_AUDIT`): every stored event of the municipality,
filtered by who recorded it, institution, record, kind and recorded time, each entry with names (never ids
where a name exists), the event in words, old -> new values and the reason; the same trail as CSV and XLSX;
the hash chain's status (checked on demand) and a signed checkpoint to download.

Query: `user`, `institution`, `wpis` (a record's history: its page links here), `kind`, `from`, `to`
(dates, Europe/Warsaw; `to` inclusive), `internal=1` (show the store's bookkeeping), `cursor`.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from api.deps import get_container
from api.pages.i18n import date_time, long_date, request_language, translations
from api.pages.records import _names, show_value
from api.pages.web import PageUser, field_errors, render, see_other, verified_form
from domain.errors import DomainError, ValidationFailed, bilingual
from domain.labels import AUDIT_CSV_HEADER, event_label, field_label, strategy_value_words
from domain.policy import Action, User, authorize
from domain.record_kinds import RECORD_KINDS, FieldSpec
from domain.use_cases.audit import INTERNAL_KINDS, AuditFilter, Recorder
from domain.use_cases.sign_in import NO_ACCOUNT
from domain.values import WARSAW, check_query_day
from infra.exports.audit import describe_changes, entries_csv
from infra.exports.csv import write_csv
from infra.exports.xlsx import write_xlsx

router = APIRouter()

FILTERS = ("user", "institution", "wpis", "kind", "from", "to", "internal")
# Kinds of entries that are not records, as the page names them (English ids; Polish in audit.po).
AGGREGATE_KINDS = {"municipality": "Municipality", "network": "Network", "institution": "Institution",
                   "firm": "Firm", "strategy": "Strategy", "reporting_year": "Reporting year",
                   "unique_key": "Unique key (bookkeeping)",
                   "personal_data_act": "Personal data (GDPR)",  # erasures and exports (issue 12; privacy.po)
                   # security events (domain/security_log.py; security.po)
                   "sign_in": "Sign-in", "account_change": "User account", "api_token_change": "API token",
                   "calendar_event": "Calendar event"}  # the joint events calendar (issue 14; calendar.po)


# ---------------------------------------------------------------------------------------------- query
def _query(request: Request) -> dict[str, str]:
    return {k: request.query_params.get(k, "").strip() for k in FILTERS if request.query_params.get(k, "").strip()}


def _uuid(value: str | None, field: str) -> UUID | None:
    if not value:
        return None
    try:
        return UUID(value)
    except ValueError:
        raise ValidationFailed(bilingual("Wybierz pozycję z listy.", "Choose an entry from the list."),
                               field=field) from None


def _day(value: str | None, field: str) -> date | None:
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(bilingual("Podaj datę w postaci RRRR-MM-DD, np. 2013-03-05.",
                                         "Enter a date as YYYY-MM-DD, for example 2013-03-05."), field=field) from None
    return check_query_day(day, field=field)  # 0001-01-01 / 9999-12-31: refused, not a crash


def _filters(query: dict[str, str]) -> AuditFilter:
    """The query as a filter; `from`/`to` are whole days in Warsaw, `to` included."""
    start, end = _day(query.get("from"), "from"), _day(query.get("to"), "to")
    if start and end and end < start:
        raise ValidationFailed(bilingual("Data „do” nie może być wcześniejsza niż data „od”.",
                                         "The 'to' date cannot be before the 'from' date."), field="to")
    user = query.get("user") or None
    if user is not None:
        _uuid(user, "user")
    return AuditFilter(
        user=user, institution_id=_uuid(query.get("institution"), "institution"),
        record_id=_uuid(query.get("wpis"), "wpis"), kind=query.get("kind") or None,
        recorded_from=datetime.combine(start, time.min, tzinfo=WARSAW) if start else None,
        recorded_to=datetime.combine(end + timedelta(days=1), time.min, tzinfo=WARSAW) if end else None)


# ---------------------------------------------------------------------------------------------- naming
def kind_name(kind: str, language: str) -> str:
    if kind in RECORD_KINDS:
        return RECORD_KINDS[kind].label.in_language(language)
    return translations(language).gettext(AGGREGATE_KINDS.get(kind, kind))


def _spec(kind: str, field: str) -> FieldSpec | None:
    return next((f for f in RECORD_KINDS[kind].fields if f.name == field), None) if kind in RECORD_KINDS else None


def _value(kind: str, field: str, value: Any, names: dict[str, str], language: str) -> str:
    words = strategy_value_words(field, value) if kind not in RECORD_KINDS else None
    if words is not None:
        return words.in_language(language)
    if isinstance(value, dict):
        value = json.dumps(value, ensure_ascii=False)
    elif isinstance(value, list) and value and isinstance(value[0], dict) and "action" not in value[0]:
        value = json.dumps(value, ensure_ascii=False)
    return show_value(_spec(kind, field), value, names, language)


class Namer:
    """Names for the ids an entry carries: users by e-mail, institutions, firms and persons by name."""

    def __init__(self, names: dict[str, str], recorders: list[Recorder], language: str) -> None:
        self.names = {**{r.id: r.email for r in recorders}, **names}  # an account a security event names
        self.users = {r.id: r for r in recorders}
        self.language = language

    def user(self, user_id: str | None) -> str:
        if not user_id:
            return "—"
        if user_id == NO_ACCOUNT:  # a sign-in attempt that named no known account (domain/security_log.py)
            return translations(self.language).gettext("unknown account")
        found = self.users.get(user_id)
        return found.email if found else user_id  # an operator at a shell ("cli:jan") or the setup

    def institution(self, institution_id: str | None) -> str:
        return self.names.get(str(institution_id), str(institution_id)) if institution_id else ""

    def changes(self, row: dict[str, Any]) -> list[dict[str, str]]:
        return [{"field": c["field"], "label": field_label(c["field"]).in_language(self.language),
                 "old": _value(row["kind"], c["field"], c["old"], self.names, self.language),
                 "new": _value(row["kind"], c["field"], c["new"], self.names, self.language)}
                for c in row["changes"]]

    def entry(self, row: dict[str, Any]) -> dict[str, Any]:
        is_record = row["event_type"].startswith("Record.")
        return {**row, "who": self.user(row["user_id"]), "acting": self.institution(row["institution_id"]),
                "owner": self.institution(row["owner_institution_id"]),
                "what": event_label(row["event_type"]).in_language(self.language),
                "kind_name": kind_name(row["kind"], self.language),
                "subject": self.names.get(row["record_id"]) if not is_record else None,
                "record_url": f"/wpisy/{row['record_id']}" if is_record else None,
                "named_changes": self.changes(row)}

    def export_row(self, row: dict[str, Any]) -> dict[str, Any]:
        """The row as entries_csv reads it, with names in place of ids and values as people read them."""
        return {**row, "user_id": self.user(row["user_id"]), "institution_id": self.institution(row["institution_id"]),
                "owner_institution_id": self.institution(row["owner_institution_id"]),
                "kind": kind_name(row["kind"], self.language),
                "event_type": event_label(row["event_type"]).in_language(self.language),
                "changes": [{"field": c["field"], "old": c["old"], "new": c["new"]} for c in self.changes(row)]}


def _describe(query: dict[str, str], namer: Namer, language: str, now: datetime) -> str:
    """What a download holds and as of when: 'Ślad audytowy Splot; użytkownik: …; stan na …'."""
    en = language == "en"
    parts = ["Splot audit trail" if en else "Ślad audytowy Splot"]
    if query.get("user"):
        parts.append(("user: " if en else "użytkownik: ") + namer.user(query["user"]))
    if query.get("institution"):
        parts.append(("institution: " if en else "instytucja: ") + namer.institution(query["institution"]))
    if query.get("wpis"):
        parts.append(("record: " if en else "wpis: ") + query["wpis"])
    if query.get("kind"):
        parts.append(("kind: " if en else "rodzaj: ") + kind_name(query["kind"], language))
    if query.get("from") or query.get("to"):
        parts.append(("recorded " if en else "zarejestrowane ")
                     + (f"{'from' if en else 'od'} {long_date(query['from'], language)} " if query.get("from") else "")
                     + (f"{'to' if en else 'do'} {long_date(query['to'], language)}" if query.get("to") else "")
                     + (" (Warsaw time)" if en else " (czas warszawski)"))
    if query.get("internal"):
        parts.append("with internal bookkeeping" if en else "z wpisami technicznymi")
    parts.append(("as of " if en else "stan na ") + date_time(now, language))
    return "; ".join(parts)


# ---------------------------------------------------------------------------------------------- pages
@router.get("/audyt")
def trail(request: Request, user: PageUser) -> Response:
    authorize(user, Action.READ_AUDIT)
    language = request_language(request)
    uc = get_container(request).use_cases
    query = _query(request)
    errors: dict[str, str] = {}
    try:
        filters = _filters(query)
    except DomainError as error:  # the form again with its errors; a filter that matches nothing
        errors, filters = field_errors(error, language), AuditFilter(record_id=UUID(int=0))
    page = uc.audit.trail(user, filters, cursor=request.query_params.get("cursor") or None,
                          include_internal=bool(query.get("internal")))
    namer = Namer(page.places | _names(request, user), page.recorders, language)
    entries = [] if errors else [namer.entry(r) for r in page.entries]
    encoded = urlencode(query)
    kinds = [(k, kind_name(k, language)) for k in (*RECORD_KINDS, *AGGREGATE_KINDS)
             if k not in INTERNAL_KINDS or query.get("internal")]
    return render(request, "audit_trail.html", user, errors=errors,
                  field_ids={"user": "user", "institution": "institution", "from": "from", "to": "to",
                             "wpis": "wpis", "kind": "kind"},
                  query=query, entries=entries, page=page, kinds=kinds, namer=namer,
                  record_subject=namer.names.get(query.get("wpis", ""), None),
                  next_url=f"/audyt?{urlencode({**query, 'cursor': page.next_cursor})}" if page.next_cursor and not errors
                  else None, csv_url=f"/audyt.csv?{encoded}", xlsx_url=f"/audyt.xlsx?{encoded}",
                  without_record_url=f"/audyt?{urlencode({k: v for k, v in query.items() if k != 'wpis'})}",
                  chain_message=request.query_params.get("lancuch"))


def _export_rows(request: Request, user: User) -> tuple[list[dict[str, Any]], str, str]:
    language = request_language(request)
    uc = get_container(request).use_cases
    query = _query(request)
    export = uc.audit.export(user, _filters(query), include_internal=bool(query.get("internal")))
    namer = Namer(export.places | _names(request, user), export.recorders, language)
    now = datetime.now(WARSAW)
    return ([namer.export_row(r) for r in export.entries], _describe(query, namer, language, now),
            now.strftime("%Y%m%d-%H%M"))


@router.get("/audyt.csv")
def trail_csv(request: Request, user: PageUser) -> Response:
    authorize(user, Action.READ_AUDIT)
    rows, description, stamp = _export_rows(request, user)
    body = entries_csv(rows, language=request_language(request))
    first_line = write_csv([[description]])  # starts with the BOM itself
    return Response(first_line + body.removeprefix("\ufeff"), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="slad-audytowy-{stamp}.csv"'})


@router.get("/audyt.xlsx")
def trail_xlsx(request: Request, user: PageUser) -> Response:
    authorize(user, Action.READ_AUDIT)
    language = request_language(request)
    rows, description, stamp = _export_rows(request, user)
    body = write_xlsx(
        [h.in_language(language) for h in AUDIT_CSV_HEADER],
        ([r["position"], datetime.fromisoformat(r["recorded_at"]).replace(tzinfo=None), r["user_id"],
          r["institution_id"], r["owner_institution_id"], r["record_id"], r["version"], r["kind"],
          r["event_type"], r["reason"] or "", describe_changes(r["changes"], language=language),
          r.get("chain_hash") or ""] for r in rows),
        title=description, sheet_name="Ślad audytowy" if language != "en" else "Audit trail")
    return Response(body, media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="slad-audytowy-{stamp}.xlsx"'})


@router.post("/audyt/lancuch")
def check_chain(request: Request, user: PageUser, form: dict = Depends(verified_form)) -> Response:
    get_container(request).use_cases.audit.verify_chain(user)
    return see_other("/audyt?lancuch=sprawdzony#lancuch")


@router.post("/audyt/punkt-kontrolny")
def checkpoint(request: Request, user: PageUser, form: dict = Depends(verified_form)) -> Response:
    body = get_container(request).use_cases.audit.checkpoint(user)
    stamp = datetime.now(WARSAW).strftime("%Y%m%d-%H%M")
    return Response(body, media_type="application/json",
                    headers={"Content-Disposition": f'attachment; filename="punkt-kontrolny-{stamp}.json"'})
