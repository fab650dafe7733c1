"""The baseline most figures stand beside: the library's read-back of the whole log, in one place.

`select_notifications` in pages of 1,000, each page decoded as the projection runner decodes it
(`FieldCipherMapper.to_domain_events`: the key store asked once a page), so a baseline never pays a key
query per event that the code it is compared with does not."""

from __future__ import annotations

import time
from typing import Any

PAGE = 1_000


def read_back(app: Any) -> tuple[int, float]:
    """(events read and decoded, seconds) for the application's whole log."""
    start, count, began = 0, 0, time.perf_counter()
    decode_page = getattr(app.mapper, "to_domain_events", None)
    while True:
        page = app.recorder.select_notifications(start=start, limit=PAGE, inclusive_of_start=False)
        if not page:
            break
        if decode_page is not None:
            decode_page(page)
        else:  # a mapper without page decoding (the library's own)
            for notification in page:
                app.mapper.to_domain_event(notification)
        count += len(page)
        start = page[-1].id
    return count, time.perf_counter() - began
