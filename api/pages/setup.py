"""The one-time setup link: the first person creates the admin account in the browser.

`splot serve` prints `/konfiguracja/<token>` when the store has no users (infra/setup_tokens.py keeps
the rule: only then, only with a live token, only once). There is no session yet, so the form carries
the sign-in page's double-submit CSRF token; the new admin then signs in at /login as anyone does (so a
second factor, when asked for, is set up there).
"""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.deps import get_container
from api.pages.i18n import request_language
from api.pages.web import LOGIN_CSRF_COOKIE, RefusedForm, field_errors, login_csrf_token, render, same_site_post, see_other
from domain.errors import DomainError

router = APIRouter()

FIELD_IDS = {"email": "email", "password": "password", "repeated_password": "repeated_password", "form": "email"}


def _form(request: Request, token: str, *, email: str = "", errors: dict | None = None,
          status_code: int = 200) -> Response:
    csrf = login_csrf_token(request)
    response = render(request, "setup.html", None, status_code=status_code, setup_csrf=csrf, token=token,
                      email=email, errors=errors or {}, field_ids=FIELD_IDS)
    response.set_cookie(LOGIN_CSRF_COOKIE, csrf, secure=True, httponly=True, samesite="lax", path="/")
    return response


def _invalid(request: Request) -> Response:
    return render(request, "setup_invalid.html", None, status_code=410)


@router.get("/konfiguracja/gotowe")
def done(request: Request) -> Response:
    return render(request, "setup_done.html", None)


@router.get("/konfiguracja/{token}")
def setup_form(request: Request, token: str) -> Response:
    if not get_container(request).setup_tokens.is_live(token):
        return _invalid(request)
    return _form(request, token)


@router.post("/konfiguracja/{token}")
async def create_first_admin(request: Request, token: str) -> Response:
    same_site_post(request)
    form = await request.form()
    sent, expected = str(form.get("csrf_token", "")), request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not hmac.compare_digest(sent, expected):
        raise RefusedForm()
    email = str(form.get("email", "")).strip()
    try:
        get_container(request).setup_tokens.create_first_admin(
            token, email=email, password=str(form.get("password", "")),
            repeated=str(form.get("repeated_password", "")))
    except DomainError as error:
        if error.code == "setup_link_invalid":
            return _invalid(request)
        return _form(request, token, email=email, status_code=400,
                     errors=field_errors(error, request_language(request)))
    response = see_other("/konfiguracja/gotowe")
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/", secure=True, httponly=True, samesite="lax")
    return response
