"""Shared networks of municipalities (issue 14): the networks a user's city is a member of (/sieci-wspolne),
one network with its members and, for a coordinator, the choice of indicators the city shares; the
comparison of the shared indicators across the member cities per year (a table per indicator, an SVG chart
drawn with api/pages/charts.py's conventions, the rule in words beside each city, CSV); and the deployment
admin's page (/admin/sieci) that creates networks and admits and releases municipalities.
Every route calls one use case of `uc.shared_networks`.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from html import escape
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from api.deps import get_container
from api.pages.charts import HEIGHT, INK, LEFT, RIGHT, TOP, BOTTOM, WIDTH, ChartWords, _safe_id, _spoken, is_number
from api.pages.i18n import date_time, request_language, translations
from api.pages.strategy import shown
from api.pages.web import PageUser, field_errors, render, say, see_other, verified_form
from domain.errors import DomainError, NotFound, ValidationFailed, bilingual
from domain.policy import User
from domain.use_cases.shared_networks import Comparison
from infra.exports.csv import write_csv

router = APIRouter()

KIND_NAMES = {"municipal_network": "Metropolitan network of municipalities", "inter_city_network": "Network of cities"}
# Fills told apart by more than colour: each city's bars also carry its number above the value, and the legend
# and the table name the cities in the same order.
CITY_FILLS = ("#1d70b8", "#0b0c0c", "#00703c", "#d4351c", "#4c2c92", "#b58840", "#f499be", "#28a197")


def _uc(request: Request):
    return get_container(request).use_cases.shared_networks


def _network_id(text: str) -> UUID:
    try:
        return UUID(text)
    except ValueError:
        raise NotFound(bilingual(f"Nie ma sieci o identyfikatorze {text}.", f"No network with id {text}."),
                       field="network_id") from None


def _day(form: dict, name: str) -> date:
    parts = [str(form.get(f"{name}-{p}") or "").strip() for p in ("year", "month", "day")]
    try:
        return date(*(int(p) for p in parts))
    except (ValueError, TypeError):
        raise ValidationFailed(bilingual("Podaj prawdziwą datę: dzień, miesiąc i rok.",
                                         "Give a real date: day, month and year."), field=name) from None


# ---------------------------------------------------------------------------------------------- members' pages
@router.get("/sieci-wspolne")
def networks(request: Request, user: PageUser) -> Response:
    return render(request, "network_shared_list.html", user, networks=_uc(request).networks(user),
                  kind_names=KIND_NAMES)


@router.get("/sieci-wspolne/{network_id}")
def network_page(request: Request, user: PageUser, network_id: str) -> Response:
    page = _uc(request).network_page(user, _network_id(network_id))
    return render(request, "network_shared.html", user, page=page, kind_names=KIND_NAMES, errors={},
                  field_ids={"indicator_codes": "indicator-0"}, done=request.query_params.get("zapisano"))


@router.post("/sieci-wspolne/{network_id}/wskazniki")
def share_indicators(request: Request, user: PageUser, network_id: str, form: dict = Depends(verified_form)) -> Response:
    nid = _network_id(network_id)
    codes = form.get("indicator_codes") or []
    codes = [codes] if isinstance(codes, str) else list(codes)
    try:
        _uc(request).share_indicators(user, network_id=nid, indicator_codes=[str(c) for c in codes])
    except DomainError as error:
        if error.code in ("forbidden", "not_found", "unknown_reference"):
            raise
        page = _uc(request).network_page(user, nid)
        return render(request, "network_shared.html", user, status_code=422, page=page, kind_names=KIND_NAMES,
                      errors={"indicator_codes": say(error.text, request_language(request))},
                      field_ids={"indicator_codes": "indicator-0"}, done=None)
    return see_other(f"/sieci-wspolne/{nid}?zapisano=1")


# ---------------------------------------------------------------------------------------------- the comparison
def comparison_tables(comparison: Comparison, language: str) -> list[dict[str, Any]]:
    """Each shared indicator: per city its actual value per year as the page writes it, its target, its rule."""
    tables = []
    for indicator in comparison.indicators:
        cities = [{"number": n + 1, "name": c.city, "indicator_name": c.indicator_name, "unit": c.unit,
                   "task_code": c.task_code, "rule": c.rule.in_language(language),
                   "actual": [shown((c.years.get(y) or {}).get("actual"), language) for y in comparison.years],
                   "target": [shown((c.years.get(y) or {}).get("target"), language) for y in comparison.years]}
                  for n, c in enumerate(indicator.cities)]
        tables.append({"code": indicator.code, "name": indicator.name, "cities": cities,
                       "chart": cities_chart(comparison, indicator, language)})
    return tables


def cities_chart(comparison: Comparison, indicator: Any, language: str) -> str:
    """Bars per year, one per city (numbered as in the legend and the table), the value written above each."""
    gettext = translations(language).gettext
    words = ChartWords(title=gettext("%(code)s %(name)s: actual value per year in each city")
                       % {"code": indicator.code, "name": indicator.name},
                       target="", actual="", not_planned=gettext("not planned"), no_data=gettext("no data"))
    uid = _safe_id(f"compare-{indicator.code}")
    years = list(comparison.years)
    cities = indicator.cities
    values = [[(c.years.get(y) or {}).get("actual") for y in years] for c in cities]
    numbers = [float(v) for row in values for v in row if is_number(v)]
    top = max(numbers + [1.0])
    legend_h = 18 * len(cities)
    height = HEIGHT + legend_h
    plot_top = TOP + legend_h
    plot_h = height - plot_top - BOTTOM
    slot = (WIDTH - LEFT - RIGHT) / max(len(years), 1)
    bar = slot * 0.8 / max(len(cities), 1)
    parts: list[str] = []
    description: list[str] = []
    for k, city in enumerate(cities):
        fill = CITY_FILLS[k % len(CITY_FILLS)]
        parts.append(f'<rect x="{LEFT}" y="{8 + 18 * k}" width="16" height="12" fill="{fill}" stroke="{INK}"/>'
                     f'<text x="{LEFT + 22}" y="{18 + 18 * k}" font-size="12" fill="{INK}">'
                     f'{k + 1}. {escape(city.city)}</text>')
    for n, year in enumerate(years):
        x0 = LEFT + n * slot + slot * 0.1
        said = []
        for k, city in enumerate(cities):
            value = values[k][n]
            text = shown(value, language)["text"]
            said.append(f"{city.city} {_spoken(value, words, text)}")
            x = x0 + k * bar
            if is_number(value):
                h = plot_h * float(value) / top
                y = plot_top + plot_h - h
                parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar * 0.9:.1f}" height="{h:.1f}" '
                             f'fill="{CITY_FILLS[k % len(CITY_FILLS)]}" stroke="{INK}" stroke-width="1"/>')
                label_y = y - 4
            else:
                label_y = plot_top + plot_h - 4
            parts.append(f'<text x="{x + bar * 0.45:.1f}" y="{label_y:.1f}" text-anchor="middle" font-size="11" '
                         f'fill="{INK}">{escape(text)}</text>')
        parts.append(f'<text x="{x0 + slot * 0.4:.1f}" y="{height - BOTTOM + 16}" text-anchor="middle" '
                     f'font-size="12" fill="{INK}">{escape(year)}</text>')
        description.append(f"{year}: " + ", ".join(said))
    base_y = plot_top + plot_h
    return (
        f'<svg class="splot-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" role="img" aria-labelledby="{uid}-title {uid}-desc" focusable="false">'
        f'<title id="{uid}-title">{escape(words.title)}</title>'
        f'<desc id="{uid}-desc">{escape("; ".join(description))}.</desc>'
        f'<line x1="{LEFT}" y1="{base_y}" x2="{WIDTH - RIGHT}" y2="{base_y}" stroke="{INK}" stroke-width="1"/>'
        f'{"".join(parts)}</svg>'
    )


@router.get("/sieci-wspolne/{network_id}/porownanie")
def comparison_page(request: Request, user: PageUser, network_id: str) -> Response:
    language = request_language(request)
    comparison = _uc(request).compare(user, _network_id(network_id))
    return render(request, "network_compare.html", user, comparison=comparison,
                  tables=comparison_tables(comparison, language))


@router.get("/sieci-wspolne/{network_id}/porownanie.csv")
def comparison_csv(request: Request, user: PageUser, network_id: str) -> Response:
    language = request_language(request)
    gettext = translations(language).gettext
    comparison = _uc(request).compare(user, _network_id(network_id))
    years = list(comparison.years)
    rows: list[list[Any]] = [
        [gettext("%(network)s: shared indicators of the member cities, each by its own strategy's rules; as of %(when)s")
         % {"network": comparison.network.name, "when": date_time(datetime.now(timezone.utc), language)}],
        [gettext("Indicator"), gettext("City"), gettext("Indicator in the city's strategy"), gettext("Unit"),
         gettext("Series"), *years, gettext("Rule")],
    ]
    for indicator in comparison.indicators:
        for city in indicator.cities:
            for series, label in (("actual", gettext("Actual")), ("target", gettext("Target"))):
                rows.append([indicator.code, city.city, city.indicator_name, city.unit, label,
                             *[(city.years.get(y) or {}).get(series) for y in years], city.rule.in_language(language)])
    return Response(write_csv(rows), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="porownanie-miast.csv"',
                             "Cache-Control": "no-store"})


# ---------------------------------------------------------------------------------------------- the admin's page
def _admin(request: Request, user: User, *, errors: dict | None = None, values: dict | None = None,
           status_code: int = 200) -> Response:
    overview = _uc(request).administration(user)
    return render(request, "network_shared_admin.html", user, status_code=status_code, overview=overview,
                  kind_names=KIND_NAMES, errors=errors or {}, values=values or {},
                  field_ids={"name": "name", "kind": "kind-0", "network_id": "network_id",
                             "municipality_id": "municipality_id", "joined_on": "joined_on-day",
                             "membership": "membership", "left_on": "left_on-day", "form": "name"},
                  done=request.query_params.get("zapisano"))


@router.get("/admin/sieci")
def admin_page(request: Request, user: PageUser) -> Response:
    return _admin(request, user)


@router.post("/admin/sieci")
def admin_add(request: Request, user: PageUser, form: dict = Depends(verified_form)) -> Response:
    values = {"name": str(form.get("name") or "").strip(), "kind": str(form.get("kind") or "")}
    try:
        _uc(request).add(user, name=values["name"], kind=values["kind"])
    except DomainError as error:
        if error.code == "forbidden":
            raise
        return _admin(request, user, errors=field_errors(error, request_language(request)), values=values,
                      status_code=422)
    return see_other("/admin/sieci?zapisano=siec")


def _form_uuid(form: dict, name: str, message) -> UUID:
    try:
        return UUID(str(form.get(name) or "").strip())
    except ValueError:
        raise ValidationFailed(message, field=name) from None


@router.post("/admin/sieci/gminy")
def admin_admit(request: Request, user: PageUser, form: dict = Depends(verified_form)) -> Response:
    values = {k: form.get(k) for k in form if k != "csrf_token"}
    try:
        network = _form_uuid(form, "network_id", bilingual("Wybierz sieć.", "Choose a network."))
        municipality = _form_uuid(form, "municipality_id", bilingual("Wybierz gminę.", "Choose a municipality."))
        _uc(request).admit(user, network_id=network, municipality_id=municipality, joined_on=_day(form, "joined_on"))
    except DomainError as error:
        if error.code == "forbidden":
            raise
        return _admin(request, user, errors=field_errors(error, request_language(request)), values=values,
                      status_code=422)
    return see_other("/admin/sieci?zapisano=gmina")


@router.post("/admin/sieci/wystapienie")
def admin_release(request: Request, user: PageUser, form: dict = Depends(verified_form)) -> Response:
    values = {k: form.get(k) for k in form if k != "csrf_token"}
    try:
        network_text, _, municipality_text = str(form.get("membership") or "").partition("/")
        choose = bilingual("Wybierz członkostwo do zakończenia.", "Choose the membership to end.")
        network = _form_uuid({"membership": network_text}, "membership", choose)
        municipality = _form_uuid({"membership": municipality_text}, "membership", choose)
        _uc(request).release(user, network_id=network, municipality_id=municipality, left_on=_day(form, "left_on"))
    except DomainError as error:
        if error.code == "forbidden":
            raise
        errors = field_errors(error, request_language(request))
        errors = {("membership" if k in ("network_id", "municipality_id") else k): v for k, v in errors.items()}
        return _admin(request, user, errors=errors, values=values, status_code=422)
    return see_other("/admin/sieci?zapisano=wystapienie")
