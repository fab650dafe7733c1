"""Downloads of the tables people see: a task's report as CSV, XLSX and PDF; the drill-down behind a value and
the activity register as CSV and XLSX.

Each route parses the same choices as its page (as of a date, a published version, the register's
filters), calls the same use case (`uc.strategy.task_page`, `uc.strategy.value_behind`,
`uc.records.register_all`) and renders through infra/exports; every file says what it holds, which state
and when it was generated, and is named like `III.1.3-2013-03-05.xlsx`.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse

from api.deps import get_container
from api.pages.i18n import request_language, translations
from api.pages.records import _filters as register_filters, _names as record_names, kind_label_of
from api.pages.strategy import _indicator_rows, _stage_rows, shown
from api.pages.web import ENVIRONMENTS, PageUser, page_context
from domain.errors import NotFound, ValidationFailed, bilingual
from domain.labels import STAGE_PROGRESS_TOTAL, STAGE_TOTAL
from infra.exports import report as report_text
from infra.exports.csv import write_csv
from infra.exports import lists
from infra.exports.stamp import as_of_words, content_disposition, filename, generated_words, now, title_line
from infra.exports.task_pdf import font_faces, html_to_pdf
from infra.exports.task_xlsx import task_report_xlsx, what_it_is

router = APIRouter()

FONTS = Path(__file__).resolve().parent.parent / "static" / "frontend" / "fonts"
LISTS = ("csv", "xlsx")
MEDIA = {"csv": "text/csv; charset=utf-8", "pdf": "application/pdf",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def _extension(extension: str, allowed: tuple[str, ...]) -> str:
    if extension not in allowed:
        offered = ", ".join(e.upper() for e in allowed)
        raise NotFound(bilingual(f"Nie ma pobierania w formacie „{extension[:10]}”; jest: {offered}.",
                                 f"There is no “{extension[:10]}” download; there is: {offered}."), field="format")
    return extension


def _list_download(table: "lists.ListTable", name: str, extension: str) -> Response:
    return _download(table.csv() if extension == "csv" else table.xlsx(), name, extension)


def _headers(name: str) -> dict[str, str]:
    return {"Content-Disposition": content_disposition(name), "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff"}


def _download(body: bytes | str, name: str, extension: str) -> Response:
    return Response(body, media_type=MEDIA[extension], headers=_headers(name))


def _as_of(text: str) -> date | None:
    """The as-of date of a download; unlike the page (which shows the error beside its form), a download
    with a date that is not one is refused."""
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationFailed(bilingual(f"„{text[:20]}” nie jest datą: podaj ją jak 2012-12-31.",
                                         f"“{text[:20]}” is not a date: give it like 2012-12-31."), field="as_of")


# ---------------------------------------------------------------------------------------------- a task
@router.get("/strategia/zadania/{code}/pobierz/{extension}")
def task_download(request: Request, code: str, extension: str, user: PageUser, as_of: str = "",
                  wersja: int | None = None) -> Response:
    extension = _extension(extension, tuple(MEDIA))
    language = request_language(request)
    day = _as_of(as_of)
    view = get_container(request).use_cases.strategy.task_page(user, code, as_of=day, publication=wersja)
    report, moment = view["report"], now()
    publication = report.get("publication")
    name = filename(report["task"]["code"], as_of=report["as_of"] if day else None, publication=publication,
                    moment=moment, extension=extension)
    state = as_of_words(report["as_of"] if day else None, publication, language)
    title = title_line(what_it_is(report, language), state, moment, language)
    if extension == "csv":
        body = report_text.to_csv(report, language=language)
        first = write_csv([[title]])  # the BOM comes with this first line
        return _download(first + body.removeprefix("\ufeff"), name, extension)
    if extension == "xlsx":
        return _download(task_report_xlsx(report, view["rules"], language=language, moment=moment), name, extension)
    linked_as_of = report["as_of"] if (day is not None or wersja is not None) else None
    html = ENVIRONMENTS[language].get_template("print_task.html").render(page_context(
        request, user, report=report, title=title, what=what_it_is(report, language), state=state,
        generated=generated_words(moment, language), font_faces=font_faces(FONTS),
        levels=_indicator_rows(report, view["rules"], language, linked_as_of, with_links=False),
        stages=_stage_rows(report, language), stage_total=STAGE_TOTAL.in_language(language),
        stage_progress_total=STAGE_PROGRESS_TOTAL.in_language(language),
        progress=shown(report["progress"]["realised"], language),
        progress_planned=shown(report["progress"]["planned"], language),
        progress_line=report_text.progress_line(report, language=language)))
    return _download(html_to_pdf(html, allowed=[FONTS]), name, extension)


# ---------------------------------------------------------------------------------------------- a drill-down
@router.get("/strategia/wskazniki/{code}/{year}/pobierz/{extension}")
def drill_down_download(request: Request, code: str, year: int, extension: str, user: PageUser,
                        as_of: str = "") -> Response:
    extension = _extension(extension, LISTS)
    language = request_language(request)
    view = get_container(request).use_cases.strategy.value_behind(user, code, year, as_of=_as_of(as_of))
    moment = now()
    table = lists.drill_down(view, language=language, base_url=str(request.base_url).rstrip("/"), moment=moment)
    name = filename(f"{view['indicator']['code']}-{year}", as_of=view["as_of"], publication=None, moment=moment,
                    extension=extension)
    if extension == "csv":  # streamed: the rows are written as they are sent, the file is never held whole
        return StreamingResponse(table.csv_chunks(), media_type=MEDIA[extension], headers=_headers(name))
    return _list_download(table, name, extension)


# ---------------------------------------------------------------------------------------------- the register
def _filter_words(request: Request, filters: dict[str, Any], names: dict[str, str], language: str) -> list[str]:
    gettext = translations(language).gettext
    words = []
    if "kind" in filters:
        words.append(f"{gettext('Kind')}: {kind_label_of(filters['kind'], language)}")
    if "year" in filters:
        words.append(f"{gettext('Year')}: {filters['year']}")
    for key, label in (("institution_id", gettext("Institution")), ("firm_id", gettext("Firm"))):
        if key in filters:
            words.append(f"{label}: {names.get(str(filters[key]), str(filters[key]))}")
    if "text" in filters:
        words.append(f"{gettext('Words in the title')}: „{filters['text']}”")
    return words


REGISTER_FILTERS = {"kind": "kind", "year": "year", "institution": "institution_id", "firm": "firm_id"}


@router.get("/wpisy/pobierz/{extension}")
def register_download(request: Request, extension: str, user: PageUser) -> Response:
    extension = _extension(extension, LISTS)
    language = request_language(request)
    filters = register_filters(request)
    for name, key in REGISTER_FILTERS.items():  # the page ignores a filter that is not one; a file is refused
        if request.query_params.get(name) and key not in filters:
            raise ValidationFailed(bilingual(f"Filtr „{name}” ma niewłaściwą wartość.",
                                             f"The filter “{name}” has a value that is not one."), field=name)
    rows = get_container(request).use_cases.records.register_all(user, **filters)
    names = record_names(request, user)
    moment = now()
    table = lists.register(rows, names, filters=_filter_words(request, filters, names, language), language=language,
                           base_url=str(request.base_url).rstrip("/"), moment=moment)
    return _list_download(table, filename("rejestr-wpisow", as_of=None, publication=None, moment=moment,
                                          extension=extension), extension)
