"""Strategy files (TOML, docs/STRATEGY-FILE.md) read and applied through the strategy use cases.

The default strategy (two tasks of the Leszno strategy) ships inside the package as
infra/strategy_data/leszno.toml; nothing outside the project is read at run time.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any
from uuid import UUID

from domain.application import DEFAULT_NETWORK_ID, Splot
from domain.errors import ValidationFailed, bilingual
from domain.strategy.document import SUPPORTED_FORMAT, parse_strategy  # noqa: F401 (read here by the CLI and tests)
from domain.strategy.use_cases import StrategyApplied
from domain.values import Actor

DEFAULT_STRATEGY_RESOURCE = "leszno.toml"
SYSTEM = Actor(user_id="system")


def default_strategy_text() -> str:
    return resources.files("infra.strategy_data").joinpath(DEFAULT_STRATEGY_RESOURCE).read_text(encoding="utf-8")


def read_strategy_file(path: Path | str) -> dict[str, Any]:
    """The strategy document in a file (docs/STRATEGY-FILE.md), checked for its format."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ValidationFailed(bilingual(f"Nie można odczytać pliku {path}: {error.strerror}.",
                                         f"Cannot read {path}: {error.strerror}."), field="file") from None
    return parse_strategy(text, origin=path.name)


def file_reason(path: Path | str) -> str:
    return f"plik strategii {Path(path).name}"


def load_strategy_file(app: Splot, path: Path | str, *, actor: Actor = SYSTEM,
                       network_id: UUID = DEFAULT_NETWORK_ID) -> StrategyApplied:
    """Applies a strategy file to a network's strategy as the system (bootstrap, tests); a person loads
    one through the use case (`uc.strategy.apply_document`)."""
    return app.strategy.apply_strategy(read_strategy_file(path), actor=actor, reason=file_reason(path),
                                       network_id=network_id)


def load_default_strategy(app: Splot, *, network_id: UUID = DEFAULT_NETWORK_ID) -> StrategyApplied | None:
    """Loads the shipped strategy into a store that has none; does nothing otherwise."""
    if app.strategy.has_strategy(network_id):
        return None
    document = parse_strategy(default_strategy_text(), origin=DEFAULT_STRATEGY_RESOURCE)
    return app.strategy.apply_strategy(document, actor=SYSTEM, reason="domyślna strategia (Strategia rozwoju Leszna)",
                                       network_id=network_id)
