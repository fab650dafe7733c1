"""Bulk import of an old register (issue 13): every row of a spreadsheet checked exactly as a record typed in
is checked, then saved in big batches through the same record commands, each row once.

A reader (`RegisterFiles`, implemented in infra/imports/) turns a CSV or XLSX file into plain tables; the layout
(domain/use_cases/import_layout.py) makes them rows of one record kind each, and import_cells.py makes a row's
cells a record's fields. Each row then passes `RecordCommands.prepare` — the very checks `uc.records.check`
and `uc.records.record` make: fields, references, the owner active, membership, the year open. Nothing is
saved from a file with a rejected row unless the caller asks for the valid rows alone.

Saving: each row is prepared once. The records the check made are kept and, batch by batch, checked again
against the store as it is then (`RecordCommands.recheck`: the references, the owner active, membership, the
year open — not the fields, normalised already) and stamped then, so a record's recorded time is its save's;
each batch is one transaction — its records, its rows' keys and one
closing-gate event — with the records' free-text keys made for the whole batch in one directory transaction
beforehand (`RecordKeyBatches`). What a batch reads of the registry and of the reporting years it reads once
(`_BatchView`): the answers are at most a batch old, as a single write's are by the time it is saved, and the
closing gate still refuses a batch whose year was sealed since its check (domain/closing_gate.py).

Each row has an idempotency key — the file's hash, its sheet and row number, in the importing network — kept as
an `IdempotencyKey` aggregate saved in the same transaction as the row's record. A file imported again, or a run
cut off by a crash and started again, saves only the rows whose key is not yet in the log.
"""

from __future__ import annotations

from typing import Any, Iterable, Protocol, Sequence
from uuid import UUID

from domain.application import Splot
from domain.closing_gate import YearCheck, take_year_checks
from domain.errors import DomainError, InvariantViolated, ValidationFailed, VersionConflict, bilingual
from domain.idempotency import PendingKey
from domain.policy import Action, User, authorize, check_acts_for
from domain.ports import ContactPersons, ReadModels
from domain.record_commands import RecordCommands
from domain.record_kinds import OWNER_FIELD, owner_candidates
from domain.records import Record
from domain.registry import Firm, Institution, Network
from domain.use_cases.import_cells import RegisterNames, parse_date, row_fields
from domain.use_cases.import_layout import (INSTRUCTIONS_SHEET, KIND_COLUMN, SHEET_NAMES, ImportReport, ImportRow,
                                            Progress, RegisterFile, RegisterFiles, RowProblem, Table, columns_of,
                                            count_rows, file_rows, kind_of_sheet, no_progress)
from domain.use_cases.records import RecordUseCases
from domain.use_cases.scope import Scopes

__all__ = ["INSTRUCTIONS_SHEET", "KIND_COLUMN", "SHEET_NAMES", "ImportReport", "ImportRow", "ImportUseCases",
           "ImportBulk", "Progress", "RegisterFile", "RegisterFiles", "RowProblem", "Table", "columns_of",
           "count_rows", "file_rows", "kind_of_sheet", "parse_date", "row_fields"]


# A row that passed its check: its fields and the record its check made (None: prepared again at its save).
_Checked = tuple[ImportRow, dict[str, Any], "Record | None"]


class ImportBulk(Protocol):
    """What the import asks of the store in bulk (infra/imports/bulk.py)."""

    def existing(self, stream_ids: Sequence[UUID]) -> set[UUID]:
        """Those of the streams (here: the rows' idempotency keys) that have an event in the log."""

    def keys_for_new_records(self, record_ids: Iterable[UUID]) -> None:
        """The free-text keys of a batch of new records, made in one transaction, committed before any event
        that uses them is written (infra/record_keys.py)."""


class _YearsOnce:
    """`store.years` as a batch sees it: a record's year is checked open once per network, year and owner, and
    the check noted again (the same gate version, the same re-check) for every later record of that key. The
    rule stays `YearClosingCommands.check_record_year_open`; a refusal is raised each time."""

    def __init__(self, years: Any) -> None:
        self._years = years
        self._open: dict[tuple[Any, int, Any], tuple[YearCheck, ...]] = {}

    def __getattr__(self, name: str) -> Any:
        return getattr(self._years, name)

    def check_record_year_open(self, record: Any) -> None:
        key = (record.network_id, record.occurred_on.year, record.owner_institution_id)
        if key not in self._open:
            earlier = take_year_checks()  # this command's checks so far: kept apart from the year's own
            self._years.check_record_year_open(record)
            self._open[key] = take_year_checks()
            for check in earlier:
                self._note(check)
        for check in self._open[key]:
            self._note(check)

    def _note(self, check: YearCheck) -> None:
        self._years.gates.note(check.network_id, check.year, check.gate_head, check.recheck, check.sealing)


class _BatchView:
    """The store as one batch of an import sees it: each network, institution or firm a row names is loaded
    (replayed) once per batch instead of once per row, and each year checked once (`_YearsOnce`). Everything
    else is the store itself, so `RecordCommands(_BatchView(store)).prepare` makes every check
    `uc.records.check` makes."""

    def __init__(self, store: Splot) -> None:
        self._store = store
        self._loaded: dict[tuple[type, Any], Any] = {}
        self._read: dict[UUID, Any] = {}  # `_read_many`'s answers so far: each id read once per batch
        self._asked: set[UUID] = set()
        self.years = _YearsOnce(store.years)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    def _read_many(self, aggregate_ids: Any) -> dict[UUID, Any]:
        """`store._read_many` once per id per batch (a row's reference check asks for its network, parties and
        owner: without this, one query per row to bring the same few cached aggregates up to the log)."""
        ids = list(aggregate_ids)
        new = [i for i in ids if not isinstance(i, UUID) or i not in self._asked]
        if new:
            self._read.update(self._store._read_many(new))
            self._asked.update(i for i in new if isinstance(i, UUID))
        return self._read

    def _load(self, cls: type, aggregate_id: object, *, field: str, what: str, **_: Any) -> Any:
        key = (cls, aggregate_id)  # as the rows name it (a UUID, or text the store turns into one)
        if key not in self._loaded:  # a refusal is not kept: it is raised each time (every caller here only
            # reads what it loads, so it may be the read-only aggregate `_read_many` found)
            self._loaded[key] = self._store._load(cls, aggregate_id, field=field, what=what, readonly=True,
                                                  found=self._read)
        return self._loaded[key]

    def get_network(self, network_id: object, field: str = "network_id", **_: Any) -> Network:
        return self._load(Network, network_id, field=field, what="network")

    def get_institution(self, institution_id: object, field: str = "institution_id", **_: Any) -> Institution:
        return self._load(Institution, institution_id, field=field, what="institution")

    def get_firm(self, firm_id: object, field: str = "firm_id", **_: Any) -> Firm:
        return self._load(Firm, firm_id, field=field, what="firm")


class ImportUseCases:
    # Rows saved per transaction: one fsync per batch; a crash loses at most the batch in flight (its rows are
    # saved by the next run, see the module's docstring). 1,000 rows are about 2,000 events and 2 MB.
    BATCH = 1000

    def __init__(self, store: Splot, reads: ReadModels, scopes: Scopes, records: RecordUseCases,
                 persons: ContactPersons | None, files: RegisterFiles | None,
                 bulk: ImportBulk | None = None) -> None:
        self.store = store
        self.reads = reads
        self.scopes = scopes
        self.records = records
        self.persons = persons
        self.files = files
        self.bulk = bulk

    def template(self, user: User) -> bytes:
        """The XLSX template: one sheet per record kind with its header rows, and an instructions sheet."""
        authorize(user, Action.IMPORT_RECORDS)
        return self._files().template()

    def import_file(self, user: User, content: bytes, file_name: str, *, valid_only: bool = False,
                    dry_run: bool = False, max_rows: int | None = None, progress: Progress = no_progress,
                    batch_size: int = BATCH) -> ImportReport:
        """Reads a CSV or XLSX file and imports it (see `run`); `max_rows`: a face's limit on the rows of one file."""
        authorize(user, Action.IMPORT_RECORDS)
        register = self._files().read(content, file_name, max_rows=max_rows)
        return self.run(user, register, valid_only=valid_only, dry_run=dry_run, progress=progress,
                        batch_size=batch_size)

    def run(self, user: User, register: RegisterFile, *, valid_only: bool = False, dry_run: bool = False,
            progress: Progress = no_progress, batch_size: int = BATCH) -> ImportReport:
        """Checks every row as a single record is checked, then — when no row was rejected, or `valid_only` —
        saves the valid rows not imported before, `batch_size` to a transaction. `dry_run`: check only."""
        authorize(user, Action.IMPORT_RECORDS)
        authorize(user, Action.WRITE_RECORDS)
        network_id = self.scopes.of(user).network(None)
        rows, problems = file_rows(register)
        report = ImportReport(register.name, rows=len(rows), problems=problems, dry_run=dry_run)
        names = RegisterNames(self.reads, self.persons, network_id)
        valid: list[_Checked] = []
        commands = RecordCommands(_BatchView(self.store))
        already: set[tuple[str, int]] = set()
        for done, row in enumerate(rows, 1):
            if done % batch_size == 1:
                commands = RecordCommands(_BatchView(self.store))  # the registry read afresh every batch
                already = self._already_imported(network_id, register, rows[done - 1:done - 1 + batch_size])
            if (row.sheet, row.row) in already:
                report.already += 1
            else:
                try:
                    fields = row_fields(row.kind, row.cells, names)
                    record = self._prepare(commands, user, network_id, row.kind, fields)  # uc.records.check's
                    valid.append((row, fields, record))  # kept: its save checks it again and stamps it (`recheck`)
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
                    batch: list[_Checked], report: ImportReport, *, retry: bool = True) -> None:
        """One transaction for the batch's records, their rows' keys and the closing gate. A row refused now (the
        world changed since its check) is reported and left out. When the save is refused — another run saved
        some of these rows meanwhile (their keys' versions are taken), or a year was sealed since the rows'
        check (the closing gate) — the rows another run saved are counted as imported before and the rest
        prepared and saved again: as a batch once, then one by one."""
        aggregates: list[Any] = []
        checks: dict[int, YearCheck] = {}  # the batch's open-year checks, each once (`_YearsOnce` repeats them)
        saving: list[_Checked] = []
        commands = RecordCommands(_BatchView(self.store))
        actor = {"actor_user_id": user.actor.user_id, "actor_institution_id": None}
        for row, fields, checked in batch:
            try:
                if checked is None:
                    record = self._prepare(commands, user, network_id, row.kind, fields)
                else:  # the record the check made: checked again against the store as it is now, stamped now
                    check_acts_for(user, owner_candidates(row.kind, fields), field=OWNER_FIELD[row.kind])
                    record = commands.recheck(checked)
            except DomainError as error:
                take_year_checks()
                report.problems.append(RowProblem(row.sheet, row.row, error.field, error.text))
                continue
            checks.update((id(check), check) for check in take_year_checks())
            aggregates += [record, self._key(network_id, register, row).aggregate(record.id, record.version, actor)]
            saving.append((row, fields, None))  # a retry prepares the row afresh
        if not aggregates:
            return
        if self.bulk is not None:  # every new record's free-text key, committed before the batch's events
            self.bulk.keys_for_new_records(a.id for a in aggregates if isinstance(a, Record))
        for check in checks.values():  # the rows' open-year checks go with the one save (domain/closing_gate.py)
            self.store.years.gates.note(check.network_id, check.year, check.gate_head, check.recheck, check.sealing)
        try:
            self.store._save(*aggregates, answer=False)
        except (VersionConflict, InvariantViolated) as error:
            take_year_checks()
            done = self._already_imported(network_id, register, [row for row, _, _ in saving])
            report.already += len(done)
            rest = [one for one in saving if (one[0].sheet, one[0].row) not in done]
            if len(rest) == 1 and not done:
                report.problems.append(RowProblem(rest[0][0].sheet, rest[0][0].row, error.field, error.text))
            elif rest and (retry or done):
                self._save_batch(user, network_id, register, rest, report, retry=False)
            else:
                for one in rest:
                    self._save_batch(user, network_id, register, [one], report, retry=False)
            return
        report.imported += len(saving)
        for row, _, _ in saving:
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
        return bool(self._already_imported(network_id, register, [row]))

    def _already_imported(self, network_id: UUID, register: RegisterFile,
                          rows: list[ImportRow]) -> set[tuple[str, int]]:
        """(sheet, row number) of those `rows` whose key is in the log."""
        ids = {self._key(network_id, register, row).id: (row.sheet, row.row) for row in rows}
        if self.bulk is not None:
            return {ids[i] for i in self.bulk.existing(list(ids))}
        return {number for i, number in ids.items() if self.store.years.gates.stream_head(i) > 0}

    def _files(self) -> RegisterFiles:
        if self.files is None:
            raise ValidationFailed(bilingual("Ten serwer nie czyta plików rejestru.",
                                             "This server reads no register files."), field="file")
        return self.files
