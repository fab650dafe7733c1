"""CSV and XLSX files of an old register as `Table`s (see infra/imports/__init__.py).

XLSX through openpyxl in read-only mode (the rows are streamed, not the whole workbook built), values not
formulas; CSV as UTF-8 (with or without a BOM) or, failing that, Windows-1250 — what a Polish Excel writes —
with the delimiter sniffed among `;`, `,` and tab. A file that is neither says so, naming the field `file`.
"""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from pathlib import PurePath
from typing import Any, Iterable

from domain.errors import ValidationFailed, bilingual
from domain.use_cases.import_layout import RegisterFile, Table

XLSX_MAGIC = b"PK\x03\x04"
OLD_EXCEL_MAGIC = b"\xd0\xcf\x11\xe0"


class RegisterFileReader:
    """The `RegisterFiles` port of the import use case."""

    def read(self, content: bytes, file_name: str, *, max_rows: int | None = None) -> RegisterFile:
        return read_register_file(content, file_name, max_rows=max_rows)

    def template(self) -> bytes:
        from infra.imports.template import template_xlsx

        return template_xlsx()


def read_register_file(content: bytes, file_name: str, *, max_rows: int | None = None) -> RegisterFile:
    name = PurePath(file_name or "rejestr").name
    if not content:
        raise ValidationFailed(bilingual("Plik jest pusty.", "The file is empty."), field="file")
    if content.startswith(OLD_EXCEL_MAGIC):
        raise ValidationFailed(bilingual("To plik starego formatu Excela (.xls): zapisz go jako .xlsx albo .csv.",
                                         "This is an old Excel file (.xls): save it as .xlsx or .csv."), field="file")
    if content.startswith(XLSX_MAGIC):
        tables = _xlsx_tables(content, max_rows)
    elif name.lower().endswith(".xlsx"):
        raise ValidationFailed(bilingual("Plik nie jest poprawnym plikiem XLSX.", "The file is not a valid XLSX file."),
                               field="file")
    else:
        tables = [_csv_table(content, PurePath(name).stem, max_rows)]
    return RegisterFile(name=name, digest=hashlib.sha256(content).hexdigest(), tables=tables)


class _Counter:
    def __init__(self, max_rows: int | None) -> None:
        self.max_rows = max_rows
        self.rows = 0

    def take(self) -> None:
        self.rows += 1
        if self.max_rows is not None and self.rows > self.max_rows:
            raise ValidationFailed(bilingual(
                f"Plik ma więcej niż {self.max_rows} wierszy: podziel go albo zaimportuj poleceniem „splot import”.",
                f"The file has more than {self.max_rows} rows: split it, or import it with `splot import`."),
                field="file")


def _blank(cells: Iterable[Any]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def _xlsx_tables(content: bytes, max_rows: int | None) -> list[Table]:
    import openpyxl  # only an import needs it

    counter = _Counter(max_rows)
    try:
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as error:
        raise ValidationFailed(bilingual("Plik nie jest poprawnym plikiem XLSX.", "The file is not a valid XLSX file."),
                               field="file") from error
    except Exception as error:  # openpyxl's own errors for a broken or foreign workbook
        raise ValidationFailed(bilingual("Nie da się odczytać pliku XLSX.", "The XLSX file cannot be read."),
                               field="file") from error
    tables = []
    try:
        for sheet in book.worksheets:
            header: list[str] = []
            rows: list[tuple[int, list[Any]]] = []
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                cells = list(values)
                if number == 1:
                    header = ["" if c is None else str(c).strip() for c in cells]
                elif not _blank(cells):
                    counter.take()
                    rows.append((number, cells))
            tables.append(Table(sheet.title, header, rows))
    finally:
        book.close()
    return tables


def _csv_table(content: bytes, name: str, max_rows: int | None) -> Table:
    counter = _Counter(max_rows)
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1250", errors="replace")  # what a Polish Excel saves as "CSV"
    if "\x00" in text:
        raise ValidationFailed(bilingual("Plik nie jest plikiem CSV ani XLSX.", "The file is neither CSV nor XLSX."),
                               field="file")
    sample = text[:8192]
    try:
        delimiter = csv.Sniffer().sniff(sample.splitlines()[0] if sample else "", delimiters=";,\t").delimiter
    except csv.Error:
        delimiter = ";"  # one column, or nothing to tell by: the Polish spreadsheets' own
    header: list[str] = []
    rows: list[tuple[int, list[Any]]] = []
    try:
        for number, cells in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), 1):
            if number == 1:
                header = [c.strip() for c in cells]
            elif not _blank(cells):
                counter.take()
                rows.append((number, list(cells)))
    except csv.Error as error:
        raise ValidationFailed(bilingual(f"Plik CSV jest uszkodzony: {error}.", f"The CSV file is broken: {error}."),
                               field="file") from error
    return Table(name, header, rows)
