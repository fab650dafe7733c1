"""The XLSX template of an import (docs/IMPORT.md): an instructions sheet, then one sheet per record kind with
its header rows — row 1 the fields' names (what the importer reads), row 2 their labels (skipped on import).
Columns are formatted as text so that a NIP or a date typed as 05.03.2013 stays as typed."""

from __future__ import annotations

import io

import xlsxwriter

from domain.record_kinds import CHOICE_LABELS, FieldType, Role
from domain.use_cases.import_layout import INSTRUCTIONS_SHEET, SHEET_NAMES, columns_of

INSTRUCTIONS = [
    ("Import rejestru działań do Splotu", "Importing a register of activities into Splot"),
    ("Jeden arkusz na rodzaj wpisu: kontakty, spotkania, wymiana informacji, wnioski. Wiersz 1 to nazwy pól "
     "(nie zmieniaj ich), wiersz 2 to ich opisy; dane wpisuj od wiersza 3. Pusty arkusz jest pomijany.",
     "One sheet per record kind: contacts, meetings, information exchanges, conclusions. Row 1 holds the fields' "
     "names (keep them), row 2 their labels; type the data from row 3. An empty sheet is skipped."),
    ("Instytucje podaj skrótem albo pełną nazwą, firmy NIP-em albo nazwą, osoby imieniem i nazwiskiem (spośród "
     "osób kontaktowych instytucji i firm z tego wiersza). Kilka pozycji w jednej komórce rozdziel średnikiem.",
     "Give institutions by short name or full name, firms by NIP or name, persons by name (among the contact "
     "persons of the row's institutions and firms). Separate several items in one cell with a semicolon."),
    ("Daty jako 2013-03-05 albo 05.03.2013. Wartości do wyboru (kanał, rodzaj) wpisz tak, jak w opisie kolumny.",
     "Dates as 2013-03-05 or 05.03.2013. Choices (channel, kind) as listed in the column's description."),
    ("Każdy wiersz jest sprawdzany tak jak wpis dodany ręcznie; plik z błędem nie jest importowany, chyba że "
     "wybierzesz import tylko poprawnych wierszy. Ponowny import tego samego pliku niczego nie podwaja.",
     "Each row is checked as a record typed in; a file with an error is not imported unless you choose to import "
     "the valid rows only. Importing the same file again doubles nothing."),
]


def _describe(spec) -> str:
    return f"{spec.label.pl} / {spec.label.en}"  # the form domain/use_cases/import_layout.py skips as a labels row


def _hint(spec) -> str:
    need = "wymagane / required" if spec.required and spec.type not in (FieldType.UUID_LIST,) else \
        "opcjonalne / optional"
    if spec.type is FieldType.CHOICE:
        values = "; ".join(f"{value} = {label.pl}" for value, label in CHOICE_LABELS[spec.choices].items())
        return f"{need}: {values}"
    if spec.type is FieldType.DATE:
        return f"{need}: 2013-03-05 / 05.03.2013"
    if spec.has(Role.PARTY_FIRM):
        return f"{need}: NIP / nazwa firmy (firm name)" + ("; …" if spec.type is FieldType.UUID_LIST else "")
    if spec.has(Role.PARTY_PERSON):
        return f"{need}: imię i nazwisko (name); …"
    if spec.has(Role.PARTY_INSTITUTION):
        return f"{need}: skrót / nazwa instytucji (short name)" + ("; …" if spec.type is FieldType.UUID_LIST else "")
    if spec.max_length:
        return f"{need}: ≤ {spec.max_length}"
    return need


def template_xlsx() -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    book.set_properties({"title": "Splot — szablon importu rejestru (register import template)"})
    bold = book.add_format({"bold": True})
    label = book.add_format({"italic": True, "font_color": "#505a5f", "text_wrap": True})
    text = book.add_format({"num_format": "@"})
    sheet = book.add_worksheet(INSTRUCTIONS_SHEET)
    sheet.set_column(0, 0, 110)
    for n, (polish, english) in enumerate(INSTRUCTIONS):
        sheet.write_string(2 * n, 0, polish, bold if n == 0 else None)
        sheet.write_string(2 * n + 1, 0, english, label)
    for kind, names in SHEET_NAMES.items():
        sheet = book.add_worksheet(names[0])
        for col, spec in enumerate(columns_of(kind)):
            sheet.write_string(0, col, spec.name, bold)
            sheet.write_string(1, col, _describe(spec), label)
            sheet.write_comment(0, col, _hint(spec))
            sheet.set_column(col, col, 28, text)
        sheet.freeze_panes(2, 0)
    book.close()
    return out.getvalue()
