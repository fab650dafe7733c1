"""The rebuild and report figures again on PostgreSQL 15, started by the benchmark itself (issue 13).

    PYTHONPATH=. .venv/bin/python bench/postgres.py --events 100000
    PYTHONPATH=. .venv/bin/python bench/postgres.py --events 1000000 --json   # for `make bench`

A throwaway server (bench/writes.py's `Postgres`: initdb in a temporary directory, a free port on 127.0.0.1,
fsync on, stopped and deleted after) receives a copy of the cached generated SQLite store of bench/stores.py:
its stored events inserted in order through Splot's chained PostgreSQL recorder (the audit chain computed
again) and its records' text keys, so both stores hold the same log. Then, in the same run: the library's
read-back of the PostgreSQL log (`select_notifications` in pages of 1,000 + decode, the baseline), a rebuild
of every read model in PostgreSQL (`runner.rebuild`, the runner's own page sizes), and the task report of
both tasks, the as-of report and the first page of a drill-down over them, 30 times each (p50 / p95). The
durable-write figure on PostgreSQL is bench/writes.py's (`--postgres`).
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path
from statistics import quantiles

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from domain.values import warsaw_today  # noqa: E402  (after ROOT is on the path)

TASKS = ("I.3.5", "III.1.3")
INDICATOR, YEAR = "III.1.3.W3", 2011
REPEATS = 30


def copy_store(source: Path, url: str) -> tuple[object, int, float]:
    """A PostgreSQL container holding the source store's log and record keys; (container, events, seconds)."""
    from eventsourcing.persistence import StoredEvent

    from infra.container import build_container
    from infra.settings import Settings

    began = time.perf_counter()
    sqlite = build_container(Settings(data_dir=source))
    target = build_container(Settings(data_dir=source.parent / "pg-unused", database_url=url))
    copied, start = 0, 0
    try:
        while True:
            page = sqlite.app.recorder.select_notifications(start=start, limit=1000, inclusive_of_start=False)
            if not page:
                break
            target.app.recorder.insert_events([StoredEvent(originator_id=n.originator_id,
                                                           originator_version=n.originator_version,
                                                           topic=n.topic, state=n.state) for n in page])
            copied += len(page)
            start = page[-1].id
        with sqlite.directory_db.transaction() as tx:
            keys = [(r["key_id"], r["record_id"], r["key_hex"], r["created_at"])
                    for r in tx.execute("SELECT key_id, record_id, key_hex, created_at FROM record_keys")]
        with target.directory_db.transaction(write=True) as tx:
            tx.executemany("INSERT INTO record_keys (key_id, record_id, key_hex, created_at) VALUES (?, ?, ?, ?) "
                           "ON CONFLICT DO NOTHING", keys)
    finally:
        sqlite.close()
    return target, copied, time.perf_counter() - began


def read_back(container) -> tuple[int, float]:
    from bench.log_scan import read_back as read_whole_log

    return read_whole_log(container.app)


def reports(container) -> dict[str, dict[str, float]]:
    from domain.strategy.use_cases import STRATEGY_ID
    from projections.indicator_values.queries import indicator_events_page, task_report

    sid = str(STRATEGY_ID)
    calls = {f"task report {t}": (lambda tx, t=t: task_report(tx, t, strategy_id=sid)) for t in TASKS}
    calls["as-of report"] = lambda tx: task_report(tx, "III.1.3", strategy_id=sid, as_of=warsaw_today())  # Warsaw day
    calls["drill-down page"] = lambda tx: indicator_events_page(tx, INDICATOR, YEAR, strategy_id=sid, limit=50)
    found = {}
    for name, call in calls.items():
        times: list[float] = []
        spent = 0.0
        while len(times) < REPEATS and not (len(times) >= 5 and spent > 60):  # a slow one: 5 will do
            began = time.perf_counter()
            with container.views.transaction() as tx:
                call(tx)
            times.append((time.perf_counter() - began) * 1000)
            spent += times[-1] / 1000
        cuts = quantiles(times, n=100, method="inclusive")
        found[name] = {"p50": cuts[49], "p95": cuts[94]}
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--json", action="store_true", help='print {"figures": [...]} last')
    args = parser.parse_args()
    from bench.stores import ensure
    from bench.writes import Postgres

    store, _info = ensure(args.events, args.seed, log=lambda m: print(m, file=sys.stderr, flush=True))
    pg = Postgres()
    try:
        url = f"postgresql://postgres@127.0.0.1:{pg.port}/{pg.database()}"
        container, copied, copy_s = copy_store(store / "var", url)
        try:
            read_n, read_s = read_back(container)
            rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            began = time.perf_counter()
            rebuilt = container.runner.rebuild()
            rebuild_s = time.perf_counter() - began
            timed = reports(container)
        finally:
            container.close()
    finally:
        pg.close()
    n, where = rebuilt, "on PostgreSQL 15"
    figures = [
        {"figure": f"rebuild of all read models {where}, {n:,} events", "value": n / rebuild_s, "unit": "events/s",
         "baseline": "the library's read-back of the same PostgreSQL log", "baseline_value": read_n / read_s,
         "goal": ">= 0.5x and >= 25,000 events/s"},
    ]
    for task in TASKS:
        figures.append({"figure": f"task report {task} p95 {where}, {n:,} events",
                        "value": timed[f"task report {task}"]["p95"], "unit": "ms",
                        "baseline": "reading back the whole log", "baseline_value": read_s * 1000, "goal": "p95 ≤ 5 ms"})
    for name in ("as-of report", "drill-down page"):
        figures.append({"figure": f"{name} p95 {where}, {n:,} events", "value": timed[name]["p95"], "unit": "ms",
                        "baseline": "the current report p95 (III.1.3)",
                        "baseline_value": timed["task report III.1.3"]["p95"], "goal": "≤ 20 ms"})
    notes = [f"the log copied into PostgreSQL ({copied:,} events, chain recomputed) in {copy_s:,.0f} s; the "
             f"benchmark process's peak RSS before the rebuild {rss_before:,.0f} MB (the rebuild's own is not "
             f"separated here)"]
    if args.json:
        print(json.dumps({"figures": figures, "notes": notes}, ensure_ascii=False))
        return
    for f in figures:
        print(f"{f['figure']:64} {f['value']:12,.1f} {f['unit']:9} baseline {f['baseline_value']:12,.1f}")
    print("\n".join(notes))


if __name__ == "__main__":
    main()
