"""What the use cases need from outside the domain, as ports the infrastructure implements.

The domain may not import the read models or the stores (imports point `api → infra → projections →
domain`), so the use cases (domain/use_cases/) talk to them through these protocols;
`infra/read_models.py`, `infra/users.py` and `infra/person_directory.py` implement them, and
`infra/container.py` wires them together. Rows come back as plain dicts, as the read models hold them.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Collection, Protocol
from uuid import UUID

from domain.policy import User

Row = dict[str, Any]


class ReadModels(Protocol):
    """Questions answered by the read models, each on read models caught up with the log."""

    # registry
    def networks(self) -> list[Row]: ...
    def municipalities(self) -> list[Row]: ...
    def institutions(self, *, network_ids: Collection[str], kind: str | None = None) -> list[Row]: ...
    def firms(self, *, network_ids: Collection[str]) -> list[Row]: ...

    # activity register
    def records(self, *, network_ids: Collection[str], institution_id: str | None, kind: str | None,
                year: int | None, cursor: str | None, limit: int) -> tuple[list[Row], str | None]: ...

    # strategy and indicators
    def tasks(self, *, strategy_id: str) -> list[Row]: ...
    def task_report(self, code: str, *, strategy_id: str, as_of: date | None) -> Row: ...
    def indicator_events(self, code: str, year: int, *, strategy_id: str, institution_id: str | None,
                         as_of: date | None) -> list[Row]: ...
    def publications(self, code: str, *, strategy_id: str) -> list[Row]: ...
    def published_report(self, number: int, *, strategy_id: str) -> Row: ...
    def year_report(self, *, network_id: str, year: int, as_of: date) -> Row: ...

    # audit trail
    def audit_entries(self, *, network_ids: Collection[str] | None, municipality_ids: Collection[str] | None,
                      user: str | None, institution_id: str | None, record_id: str | None, kind: str | None,
                      recorded_from: datetime | None, recorded_to: datetime | None, cursor: str | None,
                      limit: int) -> tuple[list[Row], str | None]: ...
    def record_history(self, record_id: str) -> list[Row]: ...


class Accounts(Protocol):
    """User accounts and API tokens (the directory, outside the event log: e-mail addresses are personal data)."""

    def add(self, *, email: str, password: str, role: str, institution_id: UUID | None = None,
            municipality_id: UUID | None = None) -> User: ...
    def get(self, user_id: UUID) -> User: ...
    def get_by_email(self, email: str) -> User: ...
    def list(self) -> list[User]: ...
    def disable(self, email: str) -> User: ...


class PersonDirectory(Protocol):
    """Contact persons live outside the event log, so that they can be erased."""

    def exists(self, person_id: UUID) -> bool: ...
