"""The signed-in user's profile (issue 10): who they are in Splot, and their API tokens for integrations — a
token is created with a name saying what it is for and shown once, on the page that answers the POST (never
in a URL); revoking one asks for confirmation. Also the one-time link with which a person sets their
password (`/konto/haslo/<token>`, issued by an admin): there is no session there, so its form carries the
sign-in page's double-submit CSRF token, as api/pages/setup.py does.

Each route calls one use case of `uc.users` (domain/use_cases/users.py, api_tokens.py) and renders.
"""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from api.deps import get_container
from api.pages.i18n import request_language
from api.pages.web import (LOGIN_CSRF_COOKIE, PageUser, RefusedForm, field_errors, login_csrf_token, render,
                           same_site_post, see_other, verified_form)
from domain.errors import DomainError, NotFound

router = APIRouter()

PROFILE = "/profil"
TOKEN_FIELD_IDS = {"name": "name", "form": "name"}
PASSWORD_FIELD_IDS = {"password": "password", "repeated_password": "repeated_password", "form": "password"}


@router.get(PROFILE)
def profile(request: Request, user: PageUser, uniewazniono: str = "") -> Response:
    view = get_container(request).use_cases.users.profile(user)
    return render(request, "profile.html", user, view=view, revoked=bool(uniewazniono))


@router.get(PROFILE + "/tokeny/nowy")
def token_form(request: Request, user: PageUser) -> Response:
    get_container(request).use_cases.users.my_tokens(user)  # may this account use the API at all
    return render(request, "profile_token_form.html", user, values={}, errors={}, field_ids=TOKEN_FIELD_IDS)


@router.post(PROFILE + "/tokeny/nowy")
def create_token(request: Request, user: PageUser, form: dict = Depends(verified_form)) -> Response:
    name = str(form.get("name") or "")
    try:
        issued = get_container(request).use_cases.users.create_my_token(user, name=name)
    except DomainError as error:
        if error.code == "forbidden":
            raise
        return render(request, "profile_token_form.html", user, status_code=400, values={"name": name},
                      errors=field_errors(error, request_language(request)), field_ids=TOKEN_FIELD_IDS)
    return render(request, "profile_token_created.html", user, issued=issued)


@router.get(PROFILE + "/tokeny/{token_id}/uniewaznienie")
def confirm_revoke(request: Request, token_id: str, user: PageUser) -> Response:
    token = get_container(request).use_cases.users.token(user, token_id)
    return render(request, "profile_token_revoke.html", user, token=token,
                  action=f"{PROFILE}/tokeny/{token.id}/uniewaznienie", back=PROFILE)


@router.post(PROFILE + "/tokeny/{token_id}/uniewaznienie")
def revoke(request: Request, token_id: str, user: PageUser, form: dict = Depends(verified_form)) -> Response:
    get_container(request).use_cases.users.revoke_token(user, token_id)
    return see_other(f"{PROFILE}?uniewazniono=1")


# ---------------------------------------------------------------------------------------------- the one-time link
def _password_form(request: Request, token: str, email: str, *, errors: dict | None = None,
                   status_code: int = 200) -> Response:
    csrf = login_csrf_token(request)
    response = render(request, "profile_password_link.html", None, status_code=status_code, link_csrf=csrf,
                      token=token, email=email, errors=errors or {}, field_ids=PASSWORD_FIELD_IDS)
    response.set_cookie(LOGIN_CSRF_COOKIE, csrf, secure=True, httponly=True, samesite="lax", path="/")
    return response


def _link_invalid(request: Request, error: DomainError) -> Response:
    return render(request, "profile_password_link_invalid.html", None, status_code=410,
                  message=error.text.in_language(request_language(request)))


@router.get("/konto/haslo/ustawione")
def password_set(request: Request) -> Response:
    return render(request, "profile_password_link_done.html", None)


@router.get("/konto/haslo/{token}")
def password_link(request: Request, token: str) -> Response:
    try:
        account = get_container(request).use_cases.users.password_link_account(token)
    except NotFound as error:
        return _link_invalid(request, error)
    return _password_form(request, token, account.email)


@router.post("/konto/haslo/{token}")
async def set_password(request: Request, token: str) -> Response:
    same_site_post(request)
    form = await request.form()
    sent, expected = str(form.get("csrf_token", "")), request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not hmac.compare_digest(sent, expected):
        raise RefusedForm()
    uc = get_container(request).use_cases.users
    try:
        await run_in_threadpool(uc.set_password_with_link, token, password=str(form.get("password", "")),
                                repeated=str(form.get("repeated_password", "")))  # argon2 off the event loop
    except NotFound as error:
        return _link_invalid(request, error)
    except DomainError as error:
        try:
            email = uc.password_link_account(token).email
        except NotFound as gone:
            return _link_invalid(request, gone)
        return _password_form(request, token, email, status_code=400,
                              errors=field_errors(error, request_language(request)))
    response = see_other("/konto/haslo/ustawione")
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/", secure=True, httponly=True, samesite="lax")
    return response
