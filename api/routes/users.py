"""User management for admins. Users are created only with `splot user add` (the password is typed
on the server, never sent over the API); admins list them and disable them here."""

from __future__ import annotations

from dataclasses import asdict
from uuid import UUID

from fastapi import APIRouter, Request

from api.deps import UserManager
from api.errors import problems
from api.policy import check_not_self
from api.schemas.users import UserList, UserOut
from infra.users import UserStore

router = APIRouter(tags=["users"])


def _store(request: Request) -> UserStore:
    return request.app.state.users


@router.get("/users", response_model=UserList, responses=problems(401, 403, 422), summary="List users (admin)")
def list_users(user: UserManager, request: Request) -> UserList:
    return UserList(items=[UserOut(**asdict(u)) for u in _store(request).list()])


@router.post("/users/{user_id}/disable", response_model=UserOut, responses=problems(401, 403, 404, 409, 422),
             summary="Disable a user: their tokens stop working at once (admin)")
def disable_user(user_id: UUID, user: UserManager, request: Request) -> UserOut:
    users = _store(request)
    target = users.get(user_id)
    check_not_self(user, target.id)
    return UserOut(**asdict(users.disable(target.email)))
