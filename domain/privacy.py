"""What the data-protection officer does with contact persons' data, as audited facts in the event log.

A person's data lives in the person directory, outside the log; what the log keeps is that the DPO
erased a person (with the legal ground, RODO art. 17(1) letter), exported everything held about them
(RODO art. 15) — naming the person only by their opaque, random id, which means nothing once the
directory row is gone — or redacted a record's free text (its key destroyed: infra/field_cipher.py),
naming the record, its version then and the ground, never the text. One small aggregate per act, created by its only event; the audit trail shows
it like every other event (scoped to the network named on it).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate

from domain.base import SplotEvent, actor_fields
from domain.errors import Message, ValidationFailed, bilingual
from domain.record_kinds import RECORD_KINDS
from domain.values import Actor

# RODO (GDPR) art. 17(1): the grounds on which a person may have their data erased, by letter.
ERASURE_GROUNDS: dict[str, Message] = {
    "a": bilingual("art. 17 ust. 1 lit. a RODO – dane nie są już niezbędne do celów, w których je zebrano",
                   "GDPR art. 17(1)(a) – the data are no longer necessary for the purposes they were collected for"),
    "b": bilingual("art. 17 ust. 1 lit. b RODO – cofnięcie zgody",
                   "GDPR art. 17(1)(b) – consent withdrawn"),
    "c": bilingual("art. 17 ust. 1 lit. c RODO – sprzeciw wobec przetwarzania",
                   "GDPR art. 17(1)(c) – objection to the processing"),
    "d": bilingual("art. 17 ust. 1 lit. d RODO – dane przetwarzane niezgodnie z prawem",
                   "GDPR art. 17(1)(d) – the data have been unlawfully processed"),
    "e": bilingual("art. 17 ust. 1 lit. e RODO – obowiązek prawny usunięcia",
                   "GDPR art. 17(1)(e) – erasure required by a legal obligation"),
    "f": bilingual("art. 17 ust. 1 lit. f RODO – dane dziecka zebrane w związku z usługami społeczeństwa "
                   "informacyjnego",
                   "GDPR art. 17(1)(f) – a child's data collected for information society services"),
}

EXPORT_FORMATS = ("json", "pdf")

_FREE_TEXT_PATHS = {p for spec in RECORD_KINDS.values() for p in spec.free_text_fields}
FREE_TEXT_NAMES = frozenset(p.partition("[].")[0] for p in _FREE_TEXT_PATHS)  # title, summary, ..., follow_ups
FREE_TEXT_ITEMS = {p.partition("[].")[0]: p.partition("[].")[2] for p in _FREE_TEXT_PATHS if "[]." in p}

# What a redacted record shows where its free text was (its key destroyed: infra/field_cipher.py decodes to it).
REDACTED_TEXT = "treść usunięta (RODO) / text redacted (GDPR)"


def _blank(value: Any) -> Any:
    return REDACTED_TEXT if isinstance(value, str) and value else value


def redacted_fields(kind: str, fields: dict[str, Any]) -> dict[str, Any]:
    """A record's fields (as a read model keeps them) with every free-text value replaced by REDACTED_TEXT:
    what a projection keeps of a redacted record (the same as rebuilding it from the log gives)."""
    out = dict(fields)
    for path in RECORD_KINDS[kind].free_text_fields:
        name, _, item = path.partition("[].")
        if name not in out:
            continue
        if not item:
            out[name] = _blank(out[name])
        elif isinstance(out[name], list):
            out[name] = [{**e, item: _blank(e.get(item))} if isinstance(e, dict) and item in e else e
                         for e in out[name]]
    return out


def redacted_change(change: dict[str, Any]) -> dict[str, Any]:
    """One {field, old, new} of an audit entry with free text replaced (any kind's free-text field names)."""
    name = change.get("field")
    if name not in FREE_TEXT_NAMES:
        return change
    if name in FREE_TEXT_ITEMS:
        item = FREE_TEXT_ITEMS[name]
        return {**change, **{side: [{**e, item: _blank(e.get(item))} if isinstance(e, dict) and item in e else e
                                    for e in change[side]] if isinstance(change.get(side), list) else change.get(side)
                             for side in ("old", "new")}}
    return {**change, "old": _blank(change.get("old")), "new": _blank(change.get("new"))}


def redacted_text(value: Any) -> Any:
    """A reason (of a correction or retraction) as a redacted record shows it."""
    return _blank(value)


def check_erasure_ground(ground: object) -> str:
    if not isinstance(ground, str) or ground not in ERASURE_GROUNDS:
        raise ValidationFailed(bilingual("Wybierz podstawę prawną usunięcia z listy (art. 17 ust. 1 RODO).",
                                         "Choose the legal ground of the erasure from the list (GDPR art. 17(1))."),
                               field="legal_ground")
    return ground


class PersonalDataAct(Aggregate):
    """One act of the DPO on one person's data: an erasure or a subject-access export."""

    TOPIC = "splot:PersonalDataAct"

    class Created(SplotEvent, Aggregate.Created):
        TOPIC = "splot:PersonalDataAct.Created"
        person_id: UUID
        network_id: UUID  # the DPO's home network: where the audit trail shows the act

    class PersonErased(Created):
        TOPIC = "splot:PersonalDataAct.PersonErased"
        legal_ground: str  # a letter of art. 17(1): ERASURE_GROUNDS

    class SubjectDataExported(Created):
        TOPIC = "splot:PersonalDataAct.SubjectDataExported"
        format: str  # json or pdf

    class RecordRedacted(SplotEvent, Aggregate.Created):
        """The free text of a record destroyed (its key: infra/record_keys.py); the record keeps kind, date,
        parties and counts. `through_version`: the record's version then (its later text, if any, stays)."""

        TOPIC = "splot:PersonalDataAct.RecordRedacted"
        record_id: UUID
        network_id: UUID  # the record's network: where the audit trail shows the act
        through_version: int
        legal_ground: str  # a letter of art. 17(1): ERASURE_GROUNDS

    @classmethod
    def redacted(cls, *, record_id: UUID, network_id: UUID, through_version: int, legal_ground: str,
                 actor: Actor) -> PersonalDataAct:
        return cls._create(cls.RecordRedacted, id=uuid4(), record_id=record_id, network_id=network_id,
                           through_version=through_version, legal_ground=check_erasure_ground(legal_ground),
                           **actor_fields(actor))

    @classmethod
    def erased(cls, *, person_id: UUID, network_id: UUID, legal_ground: str, actor: Actor) -> PersonalDataAct:
        return cls._create(cls.PersonErased, id=uuid4(), person_id=person_id, network_id=network_id,
                           legal_ground=check_erasure_ground(legal_ground), **actor_fields(actor))

    @classmethod
    def exported(cls, *, person_id: UUID, network_id: UUID, format: str, actor: Actor) -> PersonalDataAct:
        if format not in EXPORT_FORMATS:
            raise ValidationFailed(bilingual("Format wydania danych: json albo pdf.", "The export format: json or pdf."),
                                   field="format")
        return cls._create(cls.SubjectDataExported, id=uuid4(), person_id=person_id, network_id=network_id,
                           format=format, **actor_fields(actor))
