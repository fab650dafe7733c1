"""The joint events calendar's pages (issue 14): `/kalendarz` (a month or the coming weeks, filtered by
network and kind), publishing, editing, moving and cancelling an event, an event's page with "record
attendance" (which makes it a meeting record), and the user's secret feed addresses (`/kalendarz/kanaly`).

The iCalendar feeds themselves (`/kalendarz/ical/<token>/...ics`) need no session — calendar apps fetch
them — and are answered from the token alone (uc.calendar.network_feed / institution_feed).
Each route parses, calls one use case of `uc.calendar` and renders.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from api.deps import get_container
from api.pages.i18n import request_language
from api.pages.record_forms import FormErrors, read_date
from api.pages.web import PageUser, field_errors, render, say, see_other, verified_form
from domain.errors import DomainError, NotFound, bilingual
from domain.use_cases.calendar import EVENT_KIND_LABELS, EventKind, MeetingKind
from domain.record_kinds import CHOICE_LABELS
from domain.values import warsaw_today
from infra.exports.ical import render_feed

router = APIRouter()

BASE = "/kalendarz"
_TIME = re.compile(r"([01]?[0-9]|2[0-3])[:.]([0-5][0-9])", re.ASCII)
_MONTH = re.compile(r"(20[0-9]{2})-(0[1-9]|1[0-2])", re.ASCII)
FIELD_IDS = {"title": "title", "kind": "kind-0", "starts_at": "starts_on-day", "starts_on": "starts_on-day",
             "starts_time": "starts_time", "ends_at": "ends_on-day", "ends_on": "ends_on-day", "ends_time": "ends_time",
             "all_day": "all_day", "place": "place", "online_url": "online_url", "invited_ids": "invited_ids-0",
             "description": "description", "network_id": "network_id", "organiser_id": "organiser_id",
             "reason": "reason", "institution_ids": "institution_ids-0", "firm_ids": "firm_ids",
             "meeting_kind": "meeting_kind", "minutes": "minutes", "form": "title", "event_id": "title",
             "changes": "title", "organiser": "organiser_id"}
DATE_LABELS = {"starts_on": bilingual("Data rozpoczęcia", "Start date"),
               "ends_on": bilingual("Data zakończenia", "End date")}


def _uc(request: Request):
    return get_container(request).use_cases.calendar


def _uuid(text: Any) -> UUID | None:
    try:
        return UUID(str(text)) if text else None
    except ValueError:
        return None


def _list(form: dict[str, Any], name: str) -> list[str]:
    value = form.get(name)
    return [v for v in (value if isinstance(value, list) else [value]) if v] if value else []


def _error_key(field: str | None) -> str:
    """A domain error's field as the form names it (`invited_ids[2]` is the invited checkboxes)."""
    return (field or "form").split("[", 1)[0]


def _read_time(form: dict[str, Any], name: str, label_pl: str, label_en: str) -> time:
    text = str(form.get(name) or "").strip()
    match = _TIME.fullmatch(text)
    if not match:
        raise FormErrors({name: bilingual(f"{label_pl}: podaj godzinę, np. 10:00.", f"{label_en}: enter a time, e.g. 10:00.")})
    return time(int(match.group(1)), int(match.group(2)))


def _read_when(form: dict[str, Any]) -> dict[str, Any]:
    """starts_at, ends_at and all_day from the form's date boxes, times and the all-day box."""
    errors: dict[str, Any] = {}
    all_day = form.get("all_day") == "yes"
    days: dict[str, date | None] = {}
    for prefix in ("starts_on", "ends_on"):
        try:
            days[prefix] = read_date(form, prefix, DATE_LABELS[prefix], required=prefix == "starts_on")
        except FormErrors as error:
            errors.update(error.errors)
    times: dict[str, time] = {}
    if not all_day:
        for name, pl, en in (("starts_time", "Godzina rozpoczęcia", "Start time"),
                             ("ends_time", "Godzina zakończenia", "End time")):
            try:
                times[name] = _read_time(form, name, pl, en)
            except FormErrors as error:
                errors.update(error.errors)
    if errors:
        raise FormErrors(errors)
    start, end = days["starts_on"], days["ends_on"] or days["starts_on"]
    return {"starts_at": datetime.combine(start, times.get("starts_time", time.min)),
            "ends_at": datetime.combine(end, times.get("ends_time", time.min)), "all_day": all_day}


def _details(form: dict[str, Any]) -> dict[str, Any]:
    return {"title": str(form.get("title") or ""), "kind": str(form.get("kind") or ""),
            "place": str(form.get("place") or ""), "online_url": str(form.get("online_url") or ""),
            "invited_ids": [_uuid(v) or v for v in _list(form, "invited_ids")],
            "description": str(form.get("description") or "")}


def _values_of(row: dict[str, Any]) -> dict[str, Any]:
    """An event's row as the form's values (to edit or move it)."""
    starts, ends = datetime.fromisoformat(row["starts_at"]), datetime.fromisoformat(row["ends_at"])
    values = {k: row[k] for k in ("title", "kind", "place", "online_url", "description")}
    values.update({"invited_ids": row["invited_ids"], "all_day": "yes" if row["all_day"] else "",
                   "network_id": row["network_id"], "organiser_id": row["organiser_id"]})
    for prefix, moment in (("starts_on", starts), ("ends_on", ends)):
        values.update({f"{prefix}-day": str(moment.day), f"{prefix}-month": str(moment.month),
                       f"{prefix}-year": str(moment.year)})
    if not row["all_day"]:
        values.update(starts_time=starts.strftime("%H:%M"), ends_time=ends.strftime("%H:%M"))
    return values


def _kinds(language: str) -> list[tuple[str, str]]:
    return [(k.value, EVENT_KIND_LABELS[k].in_language(language)) for k in EventKind]


def _form(request: Request, user, template: str, *, values: dict, errors: dict | None = None, status_code: int = 200,
          **context: Any) -> Response:
    language = request_language(request)
    return render(request, template, user, status_code=status_code, values=values, errors=errors or {},
                  field_ids=FIELD_IDS, kinds=_kinds(language), choices=_uc(request).choices(user), **context)


def _say_errors(errors: dict[str, Any], language: str) -> dict[str, str]:
    return {k: say(v, language) for k, v in errors.items()}


# ---------------------------------------------------------------------------------------------- the calendar
def _month(text: str) -> date:
    match = _MONTH.fullmatch(text.strip())
    return date(int(match.group(1)), int(match.group(2)), 1) if match else warsaw_today().replace(day=1)


@router.get(BASE)
def calendar(request: Request, user: PageUser, siec: str = "", rodzaj: str = "", miesiac: str = "",
             widok: str = "") -> Response:
    language = request_language(request)
    agenda = widok != "miesiac"
    month = _month(miesiac)
    today = warsaw_today()
    first, last = (today, today + timedelta(days=92)) if agenda else \
        (month, (month + timedelta(days=32)).replace(day=1))
    network_id = _uuid(siec)
    kind = rodzaj if rodzaj in {k.value for k in EventKind} else None
    uc = _uc(request)
    try:
        events = uc.events(user, network_id=network_id, kind=kind, starts_from=first, starts_before=last)
    except DomainError as error:
        if error.code == "forbidden":
            raise
        events = []
    days: dict[str, list[dict[str, Any]]] = {}
    for row in events:
        days.setdefault(max(row["starts_at"][:10], first.isoformat()), []).append(row)
    previous = (month - timedelta(days=1)).replace(day=1)
    following = (month + timedelta(days=32)).replace(day=1)
    return render(request, "calendar_list.html", user, days=sorted(days.items()), names=uc.names(user),
                  choices=uc.choices(user), kinds=_kinds(language), kind_labels=EVENT_KIND_LABELS, agenda=agenda,
                  month=month, first=first, last=last - timedelta(days=1), siec=str(network_id or ""),
                  rodzaj=kind or "", previous=previous.strftime("%Y-%m"), following=following.strftime("%Y-%m"),
                  count=len(events))


# ---------------------------------------------------------------------------------------------- publishing
@router.get(BASE + "/nowe")
def publish_form(request: Request, user: PageUser) -> Response:
    _uc(request).may_publish(user)
    return _form(request, user, "calendar_form.html", values={}, action=BASE + "/nowe", editing=False)


@router.post(BASE + "/nowe")
def publish(request: Request, user: PageUser, form: dict = Depends(verified_form)) -> Response:
    language = request_language(request)
    uc = _uc(request)
    values = {k: v for k, v in form.items() if k != "csrf_token"}
    try:
        when = _read_when(form)
        saved = uc.publish(user, network_id=_uuid(form.get("network_id")),
                           organiser_id=_uuid(form.get("organiser_id")) or form.get("organiser_id"),
                           **when, **_details(form))
    except FormErrors as error:
        return _form(request, user, "calendar_form.html", values=values, errors=_say_errors(error.errors, language),
                     status_code=400, action=BASE + "/nowe", editing=False)
    except DomainError as error:
        if error.code == "forbidden" and error.field is None:
            raise
        return _form(request, user, "calendar_form.html", values=values, status_code=400, action=BASE + "/nowe",
                     editing=False, errors={_error_key(error.field): say(error.text, language)})
    return see_other(f"{BASE}/wydarzenia/{saved.id}?opublikowano=1")


# ---------------------------------------------------------------------------------------------- one event
def _event_url(event_id: UUID) -> str:
    return f"{BASE}/wydarzenia/{event_id}"


@router.get(BASE + "/wydarzenia/{event_id}")
def event_page(request: Request, event_id: UUID, user: PageUser, opublikowano: str = "", zmieniono: str = "",
               obecnosc: str = "") -> Response:
    view = _uc(request).view(user, event_id)
    banner = ("published" if opublikowano else "changed" if zmieniono else "attendance" if obecnosc else None)
    return render(request, "calendar_event.html", user, view=view, event=view["event"], names=view["names"],
                  kind_labels=EVENT_KIND_LABELS, banner=banner)


def _changeable(request: Request, user, event_id: UUID) -> dict[str, Any]:
    uc = _uc(request)
    row = uc.event(user, event_id)
    if not uc.may_change(user, row):
        raise NotFound(bilingual("Tego wydarzenia nie możesz już zmienić.", "You cannot change this event."),
                       field="event_id")
    return row


@router.get(BASE + "/wydarzenia/{event_id}/edycja")
def edit_form(request: Request, event_id: UUID, user: PageUser) -> Response:
    row = _changeable(request, user, event_id)
    return _form(request, user, "calendar_form.html", values=_values_of(row), event=row, editing=True,
                 action=_event_url(event_id) + "/edycja")


@router.post(BASE + "/wydarzenia/{event_id}/edycja")
def edit(request: Request, event_id: UUID, user: PageUser, form: dict = Depends(verified_form)) -> Response:
    language = request_language(request)
    row = _changeable(request, user, event_id)
    values = {**_values_of(row), **{k: v for k, v in form.items() if k != "csrf_token"}}
    if "invited_ids" not in form:
        values["invited_ids"] = []
    try:
        _uc(request).edit(user, event_id, expected_version=_version(form), changes=_details(form))
    except DomainError as error:
        if error.code == "forbidden" and error.field is None:
            raise
        return _form(request, user, "calendar_form.html", values=values, event=row, editing=True, status_code=400,
                     action=_event_url(event_id) + "/edycja", errors={_error_key(error.field): say(error.text, language)})
    return see_other(_event_url(event_id) + "?zmieniono=1")


def _version(form: dict[str, Any]) -> int:
    text = str(form.get("version") or "")
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else -1


@router.get(BASE + "/wydarzenia/{event_id}/termin")
def move_form(request: Request, event_id: UUID, user: PageUser) -> Response:
    row = _changeable(request, user, event_id)
    return _form(request, user, "calendar_move.html", values=_values_of(row), event=row)


@router.post(BASE + "/wydarzenia/{event_id}/termin")
def move(request: Request, event_id: UUID, user: PageUser, form: dict = Depends(verified_form)) -> Response:
    language = request_language(request)
    row = _changeable(request, user, event_id)
    values = {k: v for k, v in form.items() if k != "csrf_token"}
    try:
        _uc(request).move(user, event_id, expected_version=_version(form), **_read_when(form))
    except FormErrors as error:
        return _form(request, user, "calendar_move.html", values=values, event=row, status_code=400,
                     errors=_say_errors(error.errors, language))
    except DomainError as error:
        if error.code == "forbidden" and error.field is None:
            raise
        return _form(request, user, "calendar_move.html", values=values, event=row, status_code=400,
                     errors={_error_key(error.field): say(error.text, language)})
    return see_other(_event_url(event_id) + "?zmieniono=1")


@router.get(BASE + "/wydarzenia/{event_id}/odwolanie")
def cancel_form(request: Request, event_id: UUID, user: PageUser) -> Response:
    row = _changeable(request, user, event_id)
    return render(request, "calendar_cancel.html", user, event=row, values={}, errors={}, field_ids=FIELD_IDS)


@router.post(BASE + "/wydarzenia/{event_id}/odwolanie")
def cancel(request: Request, event_id: UUID, user: PageUser, form: dict = Depends(verified_form)) -> Response:
    row = _changeable(request, user, event_id)
    reason = str(form.get("reason") or "")
    try:
        _uc(request).cancel(user, event_id, expected_version=_version(form), reason=reason)
    except DomainError as error:
        if error.code == "forbidden" and error.field is None:
            raise
        return render(request, "calendar_cancel.html", user, event=row, values={"reason": reason}, status_code=400,
                      errors={_error_key(error.field): say(error.text, request_language(request))},
                      field_ids=FIELD_IDS)
    return see_other(_event_url(event_id) + "?zmieniono=1")


def _attendance_form(request: Request, user, row: dict, *, values: dict, errors: dict | None = None,
                     status_code: int = 200) -> Response:
    language = request_language(request)
    meeting_kinds = [(k.value, CHOICE_LABELS[MeetingKind][k].in_language(language)) for k in MeetingKind]
    return render(request, "calendar_attendance.html", user, status_code=status_code, event=row, values=values,
                  errors=errors or {}, field_ids=FIELD_IDS, choices=_uc(request).choices(user),
                  meeting_kinds=meeting_kinds)


def _attendable(request: Request, user, event_id: UUID) -> dict[str, Any]:
    uc = _uc(request)
    row = uc.event(user, event_id)
    if not uc.may_record_attendance(user, row):
        raise NotFound(bilingual("Obecności na tym wydarzeniu nie możesz zapisać.",
                                 "You cannot record this event's attendance."), field="event_id")
    return row


@router.get(BASE + "/wydarzenia/{event_id}/obecnosc")
def attendance_form(request: Request, event_id: UUID, user: PageUser) -> Response:
    row = _attendable(request, user, event_id)
    return _attendance_form(request, user, row, values={"institution_ids": [row["organiser_id"], *row["invited_ids"]],
                                                        "meeting_kind": _uc(request).meeting_kind_of(row)})


@router.post(BASE + "/wydarzenia/{event_id}/obecnosc")
def record_attendance(request: Request, event_id: UUID, user: PageUser, form: dict = Depends(verified_form)) -> Response:
    row = _attendable(request, user, event_id)
    values = {"institution_ids": _list(form, "institution_ids"), "firm_ids": _list(form, "firm_ids"),
              "meeting_kind": str(form.get("meeting_kind") or ""), "minutes": str(form.get("minutes") or "")}
    try:
        _uc(request).record_attendance(
            user, event_id, institution_ids=[_uuid(v) or v for v in values["institution_ids"]],
            firm_ids=[_uuid(v) or v for v in values["firm_ids"]], meeting_kind=values["meeting_kind"] or None,
            minutes=values["minutes"])
    except DomainError as error:
        if error.code == "forbidden" and error.field is None:
            raise
        return _attendance_form(request, user, row, values=values, status_code=400,
                                errors={_error_key(error.field): say(error.text, request_language(request))})
    return see_other(_event_url(event_id) + "?obecnosc=1")


# ---------------------------------------------------------------------------------------------- feeds
def _feed_urls(request: Request, user, token: str | None) -> dict[str, Any]:
    base = str(request.base_url).rstrip("/")
    choices = _uc(request).choices(user)
    if token is None:
        return {"networks": [], "institutions": []}
    institutions = [r for r in choices["institutions"]
                    if user.institution_id is None or r["id"] == str(user.institution_id)]
    return {"networks": [(n["name"], f"{base}{BASE}/ical/{token}/siec/{n['id']}.ics") for n in choices["networks"]],
            "institutions": [(r["short_name"], f"{base}{BASE}/ical/{token}/instytucja/{r['id']}.ics")
                             for r in institutions]}


@router.get(BASE + "/kanaly")
def feeds(request: Request, user: PageUser, uniewazniono: str = "") -> Response:
    issued_at = _uc(request).feed_token_issued_at(user)
    return render(request, "calendar_feeds.html", user, issued_at=issued_at, urls=None, revoked=bool(uniewazniono))


@router.post(BASE + "/kanaly")
def issue_feed(request: Request, user: PageUser, form: dict = Depends(verified_form)) -> Response:
    """A new secret address, shown once on the page that answers the POST (never in a URL one could bookmark)."""
    uc = _uc(request)
    token = uc.issue_feed_token(user)
    return render(request, "calendar_feeds.html", user, issued_at=uc.feed_token_issued_at(user),
                  urls=_feed_urls(request, user, token), revoked=False)


@router.post(BASE + "/kanaly/uniewaznienie")
def revoke_feed(request: Request, user: PageUser, form: dict = Depends(verified_form)) -> Response:
    _uc(request).revoke_feed_token(user)
    return see_other(BASE + "/kanaly?uniewazniono=1")


def _ics(request: Request, feed) -> Response:
    body = render_feed(feed.name, feed.events, feed.follow_ups, base_url=str(request.base_url),
                       organisers=feed.organisers)
    return Response(body, media_type="text/calendar; charset=utf-8",
                    headers={"Cache-Control": "private, no-store", "Content-Disposition": 'inline; filename="kalendarz.ics"',
                             "Referrer-Policy": "no-referrer"})


@router.get(BASE + "/ical/{token}/siec/{network_id}.ics")
def network_feed(request: Request, token: str, network_id: UUID) -> Response:
    return _ics(request, _uc(request).network_feed(token, network_id))


@router.get(BASE + "/ical/{token}/instytucja/{institution_id}.ics")
def institution_feed(request: Request, token: str, institution_id: UUID) -> Response:
    return _ics(request, _uc(request).institution_feed(token, institution_id))
