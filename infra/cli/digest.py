"""`splot digest send [--date YYYY-MM-DD]`: the daily e-mail of follow-ups due (tomorrow, today, overdue) to
every active user of an institution, through the SMTP server of SPLOT_SMTP_HOST (infra/mail.py). For cron,
once a day in the morning; with no server configured it says so and exits 1, sending nothing."""

from __future__ import annotations

from datetime import date

import typer

from domain.errors import DomainError
from domain.policy import Action, may
from domain.values import warsaw_today
from infra.cli.common import cli_container, err
from infra.mail import send_digests

digest_app = typer.Typer(help="Codzienne zestawienie terminów działań e-mailem (daily digest of follow-ups due).",
                         no_args_is_help=True, rich_markup_mode=None)


def _day(text: str | None) -> date:
    if text is None:
        return warsaw_today()
    try:
        if len(text) != 10:
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"--date: podaj datę RRRR-MM-DD (a date YYYY-MM-DD), got {text!r}") from None


@digest_app.command("send")
def send(day: str = typer.Option(None, "--date", help="Dzień zestawienia (the digest's day), YYYY-MM-DD; "
                                                      "today in Warsaw by default.")) -> None:
    """Wysyła zestawienie każdemu, kto ma coś do zrobienia (sends the digest to everyone with something due)."""
    on = _day(day)
    with cli_container() as container:
        smtp = container.settings.smtp
        if smtp is None:
            err.print("Błąd / Error: wysyłka e-maili jest wyłączona – ustaw SPLOT_SMTP_HOST i SPLOT_SMTP_FROM "
                      "(e-mail is off: set SPLOT_SMTP_HOST and SPLOT_SMTP_FROM).", highlight=False)
            raise typer.Exit(code=1)
        recipients = []
        for user in container.users.list():
            if not user.active or user.institution_id is None or not may(user, Action.READ_CALENDAR):
                continue
            try:
                recipients.append((user, container.use_cases.reminders.due(user, on=on)))
            except DomainError as error:  # a user outside every municipality's scope: skip, say who
                err.print(f"Pominięto / skipped {user.email}: {error.message}", highlight=False)
        run = send_digests(smtp, recipients, public_url=container.settings.public_url)
        typer.echo(f"Wysłano {run.sent}, bez terminów {run.skipped} (sent {run.sent}, nothing due {run.skipped}); "
                   f"{on.isoformat()}")
