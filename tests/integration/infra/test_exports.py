"""Exports: one CSV writer (BOM, ';', formula cells defused, numbers left as numbers) behind the task
report and the audit trail, and the words of both in the language asked for."""

from __future__ import annotations

import csv
import io
from datetime import date

from domain.values import stable_id
from infra.exports.audit import entries_csv
from infra.exports.csv import defuse, write_csv
from infra.exports.report import to_csv, to_text
from projections.audit_trail.queries import audit_entries
from projections.indicator_values.queries import task_report
from tests.support.strategy import STAFF, build_network, start_strategy

HOSTILE_STRATEGY = """
format = 1

[strategy]
name = "=Strategia"

[[goals]]
code = "V"
name = "Cel"
owner = "Burmistrz"

[[programmes]]
goal = "V"
code = "V.1"
name = "Program"
coordinator = "Naczelnik"

[[tasks]]
programme = "V.1"
code = "V.1.1"
name = "=HYPERLINK(\\"http://example.org\\";\\"zadanie\\")"
weight = 100
years = [2011, 2012]

[[tasks.stages]]
number = 1
name = "Etap"
planned = { 2011 = 100, 2012 = "-" }
realised = { 2011 = 40 }

[[tasks.indicators]]
code = "V.1.1.W1"
name = "+cmd|' /C calc'!A0"
level = "result"
source_label = "-2+3"
sources = ["WPiR"]
unit = "szt."
targets = { 2011 = 2, 2012 = "-" }
rule = { kind = "count", record_kind = "contact" }
"""


def parse(text: str) -> list[list[str]]:
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def test_the_writer_defuses_formula_text_and_leaves_numbers_alone():
    text = write_csv([["=1+2", "+A1", "-1+2", "@SUM(A1)", "\tx", "\rx", "tekst", "-"],
                      [-5, -1.5, "-5", "-1,5", "-12%", "+3", None, 0]], header=["Kolumna", "=x"])
    assert text.startswith("\ufeffKolumna;'=x\r\n")
    rows = parse(text)
    assert rows[1] == ["'=1+2", "'+A1", "'-1+2", "'@SUM(A1)", "'\tx", "'\rx", "tekst", "-"]
    assert rows[2] == ["-5", "-1.5", "-5", "-1,5", "-12%", "+3", "", "0"]
    assert defuse(-5) == -5 and defuse("-5 zł") == "'-5 zł"


def test_a_formula_in_a_task_or_indicator_name_is_defused_in_the_report_csv(container):
    network_id = stable_id("test-network", "exports")
    municipality_id = stable_id("test-municipality", "exports")
    strategy_id = stable_id("test-strategy", "exports")
    container.app.registry.register_municipality(name="Gmina", teryt=None, actor=STAFF, id=municipality_id)
    container.app.registry.register_network(name="Sieć", kind="institution_network", municipality_ids=[municipality_id],
                                            actor=STAFF, id=network_id)
    net = build_network(container, network_id, scope="exports")
    start_strategy(container.app, strategy_id=strategy_id, network_id=network_id, text=HOSTILE_STRATEGY)
    net.contact(date(2011, 5, 5), "WPiR", "RIPH")
    container.runner.catch_up()
    with container.views.transaction() as tx:
        report = task_report(tx, "V.1.1", strategy_id=str(strategy_id))
    rows = parse(to_csv(report))
    cells = [cell for row in rows for cell in row]
    assert rows[0][0].startswith("Zadanie V.1.1 =HYPERLINK")  # mid-cell: harmless, left as typed
    indicator = next(row for row in rows if row and row[0] == "V.1.1.W1")
    assert indicator[2] == "'+cmd|' /C calc'!A0" and indicator[3] == "'-2+3"
    assert indicator[5:] == ["2", "-"]  # the target 2 and "not planned" stay themselves
    achieved = rows[rows.index(indicator) + 1]
    assert achieved[5:] == ["1", "0"]  # one contact in 2011, a real zero in 2012
    assert not any(cell.startswith(("=", "+", "@")) for cell in cells)
    stage = next(row for row in rows if row and row[0] == "1. Etap")
    assert stage[1:] == ["40/100%", "-", "40/100%"]
    # the text table is not a spreadsheet: it shows the names as typed
    assert "+cmd|' /C calc'!A0" in to_text(report)


def test_report_and_audit_exports_speak_the_language_asked_for(container):
    net = build_network(container, stable_id("network", "default"), firms=1)
    saved = net.contact(date(2011, 5, 5), "WPiR", "RIPH")
    container.app.records.correct_record(record_id=saved.id, expected_version=saved.version, reason="=fix",
                                         changes={"summary": "@nowy opis"}, actor=STAFF)
    container.runner.catch_up()
    with container.views.transaction() as tx:
        report = task_report(tx, "III.1.3", strategy_id=str(stable_id("strategy")))
        rows, _ = audit_entries(tx, limit=1000)
    polish, english = parse(to_csv(report)), parse(to_csv(report, language="en"))
    assert polish[2][:5] == ["Kod", "Typ", "Wskaźnik", "Źródło", "Wartość"]
    assert english[2][:5] == ["Code", "Type", "Indicator", "Source", "Value"]
    assert "Indicators of the task" in to_text(report, language="en")
    audit_pl, audit_en = parse(entries_csv(rows)), parse(entries_csv(rows, language="en"))
    assert audit_pl[0][0] == "Pozycja" and audit_en[0][0] == "Position"
    corrected = [line for line in audit_pl[1:] if line[8] == "Record.Corrected"][0]
    assert corrected[9] == "'=fix" and corrected[10].startswith('Opis: "Kontakt')
    assert [line for line in audit_en[1:] if line[8] == "Record.Corrected"][0][10].startswith("Summary: ")
