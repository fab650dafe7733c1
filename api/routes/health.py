"""Liveness and read-model lag; the only route that needs no token."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import ContainerDep
from api.errors import problems
from api.schemas.common import Out

router = APIRouter(tags=["health"])


class Health(Out):
    status: str  # "ok", or "degraded" when the read models cannot catch up (see read_models_error)
    log_position: int
    read_models_position: int
    read_models_error: str | None = None


@router.get("/health", response_model=Health, responses=problems(),
            summary="Is the service up, and how far have the read models caught up")
def health(c: ContainerDep) -> Health:
    error = c.runner.last_error
    return Health(status="degraded" if error else "ok", log_position=c.runner.log_position(),
                  read_models_position=c.runner.position(), read_models_error=error)
