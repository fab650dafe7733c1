"""Splitting a bilingual error message into its Polish and English sentences."""

from __future__ import annotations

from domain.errors import DomainError


def polish_and_english(error: DomainError) -> tuple[str, str]:
    message = error.message
    assert message.endswith(")"), message
    # The English part is the last top-level parenthesis (it may hold parentheses of its own).
    depth, start = 0, None
    for i in range(len(message) - 1, -1, -1):
        depth += {")": 1, "(": -1}.get(message[i], 0)
        if depth == 0:
            start = i
            break
    assert start and message[start - 1] == " ", message
    return message[:start - 1], message[start + 1:-1]
