"""`splot municipality add|list`: the municipalities one store serves (the deployment's administrator,
who is whoever runs `splot` on the server)."""

from __future__ import annotations

from pathlib import Path

import typer

from domain.use_cases.users import OPERATOR
from infra.cli.common import cli_container
from infra.strategy_loader import load_strategy_file

municipality_app = typer.Typer(help="Gminy obsługiwane przez ten magazyn (the municipalities this store serves).",
                               no_args_is_help=True)


@municipality_app.command("add")
def add_municipality(
    name: str = typer.Argument(..., help="The municipality's name, e.g. 'Miasto Gniezno'."),
    network: str = typer.Option(..., "--network", help="The name of its network of institutions."),
    teryt: str | None = typer.Option(None, "--teryt", help="Its 7-digit TERYT code."),
    strategy: Path | None = typer.Option(None, "--strategy", help="A strategy file to load for it "
                                                                  "(docs/STRATEGY-FILE.md)."),
) -> None:
    """Dodaje gminę z jej własną siecią instytucji i, opcjonalnie, strategią (add a municipality with its own
    network of institutions and, optionally, its strategy)."""
    with cli_container() as container:
        registry = container.use_cases.registry
        municipality_id = registry.add_municipality(OPERATOR, name=name, teryt=teryt, network_name=network).id
        network_id = registry.scopes.of_municipality(municipality_id).home_network_id
        typer.echo(f"Dodano / Added {name} id={municipality_id} (sieć / network id={network_id})")
        if strategy is not None:
            result = load_strategy_file(container.app, strategy, network_id=network_id)
            typer.echo(f"Strategia / Strategy: {result.new_events} zdarzeń / events")


@municipality_app.command("list")
def list_municipalities() -> None:
    """Lista gmin (list the municipalities)."""
    with cli_container() as container:
        for row in container.use_cases.registry.municipalities(OPERATOR):
            typer.echo(f"{row['name']}\tTERYT={row['teryt'] or '-'}\tid={row['id']}")
