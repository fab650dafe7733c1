"""Liveness and read-model lag; the only route that needs no token."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import ContainerDep
from api.errors import problems
from api.schemas.common import Out

router = APIRouter(tags=["health"])


class Health(Out):
    status: str
    log_position: int
    read_models_position: int


@router.get("/health", response_model=Health, responses=problems(),
            summary="Is the service up, and how far have the read models caught up")
def health(c: ContainerDep) -> Health:
    return Health(status="ok", log_position=c.runner.log_position(), read_models_position=c.runner.position())
