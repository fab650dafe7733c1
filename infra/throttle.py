"""Sign-in throttling, asked before a password is hashed (argon2id costs ~130 ms here).

Failed attempts are counted per account and per client address in a sliding window; past the limit the
next attempt is refused for the rest of the window without checking the password at all, so neither
guessing nor making the server hash is cheap. A success clears the account's count. Kept in the
process (one API worker on SQLite); several workers each keep their own, which only multiplies the limit.
"""

from __future__ import annotations

import math
import threading
import time
from collections import defaultdict, deque
from typing import Callable

WINDOW_SECONDS = 15 * 60
ACCOUNT_LIMIT = 5  # failures per account in the window
ADDRESS_LIMIT = 20  # failures per client address in the window


class SignInThrottle:
    def __init__(self, *, clock: Callable[[], float] = time.monotonic, window: float = WINDOW_SECONDS,
                 account_limit: int = ACCOUNT_LIMIT, address_limit: int = ADDRESS_LIMIT) -> None:
        self.clock = clock
        self.window = window
        self.limits = {"account": account_limit, "address": address_limit}
        self._failures: dict[tuple[str, str], deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, key: tuple[str, str], now: float) -> deque[float]:
        failures = self._failures[key]
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        return failures

    def retry_after(self, *, account: str, address: str) -> int | None:
        """Seconds until another attempt is allowed, or None when one may be made now."""
        now = self.clock()
        waits = []
        with self._lock:
            for kind, value in (("account", account.strip().lower()), ("address", address)):
                failures = self._recent((kind, value), now)
                if len(failures) >= self.limits[kind]:
                    waits.append(failures[0] + self.window - now)
        return max(1, math.ceil(max(waits))) if waits else None

    def failed(self, *, account: str, address: str) -> None:
        now = self.clock()
        with self._lock:
            self._failures[("account", account.strip().lower())].append(now)
            self._failures[("address", address)].append(now)

    def succeeded(self, *, account: str) -> None:
        with self._lock:
            self._failures.pop(("account", account.strip().lower()), None)
