"""Users as the admin sees them (no password hashes, no tokens)."""

from __future__ import annotations

from uuid import UUID

from api.schemas.common import Out


class UserOut(Out):
    id: UUID
    email: str
    role: str
    institution_id: UUID | None
    active: bool
    municipality_id: UUID | None = None


class UserList(Out):
    items: list[UserOut]
