"""The one CSV writer of every export: what Polish Excel opens as it is, and what it cannot run.

- UTF-8 with a byte-order mark and ';' between fields (Polish Excel's list separator), CRLF lines.
- Formula cells defused (OWASP "CSV injection"): a text cell starting with =, +, -, @, tab or CR
  gets an apostrophe in front, so Excel shows it as text instead of evaluating it.
- Numbers are not text: int and float cells are written as they are, and so is text that is a
  plain number ("-5", "-1,5", "12%") — Excel reads it as that number, never as a formula. The
  strategy tables' "not planned" marker "-" alone is kept too: there is nothing after it to run.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any, Iterable, Sequence

BOM = "\ufeff"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+([.,][0-9]+)?%?")
_SAFE_TEXT = {"-"}


def defuse(cell: Any) -> Any:
    """The cell as it may be written: text that Excel would take for a formula gets a leading "'"."""
    if not isinstance(cell, str) or not cell.startswith(FORMULA_START):
        return cell
    if cell in _SAFE_TEXT or _PLAIN_NUMBER.fullmatch(cell):
        return cell
    return "'" + cell


def write_csv(rows: Iterable[Sequence[Any]], header: Sequence[Any] | None = None) -> str:
    """The rows (and a header row first, if given) as CSV text for Polish Excel. None is an empty cell."""
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    if header is not None:
        writer.writerow([defuse("" if c is None else c) for c in header])
    for row in rows:
        writer.writerow([defuse("" if c is None else c) for c in row])
    return out.getvalue()
