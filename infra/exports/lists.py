"""The lists behind the tables, as CSV and XLSX from the same rows: the drill-down behind one indicator value
(`uc.strategy.value_behind`) and the activity register (`uc.records.register_all`).

Each file starts with a title line saying what it holds, which state and when it was generated (Warsaw
time), then notes (the value and its rule; the register's filters), the header and the rows: names
instead of ids, a link back to each record's page. In the XLSX dates are dates and versions and reported
values numbers; the CSV (csv.write_csv: BOM, ';', formulas defused) writes dates as 2012-05-05 and
decimals with a comma.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Iterable, Iterator, Mapping, Sequence

from domain.errors import Message, bilingual
from domain.record_kinds import RECORD_KINDS
from infra.exports.csv import BOM, write_csv
from infra.exports.report import format_value
from infra.exports.stamp import as_of_words, now, title_line
from infra.exports.xlsx import write_xlsx

W = bilingual
DRILL_HEADER = (W("Rodzaj", "Kind"), W("Data", "Date"), W("Tytuł lub nazwa", "Title or name"),
                W("Instytucje", "Institutions"), W("Firmy", "Firms"), W("Do kiedy", "Until"),
                W("Źródło", "Source"), W("Wartość", "Value"), W("Łącze", "Link"))
REGISTER_HEADER = (W("Data", "Date"), W("Rodzaj", "Kind"), W("Tytuł", "Title"), W("Instytucja", "Institution"),
                   W("Stan", "Status"), W("Wersja", "Version"), W("Łącze", "Link"))
MEMBERSHIP = W("Członkostwo", "Membership")
REPORTED = W("Wartość zgłoszona", "Reported value")
THE_NETWORK = W("sieć", "the network")
STATUS = {"active": W("aktualny", "current"), "retracted": W("wycofany", "retracted")}
REGISTER_WHAT = W("Rejestr wpisów", "Register of records")
ALL_RECORDS = W("wszystkie wpisy, które możesz czytać", "every record you may read")


def _day(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def _kind(kind: str, language: str) -> str:
    spec = RECORD_KINDS.get(kind)
    return spec.label.in_language(language) if spec else kind


def _say(value: Any, language: str) -> str:
    return value.in_language(language) if isinstance(value, Message) else str(value or "")


@dataclass(frozen=True)
class ListTable:
    """One list ready to write: its title line, notes, header and rows (cells typed)."""

    title: str
    notes: Sequence[str]
    header: Sequence[str]
    rows: Iterable[Sequence[Any]]  # read once (a drill-down's rows are made as they are written)
    sheet_name: str

    def xlsx(self) -> bytes:
        return write_xlsx(self.header, self.rows, title=self.title, notes=self.notes, sheet_name=self.sheet_name)

    def csv(self) -> str:
        return "".join(self.csv_chunks())

    def csv_chunks(self, rows_per_chunk: int = 500) -> Iterator[str]:
        """The CSV in pieces of `rows_per_chunk` rows (the first piece with the BOM, title, notes and header),
        for a streamed download: the whole file is never held at once."""
        def cell(value: Any) -> Any:
            if isinstance(value, date):
                return value.isoformat()
            if isinstance(value, float):
                return format_value(value, decimal=",")
            return value
        yield write_csv([[self.title], *([n] for n in self.notes), self.header])
        chunk: list[list[Any]] = []
        for row in self.rows:
            chunk.append([cell(c) for c in row])
            if len(chunk) >= rows_per_chunk:
                yield write_csv(chunk).removeprefix(BOM)
                chunk = []
        if chunk:
            yield write_csv(chunk).removeprefix(BOM)


def drill_down(view: Mapping[str, Any], *, language: str = "pl", base_url: str = "",
               moment: datetime | None = None) -> ListTable:
    """The records, memberships or reported values behind one value, one row each."""
    moment = moment or now()
    indicator, year = view["indicator"], view["year"]
    cell = view.get("cell") or {}
    what = f"{indicator['code']} {indicator['name']} — {year}"
    title = title_line(what, as_of_words(view.get("as_of"), None, language), moment, language)
    notes = [W(f"Wartość osiągnięta: {_number_text(cell.get('actual'))}; plan: {_number_text(cell.get('target'))}",
               f"Actual: {_number_text(cell.get('actual'))}; plan: {_number_text(cell.get('target'))}"
               ).in_language(language),
             W("Jak liczona: ", "How it is computed: ").in_language(language) + _say(view.get("rule"), language)]
    rows = _drill_rows(view["events"], language, base_url)
    return ListTable(title, notes, [h.in_language(language) for h in DRILL_HEADER], rows,
                     sheet_name=f"{indicator['code']} {year}")


def _drill_rows(events: Iterable[Mapping[str, Any]], language: str, base_url: str) -> Iterator[list[Any]]:
    """One row per record, membership or reported value, made as the file is written."""
    for event in events:
        institutions = ", ".join(i["short_name"] for i in event.get("institutions", []))
        if event["type"] == "record":
            yield [_kind(event["kind"], language), _day(event["occurred_on"]), event["title"], institutions,
                   ", ".join(f["name"] for f in event.get("firms", [])), None, None, None,
                   f"{base_url}/wpisy/{event['record_id']}"]
        elif event["type"] == "membership":
            group = event["group_name"] if event["group_name"] != event["group_id"] else THE_NETWORK.in_language(language)
            yield [MEMBERSHIP.in_language(language), _day(event["joined_on"]), event["member_name"],
                   institutions or group, None, _day(event.get("left_on")), None, None, None]
        else:
            yield [REPORTED.in_language(language), _day(event.get("recorded_at")), event.get("note") or "",
                   institutions, None, None, event.get("source") or "", event.get("value"), None]


def _number_text(value: Any) -> str:
    return "" if value is None else str(value)


def register(rows: list[Mapping[str, Any]], names: Mapping[str, str], *, filters: list[str],
             language: str = "pl", base_url: str = "", moment: datetime | None = None) -> ListTable:
    """The register's records the filters select (`filters`: each filter in words), newest first."""
    moment = moment or now()
    title = title_line(REGISTER_WHAT, as_of_words(None, None, language), moment, language)
    chosen = "; ".join(filters) if filters else ALL_RECORDS.in_language(language)
    notes = [W(f"Filtry: {chosen}", f"Filters: {chosen}").in_language(language)]
    body = [[_day(r["occurred_on"]), _kind(r["kind"], language), r["title"],
             names.get(str(r["owner_institution_id"]), str(r["owner_institution_id"] or "")),
             STATUS[r["status"]].in_language(language) if r["status"] in STATUS else str(r["status"]),
             r["version"], f"{base_url}/wpisy/{r['record_id']}"] for r in rows]
    return ListTable(title, notes, [h.in_language(language) for h in REGISTER_HEADER], body,
                     sheet_name=REGISTER_WHAT.in_language(language))
