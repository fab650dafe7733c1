"""Use-case errors read "Polish sentence (English sentence)"; code and field stay as clients know them."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import pytest

from domain.errors import InvariantViolated, UnknownReference, ValidationFailed, VersionConflict
from tests.support.messages import polish_and_english

GHOST = UUID("00000000-0000-4000-8000-000000000000")


def test_use_case_errors_speak_polish_first_and_keep_code_and_field(container, network_id, actor):
    app = container.app
    with pytest.raises(UnknownReference) as unknown:
        app.registry.join_network(network_id=network_id, institution_id=GHOST, joined_on=date(2012, 1, 1), actor=actor)
    assert polish_and_english(unknown.value) == (f"Nie ma instytucji o identyfikatorze {GHOST}.",
                                                 f"Unknown institution: {GHOST}")
    assert unknown.value.code == "unknown_reference"

    riph = app.registry.register_institution(network_id=network_id, name="Izba", short_name="RIPH", kind="chamber",
                                             actor=actor).id
    with pytest.raises(InvariantViolated) as taken:
        app.registry.register_institution(network_id=network_id, name="Inna izba", short_name="RIPH", kind="chamber",
                                          actor=actor)
    polish, english = polish_and_english(taken.value)
    assert polish == f"Instytucja o skróconej nazwie RIPH już istnieje (identyfikator {riph})."
    assert english == f"An institution with the short name RIPH already exists (id {riph})."
    assert taken.value.field == "short_name"

    with pytest.raises(InvariantViolated) as never:
        app.registry.leave_network(network_id=network_id, institution_id=riph, left_on=date(2012, 1, 1), actor=actor)
    assert polish_and_english(never.value) == ("Instytucja nigdy nie należała do tej sieci.",
                                               "The institution never joined this network.")

    other = app.registry.register_institution(network_id=network_id, name="Centrum", short_name="CITT",
                                              kind="innovation_centre", actor=actor).id
    saved = app.records.record("contact", {"network_id": network_id, "occurred_on": date(2012, 5, 5), "institution_id": riph,
                                           "with_institution_id": other, "channel": "phone", "summary": "Kontakt"}, actor)
    app.records.correct_record(record_id=saved.id, expected_version=saved.version, changes={"summary": "Inny"}, reason="Opis", actor=actor)
    with pytest.raises(VersionConflict) as stale:
        app.records.correct_record(record_id=saved.id, expected_version=1, changes={"summary": "Trzeci"}, reason="Opis", actor=actor)
    polish, english = polish_and_english(stale.value)
    assert polish.startswith("Wpis ma wersję 2, a zmianę przygotowano dla wersji 1")
    assert english == "The record is at version 2; the change was made against version 1."
    assert (stale.value.code, stale.value.field) == ("version_conflict", "expected_version")

    with pytest.raises(ValidationFailed) as unknown_fields:
        app.records.correct_record(record_id=saved.id, expected_version=2, changes={"colour": "red", "size": 1}, reason="x", actor=actor)
    polish, _ = polish_and_english(unknown_fields.value)
    assert polish.startswith("Nieznane pola dla wpisu rodzaju contact: colour, size")
