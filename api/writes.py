"""Idempotent execution of a write: one helper every write route goes through."""

from __future__ import annotations

import hashlib
import json
from typing import Any, Callable

from fastapi.responses import JSONResponse
from pydantic import BaseModel

from api.deps import WriteContext
from api.errors import ApiError
from api.schemas.common import Written
from domain.application import Saved
from domain.closing import ReportingYear
from domain.errors import bilingual
from domain.idempotency import KeyTaken
from domain.strategy.model import Strategy
from infra.idempotency import Claim, Outcome
from infra.users import User

REPLAYED_HEADER = "Idempotent-Replayed"


def fingerprint(ctx: WriteContext, body: BaseModel | None) -> str:
    """The request's identity: method, path and the validated body in canonical JSON."""
    payload = {"method": ctx.method, "path": ctx.path,
               "body": body.model_dump(mode="json") if body is not None else None}
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def run_write(ctx: WriteContext, user: User, body: BaseModel | None, action: Callable[[], BaseModel],
              *, status_code: int = 201) -> JSONResponse:
    """Runs a write; with an Idempotency-Key, its key is saved in the write's own transaction
    (infra/idempotency.py), so a retry after any failure answers as the first time or writes once."""
    if ctx.key is None:
        return JSONResponse(action().model_dump(mode="json"), status_code=status_code)
    request_print = fingerprint(ctx, body)
    for _ in range(3):  # a lost race with the same key is answered with the winner's outcome
        claim = ctx.store.claim(str(user.id), ctx.key, request_print)
        if claim.outcome is Outcome.MISMATCH:
            raise ApiError(422, "idempotency_key_reused",
                           bilingual("Ten Idempotency-Key użyto już dla innego żądania.",
                                     "This Idempotency-Key was already used for a different request."),
                           field="Idempotency-Key")
        if claim.outcome is Outcome.REPLAY:
            return JSONResponse(replayed_body(claim), status_code=claim.status_code, headers={REPLAYED_HEADER: "true"})
        try:
            with ctx.store.pending(claim, status_code):
                payload = action().model_dump(mode="json")
        except KeyTaken:
            continue
        return JSONResponse(payload, status_code=status_code)
    raise ApiError(409, "idempotency_conflict",
                   bilingual("Żądania z tym Idempotency-Key nadchodzą jednocześnie; spróbuj ponownie.",
                             "Requests with this Idempotency-Key keep arriving at once; retry."),
                   field="Idempotency-Key")


def replayed_body(claim: Claim) -> dict[str, Any]:
    """The first answer, rebuilt from the key and the log: what `written` gave, plus the details a close
    (report version and hash) or a publication (its number) answered with."""
    body: dict[str, Any] = {"id": str(claim.result_id), "version": claim.result_version,
                            "notification_id": claim.notification_id}
    event = claim.result_event
    if isinstance(event, ReportingYear.Closed):
        body |= {"report_version": event.report_version, "report_hash": event.report_hash}
    elif isinstance(event, Strategy.ReportPublished):
        body["number"] = claim.result_version
    return body


def written(saved: Saved) -> Written:
    return Written(id=saved.id, version=saved.version, notification_id=saved.notification_id)
