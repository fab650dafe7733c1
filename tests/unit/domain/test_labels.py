"""The labels catalogue: every label has Polish and English apart, every event topic has a label,
and the projections hold no wording of their own."""

from __future__ import annotations

import ast
from pathlib import Path

from domain import labels
from domain.closing import ReportingYear
from domain.closing_gate import ClosingGate
from domain.idempotency import IdempotencyKey
from domain.errors import Message, NotFound
from domain.practices import Practice
from domain.records import Record
from domain.registry import Firm, Institution, Municipality, Network, UniqueKey
from domain.strategy.model import Strategy

AGGREGATES = (Municipality, Network, Institution, Firm, UniqueKey, Record, Strategy, ReportingYear, ClosingGate,
              IdempotencyKey, Practice)

ROOT = Path(__file__).resolve().parents[3]


def test_every_label_is_a_message_with_distinct_polish_and_english():
    catalogue = [*labels.FIELD_LABELS.values(), *labels.EVENT_LABELS.values(), *labels.LEVEL_LABELS.values(),
                 *labels.INDICATOR_HEADER, *labels.SERIES_LABELS.values(), *labels.AUDIT_CSV_HEADER,
                 labels.STAGE_HEADER, labels.STAGE_TOTAL, labels.INDICATORS_TITLE, labels.RULES_TITLE]
    for label in catalogue:
        assert isinstance(label, Message) and label.pl and label.en and label.pl != label.en, label
    assert labels.field_label("occurred_on").pl == "Data zdarzenia" and labels.field_label("occurred_on").en == "Date"
    assert labels.field_label("no_such_field") == "no_such_field"


def test_every_event_type_that_is_stored_has_a_label():
    events = [getattr(aggregate, name) for aggregate in AGGREGATES for name in dir(aggregate)
              if name not in ("Created", "Event", "Snapshot")]  # bases, never stored themselves
    stored = {str(getattr(event, "TOPIC", "")).split(":", 1)[-1] for event in events if isinstance(event, type)}
    stored = {t for t in stored if t.count(".") == 1 and not t.endswith(".Created")}
    assert "Record.MeetingHeld" in stored and "ReportingYear.Reopened" in stored
    assert stored <= set(labels.EVENT_LABELS), stored - set(labels.EVENT_LABELS)
    assert labels.event_label("Record.MeetingHeld").in_language("en") == "Meeting recorded"


def test_not_found_helpers_say_it_in_both_languages():
    error = labels.task_not_found("IX.9", as_of="2014-01-10")
    assert isinstance(error, NotFound) and error.field == "task_code"
    assert "na dzień 2014-01-10" in error.text.pl and "as of 2014-01-10" in error.text.en


def test_projections_define_no_polish_sentences():
    """Text with Polish letters in a projection's code (docstrings and comments aside) is wording that
    belongs in domain/labels.py."""
    polish = set("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ")
    found = []
    for path in sorted((ROOT / "projections").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                      if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef)) and node.body
                      and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
        for node in ast.walk(tree):
            if (isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
                    and polish & set(node.value)):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.value[:40]}")
    assert found == []
