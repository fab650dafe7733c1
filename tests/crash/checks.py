"""What the crash suite checks after every restart, with the writers paused:

- the read models caught up with the log (health: read-model position = log position, status ok);
- every acknowledged create is in the register exactly once, under the id it was acknowledged with
  (counted by its client key), and an unacknowledged unkeyed one at most once; every acknowledged
  correction or retraction shows in the register (version, status);
- `GET /records/{id}` (which reads the log) of every record written since the previous check, of 10
  older ones picked at random, and of all of them at the last check: the record, its client key, and
  each acknowledged change exactly once in its history (an unacknowledged unkeyed one at most once);
- `PRAGMA integrity_check` of the SQLite databases is ok;
- `splot verify` (the hash chain) and `splot verify --read-models` (every read model equals a rebuild
  from the log) pass — the CLI's own functions, called in this process.
"""

from __future__ import annotations

import json
import re
import sqlite3
import time
from collections import defaultdict
from typing import Any

import httpx

from infra.cli.audit import run_verify, run_verify_read_models
from infra.settings import Settings
from tests.crash.workload import ACKED, MAYBE, V1, Ledger, Write

CK = re.compile(r"\[k\d+-\d+-\d+\]")
SAMPLE = 10


def client_key(item: dict[str, Any]) -> str | None:
    """The creating write's client key: the first one in the record's text (a correction appends its own)."""
    found = CK.search(json.dumps(item.get("fields", {}), ensure_ascii=False))
    return found.group(0) if found else None


def _wait_caught_up(url: str, problems: list[str], timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    health: dict[str, Any] = {}
    while time.monotonic() < deadline:
        health = httpx.get(f"{url}{V1}/health", timeout=30).json()
        if health["status"] == "ok" and health["read_models_position"] >= health["log_position"]:
            return
        time.sleep(0.1)
    problems.append(f"the read models did not catch up with the log within {timeout:.0f} s: {health}")


def _register(url: str, token: str) -> list[dict[str, Any]]:
    items, cursor = [], None
    while True:
        params: dict[str, Any] = {"limit": 200, **({"cursor": cursor} if cursor else {})}
        page = httpx.get(f"{url}{V1}/records", params=params, headers={"Authorization": f"Bearer {token}"},
                         timeout=60)
        page.raise_for_status()
        body = page.json()
        items += body["items"]
        cursor = body["next_cursor"]
        if not cursor:
            return items


def integrity(settings: Settings) -> list[str]:
    """`PRAGMA integrity_check` of each SQLite database, read-only (nothing is checkpointed or changed)."""
    if settings.database_url:
        return []
    problems = []
    for path in (settings.events_path, settings.views_path, settings.directory_path):
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30) as conn:
            result = [row[0] for row in conn.execute("PRAGMA integrity_check")]
        if result != ["ok"]:
            problems.append(f"PRAGMA integrity_check of {path.name}: {result[:5]}")
    return problems


def check_store(settings: Settings, url: str, world: Any, ledger: Ledger, report: Any, checked_upto: int, rng,
                *, full: bool) -> int:
    """Runs every check; adds what fails to `report`. Returns the ledger index read back up to."""
    problems: list[str] = []
    _wait_caught_up(url, problems)
    with ledger.lock:
        writes = list(ledger.writes)
    rows_by_key: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for item in _register(url, world.tokens["coordinator"]):
        if (key := client_key(item)) is not None:
            rows_by_key[key].append(item)
    changes: dict[str, list[Write]] = defaultdict(list)
    for write in writes:
        if not write.creates and write.record_id and write.state in (ACKED, MAYBE):
            changes[write.record_id].append(write)
    register_row = {}
    for write in writes:
        if not write.creates or write.state not in (ACKED, MAYBE):
            continue
        rows = rows_by_key.get(write.ck, [])
        if len(rows) > 1:
            report.doubled_keys.add(write.ck)
            problems.append(f"doubled: {write.op} {write.ck} is in the register {len(rows)} times "
                            f"({', '.join(r['id'] for r in rows)})")
        elif write.state == ACKED and not rows:
            report.lost_keys.add(write.ck)
            problems.append(f"lost: acknowledged {write.op} {write.ck} (id {write.record_id}, cycle {write.cycle}) "
                            f"is not in the register")
        elif write.state == ACKED and rows[0]["id"] != write.record_id:
            problems.append(f"{write.op} {write.ck} was acknowledged as {write.record_id}, the register has {rows[0]['id']}")
        if rows:
            register_row[rows[0]["id"]] = rows[0]
        if full and write.state == MAYBE and write.creates:
            report.unkeyed_cut_off_found[str(min(len(rows), 1))] += 1
    for record_id, record_changes in changes.items():
        row = register_row.get(record_id)
        for write in record_changes:
            if write.state != ACKED or row is None:
                continue
            if row["version"] < write.version or (write.op == "retraction" and row["status"] != "retracted"):
                report.lost_keys.add(write.ck)
                problems.append(f"lost: acknowledged {write.op} {write.ck} (v{write.version}) of {record_id}: the "
                                f"register shows v{row['version']} {row['status']}")
    # Read back from the log, one by one: the new, a sample of the older, all at the end.
    created = [w for w in writes if w.creates and w.state == ACKED]
    recent = {w.record_id for w in writes[checked_upto:] if w.record_id and w.state in (ACKED, MAYBE)}
    older = [w.record_id for w in created if w.record_id not in recent]
    chosen = {w.record_id for w in created} if full else recent | set(rng.sample(older, min(SAMPLE, len(older))))
    creating = {w.record_id: w for w in created}
    staff = {"Authorization": f"Bearer {world.tokens['staff']}"}
    for record_id in sorted(r for r in chosen if r in creating):
        got = httpx.get(f"{url}{V1}/records/{record_id}", headers=staff, timeout=60)
        write = creating[record_id]
        if got.status_code != 200:
            report.lost_keys.add(write.ck)
            problems.append(f"lost: GET /records/{record_id} ({write.op} {write.ck}) answered {got.status_code}")
            continue
        record = got.json()
        if client_key(record) != write.ck:
            problems.append(f"record {record_id} does not carry its client key {write.ck}: {record['fields']}")
        history = record["history"]
        if [h["event_type"] for h in history].count("created") != 1:
            problems.append(f"record {record_id} ({write.ck}) has {len(history)} versions but not one 'created'")
        for change in changes.get(record_id, []):
            seen = sum(change.ck in (h.get("reason") or "") for h in history)
            if seen > 1:
                report.doubled_keys.add(change.ck)
                problems.append(f"doubled: {change.op} {change.ck} of {record_id} is {seen} times in its history")
            elif seen == 0 and change.state == ACKED:
                report.lost_keys.add(change.ck)
                problems.append(f"lost: acknowledged {change.op} {change.ck} of {record_id} is not in its history")
    problems += integrity(settings)
    if run_verify(settings, None) != 0:
        problems.append("`splot verify` failed: the log does not check against its hash chain (output above)")
    if run_verify_read_models(settings) != 0:
        problems.append("`splot verify --read-models` failed: the read models differ from a rebuild (output above)")
    report.problems += [f"after kill {report.total_kills}: {p}" for p in problems]
    return len(writes)
