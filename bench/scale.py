"""The task report at a small and a large store against scanning the log, and how its cost grows (issue 13).

    PYTHONPATH=. .venv/bin/python bench/scale.py --events 100000 --small 10000
    PYTHONPATH=. .venv/bin/python bench/scale.py --events 1000000 --small 10000 --json   # for `make bench`

Both stores are the cached ones of bench/stores.py (generated through the domain, read models caught up).
For each of the default strategy's tasks (both: I.3.5 and III.1.3) the current task report is read from the
read models (`projections.indicator_values.queries.task_report`, what the API and the page call) 30 times
(after one untimed call), p50 / p95 per task. The baseline is what a report without read models would have
to do at least: scan the log — read every stored event of the large store and decode it (the library's
`select_notifications` in pages of 1,000, decoded a page at a time: bench/log_scan.py), timed once. Growth: the report's p95
on the large store beside the same on the small one (a report whose cost grows with the log shows it here).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from statistics import quantiles

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TASKS = ("I.3.5", "III.1.3")
REPEATS = 30


def task_timings(views: Path, repeats: int = REPEATS) -> dict[str, dict[str, float]]:
    from domain.strategy.use_cases import STRATEGY_ID
    from infra.sqldb import SQLiteDatabase
    from projections.indicator_values.queries import task_report

    db = SQLiteDatabase(views)
    found: dict[str, dict[str, float]] = {}
    try:
        for task in TASKS:
            with db.transaction() as tx:
                task_report(tx, task, strategy_id=str(STRATEGY_ID))  # warm (caches, pages of the file)
            times = []
            for _ in range(repeats):
                began = time.perf_counter()
                with db.transaction() as tx:
                    task_report(tx, task, strategy_id=str(STRATEGY_ID))
                times.append((time.perf_counter() - began) * 1000)
            cuts = quantiles(times, n=100, method="inclusive")
            found[task] = {"p50": cuts[49], "p95": cuts[94]}
    finally:
        db.close()
    return found


def scan_log(data_dir: Path) -> tuple[int, float]:
    """(events, seconds) to read and decode every event of the log."""
    from infra.container import build_container
    from infra.settings import Settings

    from bench.log_scan import read_back

    container = build_container(Settings(data_dir=data_dir))
    try:
        return read_back(container.app)
    finally:
        container.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=100_000, help="the large store")
    parser.add_argument("--small", type=int, default=10_000, help="the small store (the growth baseline)")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--json", action="store_true", help='print {"figures": [...]} last')
    args = parser.parse_args()
    from bench.stores import ensure

    say = lambda m: print(m, file=sys.stderr, flush=True)  # noqa: E731
    large, large_info = ensure(args.events, args.seed, log=say)
    small, small_info = ensure(args.small, args.seed, log=say)
    at_large = task_timings(large / "var" / "views.sqlite3")
    at_small = task_timings(small / "var" / "views.sqlite3")
    scanned, scan_s = scan_log(large / "var")
    n, m = large_info["events"], small_info["events"]
    figures = []
    for task in TASKS:
        figures.append({"figure": f"task report {task} p95, {n:,} events", "value": at_large[task]["p95"], "unit": "ms",
                        "baseline": f"scanning the log (read and decode all {scanned:,} events)",
                        "baseline_value": scan_s * 1000, "goal": "p95 ≤ 5 ms", "p50": at_large[task]["p50"]})
    for task in TASKS:
        figures.append({"figure": f"growth: task report {task} p95 at {n:,} events beside {m:,}",
                        "value": at_large[task]["p95"], "unit": "ms", "baseline": f"the same at {m:,} events",
                        "baseline_value": at_small[task]["p95"], "goal": "within 1.3× of the small store's"})
    if args.json:
        print(json.dumps({"figures": figures, "notes": []}, ensure_ascii=False))
        return
    for f in figures:
        print(f"{f['figure']:60} {f['value']:10.2f} {f['unit']}   baseline {f['baseline_value']:12.1f}  "
              f"({f['baseline']})")


if __name__ == "__main__":
    main()
