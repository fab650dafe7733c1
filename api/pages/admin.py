"""Administration pages (issue 10): the admin's users as a table, adding one (with a one-time link to set the
password, shown once), changing a role or institution, disabling (a confirmation page first), a new link
after a forgotten password, revoking a user's API token; each user's page shows the account's history.

Every action is one use case of `uc.users` (domain/use_cases/users.py), which asks the policy first and keeps
the rules (never the last active admin; staff and leads need an institution). POST → 303 → GET with a
banner named in the query, except where a one-time link is shown: that page answers the POST itself, so the
link never sits in a URL or the browser's history.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from api.deps import get_container
from api.pages.i18n import request_language
from api.pages.web import PageUser, field_errors, render, say, see_other, verified_form
from domain.errors import DomainError, NotFound, ValidationFailed, bilingual
from domain.policy import User

router = APIRouter()

BASE = "/admin/uzytkownicy"
FIELD_IDS = {"email": "email", "role": "role", "institution_id": "institution_id", "institution": "institution_id",
             "municipality_id": "municipality_id", "user_id": "role", "form": "email"}


def _user_id(value: str) -> UUID:
    try:
        return UUID(value)
    except ValueError:
        raise NotFound(bilingual("Nie ma takiego użytkownika.", "No such user."), field="user_id") from None


def _optional_uuid(value: Any, field: str, message) -> UUID | None:
    text = str(value or "").strip()
    if not text:
        return None
    try:
        return UUID(text)
    except ValueError:
        raise ValidationFailed(message, field=field) from None


CHOOSE_INSTITUTION = bilingual("Wybierz instytucję z listy.", "Choose an institution from the list.")
CHOOSE_MUNICIPALITY = bilingual("Wybierz gminę z listy.", "Choose a municipality from the list.")


def _link_url(request: Request, path: str) -> str:
    return f"{request.url.scheme}://{request.url.netloc}{path}"


# ---------------------------------------------------------------------------------------------- the list
@router.get(BASE)
def users(request: Request, user: PageUser) -> Response:
    rows = get_container(request).use_cases.users.accounts_overview(user)
    return render(request, "admin_users.html", user, rows=rows)


# ---------------------------------------------------------------------------------------------- adding
def _roles(request: Request, choices) -> list[tuple[str, str]]:
    language = request_language(request)
    return [(value, say(words, language)) for value, words in choices.roles]


def _add_form(request: Request, user: User, values: dict, errors: dict, status_code: int = 200) -> Response:
    choices = get_container(request).use_cases.users.choices(user)
    return render(request, "admin_user_form.html", user, status_code=status_code, choices=choices, values=values,
                  roles=_roles(request, choices), errors=errors, field_ids=FIELD_IDS, target=None)


@router.get(BASE + "/nowy")
def add_form(request: Request, user: PageUser) -> Response:
    return _add_form(request, user, {}, {})


@router.post(BASE + "/nowy")
def add(request: Request, user: PageUser, form: dict = Depends(verified_form)) -> Response:
    values = {key: str(form.get(key) or "").strip() for key in ("email", "role", "institution_id", "municipality_id")}
    try:
        link = get_container(request).use_cases.users.invite(
            user, email=values["email"], role=values["role"],
            institution_id=_optional_uuid(values["institution_id"], "institution_id", CHOOSE_INSTITUTION),
            municipality_id=_optional_uuid(values["municipality_id"], "municipality_id", CHOOSE_MUNICIPALITY))
    except (ValidationFailed, NotFound) as error:
        return _add_form(request, user, values, field_errors(error, request_language(request)), 400)
    except DomainError as error:  # the e-mail is taken
        return _add_form(request, user, values, field_errors(error, request_language(request)), 409)
    return render(request, "admin_link.html", user, link=link, url=_link_url(request, link.path), new_account=True)


# ---------------------------------------------------------------------------------------------- one user
@router.get(BASE + "/{user_id}")
def account(request: Request, user_id: str, user: PageUser, zmieniono: str = "", uniewazniono: str = "",
            wylaczono: str = "") -> Response:
    view = get_container(request).use_cases.users.account(user, _user_id(user_id))
    return render(request, "admin_user.html", user, view=view, changed=bool(zmieniono), revoked=bool(uniewazniono),
                  disabled=bool(wylaczono))


@router.post(BASE + "/{user_id}/link")
def new_link(request: Request, user_id: str, user: PageUser, form: dict = Depends(verified_form)) -> Response:
    link = get_container(request).use_cases.users.issue_password_link(user, _user_id(user_id))
    return render(request, "admin_link.html", user, link=link, url=_link_url(request, link.path), new_account=False)


# ---------------------------------------------------------------------------------------------- role and institution
def _role_form(request: Request, user: User, target_id: UUID, values: dict, errors: dict,
               status_code: int = 200) -> Response:
    uc = get_container(request).use_cases.users
    view = uc.account(user, target_id)
    if not values:
        target = view.row.user
        values = {"role": target.role.value, "institution_id": str(target.institution_id or "")}
    choices = uc.choices(user)
    return render(request, "admin_user_form.html", user, status_code=status_code, choices=choices,
                  roles=_roles(request, choices), values=values, errors=errors, field_ids=FIELD_IDS, target=view.row)


@router.get(BASE + "/{user_id}/rola")
def role_form(request: Request, user_id: str, user: PageUser) -> Response:
    return _role_form(request, user, _user_id(user_id), {}, {})


@router.post(BASE + "/{user_id}/rola")
def change_role(request: Request, user_id: str, user: PageUser, form: dict = Depends(verified_form)) -> Response:
    target_id = _user_id(user_id)
    values = {key: str(form.get(key) or "").strip() for key in ("role", "institution_id")}
    try:
        get_container(request).use_cases.users.set_role(
            user, target_id, role=values["role"],
            institution_id=_optional_uuid(values["institution_id"], "institution_id", CHOOSE_INSTITUTION))
    except NotFound:
        raise
    except ValidationFailed as error:
        return _role_form(request, user, target_id, values, field_errors(error, request_language(request)), 400)
    except DomainError as error:  # the last active admin, one's own role
        return _role_form(request, user, target_id, values, field_errors(error, request_language(request)), 409)
    return see_other(f"{BASE}/{target_id}?zmieniono=1")


# ---------------------------------------------------------------------------------------------- disabling
def _disable_page(request: Request, user: User, target_id: UUID, refusal: str | None = None,
                  status_code: int = 200) -> Response:
    view = get_container(request).use_cases.users.account(user, target_id)
    return render(request, "admin_disable.html", user, status_code=status_code, view=view, refusal=refusal)


@router.get(BASE + "/{user_id}/wylaczenie")
def confirm_disable(request: Request, user_id: str, user: PageUser) -> Response:
    return _disable_page(request, user, _user_id(user_id))


@router.post(BASE + "/{user_id}/wylaczenie")
def disable(request: Request, user_id: str, user: PageUser, form: dict = Depends(verified_form)) -> Response:
    target_id = _user_id(user_id)
    try:
        get_container(request).use_cases.users.disable(user, target_id)
    except NotFound:
        raise
    except DomainError as error:  # the last active admin, oneself
        return _disable_page(request, user, target_id, refusal=say(error.text, request_language(request)),
                             status_code=409)
    return see_other(f"{BASE}/{target_id}?wylaczono=1")


# ---------------------------------------------------------------------------------------------- a user's token
@router.get(BASE + "/{user_id}/tokeny/{token_id}/uniewaznienie")
def confirm_revoke(request: Request, user_id: str, token_id: str, user: PageUser) -> Response:
    token = get_container(request).use_cases.users.token(user, token_id)
    return render(request, "profile_token_revoke.html", user, token=token,
                  action=f"{BASE}/{_user_id(user_id)}/tokeny/{token.id}/uniewaznienie", back=f"{BASE}/{user_id}")


@router.post(BASE + "/{user_id}/tokeny/{token_id}/uniewaznienie")
def revoke(request: Request, user_id: str, token_id: str, user: PageUser, form: dict = Depends(verified_form)) -> Response:
    target_id = _user_id(user_id)
    get_container(request).use_cases.users.revoke_token(user, token_id)
    return see_other(f"{BASE}/{target_id}?uniewazniono=1")
