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

from uuid import UUID

import typer
from rich.console import Console
from rich.markup import escape

from domain.errors import DomainError, ValidationFailed, bilingual
from domain.policy import Role, User
from domain.use_cases.users import OPERATOR
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


def cli_operator(container: Container, municipality: str | None = None) -> User:
    """Whoever runs `splot` on the server acts as the coordinator of one municipality — named by name,
    TERYT code or id, or, in a store of one municipality, that one — and the audit trail names them
    `cli:<os user>`."""
    rows = container.use_cases.registry.municipalities(OPERATOR)
    if municipality is not None:
        wanted = municipality.strip().casefold()
        rows = [r for r in rows if wanted in (r["name"].casefold(), (r["teryt"] or "").casefold(), r["id"])]
    if len(rows) != 1:
        names = ", ".join(r["name"] for r in container.use_cases.registry.municipalities(OPERATOR))
        raise ValidationFailed(bilingual(f"Wskaż gminę (--municipality): {names}.",
                                         f"Name the municipality (--municipality): {names}."), field="municipality")
    return User(id=OPERATOR.id, email=OPERATOR.email, role=Role.COORDINATOR, institution_id=None, active=True,
                municipality_id=UUID(rows[0]["id"]), acts_as=cli_actor().user_id)
