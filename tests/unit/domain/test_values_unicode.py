"""domain.values: the comparison key of names, ASCII-only NIP/REGON (checks by python-stdnum), and the one
rule for characters no text may hold (issue 11, defects 4 and 5)."""

from __future__ import annotations

import unicodedata

import pytest

from domain.errors import ValidationFailed
from domain.values import check_text, comparison_key, forbidden_character, normalise_nip, normalise_regon
from tests.factories import valid_nip, valid_regon


@pytest.mark.parametrize("variant", ["RIPH", "riph", "ＲＩＰＨ", "RIPH\u200b", "R\u200cIPH", "\u2060RIPH", "RIPH\u00ad",
                                     "RIPH\u200e", "\ufeffRIPH", "  RIPH  "])
def test_names_that_read_the_same_have_one_comparison_key(variant):
    assert comparison_key(variant) == comparison_key("RIPH") == "riph"


def test_comparison_key_joins_nfc_nfd_and_compatibility_forms_and_white_space():
    assert comparison_key(unicodedata.normalize("NFD", "Łódź Żółć")) == comparison_key("łódź żółć")
    assert comparison_key("ﬁrma") == comparison_key("FIRMA")
    assert comparison_key("Klaster   spożywczy") == comparison_key("klaster spożywczy")
    assert comparison_key("Straße") == comparison_key("STRASSE")


def test_different_names_keep_different_keys():
    assert comparison_key("RIPH") != comparison_key("RIPH2")
    assert comparison_key("Łódź") != comparison_key("Lodz")  # letters are not stripped of their marks


def test_nip_and_regon_take_ascii_digits_spaces_dashes_and_a_pl_prefix():
    nip = valid_nip(3)
    assert normalise_nip(f"pl {nip[:3]}-{nip[3:6]}-{nip[6:8]}-{nip[8:]}") == nip
    regon = valid_regon(3)
    assert normalise_regon(f"{regon[:3]} {regon[3:6]}-{regon[6:]}") == regon


@pytest.mark.parametrize("zero", [0xFF10, 0x0660, 0x06F0, 0x0966, 0x09E6, 0x1D7CE])
def test_digits_of_other_scripts_are_refused_not_converted(zero):
    nip = valid_nip(3)
    with pytest.raises(ValidationFailed, match="0–9"):
        normalise_nip("".join(chr(zero + int(d)) for d in nip))
    mixed = nip[:9] + chr(zero + int(nip[9]))
    with pytest.raises(ValidationFailed, match=unicodedata.name(chr(zero + int(nip[9])))):
        normalise_nip(mixed)


def test_a_14_digit_regon_needs_both_check_digits():
    base = valid_regon(3)  # 9 digits, valid
    from stdnum.pl.regon import calc_check_digit
    good = base + "1234" + calc_check_digit(base + "1234")
    assert normalise_regon(good) == good
    bad_prefix = base[:8] + str((int(base[8]) + 1) % 10) + "1234"
    with pytest.raises(ValidationFailed, match="cyfrę kontrolną"):
        normalise_regon(bad_prefix + calc_check_digit(bad_prefix))


@pytest.mark.parametrize("char", ["\x00", "\x1b", "\x7f", "\x80", "\x85", "\x9f", "\u202a", "\u202e", "\u2066",
                                  "\u2069", "\ud800"])
def test_forbidden_characters_are_refused_by_check_text(char):
    assert forbidden_character(f"a{char}b") == char
    with pytest.raises(ValidationFailed, match=f"U\\+{ord(char):04X}"):
        check_text(f"a{char}b", field="name")


@pytest.mark.parametrize("text", ["tab\tand\nnew\r\nline", "Zażółć", "\u200b\u200d zero-width", "\u00a0nbsp", "ß"])
def test_ordinary_text_passes(text):
    assert forbidden_character(text) is None
