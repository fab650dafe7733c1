"""The data-protection officer's work on contact persons (RODO / GDPR, issue 12): find any person of the
municipality, see and export everything held about them (art. 15), erase them (art. 17), and review
the persons no record has named for the retention period.

Only the `dpo` role has these actions (domain/policy.py). An erasure and every export are audited facts
in the event log (`domain.privacy.PersonalDataAct`), naming the person by their random id only; the
erasure event is saved first, then the directory row is deleted (infra/person_directory.py), so no
erasure goes unrecorded — a failure between the two leaves the person in place and the DPO erases again.
A subject-access export holds the person's directory entry and the records naming them (kind, date,
institutions, title, who recorded them and when), never the other persons of those records.

The DPO also redacts the free text of records (`redact`): the act (`PersonalDataAct.RecordRedacted`) first,
then the record's keys destroyed through the `RecordTexts` port (infra/record_keys.py), then the read models
settled; whether a record is redacted is asked of the key store, so a failure after the act is redone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any, Callable
from uuid import UUID

from domain.application import Saved, Splot
from domain.errors import InvariantViolated, Message, NotFound, bilingual
from domain.labels import event_label
from domain.policy import Action, User, authorize
from domain.ports import Accounts, ContactPersons, ReadModels, RecordTexts, Row
from domain.privacy import ERASURE_GROUNDS, REDACTED_TEXT, PersonalDataAct
from domain.record_kinds import RECORD_KINDS, institutions_in
from domain.records import Record
from domain.use_cases.people import _Reach
from domain.use_cases.scope import Scopes
from domain.values import check_text, comparison_key

ACT_KIND = "personal_data_act"  # the audit trail's kind of the DPO's acts


@dataclass(frozen=True)
class PersonEntry:
    """The directory entry of a person, whole (the DPO sees every field)."""

    id: UUID
    name: str
    position: str | None
    email: str | None
    phone: str | None
    institution_id: UUID | None
    institution_name: str | None
    firm_id: UUID | None
    firm_name: str | None
    added_at: str | None  # UTC, ISO
    changed_at: str | None


@dataclass(frozen=True)
class SubjectRecord:
    """A record naming the person, as a subject-access export lists it."""

    record_id: str
    kind: str
    kind_label: Message
    occurred_on: str
    title: str
    status: str  # active or retracted
    institutions: list[str]  # by name
    recorded_at: str  # UTC, ISO
    recorded_by: str  # the user's e-mail (or how an operator at a shell is named)
    recorded_for: str | None  # the institution the recorder acted for
    changed_at: str
    changed_by: str
    named_now: bool  # False: an earlier version named the person; a correction took them off


@dataclass(frozen=True)
class SubjectAccess:
    """Everything Splot holds about one contact person (RODO art. 15)."""

    person: PersonEntry
    records: list[SubjectRecord]
    generated_at: datetime  # UTC
    municipality: str
    retention_years: int


@dataclass(frozen=True)
class RetentionCandidate:
    person: PersonEntry
    last_named_on: str | None  # the latest business date of a record naming them; None: never named


@dataclass(frozen=True)
class RetentionReview:
    years: int
    cutoff: date  # persons named by no record dated on or after this day (and added before it) are listed
    candidates: list[RetentionCandidate] = field(default_factory=list)


@dataclass(frozen=True)
class RedactionCandidate:
    """A record as the DPO sees it before redacting it: what it is, and the free text it holds now."""

    record_id: UUID
    version: int
    kind: str
    kind_label: Message
    occurred_on: date
    institutions: list[str]  # by name
    texts: list[tuple[str, Message, str]]  # (field path, label, text) of every non-empty free-text value now
    retracted: bool
    redacted: bool  # its text is redacted up to its current version (nothing left to redact)


@dataclass(frozen=True)
class Act:
    """One of the DPO's acts as the DPO's own page lists it (from the audit trail)."""

    recorded_at: str
    by: str
    event_type: str
    what: Message  # the event in words
    person_id: str | None
    legal_ground: Message | None
    format: str | None
    record_id: str | None = None  # a redaction's record


class PrivacyUseCases:
    def __init__(self, persons: ContactPersons, store: Splot, reads: ReadModels, scopes: Scopes,
                 accounts: Accounts | None, *, retention_years: int = 5,
                 today: Callable[[], date] | None = None, texts: RecordTexts | None = None) -> None:
        self.persons_directory = persons
        self.texts = texts  # records' free-text keys (None: a store without them cannot redact)
        self.store = store
        self.reads = reads
        self.scopes = scopes
        self.accounts = accounts
        self.retention_years = retention_years
        self.today = today or store.today

    # ------------------------------------------------------------------ finding
    def erasure_grounds(self, user: User) -> list[tuple[str, Message]]:
        """The letters of art. 17(1) RODO an erasure is made on, in words."""
        authorize(user, Action.ERASE_PERSON)
        return list(ERASURE_GROUNDS.items())

    def find(self, user: User, text: str) -> list[PersonEntry]:
        """Persons of the municipality whose name, e-mail, phone, institution or firm contains `text`."""
        authorize(user, Action.READ_PERSONAL_DATA)
        wanted = comparison_key(check_text(text, field="q", max_length=200, required=False))
        reach = _Reach(self.reads, self.scopes, user)
        entries = [self._entry(reach, p) for p in self._all(reach)]
        if not wanted:
            return entries
        return [e for e in entries if any(wanted in comparison_key(v or "") for v in
                                          (e.name, e.email, e.phone, e.institution_name, e.firm_name))]

    def person(self, user: User, person_id: UUID) -> PersonEntry:
        authorize(user, Action.READ_PERSONAL_DATA)
        reach = _Reach(self.reads, self.scopes, user)
        return self._entry(reach, self._reachable(reach, person_id))

    # ------------------------------------------------------------------ subject access (art. 15)
    def subject(self, user: User, person_id: UUID) -> SubjectAccess:
        """Everything held about the person, to read on the DPO's page (not recorded: nothing leaves Splot)."""
        authorize(user, Action.READ_PERSONAL_DATA)
        return self._subject(user, person_id)

    def export(self, user: User, person_id: UUID, *, format: str) -> SubjectAccess:
        """The same, for a download or a file (JSON or PDF): recorded in the audit trail (who, when, whom)."""
        authorize(user, Action.EXPORT_SUBJECT_DATA)
        access = self._subject(user, person_id)
        act = PersonalDataAct.exported(person_id=person_id, network_id=self._network(user), format=format,
                                       actor=user.actor)
        self.store._save(act)
        return access

    def _subject(self, user: User, person_id: UUID) -> SubjectAccess:
        scope = self.scopes.of(user)
        reach = _Reach(self.reads, self.scopes, user)
        entry = self._entry(reach, self._reachable(reach, person_id))
        rows = self.reads.person_appearances(network_ids=scope.network_texts, person_id=str(person_id))
        emails = self._emails()
        names = {i: r["short_name"] for i, r in reach.institutions.items()}
        records = [SubjectRecord(
            record_id=r["record_id"], kind=r["kind"], kind_label=RECORD_KINDS[r["kind"]].label,
            occurred_on=r["occurred_on"], title=r["title"], status=r["status"],
            institutions=[names.get(str(i), str(i)) for i in dict.fromkeys(institutions_in(r["kind"], r["fields"]))],
            recorded_at=r["created_at"], recorded_by=emails.get(r["created_by"], r["created_by"]),
            recorded_for=names.get(r["created_by_institution_id"] or ""), changed_at=r["updated_at"],
            changed_by=emails.get(r["updated_by"], r["updated_by"]), named_now=r["named_now"]) for r in rows]
        municipality = next((m["name"] for m in self.reads.municipalities()
                             if m["id"] == str(scope.municipality_id)), "")
        return SubjectAccess(person=entry, records=records, generated_at=datetime.now(timezone.utc),
                             municipality=municipality, retention_years=self.retention_years)

    # ------------------------------------------------------------------ erasure (art. 17)
    def erase(self, user: User, person_id: UUID, *, legal_ground: str) -> Saved:
        """Erases the person: the audited act first (the person's id, the ground, the DPO), then the
        directory row. Every record naming them stays and counts; faces show "osoba usunięta"."""
        authorize(user, Action.ERASE_PERSON)
        reach = _Reach(self.reads, self.scopes, user)
        self._reachable(reach, person_id)
        act = PersonalDataAct.erased(person_id=person_id, network_id=self._network(user), legal_ground=legal_ground,
                                     actor=user.actor)
        saved = self.store._save(act)
        self.persons_directory.erase(person_id)
        return saved

    # ------------------------------------------------------------------ redaction of records' free text (art. 17)
    def redaction_candidate(self, user: User, record_id: UUID) -> RedactionCandidate:
        """A record of the municipality with its current free text, for the DPO to confirm a redaction."""
        authorize(user, Action.REDACT_RECORD)
        record = self._record(user, record_id)
        reach = _Reach(self.reads, self.scopes, user)
        spec = RECORD_KINDS[record.kind]
        labels = {f.name: f.label for f in spec.fields}
        items = {f"{f.name}[].{i.name}": i.label for f in spec.fields for i in f.items}
        texts: list[tuple[str, Message, str]] = []
        for path in spec.free_text_fields:
            name, _, item = path.partition("[].")
            value = record.fields.get(name)
            if not item:
                if isinstance(value, str) and value and value != REDACTED_TEXT:
                    texts.append((name, labels[name], value))
                continue
            for n, entry in enumerate(value or []):
                text = entry.get(item) if isinstance(entry, dict) else None
                if isinstance(text, str) and text and text != REDACTED_TEXT:
                    texts.append((f"{name}[{n}].{item}", items[path], text))
        if record.retracted and record.retraction_reason and record.retraction_reason != REDACTED_TEXT:
            texts.append(("reason", bilingual("Powód wycofania", "Reason for the retraction"), record.retraction_reason))
        return RedactionCandidate(
            record_id=record.id, version=record.version, kind=record.kind, kind_label=spec.label,
            occurred_on=record.occurred_on, retracted=record.retracted,
            institutions=[reach.institution_name(i) or str(i) for i in institutions_in(record.kind, record.fields)],
            texts=texts, redacted=self._redacted_through(record.id) == record.version)

    def find_records(self, user: User, text: str) -> list[Row]:
        """The municipality's records (current state) whose free text contains `text` (any case), newest first:
        where a person's name was typed into a summary or minutes. At most 200."""
        authorize(user, Action.REDACT_RECORD)
        wanted = comparison_key(check_text(text, field="q", max_length=200))
        found: list[Row] = []
        cursor: str | None = None
        networks = self.scopes.of(user).network_texts
        while len(found) < 200:
            rows, cursor = self.reads.records(network_ids=networks, institution_id=None, kind=None, year=None,
                                              cursor=cursor, limit=500)
            for row in rows:
                if any(wanted in comparison_key(t) for t in _texts_of(row)):
                    found.append({**row, "kind_label": RECORD_KINDS[row["kind"]].label})
            if cursor is None:
                break
        return found[:200]

    def redact(self, user: User, record_id: UUID, *, legal_ground: str) -> Saved:
        """Redacts the record's free text: the audited act first (the record, its version, the ground, the DPO —
        never the text), then the record's keys destroyed, then the read models brought up to the log (their
        handlers drop the text) and the databases' write-ahead logs truncated. The record keeps its kind, date,
        parties and counts. A failure after the act leaves the keys: the DPO redacts again (nothing else differs)."""
        authorize(user, Action.REDACT_RECORD)
        if self.texts is None:
            raise InvariantViolated(bilingual("Ten magazyn nie szyfruje treści wpisów, więc nie można jej usunąć.",
                                              "This store does not encrypt the text of records, so it cannot be "
                                              "redacted."))
        record = self._record(user, record_id)
        if self._redacted_through(record.id) == record.version:
            raise InvariantViolated(bilingual("Treść tego wpisu została już usunięta.",
                                              "The text of this record has already been redacted."),
                                    field="record_id")
        act = PersonalDataAct.redacted(record_id=record.id, network_id=record.network_id,
                                       through_version=record.version, legal_ground=legal_ground, actor=user.actor)
        saved = self.store._save(act)
        self.texts.destroy(record.id, through_version=record.version)
        self.texts.settle()
        return saved

    def _record(self, user: User, record_id: UUID) -> Record:
        try:
            record: Record | None = self.store.get_record(record_id)
        except NotFound:
            record = None
        if record is None or not self.scopes.of(user).includes(record.network_id):
            raise NotFound(bilingual(f"Nie ma wpisu o identyfikatorze {record_id}.", f"No record with id {record_id}."),
                           field="record_id")
        return record

    def _redacted_through(self, record_id: UUID) -> int | None:
        return self.texts.redacted_through(record_id) if self.texts is not None else None

    # ------------------------------------------------------------------ retention
    def retention(self, user: User) -> RetentionReview:
        """The persons no record has named for `retention_years` (the latest of the records' business dates
        and the day the person was added), oldest first, for the DPO to review."""
        authorize(user, Action.READ_PERSONAL_DATA)
        today = self.today()
        try:
            cutoff = today.replace(year=today.year - self.retention_years)
        except ValueError:  # 29 February
            cutoff = today.replace(year=today.year - self.retention_years, day=28)
        reach = _Reach(self.reads, self.scopes, user)
        last: dict[str, str] = {}
        for row in self.reads.person_appearances(network_ids=self.scopes.of(user).network_texts):
            last[row["person_id"]] = max(last.get(row["person_id"], ""), row["occurred_on"])
        candidates = []
        for person in self._all(reach):
            named = last.get(str(person.id))
            added = (person.created_at or "")[:10]
            if max(named or "", added) < cutoff.isoformat():  # added for an old record: counts from the adding
                candidates.append(RetentionCandidate(person=self._entry(reach, person), last_named_on=named))
        candidates.sort(key=lambda c: (max(c.last_named_on or "", (c.person.added_at or "")[:10]), c.person.name))
        return RetentionReview(years=self.retention_years, cutoff=cutoff, candidates=candidates)

    # ------------------------------------------------------------------ the DPO's own log
    def acts(self, user: User, *, limit: int = 50) -> list[Act]:
        """The latest erasures and exports of the municipality (the audit trail's entries of the DPO's acts)."""
        authorize(user, Action.READ_PERSONAL_DATA)
        scope = self.scopes.of(user)
        rows: list[Row] = []
        cursor: str | None = None
        while True:  # the trail pages oldest first; the DPO's acts are few, so read them all and keep the latest
            page, cursor = self.reads.audit_entries(network_ids=scope.network_texts, municipality_ids=None, user=None,
                                                    institution_id=None, record_id=None, kind=ACT_KIND,
                                                    recorded_from=None, recorded_to=None, cursor=cursor, limit=500)
            rows = (rows + page)[-limit:]
            if cursor is None:
                break
        emails = self._emails()
        acts = []
        for row in rows:
            changes = {c["field"]: c["new"] for c in row.get("changes", [])}
            ground = changes.get("legal_ground")
            acts.append(Act(recorded_at=row["recorded_at"], by=emails.get(row["user_id"], row["user_id"] or ""),
                            event_type=row["event_type"], what=event_label(row["event_type"]),
                            person_id=changes.get("person_id"), record_id=changes.get("record_id"),
                            legal_ground=ERASURE_GROUNDS.get(ground) if ground else None,
                            format=changes.get("format")))
        return sorted(acts, key=lambda a: a.recorded_at, reverse=True)

    # ------------------------------------------------------------------ helpers
    def _network(self, user: User) -> UUID:
        return self.scopes.of(user).network()

    def _all(self, reach: _Reach) -> list[Any]:
        return self.persons_directory.list(institution_ids=list(reach.institutions), firm_ids=list(reach.firms))

    def _reachable(self, reach: _Reach, person_id: UUID) -> Any:
        try:
            person = self.persons_directory.get(person_id)
        except NotFound:
            person = None
        if person is None or person.erased_at or not reach.includes(person):
            raise NotFound(bilingual("Nie ma takiej osoby kontaktowej (mogła zostać usunięta).",
                                     "No such contact person (they may have been erased)."), field="person_id")
        return person

    def _emails(self) -> dict[str, str]:
        return {str(u.id): u.email for u in self.accounts.list()} if self.accounts is not None else {}

    @staticmethod
    def _entry(reach: _Reach, person: Any) -> PersonEntry:
        return PersonEntry(id=person.id, name=person.name or "", position=person.position, email=person.email,
                           phone=person.phone, institution_id=person.institution_id,
                           institution_name=reach.institution_name(person.institution_id), firm_id=person.firm_id,
                           firm_name=reach.firm_name(person.firm_id), added_at=person.created_at,
                           changed_at=person.updated_at)


def _texts_of(row: Row) -> list[str]:
    """Every free-text value of a register row (its current fields)."""
    fields = row.get("fields") or {}
    out = []
    for path in RECORD_KINDS[row["kind"]].free_text_fields if row.get("kind") in RECORD_KINDS else ():
        name, _, item = path.partition("[].")
        value = fields.get(name)
        if item:
            out += [e.get(item) for e in value or [] if isinstance(e, dict) and isinstance(e.get(item), str)]
        elif isinstance(value, str):
            out.append(value)
    return out
