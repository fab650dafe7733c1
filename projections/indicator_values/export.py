"""A task report (queries.task_report) in the strategy's own layout: text table and CSV.

Both keep "-" (not planned), 0 (a real zero) and "bd" (no data) apart, and both say which row
is the plan (target) and which the achieved value. CSV is for Polish Excel: UTF-8 with BOM,
';' between fields, decimal comma.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from domain.strategy.values import LEVEL_LABELS_PL, NOT_PLANNED, is_number

BOM = "\ufeff"
SERIES = (("target", "plan (wartość docelowa)"), ("actual", "wykonanie (wartość osiągnięta)"),
          ("percent", "% wykonania planu"))


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


def indicator_table(report: dict[str, Any], *, decimal: str = ".") -> list[list[str]]:
    """Header + rows: Kod / Typ / Wskaźnik / Źródło / Wartość / one column per year."""
    years = report["years"]
    rows = [["Kod", "Typ", "Wskaźnik", "Źródło", "Wartość", *years]]
    by_level: dict[str, list[dict[str, Any]]] = {}
    for indicator in report["indicators"]:
        by_level.setdefault(indicator["level"], []).append(indicator)
    for level, label in LEVEL_LABELS_PL.items():
        indicators = by_level.get(level.value, [])
        if not indicators:
            rows.append(["", label, "Brak", "", "", *["" for _ in years]])
            continue
        for n, indicator in enumerate(indicators):
            for s, (series, series_label) in enumerate(SERIES):
                cells = []
                for year in years:
                    value = indicator["years"][year][series]
                    cells.append(_percent(value, decimal) if series == "percent" else format_value(value, decimal=decimal))
                first = s == 0
                rows.append([indicator["code"] if first else "", label if first and n == 0 else "",
                             indicator["name"] if first else "", indicator["source"] if first else "",
                             series_label, *cells])
    return rows


def stage_table(report: dict[str, Any], *, decimal: str = ".") -> list[list[str]]:
    """Header + rows: Etap / one "realised/planned%" column per year / total; a last row with the sums."""
    years = report["years"]
    rows = [["Etap realizacji (wykonanie/plan %)", *years, "Razem"]]

    def pair(realised: Any, planned: Any) -> str:
        return f"{format_value(realised, decimal=decimal)}/{format_value(planned, decimal=decimal)}%"

    for stage in report["stages"]:
        cells = [NOT_PLANNED if cell == NOT_PLANNED else pair(cell["realised"], cell["planned"])
                 for cell in (stage["years"][y] for y in years)]
        rows.append([f"{stage['number']}. {stage['name']}", *cells, pair(stage["realised"], stage["planned"])])
    progress = report["progress"]
    rows.append(["Razem (postęp zadania)", *["" for _ in years], pair(progress["realised"], progress["planned"])])
    return rows


def rule_lines(report: dict[str, Any]) -> list[str]:
    return [f"{i['code']} (reguła v{i['rule_version']}): {i['rule']}" for i in report["indicators"]]


def progress_line(report: dict[str, Any]) -> str:
    p = report["progress"]
    parts = [f"Postęp zadania {report['task']['code']}: {format_value(p['realised'])}% "
             f"(plan do {report['as_of'][:4] if report['as_of'] else 'dziś'}: {format_value(p['planned_to_date'])}%)"]
    if p["programme"]["progress"] is not None:
        parts.append(f"programu {p['programme']['code']}: {format_value(p['programme']['progress'])}%")
    if p["goal"]["progress"] is not None:
        parts.append(f"celu {p['goal']['code']}: {format_value(p['goal']['progress'])}%")
    return "; ".join(parts)


def heading(report: dict[str, Any]) -> str:
    task = report["task"]
    when = f"stan na {report['as_of']} (tylko wpisy zarejestrowane do końca tego dnia)" if report["as_of"] \
        else "stan bieżący"
    publication = report.get("publication")
    if publication:
        when = (f"raport opublikowany nr {publication['number']} „{publication['title']}” "
                f"({publication['published_at'][:16].replace('T', ' ')} UTC), odtworzony bez późniejszych zmian")
    return f"Zadanie {task['code']} {task['name']} — {when}"


def to_text(report: dict[str, Any]) -> str:
    lines = [heading(report), "", "Mierniki dla realizacji zadania",
             "(„-” = nie planowano, „bd” = brak danych, 0 = zero)", ""]
    lines += _render(indicator_table(report))
    lines += ["", "Reguły obliczania wartości osiągniętych:", *("  " + line for line in rule_lines(report)),
              "", "Etapy realizacji zadania", ""]
    lines += _render(stage_table(report))
    lines += ["", progress_line(report)]
    return "\n".join(lines) + "\n"


def _render(rows: list[list[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    out = []
    for n, row in enumerate(rows):
        out.append(" | ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
        if n == 0:
            out.append("-+-".join("-" * w for w in widths))
    return out


def to_csv(report: dict[str, Any]) -> str:
    """Both tables in one file for Polish Excel: BOM, ';' separator, decimal comma."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([heading(report)])
    writer.writerow(["Mierniki dla realizacji zadania"])
    writer.writerows(indicator_table(report, decimal=","))
    writer.writerow([])
    writer.writerow(["Reguły obliczania wartości osiągniętych"])
    writer.writerows([[line] for line in rule_lines(report)])
    writer.writerow([])
    writer.writerow(["Etapy realizacji zadania"])
    writer.writerows(stage_table(report, decimal=","))
    writer.writerow([progress_line(report)])
    return BOM + buffer.getvalue()
