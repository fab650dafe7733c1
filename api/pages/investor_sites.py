"""The investment-site database's pages (issue 14) over `uc.investor`: /tereny (filters by status, area and
utilities; a CSV export of what the filter shows), a site with its photos and its history, the forms to add and
update a site, add and remove photos, and choose the shared networks that see it. A site another municipality
shares is shown read-only. Photos are served with the type their bytes were checked to be, `nosniff`, and
`Content-Disposition: inline`.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from api.deps import get_container
from api.pages.i18n import request_language
from api.pages.investor import FIELD_IDS, _errors, _list, _text
from api.pages.web import PageUser, render, say, see_other, verified_form
from domain.errors import DomainError
from domain.policy import Action, may
from infra.exports.csv import write_csv
from infra.exports.stamp import content_disposition

router = APIRouter()
PHOTO_MAX_BODY_BYTES = 3 * 1024 * 1024  # the body limit of /tereny/: a photo (at most 2 MB, infra/site_photos.py) and its form
SITE_FIELDS = ("name", "area_ha", "zoning", "ownership", "status", "address", "plots", "latitude", "longitude",
               "description")


def _uc(request: Request):
    return get_container(request).use_cases.investor


def _filters(request: Request) -> dict[str, Any]:
    q = request.query_params
    return {"status": q.get("status") or None, "min_area_ha": q.get("min_area_ha") or None,
            "max_area_ha": q.get("max_area_ha") or None, "utilities": q.getlist("utilities")}


@router.get("/tereny")
def sites(request: Request, user: PageUser) -> Response:
    uc = _uc(request)
    filters = _filters(request)
    errors: dict[str, str] = {}
    try:
        found = uc.sites(user, **filters)
    except DomainError as error:
        if error.code in ("not_found", "forbidden"):
            raise
        errors, found = _errors(error, request_language(request)), []
    query = request.url.query
    return render(request, "site_list.html", user, status_code=400 if errors else 200, sites=found,
                  choices=uc.choices(user), values={k: v for k, v in filters.items() if v}, errors=errors,
                  field_ids=FIELD_IDS, csv_url="/tereny.csv" + (f"?{query}" if query else ""))


@router.get("/tereny.csv")
def sites_csv(request: Request, user: PageUser) -> Response:
    language = request_language(request)
    found = _uc(request).sites(user, **_filters(request))
    header = (["Nazwa", "Powierzchnia (ha)", "Przeznaczenie w MPZP", "Media", "Własność", "Stan", "Adres",
               "Działki", "Szerokość geogr.", "Długość geogr.", "Gmina", "Zmieniono"] if language == "pl" else
              ["Name", "Area (ha)", "Zoning", "Utilities", "Ownership", "Status", "Address", "Plots", "Latitude",
               "Longitude", "Municipality", "Updated"])
    rows = [[s.name, s.area_ha.replace(".", ",") if language == "pl" else s.area_ha, s.zoning,
             ", ".join(say(u, language) for u in s.utility_words), say(s.ownership_words, language),
             say(s.status_words, language), s.address, s.plots, s.latitude, s.longitude, s.owner, s.updated_at]
            for s in found]
    return Response(write_csv(rows, header).encode("utf-8"), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": content_disposition("tereny-inwestycyjne.csv"),
                             "Cache-Control": "no-store"})


def _site_form(request: Request, user: Any, *, site: Any = None, values: dict[str, Any], errors: dict[str, str],
               status_code: int = 200) -> Response:
    return render(request, "site_form.html", user, status_code=status_code, site=site,
                  choices=_uc(request).choices(user), values=values, errors=errors, field_ids=FIELD_IDS)


def _read_site(form: dict[str, Any]) -> dict[str, Any]:
    fields: dict[str, Any] = {name: _text(form, name) for name in SITE_FIELDS}
    fields["utilities"] = _list(form, "utilities")
    return fields


@router.get("/tereny/nowy")
def new_site(request: Request, user: PageUser) -> Response:
    _uc(request).site_choices(user)  # 403 for a role that may not add sites, before the form is shown
    return _site_form(request, user, values={"status": "available"}, errors={})


@router.post("/tereny/nowy")
def register_site(request: Request, user: PageUser, form: dict = Depends(verified_form)) -> Response:
    fields = _read_site(form)
    try:
        saved = _uc(request).register_site(user, fields)
    except DomainError as error:
        if error.code in ("not_found", "forbidden"):
            raise
        return _site_form(request, user, values=fields, errors=_errors(error, request_language(request)),
                          status_code=400)
    return see_other(f"/tereny/{saved.id}?zapisano=1")


def _site_page(request: Request, user: Any, site_id: str, *, errors: dict[str, str] | None = None,
               values: dict[str, Any] | None = None, saved: bool = False, status_code: int = 200) -> Response:
    uc = _uc(request)
    site = uc.site(user, site_id)
    sharing = uc.sharing_choices(user) if site.own and may(user, Action.MANAGE_SITES) else []
    return render(request, "site.html", user, status_code=status_code, site=site, sharing=sharing,
                  values=values or {"network_ids": [n["id"] for n in site.shared_with]}, errors=errors or {},
                  field_ids=FIELD_IDS, saved=saved)


@router.get("/tereny/{site_id}")
def site(request: Request, site_id: str, user: PageUser, zapisano: str = "") -> Response:
    return _site_page(request, user, site_id, saved=zapisano == "1")


@router.get("/tereny/{site_id}/zmien")
def change_site_form(request: Request, site_id: str, user: PageUser) -> Response:
    found = _uc(request).site(user, site_id)
    values = {"name": found.name, "area_ha": found.area_ha, "zoning": found.zoning, "ownership": found.ownership,
              "status": found.status, "address": found.address, "plots": found.plots,
              "latitude": "" if found.latitude is None else str(found.latitude),
              "longitude": "" if found.longitude is None else str(found.longitude),
              "description": found.description or "", "utilities": found.utilities}
    return _site_form(request, user, site=found, values=values, errors={})


@router.post("/tereny/{site_id}/zmien")
def change_site(request: Request, site_id: str, user: PageUser, form: dict = Depends(verified_form)) -> Response:
    uc = _uc(request)
    found = uc.site(user, site_id)
    fields = _read_site(form)
    try:
        uc.change_site(user, site_id, fields)
    except DomainError as error:
        if error.code in ("not_found", "forbidden"):
            raise
        return _site_form(request, user, site=found, values=fields, errors=_errors(error, request_language(request)),
                          status_code=400)
    return see_other(f"/tereny/{site_id}?zapisano=1")


@router.post("/tereny/{site_id}/zdjecia")
def add_photo(request: Request, site_id: str, user: PageUser, form: dict = Depends(verified_form)) -> Response:
    upload = form.get("photo")
    data = upload.file.read() if isinstance(upload, UploadFile) else b""
    try:
        _uc(request).add_photo(user, site_id, data=data, caption=_text(form, "caption"))
    except DomainError as error:
        if error.code in ("not_found", "forbidden"):
            raise
        return _site_page(request, user, site_id, errors=_errors(error, request_language(request)),
                          values={"caption": _text(form, "caption")}, status_code=400)
    return see_other(f"/tereny/{site_id}?zapisano=1")


@router.get("/tereny/{site_id}/zdjecia/{photo_id}")
def photo(request: Request, site_id: str, photo_id: str, user: PageUser) -> Response:
    content_type, data = _uc(request).photo(user, site_id, photo_id)
    return Response(data, media_type=content_type,
                    headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "private, max-age=3600",
                             "Content-Disposition": "inline"})


@router.post("/tereny/{site_id}/zdjecia/{photo_id}/usun")
def remove_photo(request: Request, site_id: str, photo_id: str, user: PageUser,
                 form: dict = Depends(verified_form)) -> Response:
    _uc(request).remove_photo(user, site_id, photo_id)
    return see_other(f"/tereny/{site_id}?zapisano=1")


@router.post("/tereny/{site_id}/udostepnianie")
def share(request: Request, site_id: str, user: PageUser, form: dict = Depends(verified_form)) -> Response:
    picked = _list(form, "network_ids")
    try:
        _uc(request).share_site(user, site_id, picked)
    except DomainError as error:
        if error.code in ("not_found", "forbidden"):
            raise
        return _site_page(request, user, site_id, errors=_errors(error, request_language(request)),
                          values={"network_ids": picked}, status_code=400)
    return see_other(f"/tereny/{site_id}?zapisano=1")
