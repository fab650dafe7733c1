"""The record forms, laid out from the record-kind specs (domain/record_kinds.py): one widget per field,
read back from the posted form into the fields the use case takes.

Nothing here decides what a record may contain — the use case does (`uc.records.check` before the
check-answers step, `uc.records.record` on save); this only turns inputs into values: three date
inputs (day, month, year; "12.11.2026" typed into the day input is read too), checkboxes and selects
of institutions and firms picked by name, radios for choices, up to three follow-up rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from domain.errors import Message, bilingual
from domain.record_kinds import RECORD_KINDS, FieldSpec, FieldType, Role, choice_label

FOLLOW_UP_ROWS = 3
HIDDEN_FIELDS = {"network_id"}  # the network is the user's
_DOTTED = re.compile(r"^\s*([0-9]{1,2})[./-]([0-9]{1,2})[./-]([0-9]{4})\s*$")


@dataclass
class Widget:
    """One field of a form: how it is drawn and where its inputs are."""

    spec: FieldSpec
    kind: str  # date, text, textarea, radios, select, checkboxes, multiselect, follow_ups
    options: list[tuple[str, str]] = field(default_factory=list)  # (value, label)
    fixed: tuple[str, str] | None = None  # the only value the user may give (their own institution)
    kept: list[str] = field(default_factory=list)  # persons of the record the user cannot pick, kept as they are

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def first_input(self) -> str:
        """The id the error summary links to."""
        if self.kind == "date":
            return f"{self.name}-day"
        if self.kind in ("radios", "checkboxes"):
            return f"{self.name}-0"
        if self.kind == "follow_ups":
            return "follow_ups-0-action"
        return self.name


@dataclass(frozen=True)
class Choices:
    """What the user may pick from, by name: the network's institutions, its firms, recent meetings."""

    institutions: list[tuple[str, str]]  # (id, "RIPH – Regionalna Izba ...")
    firms: list[tuple[str, str]]  # (id, "Firma (NIP 526...)")
    meetings: list[tuple[str, str]]
    persons: list[tuple[str, str]]  # (id, "Anna Nowak – RIPH"): contact persons the user may pick
    own_institution: tuple[str, str] | None  # staff and leads act for it only


# A person of the record whom the editor may not pick (another institution's), as a correction's form names them.
OTHER_PERSON = bilingual("osoba kontaktowa innej instytucji", "a contact person of another institution")


def widgets(kind: str, choices: Choices, language: str, *, current: dict[str, Any] | None = None,
            erased: dict[str, str] | None = None) -> list[Widget]:
    """The form's widgets; for a correction, `current` (the record's fields) and `erased` (erased person ids ->
    how they are named) let the person pickers say which of the record's persons are kept as they are."""
    out = []
    for spec in RECORD_KINDS[kind].fields:
        if spec.name in HIDDEN_FIELDS:
            continue
        widget = _widget(spec, choices, language)
        if current is not None and spec.has(Role.PARTY_PERSON):
            widget.kept = [(erased or {}).get(p) or OTHER_PERSON.in_language(language)
                           for p in unpickable_persons(spec, current, choices)]
        out.append(widget)
    return out


def unpickable_persons(spec: FieldSpec, current: dict[str, Any], choices: Choices) -> list[str]:
    """The persons a record names in `spec` whom the editor cannot pick: erased, or of another institution."""
    pickable = {value for value, _ in choices.persons}
    return [str(p) for p in current.get(spec.name) or [] if str(p) not in pickable]


def keep_unpickable(kind: str, fields: dict[str, Any], current: dict[str, Any], choices: Choices) -> dict[str, Any]:
    """A correction's fields with the record's unpickable persons put back: the form neither offers them nor
    can send them, so without this a correction would drop them (and a contact naming only them would fail)."""
    fields = dict(fields)
    for spec in RECORD_KINDS[kind].fields:
        if spec.has(Role.PARTY_PERSON) and spec.name in fields:
            kept = unpickable_persons(spec, current, choices)
            fields[spec.name] = kept + [p for p in fields[spec.name] or [] if p not in kept]
    return fields


def _widget(spec: FieldSpec, choices: Choices, language: str) -> Widget:
    if spec.type is FieldType.DATE:
        return Widget(spec, "date")
    if spec.type is FieldType.TEXT:
        return Widget(spec, "textarea" if (spec.max_length or 0) > 500 else "text")
    if spec.type is FieldType.CHOICE:
        return Widget(spec, "radios", [(c.value, choice_label(spec, c.value).in_language(language))
                                       for c in spec.choices])
    if spec.type is FieldType.FOLLOW_UPS:
        return Widget(spec, "follow_ups", choices.institutions)
    if spec.has(Role.MEETING):
        return Widget(spec, "select", choices.meetings)
    if spec.has(Role.PARTY_PERSON):
        return Widget(spec, "multiselect", choices.persons)
    is_firm = spec.has(Role.PARTY_FIRM)
    options = choices.firms if is_firm else choices.institutions
    if spec.type is FieldType.UUID:
        fixed = choices.own_institution if spec.has(Role.OWNER) else None
        return Widget(spec, "select", options, fixed=fixed)
    if spec.has(Role.OWNER) and choices.own_institution is not None:  # a conclusion's institutions
        return Widget(spec, "checkboxes", options)
    return Widget(spec, "multiselect" if is_firm else "checkboxes", options)


# ---------------------------------------------------------------------------------------------- reading
class FormErrors(Exception):
    def __init__(self, errors: dict[str, Message]) -> None:
        super().__init__(errors)
        self.errors = errors


def _list(form: dict[str, Any], name: str) -> list[str]:
    value = form.get(name)
    if value is None or value == "":
        return []
    return [v for v in (value if isinstance(value, list) else [value]) if v]


def read_date(form: dict[str, Any], prefix: str, label: Message, *, required: bool = True) -> date | None:
    day, month, year = (str(form.get(f"{prefix}-{part}", "") or "").strip() for part in ("day", "month", "year"))
    dotted = _DOTTED.match(day)
    if dotted and not month and not year:
        day, month, year = dotted.groups()
    if not (day or month or year):
        if required:
            raise FormErrors({prefix: bilingual(f"Podaj datę: {label.pl.lower()}.", f"Enter the date: {label.en.lower()}.")})
        return None
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        raise FormErrors({prefix: bilingual(f"{label.pl}: podaj prawdziwą datę, np. 12 11 2026 lub 12.11.2026.",
                                            f"{label.en}: enter a real date, e.g. 12 11 2026 or 12.11.2026.")}) from None


def read_fields(kind: str, form: dict[str, Any]) -> dict[str, Any]:
    """The fields of a record of `kind` as the form gives them; FormErrors names every input it cannot read."""
    fields: dict[str, Any] = {}
    errors: dict[str, Message] = {}
    for spec in RECORD_KINDS[kind].fields:
        if spec.name in HIDDEN_FIELDS:
            continue
        try:
            fields[spec.name] = _read(spec, form)
        except FormErrors as error:
            errors.update(error.errors)
            continue
        if spec.required and spec.type in (FieldType.TEXT, FieldType.CHOICE, FieldType.UUID) \
                and not fields[spec.name]:
            errors[spec.name] = _missing(spec)
    if errors:
        raise FormErrors(errors)
    return fields


def _missing(spec: FieldSpec) -> Message:
    """The spec marks the field required: say so at the field, with every other missing one."""
    if spec.type is FieldType.TEXT:
        return bilingual(f"Wpisz: {spec.label.pl.lower()}.", f"Enter the {spec.label.en.lower()}.")
    return bilingual(f"Wybierz: {spec.label.pl.lower()}.", f"Choose the {spec.label.en.lower()}.")


def _read(spec: FieldSpec, form: dict[str, Any]) -> Any:
    name = spec.name
    if spec.type is FieldType.DATE:
        return read_date(form, name, spec.label)
    if spec.type is FieldType.TEXT:
        text = str(form.get(name, "") or "").strip()
        return text if text or spec.required else None
    if spec.type is FieldType.CHOICE:
        return str(form.get(name, "") or "") or None
    if spec.type is FieldType.UUID:
        return str(form.get(name, "") or "") or None
    if spec.type is FieldType.UUID_LIST:
        return _list(form, name)
    if spec.type is FieldType.FOLLOW_UPS:
        return _follow_ups(form)
    raise AssertionError(spec.type)


def _follow_ups(form: dict[str, Any]) -> list[dict[str, Any]]:
    items, errors = [], {}
    for i in range(FOLLOW_UP_ROWS):
        action = str(form.get(f"follow_ups-{i}-action", "") or "").strip()
        try:
            due = read_date(form, f"follow_ups-{i}-due_on", bilingual("Termin", "Due on"), required=bool(action))
        except FormErrors as error:
            errors.update({f"follow_ups[{i}].due_on": m for m in error.errors.values()})
            continue
        if not action and due is None:
            continue
        if not action:
            errors[f"follow_ups[{i}].action"] = bilingual("Opisz działanie do wykonania.", "Describe the action.")
            continue
        items.append({"action": action, "due_on": due,
                      "institution_id": str(form.get(f"follow_ups-{i}-institution_id", "") or "") or None})
    if errors:
        raise FormErrors(errors)
    return items


def input_id(widget_list: list[Widget], field_name: str) -> str:
    """The input an error on `field_name` (as the domain names it) is shown at and linked to."""
    match = re.match(r"^follow_ups\[(\d+)\]\.(\w+)$", field_name)
    if match:
        index, part = match.groups()
        return f"follow_ups-{index}-{part}" + ("-day" if part == "due_on" else "")
    base = field_name.split("[")[0]
    for widget in widget_list:
        if widget.name == base:
            return widget.first_input
    return widget_list[0].first_input if widget_list else "main-content"


def error_key(field_name: str) -> str:
    """Which widget shows an error: the field's own name without an index (follow-ups keep theirs)."""
    return field_name if field_name.startswith("follow_ups[") else field_name.split("[")[0]


# ---------------------------------------------------------------------------------------------- corrections
def _plain(value: Any) -> Any:
    """A field value as the form compares it: ids and dates as text, lists of text."""
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, date):
        return value.isoformat()
    return None if value is None else str(value)


def values_from_fields(kind: str, fields: dict[str, Any]) -> dict[str, Any]:
    """The inputs that show a record's current fields (a correction's form starts from them)."""
    values: dict[str, Any] = {}

    def put_date(prefix: str, value: Any) -> None:
        if value:
            day = value if isinstance(value, date) else date.fromisoformat(str(value))
            values.update({f"{prefix}-day": str(day.day), f"{prefix}-month": str(day.month),
                           f"{prefix}-year": str(day.year)})

    for spec in RECORD_KINDS[kind].fields:
        if spec.name in HIDDEN_FIELDS:
            continue
        value = fields.get(spec.name)
        if spec.type is FieldType.DATE:
            put_date(spec.name, value)
        elif spec.type is FieldType.FOLLOW_UPS:
            for i, item in enumerate((value or [])[:FOLLOW_UP_ROWS]):
                values[f"follow_ups-{i}-action"] = item["action"]
                put_date(f"follow_ups-{i}-due_on", item["due_on"])
                values[f"follow_ups-{i}-institution_id"] = _plain(item.get("institution_id")) or ""
        elif spec.type is FieldType.UUID_LIST:
            values[spec.name] = _plain(value or [])
        else:
            values[spec.name] = "" if value is None else str(value)
    return values


def changed_fields(kind: str, new: dict[str, Any], current: dict[str, Any]) -> dict[str, Any]:
    """The fields whose value the form changed (what a correction names)."""
    changes = {}
    for name, value in new.items():
        before, after = _plain(current.get(name)), _plain(value)
        if isinstance(before, list) and isinstance(after, list) and name != "follow_ups":
            if sorted(before) == sorted(after):
                continue
        if (before or None) != (after or None):
            changes[name] = value
    return changes
