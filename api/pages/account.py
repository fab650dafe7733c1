"""Signing in and out, and changing one's password.

Sign-in is decided by `uc.sign_in` (domain/use_cases/sign_in.py): throttled per account and per address
before the password is hashed (429 with Retry-After), every outcome an event of the audit trail; a failed
sign-in says only that the e-mail or password is wrong (it never tells which accounts exist).
After the password a coordinator or admin holds a session still waiting for the second factor, which
api/pages/second_factor.py completes.
"""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from api.deps import get_container
from api.pages.i18n import request_language
from api.pages.web import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    MaybeUser,
    PageUser,
    RefusedForm,
    field_errors,
    render,
    same_site_post,
    see_other,
    session_token,
    verified_form,
)
from domain.errors import DomainError
from domain.use_cases.sign_in import SignInRefused, SignInThrottled
from domain.use_cases.users import SignInStep

router = APIRouter()
# Coordinators and admins give a TOTP code after the password (api/pages/second_factor.py).
SECOND_FACTOR_PAGES = {SignInStep.CODE: "/logowanie/kod", SignInStep.ENROL: "/logowanie/kod/konfiguracja"}


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _safe_next(value: object) -> str:
    """Only a path on this site (never //host or a scheme): no open redirect after sign-in."""
    text = str(value or "/")
    return text if text.startswith("/") and not text.startswith("//") and "\\" not in text else "/"


def _login_page(request: Request, *, email: str = "", errors: dict | None = None, next_url: str = "/",
                status_code: int = 200, headers: dict | None = None) -> Response:
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(32)
    response = render(request, "login.html", None, status_code=status_code, login_csrf=token, email=email,
                      errors=errors or {}, next=next_url, field_ids={"form": "email"})
    response.set_cookie(LOGIN_CSRF_COOKIE, token, secure=True, httponly=True, samesite="lax", path="/")
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


@router.get("/login")
def login_form(request: Request, user: MaybeUser) -> Response:
    if user is not None:
        return see_other("/")
    return _login_page(request, next_url=_safe_next(request.query_params.get("next")))


@router.post("/login")
async def login(request: Request) -> Response:
    same_site_post(request)
    form = await request.form()
    sent, expected = str(form.get("csrf_token", "")), request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not hmac.compare_digest(sent, expected):
        raise RefusedForm()
    container = get_container(request)
    language = request_language(request)
    email, password = str(form.get("email", "")).strip(), str(form.get("password", ""))
    next_url = _safe_next(form.get("next"))
    try:
        result = container.use_cases.sign_in.sign_in(email, password, address=client_address(request))
    except SignInThrottled as refused:
        return _login_page(request, email=email, errors={"email": refused.text.in_language(language)},
                           next_url=next_url, status_code=429, headers={"Retry-After": str(refused.wait)})
    except SignInRefused as refused:
        return _login_page(request, email=email, errors={"email": refused.text.in_language(language)},
                           next_url=next_url, status_code=400)
    user, step = result.user, result.step
    session = container.sessions.start(user.id, second_factor_pending=step is not SignInStep.DONE)
    response = see_other(next_url if step is SignInStep.DONE else
                         f"{SECOND_FACTOR_PAGES[step]}?next={quote(next_url, safe='')}")
    response.set_cookie(SESSION_COOKIE, session.token, secure=True, httponly=True, samesite="lax", path="/")
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/", secure=True, httponly=True, samesite="lax")
    return response


@router.post("/wyloguj")
def logout(request: Request, user: MaybeUser, form: dict = Depends(verified_form)) -> Response:
    token = session_token(request)
    if token:
        get_container(request).use_cases.sign_in.sign_out(user, address=client_address(request))
        get_container(request).sessions.end(token)
    response = see_other("/login")
    response.delete_cookie(SESSION_COOKIE, path="/", secure=True, httponly=True, samesite="lax")
    return response


FIELD_IDS = {"current_password": "current_password", "new_password": "new_password",
             "repeated_password": "repeated_password", "form": "current_password"}


@router.get("/haslo")
def password_form(request: Request, user: PageUser) -> Response:
    return render(request, "password.html", user, errors={}, field_ids=FIELD_IDS, changed=bool(
        request.query_params.get("zmieniono")))


@router.post("/haslo")
def change_password(request: Request, user: PageUser, form: dict = Depends(verified_form)) -> Response:
    try:
        get_container(request).use_cases.users.change_password(
            user, current=str(form.get("current_password", "")), new=str(form.get("new_password", "")),
            repeated=str(form.get("repeated_password", "")))
    except DomainError as error:
        return render(request, "password.html", user, status_code=400, field_ids=FIELD_IDS,
                      errors=field_errors(error, request_language(request)))
    return see_other("/haslo?zmieniono=1")
