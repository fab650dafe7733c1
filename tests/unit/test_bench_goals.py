"""bench/goals.py and bench/run_all.py's goal table (not timed tests): every figure is judged by the rule of
issue 13's goal table it belongs to, every row of that table is in the document (measured or why not), and
the generator behind the stores is deterministic by seed."""

from __future__ import annotations

import importlib.util
import random
import sys
from datetime import datetime, timezone
from pathlib import Path
from uuid import UUID

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
spec = importlib.util.spec_from_file_location("bench_run_all_goals", ROOT / "bench" / "run_all.py")
run_all = importlib.util.module_from_spec(spec)
sys.modules["bench_run_all_goals"] = run_all
spec.loader.exec_module(run_all)

from bench import event_generator, goals  # noqa: E402


def fig(name, value, baseline=None, **extra):
    return {"figure": name, "value": value, "unit": "x", "baseline": "b", "baseline_value": baseline, **extra}


def test_figures_are_judged_by_their_rows_rule():
    assert run_all.judged("writes", fig("POST /meetings, SQLite FULL, fresh store: writes/s", 2400, 1500)) is True
    assert run_all.judged("writes", fig("POST /meetings, SQLite FULL, fresh store: writes/s", 2400, 2000)) is False  # 1.2×
    assert run_all.judged("writes", fig("POST /meetings, SQLite FULL, fresh store: writes/s", 1900, 1000)) is False  # < 2,000/s
    assert run_all.judged("writes", fig("the same with Idempotency-Key: p99 latency", 49.0, 10)) is True
    assert run_all.judged("writes", fig("the same with Idempotency-Key: p99 latency", 51.0, 10)) is False
    assert run_all.judged("rebuild", fig("rebuild of all read models, 1,000,000 events", 30000, 50000)) is True
    assert run_all.judged("rebuild", fig("rebuild of all read models, 1,000,000 events", 20000, 30000)) is False
    assert run_all.judged("rebuild", fig("read models' size, 1,000 events", 10, 12)) is True
    assert run_all.judged("rebuild", fig("read models' size, 1,000 events", 13, 12)) is False
    assert run_all.judged("scale", fig("task report p95, 1,000,000 events", 4.9, 44000)) is True
    assert run_all.judged("verify_speed", fig("splot verify of 1,000,000 events", 29, 100)) is False
    assert run_all.judged("scale", fig("growth of the task report's cost per event", 1.2, 1.0)) is True
    assert run_all.judged("scale", fig("growth of the task report's cost per event", 1.4, 1.0)) is False
    assert run_all.judged("serve_memory", fig("server RSS serving 1,000,000 events", 201)) is False
    assert run_all.judged("rebuild", fig("rebuild rate over the last 10% of 1,000 events", 80, 100)) is True  # 1.25×
    assert run_all.judged("rebuild", fig("rebuild rate over the last 10% of 1,000 events", 70, 100)) is False
    # the benchmark's own word wins; a figure no rule knows is not judged; a missing number is not judged
    assert run_all.judged("writes", fig("POST /meetings: writes/s", 1, 1000, met=True)) is True
    assert run_all.judged("other", fig("something else", 1, 2)) is None
    assert run_all.judged("rebuild", fig("rebuild of all read models", None, 3)) is None


def test_the_stores_a_benchmark_asks_for_are_read_from_its_options():
    assert run_all._sizes_asked(["--events", "1000000", "--small", "10000", "--json"]) == [1000000, 10000]
    assert run_all._sizes_asked(["--seconds", "3"]) == []
    assert run_all._sizes_asked(["--events", "1000000", "--small", "10000", "--events", "5000"]) == [5000, 10000]


def test_postgresql_figures_go_to_their_own_row():
    goal, rule = goals.classify("postgres", fig("rebuild of all read models on PostgreSQL 15, 5,000 events", 1, 2))
    assert goal.key == "postgres" and rule.check == {"min_ratio": 0.5, "min": 25000}
    assert goals.classify("writes", fig("the same on PostgreSQL 15: writes/s", 1, 2))[0].key == "postgres"


def test_the_document_lists_every_goal_row_measured_or_why_not():
    outcomes = [run_all.Outcome("scale", ["x"], "ok", figures=[fig("task report p95, 1,000,000 events", 3.0, 44000.0)]),
                run_all.Outcome("verify_speed", ["x"], "failed", detail="exit 1: no store")]
    text = run_all.render(outcomes, command="make bench", started=datetime(2026, 12, 1, tzinfo=timezone.utc),
                          quick=False, machine_info={"cores": "2", "cpu": "c", "ram": "1 GiB", "os": "L"},
                          version_info={"Python": "3.11"}, load=("0.10 / 0.20 / 0.30", "1.00 / 0.50 / 0.40"))
    table = text.split("## Issue 13's goal table")[1].split("## Closing note")[0]
    for goal in goals.GOALS:
        assert f"| {goal.figure.replace('|', chr(92) + '|')} |" in table
    assert "task report p95, 1,000,000 events: 3 x / 44,000 x = 6.82e-05× ✔ | ✔ |" in table
    assert "not measured: bench/verify_speed.py failed (exit 1: no store)" in table
    assert "not measured: bench/writes.py not run" in table
    assert "0.10 / 0.20 / 0.30 at the start, 1.00 / 0.50 / 0.40 at the end" in text
    closing = text.split("## Closing note")[1]
    assert "- met ✔: task report (both tasks) at 1M events" in closing
    assert "- not measured: `splot verify` of 1M events" in closing


def _plan(seed: int, n: int) -> list[tuple[str, dict]]:
    rng = random.Random(seed)
    ids = {short: UUID(int=i + 1) for i, short in enumerate(["A", "B", "C", "D"])}
    firms = [UUID(int=100 + i) for i in range(20)]
    records = [event_generator._new_record(rng, UUID(int=99), ids, list(ids), firms) for _ in range(n)]
    return [(r.kind, {k: v for k, v in r.fields.items()}) for r in records]


def test_the_generator_is_deterministic_by_seed():
    first, again, other = _plan(13, 60), _plan(13, 60), _plan(14, 60)
    assert first == again
    assert first != other
    assert {kind for kind, _ in first} >= {"contact", "meeting", "information_exchange"}
    meetings = [f for kind, f in first if kind == "meeting"]
    assert any(len(f["institution_ids"]) + len(f["firm_ids"]) >= 2 for f in meetings)  # several parties
