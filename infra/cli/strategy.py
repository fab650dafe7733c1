"""`splot strategy ...` and `splot report TASK`: load strategy files, print the strategy's tables."""

from __future__ import annotations

import datetime
import getpass
import json
import sys
from enum import Enum
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape

from domain.errors import DomainError, NotFound, bilingual
from domain.values import Actor
from infra.container import bootstrap, build_container
from infra.strategy_loader import load_strategy_file
from projections.indicator_values.export import to_csv, to_text
from projections.indicator_values.queries import list_tasks, published_report, task_report

strategy_app = typer.Typer(help="Strategia: zadania, etapy i wskaźniki (strategy: tasks, stages, indicators).",
                           no_args_is_help=True, add_completion=False)
errors = Console(stderr=True)


class ReportFormat(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"


def _cli_actor() -> Actor:
    """Who acts from the command line: the operating-system user, so the audit trail names them."""
    return Actor(user_id=f"cli:{getpass.getuser()}")


def _fail(error: DomainError) -> None:
    where = f" ({error.field})" if error.field else ""
    errors.print(f"[red]Błąd{escape(where)}:[/red] {escape(error.message)}", highlight=False)
    raise typer.Exit(code=1)


@strategy_app.command("load")
def load(file: Path = typer.Argument(..., help="Plik strategii (TOML), zob. docs/STRATEGY-FILE.md.")) -> None:
    """Wczytuje plik strategii; zapisuje tylko zmiany (każda zmiana planu jest zdarzeniem)."""
    container = build_container()
    try:
        bootstrap(container)
        try:
            result = load_strategy_file(container.app, file, actor=_cli_actor())
        except DomainError as error:
            _fail(error)
        container.runner.catch_up()
        errors.print(f"Wczytano {file.name}: {result.new_events} nowych zdarzeń "
                     f"({'bez zmian' if not result.new_events else 'strategia zaktualizowana'}).", highlight=False)
        for note in result.notes:  # e.g. what a rule change does (and does not do) to closed years
            errors.print(escape(note), highlight=False)
    finally:
        container.close()


@strategy_app.command("tasks")
def tasks() -> None:
    """Lista zadań z postępem (suma zrealizowanych udziałów etapów)."""
    container = build_container()
    try:
        bootstrap(container)
        container.runner.catch_up()
        with container.views.transaction() as tx:
            for task in list_tasks(tx):
                typer.echo(f"{task['code']}\t{task['name']}\tpostęp {task['progress']}% z {task['planned']}%")
    finally:
        container.close()


@strategy_app.command("publish")
def publish(task: str = typer.Argument(..., help="Kod zadania, np. III.1.3"),
            title: str = typer.Option(..., "--title", help="Tytuł publikacji, np. „Sprawozdanie za 2012 r.”")) -> None:
    """Publikuje raport zadania: później można go odtworzyć dokładnie w tej postaci (splot report --publication N)."""
    container = build_container()
    try:
        bootstrap(container)
        try:
            saved = container.app.publish_report(task_code=task, title=title, actor=_cli_actor())
        except DomainError as error:
            _fail(error)
        container.runner.catch_up()
        typer.echo(f"Opublikowano raport nr {saved.version} zadania {task}.")
    finally:
        container.close()


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
) -> None:
    """Tabele zadania jak w strategii: mierniki (plan i wykonanie) oraz etapy realizacji."""
    day = _as_of(as_of)
    if day is not None and publication is not None:
        raise typer.BadParameter("Give either --as-of or --publication, not both.", param_hint="--publication")
    container = build_container()
    try:
        bootstrap(container)
        container.runner.catch_up()
        with container.views.transaction() as tx:
            try:
                if publication is not None:
                    data = published_report(tx, publication)
                    if data["task"]["code"] != task:
                        raise NotFound(bilingual(
                            f"Raport opublikowany nr {publication} dotyczy zadania {data['task']['code']}, nie {task}.",
                            f"Published report {publication} is of task {data['task']['code']}, not {task}."),
                            field="publication")
                else:
                    data = task_report(tx, task, as_of=day)
            except DomainError as error:
                _fail(error)
        if format is ReportFormat.json:
            typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        elif format is ReportFormat.csv:
            sys.stdout.buffer.write(to_csv(data).encode("utf-8"))
            sys.stdout.flush()
        else:
            typer.echo(to_text(data), nl=False)
    finally:
        container.close()


def register(app: typer.Typer) -> None:
    """Adds `strategy ...` and `report` to the main CLI."""
    app.add_typer(strategy_app, name="strategy")
    app.command("report")(report)
