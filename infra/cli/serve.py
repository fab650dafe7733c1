"""`splot serve`, `demo`, `rebuild`, `catch-up`: running the server and keeping the read models."""

from __future__ import annotations

import copy
import time

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, ProgressColumn, Task, TextColumn, TimeElapsedColumn
from rich.text import Text

from infra.cli.common import cli_container

console = Console(stderr=True)

# uvicorn builds the app itself from this import string, so the layers keep pointing one way
# (infra never imports api); the factory opens, bootstraps and catches up the store, once.
APP_FACTORY = "api.app:create_app"


def _log_config() -> dict:
    """uvicorn's own logging, plus infra's loggers (the bootstrap line, read-model warnings)."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["loggers"]["infra"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    return config


def serve(host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
          port: int = typer.Option(8000, help="Port to listen on."),
          workers: int = typer.Option(1, min=1, max=64, help="Server processes behind the one port (each with its "
                                      "own group commit and read-model thread; the store is shared).")) -> None:
    """Uruchamia API JSON nad bieżącym magazynem (serve the JSON API over whatever the store holds)."""
    import uvicorn

    if workers > 1:
        with cli_container():  # bootstrap once here, so the workers do not race to create the defaults
            pass
    console.print(f"Splot on http://{host}:{port}  (API docs: http://{host}:{port}/api/docs)")
    _print_setup_link(_browser_url(host, port))
    uvicorn.run(APP_FACTORY, factory=True, host=host, port=port, log_level="info", log_config=_log_config(),
                workers=workers)


def demo(if_empty: bool = typer.Option(False, "--if-empty", help="Nic nie rób, gdy magazyn ma już dane (do nothing when the store already holds data).")) -> None:
    """Dodaje sieć demonstracyjną: instytucje Leszna i lata 2009–2013, oznaczone DEMO (add the demo network)."""
    from infra.demo import load_demo

    with cli_container() as container:
        result = load_demo(container, if_empty=if_empty)
        container.runner.catch_up()
        console.print(str(result))
    if result.accounts:
        _print_demo_accounts(result.accounts)


class EventsPerSecond(ProgressColumn):
    """The rate of the progress bar, in events per second (rich's own speed columns count bytes)."""

    def render(self, task: Task) -> Text:
        elapsed = task.finished_time if task.finished else task.elapsed
        speed = task.completed / elapsed if elapsed else None  # since the start: pages come in steps
        return Text("" if speed is None else f"{speed:,.0f} events/s", style="progress.data.speed")


def rebuild() -> None:
    """Odbudowuje wszystkie modele odczytu z dziennika zdarzeń (rebuild every read model from the event log)."""
    with cli_container(bootstrap=False) as container:
        total = container.runner.log_position()
        started = time.perf_counter()
        with Progress(TextColumn("rebuilding read models"), BarColumn(), MofNCompleteColumn(), EventsPerSecond(),
                      TimeElapsedColumn(), console=console) as progress:
            task = progress.add_task("rebuild", total=total or None)
            count = container.runner.rebuild(progress=lambda n: progress.advance(task, n))
        seconds = time.perf_counter() - started
        console.print(f"Rebuilt {len(container.runner.projections)} read models from {count} events in {seconds:.1f} s "
                      f"({count / seconds if seconds else 0:,.0f} events/s).")


def catch_up(follow: bool = typer.Option(False, "--follow", help="Keep running and follow new events "
                                          "(a separate projection worker beside several API workers)."),
             interval: float = typer.Option(0.5, help="Seconds between polls with --follow.")) -> None:
    """Doprowadza modele odczytu do bieżącego stanu dziennika (bring read models up to date with the log)."""
    with cli_container(bootstrap=False) as container:
        try:
            processed = container.runner.catch_up()
            console.print(f"Read models at notification {container.runner.position()} ({processed} events processed).")
            while follow:
                time.sleep(interval)
                container.runner.catch_up()
        except KeyboardInterrupt:
            pass


def _browser_url(host: str, port: int) -> str:
    """Where a browser on this machine reaches the server (a wildcard address is not one to visit)."""
    shown = "127.0.0.1" if host in ("0.0.0.0", "", "::") else f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


def _print_setup_link(base_url: str) -> None:
    """On a store with no users: a one-time link with which the first person creates the admin account.
    The store is opened without a bootstrap (the factory does the one bootstrap) and only the directory
    is written; with users present nothing is issued or printed."""
    with cli_container(bootstrap=False) as container:
        issued = container.setup_tokens.issue_if_no_users()
    if issued is None:
        return
    minutes = int(container.setup_tokens.lifetime.total_seconds() // 60)
    link = issued.link(base_url)
    console.print(
        "\n[bold]Nie ma jeszcze żadnego konta.[/bold] Otwórz ten link w przeglądarce i utwórz konto administratora "
        f"(działa raz, przez {minutes} minut):\n[bold]No accounts yet.[/bold] Open this link in a browser and create "
        f"the administrator account (works once, for {minutes} minutes):\n\n  {link}\n",
        highlight=False, soft_wrap=True)


ROLE_PL = {"staff": "pracownik", "lead": "kierownik", "coordinator": "koordynator", "auditor": "audytor",
           "admin": "administrator"}


def _print_demo_accounts(accounts) -> None:
    """The demo accounts with their random passwords, once, on standard output (plain, so they copy)."""
    out = Console(highlight=False, soft_wrap=True)
    headings = ("Rola / Role", "E-mail", "Hasło / Password", "Instytucja / Institution")
    rows = [(f"{ROLE_PL.get(a.role, a.role)} / {a.role}", a.email, a.password, a.institution or "—") for a in accounts]
    widths = [max(len(r[i]) for r in [headings, *rows]) for i in range(len(headings))]
    out.print("\nKonta demonstracyjne – hasła są pokazywane tylko teraz, zapisz je "
              "(demo accounts – the passwords are shown only now, note them):\n")
    for row in [headings, tuple("-" * w for w in widths), *rows]:
        out.print("  " + "  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip(), markup=False)
    out.print("\nZaloguj się na /login. Przy pierwszym logowaniu koordynatora Splot poprosi o skonfigurowanie "
              "aplikacji uwierzytelniającej (TOTP).\n(Sign in at /login. The coordinator's first sign-in asks to set "
              "up an authenticator app.)\n")


def register(app: typer.Typer) -> None:
    app.command()(serve)
    app.command()(demo)
    app.command()(rebuild)
    app.command("catch-up")(catch_up)
