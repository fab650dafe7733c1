"""The good-practice library (issue 14): practices published by an institution of a member municipality to a
shared network, read by the users of that network's members today — and by no one else (a practice of a
network the user's municipality is not in is not found). Staff and leads publish and change their own
institution's practices, a coordinator any of their municipality's; the other members' users only read.

Search looks in the title, description and tags (case, diacritics-insensitive: "wspolpraca" finds
"współpraca"); filters: city, tag, year.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from domain.application import Saved, Splot
from domain.errors import (
    DomainError,
    InvariantViolated,
    NotFound,
    UnknownReference,
    ValidationFailed,
    VersionConflict,
    bilingual,
)
from domain.policy import (
    Action,
    Forbidden,
    User,
    authorize,
    can_see_record,
    check_acts_for,
    may,
    scoped_to_institution,
)
from domain.ports import PracticeDocuments, ReadModels, Row
from domain.practices import (  # noqa: F401 (DOCUMENT_TYPES and MAX_DOCUMENT_BYTES: for the faces)
    DOCUMENT_TYPES,
    MAX_DOCUMENT_BYTES,
    Practice,
    check_tags,
    document_filename,
    document_type,
)
from domain.records import Record, institutions_involved
from domain.use_cases.scope import Scopes
from domain.values import RecordKind, check_text, comparison_key


def _search_key(text: str) -> str:
    """Casefolded, without diacritics (ł as l), for search."""
    key = unicodedata.normalize("NFKD", comparison_key(text).replace("ł", "l"))
    return "".join(c for c in key if not unicodedata.combining(c))


@dataclass(frozen=True)
class PracticeFilter:
    text: str | None = None
    municipality_id: UUID | None = None
    tag: str | None = None
    year: int | None = None
    network_id: UUID | None = None


@dataclass(frozen=True)
class Library:
    """The practices a filter selects, and what the filters may offer (of every practice the user sees)."""

    items: list[Row]
    cities: list[Row]  # {"id", "name"}
    tags: list[str]
    years: list[int]
    networks: list[Row]  # the shared networks the user may publish to or read: {"id", "name"}
    filter: PracticeFilter = field(default_factory=PracticeFilter)


@dataclass(frozen=True)
class PracticeView:
    id: UUID
    version: int
    network: Row
    municipality: Row
    institution: Row
    title: str
    description: str
    tags: list[str]
    year: int
    documents: list[Row]  # {"id", "filename", "content_type", "size", "sha256"}
    presentations: list[Row]  # {"record_id", "occurred_on", "meeting_kind", "title", "visible"}
    may_change: bool
    meetings: list[Row]  # for one who may change it: the meetings they may link it to (else empty)


@dataclass(frozen=True)
class PublishingChoices:
    """What the publishing form offers: the shared networks of the user's municipality today, and the
    institutions the user may publish for (their own; a coordinator's: every active one of the city)."""

    networks: list[Row]
    institutions: list[Row]


@dataclass(frozen=True)
class DocumentFile:
    filename: str
    content_type: str
    data: bytes


class _MemoryDocuments:
    """Where no store is given (a use-case test): the bytes in memory."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}

    def put(self, data: bytes) -> str:
        digest = hashlib.sha256(data).hexdigest()
        self.files[digest] = data
        return digest

    def get(self, sha256: str) -> bytes | None:
        return self.files.get(sha256)


class PracticeUseCases:
    def __init__(self, store: Splot, reads: ReadModels, scopes: Scopes,
                 documents: PracticeDocuments | None = None) -> None:
        self.store = store
        self.reads = reads
        self.scopes = scopes
        self.documents = documents if documents is not None else _MemoryDocuments()

    # ------------------------------------------------------------------ reading
    def library(self, user: User, flt: PracticeFilter | None = None) -> Library:
        authorize(user, Action.READ_RECORDS)
        flt = flt or PracticeFilter()
        scope = self.scopes.of(user)
        networks = [n for n in self.reads.networks() if UUID(n["id"]) in scope.shared_network_ids]
        rows = self.reads.practices(network_ids=[n["id"] for n in networks])
        names = {m["id"]: m["name"] for m in self.reads.municipalities()}
        institutions = self._institution_names()
        for row in rows:
            row["municipality_name"] = names.get(row["municipality_id"], "")
            row["institution_name"] = institutions.get(row["institution_id"], "")
            row["network_name"] = next(n["name"] for n in networks if n["id"] == row["network_id"])
        cities = sorted({(r["municipality_id"], r["municipality_name"]) for r in rows}, key=lambda c: c[1])
        tags = sorted({t for r in rows for t in r["tags"]}, key=comparison_key)
        years = sorted({r["year"] for r in rows}, reverse=True)
        words = _search_key(flt.text or "").split()
        tag = comparison_key(flt.tag) if flt.tag else None
        items = [r for r in rows
                 if (flt.municipality_id is None or r["municipality_id"] == str(flt.municipality_id))
                 and (flt.network_id is None or r["network_id"] == str(flt.network_id))
                 and (flt.year is None or r["year"] == flt.year)
                 and (tag is None or tag in {comparison_key(t) for t in r["tags"]})
                 and all(w in _search_key(" ".join([r["title"], r["description"], *r["tags"]])) for w in words)]
        return Library(items, [{"id": c[0], "name": c[1]} for c in cities], tags, years,
                       [{"id": n["id"], "name": n["name"]} for n in networks], flt)

    def practice(self, user: User, practice_id: UUID) -> PracticeView:
        authorize(user, Action.READ_RECORDS)
        practice = self._visible(user, practice_id)
        scope = self.scopes.of(user)
        network = next(n for n in self.reads.networks() if n["id"] == str(practice.network_id))
        municipality = next((m for m in self.reads.municipalities() if m["id"] == str(practice.municipality_id)),
                            {"id": str(practice.municipality_id), "name": ""})
        institution = {"id": str(practice.institution_id),
                       "name": self._institution_names().get(str(practice.institution_id), "")}
        presentations = []
        for p in practice.presentations:
            try:
                record = self.store.get_record(p["record_id"])
                visible = scope.includes(record.network_id) and may(user, Action.READ_RECORDS) and \
                    can_see_record(user, institutions_involved(record.kind, record.fields))
            except DomainError:
                visible = False
            presentations.append({**p, "record_id": str(p["record_id"]), "visible": visible})
        may_change = self._may_change(user, practice)
        linked = {p["record_id"] for p in presentations}
        meetings = [m for m in self.meetings_to_link(user) if m["record_id"] not in linked] if may_change else []
        return PracticeView(practice.id, practice.version, {"id": network["id"], "name": network["name"]},
                            municipality, institution, practice.title, practice.description, list(practice.tags),
                            practice.year,
                            [{"id": str(k), **v} for k, v in practice.documents.items()],
                            sorted(presentations, key=lambda p: p["occurred_on"]), may_change, meetings)

    def publishing_choices(self, user: User) -> PublishingChoices:
        authorize(user, Action.WRITE_RECORDS)
        scope = self.scopes.of(user)
        networks = [{"id": n["id"], "name": n["name"]} for n in self.reads.networks()
                    if UUID(n["id"]) in scope.shared_network_ids] if user.municipality_id else []
        home = [str(scope.home_network_id)] if scope.home_network_id else []
        institutions = [i for i in self.reads.institutions(network_ids=home) if i["active"]
                        and (not scoped_to_institution(user) or i["id"] == str(user.institution_id))]
        return PublishingChoices(networks, institutions)

    def document(self, user: User, practice_id: UUID, document_id: UUID) -> DocumentFile:
        """An attached file, for a user who may see the practice (else not found)."""
        authorize(user, Action.READ_RECORDS)
        practice = self._visible(user, practice_id)
        meta = practice.documents.get(UUID(str(document_id)))
        data = self.documents.get(meta["sha256"]) if meta else None
        if meta is None or data is None:
            raise NotFound(bilingual("Nie ma takiego dokumentu.", "No such document."), field="document_id")
        return DocumentFile(meta["filename"], meta["content_type"], data)

    def meetings_to_link(self, user: User, *, limit: int = 200) -> list[Row]:
        """The meetings (study visits, workshops, ...) the user may link a practice to: those they see, newest
        first."""
        authorize(user, Action.READ_RECORDS)
        institution = str(user.institution_id) if scoped_to_institution(user) else None
        rows, _ = self.reads.records(network_ids=self.scopes.of(user).network_texts, institution_id=institution,
                                     kind=RecordKind.MEETING, year=None, cursor=None, limit=limit)
        return [r for r in rows if r["status"] == "active"]

    # ------------------------------------------------------------------ writing
    def publish(self, user: User, *, network_id: UUID, institution_id: UUID, title: str, description: str,
                tags: list[str], year: int) -> Saved:
        authorize(user, Action.WRITE_RECORDS)
        scope = self.scopes.of(user)
        if user.municipality_id is None:
            raise Forbidden(bilingual("Praktykę publikuje gmina, a nie administrator wdrożenia.",
                                      "A practice is published by a municipality, not the deployment's admin."))
        if network_id not in scope.shared_network_ids:
            raise UnknownReference("network", network_id, field="network_id")
        check_acts_for(user, [institution_id], field="institution_id")
        home = [str(scope.home_network_id)] if scope.home_network_id else []
        if not any(i["id"] == str(institution_id) and i["active"] for i in self.reads.institutions(network_ids=home)):
            raise UnknownReference("institution", institution_id, field="institution_id")
        fields = self._fields(title=title, description=description, tags=tags, year=year)
        practice = Practice.publish(network_id=network_id, municipality_id=user.municipality_id,
                                    institution_id=institution_id, actor=user.actor, **fields)
        return self.store._save(practice)

    def revise(self, user: User, practice_id: UUID, *, expected_version: int, title: str, description: str,
               tags: list[str], year: int) -> Saved:
        practice = self._changeable(user, practice_id, expected_version)
        practice.revise(actor=user.actor, **self._fields(title=title, description=description, tags=tags, year=year))
        return self.store._save(practice)

    def attach(self, user: User, practice_id: UUID, *, filename: str, data: bytes) -> Saved:
        """Attaches a file (PDF, DOCX, XLSX, PNG or JPEG, checked from its bytes, at most 10 MB); its bytes go to
        the document store, its name, type, size and SHA-256 to the event."""
        practice = self._changeable(user, practice_id, None)
        content_type = document_type(data)
        name = document_filename(filename, content_type)
        digest = hashlib.sha256(data).hexdigest()
        if any(d["sha256"] == digest for d in practice.documents.values()):
            raise InvariantViolated(bilingual("Ten plik jest już dołączony do praktyki.",
                                              "This file is already attached to the practice."), field="file")
        stored = self.documents.put(data)  # before the event: no event names bytes that were never kept
        practice.attach(filename=name, content_type=content_type, size=len(data), sha256=stored, actor=user.actor)
        return self.store._save(practice)

    def remove_document(self, user: User, practice_id: UUID, document_id: UUID) -> Saved:
        practice = self._changeable(user, practice_id, None)
        practice.remove_document(UUID(str(document_id)), user.actor)
        return self.store._save(practice)

    def link_presentation(self, user: User, practice_id: UUID, *, record_id: UUID) -> Saved:
        """Links the practice to a meeting where it was presented (a meeting record the user sees)."""
        practice = self._changeable(user, practice_id, None)
        record = self._meeting(user, record_id)
        practice.link_presentation(record_id=record.id, occurred_on=record.fields["occurred_on"],
                                   meeting_kind=str(record.fields.get("kind") or ""),
                                   title=str(record.fields.get("title") or ""), actor=user.actor)
        return self.store._save(practice)

    def withdraw(self, user: User, practice_id: UUID, *, reason: str) -> Saved:
        practice = self._changeable(user, practice_id, None)
        practice.withdraw(reason=check_text(reason, field="reason", max_length=1000), actor=user.actor)
        return self.store._save(practice)

    # ------------------------------------------------------------------ checks
    def _visible(self, user: User, practice_id: UUID) -> Practice:
        try:
            practice = self.store.repository.get(practice_id)
        except AggregateNotFoundError:
            practice = None
        if not isinstance(practice, Practice) or practice.withdrawn or \
                practice.network_id not in self.scopes.of(user).shared_network_ids:
            raise NotFound(bilingual(f"Nie ma dobrej praktyki o identyfikatorze {practice_id}.",
                                     f"No good practice with id {practice_id}."), field="practice_id")
        return practice

    def _may_change(self, user: User, practice: Practice) -> bool:
        return (may(user, Action.WRITE_RECORDS) and user.municipality_id == practice.municipality_id
                and (not scoped_to_institution(user) or user.institution_id == practice.institution_id))

    def _changeable(self, user: User, practice_id: UUID, expected_version: int | None) -> Practice:
        authorize(user, Action.WRITE_RECORDS)
        practice = self._visible(user, practice_id)
        if user.municipality_id != practice.municipality_id:
            raise Forbidden(bilingual("Praktykę zmienia tylko gmina, która ją opublikowała.",
                                      "Only the municipality that published a practice changes it."))
        check_acts_for(user, [practice.institution_id], field="institution_id")
        if expected_version is not None and expected_version != practice.version:
            raise VersionConflict(bilingual(
                f"Praktyka zmieniła się w międzyczasie (wersja {practice.version}, a nie {expected_version}).",
                f"The practice has changed meanwhile (version {practice.version}, not {expected_version})."),
                expected=expected_version, actual=practice.version)
        return practice

    def _meeting(self, user: User, record_id: UUID) -> Record:
        try:
            record = self.store.get_record(record_id)
        except DomainError:
            raise UnknownReference("record", record_id, field="record_id") from None
        if record.kind != RecordKind.MEETING or record.retracted or \
                not self.scopes.of(user).includes(record.network_id) or \
                not can_see_record(user, institutions_involved(record.kind, record.fields)):
            raise UnknownReference("record", record_id, field="record_id")
        return record

    def _fields(self, *, title: str, description: str, tags: list[str], year: Any) -> dict[str, Any]:
        if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= self.store.today().year:
            raise ValidationFailed(bilingual("Rok praktyki musi być liczbą od 2000 do bieżącego roku.",
                                             "The practice's year must be a number from 2000 to this year."),
                                   field="year")
        return {"title": check_text(title, field="title", max_length=200),
                "description": check_text(description, field="description", max_length=20_000),
                "tags": check_tags(list(tags)), "year": year}

    def _institution_names(self) -> dict[str, str]:
        return {i["id"]: i["name"] for i in self.reads.institutions(network_ids=[n["id"] for n in self.reads.networks()])}
