"""A strategy file's text (TOML, docs/STRATEGY-FILE.md) read into a strategy document, its format checked.

Here so that every face reads a file the same way: the CLI from a path (infra/strategy_loader.py), the
pages from an upload (domain/use_cases/strategy_changes.py)."""

from __future__ import annotations

import tomllib
from typing import Any

from domain.errors import ValidationFailed, bilingual

SUPPORTED_FORMAT = 1


def parse_strategy(text: str, *, origin: str = "strategy file") -> dict[str, Any]:
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ValidationFailed(bilingual(f"{origin} nie jest poprawnym plikiem TOML: {error}.",
                                         f"{origin} is not valid TOML: {error}"), field="file") from None
    if document.get("format") != SUPPORTED_FORMAT:
        got = document.get("format")
        raise ValidationFailed(bilingual(f"{origin}: wymagane jest 'format = {SUPPORTED_FORMAT}' (podano {got!r}).",
                                         f"{origin}: 'format = {SUPPORTED_FORMAT}' is required (got {got!r})."),
                               field="format")
    return document
