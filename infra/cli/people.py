"""`splot person export ID`: everything held about a contact person (RODO art. 15), as JSON or PDF.

The operator at a shell acts as the data-protection officer of the person's municipality (named
`cli:<os user>` in the audit trail, where the export is recorded like one from the DPO's page).
"""

from __future__ import annotations

from dataclasses import replace
from enum import StrEnum
from pathlib import Path
from uuid import UUID

import typer

from domain.policy import Role
from infra.cli.common import cli_container, cli_operator, err
from infra.exports.subject_access import subject_filename, subject_json, subject_pdf

person_app = typer.Typer(help="Osoby kontaktowe: wydanie danych osoby (contact persons: a subject-access export).",
                         no_args_is_help=True)


class Format(StrEnum):
    JSON = "json"
    PDF = "pdf"


class Language(StrEnum):
    PL = "pl"
    EN = "en"


def _person_id(value: str) -> UUID:
    try:
        return UUID(value.strip())
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a person's id (UUID).", param_hint="ID") from None


@person_app.command("export")
def export_person(
    person_id: str = typer.Argument(..., metavar="ID", help="The person's id (from the directory)."),
    format: Format = typer.Option(Format.JSON, "--format", help="json (to standard output) or pdf (to a file)."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write to this file (PDF: by default "
                                       "dane-osoby-<id>-<date>.pdf in the current folder)."),
    language: Language = typer.Option(Language.PL, "--language", help="The PDF's language: pl or en."),
    municipality: str | None = typer.Option(None, "--municipality", help="The person's municipality (name, TERYT "
                                            "or id) in a store of several."),
) -> None:
    """Wydaje wszystkie dane osoby kontaktowej (art. 15 RODO); wydanie trafia do śladu audytowego
    (export everything held about a contact person; the export is recorded in the audit trail)."""
    wanted = _person_id(person_id)
    with cli_container(catch_up=True) as container:
        dpo = replace(cli_operator(container, municipality), role=Role.DPO)
        access = container.use_cases.privacy.export(dpo, wanted, format=format.value)
    if format is Format.JSON:
        data = subject_json(access)
        if output is None:
            typer.echo(data.decode("utf-8"))
            return
        output.write_bytes(data)
    else:
        output = output or Path(subject_filename(access, "pdf"))
        output.write_bytes(subject_pdf(access, language.value))
    err.print(f"Zapisano / Written {output} (wydanie zapisane w śladzie audytowym / export recorded in the audit trail)")
