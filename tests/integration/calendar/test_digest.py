"""The daily digest (`splot digest send`) against a local SMTP sink (aiosmtpd): each staff member of the
institution that owns a meeting's follow-ups gets one message listing what is overdue and due tomorrow (not
what is due later); a user of another institution gets nothing; with no SMTP server configured the command
says so, exits 1 and sends nothing; the institution's iCalendar feed shows the same follow-ups as all-day events."""

from __future__ import annotations

import socket
from datetime import timedelta
from email import message_from_bytes, policy

import icalendar
import pytest
from aiosmtpd.controller import Controller
from typer.testing import CliRunner

from domain.application import DEFAULT_NETWORK_ID
from domain.values import Actor, warsaw_today
from infra.cli import app as cli
from infra.container import build_container, bootstrap
from infra.exports.ical import render_feed
from tests.support.world import build_world

TODAY = warsaw_today()


class Sink:
    def __init__(self) -> None:
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's handler hook
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content, policy=policy.default)))
        return "250 OK"


@pytest.fixture
def sink():
    handler = Sink()
    with socket.socket() as probe:  # a free port (the controller checks it is up by connecting to it)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler, port
    controller.stop()


@pytest.fixture
def store(sqlite_settings):
    container = build_container(sqlite_settings)
    bootstrap(container)
    world = build_world(container, DEFAULT_NETWORK_ID)
    follow_ups = [{"action": "Wysłać notatkę uczestnikom", "due_on": TODAY + timedelta(days=1), "institution_id": None},
                  {"action": "Zebrać ankiety", "due_on": TODAY - timedelta(days=3), "institution_id": None},
                  {"action": "Przygotować raport roczny", "due_on": TODAY + timedelta(days=10), "institution_id": None},
                  {"action": "Oddać salę", "due_on": TODAY + timedelta(days=1), "institution_id": world.citt}]
    container.app.records.record("meeting", {
        "network_id": DEFAULT_NETWORK_ID, "occurred_on": TODAY - timedelta(days=5), "title": "Spotkanie sieci",
        "kind": "network_meeting", "organiser_id": world.riph, "institution_ids": [world.citt], "firm_ids": [],
        "follow_ups": follow_ups}, Actor(user_id="setup"))
    container.runner.catch_up()
    yield container, world
    container.close()


def _env(settings, **extra):
    return {"SPLOT_DATA_DIR": str(settings.data_dir), **extra}


def test_the_digest_goes_to_the_owners_staff_with_what_is_overdue_and_due_tomorrow(store, sink, sqlite_settings):
    container, world = store
    handler, port = sink
    result = CliRunner().invoke(cli, ["digest", "send", "--date", TODAY.isoformat()], env=_env(
        sqlite_settings, SPLOT_SMTP_HOST="127.0.0.1", SPLOT_SMTP_PORT=str(port), SPLOT_SMTP_FROM="splot@leszno.pl",
        SPLOT_PUBLIC_URL="https://splot.leszno.pl"))
    assert result.exit_code == 0, result.output
    by_recipient = {tuple(rcpt): message for rcpt, message in handler.messages}
    # RIPH owns the meeting: its staff and lead; CITT's staff member is responsible for one follow-up.
    assert set(by_recipient) == {("staff@example.org",), ("lead@example.org",), ("other@example.org",)}
    riph = by_recipient[("staff@example.org",)].get_content()
    assert "Wysłać notatkę uczestnikom" in riph and "Zebrać ankiety" in riph
    assert "Przygotować raport roczny" not in riph and "Oddać salę" not in riph
    assert riph.index("Po terminie") < riph.index("Zebrać ankiety") < riph.index("Na jutro") < riph.index("Wysłać")
    assert "https://splot.leszno.pl/wpisy/" in riph
    citt = by_recipient[("other@example.org",)].get_content()
    assert "Oddać salę" in citt and "Wysłać notatkę" not in citt
    assert by_recipient[("staff@example.org",)]["From"] == "splot@leszno.pl"
    assert "Wysłano 3" in result.output


def test_without_an_smtp_server_the_command_says_so_and_sends_nothing(store, sink, sqlite_settings):
    handler, _ = sink
    result = CliRunner().invoke(cli, ["digest", "send"], env=_env(sqlite_settings))
    assert result.exit_code == 1 and "SPLOT_SMTP_HOST" in result.output
    assert handler.messages == []
    bad = CliRunner().invoke(cli, ["digest", "send", "--date", "0"], env=_env(sqlite_settings))
    assert bad.exit_code != 0 and handler.messages == []


def test_the_institutions_feed_shows_its_follow_ups_as_all_day_events(store):
    container, world = store
    calendar = container.use_cases.calendar
    staff = container.users.get_by_email("staff@example.org")
    feed = calendar.institution_feed(calendar.issue_feed_token(staff), world.riph)
    parsed = icalendar.Calendar.from_ical(render_feed(feed.name, feed.events, feed.follow_ups,
                                                      base_url="https://testserver"))
    due = {str(e["SUMMARY"]): e for e in parsed.walk("VEVENT")}
    assert len(due) == 3  # RIPH's three; CITT is responsible for the fourth
    tomorrow = next(e for s, e in due.items() if "Wysłać notatkę" in s)
    assert tomorrow["DTSTART"].dt == TODAY + timedelta(days=1) and str(tomorrow["TRANSP"]) == "TRANSPARENT"
    assert tomorrow["DTSTART"].params.get("VALUE") == "DATE"
