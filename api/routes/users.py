"""User management for admins. Users are created only with `splot user add` (the password is typed
on the server, never sent over the API); admins list them and disable them here."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter

from api.deps import UseCasesDep, UserManager
from api.errors import problems
from api.schemas.users import UserList, UserOut
from domain.policy import User

router = APIRouter(tags=["users"])


def _out(user: User) -> UserOut:
    return UserOut(id=user.id, email=user.email, role=user.role, institution_id=user.institution_id,
                   active=user.active, municipality_id=user.municipality_id)


@router.get("/users", response_model=UserList, responses=problems(401, 403, 422), summary="List users (admin)")
def list_users(user: UserManager, uc: UseCasesDep) -> UserList:
    return UserList(items=[_out(u) for u in uc.users.list(user)])


@router.post("/users/{user_id}/disable", response_model=UserOut, responses=problems(401, 403, 404, 409, 422),
             summary="Disable a user: their tokens stop working at once (admin)")
def disable_user(user_id: UUID, user: UserManager, uc: UseCasesDep) -> UserOut:
    return _out(uc.users.disable(user, user_id))
