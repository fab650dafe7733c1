from datetime import date, datetime, timezone

import pytest

from domain.errors import InvalidBusinessDate, ValidationFailed
from domain.values import (
    check_business_date,
    nip_check_digit,
    normalise_nip,
    normalise_regon,
    regon_check_digit,
    warsaw_today,
)


def test_valid_nip_is_normalised_to_digits():
    assert normalise_nip("526-000-12-46") == "5260001246"
    assert normalise_nip("PL 5260001246") == "5260001246"


@pytest.mark.parametrize("nip", ["5260001247", "123", "52600012460", "abcdefghij", ""])
def test_malformed_nip_is_rejected_with_field(nip):
    with pytest.raises(ValidationFailed) as error:
        normalise_nip(nip)
    assert error.value.field == "nip"


def test_nip_check_digit_completes_a_valid_nip():
    prefix = "697123456"
    digit = nip_check_digit(prefix)
    if digit is None:
        pytest.skip("this prefix has no valid check digit")
    assert normalise_nip(prefix + str(digit)) == prefix + str(digit)
    with pytest.raises(ValidationFailed):
        normalise_nip(prefix + str((digit + 1) % 10))


def test_regon_9_and_14_digits():
    nine = "12345678" + str(regon_check_digit("12345678"))
    assert normalise_regon(nine) == nine
    with pytest.raises(ValidationFailed):
        normalise_regon("12345678" + str((regon_check_digit("12345678") + 1) % 10))
    assert normalise_regon("00000000000000") == "00000000000000"
    with pytest.raises(ValidationFailed):
        normalise_regon("1234567")


def test_business_date_rules():
    today = date(2026, 11, 22)
    assert check_business_date(date(2000, 1, 1), today=today) == date(2000, 1, 1)
    with pytest.raises(InvalidBusinessDate, match="before 2000"):
        check_business_date(date(1999, 12, 31), today=today)
    with pytest.raises(InvalidBusinessDate, match="future"):
        check_business_date(date(2026, 11, 23), today=today)
    with pytest.raises(InvalidBusinessDate):
        check_business_date(0, today=today)
    with pytest.raises(InvalidBusinessDate):
        check_business_date(datetime(2010, 1, 1, tzinfo=timezone.utc), today=today)


def test_warsaw_today_crosses_midnight_before_utc():
    late_utc = datetime(2012, 12, 31, 23, 30, tzinfo=timezone.utc)  # already 1 January in Warsaw
    assert warsaw_today(late_utc) == date(2013, 1, 1)
