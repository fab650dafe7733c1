"""The network picture (issue 10): which institutions of the municipality met whom, and how often, in a
chosen year — an SVG graph (api/pages/network_graph.py) with the same numbers in two tables (pairs with
their counts; each institution's total) and as CSV. One use case: `uc.network.meetings_between`.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.deps import get_container
from api.pages.directory import KIND_NAMES
from api.pages.i18n import date_time, request_language, translations
from api.pages.network_graph import GraphWords, network_svg
from api.pages.web import PageUser, render, say
from domain.errors import ValidationFailed
from domain.policy import User
from domain.use_cases.network import MeetingNetwork, check_network_year
from infra.exports.csv import write_csv

router = APIRouter()


def _year(text: str) -> int | None:
    """The `rok` of the query: empty for the use case's default; anything else must be a whole year."""
    text = text.strip()
    if not text:
        return None
    return check_network_year(int(text) if text.isascii() and text.isdigit() and len(text) <= 4 else text)


def _network(request: Request, user: User, rok: str) -> MeetingNetwork:
    return get_container(request).use_cases.network.meetings_between(user, _year(rok))


def _tables(network: MeetingNetwork, language: str) -> dict[str, Any]:
    gettext = translations(language).gettext
    names = {n.institution_id: n.short_name for n in network.nodes}
    pairs = [{"first": names[e.first], "second": names[e.second], "count": e.count} for e in network.edges]
    institutions = [{"short_name": n.short_name, "name": n.name, "kind": gettext(KIND_NAMES.get(n.kind, "Other")),
                     "records": n.records, "partners": n.partners} for n in network.nodes]
    return {"pairs": pairs, "institutions": institutions}


def _graph(network: MeetingNetwork, language: str) -> str:
    catalogue = translations(language)
    order = {n.institution_id: k for k, n in enumerate(network.nodes)}
    words = GraphWords(
        title=catalogue.gettext("Network of institutions in %(year)s: who met whom and how often")
        % {"year": network.year},
        no_pairs=catalogue.gettext("No two institutions took part in the same record in this year"),
        pair=catalogue.gettext("%(first)s – %(second)s: %(count)s"))
    edges = [(order[e.first], order[e.second], e.count,
              catalogue.ngettext("%(num)s record", "%(num)s records", e.count) % {"num": e.count})
             for e in network.edges]
    return network_svg(f"network-{network.year}", [n.short_name for n in network.nodes], edges, words)


@router.get("/siec")
def network_page(request: Request, user: PageUser, rok: str = "") -> Response:
    language = request_language(request)
    try:
        network = _network(request, user, rok)
    except ValidationFailed as error:
        return render(request, "network.html", user, status_code=400, network=None, year_text=rok,
                      errors={"rok": say(error.text, language)}, field_ids={"rok": "rok"})
    return render(request, "network.html", user, network=network, year_text=str(network.year),
                  graph=_graph(network, language), csv_url=f"/siec/csv?rok={network.year}",
                  errors={}, field_ids={}, **_tables(network, language))


@router.get("/siec/csv")
def network_csv(request: Request, user: PageUser, rok: str = "") -> Response:
    """The page's two tables in one file: a first line saying what it holds, the pairs, an empty line,
    then each institution's total."""
    language = request_language(request)
    gettext = translations(language).gettext
    network = _network(request, user, rok)
    tables = _tables(network, language)
    rows: list[list[Any]] = [
        [gettext("Network of institutions in %(year)s: records with two or more institutions, counted once per "
                 "pair and once per institution (retracted records left out); as of %(when)s")
         % {"year": network.year, "when": date_time(datetime.now(timezone.utc), language)}],
        [gettext("Institution"), gettext("Other institution"), gettext("Records together")],
        *([p["first"], p["second"], p["count"]] for p in tables["pairs"]),
        [],
        [gettext("Institution"), gettext("Full name of the institution"), gettext("Kind"), gettext("Records with other institutions"),
         gettext("Institutions met")],
        *([i["short_name"], i["name"], i["kind"], i["records"], i["partners"]] for i in tables["institutions"]),
    ]
    return Response(write_csv(rows), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="siec-{network.year}.csv"',
                             "Cache-Control": "no-store"})
