"""`splot network add-shared|admit|release|list`: shared networks of municipalities (a metropolitan network,
a network of cities), run by the deployment's administrator (whoever runs `splot` on the server)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from uuid import UUID

import typer

from domain.errors import UnknownReference
from domain.use_cases.users import OPERATOR
from infra.cli.common import cli_actor, cli_container
from infra.container import Container

network_app = typer.Typer(help="Wspólne sieci gmin i miast (shared networks of municipalities and cities).",
                          no_args_is_help=True)


@network_app.command("add-shared")
def add_shared(
    name: str = typer.Argument(..., help="The network's name, e.g. 'Metropolia Poznań'."),
    kind: str = typer.Option(..., "--kind", help="municipal_network (a metropolitan area) or inter_city_network."),
) -> None:
    """Tworzy wspólną sieć gmin albo miast (create a shared network of municipalities or cities)."""
    with cli_container() as container:
        saved = container.use_cases.shared_networks.add(_operator(), name=name, kind=kind)
        typer.echo(f"Dodano sieć / Added network {name} id={saved.id}")


@network_app.command("admit")
def admit(
    network: str = typer.Argument(..., help="The shared network's name or id (splot network list)."),
    municipality: str = typer.Argument(..., help="The municipality's name, TERYT code or id (splot municipality list)."),
    on: str = typer.Option(..., "--on", help="The day it joins (YYYY-MM-DD)."),
) -> None:
    """Przyjmuje gminę do wspólnej sieci od dnia (admit a municipality to a shared network from a day)."""
    with cli_container() as container:
        network_id, municipality_id = _network(container, network), _municipality(container, municipality)
        container.use_cases.shared_networks.admit(_operator(), network_id=network_id, municipality_id=municipality_id,
                                                  joined_on=_day(on, "--on"))
        typer.echo(f"Gmina {municipality} należy do sieci {network} od {on} (is a member from {on})")


@network_app.command("release")
def release(
    network: str = typer.Argument(..., help="The shared network's name or id."),
    municipality: str = typer.Argument(..., help="The municipality's name, TERYT code or id."),
    on: str = typer.Option(..., "--on", help="The last day of its membership (YYYY-MM-DD)."),
) -> None:
    """Gmina występuje ze wspólnej sieci z dniem (a municipality leaves a shared network on a day)."""
    with cli_container() as container:
        network_id, municipality_id = _network(container, network), _municipality(container, municipality)
        container.use_cases.shared_networks.release(_operator(), network_id=network_id, municipality_id=municipality_id,
                                                    left_on=_day(on, "--on"))
        typer.echo(f"Gmina {municipality} wystąpiła z sieci {network} z dniem {on} (left on {on})")


@network_app.command("list")
def list_shared() -> None:
    """Lista wspólnych sieci i ich członków (list the shared networks and their members)."""
    with cli_container() as container:
        for network in container.use_cases.shared_networks.networks(OPERATOR):
            typer.echo(f"{network.name}\t{network.kind}\tid={network.id}")
            for member in network.members:
                typer.echo(f"  {member.name}\t{member.joined_on.isoformat()}..{member.left_on or ''}"
                           f"\tid={member.municipality_id}")


def _day(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{text!r}: podaj datę RRRR-MM-DD (give a date YYYY-MM-DD)",
                                 param_hint=option) from None


def _operator():
    """The deployment's administrator, named in events as the operating-system user (`cli:<user>`)."""
    return replace(OPERATOR, acts_as=cli_actor().user_id)


def _network(container: Container, text: str) -> UUID:
    for network in container.use_cases.shared_networks.networks(OPERATOR):
        if text in (str(network.id), network.name):
            return network.id
    raise UnknownReference("network", text, field="network")


def _municipality(container: Container, text: str) -> UUID:
    for row in container.use_cases.registry.municipalities(OPERATOR):
        if text in (row["id"], row["name"], row["teryt"]):
            return UUID(row["id"])
    raise UnknownReference("municipality", text, field="municipality")
