"""What every page shares: rendering in the user's language, the signed-in user, CSRF, errors.

- Sessions: a random token in the `__Host-splot_session` cookie (Secure, HttpOnly, SameSite=Lax, path /);
  the server keeps the session (infra/web_sessions.py). Browsers accept Secure cookies from
  http://127.0.0.1 and http://localhost, so `make run` works without TLS on loopback.
- CSRF: every form carries the session's token (`csrf_token`), checked on every POST, and a POST must
  come from this site (`Sec-Fetch-Site` same-origin or none; an `Origin`, when sent, equal to ours). The
  sign-in form, before there is a session, uses a double-submit cookie (`__Host-splot_csrf`).
- No state changes on GET. Every form works with JavaScript off: POST → 303 → GET.
- Errors under the pages are pages (`render_error`), never problem+json.
"""

from __future__ import annotations

import hmac
import secrets
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlsplit

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from api.deps import get_container
from api.pages.i18n import LANGUAGE_COOKIE, LANGUAGES, date_time, long_date, request_language, translations
from domain.errors import DomainError, Message
from domain.policy import Action, Role, User, may

SESSION_COOKIE = "__Host-splot_session"
LOGIN_CSRF_COOKIE = "__Host-splot_csrf"
TEMPLATES = Path(__file__).parent / "templates"


def _environment(language: str) -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                      extensions=["jinja2.ext.i18n"], trim_blocks=True, lstrip_blocks=True)
    env.install_gettext_translations(translations(language), newstyle=True)  # type: ignore[attr-defined]
    env.filters["long_date"] = lambda value: long_date(value, language)
    env.filters["date_time"] = lambda value: date_time(value, language)
    env.filters["say"] = lambda value: say(value, language)
    return env


ENVIRONMENTS = {language: _environment(language) for language in LANGUAGES}


def say(text: Any, language: str) -> str:
    """A use case's message in the page's language only (a Message carries both)."""
    if isinstance(text, Message):
        return text.in_language(language)
    return "" if text is None else str(text)


class SignInRequired(Exception):
    """No live session: the page answers with a redirect to the sign-in page."""


class RefusedForm(Exception):
    """A POST without this session's CSRF token or from another site."""


def session_token(request: Request) -> str | None:
    return request.cookies.get(SESSION_COOKIE)


def current_session(request: Request):
    return get_container(request).sessions.get(session_token(request))


def optional_user(request: Request) -> User | None:
    session = current_session(request)
    if session is None or session.second_factor_pending:
        return None
    request.state.web_session = session
    return get_container(request).users.get(session.user_id)


def signed_in_user(request: Request) -> User:
    user = optional_user(request)
    if user is None:
        raise SignInRequired()
    return user


PageUser = Annotated[User, Depends(signed_in_user)]
MaybeUser = Annotated[User | None, Depends(optional_user)]


def same_site_post(request: Request) -> None:
    """Refuses a POST that a browser says came from another site (checked before the form is read)."""
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None and fetch_site not in ("same-origin", "none"):
        raise RefusedForm()
    origin = request.headers.get("origin")
    if origin is not None and origin != "null":
        ours = f"{request.url.scheme}://{request.url.netloc}"
        parts = urlsplit(origin)
        if f"{parts.scheme}://{parts.netloc}" != ours:
            raise RefusedForm()
    elif origin == "null":
        raise RefusedForm()


async def verified_form(request: Request) -> dict[str, Any]:
    """The POSTed form, after the CSRF checks: this site, and this session's token."""
    same_site_post(request)
    form = await request.form()
    session = current_session(request)
    sent = str(form.get("csrf_token", ""))
    expected = session.csrf_token if session else None
    if not expected or not hmac.compare_digest(sent, expected):
        raise RefusedForm()
    return {key: form.getlist(key) if len(form.getlist(key)) > 1 else form.get(key) for key in form.keys()}


def login_csrf_token(request: Request) -> str:
    return request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(32)


def page_context(request: Request, user: User | None, **context: Any) -> dict[str, Any]:
    language = request_language(request)
    session = getattr(request.state, "web_session", None)
    other = "en" if language == "pl" else "pl"
    return {"request": request, "user": user, "language": language, "other_language": other,
            "switch_language_url": _with_query(request, lang=other), "csrf_token": session.csrf_token if session else "",
            "may": (lambda action: user is not None and may(user, Action(action))), "Role": Role,
            "path": request.url.path, **context}


def _with_query(request: Request, **params: str) -> str:
    query = {**request.query_params, **params}
    return request.url.path + "?" + "&".join(f"{quote(k)}={quote(str(v))}" for k, v in query.items())


def render(request: Request, template: str, user: User | None = None, *, status_code: int = 200,
           **context: Any) -> HTMLResponse:
    ctx = page_context(request, user, **context)
    html = ENVIRONMENTS[ctx["language"]].get_template(template).render(ctx)
    response = HTMLResponse(html, status_code=status_code, headers={"Cache-Control": "no-store"})
    if request.query_params.get("lang") in LANGUAGES:
        response.set_cookie(LANGUAGE_COOKIE, ctx["language"], max_age=365 * 24 * 3600, samesite="lax",
                            secure=True, httponly=True)
    return response


def see_other(url: str) -> RedirectResponse:
    """POST → 303 → GET."""
    return RedirectResponse(url, status_code=303)


def render_error(request: Request, status: int, code: str, detail: str, errors: list, headers: dict | None) -> Response:
    """The pages' answer to an error (registered for every path outside /api/)."""
    response = render(request, "error.html", None, status_code=status, status=status, code=code, detail=detail)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def field_errors(error: DomainError, language: str) -> dict[str, str]:
    """A domain error as the form shows it: one message on its field (or on the form as a whole)."""
    return {error.field or "form": say(error.text, language)}
