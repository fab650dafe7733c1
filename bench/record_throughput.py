"""Records per second through the use cases (validation, reference checks, one save per record)
on the embedded SQLite store, and read-model catch-up speed.

Run: .venv/bin/python bench/record_throughput.py [N]
Baseline (../shared/FIELD-NOTES.md, same machine kind): one `app.save(agg)` per aggregate on SQLite
WAL/FULL: 1.8–2.8k events/s; reading back via notifications: 82–122k events/s.
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from domain.application import DEFAULT_NETWORK_ID
from domain.values import Actor
from infra.container import bootstrap, build_container
from infra.settings import Settings


def main(n: int = 2000) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        container = build_container(Settings(data_dir=Path(tmp)))
        bootstrap(container)
        actor = Actor("bench")
        a = container.app.registry.register_institution(network_id=DEFAULT_NETWORK_ID, name="A", short_name="A",
                                                        kind="chamber", actor=actor).id
        b = container.app.registry.register_institution(network_id=DEFAULT_NETWORK_ID, name="B", short_name="B",
                                                        kind="chamber", actor=actor).id
        container.runner.catch_up()
        start = time.perf_counter()
        for i in range(n):
            container.app.records.record("contact", {
                "network_id": DEFAULT_NETWORK_ID, "occurred_on": date(2010 + i % 5, 1 + i % 12, 1 + i % 28),
                "institution_id": a, "with_institution_id": b, "channel": "phone", "summary": f"kontakt {i}",
            }, actor)
        write = time.perf_counter() - start
        start = time.perf_counter()
        processed = container.runner.catch_up()
        project = time.perf_counter() - start
        start = time.perf_counter()
        rebuilt = container.runner.rebuild()
        rebuild = time.perf_counter() - start
        container.close()
    print(f"records through use cases: {n / write:,.0f}/s ({n} in {write:.2f} s)")
    print(f"read models catching up:   {processed / project:,.0f} events/s ({processed} events)")
    print(f"rebuild from the log:      {rebuilt / rebuild:,.0f} events/s ({rebuilt} events)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
