"""The `splot` command line. Each command builds the container from settings and does one thing.

Sub-command groups live in their own modules (strategy, users/tokens, audit) and are added here.
"""

from __future__ import annotations

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from infra.container import bootstrap, build_container

app = typer.Typer(help="Splot — rejestr współpracy instytucji otoczenia biznesu i wskaźniki strategii "
                       "(cooperation records and strategy indicators for business-support networks).",
                  no_args_is_help=True, add_completion=False,
                  # Typer's rich help labels every flag `<bool>` (even --help); the plain help lists flags bare.
                  rich_markup_mode=None)
console = Console(stderr=True)

from infra.cli.users import token_app, user_app  # noqa: E402

app.add_typer(user_app, name="user")
app.add_typer(token_app, name="token")

from infra.cli import audit  # noqa: E402

audit.register(app)  # splot verify, splot checkpoint export

from infra.cli import strategy  # noqa: E402

strategy.register(app)  # splot strategy load FILE, splot report TASK


@app.command()
def serve(host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
          port: int = typer.Option(8000, help="Port to listen on.")) -> None:
    """Uruchamia API JSON nad bieżącym magazynem (serve the JSON API over whatever the store holds)."""
    import uvicorn

    container = build_container()
    bootstrap(container)
    container.runner.catch_up()
    container.close()
    console.print(f"Splot on http://{host}:{port}  (API docs: http://{host}:{port}/api/docs)")
    # An import string keeps the layers pointing one way: infra never imports api.
    uvicorn.run("api.app:create_app", factory=True, host=host, port=port, log_level="info")


@app.command()
def demo(if_empty: bool = typer.Option(False, "--if-empty", help="Nic nie rób, gdy magazyn ma już dane (do nothing when the store already holds data).")) -> None:
    """Dodaje sieć demonstracyjną: instytucje Leszna i lata 2009–2013, oznaczone DEMO (add the demo network)."""
    from infra.demo import load_demo

    container = build_container()
    try:
        bootstrap(container)
        result = load_demo(container, if_empty=if_empty)
        container.runner.catch_up()
        console.print(str(result))
    finally:
        container.close()


@app.command()
def rebuild() -> None:
    """Odbudowuje wszystkie modele odczytu z dziennika zdarzeń (rebuild every read model from the event log)."""
    container = build_container()
    try:
        total = container.runner.log_position()
        with Progress(TextColumn("rebuilding read models"), BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), console=console) as progress:
            task = progress.add_task("rebuild", total=total or None)
            count = container.runner.rebuild(progress=lambda n: progress.advance(task, n))
        console.print(f"Rebuilt {len(container.runner.projections)} read models from {count} events.")
    finally:
        container.close()


@app.command("catch-up")
def catch_up(follow: bool = typer.Option(False, "--follow", help="Keep running and follow new events "
                                          "(a separate projection worker beside several API workers)."),
             interval: float = typer.Option(0.5, help="Seconds between polls with --follow.")) -> None:
    """Doprowadza modele odczytu do bieżącego stanu dziennika (bring read models up to date with the log)."""
    import time

    container = build_container()
    try:
        processed = container.runner.catch_up()
        console.print(f"Read models at notification {container.runner.position()} ({processed} events processed).")
        while follow:
            time.sleep(interval)
            container.runner.catch_up()
    except KeyboardInterrupt:
        pass
    finally:
        container.close()


def main() -> None:
    app()


if __name__ == "__main__":
    main()
