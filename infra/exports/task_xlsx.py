"""A task report as an Excel workbook in the strategy's own layout (XlsxWriter).

Sheet "Mierniki": a title line (task, which state, generated when, in Warsaw time), the legend, then the
strategy's header rows — Kod / Typ / Wskaźnik / Źródło and, per year, one merged year header over
plan / wykonanie / % — one row per indicator grouped by level ("Brak" for a level without indicators),
and below it each indicator's rule in words. Sheet "Etapy": the stage table, per year "wykonanie" and
"plan" (% of the task's effort) under a merged year header, the totals and the task's progress.
Sheet "Podział": each indicator's actual value by institution and by source.

Numbers stay numbers (a 0 is the number 0; a % is the number the report gives, shown with a "%" sign),
"-" (not planned) and "bd" (no data) stay that text, every text is written as text (never a formula).
The header rows are frozen.
"""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any, Mapping

import xlsxwriter

from domain.errors import Message, bilingual
from domain.labels import (
    INDICATOR_HEADER,
    LEVEL_LABELS,
    NO_INDICATORS,
    RULES_TITLE,
    STAGE_HEADER,
    STAGE_PROGRESS_TOTAL,
    STAGE_TOTAL,
    STAGES_TITLE,
    rule_line,
)
from domain.strategy.values import is_number
from infra.exports.report import progress_line
from infra.exports.stamp import as_of_words, now, title_line

SERIES = ("target", "actual", "percent")
SERIES_SHORT = {"target": bilingual("plan", "plan"), "actual": bilingual("wykonanie", "actual"),
                "percent": bilingual("% planu", "% of plan")}
STAGE_SERIES = (("realised", bilingual("wykonanie %", "realised %")), ("planned", bilingual("plan %", "planned %")))
SHEETS = {"indicators": bilingual("Mierniki", "Indicators"), "stages": bilingual("Etapy", "Stages"),
          "breakdown": bilingual("Podział", "Breakdown")}
WHAT = bilingual("Mierniki i etapy realizacji zadania", "Indicators and stages of task")
LEGEND = bilingual("„-” = nie planowano, „bd” = brak danych, 0 = zero; „% planu” = wykonanie jako procent planu.",
                   "“-” = not planned, “bd” = no data, 0 = a real zero; “% of plan” = actual as a percentage of the plan.")
BREAKDOWN_HEADER = (bilingual("Kod", "Code"), bilingual("Instytucja lub źródło", "Institution or source"))
BREAKDOWN_NOTE = bilingual("Wartość osiągnięta według instytucji i według źródła danych.",
                           "The actual value by institution and by data source.")
SOURCE = bilingual("Źródło", "Source")
PERCENT_FORMAT = 'General"%"'


def what_it_is(report: dict[str, Any], language: str) -> str:
    task = report["task"]
    return f"{WHAT.in_language(language)} {task['code']} {task['name']}"


class _Sheet:
    """One worksheet and the formats of the workbook, writing each cell by its type."""

    def __init__(self, book: xlsxwriter.Workbook, name: str, formats: dict[str, Any]) -> None:
        self.sheet = book.add_worksheet(name[:31])
        self.f = formats

    def value(self, row: int, col: int, value: Any, *, percent: bool = False) -> None:
        if value is None:
            self.sheet.write_blank(row, col, None, self.f["cell"])
        elif is_number(value):
            self.sheet.write_number(row, col, value, self.f["percent" if percent else "number"])
        else:
            self.sheet.write_string(row, col, str(value), self.f["marker"])

    def text(self, row: int, col: int, text: str, style: str = "cell") -> None:
        self.sheet.write_string(row, col, text, self.f[style])

    def merged(self, first_row: int, first_col: int, last_row: int, last_col: int, text: str,
               style: str = "cell") -> None:
        if (first_row, first_col) == (last_row, last_col):
            self.text(first_row, first_col, text, style)
        else:
            self.sheet.merge_range(first_row, first_col, last_row, last_col, text, self.f[style])


def _formats(book: xlsxwriter.Workbook) -> dict[str, Any]:
    border = {"border": 1, "valign": "top"}
    return {
        "title": book.add_format({"bold": True, "font_size": 13}),
        "note": book.add_format({"italic": True}),
        "head": book.add_format({**border, "bold": True, "text_wrap": True, "align": "center", "valign": "vcenter",
                                 "bg_color": "#F3F2F1"}),
        "cell": book.add_format({**border, "text_wrap": True}),
        "bold": book.add_format({"bold": True}),
        "wrap": book.add_format({"text_wrap": True, "valign": "top"}),
        "number": book.add_format({**border, "num_format": "General"}),
        "percent": book.add_format({**border, "num_format": PERCENT_FORMAT}),
        "marker": book.add_format({**border, "align": "center"}),
    }


def _indicators(sheet: _Sheet, report: dict[str, Any], rules: Mapping[str, Any], title: str, language: str) -> None:
    years = report["years"]
    first_year_col = 4
    last_col = first_year_col + 3 * len(years) - 1
    ws = sheet.sheet
    sheet.text(0, 0, title, "title")
    sheet.text(1, 0, LEGEND.in_language(language), "note")
    head_top, head_bottom = 3, 4
    for col, label in enumerate(INDICATOR_HEADER[:4]):
        sheet.merged(head_top, col, head_bottom, col, label.in_language(language), "head")
    for n, year in enumerate(years):
        col = first_year_col + 3 * n
        sheet.merged(head_top, col, head_top, col + 2, str(year), "head")
        for k, series in enumerate(SERIES):
            sheet.text(head_bottom, col + k, SERIES_SHORT[series].in_language(language), "head")
    row = head_bottom + 1
    by_level: dict[str, list[dict[str, Any]]] = {}
    for indicator in report["indicators"]:
        by_level.setdefault(indicator["level"], []).append(indicator)
    for level, label in LEVEL_LABELS.items():
        indicators = by_level.get(level, [])
        if not indicators:
            sheet.text(row, 0, "", "cell")
            sheet.text(row, 1, label.in_language(language), "cell")
            sheet.merged(row, 2, row, last_col, NO_INDICATORS.in_language(language), "cell")
            row += 1
            continue
        sheet.merged(row, 1, row + len(indicators) - 1, 1, label.in_language(language), "cell")
        for indicator in indicators:
            sheet.text(row, 0, indicator["code"])
            sheet.text(row, 2, indicator["name"])
            sheet.text(row, 3, indicator["source"] or "")
            for n, year in enumerate(years):
                cells = indicator["years"][year]
                for k, series in enumerate(SERIES):
                    sheet.value(row, first_year_col + 3 * n + k, cells[series], percent=series == "percent")
            row += 1
    row += 1
    sheet.text(row, 0, RULES_TITLE.in_language(language), "bold")
    for indicator in report["indicators"]:
        row += 1
        words = rules.get(indicator["code"], indicator["rule"])
        words = words.in_language(language) if isinstance(words, Message) else str(words)
        line = rule_line(indicator["code"], indicator["rule_version"], words).in_language(language)
        ws.merge_range(row, 0, row, last_col, line, sheet.f["wrap"])
        ws.set_row(row, 15 * max(1, len(line) // 120 + 1))
    ws.set_column(0, 0, 13)
    ws.set_column(1, 1, 18)
    ws.set_column(2, 2, 42)
    ws.set_column(3, 3, 12)
    ws.set_column(first_year_col, last_col, 10)
    ws.set_row(head_bottom, 30)
    ws.freeze_panes(head_bottom + 1, 1)


def _stages(sheet: _Sheet, report: dict[str, Any], title: str, language: str) -> None:
    years = report["years"]
    ws = sheet.sheet
    sheet.text(0, 0, title, "title")
    sheet.text(1, 0, STAGES_TITLE.in_language(language), "note")
    head_top, head_bottom = 3, 4
    sheet.merged(head_top, 0, head_bottom, 0, STAGE_HEADER.in_language(language), "head")
    columns = [*years, STAGE_TOTAL.in_language(language)]
    for n, year in enumerate(columns):
        col = 1 + 2 * n
        sheet.merged(head_top, col, head_top, col + 1, str(year), "head")
        for k, (_, label) in enumerate(STAGE_SERIES):
            sheet.text(head_bottom, col + k, label.in_language(language), "head")
    row = head_bottom + 1
    for stage in report["stages"]:
        sheet.text(row, 0, f"{stage['number']}. {stage['name']}")
        for n, year in enumerate(years):
            col = 1 + 2 * n
            cell = stage["years"][year]
            if isinstance(cell, dict):
                for k, (key, _) in enumerate(STAGE_SERIES):
                    sheet.value(row, col + k, cell[key], percent=True)
            else:  # "-": nothing planned that year
                sheet.merged(row, col, row, col + 1, str(cell), "marker")
        col = 1 + 2 * len(years)
        for k, (key, _) in enumerate(STAGE_SERIES):
            sheet.value(row, col + k, stage[key], percent=True)
        row += 1
    progress = report["progress"]
    sheet.text(row, 0, STAGE_PROGRESS_TOTAL.in_language(language), "head")
    for col in range(1, 1 + 2 * len(years)):
        sheet.sheet.write_blank(row, col, None, sheet.f["cell"])
    col = 1 + 2 * len(years)
    for k, (key, _) in enumerate(STAGE_SERIES):
        sheet.value(row, col + k, progress[key], percent=True)
    sheet.text(row + 2, 0, progress_line(report, language=language), "bold")
    ws.set_column(0, 0, 48)
    ws.set_column(1, 2 * len(columns), 11)
    ws.set_row(head_bottom, 30)
    ws.freeze_panes(head_bottom + 1, 1)


def _breakdown(sheet: _Sheet, report: dict[str, Any], title: str, language: str) -> None:
    years = report["years"]
    sheet.text(0, 0, title, "title")
    sheet.text(1, 0, BREAKDOWN_NOTE.in_language(language), "note")
    for col, label in enumerate(BREAKDOWN_HEADER):
        sheet.text(3, col, label.in_language(language), "head")
    for n, year in enumerate(years):
        sheet.text(3, 2 + n, str(year), "head")
    row = 4
    for indicator in report["indicators"]:
        parts = [(i["short_name"], i["years"]) for i in indicator["by_institution"]]
        parts += [(f"{SOURCE.in_language(language)}: {source}", values)
                  for source, values in indicator["by_source"].items()]
        for name, values in parts:
            sheet.text(row, 0, indicator["code"])
            sheet.text(row, 1, name)
            for n, year in enumerate(years):
                sheet.value(row, 2 + n, values.get(year))
            row += 1
    sheet.sheet.set_column(0, 0, 13)
    sheet.sheet.set_column(1, 1, 30)
    sheet.sheet.set_column(2, 1 + len(years), 10)
    sheet.sheet.freeze_panes(4, 2)


def task_report_xlsx(report: dict[str, Any], rules: Mapping[str, Any] | None = None, *, language: str = "pl",
                     moment: datetime | None = None) -> bytes:
    """The workbook of a task report (`uc.strategy.task_page(...)["report"]`); `rules` maps an indicator's
    code to its rule in words (a Message; the report's own Polish text otherwise)."""
    moment = moment or now()
    state = as_of_words(report["as_of"], report.get("publication"), language)
    title = title_line(what_it_is(report, language), state, moment, language)
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    book.set_properties({"title": what_it_is(report, language), "subject": state, "comments": title,
                         "created": moment.replace(tzinfo=None)})
    formats = _formats(book)
    _indicators(_Sheet(book, SHEETS["indicators"].in_language(language), formats), report, rules or {}, title,
                language)
    _stages(_Sheet(book, SHEETS["stages"].in_language(language), formats), report, title, language)
    _breakdown(_Sheet(book, SHEETS["breakdown"].in_language(language), formats), report, title, language)
    book.close()
    return out.getvalue()
