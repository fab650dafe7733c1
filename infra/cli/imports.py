"""`splot import FILE [--valid-only] [--dry-run]`: an old register (CSV or XLSX, docs/IMPORT.md) imported
through the same checks as a record typed in, with the progress bar `splot verify` shows.

Exit codes: 0 every row is in the register (imported now or before); 1 rows were rejected (each named with
its sheet, row and reason; without --valid-only nothing was imported); 2 the file could not be read.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from domain.errors import DomainError
from domain.use_cases.import_layout import ImportReport
from domain.use_cases.imports import ImportUseCases
from infra.cli.common import cli_container, cli_operator, print_error

console = Console(stderr=True)
out = Console()

PHASES = {"check": "sprawdzanie wierszy (checking rows)", "import": "import wierszy (importing rows)"}


def print_report(report: ImportReport) -> None:
    for problem in report.problems:
        where = f"{problem.sheet}, wiersz (row) {problem.row}" + (f", {problem.field}" if problem.field else "")
        out.print(f"[red]Odrzucony (rejected)[/red] {escape(where)}: {escape(str(problem.message))}", highlight=False,
                  soft_wrap=True)
    kinds = ", ".join(f"{kind}: {count}" for kind, count in sorted(report.by_kind.items()))
    for line in (f"wierszy w pliku (rows in the file): {report.rows}",
                 f"poprawnych (valid): {report.valid}",
                 f"odrzuconych (rejected): {report.rejected}",
                 f"zaimportowanych wcześniej (imported before): {report.already}",
                 f"zaimportowano teraz (imported now): {report.imported}" + (f" ({kinds})" if kinds else "")):
        out.print(line, highlight=False, soft_wrap=True)
    if report.dry_run:
        out.print("Tylko sprawdzenie: niczego nie zapisano (dry run: nothing was saved).", soft_wrap=True)
    elif report.problems and not report.imported and report.valid:
        out.print("[red]Plik ma odrzucone wiersze: niczego nie zaimportowano. Popraw je albo użyj --valid-only "
                  "(the file has rejected rows: nothing was imported; fix them or use --valid-only).[/red]",
                  soft_wrap=True)


def register(app: typer.Typer) -> None:
    @app.command("import")
    def import_register(
        file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True,
                                    help="Plik CSV albo XLSX w układzie z docs/IMPORT.md (the register file)."),
        valid_only: bool = typer.Option(False, "--valid-only",
                                        help="Importuj poprawne wiersze, pomiń odrzucone (import the valid rows)."),
        dry_run: bool = typer.Option(False, "--dry-run", help="Tylko sprawdź, niczego nie zapisuj (check only)."),
        municipality: Optional[str] = typer.Option(None, "--municipality",
                                                   help="Gmina: nazwa, TERYT albo id (the municipality)."),
        batch_size: int = typer.Option(ImportUseCases.BATCH, "--batch-size", min=1, max=5000,
                                       help="Wierszy na transakcję (rows per transaction)."),
    ) -> None:
        """Importuje rejestr działań z pliku CSV lub XLSX (imports a register of activities)."""
        with cli_container() as container:
            user = cli_operator(container, municipality)
            with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                          console=console, transient=False) as progress:
                tasks: dict[str, int] = {}

                def advance(phase: str, done: int, total: int) -> None:
                    if phase not in tasks:
                        tasks[phase] = progress.add_task(PHASES[phase], total=total or None)
                    progress.update(tasks[phase], completed=done)

                try:
                    report = container.use_cases.imports.import_file(
                        user, file.read_bytes(), file.name, valid_only=valid_only, dry_run=dry_run,
                        progress=advance, batch_size=batch_size)
                except DomainError as error:
                    if error.field != "file":
                        raise
                    print_error(error)
                    raise typer.Exit(2) from None
            print_report(report)
            if report.problems:
                raise typer.Exit(1)
