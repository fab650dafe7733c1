"""What every `splot` command shares: the store it opens and how a refused action is reported.

    with cli_container() as c:
        ...

opens the store through the composition root (`infra.container.open_container`), closes it
always, and turns a `DomainError` (the domain refused: nothing was stored) into one line on
standard error, "Błąd / Error (field): message", and exit code 1.
"""

from __future__ import annotations

import getpass
from contextlib import contextmanager
from typing import Iterator

import typer
from rich.console import Console
from rich.markup import escape

from domain.errors import DomainError
from domain.values import Actor
from infra.container import Container, open_container
from infra.settings import Settings

err = Console(stderr=True)


def print_error(error: DomainError) -> None:
    where = f" ({error.field})" if error.field else ""
    err.print(f"[red]Błąd / Error{escape(where)}:[/red] {escape(error.message)}", highlight=False)


@contextmanager
def cli_container(settings: Settings | None = None, *, bootstrap: bool = True,
                  catch_up: bool = False) -> Iterator[Container]:
    """The store for one command (see `open_container`); a DomainError ends the command with exit 1."""
    try:
        with open_container(settings, bootstrap=bootstrap, catch_up=catch_up) as container:
            yield container
    except DomainError as error:
        print_error(error)
        raise typer.Exit(code=1) from None


def cli_actor() -> Actor:
    """Who acts from the command line: the operating-system user, so the audit trail names them."""
    return Actor(user_id=f"cli:{getpass.getuser()}")
