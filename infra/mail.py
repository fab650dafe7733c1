"""The daily digest e-mail of follow-ups due (issue 14): composed with the standard library's
`email.message`, sent through the configured SMTP server with `smtplib` (off unless SPLOT_SMTP_HOST is set:
infra/settings.py). `splot digest send` (infra/cli/digest.py) calls `send_digests` once a day from cron.

Each recipient gets what `uc.reminders.due(user, on=day)` gives them — as that user sees it — in Polish
first, then English; nobody with nothing due gets a message.
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from datetime import date
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any, Iterable

from domain.policy import User
from domain.use_cases.reminders import DueFollowUps
from infra.settings import SmtpSettings

_MONTHS = ("stycznia", "lutego", "marca", "kwietnia", "maja", "czerwca", "lipca", "sierpnia", "września",
           "października", "listopada", "grudnia")


def _pl(day: date) -> str:
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def _lines(items: list[dict[str, Any]], public_url: str) -> list[str]:
    lines = []
    for item in items:
        link = f" — {public_url}/wpisy/{item['record_id']}" if public_url else ""
        lines.append(f"  • {_pl(item['due_on'])} ({item['due_on'].isoformat()}): {item['action']} "
                     f"[{item['title']}]{link}")
    return lines


def digest_message(user: User, due: DueFollowUps, *, sender: str, public_url: str = "") -> EmailMessage:
    """One recipient's digest as an e-mail (plain text, UTF-8)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = user.email
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1])
    counts = len(due.overdue) + len(due.today) + len(due.tomorrow)
    message["Subject"] = f"Splot: terminy działań na {_pl(due.on)} ({counts}) / Follow-ups due"
    body = ["Dzień dobry,", "", f"oto działania Twojej instytucji z terminem wokół {_pl(due.on)}.", ""]
    for title, items in (("Po terminie", due.overdue), ("Na dziś", due.today), ("Na jutro", due.tomorrow)):
        if items:
            body += [f"{title}:", *_lines(items, public_url), ""]
    body += ["— Splot", "", "In English: the follow-ups your institution owes — "
             f"{len(due.overdue)} overdue, {len(due.today)} due today, {len(due.tomorrow)} due tomorrow "
             f"({due.on.isoformat()}), listed above."]
    message.set_content("\n".join(body))
    return message


@dataclass(frozen=True)
class DigestRun:
    sent: int
    skipped: int  # recipients with nothing due


def send_digests(smtp: SmtpSettings, recipients: Iterable[tuple[User, DueFollowUps]], *,
                 public_url: str = "", timeout: float = 30.0) -> DigestRun:
    """Sends each recipient with something due their digest, over one SMTP connection."""
    pairs = list(recipients)
    messages = [digest_message(user, due, sender=smtp.sender, public_url=public_url)
                for user, due in pairs if not due.empty]
    if not messages:
        return DigestRun(0, len(pairs))
    with smtplib.SMTP(smtp.host, smtp.port, timeout=timeout) as server:
        if smtp.starttls:
            server.starttls()
        if smtp.user:
            server.login(smtp.user, smtp.password or "")
        for message in messages:
            server.send_message(message)
    return DigestRun(len(messages), len(pairs) - len(messages))
