"""`splot strategy ...` and `splot report TASK`: load strategy files, print the strategy's tables."""

from __future__ import annotations

import datetime
import json
import sys
from enum import Enum
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape

from infra.cli.common import cli_container, cli_operator
from infra.exports.report import to_csv, to_text
from infra.strategy_loader import file_reason, read_strategy_file

strategy_app = typer.Typer(help="Strategia: zadania, etapy i wskaźniki (strategy: tasks, stages, indicators).",
                           no_args_is_help=True, add_completion=False)
errors = Console(stderr=True)


MUNICIPALITY = typer.Option(None, "--municipality", help="Gmina: nazwa, TERYT lub id (the municipality; "
                                                         "needed when the store serves several).")


class ReportFormat(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"


@strategy_app.command("load")
def load(file: Path = typer.Argument(..., help="Plik strategii (TOML), zob. docs/STRATEGY-FILE.md."),
         municipality: str | None = MUNICIPALITY) -> None:
    """Wczytuje plik strategii; zapisuje tylko zmiany (każda zmiana planu jest zdarzeniem)."""
    with cli_container() as container:
        result = container.use_cases.strategy.apply_document(cli_operator(container, municipality),
                                                             read_strategy_file(file), reason=file_reason(file))
        container.runner.catch_up()
        errors.print(f"Wczytano {file.name}: {result.new_events} nowych zdarzeń "
                     f"({'bez zmian' if not result.new_events else 'strategia zaktualizowana'}).", highlight=False)
        for note in result.notes:  # e.g. what a rule change does (and does not do) to closed years
            errors.print(escape(note), highlight=False)


@strategy_app.command("tasks")
def tasks(municipality: str | None = MUNICIPALITY) -> None:
    """Lista zadań z postępem (suma zrealizowanych udziałów etapów)."""
    with cli_container(catch_up=True) as container:
        for task in container.use_cases.strategy.tasks(cli_operator(container, municipality)):
            typer.echo(f"{task['code']}\t{task['name']}\tpostęp {task['progress']}% z {task['planned']}%")


@strategy_app.command("publish")
def publish(task: str = typer.Argument(..., help="Kod zadania, np. III.1.3"),
            title: str = typer.Option(..., "--title", help="Tytuł publikacji, np. „Sprawozdanie za 2012 r.”"),
            municipality: str | None = MUNICIPALITY) -> None:
    """Publikuje raport zadania: później można go odtworzyć dokładnie w tej postaci (splot report --publication N)."""
    with cli_container() as container:
        saved = container.use_cases.strategy.publish(cli_operator(container, municipality), task, title=title)
        container.runner.catch_up()
        typer.echo(f"Opublikowano raport nr {saved.version} zadania {task}.")


def _as_of(value: str | None) -> datetime.date | None:
    if value is None:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date (YYYY-MM-DD).", param_hint="--as-of") from None


def report(
    task: str = typer.Argument(..., help="Kod zadania, np. III.1.3"),
    as_of: str = typer.Option(None, "--as-of", help="Stan na dzień (RRRR-MM-DD): tylko wpisy zarejestrowane do końca tego dnia."),
    format: ReportFormat = typer.Option(ReportFormat.table, "--format", help="table | csv | json"),
    publication: int = typer.Option(None, "--publication", help="Numer opublikowanego raportu: odtwarza go dokładnie."),
    municipality: str | None = MUNICIPALITY,
) -> None:
    """Tabele zadania jak w strategii: mierniki (plan i wykonanie) oraz etapy realizacji."""
    day = _as_of(as_of)
    if day is not None and publication is not None:
        raise typer.BadParameter("Give either --as-of or --publication, not both.", param_hint="--publication")
    with cli_container(catch_up=True) as container:
        user, strategy = cli_operator(container, municipality), container.use_cases.strategy
        if publication is not None:
            data = strategy.publication(user, task, publication)
        else:
            data = strategy.task_report(user, task, as_of=day)
        if format is ReportFormat.json:
            typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        elif format is ReportFormat.csv:
            sys.stdout.buffer.write(to_csv(data).encode("utf-8"))
            sys.stdout.flush()
        else:
            typer.echo(to_text(data), nl=False)


def register(app: typer.Typer) -> None:
    """Adds `strategy ...` and `report` to the main CLI."""
    app.add_typer(strategy_app, name="strategy")
    app.command("report")(report)
