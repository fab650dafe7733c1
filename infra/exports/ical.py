"""iCalendar (RFC 5545) feeds of the joint events calendar, written with the `icalendar` package.

One VCALENDAR per feed (a network's or an institution's), with the Europe/Warsaw VTIMEZONE (built by the
library from the zone database, so its daylight-saving rules are right for the years the feed spans) and:

- one VEVENT per calendar event: UID stable per event (`<event id>@splot`), DTSTAMP (when the event last
  changed), SEQUENCE (its revisions: a moved event keeps its UID with a higher SEQUENCE), DTSTART/DTEND with
  TZID=Europe/Warsaw (an all-day event: VALUE=DATE, its end the day after its last, as RFC 5545 says),
  SUMMARY, LOCATION (place, or the online link), DESCRIPTION, STATUS (CONFIRMED, or CANCELLED), URL (its page);
- one all-day VEVENT per follow-up due (institution feeds). Not a VTODO: the calendar apps people subscribe
  with (Google Calendar, Outlook) ignore VTODOs in a subscribed feed, and a reminder nobody sees is useless;
  TRANSP:TRANSPARENT keeps it from showing the day as busy, CATEGORIES names it a follow-up.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any

from icalendar import Calendar, Event, Timezone

from domain.values import WARSAW, stable_id

PRODID = "-//Splot//Kalendarz wydarzen//PL"


def _stamp(recorded: str) -> datetime:
    """A read model's recorded time ('2026-12-01T14:01:06.828125Z') as a UTC datetime."""
    return datetime.fromisoformat(recorded.replace("Z", "+00:00")).astimezone(timezone.utc).replace(microsecond=0)


def _event(row: dict[str, Any], base_url: str, organisers: dict[str, str]) -> Event:
    vevent = Event()
    vevent.add("uid", f"{row['id']}@splot")
    vevent.add("dtstamp", _stamp(row["updated_at"]))
    vevent.add("created", _stamp(row["published_at"]))
    vevent.add("last-modified", _stamp(row["updated_at"]))
    vevent.add("sequence", int(row["sequence"]))
    starts, ends = datetime.fromisoformat(row["starts_at"]), datetime.fromisoformat(row["ends_at"])
    if row["all_day"]:
        vevent.add("dtstart", starts.date())
        vevent.add("dtend", ends.date() + timedelta(days=1))
    else:
        vevent.add("dtstart", starts.replace(tzinfo=WARSAW))
        vevent.add("dtend", ends.replace(tzinfo=WARSAW))
    vevent.add("summary", row["title"])
    location = row["place"] or row["online_url"]
    if location:
        vevent.add("location", location)
    lines = [row["description"]] if row["description"] else []
    if row["online_url"]:
        lines.append(row["online_url"])
    if row["organiser_id"] in organisers:
        lines.append(f"Organizator / Organiser: {organisers[row['organiser_id']]}")
    if lines:
        vevent.add("description", "\n\n".join(lines))
    vevent.add("status", "CANCELLED" if row["status"] == "cancelled" else "CONFIRMED")
    vevent.add("categories", [row["kind"]])
    vevent.add("url", f"{base_url}/kalendarz/wydarzenia/{row['id']}")
    return vevent


def _follow_up(item: dict[str, Any], base_url: str, stamp: datetime) -> Event:
    vevent = Event()
    vevent.add("uid", f"{stable_id('follow-up', item['record_id'], str(item['index']))}@splot")
    vevent.add("dtstamp", stamp)
    vevent.add("sequence", int(item.get("record_version") or 1))
    vevent.add("dtstart", item["due_on"])
    vevent.add("dtend", item["due_on"] + timedelta(days=1))
    vevent.add("summary", f"Termin działania / Follow-up due: {item['action']}")
    vevent.add("description", f"{item['title']}\n{base_url}/wpisy/{item['record_id']}")
    vevent.add("status", "CONFIRMED")
    vevent.add("transp", "TRANSPARENT")
    vevent.add("categories", ["follow-up"])
    vevent.add("url", f"{base_url}/wpisy/{item['record_id']}")
    return vevent


def render_feed(name: str, events: list[dict[str, Any]], follow_ups: list[dict[str, Any]] = (), *,
                base_url: str, organisers: dict[str, str] | None = None,
                now: datetime | None = None) -> bytes:
    """The feed as bytes (text/calendar; charset=utf-8, CRLF lines folded at 75 octets by the library)."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Europe/Warsaw")
    now = (now or datetime.now(timezone.utc)).astimezone(timezone.utc).replace(microsecond=0)
    years = [now.year, *(int(r["starts_at"][:4]) for r in events), *(int(r["ends_at"][:4]) for r in events),
             *(i["due_on"].year for i in follow_ups)]
    # The zone's rules for the years the feed spans (the library's default, 1970-2038, lists 68 years of changes).
    calendar.add_component(Timezone.from_tzid("Europe/Warsaw", first_date=date(min(years) - 1, 1, 1),
                                              last_date=date(max(years) + 2, 1, 1)))
    base_url = base_url.rstrip("/")
    for row in events:
        calendar.add_component(_event(row, base_url, organisers or {}))
    for item in follow_ups:
        calendar.add_component(_follow_up(item, base_url, now))
    return calendar.to_ical()
