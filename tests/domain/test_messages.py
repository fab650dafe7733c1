"""Domain errors read "Polish sentence (English sentence)"; code and field stay as clients know them."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import pytest

from domain.errors import DomainError, InvariantViolated, UnknownReference, ValidationFailed, VersionConflict
from domain.strategy.values import check_percent
from domain.values import check_text, normalise_nip, normalise_regon, plural_pl

GHOST = UUID("00000000-0000-4000-8000-000000000000")


def polish_and_english(error: DomainError) -> tuple[str, str]:
    message = error.message
    assert message.endswith(")"), message
    # The English part is the last top-level parenthesis (it may hold parentheses of its own).
    depth, start = 0, None
    for i in range(len(message) - 1, -1, -1):
        depth += {")": 1, "(": -1}.get(message[i], 0)
        if depth == 0:
            start = i
            break
    assert start and message[start - 1] == " ", message
    return message[:start - 1], message[start + 1:-1]


@pytest.mark.parametrize("n, form", [(1, "instytucja"), (2, "instytucje"), (4, "instytucje"), (5, "instytucji"),
                                     (12, "instytucji"), (22, "instytucje"), (25, "instytucji"),
                                     (112, "instytucji"), (0, "instytucji"), (13, "instytucji"), (104, "instytucje")])
def test_plural_pl_picks_the_form_polish_grammar_requires(n, form):
    assert plural_pl(n, "instytucja", "instytucje", "instytucji") == form


def test_value_rules_speak_polish_first():
    with pytest.raises(ValidationFailed) as nip:
        normalise_nip("1234567890")
    assert polish_and_english(nip.value) == ("NIP 1234567890 ma błędną cyfrę kontrolną.",
                                             "NIP 1234567890 has a wrong check digit.")
    assert (nip.value.code, nip.value.field) == ("validation_failed", "nip")
    with pytest.raises(ValidationFailed) as regon:
        normalise_regon("12345")
    assert polish_and_english(regon.value) == ("REGON musi mieć 9 lub 14 cyfr.", "REGON must have 9 or 14 digits.")
    for limit, word in ((1, "znak"), (3, "znaki"), (22, "znaki"), (300, "znaków")):
        with pytest.raises(ValidationFailed) as long:
            check_text("x" * (limit + 1), field="name", max_length=limit)
        polish, english = polish_and_english(long.value)
        assert polish == f"Pole name może mieć najwyżej {limit} {word}."
        assert english == f"name is longer than {limit} characters."
    with pytest.raises(ValidationFailed) as percent:
        check_percent(120, field="stages[0].realised.2013")
    polish, english = polish_and_english(percent.value)
    assert polish.startswith("Pole stages[0].realised.2013 musi być wartością procentową")
    assert english == "stages[0].realised.2013 must be a percentage between 0 and 100; got 120."


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
