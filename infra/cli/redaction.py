"""`splot record redact ID --ground LETTER`: the DPO's redaction of a record's free text (RODO art. 17).

The operator at a shell acts as the data-protection officer of the record's municipality (named `cli:<os user>` in
the audit trail, where the redaction is recorded like one from the DPO's page): the record's key is destroyed,
its text reads "treść usunięta (RODO)" everywhere from then on, and its kind, date, parties and counts stay.
"""

from __future__ import annotations

from dataclasses import replace
from uuid import UUID

import typer

from domain.policy import Role
from domain.privacy import ERASURE_GROUNDS
from infra.cli.common import cli_container, cli_operator, err

record_app = typer.Typer(help="Wpisy: usunięcie treści wpisu (records: redacting a record's free text).",
                         no_args_is_help=True)


def _record_id(value: str) -> UUID:
    try:
        return UUID(value.strip())
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a record's id (UUID).", param_hint="ID") from None


@record_app.command("redact")
def redact_record(
    record_id: str = typer.Argument(..., metavar="ID", help="The record's id."),
    ground: str = typer.Option(..., "--ground", help="The legal ground: a letter of art. 17(1) RODO ("
                               + ", ".join(f"{k}: {v.en.split(' – ', 1)[-1]}" for k, v in ERASURE_GROUNDS.items())
                               + ")."),
    municipality: str | None = typer.Option(None, "--municipality", help="The record's municipality (name, TERYT "
                                            "or id) in a store of several."),
) -> None:
    """Usuwa treść wpisu na zawsze (klucz wpisu zniszczony); usunięcie trafia do śladu audytowego
    (redacts the record's free text for good, its key destroyed; recorded in the audit trail)."""
    wanted = _record_id(record_id)
    with cli_container(catch_up=True) as container:
        dpo = replace(cli_operator(container, municipality), role=Role.DPO)
        saved = container.use_cases.privacy.redact(dpo, wanted, legal_ground=ground.strip())
    err.print(f"Usunięto treść wpisu {wanted} / Redacted the text of record {wanted} "
              f"(zapis w śladzie audytowym / recorded in the audit trail: {saved.id})")
