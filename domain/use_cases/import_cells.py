"""A register row's cells as the fields of a record (issue 13, docs/IMPORT.md): dates as 2013-03-05 or
05.03.2013, institutions by short name or name, firms by NIP or name, persons by name among the row's
institutions and firms, choices by value or label. What is left to check is checked by the record commands."""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import lru_cache
from typing import Any
from uuid import UUID

from domain.errors import Message, ValidationFailed, bilingual
from domain.ports import ContactPersons, ReadModels
from domain.record_kinds import CHOICE_LABELS, RECORD_KINDS, FieldSpec, FieldType, Role
from domain.use_cases.import_layout import LIST_SEPARATOR, cell_text, columns_of, plain_name

# ---------------------------------------------------------------------------------------------- cells to fields
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_POLISH = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")


def parse_date(cell: Any, *, field: str) -> date:
    """A date from a spreadsheet cell (a date) or text: 2013-03-05 or 05.03.2013."""
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, date):
        return cell
    text = cell_text(cell)
    for pattern, order in ((_ISO, (0, 1, 2)), (_POLISH, (2, 1, 0))):
        match = pattern.fullmatch(text)
        if match:
            parts = match.groups()
            try:
                return date(int(parts[order[0]]), int(parts[order[1]]), int(parts[order[2]]))
            except ValueError:
                break
    raise ValidationFailed(bilingual(f"„{text}” nie jest datą: wpisz ją jako 2013-03-05 albo 05.03.2013.",
                                     f"“{text}” is not a date: write it as 2013-03-05 or 05.03.2013."), field=field)


class RegisterNames:
    """Institutions, firms and persons of the importer's network by the names a register gives them."""

    def __init__(self, reads: ReadModels, persons: ContactPersons | None, network_id: UUID) -> None:
        self.persons = persons
        self.institutions: dict[str, set[str]] = {}
        for row in reads.institutions(network_ids=[str(network_id)]):
            for name in (row["short_name"], row["name"], row["id"]):
                self.institutions.setdefault(plain_name(name), set()).add(row["id"])
        self.firms: dict[str, set[str]] = {}
        for row in reads.firms(network_ids=[str(network_id)]):
            for name in (row["name"], row["nip"], row["id"]):
                if name:
                    self.firms.setdefault(plain_name(name), set()).add(row["id"])
        self._people: dict[tuple[tuple[str, ...], tuple[str, ...]], dict[str, set[str]]] = {}
        # Names found so far, by (table, text): a register names the same few again on every row. Only names
        # found once are kept; a name not found, or found several times, is refused every time it is given.
        self._found: dict[tuple[int, str], UUID] = {}

    def _one(self, table: dict[str, set[str]], text: str, *, field: str, missing: Message, what_pl: str,
             what_en: str) -> UUID:
        found_before = self._found.get((id(table), text))
        if found_before is not None:
            return found_before
        key = plain_name(text)
        if what_en == "firm":  # a NIP as the register writes it: 526-025-02-74, PL5260250274
            digits = re.sub(r"[\s-]", "", text.upper().removeprefix("PL"))
            key = digits if digits.isdigit() and len(digits) == 10 else key
        found = table.get(key, set())
        if len(found) == 1:
            self._found[(id(table), text)] = UUID(next(iter(found)))
            return self._found[(id(table), text)]
        if not found:
            raise ValidationFailed(missing, field=field)
        raise ValidationFailed(bilingual(f"„{text}” pasuje do kilku pozycji ({what_pl}); podaj pełną nazwę"
                                         f"{' albo NIP' if what_en == 'firm' else ''}.",
                                         f"“{text}” matches several {what_en}s; give the full name"
                                         f"{' or the NIP' if what_en == 'firm' else ''}."), field=field)

    def institution(self, text: str, field: str) -> UUID:
        return self._one(self.institutions, text, field=field, what_pl="instytucje", what_en="institution",
                         missing=bilingual(f"Nie ma instytucji „{text}” w rejestrze sieci (podaj skrót albo nazwę).",
                                           f"No institution “{text}” in the network's registry (give its short "
                                           "name or name)."))

    def firm(self, text: str, field: str) -> UUID:
        return self._one(self.firms, text, field=field, what_pl="firmy", what_en="firm",
                         missing=bilingual(f"Nie ma firmy „{text}” w rejestrze sieci (podaj NIP albo nazwę).",
                                           f"No firm “{text}” in the network's registry (give its NIP or name)."))

    def person(self, text: str, field: str, institutions: list[UUID], firms: list[UUID]) -> UUID:
        scope = (tuple(sorted(map(str, institutions))), tuple(sorted(map(str, firms))))
        if scope not in self._people:
            people: dict[str, set[str]] = {}
            listed = self.persons.list(institution_ids=scope[0], firm_ids=scope[1]) if self.persons else []
            for person in listed:
                people.setdefault(plain_name(person.name), set()).add(str(person.id))
            self._people[scope] = people
        return self._one(self._people[scope], text, field=field, what_pl="osoby", what_en="person",
                         missing=bilingual(f"Nie ma osoby „{text}” wśród osób kontaktowych instytucji i firm tego "
                                           "wiersza.",
                                           f"No person “{text}” among the contact persons of this row's institutions "
                                           "and firms."))


def _choice(spec: FieldSpec, text: str) -> str:
    return _choice_value(spec.choices, text)


@lru_cache(maxsize=4096)  # a register writes the same few choices on every row
def _choice_value(choices: Any, text: str) -> str:
    wanted = plain_name(text)
    for value, label in CHOICE_LABELS[choices].items():
        if wanted in (plain_name(value), plain_name(label.pl), plain_name(label.en)):
            return str(value)
    return text  # the record's own check names the allowed values


def row_fields(kind: str, cells: dict[str, Any], names: RegisterNames) -> dict[str, Any]:
    """A row's cells as the fields of a record of `kind` (ValidationFailed names the column)."""
    fields: dict[str, Any] = {}
    persons: list[str] = []
    for spec in columns_of(kind):
        cell = cells.get(spec.name)
        text = cell_text(cell)
        if spec.type is FieldType.DATE:
            fields[spec.name] = parse_date(cell, field=spec.name) if text else None
        elif spec.type is FieldType.CHOICE:
            fields[spec.name] = _choice(spec, text) if text else None
        elif spec.type is FieldType.TEXT:
            fields[spec.name] = text or None
        elif spec.has(Role.PARTY_PERSON):
            persons = [p.strip() for p in LIST_SEPARATOR.split(text) if p.strip()]
        elif spec.type is FieldType.UUID_LIST:
            items = [p.strip() for p in LIST_SEPARATOR.split(text) if p.strip()]
            look = names.firm if spec.has(Role.PARTY_FIRM) else names.institution
            fields[spec.name] = [look(item, f"{spec.name}") for item in items]
        elif spec.has(Role.PARTY_INSTITUTION):
            fields[spec.name] = names.institution(text, spec.name) if text else None
        elif spec.has(Role.PARTY_FIRM):
            fields[spec.name] = names.firm(text, spec.name) if text else None
        else:  # an id the register cannot name otherwise (a conclusion's meeting)
            fields[spec.name] = text or None
    spec = RECORD_KINDS[kind]
    institutions = [i for name in spec.institution_fields for i in _as_list(fields.get(name))]
    firms = [f for name in spec.firm_fields for f in _as_list(fields.get(name))]
    fields["person_ids"] = [names.person(p, "person_ids", institutions, firms) for p in persons]
    return fields


def _as_list(value: Any) -> list[Any]:
    return [] if value is None else list(value) if isinstance(value, list) else [value]
