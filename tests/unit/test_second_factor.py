"""The TOTP arithmetic (infra/second_factor.py) and who is asked for a code (domain.policy)."""

from __future__ import annotations

from uuid import uuid4

import pyotp
import pytest

from domain.policy import Role, User, needs_second_factor
from infra.second_factor import TotpSecondFactor

T0 = 1_780_000_020.0  # inside a step, not on its edge
STEP = int(T0 // 30)


@pytest.fixture
def factor() -> TotpSecondFactor:
    return TotpSecondFactor(clock=lambda: T0)


def test_a_code_belongs_to_its_step_within_one_step_either_side(factor):
    secret = factor.new_secret()
    totp = pyotp.TOTP(secret)
    for offset in (-1, 0, 1):
        assert factor.step_of(secret, totp.at(T0 + offset * 30)) == STEP + offset
    for offset in (-2, 2):
        assert factor.step_of(secret, totp.at(T0 + offset * 30)) is None


def test_spaces_are_ignored_and_anything_but_six_digits_is_not_a_code(factor):
    secret = factor.new_secret()
    code = pyotp.TOTP(secret).at(T0)
    assert factor.step_of(secret, f" {code[:3]} {code[3:]} ") == STEP
    for bad in ("", "12345", "1234567", "12a456", code + "0"):
        assert factor.step_of(secret, bad) is None


def test_new_secrets_are_random_base32_of_160_bits(factor):
    secrets = {factor.new_secret() for _ in range(20)}
    assert len(secrets) == 20
    assert all(len(s) == 32 and set(s) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for s in secrets)


def test_the_qr_code_is_inline_svg_with_a_text_alternative(factor):
    uri = factor.provisioning_uri("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", "koordynator@example.org")
    assert uri.startswith("otpauth://totp/Splot:koordynator%40example.org?") and "issuer=Splot" in uri
    svg = factor.qr_svg(uri, "Kod QR <dla aplikacji>")
    assert svg.startswith('<svg role="img"') and "<title>Kod QR &lt;dla aplikacji&gt;</title>" in svg
    assert "<?xml" not in svg and "<image" not in svg  # inline vector, nothing to fetch


@pytest.mark.parametrize("role, asked", [(Role.COORDINATOR, True), (Role.ADMIN, True), (Role.STAFF, False),
                                         (Role.LEAD, False), (Role.AUDITOR, False)])
def test_coordinators_and_admins_need_a_second_factor(role, asked):
    user = User(id=uuid4(), email="x@example.org", role=role, institution_id=None, active=True)
    assert needs_second_factor(user) is asked
