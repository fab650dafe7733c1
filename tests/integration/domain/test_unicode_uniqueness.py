"""Uniqueness is not defeated by Unicode (issue 11, defect 4): a NIP or REGON is ASCII digits (other
scripts' digits are refused by name, not read as digits), short names are compared by their comparison key
(NFKC, casefold, no zero-width or bidi characters) while stored as typed, and claims an older store made
under the old key (the typed value casefolded) still refuse the name, before and after they are re-keyed."""

from __future__ import annotations

import unicodedata

import pytest

from domain.errors import InvariantViolated, ValidationFailed
from domain.registry import Firm, Institution, UniqueKey
from domain.values import Actor, comparison_key
from tests.factories import valid_nip, valid_regon
from tests.support.messages import polish_and_english

NIP = valid_nip(7)
SCRIPTS = {"full-width": 0xFF10, "Arabic-Indic": 0x0660, "Devanagari": 0x0966}


def in_script(digits: str, zero: int) -> str:
    return "".join(chr(zero + int(d)) for d in digits)


@pytest.fixture
def actor() -> Actor:
    return Actor(user_id="test")


def _events(container) -> int:
    return container.app.recorder.max_notification_id() or 0


@pytest.mark.parametrize("script", SCRIPTS)
@pytest.mark.parametrize("field", ["nip", "regon"])
def test_digits_of_another_script_are_refused_by_name_and_store_nothing(container, network_id, actor, script, field):
    number = NIP if field == "nip" else valid_regon(7)
    before = _events(container)
    with pytest.raises(ValidationFailed) as error:
        container.app.registry.register_firm(network_id=network_id, name="Firma", actor=actor,
                                             **{"nip": None, "regon": None, field: in_script(number, SCRIPTS[script])})
    assert error.value.field == field
    assert unicodedata.name(chr(SCRIPTS[script] + int(number[0]))) in error.value.message
    polish, english = polish_and_english(error.value)
    assert "cyfrę spoza zakresu 0–9" in polish and "digit other than 0–9" in english
    assert _events(container) == before


def test_one_nip_typed_four_ways_registers_once(container, network_id, actor):
    registry = container.app.registry
    registry.register_firm(network_id=network_id, name="Firma", nip=f"PL {NIP[:3]}-{NIP[3:6]}-{NIP[6:8]}-{NIP[8:]}",
                           regon=None, actor=actor)
    before = _events(container)
    with pytest.raises(InvariantViolated):
        registry.register_firm(network_id=network_id, name="Ta sama firma", nip=NIP, regon=None, actor=actor)
    for zero in SCRIPTS.values():
        with pytest.raises(ValidationFailed):
            registry.register_firm(network_id=network_id, name="Ta sama firma", nip=in_script(NIP, zero), regon=None,
                                   actor=actor)
    assert _events(container) == before


@pytest.mark.parametrize("variant", ["RIPH\u200b", "\u200bRIPH", "ＲＩＰＨ", "riph", "RI\u200dPH", "RIPH\u00ad",
                                     "RIPH\u200e", "RIPH\ufeff", "Ｒiph"])
def test_a_short_name_that_reads_the_same_is_taken(container, network_id, actor, variant):
    registry = container.app.registry
    registry.register_institution(network_id=network_id, name="Izba", short_name="RIPH", kind="chamber", actor=actor)
    before = _events(container)
    with pytest.raises(InvariantViolated) as error:
        registry.register_institution(network_id=network_id, name="Inna izba", short_name=variant, kind="chamber",
                                      actor=actor)
    assert error.value.field == "short_name"
    assert variant in error.value.message  # the message shows what was typed
    assert _events(container) == before


def test_nfc_and_nfd_forms_of_a_name_are_one_name(container, network_id, actor):
    registry = container.app.registry
    name = "ŁÓDŹ"
    registry.register_institution(network_id=network_id, name="Izba", short_name=unicodedata.normalize("NFC", name),
                                  kind="chamber", actor=actor)
    with pytest.raises(InvariantViolated):
        registry.register_institution(network_id=network_id, name="Izba 2", short_name=unicodedata.normalize("NFD", name),
                                      kind="chamber", actor=actor)


def test_a_name_is_stored_as_typed_and_renamed_to_its_own_variant_without_a_claim(container, network_id, actor):
    registry = container.app.registry
    typed = "ＣＩＴＴ\u200b"
    saved = registry.register_institution(network_id=network_id, name="Centrum", short_name=typed,
                                          kind="innovation_centre", actor=actor)
    assert container.app.get_institution(saved.id).short_name == typed
    before = _events(container)
    registry.rename_institution(institution_id=saved.id, name="Centrum", short_name="CITT", actor=actor)
    assert _events(container) == before + 1  # the rename only: "CITT" is the same key as "ＣＩＴＴ\u200b"
    with pytest.raises(InvariantViolated, match="taken"):
        other = registry.register_institution(network_id=network_id, name="Inne", short_name="INNE", kind="other",
                                              actor=actor)
        registry.rename_institution(institution_id=other.id, name="Inne", short_name="citt", actor=actor)


# ---------------------------------------------------------------------------------------------- older stores
def _old_institution(container, network_id, actor, short_name: str):
    """An institution registered the way the code before comparison keys did: its claim keyed by the typed
    short name casefolded (UniqueKey.claim with the typed value)."""
    institution = Institution.register(network_id=network_id, name=f"Stara {short_name}", short_name=short_name,
                                       kind="chamber", coordinator_id=None, actor=actor)
    claim = UniqueKey.claim(scope="institution_short_name", network_id=network_id, value=short_name,
                            owner_id=institution.id, actor=actor)
    container.app._save(institution, claim)
    return institution.id


def _old_firm(container, network_id, actor, nip: str):
    firm = Firm.register(network_id=network_id, name="Stara firma", nip=nip, regon=None, actor=actor)
    claim = UniqueKey.claim(scope="firm_nip", network_id=network_id, value=nip, owner_id=firm.id, actor=actor)
    container.app._save(firm, claim)
    return firm.id


def test_an_old_claim_still_refuses_the_same_name_before_it_is_re_keyed(container, network_id, actor):
    old = _old_institution(container, network_id, actor, "ＷＰＩＲ")
    assert comparison_key("ＷＰＩＲ") != "ＷＰＩＲ".casefold()  # the old and the new key differ
    with pytest.raises(InvariantViolated) as error:
        container.app.registry.register_institution(network_id=network_id, name="Nowa", short_name="ＷＰＩＲ",
                                                    kind="chamber", actor=actor)
    assert str(old) in error.value.message


def test_re_keying_old_claims_makes_every_variant_refused_once_and_for_all(container, network_id, actor):
    registry = container.app.registry
    old_institution = _old_institution(container, network_id, actor, "ＷＰＩＲ\u200b")
    old_firm = _old_firm(container, network_id, actor, in_script(NIP, SCRIPTS["full-width"]))
    # Before re-keying, a variant slips past the old key ...
    assert UniqueKey.id_for("institution_short_name", network_id, comparison_key("WPIR")) != \
        UniqueKey.id_for("institution_short_name", network_id, "ＷＰＩＲ\u200b")
    assert registry.rekey_unique_claims() == []
    # ... after it, the variants and the ASCII NIP are taken by the old owners.
    with pytest.raises(InvariantViolated) as taken:
        registry.register_institution(network_id=network_id, name="Nowa", short_name="wpir", kind="chamber", actor=actor)
    assert str(old_institution) in taken.value.message
    with pytest.raises(InvariantViolated) as nip_taken:
        registry.register_firm(network_id=network_id, name="Nowa", nip=NIP, regon=None, actor=actor)
    assert str(old_firm) in nip_taken.value.message
    before = _events(container)
    assert registry.rekey_unique_claims() == []  # done once: nothing more is written
    assert _events(container) == before


def test_old_claims_that_collide_under_the_new_key_are_reported_not_hidden(container, network_id, actor):
    first = _old_institution(container, network_id, actor, "ＫＳＰ")
    second = _old_institution(container, network_id, actor, "KSP")
    unresolved = container.app.registry.rekey_unique_claims()
    assert len(unresolved) == 1
    assert str(first) in unresolved[0] and str(second) in unresolved[0]


def test_an_empty_store_is_not_written_by_the_re_keying(container):
    before = _events(container)
    container.app.registry.rekey_unique_claims()
    assert _events(container) == before


@pytest.mark.parametrize("field", ["name", "short_name"])
def test_a_name_of_only_invisible_characters_is_refused(container, network_id, actor, field):
    before = _events(container)
    names = {"name": "Izba", "short_name": "IZ", field: "\u200b\u200d\u2060"}
    with pytest.raises(ValidationFailed, match="niewidoczne") as error:
        container.app.registry.register_institution(network_id=network_id, kind="chamber", actor=actor, **names)
    assert error.value.field == field
    with pytest.raises(ValidationFailed, match="invisible"):
        container.app.registry.register_firm(network_id=network_id, name="\ufeff", nip=NIP, regon=None, actor=actor)
    assert _events(container) == before


def test_a_second_server_re_keying_at_the_same_time_finds_the_work_done(container, network_id, actor, monkeypatch):
    """The first save of the re-keyed claims loses a race (another server saved them first): the next
    look finds the marker and writes nothing."""
    from domain import unique_keys

    _old_institution(container, network_id, actor, "ＰＵＰ")
    real = unique_keys._rekey_claims
    calls = []

    def racing(store, marker_network_id):
        calls.append(1)
        if len(calls) == 1:
            real(store, marker_network_id)  # the other server
            from domain.errors import VersionConflict, bilingual
            raise VersionConflict(bilingual("wyścig", "race"))
        return real(store, marker_network_id)

    monkeypatch.setattr(unique_keys, "_rekey_claims", racing)
    before = _events(container)
    assert container.app.registry.rekey_unique_claims() == []
    assert len(calls) == 2 and _events(container) == before + 2  # one re-keyed claim and the marker, once
