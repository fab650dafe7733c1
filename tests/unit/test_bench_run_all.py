"""bench/run_all.py, the collector behind `make bench` (not a timed test): it runs each benchmark's `--json`,
keeps the figures of those that answer, names those that are missing, fail or print no figures, and writes
the document with the machine, versions, command, each figure beside its baseline, the ratio and ✔/✘."""

from __future__ import annotations

import importlib.util
import json
import sys
import textwrap
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("bench_run_all", ROOT / "bench" / "run_all.py")
run_all = importlib.util.module_from_spec(spec)
sys.modules["bench_run_all"] = run_all
spec.loader.exec_module(run_all)

FIGURES = {"figures": [
    {"figure": "writes/s", "value": 2400.0, "unit": "req/s", "baseline": "bare endpoint", "baseline_value": 1200.0,
     "goal": "≥ 1.5× and ≥ 2,000/s", "met": True},
    {"figure": "import rows/s", "value": 500.0, "unit": "rows/s", "baseline": "executemany", "baseline_value": 100000.0,
     "ratio": 0.005, "goal": "≥ 0.1×", "met": False},
    {"figure": "size", "value": 3.0, "unit": "GB", "baseline": "the log", "baseline_value": 1.5, "goal": "≤ 1×"},
], "notes": ["reference checks replay aggregates"]}


def _bench(folder: Path) -> Path:
    folder.mkdir()
    (folder / "good.py").write_text(textwrap.dedent(f"""
        import sys
        assert "--json" in sys.argv  # "--json"
        print("warming up")
        print({json.dumps(json.dumps(FIGURES))})
    """))
    (folder / "broken.py").write_text('import sys  # "--json"\nsys.exit("no store")\n')
    (folder / "chatty.py").write_text('print("42 req/s")  # "--json"\n')
    (folder / "helper.py").write_text("VALUE = 1\n")  # no --json: not a benchmark
    return folder


def test_discovery_takes_the_files_that_offer_json(tmp_path):
    assert run_all.discover(_bench(tmp_path / "bench")) == ["broken", "chatty", "good"]


def test_each_outcome_is_kept_apart(tmp_path):
    folder = _bench(tmp_path / "bench")
    good, broken, chatty, missing = (run_all.run_one(n, [], bench_dir=folder, timeout=60)
                                     for n in ("good", "broken", "chatty", "rebuild"))
    assert (good.status, len(good.figures), good.notes) == ("ok", 3, ["reference checks replay aggregates"])
    assert broken.status == "failed" and "no store" in broken.detail
    assert chatty.status == "no json"
    assert missing.status == "missing" and "bench/rebuild.py" in missing.detail


def test_the_document_shows_each_figure_beside_its_baseline_with_ratio_and_verdict(tmp_path):
    folder = _bench(tmp_path / "bench")
    outcomes = [run_all.run_one(n, [], bench_dir=folder, timeout=60) for n in ("good", "broken", "rebuild")]
    text = run_all.render(outcomes, command="make bench", started=datetime(2026, 12, 1, 15, 0, tzinfo=timezone.utc),
                          quick=False, machine_info={"cores": "2", "cpu": "Test CPU", "ram": "4.0 GiB", "os": "Linux"},
                          version_info={"Python": "3.11.7", "eventsourcing": "9.5.6", "SQLite": "3.40.1",
                                        "PostgreSQL": "15.8"})
    assert "- Date: 2026-12-01 15:00 UTC" in text and "- Command: `make bench`" in text
    assert "2 cores, Test CPU, 4.0 GiB RAM" in text and "eventsourcing 9.5.6" in text and "PostgreSQL 15.8" in text
    assert "| good | writes/s | 2,400 req/s | bare endpoint | 1,200 req/s | 2 | ≥ 1.5× and ≥ 2,000/s | ✔ |" in text
    assert "| good | import rows/s | 500 rows/s | executemany | 100,000 rows/s | 0.005 | ≥ 0.1× | ✘ |" in text
    assert "| good | size | 3 GB | the log | 1.5 GB | 2 | ≤ 1× | – |" in text
    assert "**failed**: exit 1: no store" in text and "**missing**: bench/rebuild.py" in text
    assert "1 of 3 figures meet their goal; 1 do not; 1 are not judged" in text
    assert "Not measured in this run: broken (failed); rebuild (missing)." in text
    assert "- good: reference checks replay aggregates" in text


def test_main_writes_the_document_even_when_a_benchmark_fails(tmp_path, monkeypatch):
    folder = _bench(tmp_path / "bench")
    monkeypatch.setattr(run_all, "BENCH", folder)
    monkeypatch.setattr(run_all, "run_one", lambda name, extra, **kw: run_all.Outcome(name, ["x"], "failed",
                                                                                        detail="boom"))
    output = tmp_path / "performance.md"
    assert run_all.main(["--only", "good", "--output", str(output)]) == 1
    assert "**failed**: boom" in output.read_text()
