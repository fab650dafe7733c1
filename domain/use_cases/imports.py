"""Bulk import of an old register (issue 13): a spreadsheet's rows checked exactly as a record typed in is
checked, then saved in batches through the record commands, each row once.

A reader (`RegisterFiles`, implemented in infra/imports/) turns a CSV or XLSX file into plain tables; the layout
is decided here (docs/IMPORT.md): one sheet per record kind, columns named as the kind's fields in
domain/record_kinds.py, institutions by short name or name, firms by NIP or name, persons by name among the
row's institutions and firms, dates as 2013-03-05 or 05.03.2013, choices by value or label. Each row then passes
the checks of `uc.records.check` (`RecordCommands.prepare`: fields, references, the year open).
Nothing is saved from a file with a rejected row unless the caller asks for the valid rows alone.

Each row has an idempotency key — the file's hash, its sheet and row number, in the importing network — kept as
an `IdempotencyKey` aggregate saved in the same transaction as the row's record. A file imported again, or a run
cut off by a crash and started again, saves only the rows whose key is not yet in the log.

The module is longer than most (about 500 lines) on purpose: the layout (sheets and columns), the cells-to-fields
mapping and the two passes of the use case are one rule read together; docs/IMPORT.md describes the same.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Callable, Iterable, Protocol
from uuid import UUID

from domain.application import Splot
from domain.closing_gate import take_year_checks
from domain.errors import DomainError, Message, ValidationFailed, VersionConflict, bilingual
from domain.idempotency import IdempotencyKey, PendingKey
from domain.policy import Action, User, authorize, check_acts_for
from domain.ports import ContactPersons, ReadModels
from domain.record_kinds import CHOICE_LABELS, OWNER_FIELD, RECORD_KINDS, FieldSpec, FieldType, Role, owner_candidates
from domain.record_commands import RecordCommands
from domain.records import Record
from domain.registry import Firm, Institution, Network
from domain.use_cases.records import RecordUseCases
from domain.use_cases.scope import Scopes
from domain.values import RecordKind

# ---------------------------------------------------------------------------------------------- the layout
# The sheet names of each kind (Polish first, as the template names them); matched ignoring case and "_".
SHEET_NAMES: dict[str, tuple[str, ...]] = {
    RecordKind.CONTACT: ("kontakty", "contacts", "contact"),
    RecordKind.MEETING: ("spotkania", "meetings", "meeting"),
    RecordKind.INFORMATION_EXCHANGE: ("wymiana informacji", "information exchanges", "information exchange"),
    RecordKind.CONCLUSION: ("wnioski", "conclusions", "conclusion"),
}
INSTRUCTIONS_SHEET = "instrukcja"  # the template's first sheet: words, no rows
KIND_COLUMN = "record_kind"  # a CSV holding several kinds names each row's kind here
NOT_IMPORTED = ("network_id", "follow_ups")  # the importer's network; follow-ups are added to a record later
LIST_SEPARATOR = re.compile(r"[;\n]")


def columns_of(kind: str) -> tuple[FieldSpec, ...]:
    """The columns a sheet of `kind` may have, in the template's order (the persons last)."""
    fields = [f for f in RECORD_KINDS[kind].fields if f.name not in NOT_IMPORTED]
    return tuple(sorted(fields, key=lambda f: f.has(Role.PARTY_PERSON)))


def _plain(text: object) -> str:
    return re.sub(r"[\s_]+", " ", str(text or "")).strip().casefold()


def kind_of_sheet(name: str) -> str | None:
    wanted = _plain(name)
    return next((kind for kind, names in SHEET_NAMES.items() if wanted in names or wanted == kind.replace("_", " ")),
                None)


def _label_forms(spec: FieldSpec) -> set[str]:
    return {_plain(spec.label.pl), _plain(spec.label.en), _plain(f"{spec.label.pl} / {spec.label.en}")}


# ---------------------------------------------------------------------------------------------- what flows
@dataclass(frozen=True)
class Table:
    """One sheet (or CSV file) as read: its header and its rows, each with its row number in the file."""
    name: str
    header: list[str]
    rows: list[tuple[int, list[Any]]]  # cells: str, int, float, date, datetime or None


@dataclass(frozen=True)
class RegisterFile:
    name: str
    digest: str  # sha256 of the file's bytes: with a sheet and row, it keys a row
    tables: list[Table]


class RegisterFiles(Protocol):
    """Reading CSV and XLSX files into tables, and writing the template (infra/imports/)."""

    def read(self, content: bytes, file_name: str, *, max_rows: int | None = None) -> RegisterFile: ...
    def template(self) -> bytes: ...


@dataclass(frozen=True)
class ImportRow:
    sheet: str
    row: int  # in the file; the header is row 1
    kind: str
    cells: dict[str, Any]  # field name -> cell


@dataclass(frozen=True)
class RowProblem:
    sheet: str
    row: int
    field: str | None
    message: Message


@dataclass
class ImportReport:
    file_name: str
    rows: int = 0  # data rows in the file
    valid: int = 0  # rows that passed every check and were not imported before
    already: int = 0  # rows imported before (their key is in the log)
    imported: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    dry_run: bool = False
    by_kind: dict[str, int] = field(default_factory=dict)  # imported rows per record kind

    @property
    def rejected(self) -> int:
        return len({(p.sheet, p.row) for p in self.problems})


Progress = Callable[[str, int, int], None]  # (phase "check" | "import", rows done, rows in all)


def _no_progress(phase: str, done: int, total: int) -> None:
    return None


# ---------------------------------------------------------------------------------------------- cells to fields
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_POLISH = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")


def _text(cell: Any) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)  # a NIP or a number typed into a spreadsheet cell
    if isinstance(cell, datetime):
        cell = cell.date()
    return str(cell).strip()


def parse_date(cell: Any, *, field: str) -> date:
    """A date from a spreadsheet cell (a date) or text: 2013-03-05 or 05.03.2013."""
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, date):
        return cell
    text = _text(cell)
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


class _Names:
    """Institutions, firms and persons of the importer's network by the names a register gives them."""

    def __init__(self, reads: ReadModels, persons: ContactPersons | None, network_id: UUID) -> None:
        self.persons = persons
        self.institutions: dict[str, set[str]] = {}
        for row in reads.institutions(network_ids=[str(network_id)]):
            for name in (row["short_name"], row["name"], row["id"]):
                self.institutions.setdefault(_plain(name), set()).add(row["id"])
        self.firms: dict[str, set[str]] = {}
        for row in reads.firms(network_ids=[str(network_id)]):
            for name in (row["name"], row["nip"], row["id"]):
                if name:
                    self.firms.setdefault(_plain(name), set()).add(row["id"])
        self._people: dict[tuple[tuple[str, ...], tuple[str, ...]], dict[str, set[str]]] = {}

    @staticmethod
    def _one(table: dict[str, set[str]], text: str, *, field: str, missing: Message, what_pl: str,
             what_en: str) -> UUID:
        key = _plain(text)
        if what_en == "firm":  # a NIP as the register writes it: 526-025-02-74, PL5260250274
            digits = re.sub(r"[\s-]", "", text.upper().removeprefix("PL"))
            key = digits if digits.isdigit() and len(digits) == 10 else key
        found = table.get(key, set())
        if len(found) == 1:
            return UUID(next(iter(found)))
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
                people.setdefault(_plain(person.name), set()).add(str(person.id))
            self._people[scope] = people
        return self._one(self._people[scope], text, field=field, what_pl="osoby", what_en="person",
                         missing=bilingual(f"Nie ma osoby „{text}” wśród osób kontaktowych instytucji i firm tego "
                                           "wiersza.",
                                           f"No person “{text}” among the contact persons of this row's institutions "
                                           "and firms."))


def _choice(spec: FieldSpec, text: str) -> str:
    wanted = _plain(text)
    for value, label in CHOICE_LABELS[spec.choices].items():
        if wanted in (_plain(value), _plain(label.pl), _plain(label.en)):
            return str(value)
    return text  # the record's own check names the allowed values


def row_fields(kind: str, cells: dict[str, Any], names: _Names) -> dict[str, Any]:
    """A row's cells as the fields of a record of `kind` (ValidationFailed names the column)."""
    fields: dict[str, Any] = {}
    persons: list[str] = []
    for spec in columns_of(kind):
        cell = cells.get(spec.name)
        text = _text(cell)
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


# ---------------------------------------------------------------------------------------------- tables to rows
def file_rows(register: RegisterFile) -> tuple[list[ImportRow], list[RowProblem]]:
    """The file's data rows with their kind and cells by field; a sheet that cannot be read as a whole (an
    unknown sheet or column) is one problem on its header row, and none of its rows is taken."""
    rows: list[ImportRow] = []
    problems: list[RowProblem] = []
    for table in register.tables:
        header = [_plain(h) for h in table.header]
        data = [(number, cells) for number, cells in table.rows if any(_text(c) for c in cells)]
        if not data:
            continue
        if _plain(table.name) == INSTRUCTIONS_SHEET:
            continue
        by_kind: dict[int, str | None] = {}
        kind_column = _plain(KIND_COLUMN)
        if kind_column in header:  # a CSV of several kinds
            at = header.index(kind_column)
            for number, cells in data:
                by_kind[number] = kind_of_sheet(_text(cells[at]) if at < len(cells) else "")
        else:
            kind = kind_of_sheet(table.name)
            if kind is None:
                sheets = ", ".join(names[0] for names in SHEET_NAMES.values())
                problems.append(RowProblem(table.name, 1, None, bilingual(
                    f"Nieznany arkusz „{table.name}”: arkusze nazywają się {sheets} (albo plik CSV ma kolumnę "
                    f"{KIND_COLUMN}).",
                    f"Unknown sheet “{table.name}”: the sheets are named {sheets} (or a CSV file has a "
                    f"{KIND_COLUMN} column).")))
                continue
            by_kind = {number: kind for number, _ in data}
        kinds = {k for k in by_kind.values() if k}
        allowed = {kind_column}
        columns: dict[str, str] = {}  # plain header -> field
        for kind in kinds or set(SHEET_NAMES):
            for spec in columns_of(kind):
                columns[_plain(spec.name)] = spec.name
                columns.update({form: spec.name for form in _label_forms(spec)})
        unknown = [table.header[i] for i, h in enumerate(header) if h and h not in columns and h not in allowed]
        if unknown:
            problems.append(RowProblem(table.name, 1, None, bilingual(
                f"Nieznane kolumny: {', '.join(map(str, unknown))}. Kolumny nazywają się jak pola wpisu "
                "(zob. szablon).",
                f"Unknown columns: {', '.join(map(str, unknown))}. Columns are named as the record's fields "
                "(see the template).")))
            continue
        for number, cells in data:
            kind = by_kind[number]
            if kind is None:
                problems.append(RowProblem(table.name, number, KIND_COLUMN, bilingual(
                    "Nieznany rodzaj wpisu w kolumnie record_kind.", "Unknown record kind in the record_kind column.")))
                continue
            own = {_plain(s.name) for s in columns_of(kind)}
            named = {columns[h]: cells[i] if i < len(cells) else None for i, h in enumerate(header)
                     if h in columns and _plain(columns[h]) in own}
            if _labels_row(kind, named):
                continue  # the template's second header row: the columns' labels
            rows.append(ImportRow(table.name, number, kind, named))
    return rows, problems


def _labels_row(kind: str, named: dict[str, Any]) -> bool:
    filled = {name: _plain(_text(cell)) for name, cell in named.items() if _text(cell)}
    return bool(filled) and all(text in _label_forms(RECORD_KINDS[kind].field(name)) for name, text in filled.items())


# ---------------------------------------------------------------------------------------------- the use case
class _RegistryOnce:
    """The store as one batch of an import sees it: each network, institution, firm or meeting a row names is
    loaded (replayed) once per batch instead of once per row. Everything else is the store itself, so
    `RecordCommands(_RegistryOnce(store)).prepare` makes every check `uc.records.check` makes; what a batch reads
    is at most a batch old, as a single write's check is by the time it is saved."""

    def __init__(self, store: Splot) -> None:
        self._store = store
        self._loaded: dict[tuple[type, str], Any] = {}

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    def _load(self, cls: type, aggregate_id: object, *, field: str, what: str) -> Any:
        key = (cls, str(aggregate_id))
        if key not in self._loaded:  # a refusal is not kept: it is raised each time
            self._loaded[key] = self._store._load(cls, aggregate_id, field=field, what=what)
        return self._loaded[key]

    def get_network(self, network_id: object, field: str = "network_id") -> Network:
        return self._load(Network, network_id, field=field, what="network")

    def get_institution(self, institution_id: object, field: str = "institution_id") -> Institution:
        return self._load(Institution, institution_id, field=field, what="institution")

    def get_firm(self, firm_id: object, field: str = "firm_id") -> Firm:
        return self._load(Firm, firm_id, field=field, what="firm")


class ImportUseCases:
    BATCH = 200  # rows saved per transaction: one fsync per batch, a crash loses at most the batch in flight

    def __init__(self, store: Splot, reads: ReadModels, scopes: Scopes, records: RecordUseCases,
                 persons: ContactPersons | None, files: RegisterFiles | None) -> None:
        self.store = store
        self.reads = reads
        self.scopes = scopes
        self.records = records
        self.persons = persons
        self.files = files

    def template(self, user: User) -> bytes:
        """The XLSX template: one sheet per record kind with its header rows, and an instructions sheet."""
        authorize(user, Action.IMPORT_RECORDS)
        return self._files().template()

    def import_file(self, user: User, content: bytes, file_name: str, *, valid_only: bool = False,
                    dry_run: bool = False, max_rows: int | None = None, progress: Progress = _no_progress,
                    batch_size: int = BATCH) -> ImportReport:
        """Reads a CSV or XLSX file and imports it (see `run`); `max_rows`: a face's limit on the rows of one file."""
        authorize(user, Action.IMPORT_RECORDS)
        register = self._files().read(content, file_name, max_rows=max_rows)
        return self.run(user, register, valid_only=valid_only, dry_run=dry_run, progress=progress,
                        batch_size=batch_size)

    def run(self, user: User, register: RegisterFile, *, valid_only: bool = False, dry_run: bool = False,
            progress: Progress = _no_progress, batch_size: int = BATCH) -> ImportReport:
        """Checks every row as a single record is checked, then — when no row was rejected, or `valid_only` —
        saves the valid rows not imported before, `batch_size` to a transaction. `dry_run`: check only."""
        authorize(user, Action.IMPORT_RECORDS)
        authorize(user, Action.WRITE_RECORDS)
        network_id = self.scopes.of(user).network(None)
        rows, problems = file_rows(register)
        report = ImportReport(register.name, rows=len(rows), problems=problems, dry_run=dry_run)
        names = _Names(self.reads, self.persons, network_id)
        valid: list[tuple[ImportRow, dict[str, Any]]] = []
        commands = RecordCommands(_RegistryOnce(self.store))
        for done, row in enumerate(rows, 1):
            if done % batch_size == 1:
                commands = RecordCommands(_RegistryOnce(self.store))  # the registry read afresh every batch
            if self._imported(network_id, register, row):
                report.already += 1
            else:
                try:
                    fields = row_fields(row.kind, row.cells, names)
                    self._prepare(commands, user, network_id, row.kind, fields)  # the checks of uc.records.check
                    valid.append((row, fields))
                except DomainError as error:
                    report.problems.append(RowProblem(row.sheet, row.row, error.field, error.text))
                take_year_checks()  # a check saves nothing: forget the years it found open
            progress("check", done, len(rows))
        report.problems.sort(key=lambda p: (p.sheet, p.row))
        report.valid = len(valid)
        if dry_run or (report.problems and not valid_only):
            return report
        for start in range(0, len(valid), batch_size):
            self._save_batch(user, network_id, register, valid[start:start + batch_size], report)
            progress("import", min(start + batch_size, len(valid)), len(valid))
        report.problems.sort(key=lambda p: (p.sheet, p.row))
        return report

    # ------------------------------------------------------------------ saving
    def _save_batch(self, user: User, network_id: UUID, register: RegisterFile,
                    batch: list[tuple[ImportRow, dict[str, Any]]], report: ImportReport) -> None:
        """One transaction for the batch's records and their rows' keys. A row refused now (the world changed
        since its check) or saved meanwhile by another run is taken out, and the rest saved alone."""
        aggregates: list[Any] = []
        checks: list[Any] = []
        saved: list[ImportRow] = []
        commands = RecordCommands(_RegistryOnce(self.store))
        for row, fields in batch:  # a row another run saved since its check: its key's unique version refuses it
            try:
                record = self._prepare(commands, user, network_id, row.kind, fields)
            except DomainError as error:
                take_year_checks()
                report.problems.append(RowProblem(row.sheet, row.row, error.field, error.text))
                continue
            checks += take_year_checks()
            aggregates += [record, self._key(network_id, register, row).aggregate(record.id, record.version, {
                "actor_user_id": user.actor.user_id, "actor_institution_id": None})]
            saved.append(row)
        if not aggregates:
            return
        for check in checks:  # every row's open-year checks go with the one save (see domain/closing_gate.py)
            self.store.years.gates.note(check.network_id, check.year, check.gate_head, check.recheck, check.sealing)
        try:
            self.store._save(*aggregates, answer=False)
        except VersionConflict as error:
            if len(batch) == 1:
                if self._imported(network_id, register, batch[0][0]):  # another run saved this row first
                    report.already += 1
                else:
                    report.problems.append(RowProblem(batch[0][0].sheet, batch[0][0].row, None, error.text))
                return
            for one in batch:  # isolate the row another run took, save the others
                self._save_batch(user, network_id, register, [one], report)
            return
        report.imported += len(saved)
        for row in saved:
            report.by_kind[str(row.kind)] = report.by_kind.get(str(row.kind), 0) + 1

    @staticmethod
    def _prepare(commands: RecordCommands, user: User, network_id: UUID, kind: str, fields: dict[str, Any]) -> Record:
        """The record `uc.records.record` would save, after the same checks (`run` has authorized the user for
        WRITE_RECORDS and found their network, as `uc.records.check` does first)."""
        fields = {**fields, "network_id": network_id}
        check_acts_for(user, owner_candidates(kind, fields), field=OWNER_FIELD[kind])
        return commands.prepare(kind, fields, user.actor)

    @staticmethod
    def _key(network_id: UUID, register: RegisterFile, row: ImportRow) -> PendingKey:
        return PendingKey(user_id=f"import:{network_id}", key=f"{register.digest}:{row.sheet}:{row.row}",
                          fingerprint=register.digest, status_code=201)

    def _imported(self, network_id: UUID, register: RegisterFile, row: ImportRow) -> bool:
        key_id = IdempotencyKey.id_for(f"import:{network_id}", f"{register.digest}:{row.sheet}:{row.row}")
        return self.store.years.gates.stream_head(key_id) > 0

    def _files(self) -> RegisterFiles:
        if self.files is None:
            raise ValidationFailed(bilingual("Ten serwer nie czyta plików rejestru.",
                                             "This server reads no register files."), field="file")
        return self.files


def count_rows(tables: Iterable[Table]) -> int:
    return sum(len(t.rows) for t in tables)
