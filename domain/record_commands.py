"""Record commands: contacts, meetings, information exchanges and conclusions.

Composed into the event store as `Splot.records`. A record is normalised once, every id it names
is checked against the registry (same network, active owner, membership for a network meeting),
and a record of a closed reporting year is refused (`store.years.check_record_year_open`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

from domain.closing_gate import take_year_checks
from domain.errors import REFERENCE_GENITIVE, InvariantViolated, UnknownReference, bilingual
from domain.record_kinds import references
from domain.records import Record, institutions_involved, normalise_record
from domain.registry import Firm, Institution
from domain.values import Actor, MeetingKind, RecordKind, check_choice

if TYPE_CHECKING:
    from domain.application import Saved, Splot


class RecordCommands:
    """Creating, correcting and retracting cooperation records."""

    def __init__(self, store: Splot) -> None:
        self.store = store

    def record(self, kind: str, fields: dict[str, Any], actor: Actor) -> Saved:
        """Records a contact, meeting, information exchange or conclusion (kind = RecordKind)."""
        return self.store._save(self.prepare(kind, fields, actor))

    def prepare(self, kind: str, fields: dict[str, Any], actor: Actor) -> Record:
        """Every check `record` makes, without saving: the record that would be saved (a form's
        check-answers step shows it before the user confirms)."""
        take_year_checks()  # forget the checks of an earlier command that saved nothing
        kind = check_choice(kind, RecordKind, field="record_kind")
        normalised = normalise_record(kind, fields, today=self.store.today())
        self._check_references(kind, normalised.fields)
        record = Record.create_normalised(normalised, actor)
        self.store.years.check_record_year_open(record)
        return record

    def recheck(self, record: Record) -> Record:
        """A record `prepare` made for a save put off (a bulk import checks a whole file before it saves a row):
        checked again against the store as it is now — every id it names, the owner active, membership, the
        year open — and its creation event stamped now, so that its recorded time is its save's. Its fields
        were normalised by `prepare` and do not change."""
        take_year_checks()
        self._check_references(record.kind, record.fields)
        _stamp_now(record)
        self.store.years.check_record_year_open(record)
        return record

    def correct_record(self, *, record_id: UUID, expected_version: int, reason: str,
                       changes: dict[str, Any], actor: Actor) -> Saved:
        take_year_checks()
        closing = self.store.years
        record = self.store.get_record(record_id)
        record.check_version(expected_version)
        closing.check_record_year_open(record)  # the year it leaves...
        record.correct(changes=changes, reason=reason, actor=actor, today=self.store.today())
        self._check_references(record.kind, record.fields)
        closing.check_record_year_open(record)  # ...and the year it lands in
        return self.store._save(record)

    def retract_record(self, *, record_id: UUID, expected_version: int, reason: str, actor: Actor) -> Saved:
        take_year_checks()
        record = self.store.get_record(record_id)
        record.check_version(expected_version)
        self.store.years.check_record_year_open(record)
        record.retract(reason=reason, actor=actor)
        return self.store._save(record)

    def _check_references(self, kind: str, fields: dict[str, Any]) -> None:
        """Every id names an existing thing of the right kind, in the record's network."""
        store = self.store
        # Read only, all at once: the cached aggregates themselves, no copies, brought up to the log by one read
        # (domain/application.py, ReferenceRepository), each once even when the record names it twice.
        refs = references(kind, fields)
        owner_id = institutions_involved(kind, fields)[0]
        found = store._read_many([fields["network_id"], *(ref for _, ref, _ in refs), owner_id])
        network = store.get_network(fields["network_id"], readonly=True, found=found)
        day = fields["occurred_on"]
        for field, ref, what in refs:
            aggregate = store._load(Institution if what == "institution" else Firm, ref, field=field, what=what,
                                    readonly=True, found=found)
            if aggregate.network_id != network.id:
                raise UnknownReference(f"{what} in network {network.name}", ref, field=field,
                                       what_pl=f"{REFERENCE_GENITIVE[what]} w sieci {network.name}")
        owner = store.get_institution(owner_id, readonly=True, found=found)
        if not owner.active:
            raise InvariantViolated(bilingual(f"Instytucja {owner.short_name} jest wyłączona i nie może rejestrować "
                                              "nowych działań.",
                                              f"{owner.short_name} is deactivated and cannot record new activity."),
                                    field="institution_id")
        if kind == RecordKind.MEETING and fields["kind"] == MeetingKind.NETWORK_MEETING:
            if not network.is_member(fields["organiser_id"], day):
                raise InvariantViolated(
                    bilingual(f"Instytucja {owner.short_name} nie była członkiem sieci w dniu {day.isoformat()} "
                              "i nie może organizować spotkania sieci.",
                              f"{owner.short_name} is not a member of the network on {day.isoformat()} "
                              "and cannot organise a network meeting."),
                    field="organiser_id",
                )
        if kind == RecordKind.CONCLUSION and fields.get("meeting_id"):
            meeting = store._load(Record, fields["meeting_id"], field="meeting_id", what="meeting")
            if meeting.kind != RecordKind.MEETING:
                raise UnknownReference("meeting", fields["meeting_id"], field="meeting_id")
        for i, person_id in enumerate(fields.get("person_ids", [])):
            if store.person_directory is not None and not store.person_directory.exists(person_id):
                raise UnknownReference("person", person_id, field=f"person_ids[{i}]")


def _stamp_now(record: Record) -> None:
    """The time of a new, unsaved record's creation event (and so its `created_on`) set to now."""
    pending = record.pending_events
    if record.version != 1 or len(pending) != 1:
        raise TypeError("only a new record not yet saved is stamped again")
    now = pending[0].create_timestamp()
    object.__setattr__(pending[0], "timestamp", now)  # a frozen event, but pending: nobody else holds it yet
    record._created_on = now  # eventsourcing keeps it so; `modified_on` has its setter
    record.modified_on = now
