"""The good-practice library on the use-case layer: who publishes, who reads (members today, no one else),
search and filters, documents checked by their bytes and served only to readers, links to meetings."""

from __future__ import annotations

import io
import zipfile
from datetime import date, timedelta

import pytest

from domain.errors import DomainError, NotFound, UnknownReference, ValidationFailed
from domain.policy import Forbidden
from domain.practices import DOCX, PDF, XLSX
from domain.use_cases.practices import PracticeFilter
from domain.use_cases.users import OPERATOR

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _office(kind: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(f"{kind}/document.xml", "<x/>")
    return buffer.getvalue()


def _publish(uc, metro, city=None, **overrides):
    city = city or metro.leszno
    fields = {"network_id": metro.network_id, "institution_id": city.institution_id,
              "title": "Inkubator przedsiębiorczości", "description": "Wspólna przestrzeń dla młodych firm.",
              "tags": ["inkubator", "Start-upy"], "year": 2012, **overrides}
    return uc.practices.publish(city.staff, **fields).id


def test_members_read_a_practice_and_no_one_else_does(container, metro):
    uc = container.use_cases
    practice = _publish(uc, metro)
    for reader in (metro.gniezno.staff, metro.gniezno.auditor, metro.leszno.coordinator):
        assert uc.practices.practice(reader, practice).title == "Inkubator przedsiębiorczości"
    assert [r["id"] for r in uc.practices.library(metro.gniezno.staff).items] == [str(practice)]
    with pytest.raises(NotFound):
        uc.practices.practice(metro.outsider.coordinator, practice)
    assert uc.practices.library(metro.outsider.coordinator).items == []

    # the other city reads it but does not change it; staff of another institution of the same city neither
    view = uc.practices.practice(metro.gniezno.coordinator, practice)
    assert not view.may_change and uc.practices.practice(metro.leszno.staff, practice).may_change
    with pytest.raises(Forbidden):
        uc.practices.revise(metro.gniezno.coordinator, practice, expected_version=1, title="x", description="y",
                            tags=[], year=2012)

    # a member that left no longer sees it
    yesterday = container.app.today() - timedelta(days=1)
    uc.shared_networks.release(OPERATOR, network_id=metro.network_id, municipality_id=metro.gniezno.municipality_id,
                               left_on=yesterday)
    with pytest.raises(NotFound):
        uc.practices.practice(metro.gniezno.staff, practice)
    assert uc.practices.library(metro.gniezno.staff).items == []


def test_search_and_filters(container, metro):
    uc = container.use_cases
    first = _publish(uc, metro)
    second = _publish(uc, metro, metro.gniezno, title="Współpraca szkół z firmami", description="Staże.",
                      tags=["edukacja"], year=2011)
    library = lambda **f: [r["id"] for r in uc.practices.library(metro.leszno.staff, PracticeFilter(**f)).items]  # noqa: E731
    assert library() == [str(first), str(second)]  # newest year first
    assert library(text="wspolpraca") == [str(second)]  # without diacritics, any case
    assert library(text="MŁODYCH firm") == [str(first)]
    assert library(tag="start-upy") == [str(first)]
    assert library(year=2011) == [str(second)]
    assert library(municipality_id=metro.gniezno.municipality_id) == [str(second)]
    everything = uc.practices.library(metro.leszno.staff)
    assert everything.tags == ["edukacja", "inkubator", "Start-upy"] and everything.years == [2012, 2011]
    assert {c["name"] for c in everything.cities} == {"Miasto Gniezno", uc.registry.municipalities(metro.leszno.staff)[0]["name"]}


def test_publishing_is_checked_and_a_refusal_stores_nothing(container, metro):
    uc = container.use_cases
    before = container.runner.log_position()
    with pytest.raises(Forbidden):  # staff publish only for their own institution
        _publish(uc, metro, institution_id=metro.gniezno.institution_id)
    with pytest.raises(UnknownReference):  # a coordinator only for an institution of their city
        uc.practices.publish(metro.leszno.coordinator, network_id=metro.network_id,
                             institution_id=metro.gniezno.institution_id, title="t", description="d", tags=[], year=2012)
    with pytest.raises(UnknownReference):  # not a member of the network
        _publish(uc, metro, metro.outsider)
    with pytest.raises(Forbidden):
        uc.practices.publish(metro.leszno.auditor, network_id=metro.network_id,
                             institution_id=metro.leszno.institution_id, title="t", description="d", tags=[], year=2012)
    for bad, field in (({"title": " "}, "title"), ({"year": 1999}, "year"), ({"tags": ["x" * 41]}, "tags")):
        with pytest.raises(ValidationFailed) as error:
            _publish(uc, metro, **bad)
        assert error.value.field == field
    assert container.runner.log_position() == before


def test_documents_are_checked_by_their_bytes_and_served_to_readers_only(container, metro):
    uc = container.use_cases
    practice = _publish(uc, metro)
    staff = metro.leszno.staff
    uc.practices.attach(staff, practice, filename="../../prezentacja.pdf", data=PDF_BYTES)
    uc.practices.attach(staff, practice, filename="opis.docx", data=_office("word"))
    uc.practices.attach(staff, practice, filename="budżet", data=_office("xl"))
    before = container.runner.log_position()
    for name, data in (("wirus.pdf", b"MZ\x90\x00 not a pdf"), ("pusty.pdf", b""),
                       ("archiwum.docx", _office("other")), ("duzy.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024))):
        with pytest.raises(ValidationFailed) as error:
            uc.practices.attach(staff, practice, filename=name, data=data)
        assert error.value.field == "file"
    with pytest.raises(DomainError):  # the same file twice
        uc.practices.attach(staff, practice, filename="kopia.pdf", data=PDF_BYTES)
    assert container.runner.log_position() == before

    documents = uc.practices.practice(metro.gniezno.staff, practice).documents
    assert [(d["filename"], d["content_type"]) for d in documents] == [
        ("prezentacja.pdf", PDF), ("opis.docx", DOCX), ("budżet.xlsx", XLSX)]
    pdf = uc.practices.document(metro.gniezno.staff, practice, documents[0]["id"])
    assert pdf.data == PDF_BYTES and pdf.content_type == PDF
    with pytest.raises(NotFound):
        uc.practices.document(metro.outsider.staff, practice, documents[0]["id"])
    # the log holds the hash, not the bytes
    trail = container.app.recorder.select_notifications(1, 100_000)
    attached = [n for n in trail if n.topic == "splot:Practice.DocumentAttached"]
    assert len(attached) == 3 and all(PDF_BYTES not in n.state for n in attached)
    import hashlib
    assert hashlib.sha256(PDF_BYTES).hexdigest() == documents[0]["sha256"]


def test_a_practice_links_to_the_meetings_where_it_was_presented(container, metro):
    uc = container.use_cases
    practice = _publish(uc, metro)
    coordinator = metro.leszno.coordinator
    partner = metro.leszno.institution_id
    other = uc.registry.register_institution(coordinator, name="Cech", short_name="CECHX", kind="crafts_guild").id
    uc.registry.join_network(coordinator, institution_id=other, joined_on=date(2010, 1, 1))
    meeting = uc.records.record(coordinator, "meeting", {
        "occurred_on": date(2012, 5, 10), "title": "Wizyta studyjna w inkubatorze", "kind": "study_visit",
        "organiser_id": partner, "institution_ids": [other]}).id
    contact = uc.records.record(coordinator, "contact", {
        "occurred_on": date(2012, 5, 10), "institution_id": partner, "with_institution_id": other,
        "channel": "phone", "summary": "Telefon"}).id
    assert str(meeting) in {r["record_id"] for r in uc.practices.meetings_to_link(coordinator)}
    uc.practices.link_presentation(coordinator, practice, record_id=meeting)
    with pytest.raises(UnknownReference):  # a contact is not a meeting
        uc.practices.link_presentation(coordinator, practice, record_id=contact)
    with pytest.raises(DomainError):  # once only
        uc.practices.link_presentation(coordinator, practice, record_id=meeting)
    own = uc.practices.practice(coordinator, practice).presentations
    theirs = uc.practices.practice(metro.gniezno.staff, practice).presentations
    assert [(p["title"], p["meeting_kind"], p["visible"]) for p in own] == [
        ("Wizyta studyjna w inkubatorze", "study_visit", True)]
    assert [(p["title"], p["visible"]) for p in theirs] == [("Wizyta studyjna w inkubatorze", False)]
    with pytest.raises(UnknownReference):  # the other city cannot link its practice to Leszno's meeting
        gniezno_practice = _publish(uc, metro, metro.gniezno)
        uc.practices.link_presentation(metro.gniezno.coordinator, gniezno_practice, record_id=meeting)


def test_the_practices_events_are_in_the_audit_trail_of_the_networks_members_only(container, metro):
    from domain.use_cases.audit import AuditFilter

    uc = container.use_cases
    practice = _publish(uc, metro)
    uc.practices.attach(metro.leszno.staff, practice, filename="p.pdf", data=PDF_BYTES)

    def trail(user):
        return [(e["event_type"], e["record_id"]) for e in uc.audit.all_entries(user, AuditFilter(record_id=practice))]

    expected = [("Practice.Published", str(practice)), ("Practice.DocumentAttached", str(practice))]
    assert trail(metro.gniezno.auditor) == expected == trail(metro.leszno.auditor)
    assert trail(metro.outsider.auditor) == []
