"""The `splot` command line (entry point `infra.cli:main`). Each command opens the store through
the composition root (`infra.cli.common.cli_container`) and does one thing.

Command groups live in their own modules and are added here: `municipality`, `users` (user, token), `audit`
(verify, checkpoint export), `strategy` (strategy, report), `serve` (serve, demo, rebuild, catch-up).
"""

from __future__ import annotations

import typer

from infra.cli import audit, backup, municipality, network, people, serve, strategy, users
from infra.cli import imports
from infra.cli import redaction  # splot record redact (issue 12)
from infra.cli import digest  # splot digest send: the daily e-mail of follow-ups due (issue 14)

app = typer.Typer(help="Splot — rejestr współpracy instytucji otoczenia biznesu i wskaźniki strategii "
                       "(cooperation records and strategy indicators for business-support networks).",
                  no_args_is_help=True, add_completion=False,
                  # Typer's rich help labels every flag `<bool>` (even --help); the plain help lists flags bare.
                  rich_markup_mode=None)

# In this order in `splot --help`.
app.add_typer(municipality.municipality_app, name="municipality")
app.add_typer(network.network_app, name="network")  # splot network add-shared|admit|release|list (issue 14)
app.add_typer(users.user_app, name="user")
app.add_typer(users.token_app, name="token")
audit.register(app)  # splot verify, splot checkpoint export
strategy.register(app)  # splot strategy load FILE, splot report TASK
serve.register(app)  # splot serve, demo, rebuild, catch-up
backup.register(app)  # splot backup DIR, splot restore DIR
app.add_typer(people.person_app, name="person")  # splot person export ID --format json|pdf (RODO art. 15)
app.add_typer(redaction.record_app, name="record")  # splot record redact ID --ground LETTER (RODO art. 17)
app.add_typer(digest.digest_app, name="digest")  # splot digest send [--date YYYY-MM-DD] (cron, once a day)
imports.register(app)  # splot import FILE [--valid-only] [--dry-run]: an old register from CSV or XLSX (issue 13)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
