"""Liveness and read-model lag; the only route that needs no token."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import ContainerDep
from api.errors import problems
from api.schemas.common import Out

router = APIRouter(tags=["health"])


class ReadModelsRebuilt(Out):
    """The latest automatic rebuild: the read models did not stand on the log (restored from an older
    copy, truncated or rewritten), so every read model was rebuilt from it."""

    rebuilt_at: str
    reason: str
    read_models_position: int  # where the read models stood, by notification id
    log_position: int  # where the log ended at that moment


class Health(Out):
    status: str  # "ok", or "degraded" when the read models cannot catch up (see read_models_error)
    log_position: int
    read_models_position: int
    read_models_error: str | None = None
    read_models: ReadModelsRebuilt | None = None  # set once the read models were ever rebuilt by themselves


@router.get("/health", response_model=Health, responses=problems(),
            summary="Is the service up, and how far have the read models caught up")
def health(c: ContainerDep) -> Health:
    error = c.runner.last_error
    recovery = c.runner.last_recovery()
    rebuilt = None if recovery is None else ReadModelsRebuilt(
        rebuilt_at=recovery.rebuilt_at, reason=recovery.reason,
        read_models_position=recovery.read_models_position, log_position=recovery.log_position)
    return Health(status="degraded" if error else "ok", log_position=c.runner.log_position(),
                  read_models_position=c.runner.position(), read_models_error=error, read_models=rebuilt)
