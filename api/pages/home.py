"""The home page of each role, the accessibility statement, the language switch."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.deps import get_container
from api.pages.i18n import request_language
from api.pages.web import MaybeUser, render, see_other
from domain.policy import Action, may
from domain.record_kinds import RECORD_KINDS

router = APIRouter()


def kind_labels(language: str) -> dict[str, str]:
    return {kind: spec.label.in_language(language) for kind, spec in RECORD_KINDS.items()}


@router.get("/")
def home(request: Request, user: MaybeUser) -> Response:
    """The sign-in page for a visitor, the home page of their role for a signed-in user."""
    if user is None:
        return see_other("/login")
    records, follow_ups = [], []
    uc = get_container(request).use_cases
    if may(user, Action.READ_RECORDS):
        records, _ = uc.records.register(user, limit=10)
        follow_ups = uc.records.follow_ups_due(user)
    return render(request, "home.html", user, records=records, follow_ups=follow_ups,
                  kind_labels=kind_labels(request_language(request)))


@router.get("/deklaracja-dostepnosci")
def accessibility_statement(request: Request, user: MaybeUser) -> Response:
    return render(request, "accessibility.html", user)
