"""Valid Polish firm identifiers for tests (checksums computed, never hard-coded)."""

from __future__ import annotations

from domain.values import nip_check_digit, regon_check_digit


def valid_nip(n: int) -> str:
    """The n-th valid NIP of a deterministic sequence (distinct n give distinct NIPs)."""
    prefix = 123450000 + n
    while True:
        digit = nip_check_digit(str(prefix))
        if digit is not None:
            return f"{prefix}{digit}"
        prefix += 100000


def valid_regon(n: int) -> str:
    """The n-th valid 9-digit REGON."""
    prefix = f"{70000000 + n:08d}"
    return prefix + str(regon_check_digit(prefix))
