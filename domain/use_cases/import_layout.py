"""The layout of an old register (issue 13, docs/IMPORT.md): which sheets and columns a CSV or XLSX file may
have, what a reader hands over (`Table`, `RegisterFile`), and the file's tables turned into rows of one record
kind each (`file_rows`). Split from domain/use_cases/imports.py (the use case) and import_cells.py (a row's
cells as a record's fields)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any, Callable, Iterable, Protocol

from domain.errors import Message, bilingual
from domain.record_kinds import RECORD_KINDS, FieldSpec, Role
from domain.values import RecordKind

# ---------------------------------------------------------------------------------------------- the layout
# The sheet names of each kind (Polish first, as the template names them); matched ignoring case and "_".
SHEET_NAMES: dict[str, tuple[str, ...]] = {
    RecordKind.CONTACT: ("kontakty", "contacts", "contact"),
    RecordKind.MEETING: ("spotkania", "meetings", "meeting"),
    RecordKind.INFORMATION_EXCHANGE: ("wymiana informacji", "information exchanges", "information exchange"),
    RecordKind.CONCLUSION: ("wnioski", "conclusions", "conclusion"),
}
INSTRUCTIONS_SHEET = "instrukcja"  # the template's first sheet: words, no rows
KIND_COLUMN = "record_kind"  # a CSV holding several kinds names each row's kind here
NOT_IMPORTED = ("network_id", "follow_ups")  # the importer's network; follow-ups are added to a record later
LIST_SEPARATOR = re.compile(r"[;\n]")
_SPACES = re.compile(r"[\s_]+")


@lru_cache(maxsize=None)
def columns_of(kind: str) -> tuple[FieldSpec, ...]:
    """The columns a sheet of `kind` may have, in the template's order (the persons last)."""
    fields = [f for f in RECORD_KINDS[kind].fields if f.name not in NOT_IMPORTED]
    return tuple(sorted(fields, key=lambda f: f.has(Role.PARTY_PERSON)))


def plain_name(text: object) -> str:
    """A name as compared: case, spaces and "_" ignored (names of a register repeat: the answers are cached)."""
    return _plain_text(text) if isinstance(text, str) else _plain_text(str(text or ""))


@lru_cache(maxsize=65536)
def _plain_text(text: str) -> str:
    return _SPACES.sub(" ", text).strip().casefold()


def kind_of_sheet(name: str) -> str | None:
    wanted = plain_name(name)
    return next((kind for kind, names in SHEET_NAMES.items() if wanted in names or wanted == kind.replace("_", " ")),
                None)


@lru_cache(maxsize=None)
def _label_forms(spec: FieldSpec) -> frozenset[str]:
    return frozenset({plain_name(spec.label.pl), plain_name(spec.label.en),
                      plain_name(f"{spec.label.pl} / {spec.label.en}")})


# ---------------------------------------------------------------------------------------------- what flows
@dataclass(frozen=True)
class Table:
    """One sheet (or CSV file) as read: its header and its rows, each with its row number in the file."""
    name: str
    header: list[str]
    rows: list[tuple[int, list[Any]]]  # cells: str, int, float, date, datetime or None


@dataclass(frozen=True)
class RegisterFile:
    name: str
    digest: str  # sha256 of the file's bytes: with a sheet and row, it keys a row
    tables: list[Table]


class RegisterFiles(Protocol):
    """Reading CSV and XLSX files into tables, and writing the template (infra/imports/)."""

    def read(self, content: bytes, file_name: str, *, max_rows: int | None = None) -> RegisterFile: ...
    def template(self) -> bytes: ...


@dataclass(frozen=True)
class ImportRow:
    sheet: str
    row: int  # in the file; the header is row 1
    kind: str
    cells: dict[str, Any]  # field name -> cell


@dataclass(frozen=True)
class RowProblem:
    sheet: str
    row: int
    field: str | None
    message: Message


@dataclass
class ImportReport:
    file_name: str
    rows: int = 0  # data rows in the file
    valid: int = 0  # rows that passed every check and were not imported before
    already: int = 0  # rows imported before (their key is in the log)
    imported: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    dry_run: bool = False
    by_kind: dict[str, int] = field(default_factory=dict)  # imported rows per record kind

    @property
    def rejected(self) -> int:
        return len({(p.sheet, p.row) for p in self.problems})


Progress = Callable[[str, int, int], None]  # (phase "check" | "import", rows done, rows in all)


def no_progress(phase: str, done: int, total: int) -> None:
    return None


def cell_text(cell: Any) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)  # a NIP or a number typed into a spreadsheet cell
    if isinstance(cell, datetime):
        cell = cell.date()
    return str(cell).strip()



# ---------------------------------------------------------------------------------------------- tables to rows
def file_rows(register: RegisterFile) -> tuple[list[ImportRow], list[RowProblem]]:
    """The file's data rows with their kind and cells by field; a sheet that cannot be read as a whole (an
    unknown sheet or column) is one problem on its header row, and none of its rows is taken."""
    rows: list[ImportRow] = []
    problems: list[RowProblem] = []
    for table in register.tables:
        header = [plain_name(h) for h in table.header]
        data = [(number, cells) for number, cells in table.rows if any(cell_text(c) for c in cells)]
        if not data:
            continue
        if plain_name(table.name) == INSTRUCTIONS_SHEET:
            continue
        by_kind: dict[int, str | None] = {}
        kind_column = plain_name(KIND_COLUMN)
        if kind_column in header:  # a CSV of several kinds
            at = header.index(kind_column)
            for number, cells in data:
                by_kind[number] = kind_of_sheet(cell_text(cells[at]) if at < len(cells) else "")
        else:
            kind = kind_of_sheet(table.name)
            if kind is None:
                sheets = ", ".join(names[0] for names in SHEET_NAMES.values())
                problems.append(RowProblem(table.name, 1, None, bilingual(
                    f"Nieznany arkusz „{table.name}”: arkusze nazywają się {sheets} (albo plik CSV ma kolumnę "
                    f"{KIND_COLUMN}).",
                    f"Unknown sheet “{table.name}”: the sheets are named {sheets} (or a CSV file has a "
                    f"{KIND_COLUMN} column).")))
                continue
            by_kind = {number: kind for number, _ in data}
        kinds = {k for k in by_kind.values() if k}
        allowed = {kind_column}
        columns: dict[str, str] = {}  # plain header -> field
        for kind in kinds or set(SHEET_NAMES):
            for spec in columns_of(kind):
                columns[plain_name(spec.name)] = spec.name
                columns.update({form: spec.name for form in _label_forms(spec)})
        unknown = [table.header[i] for i, h in enumerate(header) if h and h not in columns and h not in allowed]
        if unknown:
            problems.append(RowProblem(table.name, 1, None, bilingual(
                f"Nieznane kolumny: {', '.join(map(str, unknown))}. Kolumny nazywają się jak pola wpisu "
                "(zob. szablon).",
                f"Unknown columns: {', '.join(map(str, unknown))}. Columns are named as the record's fields "
                "(see the template).")))
            continue
        for number, cells in data:
            kind = by_kind[number]
            if kind is None:
                problems.append(RowProblem(table.name, number, KIND_COLUMN, bilingual(
                    "Nieznany rodzaj wpisu w kolumnie record_kind.", "Unknown record kind in the record_kind column.")))
                continue
            own = {plain_name(s.name) for s in columns_of(kind)}
            named = {columns[h]: cells[i] if i < len(cells) else None for i, h in enumerate(header)
                     if h in columns and plain_name(columns[h]) in own}
            if _labels_row(kind, named):
                continue  # the template's second header row: the columns' labels
            rows.append(ImportRow(table.name, number, kind, named))
    return rows, problems


def _labels_row(kind: str, named: dict[str, Any]) -> bool:
    """Whether every filled cell holds its column's label (the template's second header row); a data row is
    told apart at its first filled cell."""
    filled = False
    for name, cell in named.items():
        text = cell_text(cell)
        if text:
            if plain_name(text) not in _label_forms(RECORD_KINDS[kind].field(name)):
                return False
            filled = True
    return filled


def count_rows(tables: Iterable[Table]) -> int:
    return sum(len(t.rows) for t in tables)
