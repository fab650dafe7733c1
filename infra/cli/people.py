"""`splot person find|add|export`: the contact persons' directory from a shell.

`find` and `add` go through `uc.people` as the municipality's coordinator (the operator, `cli:<os user>`),
institutions picked by short name and firms by NIP or name, never by id. `export` gives everything held
about a person (RODO art. 15) as JSON or PDF; for it the operator acts as the data-protection officer of
the person's municipality (the export is recorded in the audit trail like one from the DPO's page).
"""

from __future__ import annotations

from dataclasses import replace
from enum import StrEnum
from pathlib import Path
from uuid import UUID

import typer

from domain.errors import ValidationFailed, bilingual
from domain.policy import Role
from domain.use_cases.people import PersonDetails
from infra.cli.common import cli_container, cli_operator, err
from infra.exports.subject_access import subject_filename, subject_json, subject_pdf

person_app = typer.Typer(help="Osoby kontaktowe: wyszukanie, dodanie, wydanie danych osoby "
                         "(contact persons: find, add, a subject-access export).", no_args_is_help=True)


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


def _one(rows: list[dict], wanted: str, keys: tuple[str, ...], what: tuple[str, str], option: str) -> str:
    """The id of the one row whose `keys` equal `wanted` (without case); a clear error otherwise."""
    text = wanted.strip().casefold()
    found = [r for r in rows if any(text == str(r.get(k) or "").strip().casefold() for k in keys)]
    if len(found) != 1:
        raise ValidationFailed(bilingual(f"Nie znaleziono jednoznacznie: {what[0]} {wanted!r}.",
                                         f"Not found, or not one: {what[1]} {wanted!r}."), field=option)
    return found[0]["id"]


@person_app.command("find")
def find_persons(
    text: str = typer.Argument("", help="Part of a name, e-mail, institution or firm (empty: every person)."),
    municipality: str | None = typer.Option(None, "--municipality", help="The municipality (name, TERYT or id)."),
) -> None:
    """Wyszukuje osoby kontaktowe (finds contact persons): id, name, institution or firm, e-mail, phone."""
    with cli_container(catch_up=True) as container:
        operator = cli_operator(container, municipality)
        found = container.use_cases.people.find(operator, text)
    for p in found:
        typer.echo("\t".join(str(v or "") for v in (p.id, p.name, p.institution_name or p.firm_name, p.email,
                                                       p.phone)))
    err.print(f"Osób / Persons: {len(found)}")


@person_app.command("add")
def add_person(
    name: str = typer.Argument(..., help="The person's full name."),
    institution: str | None = typer.Option(None, "--institution", help="Their institution's short name or name."),
    firm: str | None = typer.Option(None, "--firm", help="Their firm's NIP or name."),
    email: str | None = typer.Option(None, "--email"),
    phone: str | None = typer.Option(None, "--phone"),
    position: str | None = typer.Option(None, "--position", help="Their position (stanowisko)."),
    municipality: str | None = typer.Option(None, "--municipality", help="The municipality (name, TERYT or id)."),
) -> None:
    """Dodaje osobę kontaktową instytucji lub firmy (adds a contact person of an institution or a firm)."""
    with cli_container(catch_up=True) as container:
        uc = container.use_cases
        operator = cli_operator(container, municipality)
        institution_id = firm_id = None
        if institution is not None:
            institution_id = UUID(_one(uc.registry.institutions(operator), institution, ("short_name", "name"),
                                       ("instytucja", "institution"), "institution"))
        if firm is not None:
            firm_id = UUID(_one(uc.registry.firms(operator), firm, ("nip", "name"), ("firma", "firm"), "firm"))
        person_id = uc.people.add(operator, PersonDetails(name=name, email=email, phone=phone, position=position,
                                                          institution_id=institution_id, firm_id=firm_id))
    typer.echo(str(person_id))
    err.print(f"Dodano / Added {name}")
