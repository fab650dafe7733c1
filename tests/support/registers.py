"""Register files for the import tests (issue 13): CSV text and XLSX workbooks built from rows."""

from __future__ import annotations

import io
from datetime import date
from typing import Any, Iterable, Sequence

import openpyxl

CONTACT_HEADER = ["occurred_on", "institution_id", "with_institution_id", "with_firm_id", "channel", "summary"]


def csv_file(header: Sequence[str], rows: Iterable[Sequence[Any]], *, delimiter: str = ";",
             encoding: str = "utf-8-sig") -> bytes:
    lines = [delimiter.join(header)] + [delimiter.join("" if c is None else str(c) for c in row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def xlsx_file(sheets: dict[str, tuple[Sequence[str], Iterable[Sequence[Any]]]]) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, (header, rows) in sheets.items():
        sheet = book.create_sheet(name)
        sheet.append(list(header))
        for row in rows:
            sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def contacts(n: int, *, year: int = 2013, owner: str = "RIPH", other: str = "CITT", start: int = 0) -> list[list[Any]]:
    """`n` valid contact rows, on distinct days of `year`."""
    return [[date(year, 1 + (i % 12), 1 + (i // 12) % 28).isoformat(), owner, other, None, "phone",
             f"Kontakt z rejestru {start + i}"] for i in range(n)]
