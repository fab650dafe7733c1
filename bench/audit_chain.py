"""Benchmark of the audit chain: write cost of the chained recorder, and `verify` time per million events.

    .venv/bin/python bench/audit_chain.py [--events 1000000] [--batch 1000] [--dir /tmp/splot-bench] [--json]

Writes `--events` synthetic stored events (real Splot topics, ~330-byte states like a contact record) in
batches through the chained SQLite recorder (the path `app.save(*aggregates)` takes), then times
`verify_log` over the whole store (and once more against a checkpoint). Figures go in bench/README.md;
with `--json`, the write cost of the chain (chained beside plain batched inserts) for `make bench`. The
`splot verify` goal itself is measured over a real generated store by bench/verify_speed.py.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from eventsourcing.persistence import StoredEvent  # noqa: E402
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteDatastore  # noqa: E402

from infra.audit_chain import ChainedSQLiteApplicationRecorder  # noqa: E402
from infra.checkpoints import create_checkpoint, load_or_create_key  # noqa: E402
from infra.verify import verify_log  # noqa: E402

STATE = (b'{"timestamp":{"_type_":"datetime_iso","_data_":"2012-05-05T10:00:00.000000+00:00"},'
         b'"originator_topic":"splot:Record","actor_user_id":"anna@wpir.leszno.pl","actor_institution_id":null,'
         b'"owner_institution_id":{"_type_":"uuid_hex","_data_":"6f1c0f3e8d2b4c1a9e7f5a3b2c1d0e9f"},'
         b'"fields":{"network_id":"c0ffee00-0000-4000-8000-000000000000","occurred_on":"2012-05-05",'
         b'"summary":"Kontakt %08d","channel":"phone"}}')


def write(recorder, events: int, batch: int) -> float:
    started = time.perf_counter()
    for start in range(0, events, batch):
        recorder.insert_events([
            StoredEvent(originator_id=uuid.uuid4(), originator_version=1, topic="splot:Record.ContactEstablished",
                        state=STATE.replace(b"%08d", b"%08d" % i))
            for i in range(start, min(start + batch, events))])
    return time.perf_counter() - started


def store(path: Path, cls):
    datastore = SQLiteDatastore(db_name=str(path), lock_timeout=30)
    recorder = cls(datastore)
    recorder.create_table()
    return recorder


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/splot-audit-bench"))
    parser.add_argument("--json", action="store_true", help='print {"figures": [...]} last')
    args = parser.parse_args()
    shutil.rmtree(args.dir, ignore_errors=True)
    args.dir.mkdir(parents=True)
    n = args.events

    plain = store(args.dir / "plain.sqlite3", SQLiteApplicationRecorder)
    plain_s = write(plain, n, args.batch)
    chained = store(args.dir / "chained.sqlite3", ChainedSQLiteApplicationRecorder)
    chained_s = write(chained, n, args.batch)
    print(f"write {n} events in batches of {args.batch}: plain {n / plain_s:,.0f} ev/s, "
          f"chained {n / chained_s:,.0f} ev/s (chain overhead {100 * (chained_s / plain_s - 1):.0f} %)")

    started = time.perf_counter()
    result = verify_log(chained)
    verify_s = time.perf_counter() - started
    assert result.ok and result.events_checked == n
    print(f"verify {n} events: {verify_s:.1f} s = {verify_s * 1_000_000 / n:.1f} s per million "
          f"({n / verify_s:,.0f} ev/s)")

    checkpoint = create_checkpoint(chained, load_or_create_key(args.dir / "key.pem"))
    started = time.perf_counter()
    result = verify_log(chained, checkpoint=checkpoint)
    against_s = time.perf_counter() - started
    assert result.ok
    print(f"verify against a checkpoint ({len(checkpoint['anchors'])} anchors): {against_s:.1f} s = "
          f"{against_s * 1_000_000 / n:.1f} s per million")
    shutil.rmtree(args.dir, ignore_errors=True)
    if args.json:
        base = "the plain SQLite recorder, same synthetic events and batches"
        print(json.dumps({"figures": [
            {"figure": f"chained recorder writes, {n:,} synthetic events in batches of {args.batch:,}",
             "value": n / chained_s, "unit": "events/s", "baseline": base, "baseline_value": n / plain_s, "goal": "—"},
            {"figure": f"verify_log of {n:,} synthetic events against a checkpoint", "value": n / against_s,
             "unit": "events/s", "baseline": "verify_log of the same, alone", "baseline_value": n / verify_s,
             "goal": "—"}], "notes": []}, ensure_ascii=False))


if __name__ == "__main__":
    main()
