"""Rebuilding the read models against the library's read-back of the same log, in the same run (issue 13).

    PYTHONPATH=. .venv/bin/python bench/rebuild.py                    # 100k events, a few minutes
    PYTHONPATH=. .venv/bin/python bench/rebuild.py --events 1000000   # the full figure
    PYTHONPATH=. .venv/bin/python bench/rebuild.py --store /tmp/s1m   # keep (or reuse) the generated store
    PYTHONPATH=. .venv/bin/python bench/rebuild.py --json             # {"figures": [...]} for `make bench`

A store of N events is generated through the domain (bench/event_generator.py). Then, each in a child
process of its own (so that its peak RSS is its own): the library's read-back of the whole log
(`recorder.select_notifications` in pages of 1,000, each decoded by the mapper's `to_domain_events`, the baseline), and a
rebuild of every read model from that log into a fresh views database (`infra.container.scratch_runner`,
the runner's own page sizes), timed per 10,000 events to show whether the cost per event grows. Then the
reports over the rebuilt read models, 30 times each: the current task report (the baseline), the same as
of a date, and the first page of a drill-down (a call slower than 12 s is timed 5 times only).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from statistics import quantiles

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from domain.values import warsaw_today  # noqa: E402  (after ROOT is on the path)

TASK, INDICATOR, YEAR = "III.1.3", "III.1.3.W3", 2011  # the demo strategy's
AS_OF = warsaw_today()  # recorded-time bound (the Warsaw day, which UTC can lag): the store was written today
REPEATS = 30


def _container(store: Path):
    from infra.container import build_container
    from infra.settings import Settings

    return build_container(Settings(data_dir=store / "var"))


def generate(store: Path, events: int) -> dict:
    from bench.event_generator import generate as fill
    from infra.container import bootstrap

    container = _container(store)
    try:
        bootstrap(container)
        made = fill(container, events=events)
        container.runner.catch_up()
    finally:
        container.close()
    return {"events": made.events, "records": made.records, "corrections": made.corrections,
            "retractions": made.retractions, "seconds": made.seconds}


def read_back(store: Path) -> dict:
    from bench.log_scan import read_back as read_whole_log

    container = _container(store)
    try:
        count, seconds = read_whole_log(container.app)
    finally:
        container.close()
    return {"events": count, "seconds": seconds}


def rebuild(store: Path, views: Path) -> dict:
    from infra.container import scratch_runner

    container = _container(store)
    runner = scratch_runner(container, views)
    marks: list[tuple[int, float]] = []
    done = [0]
    began = time.perf_counter()

    def progress(n: int) -> None:
        done[0] += n
        marks.append((done[0], time.perf_counter() - began))

    runner.page_size = 500  # as configured by default; the runner sizes pages up from it by the backlog
    count = runner.catch_up(progress=progress)
    seconds = time.perf_counter() - began
    runner.db.close()
    container.close()
    return {"events": count, "seconds": seconds, "marks": marks}


def reports(store: Path, views: Path) -> dict:
    """p50/p95 in ms of the current report, the as-of report and a drill-down page, over the rebuilt views."""
    from infra.sqldb import SQLiteDatabase
    from projections.indicator_values.queries import indicator_events_page, task_report
    from domain.strategy.use_cases import STRATEGY_ID

    SID = str(STRATEGY_ID)  # the default strategy, the demo network's
    db = SQLiteDatabase(views)
    timings: dict[str, list[float]] = {"current": [], "as_of": [], "drill_down": []}
    calls = {
        "current": lambda tx: task_report(tx, TASK, strategy_id=SID),
        "as_of": lambda tx: task_report(tx, TASK, strategy_id=SID, as_of=AS_OF),
        "drill_down": lambda tx: indicator_events_page(tx, INDICATOR, YEAR, strategy_id=SID, limit=50),
    }
    for name, call in calls.items():
        spent = 0.0
        while len(timings[name]) < REPEATS and not (len(timings[name]) >= 5 and spent > 60):  # a slow one: 5 will do
            began = time.perf_counter()
            with db.transaction() as tx:
                call(tx)
            timings[name].append((time.perf_counter() - began) * 1000)
            spent += timings[name][-1] / 1000
    db.close()
    return {name: _percentiles(values) for name, values in timings.items()}


def _percentiles(values: list[float]) -> dict:
    cuts = quantiles(values, n=100, method="inclusive")
    return {"p50": cuts[49], "p95": cuts[94]}


def _sizes(store: Path, views: Path) -> dict:
    import sqlite3

    def used(path: Path) -> int:
        connection = sqlite3.connect(path)
        try:
            pages, free, size = (connection.execute(f"PRAGMA {p}").fetchone()[0]
                                 for p in ("page_count", "freelist_count", "page_size"))
        finally:
            connection.close()
        return (pages - free) * size

    return {"log": used(store / "var" / "events.sqlite3"), "views": used(views)}


def _child(phase: str, store: Path, views: Path) -> dict:
    """Runs one phase in a child process; its result and its own peak RSS (MB)."""
    out = subprocess.run([sys.executable, __file__, "--phase", phase, "--store", str(store), "--views", str(views)],
                         capture_output=True, text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    if out.returncode:
        raise SystemExit(f"{phase} failed:\n{out.stderr[-3000:]}")
    result = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def _rate_at(marks: list[tuple[int, float]], lo: int, hi: int) -> float | None:
    """Events per second between the first marks past `lo` and past `hi` events."""
    a = next(((n, t) for n, t in marks if n >= lo), None)
    b = next(((n, t) for n, t in marks if n >= hi), None)
    if a is None or b is None or b[0] == a[0]:
        return None
    return (b[0] - a[0]) / (b[1] - a[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--store", type=Path, help="where the generated store is kept (reused if it exists)")
    parser.add_argument("--views", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--phase", choices=("generate", "read_back", "rebuild", "reports"), help=argparse.SUPPRESS)
    parser.add_argument("--json", action="store_true", help="print {\"figures\": [...]} only")
    args = parser.parse_args()
    if args.phase:
        result = {"generate": lambda: generate(args.store, args.events),
                  "read_back": lambda: read_back(args.store),
                  "rebuild": lambda: rebuild(args.store, args.views),
                  "reports": lambda: reports(args.store, args.views)}[args.phase]()
        result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(result))
        return
    scratch = tempfile.TemporaryDirectory(prefix="splot-rebuild-")
    store = args.store or Path(scratch.name) / "store"
    views = Path(scratch.name) / "views.sqlite3"
    if not (store / "var" / "events.sqlite3").exists():
        store.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, __file__, "--phase", "generate", "--store", str(store), "--events",
                        str(args.events), "--views", str(views)], check=True, cwd=ROOT, stdout=subprocess.DEVNULL,
                       env={**os.environ, "PYTHONPATH": str(ROOT)})
    base = _child("read_back", store, views)
    built = _child("rebuild", store, views)
    timed = _child("reports", store, views)
    sizes = _sizes(store, views)
    scratch.cleanup()
    figures = _figures(base, built, timed, sizes)
    if args.json:
        print(json.dumps({"figures": figures}))
        return
    print(f"{'figure':58} {'value':>12} {'baseline':>12}  goal")
    for f in figures:
        baseline = "" if f["baseline_value"] is None else f"{f['baseline_value']:,.1f}"
        print(f"{f['figure']:58} {f['value']:>12,.1f} {baseline:>12}  {f['goal']}  [{f['unit']}; {f['baseline']}]")


def _figures(base: dict, built: dict, timed: dict, sizes: dict) -> list[dict]:
    n = built["events"]
    rebuild_rate, read_rate = n / built["seconds"], base["events"] / base["seconds"]
    early = _rate_at(built["marks"], 0, min(10_000, n))
    late = _rate_at(built["marks"], int(n * 0.9), n)
    size = f"{n:,} events"
    figures = [
        {"figure": f"rebuild of all read models, {size}", "value": rebuild_rate, "unit": "events/s",
         "baseline": "the library's read-back of the same log", "baseline_value": read_rate,
         "goal": ">= 0.5x and >= 25,000 events/s"},
        {"figure": f"rebuild peak RSS, {size}", "value": built["peak_rss_mb"], "unit": "MB",
         "baseline": "the read-back's peak RSS", "baseline_value": base["peak_rss_mb"], "goal": "<= 300 MB"},
        {"figure": f"read models' size, {size}", "value": sizes["views"] / 2**20, "unit": "MB",
         "baseline": "the log's size", "baseline_value": sizes["log"] / 2**20, "goal": "<= 1x"},
        {"figure": f"as-of report p95, {size}", "value": timed["as_of"]["p95"], "unit": "ms",
         "baseline": "the current report p95", "baseline_value": timed["current"]["p95"], "goal": "<= 20 ms"},
        {"figure": f"drill-down page p95, {size}", "value": timed["drill_down"]["p95"], "unit": "ms",
         "baseline": "the current report p95", "baseline_value": timed["current"]["p95"], "goal": "<= 20 ms"},
        {"figure": f"as-of report p50, {size}", "value": timed["as_of"]["p50"], "unit": "ms",
         "baseline": "the current report p50", "baseline_value": timed["current"]["p50"], "goal": ""},
        {"figure": f"drill-down page p50, {size}", "value": timed["drill_down"]["p50"], "unit": "ms",
         "baseline": "the current report p50", "baseline_value": timed["current"]["p50"], "goal": ""},
    ]
    if early and late:
        figures.append({"figure": f"rebuild rate over the last 10% of {size}", "value": late, "unit": "events/s",
                        "baseline": "the rate over the first 10,000 events", "baseline_value": early,
                        "goal": "per-event cost within 1.3x (rate >= 0.77x)"})
    return figures


if __name__ == "__main__":
    main()
