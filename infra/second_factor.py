"""The TOTP second factor (RFC 6238, via pyotp): secrets, the time-step a code belongs to, the enrolment QR code.

A code is accepted for the current 30-second step or one step either side (`valid_window=1`, for clocks a
little apart). What this module returns is the step the code belongs to; the directory
(`UserStore.accept_totp_step`) keeps the last step accepted per user, so a code — or an older one — is never
accepted twice. The QR code is drawn here as inline SVG (segno, pure Python): nothing leaves the server.
"""

from __future__ import annotations

import time
from typing import Callable

import pyotp
import segno
from pyotp.utils import strings_equal

ISSUER = "Splot"
VALID_WINDOW = 1  # steps either side of now


class TotpSecondFactor:
    def __init__(self, *, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock

    @staticmethod
    def new_secret() -> str:
        return pyotp.random_base32()  # 160 bits, base32 as authenticator apps expect

    def step_of(self, secret: str, code: str) -> int | None:
        """The time-step `code` belongs to (within the window around now), or None when it is not valid."""
        code = "".join((code or "").split())
        totp = pyotp.TOTP(secret)
        if len(code) != totp.digits or not code.isdigit():
            return None
        now = self.clock()
        if not totp.verify(code, for_time=now, valid_window=VALID_WINDOW):
            return None
        current = int(now // totp.interval)
        for step in range(current - VALID_WINDOW, current + VALID_WINDOW + 1):
            if strings_equal(totp.generate_otp(step), code):
                return step
        return None  # pragma: no cover - verify() and the loop agree

    @staticmethod
    def provisioning_uri(secret: str, account: str) -> str:
        return pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=ISSUER)

    @staticmethod
    def qr_svg(uri: str, title: str) -> str:
        """The otpauth:// URI as an inline SVG QR code, with `title` as its text alternative."""
        svg = segno.make(uri, error="m").svg_inline(scale=5, border=4, title=title, dark="#0b0c0c", light="#ffffff")
        return svg.replace("<svg ", '<svg role="img" focusable="false" ', 1)
