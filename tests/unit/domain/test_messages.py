"""Value rules' errors read "Polish sentence (English sentence)"; code and field stay as clients know them.

The same for the use cases' errors: tests/integration/domain/test_use_case_messages.py.
"""

from __future__ import annotations

import pytest

from domain.errors import ValidationFailed
from domain.strategy.values import check_percent
from domain.values import check_text, normalise_nip, normalise_regon, plural_pl

from tests.support.messages import polish_and_english


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
