"""The one XLSX writer of the exports (XlsxWriter): a title line saying what the sheet holds and as of
when, then a header row and the rows, the header frozen so it stays in view.

Cells keep their type: int and float are numbers, `date` and `datetime` are dates (Excel has no time
zones: a datetime is written as its wall-clock time, so say the zone in the header), and every text is
written as text — `write_string`, never `write`, so "=1+1" or "+48 65 ..." typed by a user is never a
formula (and needs no apostrophe, unlike CSV). None is an empty cell.
"""

from __future__ import annotations

import io
from datetime import date, datetime
from typing import Any, Iterable, Sequence

import xlsxwriter

MAX_SHEET_NAME = 31  # Excel's limit
_SHEET_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})


def write_xlsx(header: Sequence[str], rows: Iterable[Sequence[Any]], *, title: str,
               sheet_name: str = "Dane", notes: Sequence[str] = ()) -> bytes:
    """A workbook with one sheet: `title` in A1 (also the workbook's title property), any `notes` (lines
    saying more about what it holds) below it, then the header (frozen) and the rows."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "remove_timezone": True})
    book.set_properties({"title": title, "comments": title})
    sheet = book.add_worksheet(sheet_name.translate(_SHEET_FORBIDDEN)[:MAX_SHEET_NAME])
    bold = book.add_format({"bold": True})
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    time_format = book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    sheet.write_string(0, 0, title, bold)
    for n, note in enumerate(notes, start=1):
        sheet.write_string(n, 0, str(note))
    head = 1 + len(notes)
    widths = [len(str(h)) for h in header]
    for col, name in enumerate(header):
        sheet.write_string(head, col, str(name), bold)
    for r, row in enumerate(rows, start=head + 1):
        for col, cell in enumerate(row):
            if cell is None:
                continue
            if isinstance(cell, bool):
                sheet.write_boolean(r, col, cell)
            elif isinstance(cell, (int, float)):
                sheet.write_number(r, col, cell)
            elif isinstance(cell, datetime):
                sheet.write_datetime(r, col, cell, time_format)
            elif isinstance(cell, date):
                sheet.write_datetime(r, col, datetime.combine(cell, datetime.min.time()), date_format)
            else:
                sheet.write_string(r, col, str(cell))
            if col < len(widths):
                widths[col] = max(widths[col], min(len(str(cell)), 60))
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width + 2)
    sheet.freeze_panes(head + 1, 0)
    book.close()
    return out.getvalue()
