"""Good practices shared in a network of municipalities or cities (issue 14): what one city's institution did
well, described, tagged, with documents attached, linked to the meetings and study visits where it was
presented, and published to one shared network, whose current members' users read it.

A document's bytes are kept by the application's file store (infra/attachments.py), named by their SHA-256;
the events hold the name, type, size and hash (so the audit trail proves which file was attached), never the
bytes. `document_type` decides what a file is from its first bytes (a declared content type is not trusted).
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate

from domain.base import SplotEvent, actor_fields
from domain.errors import InvariantViolated, ValidationFailed, bilingual
from domain.values import Actor, check_text, comparison_key, stable_id

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024  # a presentation or a scanned report; larger files belong elsewhere
MAX_DOCUMENTS = 20
MAX_TAGS = 12

PDF, DOCX, XLSX, PNG, JPEG = ("application/pdf",
                              "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                              "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                              "image/png", "image/jpeg")
DOCUMENT_TYPES = {PDF: "pdf", DOCX: "docx", XLSX: "xlsx", PNG: "png", JPEG: "jpg"}  # content type -> extension


def document_type(data: bytes) -> str:
    """The content type of an attached document, read from its bytes: PDF, DOCX, XLSX, PNG or JPEG.
    Anything else (or a file whose bytes do not match what it claims to be) is refused."""
    if not data:
        raise ValidationFailed(bilingual("Plik jest pusty.", "The file is empty."), field="file")
    if len(data) > MAX_DOCUMENT_BYTES:
        raise ValidationFailed(bilingual(f"Plik jest większy niż {MAX_DOCUMENT_BYTES // (1024 * 1024)} MB.",
                                         f"The file is larger than {MAX_DOCUMENT_BYTES // (1024 * 1024)} MB."),
                               field="file")
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, ValueError):
            names = set()
        if "[Content_Types].xml" in names:
            if any(n.startswith("word/") for n in names):
                return DOCX
            if any(n.startswith("xl/") for n in names):
                return XLSX
    raise ValidationFailed(bilingual("Można dołączyć tylko dokument PDF, DOCX lub XLSX albo obraz PNG lub JPEG.",
                                     "Only a PDF, DOCX or XLSX document or a PNG or JPEG image may be attached."),
                           field="file")


def document_filename(name: str, content_type: str) -> str:
    """The name a document is stored and offered under: the uploaded name without any path, control or
    quoting characters, at most 120 characters, with the extension of what the file really is."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = re.sub(r'[\x00-\x1f\x7f"<>:|?*;]', "", base).strip(" .") or "dokument"
    stem = base.rsplit(".", 1)[0] if "." in base else base
    return f"{stem[:110]}.{DOCUMENT_TYPES[content_type]}"


def check_tags(tags: list[str]) -> list[str]:
    """Tags as typed, each trimmed, duplicates (by comparison key) dropped, at most MAX_TAGS of 40 characters."""
    out: dict[str, str] = {}
    for tag in tags:
        text = " ".join(str(tag).split())
        if not text:
            continue
        text = check_text(text, field="tags", max_length=40)
        out.setdefault(comparison_key(text), text)
    if len(out) > MAX_TAGS:
        raise ValidationFailed(bilingual(f"Praktyka może mieć najwyżej {MAX_TAGS} tagów.",
                                         f"A practice may have at most {MAX_TAGS} tags."), field="tags")
    return list(out.values())


class Practice(Aggregate):
    """A good practice published to a shared network by one institution of a member municipality."""

    TOPIC = "splot:Practice"

    class Created(SplotEvent, Aggregate.Created):
        TOPIC = "splot:Practice.Created"

    class Published(Created):
        TOPIC = "splot:Practice.Published"
        network_id: UUID  # the shared network it is published to
        municipality_id: UUID  # the city whose practice it is
        institution_id: UUID
        title: str
        description: str
        tags: list[str]
        year: int  # the year the practice is from (the library filters by it)

        def apply(self, practice: Practice) -> None:
            practice.network_id = self.network_id
            practice.municipality_id = self.municipality_id
            practice.institution_id = self.institution_id
            practice.title, practice.description = self.title, self.description
            practice.tags, practice.year = list(self.tags), self.year
            practice.documents = {}
            practice.presentations = []
            practice.withdrawn = False

    class Revised(SplotEvent, Aggregate.Event):
        TOPIC = "splot:Practice.Revised"
        title: str
        description: str
        tags: list[str]
        year: int

        def apply(self, practice: Practice) -> None:
            practice.title, practice.description = self.title, self.description
            practice.tags, practice.year = list(self.tags), self.year

    class DocumentAttached(SplotEvent, Aggregate.Event):
        TOPIC = "splot:Practice.DocumentAttached"
        document_id: UUID
        filename: str
        content_type: str
        size: int
        sha256: str

        def apply(self, practice: Practice) -> None:
            practice.documents[self.document_id] = {"filename": self.filename, "content_type": self.content_type,
                                                    "size": self.size, "sha256": self.sha256}

    class DocumentRemoved(SplotEvent, Aggregate.Event):
        TOPIC = "splot:Practice.DocumentRemoved"
        document_id: UUID

        def apply(self, practice: Practice) -> None:
            practice.documents.pop(self.document_id, None)

    class PresentationLinked(SplotEvent, Aggregate.Event):
        """The practice was presented at a meeting (a study visit, a workshop, ...): the record's id, and its
        date, kind and title as they were when linked (a reader of another city may not see the record)."""

        TOPIC = "splot:Practice.PresentationLinked"
        record_id: UUID
        occurred_on: date
        meeting_kind: str
        title: str

        def apply(self, practice: Practice) -> None:
            practice.presentations.append({"record_id": self.record_id, "occurred_on": self.occurred_on,
                                           "meeting_kind": self.meeting_kind, "title": self.title})

    class Withdrawn(SplotEvent, Aggregate.Event):
        TOPIC = "splot:Practice.Withdrawn"
        reason: str

        def apply(self, practice: Practice) -> None:
            practice.withdrawn = True

    @classmethod
    def publish(cls, *, network_id: UUID, municipality_id: UUID, institution_id: UUID, title: str,
                description: str, tags: list[str], year: int, actor: Actor, id: UUID | None = None) -> Practice:
        return cls._create(cls.Published, id=id or uuid4(), network_id=network_id, municipality_id=municipality_id,
                           institution_id=institution_id, title=title, description=description, tags=list(tags),
                           year=year, **actor_fields(actor))

    def revise(self, *, title: str, description: str, tags: list[str], year: int, actor: Actor) -> None:
        self._require_published()
        if (title, description, list(tags), year) == (self.title, self.description, self.tags, self.year):
            raise InvariantViolated(bilingual("Nic się nie zmieniło.", "Nothing has changed."), field="title")
        self.trigger_event(self.Revised, title=title, description=description, tags=list(tags), year=year,
                           **actor_fields(actor))

    def attach(self, *, filename: str, content_type: str, size: int, sha256: str, actor: Actor) -> UUID:
        self._require_published()
        if any(d["sha256"] == sha256 for d in self.documents.values()):
            raise InvariantViolated(bilingual("Ten plik jest już dołączony do praktyki.",
                                              "This file is already attached to the practice."), field="file")
        if len(self.documents) >= MAX_DOCUMENTS:
            raise InvariantViolated(bilingual(f"Praktyka ma już {MAX_DOCUMENTS} dokumentów.",
                                              f"The practice already has {MAX_DOCUMENTS} documents."), field="file")
        document_id = stable_id("practice-document", str(self.id), sha256)  # one file of one practice: one id
        self.trigger_event(self.DocumentAttached, document_id=document_id, filename=filename,
                           content_type=content_type, size=size, sha256=sha256, **actor_fields(actor))
        return document_id

    def remove_document(self, document_id: UUID, actor: Actor) -> None:
        self._require_published()
        if document_id not in self.documents:
            raise InvariantViolated(bilingual("Praktyka nie ma takiego dokumentu.",
                                              "The practice has no such document."), field="document_id")
        self.trigger_event(self.DocumentRemoved, document_id=document_id, **actor_fields(actor))

    def link_presentation(self, *, record_id: UUID, occurred_on: date, meeting_kind: str, title: str,
                          actor: Actor) -> None:
        self._require_published()
        if any(p["record_id"] == record_id for p in self.presentations):
            raise InvariantViolated(bilingual("Praktyka jest już powiązana z tym spotkaniem.",
                                              "The practice is already linked to this meeting."), field="record_id")
        self.trigger_event(self.PresentationLinked, record_id=record_id, occurred_on=occurred_on,
                           meeting_kind=meeting_kind, title=title, **actor_fields(actor))

    def withdraw(self, *, reason: str, actor: Actor) -> None:
        self._require_published()
        self.trigger_event(self.Withdrawn, reason=reason, **actor_fields(actor))

    def _require_published(self) -> None:
        if self.withdrawn:
            raise InvariantViolated(bilingual("Praktyka została wycofana z biblioteki.",
                                              "The practice has been withdrawn from the library."), field="practice_id")
