"""A task report (projections.indicator_values.queries.task_report) in the strategy's own layout:
text table and CSV.

Both keep "-" (not planned), 0 (a real zero) and "bd" (no data) apart, and both say which row is
the plan (target) and which the achieved value. The CSV is for Polish Excel (see csv.write_csv)
with a decimal comma. Words come from `domain.labels` in `language` ("pl" or "en"); the rule
texts and level names inside the report are the report's own (Polish) data.
"""

from __future__ import annotations

from typing import Any

from domain.labels import (
    INDICATOR_HEADER,
    INDICATORS_TITLE,
    LEVEL_LABELS,
    NO_INDICATORS,
    RULES_TITLE,
    SERIES_LABELS,
    STAGE_HEADER,
    STAGE_PROGRESS_TOTAL,
    STAGE_TOTAL,
    STAGES_TITLE,
    VALUE_LEGEND,
    progress_words,
    report_heading,
    rule_line,
)
from domain.strategy.values import NOT_PLANNED, is_number
from infra.exports.csv import write_csv

SERIES = ("target", "actual", "percent")


def format_value(value: Any, *, decimal: str = ".") -> str:
    """A number as text ("1.5" or, for CSV, "1,5"); "-" and "bd" stay themselves; None is empty."""
    if value is None:
        return ""
    if is_number(value):
        text = str(int(value)) if float(value).is_integer() else f"{value:.4f}".rstrip("0").rstrip(".")
        return text.replace(".", decimal)
    return str(value)


def _percent(value: Any, decimal: str) -> str:
    return "" if value is None else format_value(value, decimal=decimal) + "%"


def indicator_table(report: dict[str, Any], *, decimal: str = ".", language: str = "pl") -> list[list[str]]:
    """Header + rows: Kod / Typ / Wskaźnik / Źródło / Wartość / one column per year."""
    years = report["years"]
    rows = [[h.in_language(language) for h in INDICATOR_HEADER] + list(years)]
    by_level: dict[str, list[dict[str, Any]]] = {}
    for indicator in report["indicators"]:
        by_level.setdefault(indicator["level"], []).append(indicator)
    for level, level_words in LEVEL_LABELS.items():
        label = level_words.in_language(language)
        indicators = by_level.get(level, [])
        if not indicators:
            rows.append(["", label, NO_INDICATORS.in_language(language), "", "", *["" for _ in years]])
            continue
        for n, indicator in enumerate(indicators):
            for s, series in enumerate(SERIES):
                cells = []
                for year in years:
                    value = indicator["years"][year][series]
                    cells.append(_percent(value, decimal) if series == "percent" else format_value(value, decimal=decimal))
                first = s == 0
                rows.append([indicator["code"] if first else "", label if first and n == 0 else "",
                             indicator["name"] if first else "", indicator["source"] if first else "",
                             SERIES_LABELS[series].in_language(language), *cells])
    return rows


def stage_table(report: dict[str, Any], *, decimal: str = ".", language: str = "pl") -> list[list[str]]:
    """Header + rows: Etap / one "realised/planned%" column per year / total; a last row with the sums."""
    years = report["years"]
    rows = [[STAGE_HEADER.in_language(language), *years, STAGE_TOTAL.in_language(language)]]

    def pair(realised: Any, planned: Any) -> str:
        return f"{format_value(realised, decimal=decimal)}/{format_value(planned, decimal=decimal)}%"

    for stage in report["stages"]:
        cells = [NOT_PLANNED if cell == NOT_PLANNED else pair(cell["realised"], cell["planned"])
                 for cell in (stage["years"][y] for y in years)]
        rows.append([f"{stage['number']}. {stage['name']}", *cells, pair(stage["realised"], stage["planned"])])
    progress = report["progress"]
    rows.append([STAGE_PROGRESS_TOTAL.in_language(language), *["" for _ in years],
                 pair(progress["realised"], progress["planned"])])
    return rows


def rule_lines(report: dict[str, Any], *, language: str = "pl") -> list[str]:
    return [rule_line(i["code"], i["rule_version"], i["rule"]).in_language(language) for i in report["indicators"]]


def progress_line(report: dict[str, Any], *, language: str = "pl") -> str:
    p = report["progress"]
    programme, goal = p["programme"], p["goal"]
    return progress_words(
        report["task"]["code"], format_value(p["realised"]), format_value(p["planned_to_date"]),
        until=report["as_of"][:4] if report["as_of"] else None,
        programme=(programme["code"], format_value(programme["progress"])) if programme["progress"] is not None
        else None,
        goal=(goal["code"], format_value(goal["progress"])) if goal["progress"] is not None else None,
    ).in_language(language)


def heading(report: dict[str, Any], *, language: str = "pl") -> str:
    task = report["task"]
    return report_heading(task["code"], task["name"], as_of=report["as_of"],
                          publication=report.get("publication")).in_language(language)


def to_text(report: dict[str, Any], *, language: str = "pl") -> str:
    lines = [heading(report, language=language), "", INDICATORS_TITLE.in_language(language),
             VALUE_LEGEND.in_language(language), ""]
    lines += _render(indicator_table(report, language=language))
    lines += ["", RULES_TITLE.in_language(language) + ":",
              *("  " + line for line in rule_lines(report, language=language)),
              "", STAGES_TITLE.in_language(language), ""]
    lines += _render(stage_table(report, language=language))
    lines += ["", progress_line(report, language=language)]
    return "\n".join(lines) + "\n"


def _render(rows: list[list[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    out = []
    for n, row in enumerate(rows):
        out.append(" | ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
        if n == 0:
            out.append("-+-".join("-" * w for w in widths))
    return out


def to_csv(report: dict[str, Any], *, language: str = "pl") -> str:
    """Both tables in one file for Polish Excel: BOM, ';' separator, decimal comma, formula cells defused."""
    rows: list[list[str]] = [[heading(report, language=language)], [INDICATORS_TITLE.in_language(language)]]
    rows += indicator_table(report, decimal=",", language=language)
    rows += [[], [RULES_TITLE.in_language(language)]]
    rows += [[line] for line in rule_lines(report, language=language)]
    rows += [[], [STAGES_TITLE.in_language(language)]]
    rows += stage_table(report, decimal=",", language=language)
    rows.append([progress_line(report, language=language)])
    return write_csv(rows)
