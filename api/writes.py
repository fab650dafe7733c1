"""Idempotent execution of a write: one helper every write route goes through."""

from __future__ import annotations

import hashlib
import json
from typing import Callable

from fastapi.responses import JSONResponse
from pydantic import BaseModel

from api.deps import WriteContext
from api.errors import ApiError
from api.schemas.common import Written
from domain.application import Saved
from domain.errors import bilingual
from infra.idempotency import Outcome
from infra.users import User

REPLAYED_HEADER = "Idempotent-Replayed"


def fingerprint(ctx: WriteContext, body: BaseModel | None) -> str:
    """The request's identity: method, path and the validated body in canonical JSON."""
    payload = {"method": ctx.method, "path": ctx.path,
               "body": body.model_dump(mode="json") if body is not None else None}
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def run_write(ctx: WriteContext, user: User, body: BaseModel | None, action: Callable[[], BaseModel],
              *, status_code: int = 201) -> JSONResponse:
    if ctx.key is None:
        return JSONResponse(action().model_dump(mode="json"), status_code=status_code)
    claim = ctx.store.claim(str(user.id), ctx.key, fingerprint(ctx, body))
    if claim.outcome is Outcome.MISMATCH:
        raise ApiError(422, "idempotency_key_reused",
                       bilingual("Ten Idempotency-Key użyto już dla innego żądania.",
                                 "This Idempotency-Key was already used for a different request."),
                       field="Idempotency-Key")
    if claim.outcome is Outcome.IN_FLIGHT:
        raise ApiError(409, "idempotency_in_flight",
                       bilingual("Żądanie z tym Idempotency-Key jest jeszcze w toku.",
                                 "A request with this Idempotency-Key is still in progress; retry later."),
                       field="Idempotency-Key")
    if claim.outcome is Outcome.REPLAY:
        return JSONResponse(claim.body, status_code=claim.status_code, headers={REPLAYED_HEADER: "true"})
    try:
        payload = action().model_dump(mode="json")
    except BaseException:
        ctx.store.release(str(user.id), ctx.key)  # nothing was recorded: the key may be used again
        raise
    ctx.store.complete(str(user.id), ctx.key, status_code, payload)
    return JSONResponse(payload, status_code=status_code)


def written(saved: Saved) -> Written:
    return Written(id=saved.id, version=saved.version, notification_id=saved.notification_id)
