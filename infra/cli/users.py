"""`splot user ...` and `splot token ...`: the only way users and API tokens come to exist.

There are no default accounts: the first admin is created here. Passwords are read twice from
standard input (not echoed on a terminal; read as plain lines when piped).
"""

from __future__ import annotations

from dataclasses import replace
from uuid import UUID

import typer

from domain.policy import User
from domain.use_cases.users import OPERATOR
from infra.cli.common import cli_actor, cli_container, err
from infra.container import Container
from infra.users import Role
from projections.registry.queries import institution_by_short_name, list_institutions

user_app = typer.Typer(help="Użytkownicy i ich role: staff, lead, coordinator, auditor, admin, dpo "
                            "(manage users and their roles).", no_args_is_help=True)
token_app = typer.Typer(help="Tokeny API: tworzenie, lista, unieważnianie (create, list and revoke API tokens).",
                        no_args_is_help=True)


def _institution_id(container: Container, short_name: str | None) -> UUID | None:
    if short_name is None:
        return None
    container.runner.catch_up()
    with container.views.transaction() as tx:
        row = institution_by_short_name(tx, short_name)
    if row is None:
        err.print(f"[red]Nie ma instytucji / No institution:[/red] {short_name}")
        raise typer.Exit(code=1)
    return UUID(row["id"])


@user_app.command("add")
def add_user(
    email: str = typer.Argument(..., help="The user's e-mail address (their login)."),
    role: Role = typer.Option(..., "--role", help="staff, lead, coordinator, auditor, admin or dpo."),
    institution: str | None = typer.Option(None, "--institution", help="Short name of the user's institution."),
) -> None:
    """Dodaje użytkownika; hasło podaje się dwa razy (add a user; the password is asked twice)."""
    with cli_container() as container:
        institution_id = _institution_id(container, institution)
        password = typer.prompt("Hasło / Password", hide_input=True, confirmation_prompt=True)
        user = container.use_cases.users.add(OPERATOR, email=email, password=password, role=role.value,
                                             institution_id=institution_id)
        typer.echo(f"Dodano / Added {user.email} ({user.role}) id={user.id}")


def _operator() -> User:
    """The deployment's administrator at a shell, named in an account's history as `cli:<os user>`."""
    return replace(OPERATOR, acts_as=cli_actor().user_id)


@user_app.command("disable")
def disable_user(email: str = typer.Argument(..., help="The user's e-mail address.")) -> None:
    """Wyłącza użytkownika: nie zaloguje się, a jego tokeny przestają działać; nigdy ostatniego aktywnego
    administratora (disable a user: they cannot sign in, and every token of theirs stops working; never the
    last active admin)."""
    with cli_container() as container:
        target = container.users.get_by_email(email)
        user = container.use_cases.users.disable(_operator(), target.id)
        typer.echo(f"Wyłączono / Disabled {user.email}")


@user_app.command("set-role")
def set_role(
    email: str = typer.Argument(..., help="The user's e-mail address."),
    role: Role = typer.Argument(..., help="staff, lead, coordinator, auditor, admin or dpo."),
    institution: str | None = typer.Option(None, "--institution",
                                           help="Short name of the user's institution (default: keep the current one)."),
) -> None:
    """Zmienia rolę (i instytucję) użytkownika; jego sesje w przeglądarce wygasają; nigdy nie odbiera roli
    ostatniemu aktywnemu administratorowi (change a user's role and institution; their browser sessions end;
    never demotes the last active admin)."""
    with cli_container() as container:
        target = container.users.get_by_email(email)
        institution_id = _institution_id(container, institution) if institution else target.institution_id
        user = container.use_cases.users.set_role(_operator(), target.id, role=role.value, institution_id=institution_id)
        typer.echo(f"Zmieniono / Changed {user.email}: {user.role}")


@user_app.command("list")
def list_users() -> None:
    """Lista użytkowników z rolą, instytucją (skrót i id) i stanem (list users with their role, institution
    and state)."""
    with cli_container() as container:
        container.runner.catch_up()
        with container.views.transaction() as tx:
            short_names = {row["id"]: row["short_name"] for row in list_institutions(tx)}
        for user in container.users.list():
            state = "active" if user.active else "disabled"
            institution = "-"
            if user.institution_id:
                institution = f"{short_names.get(str(user.institution_id), '?')} ({user.institution_id})"
            typer.echo(f"{user.email}\t{user.role}\t{institution}\t{state}")


@user_app.command("reset-second-factor")
def reset_second_factor(email: str = typer.Argument(..., help="The user's e-mail address.")) -> None:
    """Usuwa drugi składnik (kod TOTP) użytkownika, np. po utracie telefonu: przy następnym logowaniu ustawi
    nowy; jego sesje wygasają (remove a user's second factor, e.g. after a lost phone: the next sign-in sets
    up a new one; their sessions end)."""
    with cli_container() as container:
        target = container.users.get_by_email(email)
        user = container.use_cases.users.reset_second_factor(_operator(), target.id)  # audited
        container.sessions.end_all_for(user.id)
        typer.echo(f"Usunięto drugi składnik / Second factor removed: {user.email}")


@token_app.command("create")
def create_token(email: str = typer.Argument(..., help="The user the token acts as.")) -> None:
    """Tworzy token API; token to ostatni wypisany wiersz, pokazany tylko raz (create an API token; the token
    itself is the last line printed, shown only once)."""
    with cli_container() as container:
        target = container.users.get_by_email(email)
        issued = container.use_cases.users.issue_token_for(_operator(), target.id)  # audited, never the token
        typer.echo(f"token id: {issued.id}")
        typer.echo(issued.token)


@token_app.command("list")
def list_tokens(email: str = typer.Argument(..., help="The user whose tokens to list.")) -> None:
    """Lista tokenów użytkownika: identyfikatory i daty, same tokeny nie są przechowywane (list a user's
    tokens: ids and dates; the tokens themselves are not stored)."""
    with cli_container() as container:
        for row in container.users.list_tokens(email):
            typer.echo(f"{row['id']}\tcreated {row['created_at']}\trevoked {row['revoked_at'] or '-'}")


@token_app.command("revoke")
def revoke_token(
    token: str | None = typer.Argument(None, help="The token's id (from `token list`) or the token itself."),
    all_of: str | None = typer.Option(None, "--all", help="Revoke every token of this user (e-mail)."),
) -> None:
    """Unieważnia jeden token albo wszystkie tokeny użytkownika z --all EMAIL (revoke one token, or every
    token of a user with --all EMAIL)."""
    if (token is None) == (all_of is None):
        err.print("Give a token id, or --all EMAIL.")
        raise typer.Exit(code=2)
    with cli_container() as container:
        uc = container.use_cases.users  # each revocation an event of the audit trail
        count = (uc.revoke_tokens_of(_operator(), container.users.get_by_email(all_of).id) if all_of
                 else uc.revoke_token_of(_operator(), token))
        typer.echo(f"Unieważniono / Revoked {count} token(s)")
