"""Reading registers (infra/imports) and turning cells into fields (domain/use_cases/import_cells.py and
import_layout.py), without a store:
CSV in UTF-8 or Windows-1250 with any of the usual delimiters, XLSX dates kept as dates, the template's labels row
skipped, Polish and ISO dates, a row limit, and files that are not registers refused on the file."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from domain.errors import ValidationFailed
from domain.use_cases.import_cells import parse_date
from domain.use_cases.import_layout import file_rows
from infra.imports import read_register_file, template_xlsx
from tests.support.registers import CONTACT_HEADER, csv_file, xlsx_file


@pytest.mark.parametrize("delimiter", [";", ",", "\t"])
@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "cp1250"])
def test_csv_in_the_usual_encodings_and_delimiters(delimiter, encoding):
    content = csv_file(CONTACT_HEADER, [["05.03.2013", "RIPH", "CITT", "", "phone", "Zażółć gęślą jaźń"]],
                       delimiter=delimiter, encoding=encoding)
    register = read_register_file(content, "kontakty.csv")
    (table,) = register.tables
    assert (table.name, table.header) == ("kontakty", CONTACT_HEADER)
    assert table.rows == [(2, ["05.03.2013", "RIPH", "CITT", "", "phone", "Zażółć gęślą jaźń"])]
    assert len(register.digest) == 64


def test_xlsx_keeps_dates_and_row_numbers_and_skips_blank_rows():
    content = xlsx_file({"kontakty": (CONTACT_HEADER, [[datetime(2013, 3, 5), "RIPH", "CITT", None, "phone", "A"],
                                                       [None] * 6,
                                                       ["2013-03-06", "RIPH", "CITT", None, "phone", "B"]])})
    (table,) = read_register_file(content, "rejestr.xlsx").tables
    assert [number for number, _ in table.rows] == [2, 4]
    assert table.rows[0][1][0] == datetime(2013, 3, 5)
    rows, problems = file_rows(read_register_file(content, "rejestr.xlsx"))
    assert problems == [] and [r.row for r in rows] == [2, 4] and rows[0].kind == "contact"


def test_the_template_has_a_labels_row_that_is_skipped():
    register = read_register_file(template_xlsx(), "szablon.xlsx")
    contacts = next(t for t in register.tables if t.name == "kontakty")
    assert contacts.rows[0][1][0] == "Data zdarzenia / Date"
    assert file_rows(register) == ([], [])


@pytest.mark.parametrize("cell, day", [("2013-03-05", date(2013, 3, 5)), ("5.3.2013", date(2013, 3, 5)),
                                       ("05.03.2013", date(2013, 3, 5)), (datetime(2013, 3, 5, 12), date(2013, 3, 5)),
                                       (date(2013, 3, 5), date(2013, 3, 5))])
def test_dates_iso_or_polish(cell, day):
    assert parse_date(cell, field="occurred_on") == day


@pytest.mark.parametrize("cell", ["2013-02-30", "03/05/2013", "5 marca 2013", "41338"])
def test_other_dates_are_refused_with_both_forms_named(cell):
    with pytest.raises(ValidationFailed) as refused:
        parse_date(cell, field="occurred_on")
    assert refused.value.field == "occurred_on" and "05.03.2013" in refused.value.text.pl


def test_a_row_limit_refuses_the_file():
    content = csv_file(CONTACT_HEADER, [["2013-03-05", "RIPH", "CITT", "", "phone", f"K{i}"] for i in range(4)])
    assert len(read_register_file(content, "k.csv", max_rows=4).tables[0].rows) == 4
    with pytest.raises(ValidationFailed) as refused:
        read_register_file(content, "k.csv", max_rows=3)
    assert refused.value.field == "file" and "splot import" in refused.value.text.en


@pytest.mark.parametrize("content, name, words", [(b"", "k.csv", "pusty"), (b"\xd0\xcf\x11\xe0xx", "k.xls", ".xls"),
                                                   (b"PK\x03\x04xx", "k.xlsx", "XLSX"), (b"not a zip", "k.xlsx", "XLSX"),
                                                   (b"a\x00b", "k.csv", "CSV")])
def test_files_that_are_not_registers(content, name, words):
    with pytest.raises(ValidationFailed) as refused:
        read_register_file(content, name)
    assert refused.value.field == "file" and words in refused.value.text.pl
