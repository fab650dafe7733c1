"""The strategy pages: the goal → programme → task tree with progress, a task's indicator and stage tables in
the strategy's own layout (with a chart per indicator, as of a date or as published), and the drill-down
behind one value (the records, memberships or reported values; also as CSV).

Values keep "–" (not planned), 0 (a real zero) and "bd" (no data) apart, on screen and in words for
screen readers; numbers are written as the CLI report writes them (`infra.exports.report.format_value`),
with a decimal comma in Polish.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from api.deps import get_container
from api.pages.charts import ChartWords, target_actual_chart
from api.pages.i18n import request_language, translations
from api.pages.web import PageUser, render
from domain.errors import bilingual
from domain.labels import LEVEL_LABELS, NO_INDICATORS, SERIES_LABELS, STAGE_PROGRESS_TOTAL, STAGE_TOTAL
from domain.record_kinds import RECORD_KINDS
from infra.exports.report import SERIES, format_value, heading, progress_line

router = APIRouter()

# The report's markers (projections.indicator_values.queries): "-" not planned, "bd" no data.
NOT_PLANNED, NO_DATA = "-", "bd"


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _decimal(language: str) -> str:
    return "," if language == "pl" else "."


def shown(value: Any, language: str, *, percent: bool = False) -> dict[str, Any]:
    """One table value as the page writes it: `text` on screen, `kind` (number, not_planned, no_data,
    none) so the template adds the words for screen readers."""
    if value is None:
        return {"text": "", "kind": "none"}
    if value == NOT_PLANNED:
        return {"text": "–", "kind": "not_planned"}
    if value == NO_DATA:
        return {"text": "bd", "kind": "no_data"}
    text = format_value(value, decimal=_decimal(language))
    return {"text": text + ("%" if percent else ""), "kind": "number"}


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


# ---------------------------------------------------------------------------------------------- tree
@router.get("/strategia")
def strategy_tree(request: Request, user: PageUser) -> Response:
    tasks = get_container(request).use_cases.strategy.tasks(user)
    language = request_language(request)
    goals: list[dict[str, Any]] = []
    for task in tasks:
        goal = next((g for g in goals if g["code"] == task["goal"]["code"]), None)
        if goal is None:
            goal = {**task["goal"], "progress_text": shown(task["goal"]["progress"], language, percent=True),
                    "programmes": []}
            goals.append(goal)
        programme = next((p for p in goal["programmes"] if p["code"] == task["programme"]["code"]), None)
        if programme is None:
            programme = {**task["programme"], "tasks": [],
                         "progress_text": shown(task["programme"]["progress"], language, percent=True)}
            goal["programmes"].append(programme)
        programme["tasks"].append({**task, "progress_text": shown(task["progress"], language, percent=True),
                                   "planned_text": shown(task["planned_to_date"], language, percent=True),
                                   "weight_text": shown(task["weight"], language)})
    return render(request, "strategy_tree.html", user, goals=goals)


# ---------------------------------------------------------------------------------------------- task
def _indicator_rows(report: dict[str, Any], rules: dict[str, Any], language: str, as_of: str | None,
                    with_links: bool) -> list[dict[str, Any]]:
    """The indicator table in the strategy's layout: per level its indicators (or "Brak"), per indicator
    one row per series (target, actual, % achieved) and one column per year."""
    years = report["years"]
    by_level: dict[str, list[dict[str, Any]]] = {}
    for indicator in report["indicators"]:
        by_level.setdefault(indicator["level"], []).append(indicator)
    query = "?" + urlencode({"as_of": as_of}) if as_of else ""
    levels = []
    for level, label in LEVEL_LABELS.items():
        indicators = []
        for indicator in by_level.get(level, []):
            series_rows = []
            for series in SERIES:
                cells = []
                for year in years:
                    value = indicator["years"][year][series]
                    cell = shown(value, language, percent=series == "percent")
                    if series == "actual" and with_links and is_number(value) and indicator["rule_kind"]:
                        cell["href"] = f"/strategia/wskazniki/{indicator['code']}/{year}{query}"
                    cells.append(cell)
                series_rows.append({"series": series, "label": SERIES_LABELS[series].in_language(language),
                                    "cells": cells})
            breakdown = ([{"label": i["short_name"], "by": "institution",
                           "cells": [shown(i["years"].get(y), language) for y in years]}
                          for i in indicator["by_institution"]]
                         + [{"label": source, "by": "source", "cells": [shown(v.get(y), language) for y in years]}
                            for source, v in indicator["by_source"].items()])
            indicators.append({**indicator, "series_rows": series_rows, "breakdown": breakdown,
                               "rule_text": rules[indicator["code"]].in_language(language),
                               "chart": _chart(indicator, years, language)})
        levels.append({"label": label.in_language(language), "indicators": indicators,
                       "none": NO_INDICATORS.in_language(language)})
    return levels


def _chart(indicator: dict[str, Any], years: list[str], language: str) -> str:
    gettext = translations(language).gettext
    words = ChartWords(title=gettext("%(code)s %(name)s: target and actual value per year")
                       % {"code": indicator["code"], "name": indicator["name"]},
                       target=gettext("Target"), actual=gettext("Actual"),
                       not_planned=gettext("not planned"), no_data=gettext("no data"))
    texts = {y: {s: shown(indicator["years"][y][s], language)["text"] for s in ("target", "actual")} for y in years}
    return target_actual_chart(f"chart-{indicator['code']}", years, indicator["years"], words, texts)


def _stage_rows(report: dict[str, Any], language: str) -> list[dict[str, Any]]:
    def pair(realised: Any, planned: Any) -> dict[str, Any]:
        return {"realised": shown(realised, language), "planned": shown(planned, language)}

    rows = []
    for stage in report["stages"]:
        cells = [None if stage["years"][y] == NOT_PLANNED else pair(stage["years"][y]["realised"],
                                                                    stage["years"][y]["planned"])
                 for y in report["years"]]
        rows.append({"name": f"{stage['number']}. {stage['name']}", "cells": cells,
                     "total": pair(stage["realised"], stage["planned"])})
    return rows


@router.get("/strategia/zadania/{code}")
def task(request: Request, code: str, user: PageUser, as_of: str = "", wersja: int | None = None) -> Response:
    language = request_language(request)
    day = _date(as_of)
    errors = {}
    if as_of and day is None:
        errors["as_of"] = translations(language).gettext("Enter a date like 2012-12-31")
    view = get_container(request).use_cases.strategy.task_page(user, code, as_of=day, publication=wersja)
    report = view["report"]
    linked_as_of = report["as_of"] if (day is not None or wersja is not None) else None
    return render(
        request, "strategy_task.html", user, report=report, heading=heading(report, language=language),
        levels=_indicator_rows(report, view["rules"], language, linked_as_of, with_links=True),
        stages=_stage_rows(report, language), stage_total=STAGE_TOTAL.in_language(language),
        stage_progress_total=STAGE_PROGRESS_TOTAL.in_language(language),
        progress=shown(report["progress"]["realised"], language),
        progress_planned=shown(report["progress"]["planned"], language),
        progress_line=progress_line(report, language=language), publications=view["publications"],
        publication=report.get("publication"), as_of=as_of if day or errors else "", errors=errors,
        field_ids={"as_of": "as_of"})


# ---------------------------------------------------------------------------------------------- drill-down
def _event_rows(events: list[dict[str, Any]], language: str) -> list[dict[str, Any]]:
    rows = []
    for event in events:
        if event["type"] == "record":
            kind = RECORD_KINDS.get(event["kind"])
            rows.append({"type": "record", "href": f"/wpisy/{event['record_id']}", "title": event["title"],
                         "date": event["occurred_on"], "kind": kind.label.in_language(language) if kind else event["kind"],
                         "institutions": ", ".join(i["short_name"] for i in event["institutions"]),
                         "firms": ", ".join(f["name"] for f in event["firms"]), "id": event["record_id"]})
        elif event["type"] == "membership":
            group = event["group_name"] if event["group_name"] != event["group_id"] else None
            rows.append({"type": "membership", "title": event["member_name"], "group": group,
                         "date": event["joined_on"], "left_on": event["left_on"],
                         "institutions": ", ".join(i["short_name"] for i in event["institutions"])})
        else:
            rows.append({"type": "reported", "title": event.get("note") or "", "source": event.get("source") or "",
                         "value": shown(event.get("value"), language), "date": None,
                         "recorded_at": event.get("recorded_at")})
    return rows


DRILL_PAGE = 50  # rows on a page of the drill-down
PREVIOUS_PAGE = bilingual("Poprzednia strona", "Previous page")


def _drill_down(request: Request, user: Any, code: str, year: int, as_of: str, cursor: str | None = None,
                limit: int | None = None) -> dict[str, Any]:
    day = _date(as_of)
    return get_container(request).use_cases.strategy.value_behind(user, code, year, as_of=day, cursor=cursor,
                                                                  limit=limit)


@router.get("/strategia/wskazniki/{code}/{year}")
def drill_down(request: Request, code: str, year: int, user: PageUser, as_of: str = "", po: str = "") -> Response:
    """One page of DRILL_PAGE rows; `po` (the cursor) is the page after which it follows."""
    language = request_language(request)
    view = _drill_down(request, user, code, year, as_of, cursor=po[:500] or None, limit=DRILL_PAGE)
    cell = view["cell"] or {}
    page = view["page"]
    back_query = "?" + urlencode({"as_of": view["as_of"]}) if view["as_of"] else ""

    def page_url(cursor: str | None) -> str | None:
        if cursor is None:
            return None
        query = {k: v for k, v in (("as_of", as_of), ("po", cursor)) if v}
        return f"/strategia/wskazniki/{code}/{year}" + ("?" + urlencode(query) if query else "")

    first, shown_to = page["offset"] + 1, page["offset"] + len(view["events"])
    return render(request, "strategy_drill_down.html", user, view=view, rows=_event_rows(view["events"], language),
                  actual=shown(cell.get("actual"), language), target=shown(cell.get("target"), language),
                  back_url=f"/strategia/zadania/{view['task']['code']}{back_query}", total=page["total"],
                  next_url=page_url(page["next_cursor"]), previous_url=page_url(page["previous_cursor"]),
                  previous_words=PREVIOUS_PAGE.in_language(language),
                  range_words=bilingual(f"Pozycje {first}–{shown_to} z {page['total']}",
                                        f"Items {first}–{shown_to} of {page['total']}").in_language(language)
                  if page["total"] > len(view["events"]) else "")


@router.get("/strategia/wskazniki/{code}/{year}/csv")
def drill_down_csv(request: Request, code: str, year: int) -> Response:
    """The drill-down's CSV moved to .../pobierz/csv (api/pages/exports.py); old links and bookmarks follow it."""
    query = f"?{request.url.query}" if request.url.query else ""
    return RedirectResponse(f"/strategia/wskazniki/{code}/{year}/pobierz/csv{query}", status_code=308)
