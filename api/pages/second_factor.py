"""The second sign-in step of coordinators and admins: a TOTP code, or on first sign-in the enrolment.

After a correct password (api/pages/account.py) they hold a session with `second_factor_pending`, which
opens no signed-in page (`web.optional_user`) and only these: `/logowanie/kod` asks for the 6-digit code,
`/logowanie/kod/konfiguracja` shows the QR code of a new secret (drawn on the server; the secret is also
shown as text) and asks for a first code. Only a correct code turns it into a full session, under a new
token (`SessionStore.second_factor_given`). `uc.sign_in.give_code` throttles code attempts per account like
passwords and records the outcome in the audit trail.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from api.deps import get_container
from api.pages.account import _safe_next, client_address
from api.pages.i18n import request_language
from api.pages.web import SESSION_COOKIE, current_session, field_errors, render, see_other, verified_form
from domain.errors import DomainError, bilingual
from domain.policy import User
from domain.use_cases.sign_in import SignInThrottled

router = APIRouter()

CODE_PAGE = "/logowanie/kod"
ENROL_PAGE = "/logowanie/kod/konfiguracja"
FIELD_IDS = {"code": "code", "form": "code"}
QR_TITLE = bilingual("Kod QR do zeskanowania aplikacją uwierzytelniającą; ten sam klucz jest podany niżej jako tekst.",
                     "QR code to scan with an authenticator app; the same key is given below as text.")


def _pending(request: Request) -> tuple[object, User] | None:
    """The session still waiting for the second factor, and its user; None for any other visitor."""
    session = current_session(request)
    if session is None or not session.second_factor_pending:
        return None
    request.state.web_session = session  # the forms carry this session's CSRF token
    return session, get_container(request).users.get(session.user_id)


def _elsewhere(request: Request) -> Response:
    """No pending session: a signed-in user goes home, anyone else signs in."""
    session = current_session(request)
    return see_other("/" if session is not None and not session.second_factor_pending else "/login")



def _page(request: Request, template: str, *, next_url: str, errors: dict | None = None, status_code: int = 200,
          headers: dict | None = None, **context) -> Response:
    response = render(request, template, None, status_code=status_code, errors=errors or {}, field_ids=FIELD_IDS,
                      next=next_url, **context)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _signed_in(request: Request, session, user: User, next_url: str) -> Response:
    full = get_container(request).sessions.second_factor_given(session)
    response = see_other(next_url)
    response.set_cookie(SESSION_COOKIE, full.token, secure=True, httponly=True, samesite="lax", path="/")
    return response


@router.get(CODE_PAGE)
def code_form(request: Request) -> Response:
    pending = _pending(request)
    if pending is None:
        return _elsewhere(request)
    next_url = _safe_next(request.query_params.get("next"))
    return _page(request, "second_factor.html", next_url=next_url)


@router.post(CODE_PAGE)
def give_code(request: Request, form: dict = Depends(verified_form)) -> Response:
    pending = _pending(request)
    if pending is None:
        return _elsewhere(request)
    session, user = pending
    next_url = _safe_next(form.get("next"))
    try:
        get_container(request).use_cases.sign_in.give_code(user, str(form.get("code", "")),
                                                           address=client_address(request))
    except SignInThrottled as refused:
        return _page(request, "second_factor.html", next_url=next_url, status_code=429,
                     errors={"code": refused.text.in_language(request_language(request))},
                     headers={"Retry-After": str(refused.wait)})
    except DomainError as error:
        return _page(request, "second_factor.html", next_url=next_url, status_code=400,
                     errors=field_errors(error, request_language(request)))
    return _signed_in(request, session, user, next_url)


def _enrolment_page(request: Request, user: User, *, next_url: str, errors: dict | None = None,
                    status_code: int = 200, headers: dict | None = None) -> Response:
    language = request_language(request)
    enrolment = get_container(request).use_cases.users.totp_enrolment(user, qr_title=QR_TITLE.in_language(language))
    if enrolment is None:  # enrolled meanwhile (another tab), or the offer is gone: ask for a code instead
        return see_other(f"{CODE_PAGE}?next={quote(next_url, safe='')}")
    grouped = " ".join(enrolment.secret[i:i + 4] for i in range(0, len(enrolment.secret), 4))
    return _page(request, "second_factor_enrol.html", next_url=next_url, errors=errors, status_code=status_code,
                 headers=headers, enrolment=enrolment, grouped_secret=grouped, account=user.email)


@router.get(ENROL_PAGE)
def enrol_form(request: Request) -> Response:
    pending = _pending(request)
    if pending is None:
        return _elsewhere(request)
    return _enrolment_page(request, pending[1], next_url=_safe_next(request.query_params.get("next")))


@router.post(ENROL_PAGE)
def confirm_enrolment(request: Request, form: dict = Depends(verified_form)) -> Response:
    pending = _pending(request)
    if pending is None:
        return _elsewhere(request)
    session, user = pending
    next_url = _safe_next(form.get("next"))
    try:
        get_container(request).use_cases.sign_in.give_code(user, str(form.get("code", "")),
                                                           address=client_address(request), enrolling=True)
    except SignInThrottled as refused:
        return _enrolment_page(request, user, next_url=next_url, status_code=429,
                               errors={"code": refused.text.in_language(request_language(request))},
                               headers={"Retry-After": str(refused.wait)})
    except DomainError as error:
        return _enrolment_page(request, user, next_url=next_url, status_code=400,
                               errors=field_errors(error, request_language(request)))
    return _signed_in(request, session, user, next_url)
